//! End-to-end tests of the `threatscape` binary on real data: counts against an independent count,
//! idempotent re-ingest, export round trips judged by the OASIS validator, and malformed input.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use threatscape_testkit::{shared_data, shared_peer, workspace_root};

mod assess;
mod bad_input;
mod debate;
mod eval;
mod examples;

mod pull;
mod server_crash;

fn threatscape(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_threatscape"))
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .expect("the binary runs")
}

/// Runs a command that prints JSON on stdout and returns it with the exit code.
fn json_of(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// The counts by type computed by the repository's independent Python counter.
fn independent_count(paths: &[&Path]) -> Value {
    let output = Command::new("python3")
        .arg(workspace_root().join("scripts/count-stix-types.py"))
        .args(paths)
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    json_of(&output)
}

fn stats(db: &Path) -> Value {
    json_of(&threatscape(db, &["stats", "--json"]))
}

/// ATT&CK Enterprise is shipped compressed; tests read it decompressed into `dir`.
fn enterprise_json(dir: &Path) -> Option<PathBuf> {
    let xz = shared_data("mitre-attack/enterprise-attack-18.1-stix20-full.json.xz")?;
    let out = dir.join("enterprise-attack.json");
    let data = Command::new("xz")
        .arg("-dc")
        .arg(xz)
        .output()
        .expect("xz runs");
    assert!(data.status.success());
    std::fs::write(&out, data.stdout).unwrap();
    Some(out)
}

#[test]
fn ingest_counts_equal_an_independent_count_of_the_input() {
    let dir = tempfile::tempdir().unwrap();
    let (Some(ics), Some(examples), Some(testdata)) = (
        shared_data("mitre-attack/ics-attack-18.1.json"),
        shared_data("stix2-json-schemas/examples"),
        shared_data("stix2-python-testdata"),
    ) else {
        return;
    };
    let Some(enterprise) = enterprise_json(dir.path()) else {
        return;
    };
    for inputs in [vec![ics], vec![enterprise], vec![examples, testdata]] {
        let db = dir.path().join("counts.db");
        let _ = std::fs::remove_file(&db);
        let args: Vec<&str> = ["ingest", "--json"]
            .into_iter()
            .chain(inputs.iter().map(|p| p.to_str().unwrap()))
            .collect();
        let output = threatscape(&db, &args);
        let summary = json_of(&output);
        assert!(output.status.success(), "{summary:#}");
        let expected = independent_count(&inputs.iter().map(PathBuf::as_path).collect::<Vec<_>>());
        assert_eq!(
            summary["by_type"], expected["by_type"],
            "ingest of {inputs:?}"
        );
        assert_eq!(summary["objects"], expected["objects"]);
        assert_eq!(summary["rejected"], 0);
        assert_eq!(summary["files_rejected"], 0);
        // Objects with value-level errors (the OASIS test data has three truncated base64
        // payloads) are kept and flagged, each with its place.
        let errors = summary["errors"].as_array().unwrap();
        assert_eq!(
            errors.len() as u64,
            summary["kept_with_errors"].as_u64().unwrap()
        );
        assert!(errors
            .iter()
            .all(|e| e["line"].is_u64() && e["pointer"].is_string()));
        // Identical SCOs repeated in one file are one version; everything else is stored as read.
        let stored = stats(&db)["total"].as_u64().unwrap();
        let read = summary["objects"].as_u64().unwrap();
        assert_eq!(stored, read - summary["unchanged"].as_u64().unwrap());
    }
}

#[test]
fn re_ingesting_a_file_changes_nothing() {
    let Some(ics) = shared_data("mitre-attack/ics-attack-18.1.json") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let ics = ics.to_str().unwrap();
    let first = json_of(&threatscape(&db, &["ingest", "--json", ics]));
    assert_eq!(first["new"], 1826);
    let before = stats(&db);
    let second = json_of(&threatscape(&db, &["ingest", "--json", ics]));
    assert_eq!(second["new"], 0);
    assert_eq!(second["unchanged"], 1826);
    assert_eq!(stats(&db), before);
}

/// Objects of a bundle, as canonical JSON strings, sorted (bundle ids differ between exports).
fn canonical_objects(bundle: &Path) -> Vec<String> {
    let bundle: Value = serde_json::from_slice(&std::fs::read(bundle).unwrap()).unwrap();
    let mut objects: Vec<String> = bundle["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| serde_json::to_string(o).unwrap())
        .collect();
    objects.sort();
    objects
}

#[test]
fn export_round_trips_byte_equal_and_passes_the_oasis_validator() {
    let (Some(ics), Some(examples), Some(testdata), Some(validator)) = (
        shared_data("mitre-attack/ics-attack-18.1.json"),
        shared_data("stix2-json-schemas/examples"),
        shared_data("stix2-python-testdata"),
        shared_peer("validate-stix"),
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let first_db = dir.path().join("first.db");
    let second_db = dir.path().join("second.db");
    let first_out = dir.path().join("first.json");
    let second_out = dir.path().join("second.json");
    let ingest = threatscape(
        &first_db,
        &[
            "ingest",
            ics.to_str().unwrap(),
            examples.to_str().unwrap(),
            testdata.to_str().unwrap(),
        ],
    );
    assert!(
        ingest.status.success(),
        "{}",
        String::from_utf8_lossy(&ingest.stdout)
    );
    let export = |db: &Path, out: &Path| {
        let o = threatscape(
            db,
            &[
                "export",
                "stix",
                "--json",
                "--max-tlp",
                "RED",
                "--out",
                out.to_str().unwrap(),
            ],
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        json_of(&o)
    };
    // The three OASIS test artifacts with truncated base64 payloads were kept, flagged; an export
    // withholds them so that what leaves is valid STIX.
    let first_report = export(&first_db, &first_out);
    assert_eq!(first_report["withheld_invalid"], 3);
    let reingest = threatscape(
        &second_db,
        &["ingest", "--json", first_out.to_str().unwrap()],
    );
    let summary = json_of(&reingest);
    assert_eq!(
        summary["repaired"], 0,
        "an export needs no repair: {summary:#}"
    );
    export(&second_db, &second_out);
    let (a, b) = (
        canonical_objects(&first_out),
        canonical_objects(&second_out),
    );
    assert_eq!(
        a.len() as u64,
        stats(&first_db)["total"].as_u64().unwrap() - 3
    );
    assert!(a == b, "the second export differs from the first");

    let verdict = Command::new(validator)
        .arg(&first_out)
        .output()
        .expect("the OASIS validator runs");
    assert!(
        verdict.status.success(),
        "the OASIS validator rejects our export:\n{}{}",
        String::from_utf8_lossy(&verdict.stdout),
        String::from_utf8_lossy(&verdict.stderr)
    );
}

#[test]
fn export_withholds_material_above_the_requested_tlp() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let input = dir.path().join("in.json");
    std::fs::write(
        &input,
        r#"{"type":"bundle","id":"bundle--6b2a5c4a-7f0e-4f57-9d68-4a1c2c3d1a11","objects":[
            {"type":"campaign","spec_version":"2.1","id":"campaign--1b2a5c4a-7f0e-4f57-9d68-4a1c2c3d1a11","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","name":"Open campaign"},
            {"type":"campaign","spec_version":"2.1","id":"campaign--2b2a5c4a-7f0e-4f57-9d68-4a1c2c3d1a11","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","name":"Red campaign","object_marking_refs":["marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"]}
        ]}"#,
    )
    .unwrap();
    assert!(threatscape(&db, &["ingest", input.to_str().unwrap()])
        .status
        .success());
    let out = dir.path().join("out.json");
    let export = |max: &str| {
        let o = threatscape(
            &db,
            &[
                "export",
                "stix",
                "--json",
                "--max-tlp",
                max,
                "--out",
                out.to_str().unwrap(),
            ],
        );
        assert!(o.status.success());
        (json_of(&o), canonical_objects(&out))
    };
    let (report, objects) = export("AMBER+STRICT");
    assert_eq!(report["withheld_above_max_tlp"], 1);
    assert_eq!(objects.len(), 1);
    assert!(objects[0].contains("Open campaign"));
    let (_, objects) = export("RED");
    assert_eq!(objects.len(), 2);
    // A contributor's declared level raises unmarked objects.
    let db2 = dir.path().join("t2.db");
    assert!(
        threatscape(&db2, &["ingest", "--tlp", "amber", input.to_str().unwrap()])
            .status
            .success()
    );
    assert_eq!(
        stats(&db2)["by_tlp"],
        serde_json::json!({"AMBER": 1, "RED": 1})
    );
}

/// Each malformed input: exit code 1, an error naming the file and a place, the store unchanged.
#[test]
fn malformed_input_is_refused_with_its_place_and_leaves_the_store_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let good = r#"{"type":"campaign","spec_version":"2.1","id":"campaign--1b2a5c4a-7f0e-4f57-9d68-4a1c2c3d1a11","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","name":"Fine"}"#;
    let seed = dir.path().join("seed.json");
    std::fs::write(&seed, good).unwrap();
    assert!(threatscape(&db, &["ingest", seed.to_str().unwrap()])
        .status
        .success());
    let before = stats(&db);

    let good_object = |id: u8| good.replace("1b2a5c4a", &format!("{id:02x}2a5c4a"));
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "broken.json",
            format!("[{},\n{{\"type\": \"campaign\",, }}]", good_object(2)).into_bytes(),
            "line 2",
        ),
        (
            "wrong-type.json",
            format!(
                "[{},\n{}]",
                good_object(3),
                good_object(4).replace("\"name\":\"Fine\"", "\"name\":42")
            )
            .into_bytes(),
            "/1/name",
        ),
        (
            "missing-property.json",
            format!(
                "[{},\n{}]",
                good_object(5),
                good_object(6).replace(",\"name\":\"Fine\"", "")
            )
            .into_bytes(),
            "/1",
        ),
        (
            "deep.json",
            format!(
                "[{},\n{}]",
                good_object(7),
                good_object(8).replace("\"Fine\"", &deep)
            )
            .into_bytes(),
            "line 2",
        ),
        (
            "utf8.json",
            [
                format!("[{},\n", good_object(9)).as_bytes(),
                b"{\"type\":\"campaign\",\"name\":\"\xff\xfe\"}]",
            ]
            .concat(),
            "line 2",
        ),
        (
            "huge.json",
            format!(
                "[{},\n{}]",
                good_object(11),
                good_object(12).replace("Fine", &"x".repeat(50 << 20))
            )
            .into_bytes(),
            "larger than",
        ),
    ];
    for (name, bytes, place) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let output = threatscape(&db, &["ingest", "--json", path.to_str().unwrap()]);
        let summary = json_of(&output);
        assert_eq!(output.status.code(), Some(1), "{name}: {summary:#}");
        let errors = summary["errors"].as_array().unwrap();
        assert!(!errors.is_empty(), "{name}");
        let described = errors
            .iter()
            .map(|e| {
                format!(
                    "line {} {} {}",
                    e["line"],
                    e["pointer"].as_str().unwrap_or(""),
                    e["message"]
                )
            })
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            errors
                .iter()
                .all(|e| e["file"].as_str().unwrap().ends_with(name)),
            "{name}"
        );
        assert!(
            described.contains(place),
            "{name}: expected {place:?} in:\n{described}"
        );
        assert_eq!(summary["new"], 0, "{name}");
        assert_eq!(stats(&db), before, "{name} changed the store");
    }
}

