//! EuRepoC Global Database (CSV, version 1.1): one [`Report`] per incident row.
//!
//! The database comes as three tables: the incidents (`EuRepoC_Global_Database_1.1.csv`, one row
//! per incident, 81 columns), and two long tables joined on the incident ID: attributions
//! (`EuRepoC_Attribution_dataset_1.1.csv`, one row per attribution claim x attributed initiator x
//! category) and receivers (`EuRepoC_Receiver_dataset_1.1.csv`, one row per receiver x category).
//! [`read`] finds the two side tables beside the incident file by name; [`read_with_tables`] takes
//! them explicitly. Without the attribution table a report has no attributions; without a
//! receiver row for an incident its victims come from the incident row's own list cells.
//!
//! What goes where:
//! - `original`: the incident row, as a JSON object of header -> raw cell text, in column order
//!   (the row already carries the attribution and receiver cells in aggregated form).
//! - `source_id`: `ID`; `title`: `name`; `description`: `description`; `urls`: `sources_url` and
//!   `sources_attribution`; `kinds`: `incident_type` split at `;`.
//! - `occurred`: `start_date` .. `end_date`. EuRepoC writes an unknown day as `01` and an unknown
//!   month and day as `01-01` (a quarter of start dates are `YYYY-01-01`, over half `YYYY-MM-01`),
//!   so those read as month and year precision; an end before the start is left out with a note.
//! - `victims`: the receiver rows grouped by (country, name), categories and subcategories as
//!   sectors; `actors`: the `initiator_*` list cells, index by index; `attributions`: one per
//!   distinct attribution row; `tags`: receiver regions, MITRE ATT&CK initial access and impact,
//!   HIIK conflict names, conflict issues, disclosure source, state-responsibility indicator.
//!
//! Multi-valued cells are Python list literals (`"[['Armenia'], ['Azerbaijan']]"`), parsed by
//! [`crate::csv_util::parse_py_literal`]; `Not available`, `Unknown` and empty values are absent.
//! A record is rejected only when it has neither a name nor a description; a record without a
//! usable date is accepted with `occurred: None` and a note in `repairs`.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use threatscape_model::{
    Actor, Attribution, AttributorKind, Contributor, ContributorType, Provenance, Reliability,
    Report, Tlp, Victim,
};

use crate::countries::to_alpha3;
use crate::csv_util::{
    cell_strings, date_span, extract_urls, is_absent, parse_iso_placeholder, parse_py_literal,
    present, push_unique, split_aliases, title_from, Fixes, Ledger, PyLiteral, Row, Table,
    UNNAMED_ACTOR,
};
use crate::{AdapterOutput, SourceError};

/// The provenance format name.
pub const FORMAT: &str = "eurepoc";

const MAIN_COLUMNS: &[&str] = &[
    "ID",
    "name",
    "description",
    "start_date",
    "end_date",
    "incident_type",
    "receiver_name",
    "receiver_country",
    "receiver_category",
    "receiver_category_subcode",
    "initiator_name",
    "initiator_country",
    "initiator_category",
    "sources_url",
];

const ATTRIBUTION_COLUMNS: &[&str] = &[
    "incident_ID",
    "attribution_date",
    "attribution_type",
    "attribution_basis",
    "attributing_actor",
    "attribution_it_company",
    "attributing_country",
    "attributed_initiator",
    "attributed_initiator_country",
    "attributed_initiator_category",
];

const RECEIVER_COLUMNS: &[&str] = &[
    "ID",
    "receiver_country",
    "receiver_region",
    "receiver_name",
    "receiver_category",
    "receiver_category_subcode",
];

/// Who EuRepoC is, as a contributor.
pub fn contributor() -> Contributor {
    Contributor {
        name: "EuRepoC".to_string(),
        type_: ContributorType::Academia,
        reliability: Reliability::B,
    }
}

/// Reads an EuRepoC Global Database CSV, joining the attribution and receiver tables found beside
/// it (see [`side_tables`]).
pub fn read(path: &Path) -> Result<AdapterOutput, SourceError> {
    let (attribution, receiver) = side_tables(path);
    read_with_tables(path, attribution.as_deref(), receiver.as_deref())
}

