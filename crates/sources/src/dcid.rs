//! DCID 2.0, the Dyadic Cyber Incident and Campaign Dataset (Maness, Valeriano, Hedgecock, Jensen,
//! Macias): one [`Report`] per cyber incident row.
//!
//! DCID comes as two CSV sheets of different layouts, both read here (the header tells which):
//! - the incident sheet (`dcid_2.0_public_june2020.csv`, 29 columns, one row per incident):
//!   `Cyberincidentnum, Dyadpair, StateA, StateB, Name, interactionstartdate, interactionenddate,
//!   method, targettype, initiator, cyber_objective, ..., Crit Inf, Supply Ch, Ransomware,
//!   Political Objective, Sources1..5, Justice, Cert, FBI`;
//! - the campaign sheet (`dcid_2.0_update_feb2023.csv`, 42 columns): two rows per incident number,
//!   the incident and what the other State did within a month (a cyber incident, or "No Cyber" /
//!   a blank name with all codes 0), with a `target` column and ICEWS/CAMEO response scores, no end
//!   date and no sources. Its cyber rows repeat incidents of the incident sheet (reconciliation
//!   merges them); its no-cyber rows record that nothing happened, are not incidents, and are
//!   rejected with that reason.
//!
//! What goes where:
//! - `original`: the row as a JSON object of header -> raw cell text, in column order.
//! - `source_id`: `Cyberincidentnum` and `Name` ("217:NotPetya_A"); in the campaign sheet the
//!   number is shared by the two rows of a campaign, the name tells them apart.
//! - `title`: `Name`; `description`: `Political Objective`; `occurred`: `interactionstartdate` ..
//!   `interactionenddate` (the codebook: "specific date if available, accurate to the month
//!   otherwise", so a first of the month reads as month precision).
//! - `actors`: the initiator (the State of the dyad whose Correlates of War code is `initiator`),
//!   category "State"; `victims`: the other State, sectors the target type and critical
//!   infrastructure sector labels; `attributions`: DCID's coding of state responsibility (a
//!   researcher's claim), and the US Department of Justice, US-CERT/CISA and FBI sources the
//!   incident sheet cites in its `Justice`, `Cert`, `FBI` columns (State claims).
//! - `kinds`: the labels of `method` and `cyber_objective`, and "Ransomware", "Supply chain
//!   compromise", "Cyber-enabled information operation" when flagged; `tags`: every code as
//!   `dcid:<variable>=<code>` (with its label for severity, damage type and sector).
//! - `urls`: `Sources1..5`, `Justice`, `Cert`, `FBI`.
//!
//! The code labels are the codebook's (Maness et al., "Codebook for the Dyadic Cyber Incident and
//! Campaign Dataset (DCID) Version 2.0", July 2022, sections I-IX and the campaign sheet list),
//! kept in the tables below.
//!
//! Spreadsheet formulas leaked into the campaign sheet (`=SUM($T3+$AA3+$AI3)` in the score
//! columns, `=DATEVALUE("3/14/2010")` in dates): a `DATEVALUE` of a literal date is evaluated, any
//! other formula is treated as absent, and each is listed as a repair. No formula reaches a
//! report's fields (the `original` keeps the cell as the file has it).

use std::path::Path;

use threatscape_model::{
    Actor, Attribution, AttributorKind, Contributor, ContributorType, FuzzyDate, Provenance,
    Reliability, Report, Tlp, Victim,
};

use crate::countries::to_alpha3;
use crate::csv_util::{
    date_span, datevalue_literal, extract_urls, is_formula, parse_iso_placeholder, present,
    push_unique, Fixes, Ledger, Row, Table,
};
use crate::{AdapterOutput, SourceError};

/// The provenance format name.
pub const FORMAT: &str = "dcid";

const COMMON_COLUMNS: &[&str] = &[
    "Cyberincidentnum",
    "Dyadpair",
    "StateA",
    "StateB",
    "Name",
    "interactionstartdate",
    "method",
    "targettype",
    "initiator",
    "cyber_objective",
];

