//! The formats whose examples ship in this crate (the native template, VERIS) and format
//! detection over every format's real or example files.

use std::path::{Path, PathBuf};

use threatscape_model::{
    AttributorKind, Contributor, ContributorType, DateSpan, FuzzyDate, Reliability, Report, Tlp,
};
use threatscape_sources::native::{self, Encoding};
use threatscape_sources::{
    detect, read_file, read_file_with, veris, AdapterOutput, ReadOptions, SourceFormat,
};
use threatscape_testkit::shared_data;

fn examples(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples-data")
        .join(relative)
}

fn sender() -> Contributor {
    Contributor {
        name: "Example National CERT (fictional)".into(),
        type_: ContributorType::MemberState,
        reliability: Reliability::B,
    }
}

fn date(text: &str) -> FuzzyDate {
    FuzzyDate::parse_iso(text).unwrap()
}

fn assert_accounted(out: &AdapterOutput) {
    assert_eq!(out.read, out.accepted + out.rejected);
    assert_eq!(out.accepted as usize, out.reports.len());
    assert_eq!(out.rejected as usize, out.rejections.len());
}

fn csv(text: &str) -> AdapterOutput {
    native::read_bytes(text.as_bytes(), "t.csv", Encoding::Csv, &sender(), None).unwrap()
}

fn json(text: &str) -> AdapterOutput {
    native::read_bytes(text.as_bytes(), "t.json", Encoding::Json, &sender(), None).unwrap()
}

/// A report without what differs between the encodings (where it was read from, the original).
fn comparable(report: &Report) -> Report {
    let mut report = report.clone();
    report.provenance.file.clear();
    report.provenance.locator.clear();
    report.original.clear();
    report
}

// ---------------------------------------------------------------------------------------------
// The native template

#[test]
fn native_examples_read_the_same_in_both_encodings() {
    let from_csv = native::read(&examples("native/example.csv"), &sender()).unwrap();
    let from_json = native::read(&examples("native/example.json"), &sender()).unwrap();
    for out in [&from_csv, &from_json] {
        assert_accounted(out);
        assert_eq!(
            (out.read, out.accepted, out.rejected, out.repaired),
            (3, 3, 0, 0)
        );
    }
    for (a, b) in from_csv.reports.iter().zip(&from_json.reports) {
        assert_eq!(comparable(a), comparable(b));
    }
    let locators: Vec<&str> = from_csv
        .reports
        .iter()
        .map(|r| r.provenance.locator.as_str())
        .collect();
    assert_eq!(locators, ["line 2", "line 3", "line 4"]);
    let locators: Vec<&str> = from_json
        .reports
        .iter()
        .map(|r| r.provenance.locator.as_str())
        .collect();
    assert_eq!(locators, ["/0", "/1", "/2"]);

    let water = &from_csv.reports[0];
    assert_eq!(
        water.title,
        "EXAMPLE - Ransomware at a fictional water utility"
    );
    assert_eq!(
        water.occurred,
        Some(DateSpan {
            start: date("2024-03-15"),
            end: Some(date("2024-03-18"))
        })
    );
    assert_eq!(water.disclosed, Some(date("2024-03-20")));
    assert_eq!(water.victims[0].country.as_deref(), Some("KEN"));
    assert_eq!(water.victims[0].sectors, ["Water", "Energy"]);
    assert_eq!(water.kinds, ["ransomware"]);
    assert_eq!(water.tlp, Tlp::Green);
    assert_eq!(water.credibility, Some(2));
    assert_eq!(water.source_id.as_deref(), Some("EXAMPLE-0001"));
    assert_eq!(water.contributor, sender());
    assert_eq!(water.provenance.format, "native");
    assert!(water
        .original
        .starts_with("title,description,occurred_start,"));
    assert!(water
        .original
        .contains("\nEXAMPLE - Ransomware at a fictional water utility,"));

    let ministry = &from_csv.reports[1];
    assert_eq!(
        ministry.occurred,
        Some(DateSpan {
            start: FuzzyDate::month(2023, 11).unwrap(),
            end: None
        })
    );
    assert_eq!(ministry.actors[0].name, "EXAMPLE BEAR");
    assert_eq!(ministry.actors[0].country.as_deref(), Some("RUS"));
    assert_eq!(
        ministry.actors[0].category.as_deref(),
        Some("State-affiliated")
    );
    let claim = &ministry.attributions[0];
    // The claim's date, from which a briefing measures how long attribution takes.
    assert_eq!(claim.date, FuzzyDate::parse_iso("2024-01-09"));
    assert_eq!(claim.actor.category.as_deref(), Some("State-affiliated"));
    assert_eq!(
        claim.attributed_by.as_deref(),
        Some("Example National CERT (fictional)")
    );
    assert_eq!(claim.attributor_kind, AttributorKind::State);
    assert_eq!(
        claim.basis.as_deref(),
        Some("Infrastructure overlap and malware code reuse")
    );
    assert_eq!(ministry.urls.len(), 2);
    assert_eq!(ministry.kinds, ["espionage", "phishing"]);
    assert_eq!(ministry.tlp, Tlp::Amber);

    let hospital = &from_json.reports[2];
    assert_eq!(hospital.occurred.unwrap().start, FuzzyDate::year(2022));
    assert_eq!(hospital.tlp, Tlp::Clear);
    assert!(hospital.original.starts_with('{') && hospital.original.contains("EXAMPLE-0003"));
}

