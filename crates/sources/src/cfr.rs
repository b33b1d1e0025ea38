//! CFR Cyber Operations Tracker (the CSV compilation `cyber-operations-incidents.csv`, columns
//! `Title, Date, Affiliations, Description, Response, Victims, Sponsor, Type, Category,
//! Sources_1..3`): one [`Report`] per row.
//!
//! What goes where:
//! - `original`: the row as a JSON object of header -> raw cell text, in column order.
//! - `source_id`: CFR rows have no id; `cfr-` and 16 hex digits of a stable hash (FNV-1a) of the
//!   title, the date cell and the affiliations (see [`source_id`]), the same on every read.
//! - `title`, `description`: `Title`, `Description`; `occurred`: `Date` (M/D/YYYY, to the day).
//! - `actors`: each State in `Sponsor` (comma-separated; "Palestine, State of" kept whole) with its
//!   alpha-3 code, category "State", and the groups named in `Affiliations` (see
//!   [`affiliation_actors`]), given the sponsor's country when there is exactly one sponsor.
//! - `attributions`: CFR's own claims: the suspected State sponsor (state responsibility
//!   "suspected state sponsor") and each affiliated group, with the `Affiliations` text verbatim as
//!   the basis; attributed by CFR, a researcher.
//! - `victims`: one victim named by `Victims` (free text, no country), `Category` split at commas
//!   as sectors; `kinds`: `Type`; `urls`: `Sources_1..3` and the URLs inside `Response`;
//!   `tags`: the response words ("response:Criminal charges"), `affiliations:` with the text
//!   verbatim, and `cfr:threat-actor-profile` for rows that describe a threat actor rather than
//!   an operation (their `Affiliations` starts "Also known as").
//!
//! The file lost its curly quotes and some spaces to `?` (and some `??`): text is kept as the
//! source has it. Six rows have their cells shifted left by one or two columns from `Victims`
//! or `Response` on (a `Type` in `Sponsor`, a URL in `Type`); when the shifted cells fit CFR's
//! vocabularies (types, categories, a recognised sponsor), the row is realigned and the repair
//! listed; otherwise it is kept as it is. A row with no usable date is accepted without one and
//! noted; a row with neither title nor description is rejected.

use std::path::Path;

use threatscape_model::{
    Actor, Attribution, AttributorKind, Contributor, ContributorType, DateSpan, Provenance,
    Reliability, Report, Tlp, Victim,
};

use crate::countries::{split_country_list, to_alpha3};
use crate::csv_util::{
    extract_urls, fnv1a64, is_absent, parse_mdy, present, push_unique, text_without_urls,
    title_from, Fixes, Ledger, Row, Table,
};
use crate::{AdapterOutput, SourceError};

/// The provenance format name.
pub const FORMAT: &str = "cfr";

const COLUMNS: &[&str] = &[
    "Title",
    "Date",
    "Affiliations",
    "Description",
    "Response",
    "Victims",
    "Sponsor",
    "Type",
    "Category",
    "Sources_1",
    "Sources_2",
    "Sources_3",
];

/// CFR's operation types.
const TYPES: &[&str] = &[
    "Espionage",
    "Sabotage",
    "Denial of service",
    "Data destruction",
    "Financial Theft",
    "Defacement",
    "Doxing",
];

/// CFR's victim categories (a `Category` cell lists some of them).
const CATEGORIES: &[&str] = &["Government", "Private sector", "Civil society", "Military"];

/// The words CFR's `Response` cells start with.
const RESPONSES: &[&str] = &[
    "Confirmation",
    "Denial",
    "Denouncement",
    "Criminal charges",
    "Sanctions",
    "Unknown",
];

const CFR: &str = "Council on Foreign Relations Cyber Operations Tracker";

/// Who CFR is, as a contributor: a think tank, so civil society.
pub fn contributor() -> Contributor {
    Contributor {
        name: CFR.to_string(),
        type_: ContributorType::CivilSociety,
        reliability: Reliability::B,
    }
}

/// Reads a CFR Cyber Operations Tracker CSV.
pub fn read(path: &Path) -> Result<AdapterOutput, SourceError> {
    let (table, mut rows) = Table::open(path, "CFR Cyber Operations Tracker", COLUMNS)?;
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
        match report(&table, &row, &mut fixes) {
            Ok(r) => ledger.accept(r, fixes),
            Err(reason) => ledger.reject(&table.file, row.line, reason),
        }
    }
    ledger.reject_all(malformed);
    Ok(ledger.finish())
}