/// The attribution and receiver tables beside an incident file, by EuRepoC's naming
/// (`..._Global_Database_1.1.csv` -> `..._Attribution_dataset_1.1.csv`,
/// `..._Receiver_dataset_1.1.csv`), when they exist.
pub fn side_tables(path: &Path) -> (Option<PathBuf>, Option<PathBuf>) {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return (None, None);
    };
    let sibling = |part: &str| {
        name.contains("Global_Database")
            .then(|| path.with_file_name(name.replace("Global_Database", part)))
            .filter(|p| p.is_file())
    };
    (sibling("Attribution_dataset"), sibling("Receiver_dataset"))
}

/// Reads an EuRepoC incident CSV with the given attribution and receiver tables.
///
/// A side-table row whose incident ID is not in the incident file is counted as read and
/// rejected (naming the side table and its line), so nothing in the side tables goes unaccounted.
pub fn read_with_tables(
    path: &Path,
    attribution: Option<&Path>,
    receiver: Option<&Path>,
) -> Result<AdapterOutput, SourceError> {
    // The incident file is streamed twice: once for its IDs (what the side tables are joined
    // to), once for its rows; only the side tables, a fraction of its size, are held.
    let (main, mut first_pass) = Table::open(path, "EuRepoC Global Database", MAIN_COLUMNS)?;
    let mut id_set: HashSet<String> = HashSet::new();
    while let Some(row) = first_pass.next_row(&main)? {
        if let Ok(row) = row {
            let id = main.get(&row, "ID").trim();
            if !id.is_empty() {
                id_set.insert(id.to_string());
            }
        }
    }
    drop(first_pass);
    let attribution = attribution
        .map(|p| Table::read(p, "EuRepoC attribution table", ATTRIBUTION_COLUMNS))
        .transpose()?;
    let receiver = receiver
        .map(|p| Table::read(p, "EuRepoC receiver table", RECEIVER_COLUMNS))
        .transpose()?;

    let mut ledger = Ledger::new();
    let ids: HashSet<&str> = id_set.iter().map(String::as_str).collect();
    let attributions = join(
        attribution.as_ref(),
        "incident_ID",
        &ids,
        &main.file,
        &mut ledger,
    );
    let receivers = join(receiver.as_ref(), "ID", &ids, &main.file, &mut ledger);

    let (_, mut rows) = Table::open(path, "EuRepoC Global Database", MAIN_COLUMNS)?;
    let mut main_malformed = Vec::new();
    let mut first_line: HashMap<String, u64> = HashMap::new();
    while let Some(row) = rows.next_row(&main)? {
        let row = match row {
            Ok(row) => row,
            Err(issue) => {
                main_malformed.push(issue);
                continue;
            }
        };
        let row = &row;
        let id = main.get(row, "ID").trim();
        let mut fixes = Fixes::default();
        if !id.is_empty() {
            if let Some(first) = first_line.get(id) {
                fixes.note(format!("ID {id} is repeated (first at line {first})"));
            } else {
                first_line.insert(id.to_string(), row.line);
            }
        }
        let side = |map: &HashMap<String, Vec<usize>>| map.get(id).cloned().unwrap_or_default();
        match report(
            &main,
            row,
            attribution.as_ref().map(|t| (t, side(&attributions))),
            receiver.as_ref().map(|t| (t, side(&receivers))),
            &mut fixes,
        ) {
            Ok(report) => ledger.accept(report, fixes),
            Err(reason) => ledger.reject(&main.file, row.line, reason),
        }
    }
    // Malformed rows of every table: counted as read and rejected.
    let mut malformed = main_malformed;
    if let Some(t) = attribution {
        malformed.extend(t.malformed);
    }
    if let Some(t) = receiver {
        malformed.extend(t.malformed);
    }
    ledger.reject_all(malformed);
    Ok(ledger.finish())
}

/// Groups a side table's rows by incident ID (row indexes); rows naming an unknown incident are
/// rejected.
fn join(
    table: Option<&Table>,
    id_col: &str,
    ids: &HashSet<&str>,
    main_file: &str,
    ledger: &mut Ledger,
) -> HashMap<String, Vec<usize>> {
    let mut map: HashMap<String, Vec<usize>> = HashMap::new();
    let Some(table) = table else { return map };
    for (i, row) in table.rows.iter().enumerate() {
        let id = table.get(row, id_col).trim();
        if ids.contains(id) {
            map.entry(id.to_string()).or_default().push(i);
        } else {
            ledger.reject(
                &table.file,
                row.line,
                format!(
                    "`{id_col}` `{id}` names no incident of {main_file}: the row cannot be joined"
                ),
            );
        }
    }
    map
}