#[test]
fn native_rows_without_tlp_or_with_bad_values_are_rejected_with_line_and_column() {
    let out = csv(
        "title,occurred_start,occurred_end,tlp,urls,credibility,actor_country,attributed_on\n\
         No level,2024-01-02,,,,,,\n\
         Bad date,2024-13,,GREEN,,,,\n\
         Ends first,2024-03,2024-02-10,GREEN,,,,\n\
         Bad parts,2024,,purple,www.example.org,9,Norway,2024-02-30\n\
         Good,2024-05-06,2024,amber+strict,https://example.org/x,6,,\n",
    );
    assert_accounted(&out);
    assert_eq!((out.read, out.accepted, out.rejected), (5, 1, 4));
    let messages: Vec<(&str, &str)> = out
        .rejections
        .iter()
        .map(|r| (r.locator.as_str(), r.message.as_str()))
        .collect();
    assert_eq!(messages[0].0, "line 2");
    assert!(
        messages[0].1.starts_with("tlp: missing"),
        "{}",
        messages[0].1
    );
    assert!(messages[0].1.contains("never guessed"));
    assert_eq!(messages[1].0, "line 3");
    assert!(messages[1]
        .1
        .contains("occurred_start: `2024-13` is not a date"));
    assert_eq!(messages[2].0, "line 4");
    assert!(messages[2]
        .1
        .contains("occurred_end: 2024-02-10 is before occurred_start 2024-03"));
    assert_eq!(messages[3].0, "line 5");
    for part in [
        "tlp: `purple` is not a TLP level",
        "credibility: `9` is not 1",
        "urls: `www.example.org` is not a web address",
        "actor_country: given without `actor`",
        "attributed_on: `2024-02-30` is not a date",
    ] {
        assert!(messages[3].1.contains(part), "{part} in {}", messages[3].1);
    }
    let good = &out.reports[0];
    assert_eq!(good.tlp, Tlp::AmberStrict);
    // An end known only to the year is kept at that precision.
    assert_eq!(
        good.occurred,
        Some(DateSpan {
            start: date("2024-05-06"),
            end: Some(FuzzyDate::year(2024))
        })
    );
    assert_eq!(good.credibility, Some(6));
}

#[test]
fn native_header_problems_refuse_the_file() {
    let err = native::read_bytes(
        b"title,ocurred_start,tlp,notes\nx,2024,GREEN,y\n",
        "h.csv",
        Encoding::Csv,
        &sender(),
        None,
    )
    .unwrap_err()
    .to_string();
    assert!(err.starts_with("h.csv: line 1: the header"), "{err}");
    assert!(err.contains(
        "`ocurred_start` is not a column of the template (did you mean `occurred_start`?)"
    ));
    assert!(err.contains("`notes` is not a column"));
    assert!(err.contains("lacks the required column(s) occurred_start"));
    let err = native::read_bytes(b"", "e.csv", Encoding::Csv, &sender(), None).unwrap_err();
    assert!(err.to_string().contains("the file is empty"));
}

