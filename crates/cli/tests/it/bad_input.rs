//! The bad-input corpus, one case per class, through the real binary: each bad file gets an error
//! (or, for a repairable one, a listed repair) naming the file and the place, and a refused file
//! leaves the store as it was: the fingerprint (objects, reports, contributors, audit, jobs, users)
//! is unchanged but for the one ingest-run row that records the attempt.
//!
//! The files are generated here rather than committed: some are tens of megabytes.

use std::path::Path;

use serde_json::Value;

use super::{json_of, threatscape};

const GOOD: &str = r#"{"type":"campaign","spec_version":"2.1","id":"campaign--1b2a5c4a-7f0e-4f57-9d68-4a1c2c3d1a11","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","name":"Fine"}"#;

/// A good campaign with a distinct id.
fn good(n: u32) -> String {
    GOOD.replace("1b2a5c4a", &format!("{n:08x}"))
}

/// A bundle around `objects`, one per line (so places are lines 2, 3, ...).
fn bundle(objects: &[String]) -> String {
    format!(
        "{{\"type\":\"bundle\",\"id\":\"bundle--6f4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c\",\"objects\":[\n{}\n]}}",
        objects.join(",\n")
    )
}

fn fingerprint(db: &Path) -> threatscape_store::Fingerprint {
    let store = threatscape_store::SqliteStore::open(db).unwrap();
    threatscape_store::fingerprint(&store).unwrap()
}

/// The parts of the store (runs, objects, audit, ...) whose tallies differ.
fn changed(
    before: &threatscape_store::Fingerprint,
    after: &threatscape_store::Fingerprint,
) -> Vec<String> {
    let (before, after) = (
        serde_json::to_value(before).unwrap(),
        serde_json::to_value(after).unwrap(),
    );
    let after = after.as_object().unwrap();
    before
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, v)| after.get(*k) != Some(v))
        .map(|(k, v)| format!("{k} {} -> {}", v["count"], after[k]["count"]))
        .collect()
}

/// Every diagnostic of a summary, one per line, as `file line:col pointer code: message`.
fn described(summary: &Value, key: &str) -> String {
    summary[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} line {}:{} {} {}: {}",
                e["file"].as_str().unwrap_or("?"),
                e["line"],
                e["column"],
                e["pointer"].as_str().unwrap_or(""),
                e["code"].as_str().unwrap_or(""),
                e["message"].as_str().unwrap_or("")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

struct Case {
    name: &'static str,
    bytes: Vec<u8>,
    /// Extra arguments (`--format`).
    args: &'static [&'static str],
    /// Each must appear in one diagnostic line (with the file's name).
    expect: &'static [&'static str],
    /// Tracker rows and template rows are independent records: a bad one is rejected and listed,
    /// the file itself is read (its audit entry says so, with the counts) and the command
    /// succeeds. A STIX or MISP file that cannot be read is refused whole, with exit status 1.
    records: bool,
}

const REFERRING: &str = "report--7c1f2b4e-3d5a-4e6f-8a9b-0c1d2e3f4a5b";
const MISSING: &str = "malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b";
const MISSING_IDENTITY: &str = "identity--c78cb6e5-0c4b-4611-8297-d1b8b55e40b5";

/// A bundle whose report refers to the seed campaign (in the store), to a campaign later in the
/// same file, to the TLP:CLEAR marking (fixed by the specification) and to a malware and an
/// identity that are nowhere.
fn referring_bundle(n: u32) -> String {
    let later = good(n);
    let later_id = serde_json::from_str::<Value>(&later).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let report = serde_json::json!({
        "type": "report", "spec_version": "2.1", "id": REFERRING,
        "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
        "name": "Refers", "published": "2024-01-01T00:00:00.000Z",
        "created_by_ref": MISSING_IDENTITY,
        "object_refs": ["campaign--1b2a5c4a-7f0e-4f57-9d68-4a1c2c3d1a11", MISSING, later_id],
        "object_marking_refs": ["marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"]
    });
    bundle(&[report.to_string(), later])
}

