//! The native contributor template: one report per row, for organisations without a platform.
//!
//! One format, two encodings: a CSV file whose header names the columns, or a JSON array of
//! objects with the same keys. Every value is text; in JSON a list may also be an array of texts,
//! and `credibility` a number.
//!
//! | column | required | what |
//! |---|---|---|
//! | `title` | yes | a short title |
//! | `description` | | the account, in the contributor's words |
//! | `occurred_start` | yes | when it happened: `YYYY`, `YYYY-MM` or `YYYY-MM-DD` |
//! | `occurred_end` | | when it ended, same form, not before the start |
//! | `disclosed` | | when it became public, same form |
//! | `victim_name` | | the organisation hit |
//! | `victim_country` | | its country: a name or an ISO code |
//! | `victim_sector` | | its sectors, `;`-separated |
//! | `actor` | | who is said to be behind it |
//! | `actor_country` | | the State the actor is associated with |
//! | `actor_category` | | what the actor is: State, State-affiliated, criminal, hacktivist, terrorist or unknown (needs `actor`) |
//! | `attributed_by` | | who makes the attribution (needs `actor`) |
//! | `attribution_basis` | | on what basis (needs `actor`) |
//! | `attributed_on` | | when the attribution was made public, `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (needs `actor`; a briefing measures how long attribution takes from it) |
//! | `kinds` | | kinds of incident, `;`-separated |
//! | `urls` | | references, `;`-separated, each `http://` or `https://` |
//! | `tlp` | yes | CLEAR, GREEN, AMBER, AMBER+STRICT or RED (WHITE reads as CLEAR) |
//! | `credibility` | | 1 (confirmed) to 6 (cannot be judged) |
//! | `source_id` | | the contributor's own reference for the report |
//!
//! A row without a TLP is rejected: the release level is never guessed. Every problem of a row is
//! listed in its rejection (the line, the column and why). A header with a column the template
//! does not have is refused as a whole (its data would otherwise be lost silently), with the
//! nearest known column suggested; column names are matched without regard to case, spaces or
//! dashes. Rows whose cells are all empty (spreadsheets leave them) are not records. A CSV file
//! may use `;` instead of `,` between cells, as spreadsheets set to some locales write.
//!
//! The template does not name its contributor: the caller says who sends the file. A declared TLP
//! raises (never lowers) each row's own. A country that is not recognised is kept as written,
//! without an ISO code, and listed as a repair.

use std::path::Path;

use serde_json::Value;
use threatscape_model::{
    Actor, Attribution, AttributorKind, Contributor, ContributorType, DateSpan, FuzzyDate,
    Provenance, Report, Tlp, Victim,
};
use threatscape_stix::reader::Reader;

use crate::stix_incidents::{alpha3, attributor_kind_from};
use crate::{AdapterOutput, RecordIssue, SourceError};

const FORMAT: &str = "native";

/// The template's columns, in the order of the documentation and the examples.
pub const COLUMNS: [&str; 19] = [
    "title",
    "description",
    "occurred_start",
    "occurred_end",
    "disclosed",
    "victim_name",
    "victim_country",
    "victim_sector",
    "actor",
    "actor_country",
    "actor_category",
    "attributed_by",
    "attribution_basis",
    "attributed_on",
    "kinds",
    "urls",
    "tlp",
    "credibility",
    "source_id",
];

/// The columns every row must fill.
pub const REQUIRED: [&str; 3] = ["title", "occurred_start", "tlp"];

/// The columns that hold `;`-separated lists.
const LISTS: [&str; 3] = ["victim_sector", "kinds", "urls"];

/// How a template file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// A CSV file with a header.
    Csv,
    /// A JSON array of objects.
    Json,
}

/// Reads a template file sent by `contributor`.
pub fn read(path: &Path, contributor: &Contributor) -> Result<AdapterOutput, SourceError> {
    read_with(path, contributor, None)
}

/// Reads a template file sent by `contributor`, raising every row to the declared TLP if given.
///
/// The encoding is taken from the extension (`.csv`, `.json`), else from the first character.
pub fn read_with(
    path: &Path,
    contributor: &Contributor,
    declared_tlp: Option<Tlp>,
) -> Result<AdapterOutput, SourceError> {
    let file_name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| SourceError::Io {
        file: file_name.clone(),
        source,
    })?;
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let encoding = match extension.as_deref() {
        Some("json") => Encoding::Json,
        Some("csv") => Encoding::Csv,
        _ => {
            let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
            match text.iter().find(|b| !b.is_ascii_whitespace()) {
                Some(b'[' | b'{') => Encoding::Json,
                _ => Encoding::Csv,
            }
        }
    };
    read_bytes(&bytes, &file_name, encoding, contributor, declared_tlp)
}