#[test]
fn native_csv_from_spreadsheets() {
    // A byte order mark, `;` between cells, header words in any case, a quoted value running over
    // two lines, empty rows, an unknown country, a declared level above the row's.
    let text = "\u{feff}Title;Occurred Start;TLP;Victim Country;Description\r\n\
                First;2021;clear;Exampleland;\"one\r\ntwo\"\r\n\
                ;;;;\r\n\
                Second;2021-02;white;Kenya;\r\n";
    let out = native::read_bytes(
        text.as_bytes(),
        "s.csv",
        Encoding::Csv,
        &sender(),
        Some(Tlp::Green),
    )
    .unwrap();
    assert_accounted(&out);
    assert_eq!((out.read, out.accepted, out.repaired), (2, 2, 1));
    assert_eq!(out.reports[0].description.as_deref(), Some("one\r\ntwo"));
    assert_eq!(out.reports[1].provenance.locator, "line 5");
    assert!(out.reports.iter().all(|r| r.tlp == Tlp::Green));
    assert_eq!(out.repairs[0].locator, "line 2");
    assert!(out.repairs[0]
        .message
        .contains("victim_country: `Exampleland` is not a recognised country"));
    let victim = &out.reports[0].victims[0];
    assert_eq!(
        (
            victim.country.as_deref(),
            victim.country_as_given.as_deref()
        ),
        (None, Some("Exampleland"))
    );
    assert_eq!(
        out.reports[0].original,
        "\u{feff}Title;Occurred Start;TLP;Victim Country;Description\nFirst;2021;clear;Exampleland;\"one\r\ntwo\""
            .trim_start_matches('\u{feff}')
    );
}

#[test]
fn native_json_rows_name_their_line() {
    let out = json(
        r#"[
  {"title": "Fine", "occurred_start": "2020", "tlp": "RED", "kinds": ["a", "b"]},
  {"title": "Typo", "ocurred_start": "2020", "tlp": "RED"},
  {"title": "Wrong type", "occurred_start": "2020", "tlp": "RED", "victim_name": ["x"], "credibility": 7}
]"#,
    );
    assert_accounted(&out);
    assert_eq!((out.read, out.accepted, out.rejected), (3, 1, 2));
    assert_eq!(out.reports[0].kinds, ["a", "b"]);
    assert_eq!(out.rejections[0].locator, "/1");
    assert!(out.rejections[0].message.starts_with("line 3: "));
    assert!(out.rejections[0].message.contains(
        "`ocurred_start` is not a column of the template (did you mean `occurred_start`?)"
    ));
    assert!(out.rejections[0]
        .message
        .contains("occurred_start: missing"));
    assert!(out.rejections[1]
        .message
        .contains("victim_name: expected text"));
    assert!(out.rejections[1].message.contains("credibility: `7`"));

    let err =
        native::read_bytes(b"{\"title\": ", "x.json", Encoding::Json, &sender(), None).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("x.json: not the template's JSON"),
        "{err}"
    );
}

#[test]
fn native_needs_a_contributor_through_read_file() {
    let path = examples("native/example.csv");
    let err = read_file(SourceFormat::Native, &path).unwrap_err();
    assert!(err.to_string().contains("does not name its contributor"));
    let options = ReadOptions {
        contributor: Some(sender()),
        tlp: None,
    };
    let out = read_file_with(SourceFormat::Native, &path, &options).unwrap();
    assert_eq!(out.accepted, 3);
}

// ---------------------------------------------------------------------------------------------
// VERIS (the examples written for this crate; no VCDB data is shipped)

