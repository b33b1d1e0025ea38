//! `threatscape eval` through the binary, on the shared datasets' human coding.

use std::process::Command;

use serde_json::Value;
use threatscape_testkit::shared_data;

fn eval(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_threatscape"))
        .arg("eval")
        .args(args)
        .output()
        .expect("the binary runs")
}

/// The task named `name` in an `eval --json` report.
fn task<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["task"] == name)
        .unwrap_or_else(|| panic!("no task {name:?} in {report}"))
}

/// A task's per-label row, if the label occurs.
fn label(task: &Value, label: &str) -> Option<Value> {
    task["labels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["label"] == label)
        .cloned()
}

/// The JSON report names the split rule and versions, scores every task of the three datasets on
/// the held-out split and DCID's (never seen in tuning or training) on every record, and its
/// figures are consistent with each other and with the per-label rows.
#[test]
fn eval_scores_every_task_on_the_held_out_split() {
    let (Some(_), Some(_), Some(_), Some(_)) = (
        shared_data("eurepoc/EuRepoC_Global_Database_1.1.csv"),
        shared_data("cfr-cyber-operations/cyber-operations-incidents.csv"),
        shared_data("cissm/CISSM_cleaned.csv"),
        shared_data("dcid/dcid_2.0_public_june2020.csv"),
    ) else {
        return;
    };
    let data = threatscape_testkit::workspace_root().join("../shared/data");
    let out = eval(&["--data", data.to_str().unwrap(), "--format", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["split"], "held-out");
    assert!(report["split_rule"].as_str().unwrap().contains("0 mod 5"));
    assert!(report["rules"]
        .as_str()
        .unwrap()
        .starts_with("assess-rules/"));
    assert!(report["model"].as_str().unwrap().starts_with("text-lr/"));
    let tasks = report["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 10, "{tasks:#?}");
    for dataset in ["eurepoc", "cfr", "cissm", "dcid"] {
        assert!(tasks.iter().any(|t| t["dataset"] == dataset));
    }
    for t in tasks {
        let expected = if t["dataset"] == "dcid" {
            "all"
        } else {
            "held-out"
        };
        assert_eq!(t["split"], expected, "{}", t["task"]);
    }
    // DCID's incident sheet has 429 incidents, all scored (a few have no target type coded).
    let dcid_objective = tasks
        .iter()
        .find(|t| t["task"] == "dcid threat kind (objective)")
        .unwrap();
    assert_eq!(dcid_objective["records"], 429);
    // Its two espionage codes are scored as one class, which the canonical espionage reaches.
    let espionage = dcid_objective["labels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["label"] == "Espionage")
        .unwrap();
    assert!(espionage["support"].as_u64().unwrap() > 200, "{espionage}");
    assert!(espionage["recall"].as_f64().unwrap() > 0.5, "{espionage}");
    for t in tasks {
        let records = t["records"].as_u64().unwrap();
        assert!(records > 50, "{t:#}");
        let f1 = t["macro_f1"].as_f64().unwrap();
        let labels = t["labels"].as_array().unwrap();
        // Macro-F1 is the mean F1 over the labels that occur in the gold coding.
        let occurring: Vec<f64> = labels
            .iter()
            .filter(|l| l["support"].as_u64().unwrap() > 0)
            .map(|l| l["f1"].as_f64().unwrap())
            .collect();
        let mean = occurring.iter().sum::<f64>() / occurring.len() as f64;
        assert!((mean - f1).abs() < 1e-9, "{}: {mean} vs {f1}", t["task"]);
        // Better than chance, not perfect: a real measurement.
        let top1 = t["top1_accuracy"].as_f64().unwrap();
        assert!((0.3..1.0).contains(&top1), "{t:#}");
        assert!(t["coverage"].as_f64().unwrap() <= 1.0);
    }
    // The held-out split is about a fifth of each dataset: CISSM has some 11,700 coded records.
    let cissm_threat = tasks
        .iter()
        .find(|t| t["task"].as_str().unwrap().starts_with("cissm threat"))
        .unwrap();
    let n = cissm_threat["records"].as_u64().unwrap();
    assert!((2000..2700).contains(&n), "{n}");

    // The rules alone (the "before" figures) are another measurement of the same records.
    let before = eval(&[
        "--data",
        data.to_str().unwrap(),
        "--format",
        "json",
        "--rules-only",
        "--against",
        "cfr",
    ]);
    let before: Value = serde_json::from_slice(&before.stdout).unwrap();
    assert_eq!(before["model"], Value::Null);
    let before_tasks = before["tasks"].as_array().unwrap();
    assert_eq!(before_tasks.len(), 2);
    assert!(before_tasks.iter().all(|t| t["dataset"] == "cfr"));
    let with_model = tasks
        .iter()
        .find(|t| t["task"] == before_tasks[0]["task"])
        .unwrap();
    assert_eq!(with_model["records"], before_tasks[0]["records"]);
}

/// Without the data, the command says which file is missing and where it looked, and fails.
#[test]
fn eval_without_data_names_the_missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = eval(&["--data", dir.path().to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("eurepoc"), "{err}");
    assert!(err.contains("EuRepoC_Global_Database_1.1.csv"), "{err}");
    assert!(err.contains("--data"), "{err}");
}

/// A file of the native template coded in the canonical vocabularies is scored whole, at the top
/// level, without the shared data; a file that cannot be scored whole is refused, naming the row
/// and the value.
#[test]
fn eval_scores_a_file_coded_in_the_canonical_vocabularies() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("coded.csv");
    // Hand-written records: the hospital is coded at the subsector level and must count as
    // health; the cryptocurrency theft as financial theft; the last row has no threat coding and
    // counts for the sector task only.
    std::fs::write(
        &file,
        "title,description,occurred_start,victim_name,victim_sector,kinds,tlp\n\
         Ransomware shuts down a regional hospital,Patients were diverted after the hospital's \
         systems were encrypted and a ransom demanded.,2024-03,Northfield General Hospital,\
         Hospitals and clinics,ransomware,CLEAR\n\
         Bank websites flooded,A botnet flooded the online banking portals of three banks for \
         hours.,2024-04,Three national banks,finance,ddos,CLEAR\n\
         Exchange drained of coins,Attackers stole cryptocurrency worth millions from an \
         exchange's hot wallet.,2022-06,CoinHub exchange,finance.crypto,\
         financial-theft.cryptocurrency,CLEAR\n\
         Power company reports an intrusion,The operator said its office network was accessed.,\
         2023-01,Eastgrid Power,energy,,CLEAR\n",
    )
    .unwrap();
    // `--json`, the issue's spelling, is `--format json`; the two together are refused.
    let out = eval(&["--coded", file.to_str().unwrap(), "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let spelt_out = eval(&["--coded", file.to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.stdout, spelt_out.stdout);
    let both = eval(&[
        "--coded",
        file.to_str().unwrap(),
        "--json",
        "--format",
        "table",
    ]);
    assert!(!both.status.success());
    assert!(String::from_utf8_lossy(&both.stderr).contains("--format"));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["split"], "all");
    assert_eq!(report["tasks"].as_array().unwrap().len(), 2);
    let sector = task(&report, "sector (top level)");
    assert_eq!(sector["records"], 4);
    let threat = task(&report, "threat kind (top level)");
    assert_eq!(threat["records"], 3);
    // Gold at the top level: two finance records (the exchange is finance.crypto), one health.
    assert_eq!(label(sector, "finance").unwrap()["support"], 2);
    assert_eq!(label(sector, "health").unwrap()["support"], 1);
    assert!(label(sector, "health.hospitals").is_none());
    assert_eq!(label(threat, "financial-theft").unwrap()["support"], 1);
    // These texts say plainly what happened and to whom: the rules find it.
    assert_eq!(label(sector, "health").unwrap()["recall"], 1.0);
    assert_eq!(label(threat, "ransomware").unwrap()["recall"], 1.0);
    assert_eq!(label(threat, "ddos").unwrap()["recall"], 1.0);

    // A value that is no canonical term: refused, naming the line and the value.
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "title,description,occurred_start,victim_name,victim_sector,kinds,tlp\n\
         A,Something happened.,2024,X,Hospitalz,ransomware,CLEAR\n",
    )
    .unwrap();
    let out = eval(&["--coded", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 2"), "{err}");
    assert!(err.contains("\"Hospitalz\""), "{err}");
    assert!(
        out.stdout.is_empty(),
        "no figures for a file not scored whole"
    );
}

/// `--assess-data` is what `eval` measures: an analyst's edited rules are scored before they are
/// relied on (here, a rule set given a version of its own); a folder that does not exist is
/// refused, never silently replaced by the built-in data.
#[test]
fn eval_measures_the_data_folder_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("assess-data");
    std::fs::create_dir(&data).unwrap();
    let rules = std::fs::read_to_string(
        threatscape_testkit::workspace_root().join("crates/assess/data/rules.toml"),
    )
    .unwrap();
    let version = rules
        .lines()
        .find(|l| l.starts_with("version = "))
        .expect("the rule set has a version");
    std::fs::write(
        data.join("rules.toml"),
        rules.replace(version, "version = \"cert-a/2026-12.1\""),
    )
    .unwrap();
    let file = dir.path().join("coded.csv");
    std::fs::write(
        &file,
        "title,description,occurred_start,victim_name,victim_sector,kinds,tlp\n\
         Bank websites flooded,A botnet flooded the online banking portals of three banks for \
         hours.,2024-04,Three national banks,finance,ddos,CLEAR\n",
    )
    .unwrap();
    let run = |folder: &std::path::Path| {
        Command::new(env!("CARGO_BIN_EXE_threatscape"))
            .arg("--assess-data")
            .arg(folder)
            .args(["eval", "--json", "--coded", file.to_str().unwrap()])
            .output()
            .unwrap()
    };
    let out = run(&data);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["rules"], "cert-a/2026-12.1");
    let missing = run(&dir.path().join("no-such-folder"));
    assert_eq!(missing.status.code(), Some(3));
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(
        err.contains("no-such-folder") && err.contains("no such folder"),
        "{err}"
    );
}

/// A human-coded file in a format the project reads, coded in its own labels (here VCDB's: a
/// NAICS industry and VERIS actions), is scored whole against that coding read through the
/// crosswalks, with no shared data: a NAICS 622110 clinic is gold health, data disclosed after a
/// hacking action is gold data theft. A coded value no crosswalk reads (a VERIS error, which is no
/// attack, even where it disclosed data) is listed with its count, and its record is left out of
/// that task only, never dropped silently.
#[test]
fn eval_scores_a_file_in_its_own_format_and_labels() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("vcdb.json");
    // `coding` is the record's `action` and, where given, its `attribute`.
    let incident = |id: &str, summary: &str, industry: &str, coding: &str| {
        format!(
            r#"{{"schema_version": "1.3.7", "incident_id": "{id}", "source_id": "vcdb",
            "summary": "{summary}", "timeline": {{"incident": {{"year": 2021}}}},
            "victim": {{"victim_id": "Victim {id}", "country": ["DE"], "industry": "{industry}"}},
            "action": {coding}}}"#
        )
    };
    let incidents = [
        incident(
            "clinic",
            "Ransomware encrypted the patient records system of a regional hospital, which \
             diverted ambulances for two days.",
            "622110",
            r#"{"malware": {"variety": ["Ransomware"]}}"#,
        ),
        incident(
            "bank",
            "A botnet flooded the online banking portal of a savings bank for six hours.",
            "522110",
            r#"{"hacking": {"variety": ["DoS"]}}"#,
        ),
        incident(
            "school",
            "A school sent pupils' grades to the wrong parents by email.",
            "611110",
            r#"{"error": {"variety": ["Misdelivery"]}},
               "attribute": {"confidentiality": {"data_disclosure": "Yes"}}"#,
        ),
        incident(
            "university",
            "An intruder broke into a university's network and stole the personal records of \
             30,000 students.",
            "611310",
            r#"{"hacking": {"variety": ["Exploit vuln"]}},
               "attribute": {"confidentiality": {"data_disclosure": "Yes"}}"#,
        ),
    ];
    std::fs::write(&file, format!("[{}]", incidents.join(",\n"))).unwrap();
    let out = eval(&["--coded", file.to_str().unwrap(), "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["format"], "veris");
    assert_eq!(report["split"], "all");
    let sector = task(&report, "sector (top level)");
    assert_eq!(sector["records"], 4);
    assert_eq!(label(sector, "health").unwrap()["support"], 1);
    assert_eq!(label(sector, "finance").unwrap()["support"], 1);
    assert_eq!(label(sector, "education-research").unwrap()["support"], 2);
    assert_eq!(label(sector, "health").unwrap()["recall"], 1.0);
    let threat = task(&report, "threat kind (top level)");
    assert_eq!(threat["records"], 3, "the misdelivery has no kind to score");
    assert_eq!(label(threat, "ransomware").unwrap()["recall"], 1.0);
    assert_eq!(label(threat, "ddos").unwrap()["recall"], 1.0);
    let theft = label(threat, "espionage").expect("the disclosure after hacking is data theft");
    assert_eq!(
        (theft["support"].as_u64(), theft["recall"].as_f64()),
        (Some(1), Some(1.0))
    );
    let left_out = report["left_out"].as_array().unwrap();
    assert!(
        left_out
            .iter()
            .any(|l| l["task"] == "threat kind (top level)" && l["records"] == 1),
        "{left_out:?}"
    );
    let unread = report["unread_values"].as_array().unwrap();
    assert_eq!(unread.len(), 1, "{unread:?}");
    assert_eq!(unread[0]["dimension"], "threat");
    assert_eq!(unread[0]["value"], "error:Misdelivery");
    assert_eq!(unread[0]["records"], 1);

    // The table says the same in words.
    let out = eval(&["--coded", file.to_str().unwrap()]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("every record of"), "{table}");
    assert!(table.contains("(veris;"), "{table}");
    assert!(
        table.contains("threat kind (top level): 1 record left out"),
        "{table}"
    );
    assert!(
        table.contains("- threat \"error:Misdelivery\": 1 record"),
        "{table}"
    );

    // A folder, as VCDB ships it (one file per incident), is every input file in it: the same
    // figures as the one file; a file in it that is no input is named on stderr, not scored.
    let folder = dir.path().join("vcdb");
    std::fs::create_dir(&folder).unwrap();
    for (i, one) in incidents.iter().enumerate() {
        std::fs::write(folder.join(format!("{i}.json")), one).unwrap();
    }
    std::fs::write(folder.join("README.md"), "VCDB export").unwrap();
    let out = eval(&["--coded", folder.to_str().unwrap(), "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let from_folder: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(from_folder["tasks"], report["tasks"]);
    assert_eq!(from_folder["unread_values"], report["unread_values"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("README.md"));

    // A task no record of the file can be scored on has no figure, not a zero.
    let errors_only = dir.path().join("errors.json");
    std::fs::write(&errors_only, format!("[{}]", incidents[2])).unwrap();
    let out = eval(&["--coded", errors_only.to_str().unwrap(), "--json"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let threat = task(&report, "threat kind (top level)");
    assert_eq!(threat["records"], 0);
    assert!(threat["macro_f1"].is_null(), "{threat}");
    assert!(threat["top1_accuracy"].is_null(), "{threat}");
    let out = eval(&["--coded", errors_only.to_str().unwrap()]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("| threat kind (top level) | 0 | - | - | - | - |"),
        "{table}"
    );

    // A file that is no format the project reads is refused, saying how to name one.
    let odd = dir.path().join("odd.json");
    std::fs::write(&odd, r#"{"hello": "world"}"#).unwrap();
    let out = eval(&["--coded", odd.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--coded-format"));
}

/// A tracker the rules were tuned on, given as a coded file, is scored on its held-out split
/// only, against its coding read into the canonical vocabulary.
#[test]
fn eval_scores_a_tuned_dataset_given_as_a_coded_file_on_its_held_out_split() {
    let Some(cissm) = shared_data("cissm/CISSM_cleaned.csv") else {
        return;
    };
    let out = eval(&["--coded", cissm.to_str().unwrap(), "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["format"], "cissm");
    assert_eq!(report["split"], "held-out");
    let sector = task(&report, "sector (top level)");
    // CISSM holds 11,918 records: the held-out fifth is scored, not the whole.
    let n = sector["records"].as_u64().unwrap();
    assert!((2_000..3_200).contains(&n), "{n}");
}