const DCID: &str = "DCID (Maness, Valeriano, Jensen)";

/// Who DCID's authors are, as a contributor.
pub fn contributor() -> Contributor {
    Contributor {
        name: DCID.to_string(),
        type_: ContributorType::Academia,
        reliability: Reliability::B,
    }
}

/// Correlates of War state codes of the States in DCID's dyads -> ISO alpha-3 (COW state system
/// membership list; DCID's `initiator`, `target` and `Dyadpair` use them).
const COW: &[(&str, &str)] = &[
    ("2", "USA"),
    ("20", "CAN"),
    ("200", "GBR"),
    ("220", "FRA"),
    ("255", "DEU"),
    ("290", "POL"),
    ("365", "RUS"),
    ("366", "EST"),
    ("368", "LTU"),
    ("369", "UKR"),
    ("372", "GEO"),
    ("630", "IRN"),
    ("640", "TUR"),
    ("645", "IRQ"),
    ("652", "SYR"),
    ("660", "LBN"),
    ("666", "ISR"),
    ("670", "SAU"),
    ("692", "BHR"),
    ("700", "AFG"),
    ("710", "CHN"),
    ("713", "TWN"),
    ("731", "PRK"),
    ("732", "KOR"),
    ("740", "JPN"),
    ("750", "IND"),
    ("770", "PAK"),
    ("816", "VNM"),
    ("830", "SGP"),
    ("840", "PHL"),
    ("900", "AUS"),
];

/// The alpha-3 code of a Correlates of War state code ("365" or "365.0").
pub fn cow_to_alpha3(code: &str) -> Option<&'static str> {
    let c = code.trim();
    let c = c.strip_suffix(".0").unwrap_or(c);
    COW.iter().find(|(k, _)| *k == c).map(|(_, v)| *v)
}

/// Codebook I and the campaign sheet's list (H): methods.
const METHOD: &[(&str, &str)] = &[
    ("0", "No cyber activity"),
    ("1", "Vandalism"),
    ("2", "Denial of service"),
    ("3", "Network intrusion"),
    ("4", "Network infiltration"),
    ("4.1", "Network infiltration: logic bomb or wiper"),
    ("4.2", "Network infiltration: virus"),
    ("4.3", "Network infiltration: worm"),
    ("4.4", "Network infiltration: keystroke logging"),
];

/// Codebook II: target types.
const TARGET_TYPE: &[(&str, &str)] = &[
    ("1", "Private/non-state"),
    ("2", "Government non-military"),
    ("3", "Government military"),
];

/// Codebook III: coercive objectives.
const OBJECTIVE: &[(&str, &str)] = &[
    ("1", "Disruption"),
    ("2", "Short-term espionage"),
    ("3", "Long-term espionage"),
    ("4", "Degradation"),
];

/// Codebook VII: severity.
const SEVERITY: &[(&str, &str)] = &[
    ("0", "No cyber activity"),
    ("1", "Probing without kinetic cyber"),
    ("2", "Harassment, propaganda, denial and disruption"),
    (
        "3",
        "Stealing targeted critical information from one network",
    ),
    ("4", "Widespread network intrusion, multiple networks"),
    (
        "5",
        "Critical network infiltration and attempted destruction",
    ),
    (
        "6",
        "Critical network infiltration and widespread destruction",
    ),
    ("7", "Minimal death as a direct result"),
    ("8", "Critical national economic disruption"),
    ("9", "Critical national infrastructure destruction"),
    ("10", "Massive death as a direct result"),
];

/// Codebook VIII: damage types.
const DAMAGE: &[(&str, &str)] = &[
    ("1", "Direct and immediate"),
    ("2", "Direct and delayed"),
    ("3", "Indirect and immediate"),
    ("4", "Indirect and delayed"),
];