/// The cells from `Response` on, realigned when needed.
#[derive(Debug, Default, PartialEq)]
struct Tail {
    response: String,
    victims: String,
    sponsor: String,
    type_: String,
    category: String,
    sources: Vec<String>,
}

fn is_type(cell: &str) -> bool {
    TYPES.iter().any(|t| t.eq_ignore_ascii_case(cell.trim()))
}

fn is_category(cell: &str) -> bool {
    !cell.trim().is_empty()
        && cell
            .split(',')
            .all(|p| CATEGORIES.iter().any(|c| c.eq_ignore_ascii_case(p.trim())))
}

fn is_sponsor(cell: &str) -> bool {
    let parts = split_country_list(cell);
    !parts.is_empty() && parts.iter().all(|p| to_alpha3(p).is_some())
}

fn looks_like_response(cell: &str) -> bool {
    let t = cell.trim();
    t.starts_with("http") || RESPONSES.iter().any(|r| t.starts_with(r))
}

/// Realigns a row whose cells were shifted left from `Victims` (by 1) or from `Response` (by 2),
/// when the shifted cells fit: a type where `Sponsor` (or `Victims`) is, a category or nothing
/// after it, and a recognised sponsor before it. Returns the realigned cells and what was done.
fn realign(c: &[&str; 8]) -> Option<(Tail, String)> {
    let [response, victims, sponsor, type_, category, s1, s2, s3] = *c;
    let fits = |t: &str, cat: &str| {
        is_type(t) && (cat.trim().is_empty() || is_category(cat) || cat.starts_with("http"))
    };
    if is_type(type_) || type_.trim().is_empty() {
        return None;
    }
    if fits(sponsor, type_) {
        // Shifted by one: the real Victims cell was lost or merged into the sponsor's cell.
        let (victims_text, sponsor_text) = if is_sponsor(victims) {
            let v = if looks_like_response(response) {
                ""
            } else {
                response
            };
            (v.to_string(), victims.to_string())
        } else {
            // `"<victims>",<sponsor>"` came out as one cell: split at its last comma.
            let (head, tail) = victims.rsplit_once(',')?;
            let tail = tail.trim().trim_matches('"');
            if !is_sponsor(tail) {
                return None;
            }
            (head.trim().to_string(), tail.to_string())
        };
        let response_text = if looks_like_response(response) {
            response
        } else {
            ""
        };
        return Some((
            Tail {
                response: response_text.to_string(),
                victims: victims_text,
                sponsor: sponsor_text,
                type_: sponsor.to_string(),
                category: if is_category(type_) { type_.to_string() } else { String::new() },
                sources: [category, s1, s2, s3].iter().map(|s| s.to_string()).collect(),
            },
            "cells from `Victims` on were shifted left by one column; realigned (`Sponsor` from `Victims`, `Type` from `Sponsor`, `Category` from `Type`, sources from `Category` on)".to_string(),
        ));
    }
    if fits(victims, sponsor) && is_sponsor(response) {
        return Some((
            Tail {
                response: String::new(),
                victims: String::new(),
                sponsor: response.to_string(),
                type_: victims.to_string(),
                category: if is_category(sponsor) { sponsor.to_string() } else { String::new() },
                sources: [type_, category, s1, s2, s3].iter().map(|s| s.to_string()).collect(),
            },
            "cells from `Response` on were shifted left by two columns; realigned (`Sponsor` from `Response`, `Type` from `Victims`, `Category` from `Sponsor`, sources from `Type` on; the row has no `Response` or `Victims`)".to_string(),
        ));
    }
    None
}