#[test]
fn veris_examples() {
    let read = |file: &str| read_file(SourceFormat::Veris, &examples(file)).unwrap();

    let clinic = read("veris/ransomware-clinic.json");
    assert_accounted(&clinic);
    assert_eq!((clinic.read, clinic.accepted), (1, 1));
    let report = &clinic.reports[0];
    assert_eq!(report.provenance.locator, "line 1");
    assert_eq!(
        report.source_id.as_deref(),
        Some("0b7c6e2a-5f1d-4c3e-9a8b-1d2e3f4a5b60")
    );
    assert_eq!(
        report.title,
        "EXAMPLE (fictional): ransomware encrypted the patient records system of a small regional clinic"
    );
    assert_eq!(report.occurred.unwrap().start, date("2021-03-14"));
    assert_eq!(report.disclosed, Some(date("2021-03-16")));
    assert_eq!(report.reported, Some(date("2021-04-02")));
    assert_eq!(
        report.victims[0].name.as_deref(),
        Some("Example Regional Clinic (fictional)")
    );
    assert_eq!(report.victims[0].country.as_deref(), Some("DEU"));
    assert_eq!(report.victims[0].sectors, ["622110"]);
    assert_eq!(report.actors[0].name, "Organized crime");
    assert_eq!(
        report.actors[0].category.as_deref(),
        Some("external: Organized crime")
    );
    assert_eq!(report.actors[0].country, None);
    // The data made unreadable is a kind too: it follows a deliberate action.
    assert_eq!(
        report.kinds,
        [
            "malware:Ransomware",
            "social:Phishing",
            "availability:Obscuration"
        ]
    );
    assert_eq!(report.urls.len(), 2);
    assert_eq!(report.credibility, Some(2));
    assert_eq!(report.tlp, Tlp::Clear);
    assert_eq!(report.contributor.name, "VERIS Community Database (VCDB)");
    assert!(report
        .tags
        .contains(&"veris-master-id:6a1f0c9e-2b3d-4e5f-8a7b-9c0d1e2f3a4b".to_owned()));
    assert!(report.tags.contains(&"veris-motive:Financial".to_owned()));

    let ministry = read("veris/espionage-ministry.json");
    let report = &ministry.reports[0];
    assert_eq!(
        report.occurred.unwrap().start,
        FuzzyDate::month(2019, 11).unwrap()
    );
    assert_eq!(report.actors[0].name, "EXAMPLE BEAR");
    assert_eq!(report.actors[0].country.as_deref(), Some("RUS"));
    assert_eq!(report.victims[0].country.as_deref(), Some("NOR"));
    assert_eq!(
        report.kinds,
        [
            "hacking:Use of backdoor or C2",
            "malware:Backdoor",
            "malware:Export data",
            "social:Phishing",
            "confidentiality:Data disclosure"
        ]
    );

    let pair = read("veris/ddos-bank-and-leak.json");
    assert_accounted(&pair);
    assert_eq!((pair.read, pair.accepted), (2, 2));
    assert_eq!(pair.reports[0].provenance.locator, "/0");
    assert_eq!(
        pair.reports[0].occurred.unwrap().start,
        FuzzyDate::year(2018)
    );
    assert_eq!(pair.reports[0].kinds, ["hacking:DoS"]);
    assert_eq!(pair.reports[1].actors[0].name, "End-user");
    // Data disclosed by an error is an accident, not a theft: no kind of its own.
    assert_eq!(pair.reports[1].kinds, ["error:Misdelivery"]);
    assert!(pair.reports[1]
        .tags
        .contains(&"veris-attribute:confidentiality:data_disclosure=Yes".to_owned()));
    assert!(!pair.reports[1].tags.iter().any(|t| t.contains("NA")));
}

#[test]
fn veris_rejects_what_it_cannot_date_and_repairs_what_it_can() {
    let text = r#"[
  {"incident_id": "a", "timeline": {"incident": {"year": 2020, "month": 2, "day": 30}}, "summary": "S."},
  {"incident_id": "b", "timeline": {"incident": {"month": 2}}},
  {"timeline": {"incident": {"year": 2020}}}
]"#;
    let out = veris::read_from(text.as_bytes(), "v.json", &ReadOptions::default()).unwrap();
    assert_accounted(&out);
    assert_eq!(
        (out.read, out.accepted, out.rejected, out.repaired),
        (3, 1, 2, 1)
    );
    assert_eq!(
        out.reports[0].occurred.unwrap().start,
        FuzzyDate::month(2020, 2).unwrap()
    );
    assert!(out.repairs[0]
        .message
        .contains("day 30 is not a day of 2020-02"));
    assert_eq!(out.rejections[0].locator, "/1");
    assert!(out.rejections[0].message.contains("timeline.incident.year"));
    assert_eq!(out.rejections[1].message, "no `incident_id`");
}