/// Codebook IX: critical infrastructure sectors (DHS/CISA's sixteen, and 17 "Other").
const CRIT_INF: &[(&str, &str)] = &[
    ("1", "Chemical Sector"),
    ("2", "Commercial Facilities Sector"),
    ("3", "Communications Sector"),
    ("4", "Critical Manufacturing Sector"),
    ("5", "Dams Sector"),
    ("6", "Defense Industrial Base Sector"),
    ("7", "Emergency Services Sector"),
    ("8", "Energy Sector"),
    ("9", "Financial Services Sector"),
    ("10", "Food and Agriculture Sector"),
    ("11", "Government Facilities Sector"),
    ("12", "Healthcare and Public Health Sector"),
    ("13", "Information Technology Sector"),
    ("14", "Nuclear Reactors, Materials, and Waste Sector"),
    ("15", "Transportation Systems Sector"),
    ("16", "Water and Wastewater Systems Sector"),
    ("17", "Other (Election Infrastructure, Academia)"),
];

/// The label of a code ("3", "3.0", "4.2"); a sub-code the codebook does not list ("3.1") takes
/// its whole number's label.
pub fn label(table: &[(&str, &'static str)], code: &str) -> Option<&'static str> {
    let c = code.trim();
    let exact = |c: &str| table.iter().find(|(k, _)| *k == c).map(|(_, v)| *v);
    exact(c)
        .or_else(|| c.strip_suffix(".0").and_then(exact))
        .or_else(|| c.split('.').next().and_then(exact))
}

/// The label of a method code.
pub fn method_label(code: &str) -> Option<&'static str> {
    label(METHOD, code)
}

/// The label of a cyber objective code.
pub fn objective_label(code: &str) -> Option<&'static str> {
    label(OBJECTIVE, code)
}

/// Reads a DCID 2.0 CSV: the incident sheet or the campaign sheet.
pub fn read(path: &Path) -> Result<AdapterOutput, SourceError> {
    let (table, mut rows) = Table::open(path, "DCID 2.0", COMMON_COLUMNS)?;
    let campaign = table.col("target").is_some() && table.col("interactionenddate").is_none();
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
        match report(&table, &row, campaign, &mut fixes) {
            Ok(r) => ledger.accept(r, fixes),
            Err(reason) => ledger.reject(&table.file, row.line, reason),
        }
    }
    ledger.reject_all(malformed);
    Ok(ledger.finish())
}

