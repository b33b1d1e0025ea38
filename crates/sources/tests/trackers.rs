//! The tracker adapters (EuRepoC, CFR, CISSM, DCID) on the real datasets in `../shared/data`.
//!
//! Each test skips (with a message) when its dataset is absent. Record counts are taken
//! independently of the adapters, with the `csv` crate, and compared with what the adapters
//! account for.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use threatscape_model::{AttributorKind, DatePrecision, FuzzyDate, Report};
use threatscape_sources::countries::{split_country_list, to_alpha3};
use threatscape_sources::csv_util::{cell_strings, is_absent, looks_like_mojibake};
use threatscape_sources::{cfr, cissm, dcid, eurepoc, AdapterOutput, SourceError};

const EUREPOC: &str = "eurepoc/EuRepoC_Global_Database_1.1.csv";
const EUREPOC_ATTRIBUTION: &str = "eurepoc/EuRepoC_Attribution_dataset_1.1.csv";
const EUREPOC_RECEIVER: &str = "eurepoc/EuRepoC_Receiver_dataset_1.1.csv";
const CFR: &str = "cfr-cyber-operations/cyber-operations-incidents.csv";
const CISSM: &str = "cissm/CISSM_cleaned.csv";
const DCID_2020: &str = "dcid/dcid_2.0_public_june2020.csv";
const DCID_2023: &str = "dcid/dcid_2.0_update_feb2023.csv";

fn data(relative: &str) -> Option<PathBuf> {
    threatscape_testkit::shared_data(relative)
}

/// The rows of a CSV, as header -> cell maps, counted by the `csv` crate alone.
fn rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .cloned()
                .zip(r.iter().map(str::to_string))
                .collect()
        })
        .collect()
}

fn is_line(locator: &str) -> bool {
    locator
        .strip_prefix("line ")
        .is_some_and(|n| n.parse::<u64>().is_ok_and(|n| n >= 2))
}

/// What every adapter output must satisfy, whatever the dataset.
fn check_accounting(out: &AdapterOutput, format: &str) {
    assert_eq!(
        out.read,
        out.accepted + out.rejected,
        "read = accepted + rejected"
    );
    assert_eq!(out.accepted, out.reports.len() as u64);
    assert_eq!(out.rejected, out.rejections.len() as u64);
    for issue in out.rejections.iter().chain(&out.repairs) {
        assert!(is_line(&issue.locator), "{issue:?}");
        assert!(
            !issue.message.is_empty() && !issue.file.is_empty(),
            "{issue:?}"
        );
    }
    let repaired_lines: HashSet<&str> = out.repairs.iter().map(|i| i.locator.as_str()).collect();
    assert!(out.repaired as usize <= repaired_lines.len());
    let mut ids = HashSet::new();
    for r in &out.reports {
        assert_eq!(r.provenance.format, format);
        assert!(is_line(&r.provenance.locator), "{:?}", r.provenance);
        assert!(!r.title.trim().is_empty(), "{:?}", r.provenance);
        assert_eq!(r.tlp, threatscape_model::Tlp::Clear);
        let original: serde_json::Value = serde_json::from_str(&r.original).unwrap();
        assert!(original.is_object());
        // Provenance (file and line) is unique per report.
        assert!(
            ids.insert(r.provenance.locator.clone()),
            "{:?}",
            r.provenance
        );
    }
}

fn print_counts(name: &str, out: &AdapterOutput) {
    eprintln!(
        "{name}: read {} accepted {} repaired {} rejected {} ({} repair notes)",
        out.read,
        out.accepted,
        out.repaired,
        out.rejected,
        out.repairs.len()
    );
}

fn find(out: &AdapterOutput, pred: impl Fn(&Report) -> bool) -> &Report {
    out.reports
        .iter()
        .find(|r| pred(r))
        .expect("the record is in the dataset")
}

fn day(y: i32, m: u8, d: u8) -> FuzzyDate {
    FuzzyDate::day(y, m, d).unwrap()
}