fn report(t: &Table, row: &Row, fixes: &mut Fixes) -> Result<Report, String> {
    let get = |c: &str| t.get(row, c);
    if row.lossy {
        fixes.repaired("invalid UTF-8 replaced by U+FFFD");
    }
    let description = present(get("Description")).map(str::to_string);
    let title = match (present(get("Title")), &description) {
        (Some(title), _) => title.to_string(),
        (None, Some(d)) => {
            fixes.note("`Title` is empty: the title is taken from `Description`");
            title_from(d)
        }
        (None, None) => return Err("the record has neither a `Title` nor a `Description`".into()),
    };

    let cells = [
        get("Response"),
        get("Victims"),
        get("Sponsor"),
        get("Type"),
        get("Category"),
        get("Sources_1"),
        get("Sources_2"),
        get("Sources_3"),
    ];
    let tail = match realign(&cells) {
        Some((tail, message)) => {
            fixes.repaired(message);
            tail
        }
        None => Tail {
            response: cells[0].to_string(),
            victims: cells[1].to_string(),
            sponsor: cells[2].to_string(),
            type_: cells[3].to_string(),
            category: cells[4].to_string(),
            sources: cells[5..].iter().map(|s| s.to_string()).collect(),
        },
    };

    let date_text = get("Date").trim();
    let occurred = match parse_mdy(date_text) {
        Some(d) => Some(DateSpan {
            start: d,
            end: None,
        }),
        None => {
            fixes.note(if date_text.is_empty() {
                "no usable date (`Date` is empty): accepted without a date".to_string()
            } else {
                format!("`Date` `{date_text}` is not M/D/YYYY: accepted without a date")
            });
            None
        }
    };

    let sponsors: Vec<String> = split_country_list(&tail.sponsor)
        .into_iter()
        .filter(|s| !is_absent(s))
        .collect();
    let sole_country = match sponsors.as_slice() {
        [one] => to_alpha3(one).map(str::to_string),
        _ => None,
    };
    let mut actors: Vec<Actor> = sponsors
        .iter()
        .map(|s| Actor {
            name: s.clone(),
            aliases: Vec::new(),
            country: to_alpha3(s).map(str::to_string),
            category: Some("State".to_string()),
        })
        .collect();
    let affiliations = present(get("Affiliations"));
    let mut attributions: Vec<Attribution> = actors
        .iter()
        .map(|a| Attribution {
            actor: a.clone(),
            attributed_by: Some(CFR.to_string()),
            attributor_kind: AttributorKind::Researcher,
            basis: affiliations.map(str::to_string),
            date: None,
            confidence: None,
            state_responsibility: Some("suspected state sponsor".to_string()),
        })
        .collect();
    let mut tags = Vec::new();
    if let Some(text) = affiliations {
        let found = affiliation_actors(text, &title);
        if found.profile {
            tags.push("cfr:threat-actor-profile".to_string());
        }
        for mut actor in found.actors {
            if actor.country.is_none() {
                actor.country.clone_from(&sole_country);
            }
            // "Iran, APT 35", "the Chinese government", "Saudi and Emirati governments": States
            // already listed as the sponsors.
            let is_state = actor.category.as_deref() == Some("State");
            let government = actor.name.to_lowercase().contains("government");
            if is_state
                && ((actor.country.is_some() && actors.iter().any(|a| a.country == actor.country))
                    || (government && !sponsors.is_empty()))
            {
                continue;
            }
            attributions.push(Attribution {
                actor: actor.clone(),
                attributed_by: Some(CFR.to_string()),
                attributor_kind: AttributorKind::Researcher,
                basis: Some(text.to_string()),
                date: None,
                confidence: None,
                state_responsibility: None,
            });
            push_unique(&mut actors, actor);
        }
        tags.push(format!("affiliations:{text}"));
    }

    let mut urls = Vec::new();
    for s in &tail.sources {
        for u in extract_urls(s) {
            push_unique(&mut urls, u);
        }
    }
    for u in extract_urls(&tail.response) {
        push_unique(&mut urls, u);
    }
    let words = text_without_urls(&tail.response);
    if !words.is_empty() {
        tags.push(format!("response:{words}"));
    }

    let sectors: Vec<String> = tail
        .category
        .split(',')
        .filter_map(present)
        .map(str::to_string)
        .collect();
    let victim_name = present(&tail.victims).map(str::to_string);
    let victims = if victim_name.is_some() || !sectors.is_empty() {
        vec![Victim {
            name: victim_name,
            country: None,
            country_as_given: None,
            sectors,
        }]
    } else {
        Vec::new()
    };
    let kinds = present(&tail.type_)
        .map(|k| vec![k.to_string()])
        .unwrap_or_default();

    Ok(Report {
        provenance: Provenance {
            format: FORMAT.to_string(),
            file: t.file.clone(),
            locator: format!("line {}", row.line),
        },
        contributor: contributor(),
        source_id: Some(source_id(get("Title"), date_text, get("Affiliations"))),
        title,
        description,
        urls,
        occurred,
        disclosed: None,
        reported: None,
        victims,
        actors,
        attributions,
        kinds,
        tags,
        tlp: Tlp::Clear,
        credibility: None,
        original: t.original(row),
    })
}