/// Reads a template from a file's bytes; `file_name` is what provenance and issues name.
pub fn read_bytes(
    bytes: &[u8],
    file_name: &str,
    encoding: Encoding,
    contributor: &Contributor,
    declared_tlp: Option<Tlp>,
) -> Result<AdapterOutput, SourceError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let rows = match encoding {
        Encoding::Csv => csv_rows(bytes, file_name)?,
        Encoding::Json => json_rows(bytes, file_name)?,
    };
    let mut out = AdapterOutput::default();
    for row in rows {
        out.read += 1;
        let issue = |message: String| RecordIssue {
            file: file_name.to_owned(),
            locator: row.locator.clone(),
            message,
        };
        let provenance = Provenance {
            format: FORMAT.to_owned(),
            file: file_name.to_owned(),
            locator: row.locator.clone(),
        };
        match row_report(&row, provenance, contributor, declared_tlp) {
            Ok((report, notes)) => {
                if !notes.is_empty() {
                    out.repaired += 1;
                }
                out.repairs.extend(notes.into_iter().map(issue));
                out.reports.push(report);
                out.accepted += 1;
            }
            Err(problems) => {
                out.rejected += 1;
                let prefix = row.line_note.clone().unwrap_or_default();
                out.rejections
                    .push(issue(format!("{prefix}{}", problems.join("; "))));
            }
        }
    }
    Ok(out)
}

/// A cell: text, or (JSON only) a list of texts.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Text(String),
    List(Vec<String>),
}

/// One row of the template, before it is checked.
#[derive(Debug)]
struct Row {
    /// `line N` for CSV, the JSON pointer for JSON.
    locator: String,
    /// For JSON rows, `line N: ` to put before the problems.
    line_note: Option<String>,
    /// The filled cells, by column index in [`COLUMNS`].
    cells: Vec<(usize, Cell)>,
    /// Problems found while reading the row (bad encoding, unknown keys, wrong cell count).
    problems: Vec<String>,
    /// The row as written (with the header line for CSV).
    original: String,
}

impl Row {
    fn text(&self, column: &str) -> Option<&str> {
        let index = column_index(column)?;
        self.cells
            .iter()
            .find(|(i, _)| *i == index)
            .and_then(|(_, cell)| match cell {
                Cell::Text(t) => Some(t.as_str()),
                Cell::List(_) => None,
            })
    }

    /// A list column's items: `;`-separated text, or a JSON array.
    fn items(&self, column: &str) -> Vec<String> {
        let Some(index) = column_index(column) else {
            return Vec::new();
        };
        match self.cells.iter().find(|(i, _)| *i == index) {
            Some((_, Cell::Text(t))) => split_list(t),
            Some((_, Cell::List(items))) => items
                .iter()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect(),
            None => Vec::new(),
        }
    }
}

fn column_index(name: &str) -> Option<usize> {
    COLUMNS.iter().position(|c| *c == name)
}

/// A column name as written, made comparable: lowercase, spaces and dashes as underscores.
fn normalise_column(name: &str) -> String {
    name.trim().to_lowercase().replace([' ', '-'], "_")
}