/// `migrate` copies a whole store and verifies it; into PostgreSQL too when a server is here.
#[test]
fn migrate_copies_a_store_and_verifies_it() {
    let Some(cfr) = shared_data("cfr-cyber-operations/cyber-operations-incidents.csv") else {
        return;
    };
    let Some(ics) = shared_data("mitre-attack/ics-attack-18.1.json") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let from = dir.path().join("from.db");
    let to = dir.path().join("to.db");
    assert!(threatscape(
        &from,
        &["ingest", ics.to_str().unwrap(), cfr.to_str().unwrap()]
    )
    .status
    .success());
    let copy = |target: &str| {
        let o = Command::new(env!("CARGO_BIN_EXE_threatscape"))
            .args([
                "migrate",
                "--json",
                "--from",
                from.to_str().unwrap(),
                "--to",
                target,
            ])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        json_of(&o)
    };
    let verified = copy(to.to_str().unwrap());
    assert_eq!(verified["objects"]["count"], 1826);
    // 768 CFR operations and the 8 ATT&CK ICS campaigns.
    assert_eq!(verified["reports"]["count"], 776);
    assert_eq!(stats(&to), stats(&from));
    // A second copy into the same, no longer empty, store is refused and changes nothing.
    let again = Command::new(env!("CARGO_BIN_EXE_threatscape"))
        .args([
            "migrate",
            "--from",
            from.to_str().unwrap(),
            "--to",
            to.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert_eq!(stats(&to), stats(&from));
}

/// `migrate --from sqlite:PATH --to postgres://...` and back: everything arrives, users and their
/// tokens included (a token issued on SQLite opens the API of a server on PostgreSQL), and the
/// round trip reproduces every count and checksum.
#[test]
fn migrate_to_postgres_and_back_keeps_accounts() {
    let Some(database) =
        threatscape_testkit::ScratchDatabase::create("PostgreSQL tests of the CLI")
    else {
        return;
    };
    let pg = database.url();
    let dir = tempfile::tempdir().unwrap();
    let from = dir.path().join("from.db");
    let back = dir.path().join("back.db");
    let examples = threatscape_testkit::workspace_root().join("examples/demo-incidents.json");
    assert!(threatscape(&from, &["ingest", examples.to_str().unwrap()])
        .status
        .success());
    let mut add = Command::new(env!("CARGO_BIN_EXE_threatscape"))
        .args([
            "--db",
            from.to_str().unwrap(),
            "user",
            "add",
            "--name",
            "ana",
            "--org",
            "CERT-A",
            "--role",
            "analyst",
            "--clearance",
            "amber",
            "--password-stdin",
        ])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    add.stdin
        .take()
        .unwrap()
        .write_all(b"a-long-test-password\n")
        .unwrap();
    assert!(add.wait().unwrap().success());
    let token = threatscape(
        &from,
        &["token", "create", "--user", "ana", "--label", "laptop"],
    );
    assert!(
        token.status.success(),
        "{}",
        String::from_utf8_lossy(&token.stderr)
    );
    // Only the secret goes to standard output.
    let token = String::from_utf8(token.stdout).unwrap().trim().to_string();
    assert!(token.len() >= 32, "{token}");
    let migrate = |from: &str, to: &str| {
        let o = Command::new(env!("CARGO_BIN_EXE_threatscape"))
            .args(["migrate", "--json", "--from", from, "--to", to])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        json_of(&o)
    };
    let there = migrate(&format!("sqlite:{}", from.display()), &pg);
    assert_eq!(there["users"]["count"], 1);
    assert!(there["objects"]["count"].as_u64().unwrap() > 300);
    let again = migrate(&pg, back.to_str().unwrap());
    assert_eq!(
        again, there,
        "the round trip keeps every count and checksum"
    );
    assert_eq!(stats(&back), stats(&from));
    // The token issued on SQLite works against a server on the PostgreSQL copy.
    let server = Server::start(&pg);
    let ok = ureq::get(&format!("{}/taxii2/", server.base))
        .set("Authorization", &format!("Bearer {token}"))
        .call();
    assert!(ok.is_ok(), "{ok:?}");
    let wrong = ureq::get(&format!("{}/taxii2/", server.base))
        .set("Authorization", "Bearer not-a-token")
        .call();
    assert!(
        matches!(wrong, Err(ureq::Error::Status(401, _))),
        "{wrong:?}"
    );
}

/// The well-known incidents reported by several trackers come out as one incident each, and an
/// analyst's decision holds when reconciliation runs again.
#[test]
fn reconcile_then_export_incidents_with_analyst_decisions() {
    let (Some(eurepoc), Some(cfr)) = (
        shared_data("eurepoc/EuRepoC_Global_Database_1.1.csv"),
        shared_data("cfr-cyber-operations/cyber-operations-incidents.csv"),
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    assert!(threatscape(
        &db,
        &["ingest", eurepoc.to_str().unwrap(), cfr.to_str().unwrap()]
    )
    .status
    .success());
    let summary = json_of(&threatscape(&db, &["reconcile", "--json"]));
    assert_eq!(summary["reports"], 1643 + 768);
    let out = dir.path().join("incidents.json");
    let incident_of = |needle: &str| -> Vec<String> {
        let o = threatscape(
            &db,
            &["export", "incidents", "--out", out.to_str().unwrap()],
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let incidents: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
        let found: Vec<&Value> = incidents
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| {
                i["reports"].as_array().unwrap().iter().any(|r| {
                    r["report"]["title"]
                        .as_str()
                        .unwrap()
                        .to_lowercase()
                        .contains(needle)
                })
            })
            .collect();
        assert!(!found.is_empty(), "no incident mentions {needle}");
        found[0]["reports"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["key"].as_str().unwrap().to_string())
            .collect()
    };
    // Each incident carries its assessment, with the evidence behind every label.
    let o = threatscape(
        &db,
        &["export", "incidents", "--out", out.to_str().unwrap()],
    );
    assert!(o.status.success());
    let incidents: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let wannacry = incidents
        .as_array()
        .unwrap()
        .iter()
        .find(|i| {
            i["title"]
                .as_str()
                .unwrap_or("")
                .to_lowercase()
                .contains("wannacry")
        })
        .expect("a WannaCry incident");
    assert!(
        wannacry["threat_kinds"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k.as_str().unwrap().starts_with("ransomware")),
        "{:#}",
        wannacry["threat_kinds"]
    );
    assert!(wannacry["assessment"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["judgments"].as_array().is_some_and(|j| !j.is_empty())));
    let notpetya = incident_of("notpetya");
    let formats: std::collections::BTreeSet<&str> = notpetya
        .iter()
        .map(|k| k.split(':').next().unwrap())
        .collect();
    assert!(
        formats.contains("eurepoc") && formats.contains("cfr"),
        "{notpetya:?}"
    );
    // An analyst says the CFR record is a different incident; the next run keeps them apart.
    let cfr_key = notpetya
        .iter()
        .find(|k| k.starts_with("cfr:"))
        .unwrap()
        .clone();
    let eurepoc_key = notpetya
        .iter()
        .find(|k| k.starts_with("eurepoc:"))
        .unwrap()
        .clone();
    let unlink = threatscape(
        &db,
        &[
            "reconcile",
            "unlink",
            &cfr_key,
            &eurepoc_key,
            "--reason",
            "test",
        ],
    );
    assert!(unlink.status.success());
    let after = incident_of("notpetya");
    assert!(
        !(after.contains(&cfr_key) && after.contains(&eurepoc_key)),
        "{after:?}"
    );
    assert_eq!(
        json_of(&threatscape(&db, &["reconcile", "--json"]))["decisions"],
        1
    );
}

#[test]
fn backup_and_restore_round_trip() {
    let Some(cfr) = shared_data("cfr-cyber-operations/cyber-operations-incidents.csv") else {
        return;
    };
    let Some(ics) = shared_data("mitre-attack/ics-attack-18.1.json") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("live.db");
    let backup = dir.path().join("backup.db");
    let restored = dir.path().join("restored.db");
    assert!(threatscape(
        &db,
        &["ingest", ics.to_str().unwrap(), cfr.to_str().unwrap()]
    )
    .status
    .success());
    let made = threatscape(&db, &["backup", "--out", backup.to_str().unwrap()]);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    // A backup never overwrites.
    assert!(
        !threatscape(&db, &["backup", "--out", backup.to_str().unwrap()])
            .status
            .success()
    );
    let back = threatscape(&restored, &["restore", backup.to_str().unwrap()]);
    assert!(
        back.status.success(),
        "{}",
        String::from_utf8_lossy(&back.stderr)
    );
    assert_eq!(stats(&restored), stats(&db));
    let exported = |db: &Path, name: &str| {
        let out = dir.path().join(name);
        assert!(threatscape(
            db,
            &[
                "export",
                "stix",
                "--max-tlp",
                "RED",
                "--out",
                out.to_str().unwrap()
            ]
        )
        .status
        .success());
        canonical_objects(&out)
    };
    assert!(exported(&db, "a.json") == exported(&restored, "b.json"));
    // Restoring into a store that is not empty is refused and changes nothing.
    assert!(
        !threatscape(&restored, &["restore", backup.to_str().unwrap()])
            .status
            .success()
    );
    assert_eq!(stats(&restored), stats(&db));
}

/// Writes `copies` STIX bundles made of the ICS objects with fresh ids; returns their paths and
/// object counts.
fn generated_bundles(dir: &Path, ics: &Path, copies: usize) -> Vec<(PathBuf, u64)> {
    let bundle: Value = serde_json::from_slice(&std::fs::read(ics).unwrap()).unwrap();
    let objects = bundle["objects"].as_array().unwrap();
    (0..copies)
        .map(|n| {
            let text = serde_json::to_string(objects).unwrap();
            // Every UUID gets a copy-specific last group, consistently, so references still hold.
            let text = regex_free_rewrite(&text, n);
            let path = dir.join(format!("copy-{n}.json"));
            std::fs::write(&path, format!("{{\"type\":\"bundle\",\"id\":\"bundle--00000000-0000-4000-8000-{n:012}\",\"objects\":{text}}}")).unwrap();
            (path, objects.len() as u64)
        })
        .collect()
}

/// Replaces the last 4 hex digits of every `--<uuid>` with the copy number, keeping UUIDs valid.
fn regex_free_rewrite(text: &str, copy: usize) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("--") {
        let (head, tail) = rest.split_at(at + 2);
        out.push_str(head);
        let uuid_like =
            tail.len() >= 36 && tail.as_bytes()[8] == b'-' && tail.as_bytes()[13] == b'-';
        if uuid_like {
            out.push_str(&tail[..32]);
            out.push_str(&format!("{:04x}", copy % 0xffff));
            rest = &tail[36..];
        } else {
            rest = tail;
        }
    }
    out.push_str(rest);
    out
}

/// SIGKILL at random moments during ingest: each file is wholly in or wholly out, the database
/// passes its integrity check, and ingesting again completes.
#[test]
fn killed_ingest_leaves_each_file_wholly_in_or_out() {
    let Some(ics) = shared_data("mitre-attack/ics-attack-18.1.json") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let files = generated_bundles(dir.path(), &ics, 4);
    let db = dir.path().join("killed.db");
    let paths: Vec<&str> = files.iter().map(|(p, _)| p.to_str().unwrap()).collect();
    // A deterministic spread of kill moments, from the very start to past the end of a run.
    let mut totals = std::collections::BTreeSet::new();
    for round in 0..12u64 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_threatscape"))
            .arg("--db")
            .arg(&db)
            .arg("ingest")
            .args(&paths)
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(40 + (round * 97) % 900));
        let _ = child.kill();
        let _ = child.wait();
        let store = threatscape_store::SqliteStore::open(&db).unwrap();
        store.integrity_check().unwrap();
        let total: u64 =
            threatscape_store::Store::counts_by_type(&store, threatscape_model::Tlp::Red)
                .unwrap()
                .values()
                .sum();
        // Every file has the same number of objects: the total must be a whole number of files.
        let per_file = files[0].1;
        assert_eq!(
            total % per_file,
            0,
            "round {round}: {total} objects is not a whole number of files"
        );
        totals.insert(total);
    }
    // The kills must have landed before or during a run at least once, or this proved nothing.
    let all: u64 = files.iter().map(|(_, n)| n).sum();
    assert!(
        totals.iter().any(|t| *t < all),
        "no kill interrupted an ingest: {totals:?}"
    );
    let o = threatscape(
        &db,
        &["ingest", "--json"]
            .into_iter()
            .chain(paths.iter().copied())
            .collect::<Vec<_>>(),
    );
    assert!(o.status.success());
    assert_eq!(
        stats(&db)["total"].as_u64().unwrap(),
        files.iter().map(|(_, n)| n).sum::<u64>()
    );
}