/// The id of a CFR row: `cfr-` and the FNV-1a hash of its title, date and affiliations cells
/// (trimmed, joined by a unit separator), in 16 hex digits. The affiliations tell apart the two
/// pairs of operations CFR lists under one title and date (Roshan 9/28/2021: RedFoxTrot and
/// Calypso; Southeast Asian telecoms 8/3/2021: Naikon and Soft Cell).
pub fn source_id(title: &str, date: &str, affiliations: &str) -> String {
    let key = format!(
        "{}\u{1f}{}\u{1f}{}",
        title.trim(),
        date.trim(),
        affiliations.trim()
    );
    format!("cfr-{:016x}", fnv1a64(key.as_bytes()))
}

/// The actors named in an `Affiliations` cell, and whether the row profiles a threat actor.
#[derive(Debug, Default, PartialEq)]
pub struct AffiliationActors {
    /// The actors, in the order named.
    pub actors: Vec<Actor>,
    /// The row describes a threat actor (its title), not an operation.
    pub profile: bool,
}

/// Phrases after which the rest of the sentence names who did it.
const WORK_OF: &[&str] = &[
    "this incident is believed to be the work of ",
    "this tool is believed to be the work of ",
    "believed to be the work of ",
    "suspected to be the work of ",
    "believed to have been partially the work of ",
    "believed to be partially the work of ",
    "possibly attributed to ",
    "believed to be ",
];

/// Sentences that only link the operation to an actor (shared tools, related groups, "possibly
/// linked to"): they name no perpetrator, and nothing is taken from them.
const LINK_ONLY: &[&str] = &[
    "possibly",
    "possible link",
    "believed to be linked",
    "believed to be associated",
    "believed to be connected",
    "believed to be closely linked",
    "believed to be based",
    "believed to be responsible",
    "believed to be behind",
    "believed to be a tool",
    "believed to use",
    "believed to share",
    "linked to",
    "associated with",
    "uses similar",
    "used an evolution",
    "has links",
    "related to",
    "same state sponsor",
    "a variant of",
    "note:",
    "codenamed",
    "this threat actor",
    "this is believed",
    "suspected to be linked",
];

/// What follows "Believed to be" when the sentence links rather than attributes.
const NOT_A_NAME: &[&str] = &[
    "linked",
    "associated",
    "connected",
    "closely",
    "responsible",
    "behind",
    "based",
    "a tool",
    "a part",
    "related",
    "possibly",
];