/// The share of country cells recognised, printing the unrecognised ones.
fn recognition(name: &str, cells: impl IntoIterator<Item = String>) -> f64 {
    let mut total = 0usize;
    let mut unknown: BTreeMap<String, usize> = BTreeMap::new();
    for cell in cells {
        let cell = cell.trim().to_string();
        // Absent values and EuRepoC's explicit regions ("Europe (region)") are not countries.
        if is_absent(&cell) || cell.ends_with("(region)") {
            continue;
        }
        total += 1;
        if to_alpha3(&cell).is_none() {
            *unknown.entry(cell).or_default() += 1;
        }
    }
    let missed: usize = unknown.values().sum();
    let rate = 1.0 - missed as f64 / total.max(1) as f64;
    eprintln!(
        "{name}: {} of {total} country cells recognised ({:.2}%); unrecognised: {unknown:?}",
        total - missed,
        rate * 100.0
    );
    rate
}

// ---------------------------------------------------------------------------------------------
// EuRepoC

#[test]
fn eurepoc_reads_every_incident_with_its_side_tables() {
    let Some(path) = data(EUREPOC) else { return };
    let out = eurepoc::read(&path).unwrap();
    print_counts("EuRepoC", &out);
    check_accounting(&out, "eurepoc");
    let expected = rows(&path).len() as u64;
    assert_eq!(expected, 1643, "SOURCE.txt: 1,643 incidents");
    assert_eq!(out.read, expected, "every side-table row joins an incident");
    assert_eq!(out.rejected, 0, "{:?}", out.rejections);
    assert!(out.reports.iter().all(|r| r.source_id.is_some()));
    assert_eq!(
        out.reports
            .iter()
            .filter_map(|r| r.source_id.as_deref())
            .collect::<HashSet<_>>()
            .len(),
        1643
    );
    // Undated records are accepted and noted.
    let undated = out.reports.iter().filter(|r| r.occurred.is_none()).count();
    let notes = out
        .repairs
        .iter()
        .filter(|i| i.message.starts_with("no usable date"))
        .count();
    assert_eq!(undated, notes);
    assert!(undated > 0);
    // The attribution table fills attributions.
    let attributed = out
        .reports
        .iter()
        .filter(|r| !r.attributions.is_empty())
        .count();
    assert!(attributed > 1000, "{attributed}");

    let notpetya = find(&out, |r| r.source_id.as_deref() == Some("1032"));
    assert!(notpetya.title.contains("NotPetya"));
    let occurred = notpetya.occurred.unwrap();
    assert_eq!(occurred.start, day(2017, 6, 27));
    assert_eq!(occurred.start.precision(), DatePrecision::Day);
    assert!(notpetya
        .victims
        .iter()
        .any(|v| v.country.as_deref() == Some("UKR")));
    assert!(notpetya
        .actors
        .iter()
        .any(|a| a.name == "Sandworm" && a.country.as_deref() == Some("RUS")));
    assert!(notpetya.attributions.iter().any(|a| {
        a.attributor_kind == AttributorKind::State
            && a.attributed_by.as_deref() == Some("The White House")
            && a.actor.country.as_deref() == Some("RUS")
            && a.date == Some(day(2018, 2, 15))
    }));
    assert!(notpetya
        .attributions
        .iter()
        .any(|a| a.attributor_kind == AttributorKind::Company
            && a.attributed_by.as_deref() == Some("ESET")));

    let grid = find(&out, |r| r.title == "Ukraine Power Outage 2015");
    assert_eq!(grid.occurred.unwrap().start, day(2015, 12, 23));
    assert!(grid
        .victims
        .iter()
        .any(|v| v.country.as_deref() == Some("UKR") && v.sectors.iter().any(|s| s == "Energy")));
    assert!(grid.actors.iter().any(|a| a.name == "Sandworm"));

    let bank = find(&out, |r| r.title == "Bangladesh Central bank heist");
    assert_eq!(bank.occurred.unwrap().start, day(2016, 2, 4));
    assert!(bank
        .victims
        .iter()
        .any(|v| v.country.as_deref() == Some("BGD")));
    assert!(bank
        .actors
        .iter()
        .any(|a| a.name == "Lazarus Group" && a.country.as_deref() == Some("PRK")));

    let solarwinds = find(&out, |r| r.source_id.as_deref() == Some("1254"));
    assert!(solarwinds.title.contains("Solarwinds"));
    // "2019-09-01": EuRepoC's unknown day.
    let start = solarwinds.occurred.unwrap().start;
    assert_eq!(start, FuzzyDate::month(2019, 9).unwrap());
    assert_eq!(start.precision(), DatePrecision::Month);
    assert!(solarwinds
        .victims
        .iter()
        .any(|v| v.country.as_deref() == Some("USA")));
    assert!(solarwinds
        .actors
        .iter()
        .any(|a| a.aliases.iter().any(|x| x == "APT29") && a.country.as_deref() == Some("RUS")));
}