/// `demo` builds the store from the compiled-in dataset, from any folder, and refuses to clobber it.
#[test]
fn demo_prepares_a_store_with_the_curated_incidents() {
    let dir = tempfile::tempdir().unwrap();
    let demo_dir = dir.path().join("demo");
    let run = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_threatscape"))
            .current_dir(dir.path())
            .args(["demo", "--no-serve", "--dir", demo_dir.to_str().unwrap()])
            .args(extra)
            .output()
            .unwrap()
    };
    let first = run(&[]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let text = String::from_utf8_lossy(&first.stdout);
    for account in ["reader", "analyst", "cert", "admin"] {
        assert!(text.contains(account), "{text}");
    }
    let incidents: Value =
        serde_json::from_slice(&std::fs::read(demo_dir.join("incidents.json")).unwrap()).unwrap();
    let incidents = incidents.as_array().unwrap();
    assert!(incidents.len() >= 50, "{} incidents", incidents.len());
    // The public export never carries the fictional restricted material.
    assert!(incidents.iter().all(|i| i["tlp"] == "CLEAR"));
    let db = demo_dir.join("demo.db");
    assert_eq!(
        stats(&db)["by_tlp"]["RED"].as_u64().map(|n| n > 0),
        Some(true)
    );
    // The public briefing of 2022, in every format, carries nothing restricted.
    let briefings = demo_dir.join("briefings");
    let pdf = std::fs::read(briefings.join("briefing-2022-public.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let html = std::fs::read_to_string(briefings.join("briefing-2022-public.html")).unwrap();
    assert!(html.contains("TLP:CLEAR") && html.contains("2022"));
    // The fictional AMBER and RED contributions are marked "(fictional)"; none reaches a public file.
    for name in [
        "briefing-2022-public.html",
        "briefing-2022-public.json",
        "briefing-2022-public.md",
        "briefing-2022-public.stix.json",
    ] {
        let text = std::fs::read_to_string(briefings.join(name)).unwrap();
        assert!(
            !text.contains("(fictional)"),
            "{name} carries restricted material"
        );
        assert!(
            !text.contains("EXAMPLE-APT-1"),
            "{name} carries restricted material"
        );
    }
    // The cryptocurrency thefts of 2022 (Ronin, Harmony) are attributed to the DPRK, and the
    // briefing counts the assessment's link to the 1718 regime beside the attribution.
    let json: Value = serde_json::from_str(
        &std::fs::read_to_string(briefings.join("briefing-2022-public.json")).unwrap(),
    )
    .unwrap();
    let crypto = json["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "cryptocurrency")
        .unwrap();
    let figure = |id: &str| {
        crypto["figures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == id)
            .unwrap_or_else(|| panic!("no figure {id} in {crypto}"))
            .clone()
    };
    assert_eq!(figure("crypto.all")["count"], 2);
    assert_eq!(figure("crypto.prk")["count"], 2);
    let sanctions = figure("crypto.sanctions");
    assert_eq!(sanctions["count"], 2, "{sanctions}");
    assert!(sanctions["text"].as_str().unwrap().contains("1718"));
    // Counts read as English: one incident, not "1 incidents".
    let md = std::fs::read_to_string(briefings.join("briefing-2022-public.md")).unwrap();
    assert!(
        !md.contains(" 1 incidents") && !md.contains(" 1 reports"),
        "{md}"
    );
    // A second run keeps the store unless told to reset it.
    assert!(!run(&[]).status.success());
    assert!(run(&["--reset"]).status.success());
}

/// A `threatscape serve` process, killed when dropped.
struct Server {
    child: std::process::Child,
    base: String,
}

impl Server {
    fn start(db: &str) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        // Owned by `Server` at once, so a failed start still kills and reaps the process.
        let server = Server {
            child: Command::new(env!("CARGO_BIN_EXE_threatscape"))
                .args(["--db", db, "serve", "--addr", &format!("127.0.0.1:{port}")])
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap(),
            base: format!("http://127.0.0.1:{port}"),
        };
        for _ in 0..100 {
            let probe = ureq::get(&format!("{}/taxii2/", server.base)).call();
            if probe.is_err_and(|e| matches!(e, ureq::Error::Status(401, _))) {
                return server;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("the server on port {port} did not start");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Two `serve` processes on one PostgreSQL database, concurrent clients adding objects through
/// both: nothing lost, nothing stored twice, each add job done exactly once, and every status
/// readable from either process.
#[test]
fn two_servers_on_one_postgres_database() {
    let Some(database) =
        threatscape_testkit::ScratchDatabase::create("PostgreSQL tests of the CLI")
    else {
        return;
    };
    let db = database.url();
    let mut add_user = Command::new(env!("CARGO_BIN_EXE_threatscape"))
        .args([
            "--db",
            &db,
            "user",
            "add",
            "--name",
            "loader",
            "--org",
            "Test CERT",
            "--role",
            "contributor",
            "--clearance",
            "green",
            "--password-stdin",
        ])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    add_user
        .stdin
        .take()
        .unwrap()
        .write_all(b"a-long-test-password\n")
        .unwrap();
    assert!(add_user.wait().unwrap().success());
    let servers = [Server::start(&db), Server::start(&db)];
    let auth = format!("Basic {}", base64_of("loader:a-long-test-password"));
    let campaign = |id: String| {
        serde_json::json!({"type": "campaign", "spec_version": "2.1", "id": id,
            "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z", "name": "load test"})
    };
    // Every envelope repeats the same two shared objects first, so concurrent writes overlap.
    let shared = [
        campaign("campaign--ffffffff-ffff-4fff-8fff-00000000000a".into()),
        campaign("campaign--ffffffff-ffff-4fff-8fff-00000000000b".into()),
    ];
    let (clients, envelopes, per_envelope) = (4usize, 5usize, 20usize);
    let statuses: Vec<(usize, String)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..clients)
            .map(|client| {
                let (servers, auth, shared) = (&servers, &auth, &shared);
                scope.spawn(move || {
                    (0..envelopes)
                        .map(|e| {
                            let mut objects = shared.to_vec();
                            objects.extend((0..per_envelope).map(|n| {
                                campaign(format!(
                                    "campaign--{client:08x}-{e:04x}-4000-8000-{n:012x}"
                                ))
                            }));
                            let server = (client + e) % 2;
                            let response: Value = ureq::post(&format!(
                                "{}/threatscape/collections/tlp-clear/objects/",
                                servers[server].base
                            ))
                            .set("Authorization", auth)
                            .set("Accept", "application/taxii+json;version=2.1")
                            .set("Content-Type", "application/taxii+json;version=2.1")
                            .send_string(&serde_json::json!({"objects": objects}).to_string())
                            .expect("the add is accepted")
                            .into_json()
                            .unwrap();
                            (server, response["id"].as_str().unwrap().to_string())
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert_eq!(statuses.len(), clients * envelopes);
    for (server, id) in &statuses {
        // Ask the other process: the status lives in the shared store.
        let other = &servers[1 - server];
        let status: Value = ureq::get(&format!("{}/threatscape/status/{id}/", other.base))
            .set("Authorization", &auth)
            .set("Accept", "application/taxii+json;version=2.1")
            .call()
            .unwrap()
            .into_json()
            .unwrap();
        assert_eq!(status["status"], "complete", "{status:#}");
        assert_eq!(
            status["success_count"],
            (per_envelope + 2) as u64,
            "{status:#}"
        );
        assert_eq!(status["failure_count"], 0, "{status:#}");
    }
    browser_session_across_processes(&servers);
    drop(servers);
    let stored = stats(Path::new(&db))["by_type"]["campaign"]
        .as_u64()
        .unwrap();
    assert_eq!(
        stored,
        (clients * envelopes * per_envelope + 2) as u64,
        "nothing lost, nothing twice"
    );
    let mut client = postgres::Client::connect(&db, postgres::NoTls).unwrap();
    let jobs: Vec<(String, i64)> = client
        .query("SELECT state, count(*) FROM jobs GROUP BY state", &[])
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(
        jobs,
        vec![("done".to_string(), (clients * envelopes) as i64)],
        "each job done once"
    );
}

/// A browser signs in through one process and is signed in on the other; signing out on that
/// one ends the session on both (sessions live in the store, not in a process).
fn browser_session_across_processes(servers: &[Server; 2]) {
    let agent = ureq::AgentBuilder::new().redirects(0).build();
    let csrf_of = |page: &str| {
        let field = r#"name="csrf" value=""#;
        let at = page.find(field).expect("a form with its CSRF token") + field.len();
        page[at..].split('"').next().unwrap().to_string()
    };
    let cookie_of = |r: &ureq::Response| {
        let set = r.header("set-cookie").expect("a cookie is set");
        set.split(';').next().unwrap().to_string()
    };
    let form = agent
        .get(&format!("{}/login", servers[0].base))
        .call()
        .unwrap();
    let anonymous = cookie_of(&form);
    let csrf = csrf_of(&form.into_string().unwrap());
    let signed_in = agent
        .post(&format!("{}/login", servers[1].base))
        .set("Cookie", &anonymous)
        .send_form(&[
            ("csrf", &csrf),
            ("user", "loader"),
            ("password", "a-long-test-password"),
        ])
        .unwrap();
    assert_eq!(
        signed_in.status(),
        303,
        "signed in through the second process"
    );
    let session = cookie_of(&signed_in);
    assert_ne!(session, anonymous, "a fresh secret at sign-in");
    let page = |server: &Server| {
        agent
            .get(&format!("{}/contributions", server.base))
            .set("Cookie", &session)
            .call()
            .unwrap()
    };
    for server in servers {
        let r = page(server);
        assert_eq!(r.status(), 200, "signed in on {}", server.base);
        let body = r.into_string().unwrap();
        assert!(body.contains("loader"), "the page names the user");
    }
    let csrf = csrf_of(&page(&servers[0]).into_string().unwrap());
    let out = agent
        .post(&format!("{}/logout", servers[0].base))
        .set("Cookie", &session)
        .send_form(&[("csrf", &csrf)])
        .unwrap();
    assert_eq!(out.status(), 303);
    for server in servers {
        let r = page(server);
        assert_eq!(r.status(), 303, "signed out on {} too", server.base);
        assert_eq!(r.header("location"), Some("/login"));
    }
}

fn base64_of(text: &str) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let b = text.as_bytes();
    let mut out = String::new();
    for chunk in b.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, x)| acc | (*x as u32) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}