/// Reads the actor names in CFR's free-text `Affiliations`, conservatively:
///
/// - "Believed (or Suspected) to be the work of X", "Possibly attributed to X", "Believed to be X":
///   X, where X may be a list ("APT 10 or the Jiangsu Province Ministry of State Security") and
///   may carry ", also known as A, B and C" (aliases of the last name);
/// - "Also known as A, B" (the row profiles the threat actor named by its title) and
///   "X is also known as A, B": X (or the title) with those aliases;
/// - a bare list of names ("Fancy Bear, APT 28", "TA428, Wekby, Dynamite Panda"): each name;
/// - sentences that only link the operation to others ("Possibly linked to Sandworm", "Believed
///   to use similar tools as DragonOK", "Associated with Turla"): nothing.
///
/// A name must start with a capital or a digit and have at most six words, so descriptions
/// ("partner agencies in several unknown countries") are not taken for names. Country names
/// become State actors with their code; a government ("the Chinese government", "Government of
/// China") is a State actor named as written. `?`, which replaces lost characters in this file,
/// is read as a space.
pub fn affiliation_actors(text: &str, title: &str) -> AffiliationActors {
    let clean = text.replace(['?', '\n', '\u{a0}'], " ");
    let clean = clean.split_whitespace().collect::<Vec<_>>().join(" ");
    let sentences = split_sentences(&clean);
    let mut out = AffiliationActors::default();
    let Some(first) = sentences.first() else {
        return out;
    };
    let lower = first.to_lowercase();

    // Threat-actor profiles.
    if let Some(rest) = strip_prefix_ci(first, "also known as ") {
        out.profile = true;
        let mut aliases = leading_names(rest);
        for s in &sentences[1..] {
            if let Some(more) = strip_prefix_ci(s, "also known as ") {
                aliases.extend(leading_names(more));
            }
        }
        // The aliases of the row's subject: a threat actor when the title is a name; an operation
        // ("Unresponsive computer networks in South Korea", also known as "Dark Seoul") otherwise.
        let name = title.trim().to_string();
        if is_name(&name) {
            aliases.retain(|a| !a.eq_ignore_ascii_case(&name));
            out.actors.push(group(name, aliases));
        } else {
            out.profile = false;
        }
        return out;
    }
    if let Some(pos) = lower.find(" is also known as ") {
        let name = first[..pos].trim();
        let aliases = leading_names(&first[pos + " is also known as ".len()..]);
        if is_name(name) {
            out.profile = name.eq_ignore_ascii_case(title.trim());
            out.actors.push(group(name.to_string(), aliases));
        }
        return out;
    }

    let rest = WORK_OF
        .iter()
        .find_map(|p| strip_prefix_ci(first, p))
        .or_else(|| (!LINK_ONLY.iter().any(|p| lower.starts_with(p))).then_some(first.as_str()));
    let Some(rest) = rest else { return out };
    let rest_lower = rest.to_lowercase();
    if NOT_A_NAME.iter().any(|p| rest_lower.starts_with(p)) {
        return out;
    }
    // "X, also known as A and B": aliases of X.
    let (names_part, aliases) = match rest_lower.find("also known as ") {
        Some(pos) => (
            rest[..pos].trim_end_matches([',', ' ']),
            leading_names(&rest[pos + "also known as ".len()..]),
        ),
        None => (rest, Vec::new()),
    };
    // Remarks after the names ("PLA Unit 61398 with possible assistance from ...").
    let cut = [" with ", " according to ", ", including ", " including "]
        .iter()
        .filter_map(|m| names_part.find(m))
        .min()
        .unwrap_or(names_part.len());
    let names_part = names_part[..cut].trim();
    if names_part.to_lowercase().contains("government") {
        // "the government of the Russian Federation", "Saudi and Emirati governments": the State.
        let name = names_part.trim_end_matches(['.', ';', ':']).trim();
        let name = name.strip_prefix("the ").unwrap_or(name);
        out.actors.push(Actor {
            country: government_country(name).or_else(|| to_alpha3(name).map(str::to_string)),
            name: name.to_string(),
            aliases,
            category: Some("State".to_string()),
        });
        return out;
    }
    let names = names_in(names_part);
    let count = names.len();
    for (i, name) in names.into_iter().enumerate() {
        let aliases = if i + 1 == count {
            aliases.clone()
        } else {
            Vec::new()
        };
        match (name.len() > 3).then(|| to_alpha3(&name)).flatten() {
            Some(code) => out.actors.push(Actor {
                name,
                aliases,
                country: Some(code.to_string()),
                category: Some("State".to_string()),
            }),
            None => out.actors.push(group(name, aliases)),
        }
    }
    out
}

fn group(name: String, aliases: Vec<String>) -> Actor {
    Actor {
        name,
        aliases,
        country: None,
        category: None,
    }
}

/// The country in "Government of X" / "the government of the X", when recognised.
fn government_country(name: &str) -> Option<String> {
    let lower = name.to_lowercase();
    let pos = lower.find("government of ")?;
    to_alpha3(&name[pos + "government of ".len()..]).map(str::to_string)
}

fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    (text.len() >= prefix.len()
        && text.is_char_boundary(prefix.len())
        && text[..prefix.len()].eq_ignore_ascii_case(prefix))
    .then(|| &text[prefix.len()..])
}

/// Sentences end at `. ` or `; ` before a capital, unless the word before the period is an
/// abbreviation with its own period ("U.S. Cyber Command", "TEMP.Zagros").
fn split_sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    let b = text.as_bytes();
    for i in 0..b.len() {
        if (b[i] == b'.' || b[i] == b';')
            && b.get(i + 1) == Some(&b' ')
            && b.get(i + 2).is_some_and(|c| c.is_ascii_uppercase())
        {
            let word_start = text[..i].rfind(' ').map(|p| p + 1).unwrap_or(0);
            if b[i] == b'.' && text[word_start..i].contains('.') {
                continue;
            }
            out.push(text[start..i].trim().to_string());
            start = i + 1;
        }
    }
    let last = text[start..].trim().trim_end_matches('.').trim();
    if !last.is_empty() {
        out.push(last.to_string());
    }
    out
}