// ---------------------------------------------------------------------------------------------
// Format detection

#[test]
fn detects_the_example_files() {
    assert_eq!(
        detect(&examples("native/example.csv")),
        Some(SourceFormat::Native)
    );
    assert_eq!(
        detect(&examples("native/example.json")),
        Some(SourceFormat::Native)
    );
    for file in [
        "veris/ransomware-clinic.json",
        "veris/espionage-ministry.json",
        "veris/ddos-bank-and-leak.json",
    ] {
        assert_eq!(detect(&examples(file)), Some(SourceFormat::Veris), "{file}");
    }
    assert_eq!(
        detect(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("Cargo.toml")
                .as_path()
        ),
        None
    );
    assert_eq!(detect(Path::new("/no/such/file.json")), None);
}

#[test]
fn detects_the_real_files() {
    let cases = [
        (
            "stix2-json-schemas/examples/threat-reports/apt1.json",
            SourceFormat::Stix,
        ),
        ("mitre-attack/ics-attack-18.1.json", SourceFormat::Stix),
        (
            "mitre-attack/enterprise-attack-18.1-stix20-groups-software.json",
            SourceFormat::Stix,
        ),
        (
            "misp-stix-out/existing_event.stix21.json",
            SourceFormat::Stix,
        ),
        ("misp-events/galaxy_1.json", SourceFormat::Misp),
        ("misp-events/existing_event.json", SourceFormat::Misp),
        (
            "eurepoc/EuRepoC_Global_Database_1.1.csv",
            SourceFormat::Eurepoc,
        ),
        (
            "cfr-cyber-operations/cyber-operations-incidents.csv",
            SourceFormat::Cfr,
        ),
        ("cissm/CISSM_cleaned.csv", SourceFormat::Cissm),
        ("dcid/dcid_2.0_public_june2020.csv", SourceFormat::Dcid),
        ("dcid/dcid_2.0_update_feb2023.csv", SourceFormat::Dcid),
    ];
    for (file, format) in cases {
        let Some(path) = shared_data(file) else {
            continue;
        };
        assert_eq!(detect(&path), Some(format), "{file}");
    }
    // Every MISP event file, bare or wrapped.
    let Some(dir) = shared_data("misp-events") else {
        return;
    };
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            assert_eq!(
                detect(&path),
                Some(SourceFormat::Misp),
                "{}",
                path.display()
            );
        }
    }
}

/// What `detect` finds, `read_file` reads: every format end to end, each record accounted for.
#[test]
fn detected_files_read_with_their_adapter() {
    let mut paths = vec![
        examples("native/example.csv"),
        examples("veris/ddos-bank-and-leak.json"),
    ];
    for file in [
        "stix2-json-schemas/examples/threat-reports/poisonivy.json",
        "misp-events/to_delete2.json",
        "eurepoc/EuRepoC_Global_Database_1.1.csv",
        "cfr-cyber-operations/cyber-operations-incidents.csv",
        "cissm/CISSM_cleaned.csv",
        "dcid/dcid_2.0_public_june2020.csv",
    ] {
        paths.extend(shared_data(file));
    }
    let options = ReadOptions {
        contributor: Some(sender()),
        tlp: None,
    };
    for path in paths {
        let format = detect(&path).unwrap_or_else(|| panic!("{} not detected", path.display()));
        let out =
            read_file_with(format, &path, &options).unwrap_or_else(|e| panic!("{format:?}: {e}"));
        assert_accounted(&out);
        assert!(out.accepted > 0, "{}", path.display());
    }
}