fn report(
    t: &Table,
    row: &Row,
    attribution: Option<(&Table, Vec<usize>)>,
    receiver: Option<(&Table, Vec<usize>)>,
    fixes: &mut Fixes,
) -> Result<Report, String> {
    let get = |c: &str| t.get(row, c);
    if row.lossy {
        fixes.repaired("invalid UTF-8 replaced by U+FFFD");
    }
    let description = present(get("description")).map(str::to_string);
    let title = match present(get("name")) {
        Some(name) => name.to_string(),
        None => match &description {
            Some(d) => {
                fixes.note("`name` is empty: the title is taken from `description`");
                title_from(d)
            }
            None => return Err("the record has neither a `name` nor a `description`".into()),
        },
    };

    let start = date_cell(get("start_date"), "start_date", fixes);
    let end = date_cell(get("end_date"), "end_date", fixes);
    let occurred = date_span(start, end, "start_date", "end_date", fixes);
    if occurred.is_none() {
        fixes.note("no usable date (`start_date` and `end_date` empty): accepted without a date");
    }

    let mut tags = Vec::new();
    let victims = match receiver {
        Some((rt, rows)) if !rows.is_empty() => {
            receiver_victims(rt, rows.iter().map(|&i| &rt.rows[i]), &mut tags)
        }
        _ => list_victims(t, row, &mut tags),
    };
    let actors = initiators(t, row);
    let attributions = match attribution {
        Some((at, rows)) => {
            let mut out = Vec::new();
            for &i in &rows {
                if let Some(a) = attribution_of(at, &at.rows[i]) {
                    push_unique(&mut out, a);
                }
            }
            out
        }
        None => Vec::new(),
    };

    let mut urls = Vec::new();
    for col in ["sources_url", "sources_attribution"] {
        for item in cell_strings(get(col)) {
            for url in extract_urls(&item) {
                push_unique(&mut urls, url);
            }
        }
    }
    let kinds = split_semicolons(get("incident_type"));
    for (col, prefix) in [
        ("MITRE_initial_access", "mitre-initial-access"),
        ("MITRE_impact", "mitre-impact"),
        ("offline_conflict_name_HIIK", "conflict"),
        ("cyber_conflict_issue", "cyber-conflict-issue"),
        ("source_incident_detection_disclosure", "disclosure"),
        ("state_responsibility_indicator", "state-responsibility"),
    ] {
        for v in split_semicolons(get(col)) {
            push_unique(&mut tags, format!("{prefix}:{v}"));
        }
    }

    Ok(Report {
        provenance: Provenance {
            format: FORMAT.to_string(),
            file: t.file.clone(),
            locator: format!("line {}", row.line),
        },
        contributor: contributor(),
        source_id: present(get("ID")).map(str::to_string),
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

fn date_cell(cell: &str, col: &str, fixes: &mut Fixes) -> Option<threatscape_model::FuzzyDate> {
    let text = cell.trim();
    if text.is_empty() {
        return None;
    }
    let d = parse_iso_placeholder(text, true);
    if d.is_none() {
        fixes.note(format!("`{col}` `{text}` is not a date: left out"));
    }
    d
}

/// A `;`-separated cell's present values, trimmed, without repeats.
fn split_semicolons(cell: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in cell.split(';') {
        if let Some(p) = present(part) {
            push_unique(&mut out, p.to_string());
        }
    }
    out
}

fn victim_for(country: Option<&str>, name: Option<&str>) -> Victim {
    Victim {
        name: name.map(str::to_string),
        country: country.and_then(to_alpha3).map(str::to_string),
        country_as_given: country.map(str::to_string),
        sectors: Vec::new(),
    }
}

fn receiver_victims<'a>(
    t: &Table,
    rows: impl Iterator<Item = &'a Row>,
    tags: &mut Vec<String>,
) -> Vec<Victim> {
    let mut victims: Vec<Victim> = Vec::new();
    for row in rows {
        let country = present(t.get(row, "receiver_country"));
        let name = present(t.get(row, "receiver_name"));
        let pos = victims
            .iter()
            .position(|v| v.country_as_given.as_deref() == country && v.name.as_deref() == name);
        let v = match pos {
            Some(i) => &mut victims[i],
            None => {
                victims.push(victim_for(country, name));
                victims.last_mut().expect("just pushed")
            }
        };
        for col in ["receiver_category", "receiver_category_subcode"] {
            if let Some(s) = present(t.get(row, col)) {
                push_unique(&mut v.sectors, s.to_string());
            }
        }
        for region in split_semicolons(t.get(row, "receiver_region")) {
            push_unique(tags, format!("receiver-region:{region}"));
        }
    }
    victims.retain(|v| v.name.is_some() || v.country_as_given.is_some() || !v.sectors.is_empty());
    victims
}

/// Victims from the incident row's list cells: `receiver_country` is a list of countries and
/// `receiver_name`, `receiver_category`, `receiver_category_subcode`, `receiver_region` are lists
/// with one inner list per country.
fn list_victims(t: &Table, row: &Row, tags: &mut Vec<String>) -> Vec<Victim> {
    let parse = |c: &str| parse_py_literal(t.get(row, c).trim()).ok();
    let countries = parse("receiver_country")
        .map(|v| v.strings())
        .unwrap_or_default();
    let per_country = |c: &str, i: usize| -> Vec<String> {
        parse(c)
            .and_then(|v| v.items().get(i).map(PyLiteral::strings))
            .unwrap_or_default()
            .into_iter()
            .filter(|s| !is_absent(s))
            .collect()
    };
    let mut victims: Vec<Victim> = Vec::new();
    for (i, country) in countries.iter().enumerate() {
        let country = present(country);
        let names = per_country("receiver_name", i);
        let mut sectors = per_country("receiver_category", i);
        for s in per_country("receiver_category_subcode", i) {
            push_unique(&mut sectors, s);
        }
        for region in per_country("receiver_region", i) {
            push_unique(tags, format!("receiver-region:{region}"));
        }
        let names: Vec<Option<&str>> = if names.is_empty() {
            vec![None]
        } else {
            names.iter().map(|n| Some(n.as_str())).collect()
        };
        for name in names {
            let mut v = victim_for(country, name);
            v.sectors.clone_from(&sectors);
            if v.name.is_some() || v.country_as_given.is_some() || !v.sectors.is_empty() {
                push_unique(&mut victims, v);
            }
        }
    }
    victims
}

/// The actor for a name, country and category; None when neither a name nor a country is known.
/// A State without a name is named by its country; any other actor without a name is
/// [`UNNAMED_ACTOR`].
fn actor_of(name: Option<&str>, country: Option<&str>, category: Option<&str>) -> Option<Actor> {
    let (name, aliases) = match (name, country) {
        (Some(n), _) => split_aliases(n),
        (None, Some(c)) if category == Some("State") => (c.to_string(), Vec::new()),
        (None, Some(_)) => (UNNAMED_ACTOR.to_string(), Vec::new()),
        (None, None) => return None,
    };
    Some(Actor {
        name,
        aliases,
        country: country.and_then(to_alpha3).map(str::to_string),
        category: category.map(str::to_string),
    })
}

fn at(v: &[String], i: usize) -> Option<&str> {
    v.get(i).and_then(|s| present(s))
}

/// The `initiator_*` list cells, read index by index (they are parallel lists).
fn initiators(t: &Table, row: &Row) -> Vec<Actor> {
    let list = |c: &str| {
        parse_py_literal(t.get(row, c).trim())
            .map(|v| v.strings())
            .unwrap_or_default()
    };
    let names = list("initiator_name");
    let countries = list("initiator_country");
    let categories = list("initiator_category");
    let subcodes = list("initiator_category_subcode");
    let n = names.len().max(countries.len());
    let mut actors = Vec::new();
    for i in 0..n {
        // The subcategory ("Hacktivist(s)") is the more specific label when there is one.
        let category = at(&subcodes, i).or(at(&categories, i));
        if let Some(a) = actor_of(at(&names, i), at(&countries, i), category) {
            push_unique(&mut actors, a);
        }
    }
    actors
}

fn attribution_of(t: &Table, row: &Row) -> Option<Attribution> {
    let get = |c: &str| present(t.get(row, c));
    let actor = actor_of(
        get("attributed_initiator"),
        get("attributed_initiator_country"),
        get("attributed_initiator_category"),
    )?;
    let basis = get("attribution_basis");
    let type_ = get("attribution_type");
    let by_actor = get("attributing_actor");
    let by_company = get("attribution_it_company");
    let by_country = get("attributing_country");
    Some(Attribution {
        actor,
        attributed_by: by_actor.or(by_company).or(by_country).map(str::to_string),
        attributor_kind: attributor_kind(basis, type_, by_actor, by_company, by_country),
        basis: match (basis, type_) {
            (Some(b), Some(ty)) => Some(format!("{b} | {ty}")),
            (b, ty) => b.or(ty).map(str::to_string),
        },
        date: get("attribution_date").and_then(|d| parse_iso_placeholder(d, true)),
        confidence: None,
        state_responsibility: None,
    })
}

/// Who makes an EuRepoC attribution claim, from its `attribution_basis` first (it says who
/// attributes), then its `attribution_type` (the form the claim took), then which attributor
/// column is filled:
/// - "Attacker confirms", or a type starting "Self-attribution" -> self-claim;
/// - "Attribution by EU institution/agency" -> international organisation;
/// - "Receiver attributes attacker" -> the victim;
/// - "Attribution by receiver government / state entity" -> a State;
/// - "IT-security community attributes attacker" -> a company;
/// - "Media-based attribution" -> the media;
/// - otherwise ("Attribution by third-party", "Contested attribution", none): a political
///   statement, a legal action or a sanction -> a State; a technical report or a named IT company
///   -> a company; a media report -> the media; only an attributing country -> a State;
///   anything else -> unknown.
pub fn attributor_kind(
    basis: Option<&str>,
    type_: Option<&str>,
    by_actor: Option<&str>,
    by_company: Option<&str>,
    by_country: Option<&str>,
) -> AttributorKind {
    let b = basis.unwrap_or("").to_lowercase();
    let ty = type_.unwrap_or("").to_lowercase();
    if b.contains("attacker confirms") || ty.starts_with("self-attribution") {
        AttributorKind::SelfClaim
    } else if b.contains("eu institution") {
        AttributorKind::InternationalOrganisation
    } else if b.contains("receiver attributes") {
        AttributorKind::Victim
    } else if b.contains("receiver government") || b.contains("state entity") {
        AttributorKind::State
    } else if b.contains("it-security community") {
        AttributorKind::Company
    } else if b.contains("media-based") {
        AttributorKind::Media
    } else if ty.contains("political statement")
        || ty.contains("legal action")
        || ty.contains("sanction")
    {
        AttributorKind::State
    } else if ty.contains("technical report") || by_company.is_some() {
        AttributorKind::Company
    } else if ty.contains("media report") {
        AttributorKind::Media
    } else if by_actor.is_none() && by_country.is_some() {
        AttributorKind::State
    } else {
        AttributorKind::Unknown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributor_kinds_follow_basis_then_type() {
        let k = |b: &str, t: &str| attributor_kind(Some(b), Some(t), None, None, None);
        assert_eq!(
            k(
                "Attacker confirms",
                "Self-attribution in the course of the attack"
            ),
            AttributorKind::SelfClaim
        );
        assert_eq!(
            k(
                "Attribution by receiver government / state entity",
                "Political statement / report (e.g., on government / state agency websites)"
            ),
            AttributorKind::State
        );
        assert_eq!(
            k(
                "IT-security community attributes attacker",
                "Technical report (e.g., by IT-companies, Citizen Lab, EFF)"
            ),
            AttributorKind::Company
        );
        assert_eq!(
            k("Attribution by third-party", "Domestic legal action"),
            AttributorKind::State
        );
        assert_eq!(
            k("Contested attribution", "Direct statement in media report"),
            AttributorKind::Media
        );
        assert_eq!(
            k("Receiver attributes attacker", ""),
            AttributorKind::Victim
        );
        assert_eq!(
            k("Attribution by EU institution/agency", ""),
            AttributorKind::InternationalOrganisation
        );
        assert_eq!(
            attributor_kind(None, None, None, None, Some("Ukraine")),
            AttributorKind::State
        );
        assert_eq!(
            attributor_kind(
                None,
                Some("Attribution given, type unclear"),
                None,
                None,
                None
            ),
            AttributorKind::Unknown
        );
    }

    #[test]
    fn actors_without_names() {
        let a = actor_of(None, Some("Russia"), Some("State")).unwrap();
        assert_eq!(
            (a.name.as_str(), a.country.as_deref()),
            ("Russia", Some("RUS"))
        );
        let a = actor_of(None, Some("Azerbaijan"), Some("Non-state-group")).unwrap();
        assert_eq!(a.name, UNNAMED_ACTOR);
        assert!(actor_of(None, None, Some("Unknown - not attributed")).is_none());
        let a = actor_of(Some("NSA/Equation Group"), Some("United States"), None).unwrap();
        assert_eq!(a.name, "NSA");
        assert_eq!(a.aliases, vec!["Equation Group"]);
        assert_eq!(a.country.as_deref(), Some("USA"));
    }
}