/// The parts of a list: split at `,`, `;`, ` and `, ` or `, `/`; each trimmed of a leading
/// "and"/"or"/"the"/"a"/"suspected" and of trailing punctuation.
fn list_parts(list: &str) -> Vec<String> {
    let normalised = list
        .replace(" and ", ",")
        .replace(" or ", ",")
        .replace(['/', ';'], ",");
    normalised
        .split(',')
        .map(|part| {
            let mut p = part.trim().trim_end_matches(['.', ':']).trim();
            for lead in ["and ", "or ", "the ", "a ", "an ", "suspected "] {
                if let Some(r) = p.strip_prefix(lead) {
                    p = r.trim();
                }
            }
            p.to_string()
        })
        .filter(|p| !p.is_empty())
        .collect()
}

/// The names in a list ([`is_name`] parts, absent words left out).
fn names_in(list: &str) -> Vec<String> {
    let mut out = Vec::new();
    for p in list_parts(list) {
        if is_name(&p) && !is_absent(&p) {
            push_unique(&mut out, p);
        }
    }
    out
}

/// The names at the start of a list, up to the first part that is not a name (an alias list
/// ends where the remarks begin: "Manganese, and several other threat groups").
fn leading_names(list: &str) -> Vec<String> {
    let mut out = Vec::new();
    for p in list_parts(list) {
        if !is_name(&p) || is_absent(&p) {
            break;
        }
        push_unique(&mut out, p);
    }
    out
}

/// A plausible actor name: at most six words, each starting with a capital, a digit or a
/// bracket, except the connectors "of", "the", "and", "de", "for".
fn is_name(text: &str) -> bool {
    let words: Vec<&str> = text.split_whitespace().collect();
    !words.is_empty()
        && words.len() <= 6
        && words.first().is_some_and(|w| !CONNECTORS.contains(w))
        && words.iter().all(|w| {
            CONNECTORS.contains(w)
                || w.chars()
                    .next()
                    .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit() || !c.is_alphabetic())
        })
}