#[test]
fn eurepoc_without_side_tables_reads_victims_from_the_incident_rows() {
    let Some(path) = data(EUREPOC) else { return };
    let out = eurepoc::read_with_tables(&path, None, None).unwrap();
    check_accounting(&out, "eurepoc");
    assert_eq!(out.read, 1643);
    assert!(out.reports.iter().all(|r| r.attributions.is_empty()));
    let r = find(&out, |r| r.source_id.as_deref() == Some("25"));
    let countries: Vec<&str> = r
        .victims
        .iter()
        .filter_map(|v| v.country.as_deref())
        .collect();
    assert!(
        countries.contains(&"TWN") && countries.contains(&"KOR"),
        "{countries:?}"
    );
}

#[test]
fn eurepoc_country_cells_are_recognised() {
    let (Some(main), Some(att), Some(rec)) = (
        data(EUREPOC),
        data(EUREPOC_ATTRIBUTION),
        data(EUREPOC_RECEIVER),
    ) else {
        return;
    };
    let mut cells = Vec::new();
    for row in rows(&main) {
        cells.extend(cell_strings(&row["initiator_country"]));
    }
    for row in rows(&att) {
        cells.push(row["attributed_initiator_country"].clone());
        cells.push(row["attributing_country"].clone());
    }
    for row in rows(&rec) {
        cells.push(row["receiver_country"].clone());
    }
    assert!(recognition("EuRepoC", cells) >= 0.95);
}

// ---------------------------------------------------------------------------------------------
// CFR