fn split_list(text: &str) -> Vec<String> {
    text.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The known column nearest to an unknown name, if it is close.
fn suggestion(unknown: &str) -> Option<&'static str> {
    COLUMNS
        .iter()
        .map(|c| (edit_distance(unknown, c), *c))
        .min()
        .filter(|(d, _)| *d <= 3)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

fn unknown_column_message(name: &str) -> String {
    match suggestion(name) {
        Some(near) => format!("`{name}` is not a column of the template (did you mean `{near}`?)"),
        None => format!("`{name}` is not a column of the template"),
    }
}

fn csv_rows(bytes: &[u8], file_name: &str) -> Result<Vec<Row>, SourceError> {
    let format_error = |message: String| SourceError::Format {
        file: file_name.to_owned(),
        message,
    };
    let first_line = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    let delimiter = if !first_line.contains(&b',') && first_line.contains(&b';') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut records = Vec::new();
    // Lines are counted incrementally from the previous record's start: counting from the top of
    // the file for each record made a 100,000-row file take minutes.
    let (mut counted_to, mut line) = (0usize, 1usize);
    for record in reader.byte_records() {
        let record = record.map_err(|e| format_error(format!("not readable as CSV: {e}")))?;
        // The reader's position can point at the line break before the record (after `\r\n`,
        // after skipped blank lines), and its line count misses those: find the record's first
        // byte and count lines ourselves.
        let mut start = record.position().map_or(0, |p| p.byte() as usize);
        while matches!(bytes.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        line += bytes[counted_to..start]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        counted_to = start;
        records.push((start, line, record));
    }
    let Some(((header_start, _, header), rest)) = records.split_first() else {
        return Err(format_error(
            "the file is empty: the template starts with a header naming its columns".to_owned(),
        ));
    };

    let mut columns: Vec<usize> = Vec::new();
    let mut problems: Vec<String> = Vec::new();
    for name in header.iter() {
        let name = normalise_column(&String::from_utf8_lossy(name));
        match column_index(&name) {
            Some(i) if columns.contains(&i) => {
                problems.push(format!("the column `{name}` appears twice"));
            }
            Some(i) => columns.push(i),
            None if name.is_empty() => problems.push("a column has no name".to_owned()),
            None => problems.push(unknown_column_message(&name)),
        }
    }
    let missing: Vec<&str> = REQUIRED
        .iter()
        .filter(|r| !columns.contains(&column_index(r).unwrap_or_default()))
        .copied()
        .collect();
    if !missing.is_empty() {
        problems.push(format!(
            "the header lacks the required column(s) {}",
            missing.join(", ")
        ));
    }
    if !problems.is_empty() {
        return Err(format_error(format!(
            "line 1: the header is not the native template's: {}. The columns are: {}",
            problems.join("; "),
            COLUMNS.join(", ")
        )));
    }

    // Each record's text runs from its start to the next record's start.
    let ends: Vec<usize> = records
        .iter()
        .skip(1)
        .map(|(start, _, _)| *start)
        .chain(std::iter::once(bytes.len()))
        .collect();
    let trim_newline = |s: &[u8]| {
        let mut s = s;
        while let Some(rest) = s.strip_suffix(b"\n").or_else(|| s.strip_suffix(b"\r")) {
            s = rest;
        }
        String::from_utf8_lossy(s).into_owned()
    };
    let header_text = trim_newline(&bytes[*header_start..ends[0]]);

    let mut rows = Vec::new();
    for ((start, line, record), end) in rest.iter().zip(ends.iter().skip(1)) {
        if record
            .iter()
            .all(|cell| cell.iter().all(u8::is_ascii_whitespace))
        {
            continue;
        }
        let mut row = Row {
            locator: format!("line {line}"),
            line_note: None,
            cells: Vec::new(),
            problems: Vec::new(),
            original: format!("{header_text}\n{}", trim_newline(&bytes[*start..*end])),
        };
        if record.len() != columns.len() {
            row.problems.push(format!(
                "the row has {} cells where the header has {} columns (a `{}` inside a value \
                 needs the value in double quotes)",
                record.len(),
                columns.len(),
                delimiter as char
            ));
        }
        for (cell, column) in record.iter().zip(&columns) {
            match std::str::from_utf8(cell) {
                Ok(text) if text.trim().is_empty() => {}
                Ok(text) => row
                    .cells
                    .push((*column, Cell::Text(text.trim().to_owned()))),
                Err(_) => row.problems.push(format!(
                    "{}: not valid UTF-8 (save the file as UTF-8)",
                    COLUMNS[*column]
                )),
            }
        }
        rows.push(row);
    }
    Ok(rows)
}

fn json_rows(bytes: &[u8], file_name: &str) -> Result<Vec<Row>, SourceError> {
    let mut reader = Reader::new(bytes);
    let mut rows = Vec::new();
    while let Some(next) = reader.next_object() {
        let raw = next.map_err(|e| SourceError::Format {
            file: file_name.to_owned(),
            message: format!("not the template's JSON (an array of objects): {e}"),
        })?;
        let line = raw.start.line;
        let mut row = Row {
            locator: if raw.pointer.is_empty() {
                format!("line {line}")
            } else {
                raw.pointer.clone()
            },
            line_note: Some(format!("line {line}: ")),
            cells: Vec::new(),
            problems: Vec::new(),
            original: String::from_utf8_lossy(&raw.bytes).into_owned(),
        };
        match raw.parse() {
            Err(e) => row.problems.push(format!("not readable: {e}")),
            Ok(map) => {
                for (key, value) in &map {
                    let name = normalise_column(key);
                    let Some(column) = column_index(&name) else {
                        row.problems.push(unknown_column_message(key));
                        continue;
                    };
                    let cell = match value {
                        Value::Null => continue,
                        Value::String(s) if s.trim().is_empty() => continue,
                        Value::String(s) => Cell::Text(s.trim().to_owned()),
                        Value::Number(n) => Cell::Text(n.to_string()),
                        Value::Array(items) if LISTS.contains(&COLUMNS[column]) => {
                            match items.iter().map(Value::as_str).collect::<Option<Vec<_>>>() {
                                Some(items) => {
                                    Cell::List(items.into_iter().map(str::to_owned).collect())
                                }
                                None => {
                                    row.problems
                                        .push(format!("{name}: a list must hold texts only"));
                                    continue;
                                }
                            }
                        }
                        _ => {
                            row.problems.push(format!(
                                "{name}: expected text{}",
                                if LISTS.contains(&COLUMNS[column]) {
                                    " or a list of texts"
                                } else {
                                    ""
                                }
                            ));
                            continue;
                        }
                    };
                    row.cells.push((column, cell));
                }
            }
        }
        rows.push(row);
    }
    Ok(rows)
}

/// A template date, or why it is not one.
fn template_date(row: &Row, column: &str) -> Result<Option<FuzzyDate>, String> {
    let Some(text) = row.text(column) else {
        return Ok(None);
    };
    let well_formed = text.len() >= 4
        && text.len() <= 10
        && text.bytes().all(|b| b.is_ascii_digit() || b == b'-');
    match FuzzyDate::parse_iso(text).filter(|_| well_formed) {
        Some(date) => Ok(Some(date)),
        None => Err(format!(
            "{column}: `{text}` is not a date (write YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2024-03-15)"
        )),
    }
}

/// `a` and `b` at the coarser of their precisions, so that 2024 and 2024-03 compare equal.
fn coarsen(a: FuzzyDate, b: FuzzyDate) -> (FuzzyDate, FuzzyDate) {
    let cut = |d: FuzzyDate, keep_month: bool, keep_day: bool| FuzzyDate {
        year: d.year,
        month: d.month.filter(|_| keep_month),
        day: d.day.filter(|_| keep_day),
    };
    let keep_month = a.month.is_some() && b.month.is_some();
    let keep_day = a.day.is_some() && b.day.is_some();
    (cut(a, keep_month, keep_day), cut(b, keep_month, keep_day))
}

fn row_report(
    row: &Row,
    provenance: Provenance,
    contributor: &Contributor,
    declared_tlp: Option<Tlp>,
) -> Result<(Report, Vec<String>), Vec<String>> {
    let mut problems = row.problems.clone();
    let mut notes = Vec::new();
    for column in REQUIRED {
        if row.text(column).is_none() {
            problems.push(match column {
                "tlp" => "tlp: missing; every report needs its release level (CLEAR, GREEN, \
                          AMBER, AMBER+STRICT or RED), which is never guessed"
                    .to_owned(),
                _ => format!("{column}: missing (required)"),
            });
        }
    }
    let mut date = |column: &str| {
        template_date(row, column).unwrap_or_else(|e| {
            problems.push(e);
            None
        })
    };
    let start = date("occurred_start");
    let end = date("occurred_end");
    let disclosed = date("disclosed");
    let attributed_on = date("attributed_on");
    if let (Some(s), Some(e)) = (start, end) {
        let (s, e) = coarsen(s, e);
        if e < s {
            problems.push(format!(
                "occurred_end: {} is before occurred_start {}",
                end.map(|d| d.to_string()).unwrap_or_default(),
                start.map(|d| d.to_string()).unwrap_or_default()
            ));
        }
    }
    let tlp = row.text("tlp").and_then(|t| match t.parse::<Tlp>() {
        Ok(level) => Some(level),
        Err(e) => {
            problems.push(format!("tlp: {e}"));
            None
        }
    });
    let credibility = row.text("credibility").and_then(|c| {
        match c.parse::<u8>().ok().filter(|c| (1..=6).contains(c)) {
            Some(c) => Some(c),
            None => {
                problems.push(format!(
                    "credibility: `{c}` is not 1 (confirmed) to 6 (cannot be judged)"
                ));
                None
            }
        }
    });
    let urls = row.items("urls");
    for url in &urls {
        if !(url.starts_with("https://") || url.starts_with("http://")) || url.contains(' ') {
            problems.push(format!(
                "urls: `{url}` is not a web address (start it with https://; separate several \
                 with `;`)"
            ));
        }
    }
    let actor_name = row.text("actor");
    for column in [
        "actor_country",
        "actor_category",
        "attributed_by",
        "attribution_basis",
        "attributed_on",
    ] {
        if row.text(column).is_some() && actor_name.is_none() {
            problems.push(format!("{column}: given without `actor`"));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }

    let mut country = |column: &str| {
        let given = row.text(column)?;
        let code = alpha3(given);
        if code.is_none() {
            notes.push(format!(
                "{column}: `{given}` is not a recognised country: kept as written, without an ISO code"
            ));
        }
        Some((code, given.to_owned()))
    };
    let victim_country = country("victim_country");
    let actor_country = country("actor_country");

    let sectors = row.items("victim_sector");
    let victim_name = row.text("victim_name").map(str::to_owned);
    let victims = if victim_name.is_none() && victim_country.is_none() && sectors.is_empty() {
        Vec::new()
    } else {
        vec![Victim {
            name: victim_name,
            country: victim_country.as_ref().and_then(|(code, _)| code.clone()),
            country_as_given: victim_country.map(|(_, given)| given),
            sectors,
        }]
    };
    let actors: Vec<Actor> = actor_name
        .map(|name| Actor {
            name: name.to_owned(),
            aliases: Vec::new(),
            country: actor_country.and_then(|(code, _)| code),
            category: row.text("actor_category").map(str::to_owned),
        })
        .into_iter()
        .collect();
    let attributed_by = row.text("attributed_by");
    let basis = row.text("attribution_basis");
    let claimed = attributed_by.is_some() || basis.is_some() || attributed_on.is_some();
    let attributions = match (actors.first(), claimed) {
        (Some(actor), true) => vec![Attribution {
            actor: actor.clone(),
            attributed_by: attributed_by.map(str::to_owned),
            attributor_kind: attributed_by.map_or(AttributorKind::Unknown, |by| {
                attributor_kind_from(&[by]).unwrap_or_else(|| {
                    if by == contributor.name {
                        kind_of_contributor(contributor.type_)
                    } else {
                        AttributorKind::Unknown
                    }
                })
            }),
            basis: basis.map(str::to_owned),
            date: attributed_on,
            confidence: None,
            state_responsibility: None,
        }],
        _ => Vec::new(),
    };
    let start = start.ok_or_else(|| vec!["occurred_start: missing (required)".to_owned()])?;
    let tlp = tlp.ok_or_else(|| vec!["tlp: missing".to_owned()])?;

    let report = Report {
        provenance,
        contributor: contributor.clone(),
        source_id: row.text("source_id").map(str::to_owned),
        title: row.text("title").unwrap_or_default().to_owned(),
        description: row.text("description").map(str::to_owned),
        urls,
        occurred: Some(DateSpan {
            start,
            end: end.filter(|e| *e != start),
        }),
        disclosed,
        reported: None,
        victims,
        actors,
        attributions,
        kinds: row.items("kinds"),
        tags: Vec::new(),
        tlp: tlp.max(declared_tlp.unwrap_or(Tlp::Clear)),
        credibility,
        original: row.original.clone(),
    };
    Ok((report, notes))
}

/// The attributor kind of a contributor attributing in its own name.
fn kind_of_contributor(type_: ContributorType) -> AttributorKind {
    match type_ {
        ContributorType::UnSystem => AttributorKind::InternationalOrganisation,
        ContributorType::MemberState => AttributorKind::State,
        ContributorType::PrivateSector => AttributorKind::Company,
        ContributorType::CivilSociety | ContributorType::Academia => AttributorKind::Researcher,
        ContributorType::Media => AttributorKind::Media,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_nearest_column() {
        assert_eq!(suggestion("ocurred_start"), Some("occurred_start"));
        assert_eq!(suggestion("victim_countries"), Some("victim_country"));
        assert_eq!(suggestion("completely_different"), None);
        assert_eq!(normalise_column(" Occurred Start "), "occurred_start");
    }

    #[test]
    fn compares_dates_at_the_coarser_precision() {
        let d = |s| FuzzyDate::parse_iso(s).unwrap();
        let (a, b) = coarsen(d("2024-03-15"), d("2024"));
        assert_eq!(a, b);
        let (a, b) = coarsen(d("2024-03-15"), d("2024-02"));
        assert!(b < a);
    }
}
