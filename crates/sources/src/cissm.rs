//! CISSM Cyber Events Database (the cleaned CSV derivative `CISSM_cleaned.csv`: columns
//! `event_description, actor, actor_type, event_type, organization, event_subtype, motive,
//! motive_code, event_source, industry, industry_code, dnx_id, year, month, day`, one-hot event
//! types and continent flags): one [`Report`] per event row.
//!
//! What goes where:
//! - `original`: the row as a JSON object of header -> raw cell text (before any repair).
//! - `source_id`: `dnx_id`; `title`: the description's first sentence (120 characters at most);
//!   `description`: `event_description`; `occurred`: `year`/`month`/`day` with the precision given.
//! - `actors`: `actor` unless "Undetermined" (several are separated by `;`), category
//!   `actor_type <code>`: the derivative codes the type as a number without a codebook (the data
//!   suggest 1 criminal, 2 hacktivist, 3 hobbyist), so the code is kept as given; the assessment's
//!   crosswalk (`actor-others.csv`) says how far each number can be read.
//! - `victims`: one victim named by `organization`, `industry` (a NAICS sector name) as its sector;
//!   the file has no victim country.
//! - `kinds`: `event_type` and each `event_subtype` (comma-separated); `tags`: `motive:`,
//!   `region:` for each continent flag set, `naics:` (the two-digit `industry_code`),
//!   `event-source:` (a site name, not a URL). "Undetermined" values are left out.
//!
//! Mojibake: some cells are UTF-8 that was decoded as Latin-1 or Windows-1252 and written out
//! again, up to three times over ("Ã\u{83}Â©" for "é"). Each cell is repaired with
//! [`crate::csv_util::repair_mojibake`] (only complete, valid UTF-8 sequences are re-decoded,
//! and a run whose result would hold a replacement or control character is left alone); each
//! repair is listed with its line and column, and what still looks like mojibake afterwards is
//! listed as not repairable (some sequences lost a byte to a plain `'` or `"`). A row with neither
//! description nor organization is rejected; a row without a usable year is accepted undated.

use std::path::Path;

use threatscape_model::{
    Actor, Contributor, ContributorType, DateSpan, FuzzyDate, Provenance, Reliability, Report, Tlp,
    Victim,
};

use crate::csv_util::{
    looks_like_mojibake, mojibake_at, present, push_unique, repair_mojibake, title_from, Fixes,
    Ledger, Table,
};
use crate::{AdapterOutput, SourceError};

/// The provenance format name.
pub const FORMAT: &str = "cissm";

const COLUMNS: &[&str] = &[
    "event_description",
    "actor",
    "actor_type",
    "event_type",
    "organization",
    "event_subtype",
    "motive",
    "industry",
    "industry_code",
    "dnx_id",
    "year",
    "month",
    "day",
];

/// The continent flag columns (0/1).
const REGIONS: &[&str] = &[
    "Africa",
    "Asia",
    "Australia",
    "Europe",
    "North America",
    "South America",
];

/// Who CISSM is, as a contributor.
pub fn contributor() -> Contributor {
    Contributor {
        name: "CISSM Cyber Events Database".to_string(),
        type_: ContributorType::Academia,
        reliability: Reliability::B,
    }
}