fn cfr_header() -> &'static str {
    "Title,Date,Affiliations,Description,Response,Victims,Sponsor,Type,Category,Sources_1,Sources_2,Sources_3"
}

fn cases() -> Vec<Case> {
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let deep_objects = format!("{}{}", "{\"a\":".repeat(10_000), "}".repeat(10_000));
    let native_header = "title,occurred_start,tlp";
    vec![
        Case {
            // A STIX bundle referring to objects that do not exist, refused on request.
            name: "dangling-refs.json",
            bytes: referring_bundle(41).into_bytes(),
            args: &["--refs", "strict"],
            expect: &[
                "line 2:",
                "/objects/0/created_by_ref",
                "dangling-reference",
                REFERRING,
                "`created_by_ref`",
                MISSING_IDENTITY,
            ],
            records: false,
        },
        Case {
            name: "broken.json",
            bytes: bundle(&[good(1), "{\"type\": \"campaign\",, }".into()]).into_bytes(),
            args: &[],
            expect: &["line 3:", "syntax"],
            records: false,
        },
        Case {
            name: "truncated.json",
            bytes: bundle(&[good(2), good(3)]).as_bytes()[..300].to_vec(),
            args: &[],
            expect: &["line 3:"],
            records: false,
        },
        Case {
            name: "wrong-type.json",
            bytes: bundle(&[good(4), good(5).replace("\"name\":\"Fine\"", "\"name\":42")])
                .into_bytes(),
            args: &[],
            expect: &["/objects/1/name"],
            records: false,
        },
        Case {
            name: "objects-not-a-list.json",
            bytes: b"{\"type\":\"bundle\",\"id\":\"bundle--6f4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c\",\n\"objects\": 5}"
                .to_vec(),
            args: &[],
            expect: &["line 2:"],
            records: false,
        },
        Case {
            name: "missing-key.json",
            bytes: bundle(&[good(6), good(7).replace(",\"created\":\"2024-01-01T00:00:00.000Z\"", "")])
                .into_bytes(),
            args: &[],
            expect: &["/objects/1", "created"],
            records: false,
        },
        Case {
            name: "duplicate-key.json",
            bytes: bundle(&[good(8), good(9).replace("\"name\":\"Fine\"", "\"name\":\"A\",\n\"name\":\"B\"")])
                .into_bytes(),
            args: &[],
            expect: &["line 4:", "appears twice"],
            records: false,
        },
        Case {
            name: "deep-array.json",
            bytes: bundle(&[good(10), good(11).replace("\"Fine\"", &deep)]).into_bytes(),
            args: &[],
            expect: &["line 3:"],
            records: false,
        },
        Case {
            name: "deep-objects.json",
            bytes: bundle(&[good(12), good(13).replace("\"Fine\"", &deep_objects)]).into_bytes(),
            args: &[],
            expect: &["line 3:"],
            records: false,
        },
        Case {
            name: "deep-top-level.json",
            bytes: deep.clone().into_bytes(),
            args: &["--format", "stix"],
            expect: &["line 1:"],
            records: false,
        },
        Case {
            name: "invalid-utf8.json",
            bytes: [
                bundle(&[good(14), good(15).replace("Fine", "FI\u{1}NE")]).as_bytes(),
            ]
            .concat()
            .into_iter()
            .map(|b| if b == 1 { 0xff } else { b })
            .collect(),
            args: &[],
            expect: &["line 3:"],
            records: false,
        },
        Case {
            name: "utf16-bom.json",
            bytes: [&[0xff, 0xfe][..], &bundle(&[good(16)]).encode_utf16().flat_map(u16::to_le_bytes).collect::<Vec<u8>>()]
                .concat(),
            args: &["--format", "stix"],
            expect: &["line 1:"],
            records: false,
        },
        Case {
            name: "bom-in-the-middle.json",
            bytes: bundle(&[good(17), format!("\u{feff}{}", good(18))]).into_bytes(),
            args: &[],
            expect: &["line 3:"],
            records: false,
        },
        Case {
            name: "huge-string.json",
            bytes: bundle(&[good(19), good(20).replace("Fine", &"x".repeat(20 << 20))]).into_bytes(),
            args: &[],
            expect: &["larger than"],
            records: false,
        },
        Case {
            name: "unterminated-string.json",
            bytes: format!("[{},\n{{\"type\":\"campaign\",\"name\":\"{}", good(21), "y".repeat(1 << 20))
                .into_bytes(),
            args: &[],
            expect: &["line 2:"],
            records: false,
        },
        Case {
            name: "misp-broken.json",
            bytes: b"{\"Event\": {\"info\": \"x\",\n \"Attribute\": [}}".to_vec(),
            args: &["--format", "misp"],
            expect: &["line 2"],
            records: false,
        },
        Case {
            name: "misp-duplicate-key.json",
            bytes: b"{\"Event\": {\"info\": \"x\",\n \"date\": \"2024-01-01\", \"date\": \"2024-02-02\"}}".to_vec(),
            args: &["--format", "misp"],
            expect: &["line 2", "appears twice"],
            records: false,
        },
        Case {
            name: "header-missing-columns.csv",
            bytes: b"Title,Date,Affiliations,Description\nx,1/1/2020,y,z\n".to_vec(),
            args: &["--format", "cfr"],
            expect: &["lacks columns", "`Sponsor`"],
            records: false,
        },
        Case {
            name: "rows-missing-and-extra-cells.csv",
            bytes: format!(
                "{}\nonly,three,cells\nBig,1/20/2022,Aff,Desc,,Victims,Ghana,Espionage,Government,,,,EXTRA\n",
                cfr_header()
            )
            .into_bytes(),
            args: &[],
            expect: &["line 2:", "line 3:", "has 3 cells", "has 13 cells"],
            records: true,
        },
        Case {
            name: "huge-cell.csv",
            bytes: format!(
                "{}\nBig,1/20/2022,Aff,{},,Victims,Ghana,Espionage,Government,,,\n",
                cfr_header(),
                "x".repeat(20 << 20)
            )
            .into_bytes(),
            args: &[],
            expect: &["line 2:", "column `Description`"],
            records: true,
        },
        Case {
            name: "quote-left-open.csv",
            bytes: format!(
                "{}\n\"Open,1/20/2022,Aff,Desc,,Victims,Ghana,Espionage,Government,,,\n",
                cfr_header()
            )
            .into_bytes(),
            args: &[],
            expect: &["line 2:"],
            records: true,
        },
        Case {
            name: "native-no-tlp.csv",
            bytes: format!("{native_header}\nAn outage,2024-02,\n").into_bytes(),
            args: &["--format", "native", "--contributor", "Test CERT", "--contributor-type", "member-state"],
            expect: &["line 2:", "tlp"],
            records: true,
        },
    ]
}