const CONNECTORS: &[&str] = &["of", "the", "and", "de", "for"];

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<String> {
        affiliation_actors(text, "Title")
            .actors
            .into_iter()
            .map(|a| a.name)
            .collect()
    }

    #[test]
    fn work_of_phrases_name_the_actor() {
        assert_eq!(names("Believed to be the work of APT 28"), vec!["APT 28"]);
        assert_eq!(names("Believed to be the work of?APT 28"), vec!["APT 28"]);
        assert_eq!(
            names("Believed to be the work of the Lazarus Group."),
            vec!["Lazarus Group"]
        );
        assert_eq!(
            names("Believed to be the work of APT 10 or the Jiangsu Province Ministry of State Security."),
            vec!["APT 10", "Jiangsu Province Ministry of State Security"]
        );
        let a = affiliation_actors(
            "Believed to be the work of Strontium, also known as APT 28 and Fancy Bear.",
            "x",
        );
        assert_eq!(a.actors[0].name, "Strontium");
        assert_eq!(a.actors[0].aliases, vec!["APT 28", "Fancy Bear"]);
        assert_eq!(
            names("Believed to be the work of Russia's government"),
            vec!["Russia's government"]
        );
        assert_eq!(
            names("Suspected to be the work of the Dukes.?"),
            vec!["Dukes"]
        );
        assert_eq!(names("Believed to be Lazarus Group"), vec!["Lazarus Group"]);
    }

    #[test]
    fn name_lists_are_split() {
        assert_eq!(names("Fancy Bear, APT 28"), vec!["Fancy Bear", "APT 28"]);
        assert_eq!(names("Cozy Bear,?APT 29"), vec!["Cozy Bear", "APT 29"]);
        assert_eq!(
            names("APT 17 and Bronze Butler"),
            vec!["APT 17", "Bronze Butler"]
        );
        assert_eq!(names("Tonto Team or TA428"), vec!["Tonto Team", "TA428"]);
        assert_eq!(names("UNC1151?"), vec!["UNC1151"]);
        assert_eq!(
            names("Unknown, suspected Bronze Butler."),
            vec!["Bronze Butler"]
        );
        assert_eq!(
            names(
                "NSA, U.S. Cyber Command, FBI, and partner agencies in several unknown countries.?"
            ),
            vec!["NSA", "U.S. Cyber Command", "FBI"]
        );
        let a = affiliation_actors("Iran, APT 35", "x");
        assert_eq!(a.actors[0].country.as_deref(), Some("IRN"));
        assert_eq!(a.actors[1].name, "APT 35");
    }

    #[test]
    fn links_are_not_attributions() {
        assert!(names("Possibly linked to Sandworm.").is_empty());
        assert!(names("Possible link to Sandworm.").is_empty());
        assert!(names("Used an evolution of the tools used by Sandworm.").is_empty());
        assert!(names("Believed to use similar tools as DragonOK").is_empty());
        assert!(names("Associated with Turla").is_empty());
        assert!(names("Believed to be associated with the Lazarus Group").is_empty());
        assert!(names("Same state sponsor as the 2016 breach").is_empty());
        assert!(names("").is_empty());
    }

    #[test]
    fn profiles_name_the_title() {
        let a = affiliation_actors("Also known as Dynamite Panda, TG-0416, and TA428", "APT 18");
        assert!(a.profile);
        assert_eq!(a.actors[0].name, "APT 18");
        assert_eq!(
            a.actors[0].aliases,
            vec!["Dynamite Panda", "TG-0416", "TA428"]
        );
        let a = affiliation_actors(
            "Turla is also known as Snake, Venomous Bear, Uroburos, Group 88, Waterbug, and Turla Team. Estonian intelligence services?associate this group with the FSB.",
            "Turla",
        );
        assert!(a.profile);
        assert_eq!(a.actors[0].name, "Turla");
        assert_eq!(a.actors[0].aliases.len(), 6);
        let a = affiliation_actors(
            "Also known as Bronze President and?HoneyMyte.?Also known as RedDelta.",
            "Mustang Panda",
        );
        assert_eq!(
            a.actors[0].aliases,
            vec!["Bronze President", "HoneyMyte", "RedDelta"]
        );
    }

    #[test]
    fn shifted_rows_are_realigned() {
        // Shifted by two (no Response, no Victims).
        let cells = [
            "Pakistan",
            "Espionage",
            "Government, Military",
            "https://a.example/1",
            "https://b.example/2",
            "",
            "",
            "",
        ];
        let (tail, _) = realign(&cells).unwrap();
        assert_eq!(tail.sponsor, "Pakistan");
        assert_eq!(tail.type_, "Espionage");
        assert_eq!(tail.category, "Government, Military");
        assert!(tail.victims.is_empty());
        // Shifted by one, victims and sponsor merged in one cell.
        let cells = [
            "",
            "??he highest institutions of state power in Ukraine??,Russian Federation\"",
            "Espionage",
            "Government",
            "https://a.example/1",
            "https://b.example/2",
            "",
            "",
        ];
        let (tail, _) = realign(&cells).unwrap();
        assert_eq!(tail.sponsor, "Russian Federation");
        assert_eq!(
            tail.victims,
            "??he highest institutions of state power in Ukraine??"
        );
        // Shifted by one, victims in Response.
        let cells = [
            "Norwegian politicians",
            "Russian Federation",
            "Espionage",
            "Government",
            "https://a.example/1",
            "",
            "",
            "",
        ];
        let (tail, _) = realign(&cells).unwrap();
        assert_eq!(tail.victims, "Norwegian politicians");
        assert_eq!(tail.response, "");
        // A normal row is left alone.
        let cells = [
            "",
            "Banks",
            "China",
            "Espionage",
            "Private sector",
            "https://a.example",
            "",
            "",
        ];
        assert!(realign(&cells).is_none());
    }

    #[test]
    fn ids_are_stable() {
        assert_eq!(
            source_id("NotPetya", "7/1/2017", "x"),
            source_id(" NotPetya ", "7/1/2017", "x ")
        );
        assert_ne!(
            source_id("NotPetya", "7/1/2017", ""),
            source_id("NotPetya", "7/2/2017", "")
        );
        assert_ne!(
            source_id("a", "b", "RedFoxTrot"),
            source_id("a", "b", "Calypso")
        );
        assert!(source_id("a", "b", "").starts_with("cfr-"));
    }
}