/// Reads a CISSM Cyber Events CSV.
pub fn read(path: &Path) -> Result<AdapterOutput, SourceError> {
    let (table, mut rows) = Table::open(path, "CISSM Cyber Events", COLUMNS)?;
    let mut ledger = Ledger::new();
    let mut malformed = Vec::new();
    while let Some(row) = rows.next_row(&table)? {
        let row = match row {
            Ok(row) => row,
            Err(issue) => {
                malformed.push(issue);
                continue;
            }
        };
        let mut fixes = Fixes::default();
        if row.lossy {
            fixes.repaired("invalid UTF-8 replaced by U+FFFD");
        }
        // Repair every cell first; the report is built from the repaired cells.
        let cells: Vec<String> = table
            .headers
            .iter()
            .zip(&row.cells)
            .map(|(header, cell)| {
                let fixed = match repair_mojibake(cell) {
                    Some(fixed) => {
                        let (before, after) = excerpt_of_change(cell, &fixed);
                        fixes.repaired(format!(
                            "mojibake repaired in `{}`: \"{before}\" -> \"{after}\"",
                            header.trim()
                        ));
                        fixed
                    }
                    None => cell.clone(),
                };
                if looks_like_mojibake(&fixed) {
                    fixes.note(format!(
                        "mojibake left as is in `{}` (not safely repairable): \"{}\"",
                        header.trim(),
                        excerpt_around_mojibake(&fixed)
                    ));
                }
                fixed
            })
            .collect();
        match report(&table, row.line, &cells, table.original(&row), &mut fixes) {
            Ok(r) => ledger.accept(r, fixes),
            Err(reason) => ledger.reject(&table.file, row.line, reason),
        }
    }
    ledger.reject_all(malformed);
    Ok(ledger.finish())
}

/// A cell's value unless absent or "Undetermined".
fn known(cell: &str) -> Option<&str> {
    present(cell).filter(|c| !c.eq_ignore_ascii_case("undetermined"))
}

fn report(
    t: &Table,
    line: u64,
    cells: &[String],
    original: String,
    fixes: &mut Fixes,
) -> Result<Report, String> {
    let get = |name: &str| -> &str {
        t.col(name)
            .and_then(|i| cells.get(i))
            .map(String::as_str)
            .unwrap_or("")
    };
    let description = present(get("event_description")).map(str::to_string);
    let organization = known(get("organization"));
    let title = match (&description, organization) {
        (Some(d), _) => title_from(d),
        (None, Some(o)) => o.to_string(),
        (None, None) => {
            return Err(
                "the record has neither an `event_description` nor an `organization`".into(),
            )
        }
    };

    let occurred = date(get("year"), get("month"), get("day"), fixes)
        .map(|start| DateSpan { start, end: None });

    let actor_category = present(get("actor_type")).map(|c| format!("actor_type {c}"));
    let mut actors = Vec::new();
    if let Some(cell) = known(get("actor")) {
        for name in cell.split(';').filter_map(known) {
            push_unique(
                &mut actors,
                Actor {
                    name: name.to_string(),
                    aliases: Vec::new(),
                    country: None,
                    category: actor_category.clone(),
                },
            );
        }
    }

    let sectors: Vec<String> = known(get("industry"))
        .map(|s| vec![s.to_string()])
        .unwrap_or_default();
    let victims = if organization.is_some() || !sectors.is_empty() {
        vec![Victim {
            name: organization.map(str::to_string),
            country: None,
            country_as_given: None,
            sectors,
        }]
    } else {
        Vec::new()
    };

    let mut kinds = Vec::new();
    if let Some(k) = known(get("event_type")) {
        kinds.push(k.to_string());
    }
    for k in get("event_subtype").split(',').filter_map(known) {
        push_unique(&mut kinds, k.to_string());
    }

    let mut tags = Vec::new();
    if let Some(m) = known(get("motive")) {
        tags.push(format!("motive:{m}"));
    }
    for region in REGIONS {
        if get(region).trim() == "1" {
            tags.push(format!("region:{region}"));
        }
    }
    if let Some(code) = known(get("industry_code")) {
        let code = code.strip_suffix(".0").unwrap_or(code);
        if code != "99" {
            tags.push(format!("naics:{code}"));
        }
    }
    let mut urls = Vec::new();
    if let Some(source) = present(get("event_source")) {
        if source.starts_with("http://") || source.starts_with("https://") {
            urls.push(source.to_string());
        } else {
            tags.push(format!("event-source:{source}"));
        }
    }

    Ok(Report {
        provenance: Provenance {
            format: FORMAT.to_string(),
            file: t.file.clone(),
            locator: format!("line {line}"),
        },
        contributor: contributor(),
        source_id: present(get("dnx_id")).map(str::to_string),
        title,
        description,
        urls,
        occurred,
        disclosed: None,
        reported: None,
        victims,
        actors,
        attributions: Vec::new(),
        kinds,
        tags,
        tlp: Tlp::Clear,
        credibility: None,
        original,
    })
}