#[test]
fn cfr_reads_every_operation() {
    let Some(path) = data(CFR) else { return };
    let out = cfr::read(&path).unwrap();
    print_counts("CFR", &out);
    check_accounting(&out, "cfr");
    let expected = rows(&path).len() as u64;
    assert_eq!(expected, 768, "SOURCE.txt: 768 operations");
    assert_eq!(out.read, expected);
    assert_eq!(out.rejected, 0, "{:?}", out.rejections);
    let ids: HashSet<&str> = out
        .reports
        .iter()
        .filter_map(|r| r.source_id.as_deref())
        .collect();
    assert_eq!(ids.len(), 768, "derived ids are unique");
    assert_eq!(
        out.repairs
            .iter()
            .filter(|i| i.message.contains("shifted left"))
            .count(),
        6
    );

    let notpetya = find(&out, |r| r.title == "NotPetya");
    assert_eq!(notpetya.provenance.locator, "line 560");
    assert_eq!(notpetya.occurred.unwrap().start, day(2017, 7, 1));
    assert!(notpetya
        .actors
        .iter()
        .any(|a| a.name == "Russian Federation" && a.country.as_deref() == Some("RUS")));
    // "Possibly linked to Sandworm." is a link, not an attribution to Sandworm.
    assert!(!notpetya.actors.iter().any(|a| a.name == "Sandworm"));
    assert!(notpetya
        .tags
        .iter()
        .any(|t| t == "affiliations:Possibly linked to Sandworm."));
    assert_eq!(notpetya.kinds, vec!["Data destruction"]);

    let wannacry = find(&out, |r| r.title == "WannaCry");
    assert_eq!(wannacry.occurred.unwrap().start, day(2017, 6, 14));
    assert!(wannacry
        .actors
        .iter()
        .any(|a| a.name == "Lazarus Group" && a.country.as_deref() == Some("PRK")));
    assert!(wannacry
        .attributions
        .iter()
        .any(|a| a.actor.country.as_deref() == Some("PRK")
            && a.state_responsibility.as_deref() == Some("suspected state sponsor")));

    let grid = find(&out, |r| {
        r.title == "Compromise of a power grid in eastern Ukraine"
    });
    assert_eq!(grid.occurred.unwrap().start, day(2015, 12, 23));
    assert_eq!(
        grid.victims[0].name.as_deref(),
        Some("Prikarpattiaoblenergo Electric Company")
    );

    let solarwinds = find(&out, |r| r.title == "Targeting of SolarWinds customers");
    assert_eq!(solarwinds.occurred.unwrap().start, day(2020, 12, 9));
    let names: Vec<&str> = solarwinds.actors.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, vec!["Russian Federation", "Cozy Bear", "APT 29"]);
    assert!(solarwinds
        .actors
        .iter()
        .all(|a| a.country.as_deref() == Some("RUS")));

    // A row whose cells were shifted left by one column, realigned.
    let shifted = find(&out, |r| {
        r.title == "Targeting of cloud computing servers in brute force attacks"
    });
    assert_eq!(shifted.kinds, vec!["Espionage"]);
    assert_eq!(shifted.victims[0].sectors, vec!["Private sector"]);
    assert!(shifted
        .actors
        .iter()
        .any(|a| a.country.as_deref() == Some("RUS")));
    assert!(shifted.urls.iter().any(|u| u.contains("media.defense.gov")));
}

#[test]
fn cfr_sponsors_are_recognised() {
    let Some(path) = data(CFR) else { return };
    let cells = rows(&path)
        .into_iter()
        .flat_map(|row| split_country_list(&row["Sponsor"]));
    // Six rows have a type or category in `Sponsor` (shifted cells): they count as misses here.
    assert!(recognition("CFR Sponsor", cells) >= 0.95);
}

// ---------------------------------------------------------------------------------------------
// CISSM