fn report(t: &Table, row: &Row, campaign: bool, fixes: &mut Fixes) -> Result<Report, String> {
    if row.lossy {
        fixes.repaired("invalid UTF-8 replaced by U+FFFD");
    }
    // Formulas first: every cell that is one is absent from here on.
    let mut formulas = Vec::new();
    let mut start_from_formula = None;
    for (h, c) in t.headers.iter().zip(&row.cells) {
        if is_formula(c) {
            if h.trim() == "interactionstartdate" {
                start_from_formula = datevalue_literal(c);
            }
            formulas.push((h.trim().to_string(), c.trim().to_string()));
        }
    }
    let get = |c: &str| {
        let v = t.get(row, c);
        if is_formula(v) {
            ""
        } else {
            v.trim()
        }
    };

    let name = present(get("Name"));
    let method = get("method");
    let no_cyber = name.is_none_or(|n| n.eq_ignore_ascii_case("No Cyber"))
        && method.strip_suffix(".0").unwrap_or(method) == "0";
    if no_cyber {
        return Err(format!(
            "a campaign row recording no cyber activity (`Name` \"{}\", `method` 0): not an incident",
            name.unwrap_or("")
        ));
    }
    let Some(title) = name.map(str::to_string) else {
        return Err("the record has no `Name`".into());
    };

    let mut absent = Vec::new();
    for (col, cell) in &formulas {
        if col == "interactionstartdate" && start_from_formula.is_some() {
            fixes.repaired(format!(
                "`{col}` is the spreadsheet formula `{cell}`: its literal date is used"
            ));
        } else {
            absent.push(format!("`{col}` = `{cell}`"));
        }
    }
    if !absent.is_empty() {
        fixes.repaired(format!(
            "{} spreadsheet formula{} without a value in the CSV, treated as absent: {}",
            absent.len(),
            if absent.len() == 1 { "" } else { "s" },
            absent.join("; ")
        ));
    }

    let start = start_from_formula
        .or_else(|| date(get("interactionstartdate"), "interactionstartdate", fixes));
    let end = date(get("interactionenddate"), "interactionenddate", fixes);
    let occurred = date_span(
        start,
        end,
        "interactionstartdate",
        "interactionenddate",
        fixes,
    );
    if occurred.is_none() {
        fixes.note("no usable date (`interactionstartdate` is empty): accepted without a date");
    }

    // Who initiated and who was targeted: the dyad's States, told apart by the initiator's code.
    let state_a = present(get("StateA"));
    let state_b = present(get("StateB"));
    let code_a = state_a.and_then(to_alpha3);
    let code_b = state_b.and_then(to_alpha3);
    let initiator = cow_to_alpha3(get("initiator"));
    let (init, target) = match initiator {
        Some(i) if Some(i) == code_a => (state_a, state_b),
        Some(i) if Some(i) == code_b => (state_b, state_a),
        _ => {
            fixes.note(format!(
                "`initiator` {} is neither `StateA` ({}) nor `StateB` ({}): no initiator or target is set",
                get("initiator"),
                state_a.unwrap_or(""),
                state_b.unwrap_or("")
            ));
            (None, None)
        }
    };
    if campaign {
        if let (Some(tc), Some(target)) = (cow_to_alpha3(get("target")), target) {
            if to_alpha3(target) != Some(tc) {
                fixes.note(format!(
                    "`target` {} is not the other State of the dyad ({target})",
                    get("target")
                ));
            }
        }
    }
    let actors: Vec<Actor> = init
        .map(|s| Actor {
            name: s.to_string(),
            aliases: Vec::new(),
            country: to_alpha3(s).map(str::to_string),
            category: Some("State".to_string()),
        })
        .into_iter()
        .collect();

    let mut sectors = Vec::new();
    if let Some(l) = label(TARGET_TYPE, get("targettype")) {
        sectors.push(l.to_string());
    }
    if let Some(l) = label(CRIT_INF, get("Crit Inf")) {
        sectors.push(l.to_string());
    }
    let victims: Vec<Victim> = target
        .map(|s| Victim {
            name: None,
            country: to_alpha3(s).map(str::to_string),
            country_as_given: Some(s.to_string()),
            sectors,
        })
        .into_iter()
        .collect();

    let mut kinds = Vec::new();
    if let Some(l) = method_label(method).filter(|_| method != "0") {
        kinds.push(l.to_string());
    }
    if let Some(l) = objective_label(get("cyber_objective")) {
        kinds.push(l.to_string());
    }
    for (col, kind) in [
        ("Ransomware", "Ransomware"),
        ("Supply Ch", "Supply chain compromise"),
        (
            "information_operation",
            "Cyber-enabled information operation",
        ),
    ] {
        if get(col) == "1" {
            kinds.push(kind.to_string());
        }
    }

    let mut tags = vec![format!(
        "dcid:sheet={}",
        if campaign { "campaign" } else { "incident" }
    )];
    for (col, var) in [
        ("Dyadpair", "dyad"),
        ("method", "method"),
        ("targettype", "targettype"),
        ("cyber_objective", "cyber_objective"),
        ("information_operation", "information_operation"),
        ("objective_achievement", "objective_achievement"),
        ("Concession", "concession"),
        ("3rdpartyinitiator", "third_party_initiator"),
        ("Supply Ch", "supply_chain"),
        ("Ransomware", "ransomware"),
    ] {
        if let Some(v) = present(get(col)) {
            tags.push(format!("dcid:{var}={v}"));
        }
    }
    for (col, var, table) in [
        ("severity", "severity", SEVERITY),
        ("damage type", "damage_type", DAMAGE),
        ("Crit Inf", "crit_inf", CRIT_INF),
    ] {
        if let Some(v) = present(get(col)) {
            tags.push(match label(table, v) {
                Some(l) => format!("dcid:{var}={v} ({l})"),
                None => format!("dcid:{var}={v}"),
            });
        }
    }

    let mut urls = Vec::new();
    for col in [
        "Sources1", "Sources2", "Sources3", "Sources4", "Sources5", "Justice", "Cert", "FBI",
    ] {
        for u in extract_urls(get(col)) {
            push_unique(&mut urls, u);
        }
    }

    let mut attributions = Vec::new();
    if let Some(actor) = actors.first() {
        attributions.push(Attribution {
            actor: actor.clone(),
            attributed_by: Some(DCID.to_string()),
            attributor_kind: AttributorKind::Researcher,
            basis: Some(
                "DCID 2.0 coding: responsibility verified by government statements, policy reports or security-firm reports (codebook, Specific Procedures)"
                    .to_string(),
            ),
            date: None,
            confidence: None,
            state_responsibility: Some(
                "initiated or explicitly sanctioned by the State (DCID inclusion rule)".to_string(),
            ),
        });
        for (col, by) in [
            ("Justice", "United States Department of Justice"),
            ("Cert", "US-CERT / CISA"),
            ("FBI", "Federal Bureau of Investigation (United States)"),
        ] {
            let cited = extract_urls(get(col));
            if !cited.is_empty() {
                attributions.push(Attribution {
                    actor: actor.clone(),
                    attributed_by: Some(by.to_string()),
                    attributor_kind: AttributorKind::State,
                    basis: Some(format!("cited by DCID (`{col}`): {}", cited.join(" "))),
                    date: None,
                    confidence: None,
                    state_responsibility: None,
                });
            }
        }
    }

    let number = present(get("Cyberincidentnum"));
    Ok(Report {
        provenance: Provenance {
            format: FORMAT.to_string(),
            file: t.file.clone(),
            locator: format!("line {}", row.line),
        },
        contributor: contributor(),
        source_id: Some(match number {
            Some(n) => format!("{n}:{title}"),
            None => title.clone(),
        }),
        title,
        description: present(get("Political Objective")).map(str::to_string),
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

fn date(cell: &str, col: &str, fixes: &mut Fixes) -> Option<FuzzyDate> {
    if cell.is_empty() {
        return None;
    }
    let d = parse_iso_placeholder(cell, false);
    if d.is_none() {
        fixes.note(format!("`{col}` `{cell}` is not a date: left out"));
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_codebook_labels() {
        assert_eq!(method_label("3"), Some("Network intrusion"));
        assert_eq!(
            method_label("4.1"),
            Some("Network infiltration: logic bomb or wiper")
        );
        assert_eq!(method_label("3.1"), Some("Network intrusion"));
        assert_eq!(method_label("9"), None);
        assert_eq!(objective_label("3"), Some("Long-term espionage"));
        assert_eq!(objective_label("3.0"), Some("Long-term espionage"));
        assert_eq!(label(CRIT_INF, "13"), Some("Information Technology Sector"));
        assert_eq!(label(CRIT_INF, "0"), None);
        assert_eq!(
            label(SEVERITY, "5"),
            Some("Critical network infiltration and attempted destruction")
        );
    }

    #[test]
    fn cow_codes_are_the_dyads_states() {
        assert_eq!(cow_to_alpha3("2"), Some("USA"));
        assert_eq!(cow_to_alpha3("365.0"), Some("RUS"));
        assert_eq!(cow_to_alpha3("731"), Some("PRK"));
        assert_eq!(cow_to_alpha3("713"), Some("TWN"));
        assert_eq!(cow_to_alpha3("999"), None);
        for (_, a3) in COW {
            assert!(crate::countries::name_of(a3).is_some(), "{a3}");
        }
    }
}