/// The date from the year, month and day cells, as precise as they allow; what cannot be used is
/// noted.
fn date(year: &str, month: &str, day: &str, fixes: &mut Fixes) -> Option<FuzzyDate> {
    let num = |s: &str| -> Option<i64> {
        let s = s.trim();
        let s = s.strip_suffix(".0").unwrap_or(s);
        s.parse().ok()
    };
    let Some(y) = num(year)
        .and_then(|y| i32::try_from(y).ok())
        .filter(|y| (1900..=2100).contains(y))
    else {
        fixes.note(format!(
            "no usable date (`year` is \"{}\"): accepted without a date",
            year.trim()
        ));
        return None;
    };
    let Some(m) = num(month)
        .and_then(|m| u8::try_from(m).ok())
        .filter(|m| *m > 0)
    else {
        return Some(FuzzyDate::year(y));
    };
    let Some(by_month) = FuzzyDate::month(y, m) else {
        fixes.note(format!(
            "`month` {m} is not a month: the date is the year {y}"
        ));
        return Some(FuzzyDate::year(y));
    };
    let Some(d) = num(day)
        .and_then(|d| u8::try_from(d).ok())
        .filter(|d| *d > 0)
    else {
        return Some(by_month);
    };
    match FuzzyDate::day(y, m, d) {
        Some(full) => Some(full),
        None => {
            fixes.note(format!(
                "`day` {d} is not a day of {by_month}: the date is the month"
            ));
            Some(by_month)
        }
    }
}

/// The part of `before` that changed and what it became, with a few characters of context.
fn excerpt_of_change(before: &str, after: &str) -> (String, String) {
    let b: Vec<char> = before.chars().collect();
    let a: Vec<char> = after.chars().collect();
    let start = b.iter().zip(&a).take_while(|(x, y)| x == y).count();
    let same_tail = b
        .iter()
        .rev()
        .zip(a.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let from = start.saturating_sub(12);
    let cut = |v: &[char], end_same: usize| -> String {
        let end = v.len().saturating_sub(end_same).max(start);
        let end = (end + 12).min(v.len());
        let text: String = v[from.min(end)..end].iter().collect();
        if end - from.min(end) > 100 {
            format!("{}…", text.chars().take(100).collect::<String>())
        } else {
            text
        }
    };
    (
        cut(&b, same_tail.min(b.len() - start)),
        cut(&a, same_tail.min(a.len() - start)),
    )
}

/// A few characters around the first place that still looks like mojibake.
fn excerpt_around_mojibake(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let pos = mojibake_at(text).unwrap_or(0);
    let from = pos.saturating_sub(15);
    let to = (pos + 25).min(chars.len());
    chars[from..to].iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_keep_the_precision_given() {
        let mut f = Fixes::default();
        assert_eq!(date("2023", "9", "30", &mut f), FuzzyDate::day(2023, 9, 30));
        assert_eq!(date("2023", "9", "", &mut f), FuzzyDate::month(2023, 9));
        assert_eq!(date("2023", "", "", &mut f), Some(FuzzyDate::year(2023)));
        assert!(!f.any_repair());
        assert_eq!(date("2023", "2", "30", &mut f), FuzzyDate::month(2023, 2));
        assert_eq!(date("", "2", "3", &mut f), None);
        assert_eq!(
            date("2023.0", "2.0", "3.0", &mut f),
            FuzzyDate::day(2023, 2, 3)
        );
    }

    #[test]
    fn change_excerpts_show_the_change() {
        let (b, a) = excerpt_of_change(
            "The Universit\u{c3}\u{a9} Aix-Marseille",
            "The Université Aix-Marseille",
        );
        assert!(b.contains('\u{c3}') && a.contains('é'), "{b} / {a}");
        assert!(!a.contains('\u{c3}'));
    }
}