#[test]
fn cissm_reads_every_event_and_repairs_mojibake() {
    let Some(path) = data(CISSM) else { return };
    let out = cissm::read(&path).unwrap();
    print_counts("CISSM", &out);
    check_accounting(&out, "cissm");
    let expected = rows(&path).len() as u64;
    assert_eq!(expected, 11_918, "SOURCE.txt: 11,918 events");
    assert_eq!(out.read, expected);
    assert_eq!(out.rejected, 0, "{:?}", out.rejections);

    let repairs: Vec<_> = out
        .repairs
        .iter()
        .filter(|i| i.message.starts_with("mojibake repaired"))
        .collect();
    let left: HashSet<&str> = out
        .repairs
        .iter()
        .filter(|i| i.message.starts_with("mojibake left as is"))
        .map(|i| i.locator.as_str())
        .collect();
    eprintln!(
        "CISSM: {} cells repaired, {} records with mojibake left as is",
        repairs.len(),
        left.len()
    );
    assert!(repairs.len() > 100, "{}", repairs.len());
    assert!(out.repaired > 0);
    // What was repaired reads right; what still looks like mojibake is reported, record by record.
    for report in &out.reports {
        let mut text = vec![report.title.as_str()];
        text.extend(report.description.as_deref());
        text.extend(report.victims.iter().filter_map(|v| v.name.as_deref()));
        text.extend(report.actors.iter().map(|a| a.name.as_str()));
        let dirty = text
            .iter()
            .any(|t| t.contains("â€") || looks_like_mojibake(t));
        assert!(
            !dirty || left.contains(report.provenance.locator.as_str()),
            "{}: {text:?}",
            report.provenance.locator
        );
    }

    let lurssen = find(&out, |r| {
        r.victims.first().and_then(|v| v.name.as_deref()) == Some("Lürssen")
    });
    assert!(lurssen
        .description
        .as_deref()
        .unwrap()
        .starts_with("Lürssen"));
    assert!(
        lurssen.original.contains("L\\u00c3\\u00bcrssen") || lurssen.original.contains("LÃ¼rssen")
    );

    let colonial = find(&out, |r| r.source_id.as_deref() == Some("inc_cis_8403"));
    assert_eq!(colonial.occurred.unwrap().start, day(2021, 5, 7));
    assert_eq!(
        colonial.victims[0].name.as_deref(),
        Some("Colonial Pipeline")
    );
    assert_eq!(colonial.actors[0].name, "DarkSide");

    let solarwinds = find(&out, |r| r.source_id.as_deref() == Some("inc_cis_7607"));
    assert_eq!(solarwinds.occurred.unwrap().start, day(2020, 12, 21));
    assert_eq!(solarwinds.victims[0].name.as_deref(), Some("SolarWinds"));
    assert!(solarwinds.actors.is_empty(), "the actor is Undetermined");

    let wannacry = find(&out, |r| r.source_id.as_deref() == Some("inc_cis_3879"));
    assert!(wannacry
        .description
        .as_deref()
        .unwrap()
        .contains("WannaCry"));
    assert_eq!(wannacry.occurred.unwrap().start, day(2017, 10, 20));
}

// ---------------------------------------------------------------------------------------------
// DCID

#[test]
fn dcid_incident_sheet_reads_every_incident() {
    let Some(path) = data(DCID_2020) else { return };
    let out = dcid::read(&path).unwrap();
    print_counts("DCID 2020", &out);
    check_accounting(&out, "dcid");
    let expected = rows(&path).len() as u64;
    assert_eq!(expected, 429, "SOURCE.txt: 429 incidents");
    assert_eq!(out.read, expected);
    assert_eq!(out.rejected, 0, "{:?}", out.rejections);

    let notpetya = find(&out, |r| r.source_id.as_deref() == Some("217:NotPetya_A"));
    assert_eq!(notpetya.provenance.locator, "line 218");
    assert_eq!(notpetya.occurred.unwrap().start, day(2017, 6, 27));
    assert_eq!(notpetya.actors[0].country.as_deref(), Some("RUS"));
    assert_eq!(notpetya.victims[0].country.as_deref(), Some("UKR"));
    assert!(notpetya.kinds.iter().any(|k| k == "Degradation"));
    assert!(notpetya
        .attributions
        .iter()
        .any(|a| a.attributor_kind == AttributorKind::State
            && a.attributed_by.as_deref() == Some("United States Department of Justice")));

    let wannacry = find(&out, |r| {
        r.source_id.as_deref() == Some("148:WannaCry- US Critical Infrastructure")
    });
    assert_eq!(wannacry.occurred.unwrap().start, day(2017, 5, 12));
    assert_eq!(wannacry.actors[0].name, "N Korea");
    assert_eq!(wannacry.actors[0].country.as_deref(), Some("PRK"));
    assert_eq!(wannacry.victims[0].country.as_deref(), Some("USA"));
    assert!(wannacry.kinds.iter().any(|k| k == "Ransomware"));

    // Regin: the US initiated against Russia (StateA is the initiator here, not always).
    let regin = find(&out, |r| r.title == "Regin malware campaign");
    assert_eq!(regin.actors[0].country.as_deref(), Some("USA"));
    assert_eq!(regin.victims[0].country.as_deref(), Some("RUS"));
    // Regin is coded as a supply-chain operation too (`Supply Ch` 1).
    assert_eq!(
        regin.kinds,
        vec![
            "Network intrusion",
            "Long-term espionage",
            "Supply chain compromise"
        ]
    );
    // "2008-02-01": the codebook's "accurate to the month otherwise".
    assert_eq!(
        regin.occurred.unwrap().start,
        FuzzyDate::month(2008, 2).unwrap()
    );
    assert_eq!(regin.occurred.unwrap().end, FuzzyDate::month(2011, 3));

    let power = find(&out, |r| r.title == "Kiev Power outage_A");
    assert_eq!(power.occurred.unwrap().start, day(2016, 12, 17));
    assert!(power.victims[0]
        .sectors
        .iter()
        .any(|s| s == "Energy Sector"));
}