#[test]
fn each_class_of_bad_input_is_refused_with_its_place_and_the_store_is_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let seed = dir.path().join("seed.json");
    std::fs::write(&seed, GOOD).unwrap();
    assert!(threatscape(&db, &["ingest", seed.to_str().unwrap()])
        .status
        .success());
    let mut failures = Vec::new();
    for case in cases() {
        let before = fingerprint(&db);
        let path = dir.path().join(case.name);
        std::fs::write(&path, &case.bytes).unwrap();
        let mut args = vec!["ingest", "--json"];
        args.extend_from_slice(case.args);
        args.push(path.to_str().unwrap());
        let output = threatscape(&db, &args);
        let summary = json_of(&output);
        let errors = described(&summary, "errors");
        let name = case.name;
        let mut problems = Vec::new();
        if output.status.success() != case.records {
            problems.push(format!("exit status {:?}", output.status.code()));
        }
        if case.records && summary["reports"]["accepted"] != 0 {
            problems.push(format!("accepted {}", summary["reports"]["accepted"]));
        }
        if errors.is_empty() {
            problems.push("no error".to_string());
        }
        if !errors
            .lines()
            .all(|l| l.starts_with(path.to_str().unwrap()) || l.contains(name))
        {
            problems.push("an error does not name the file".to_string());
        }
        for want in case.expect {
            if !errors.lines().any(|l| l.contains(want)) {
                problems.push(format!("no error mentions {want:?}"));
            }
        }
        // The one row an attempt adds is its ingest run (who tried, when): the record that the
        // attempt was made. Everything it would have brought is rolled back.
        let after = fingerprint(&db);
        let changes = changed(&before, &after);
        let attempt = format!("runs {} -> {}", before.runs.count, before.runs.count + 1);
        let mut expected = vec![attempt.clone()];
        if case.records {
            let read = format!("audit {} -> {}", before.audit.count, before.audit.count + 1);
            expected.insert(0, read);
        }
        if changes != expected {
            problems.push(format!(
                "the store changed beyond the run record ({attempt}): {}",
                changes.join(", ")
            ));
        }
        if !problems.is_empty() {
            failures.push(format!("{name}: {}\n{errors}", problems.join("; ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// A UTF-8 byte-order mark is no error: the file is read as if it were not there, in every format.
#[test]
fn a_utf8_byte_order_mark_is_read_through() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let stix = dir.path().join("bom.json");
    std::fs::write(&stix, format!("\u{feff}{}", bundle(&[good(30)]))).unwrap();
    let csv = dir.path().join("bom.csv");
    std::fs::write(
        &csv,
        format!(
            "\u{feff}{}\nBom,1/20/2022,Aff,Desc,,Victims,Ghana,Espionage,Government,,,\n",
            cfr_header()
        ),
    )
    .unwrap();
    let output = threatscape(
        &db,
        &[
            "ingest",
            "--json",
            stix.to_str().unwrap(),
            csv.to_str().unwrap(),
        ],
    );
    let summary = json_of(&output);
    assert!(output.status.success(), "{summary:#}");
    assert_eq!(summary["new"], 1, "{summary:#}");
    assert_eq!(summary["reports"]["by_format"]["cfr"], 1, "{summary:#}");
}

/// Mixed encodings in a tracker CSV (a Latin-1 cell beside UTF-8 ones): the row is kept, the
/// repair (U+FFFD for the bytes that are not UTF-8) is listed with its line, and the original
/// record keeps what could be read.
#[test]
fn a_tracker_row_in_mixed_encodings_is_kept_with_its_repair_listed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let csv = dir.path().join("mixed.csv");
    let mut bytes = cfr_header().as_bytes().to_vec();
    bytes.extend_from_slice(b"\nCaf\xe9 attack,1/20/2022,Caf\xc3\xa9 group,Text,,Victims,Ghana,Espionage,Government,,,\n");
    std::fs::write(&csv, bytes).unwrap();
    let before = fingerprint(&db);
    let output = threatscape(&db, &["ingest", "--json", csv.to_str().unwrap()]);
    let summary = json_of(&output);
    assert!(output.status.success(), "{summary:#}");
    let repairs = described(&summary, "repairs");
    assert!(
        repairs.contains("mixed.csv line 2:") && repairs.contains("U+FFFD"),
        "{repairs}"
    );
    assert_eq!(summary["reports"]["accepted"], 1);
    let after = fingerprint(&db);
    assert_eq!(after.reports.count, before.reports.count + 1);
}

/// A bundle referring to objects that exist neither in it nor in the store is kept by default
/// (STIX allows referring to objects held elsewhere), and each such reference is listed with
/// file, line, pointer, referring object, property and missing id, counted in the summary and
/// recorded with the run; the text summary says the same. References to the store, to later
/// objects of the file and to the TLP markings are not listed.
#[test]
fn dangling_references_are_listed_counted_and_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let seed = dir.path().join("seed.json");
    std::fs::write(&seed, GOOD).unwrap();
    assert!(threatscape(&db, &["ingest", seed.to_str().unwrap()])
        .status
        .success());
    let path = dir.path().join("refers.json");
    std::fs::write(&path, referring_bundle(42)).unwrap();
    let output = threatscape(&db, &["ingest", "--json", path.to_str().unwrap()]);
    let summary = json_of(&output);
    assert!(output.status.success(), "{summary:#}");
    assert_eq!(summary["new"], 2, "{summary:#}");
    assert_eq!(summary["dangling_refs"], 2, "{summary:#}");
    let file = path.to_str().unwrap();
    assert_eq!(
        summary["dangling"],
        serde_json::json!([
            {"file": file, "line": 2, "column": 1, "pointer": "/objects/0/created_by_ref",
             "object": REFERRING, "property": "created_by_ref", "missing": MISSING_IDENTITY},
            {"file": file, "line": 2, "column": 1, "pointer": "/objects/0/object_refs/1",
             "object": REFERRING, "property": "object_refs", "missing": MISSING},
        ]),
        "{summary:#}"
    );
    // Recorded with the run.
    let store = threatscape_store::SqliteStore::open(&db).unwrap();
    let mut recorded = String::new();
    threatscape_store::Store::for_each_run(&store, &mut |r| {
        recorded = r.summary.clone().unwrap_or_default();
        Ok(())
    })
    .unwrap();
    drop(store);
    let recorded: Value = serde_json::from_str(&recorded).unwrap();
    assert_eq!(recorded["dangling_refs"], 2);
    assert_eq!(recorded["dangling"], summary["dangling"]);

    // The text summary names them too; once the malware is stored, only the identity is missing.
    let malware = serde_json::json!({
        "type": "malware", "spec_version": "2.1", "id": MISSING,
        "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
        "name": "Found", "is_family": true
    });
    let malware_file = dir.path().join("malware.json");
    std::fs::write(&malware_file, bundle(&[malware.to_string()])).unwrap();
    assert!(
        threatscape(&db, &["ingest", malware_file.to_str().unwrap()])
            .status
            .success()
    );
    let again = dir.path().join("refers-again.json");
    std::fs::write(&again, referring_bundle(42)).unwrap();
    let output = threatscape(&db, &["ingest", again.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{text}");
    let line = format!(
        "dangling reference: {}:2:1: {REFERRING} `created_by_ref` (/objects/0/created_by_ref) refers to {MISSING_IDENTITY}, which is neither in this file nor in the store",
        again.display()
    );
    assert!(text.contains(&line), "{text}");
    assert!(!text.contains(MISSING), "{text}");
    assert!(
        text.lines()
            .any(|l| l.contains("dangling references") && l.trim_end().ends_with(" 1")),
        "{text}"
    );
}

/// A reference to an object that a later file of the same run brings is not dangling: the run
/// resolves what is still missing once every file is in (a folder's order, a TAXII pull's pages).
#[test]
fn a_reference_resolved_by_a_later_file_of_the_run_is_not_listed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let first = dir.path().join("a-refers.json");
    std::fs::write(&first, referring_bundle(44)).unwrap();
    let malware = serde_json::json!({
        "type": "malware", "spec_version": "2.1", "id": MISSING,
        "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
        "name": "Later", "is_family": true
    });
    let second = dir.path().join("b-holds.json");
    std::fs::write(&second, bundle(&[GOOD.to_string(), malware.to_string()])).unwrap();
    let output = threatscape(&db, &["ingest", "--json", dir.path().to_str().unwrap()]);
    let summary = json_of(&output);
    assert!(output.status.success(), "{summary:#}");
    assert_eq!(summary["dangling_refs"], 1, "{summary:#}");
    assert_eq!(
        summary["dangling"][0]["missing"], MISSING_IDENTITY,
        "{summary:#}"
    );
    assert_eq!(summary["dangling"].as_array().unwrap().len(), 1);
}