#[test]
fn dcid_campaign_sheet_drops_formulas_and_rejects_no_cyber_rows() {
    let Some(path) = data(DCID_2023) else { return };
    let out = dcid::read(&path).unwrap();
    print_counts("DCID 2023", &out);
    check_accounting(&out, "dcid");
    let all = rows(&path);
    assert_eq!(all.len(), 862, "SOURCE.txt: 862 rows");
    assert_eq!(out.read, 862);
    let no_cyber = all
        .iter()
        .filter(|r| {
            let name = r["Name"].trim();
            (name.is_empty() || name.eq_ignore_ascii_case("No Cyber")) && r["method"].trim() == "0"
        })
        .count() as u64;
    assert_eq!(out.rejected, no_cyber);
    assert!(out
        .rejections
        .iter()
        .all(|i| i.message.contains("no cyber activity")));

    let formulas = all
        .iter()
        .filter(|r| r.values().any(|v| v.trim_start().starts_with("=")))
        .count();
    assert!(formulas > 800);
    assert!(out
        .repairs
        .iter()
        .any(|i| i.message.contains("spreadsheet formula")));
    for report in &out.reports {
        let mut r = report.clone();
        r.original = String::new();
        let json = serde_json::to_string(&r).unwrap();
        assert!(
            !json.contains("=SUM") && !json.contains("=DATEVALUE") && !json.contains("\"="),
            "{}: {json}",
            report.provenance.locator
        );
    }
    // `=DATEVALUE("3/14/2010")` gives its date.
    let evaluated = out
        .repairs
        .iter()
        .filter(|i| i.message.contains("its literal date is used"))
        .count();
    assert!(evaluated > 0);
}

#[test]
fn dcid_states_are_recognised() {
    for file in [DCID_2020, DCID_2023] {
        let Some(path) = data(file) else { return };
        let cells = rows(&path)
            .into_iter()
            .flat_map(|row| [row["StateA"].clone(), row["StateB"].clone()]);
        assert_eq!(recognition(file, cells), 1.0);
    }
}

// ---------------------------------------------------------------------------------------------
// Wrong files

#[test]
fn a_file_of_another_dataset_is_refused_by_its_missing_columns() {
    let (Some(cfr_file), Some(cissm_file)) = (data(CFR), data(CISSM)) else {
        return;
    };
    let cases: [(&str, Result<AdapterOutput, SourceError>, &str); 4] = [
        ("eurepoc", eurepoc::read(&cfr_file), "`ID`"),
        ("cfr", cfr::read(&cissm_file), "`Title`"),
        ("cissm", cissm::read(&cfr_file), "`event_description`"),
        ("dcid", dcid::read(&cissm_file), "`Cyberincidentnum`"),
    ];
    for (name, result, column) in cases {
        match result {
            Err(SourceError::Format { message, .. }) => {
                assert!(message.contains(column), "{name}: {message}");
                assert!(message.starts_with("not a "), "{name}: {message}");
            }
            other => panic!(
                "{name}: expected a format error, got {:?}",
                other.map(|o| o.read)
            ),
        }
    }
}
