//! `threatscape assess` on the project's demo incidents: findings with their rules and evidence,
//! conflict, agenda and norm links, and analysts' decisions that later runs apply.

use std::path::Path;

use serde_json::Value;
use threatscape_testkit::workspace_root;

use crate::{json_of, threatscape};

/// A store holding the demo incidents.
fn demo_store(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("assess.db");
    let bundle = workspace_root().join("examples/demo-incidents.json");
    ingest(
        &db,
        &[
            bundle.to_str().unwrap(),
            "--contributor",
            "Demo desk",
            "--contributor-type",
            "un-system",
        ],
    );
    db
}

/// `threatscape ingest` with these arguments, which must succeed.
fn ingest(db: &Path, args: &[&str]) {
    let out = threatscape(db, &[&["ingest"], args].concat());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn assessed(db: &Path, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["assess", "--json"];
    args.extend_from_slice(extra);
    let out = threatscape(db, &args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    json_of(&out).as_array().expect("an array").clone()
}

fn by_title<'a>(items: &'a [Value], needle: &str) -> &'a Value {
    items
        .iter()
        .find(|i| i["title"].as_str().unwrap().contains(needle))
        .unwrap_or_else(|| panic!("no incident titled with {needle:?}"))
}

/// The finding of (dimension, label) in an incident's assessment.
fn finding<'a>(incident: &'a Value, dimension: &str, label: &str) -> Option<&'a Value> {
    incident["assessment"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["dimension"] == dimension && f["label"] == label)
}

fn counts(f: &Value) -> bool {
    match f["decision"]["verdict"].as_str() {
        Some("reject") => false,
        Some(_) => true,
        None => f["confidence"].as_f64().unwrap() >= 0.5,
    }
}

#[test]
fn assess_prints_links_with_rationales_and_applies_decisions() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_store(dir.path());
    let all = assessed(&db, &[]);
    assert!(all.len() >= 70, "{} incidents", all.len());

    let viasat = by_title(&all, "Viasat KA-SAT");
    for (d, l) in [
        ("conflict", "russia-ukraine"),
        ("conflict", "russia-ukraine.full-scale-invasion"),
        ("spill-over", "russia-ukraine"),
        ("agenda", "ukraine-2022"),
    ] {
        let f = finding(viasat, d, l).unwrap_or_else(|| panic!("Viasat: no {d}:{l}"));
        assert!(counts(f), "{f}");
        assert!(!f["judgments"][0]["evidence"].as_array().unwrap().is_empty());
    }
    let ronin = by_title(&all, "Ronin bridge");
    let dprk = finding(ronin, "agenda", "nonprolif-dprk").expect("Ronin: 1718 regime");
    assert!(dprk["judgments"][0]["evidence"][0]
        .as_str()
        .unwrap()
        .contains("1718"));

    // --period keeps the incidents that occurred within it; --incident one incident.
    let feb_2022 = assessed(&db, &["--period", "2022-02"]);
    assert!(feb_2022
        .iter()
        .any(|i| i["title"].as_str().unwrap().contains("Viasat")));
    assert!(feb_2022
        .iter()
        .all(|i| !i["title"].as_str().unwrap().contains("WannaCry")));
    let hse = by_title(&all, "Health Service Executive");
    let hse_key = hse["reports"][0].as_str().unwrap().to_string();
    let one = assessed(&db, &["--incident", &hse_key]);
    assert_eq!(one.len(), 1);
    assert!(counts(
        finding(&one[0], "agenda", "poc").expect("HSE: protection of civilians")
    ));
    assert!(finding(&one[0], "norm", "f").is_none_or(|f| !counts(f)));

    // An analyst rejects one link and adds another; every later run applies both and keeps the
    // machine's judgment beside the rejection.
    let decide = |verb: &str, dimension: &str, label: &str| {
        threatscape(
            &db,
            &[
                "assess",
                verb,
                "--incident",
                &hse_key,
                "--dimension",
                dimension,
                "--label",
                label,
                "--reason",
                "read the sources",
                "--analyst",
                "analyst-1",
            ],
        )
    };
    let out = decide("reject", "agenda", "poc");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("recorded decision 1"));
    let out = decide("add", "agenda", "terrorism");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after = assessed(&db, &["--incident", &hse_key]);
    let poc = finding(&after[0], "agenda", "poc").unwrap();
    assert!(!counts(poc));
    assert_eq!(poc["decision"]["analyst"], "analyst-1");
    assert!(
        poc["confidence"].as_f64().unwrap() >= 0.5,
        "the machine's confidence stays"
    );
    assert!(!poc["judgments"].as_array().unwrap().is_empty());
    let added = finding(&after[0], "agenda", "terrorism").unwrap();
    assert!(counts(added) && added["judgments"].as_array().unwrap().is_empty());
    assert_eq!(
        after[0]["assessment"]["decisions"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // Other incidents are untouched.
    let viasat_after = by_title(&assessed(&db, &[]), "Viasat KA-SAT").clone();
    assert!(viasat_after["assessment"]["decisions"].is_null());

    // The table names the analyst beside the machine's rule.
    let table = threatscape(&db, &["assess", "--incident", &hse_key]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("rejected by analyst-1"), "{text}");
    assert!(text.contains("link:poc.health-disrupted"), "{text}");

    // Wrong decisions are refused with the reason, and nothing is recorded.
    let out = decide("confirm", "norm", "c");
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("use `assess add`"));
    let out = decide("add", "agenda", "no-such-item");
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a agenda label"));
    let out = threatscape(
        &db,
        &[
            "assess",
            "add",
            "--incident",
            "stix:incident--nope",
            "--dimension",
            "norm",
            "--label",
            "f",
            "--reason",
            "x",
        ],
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("no stored report has the key"));
    let after = assessed(&db, &["--incident", &hse_key]);
    assert_eq!(
        after[0]["assessment"]["decisions"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

/// A coded value no vocabulary reads is not dropped: the table names it under its incident with
/// its place, the summary counts it, the JSON carries it; the values that are read make findings.
#[test]
fn a_coded_value_nothing_reads_is_listed_not_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("unread.db");
    let csv = dir.path().join("reports.csv");
    std::fs::write(
        &csv,
        "title,occurred_start,victim_name,victim_sector,kinds,tlp\n\
         Port systems encrypted,2025-03-02,Harbour authority,transport;spaceport catering,ransomware;moon-bounce,CLEAR\n",
    )
    .unwrap();
    ingest(
        &db,
        &[
            "--format",
            "native",
            csv.to_str().unwrap(),
            "--contributor",
            "Test CERT",
            "--contributor-type",
            "member-state",
        ],
    );
    let items = assessed(&db, &[]);
    let a = &items[0]["assessment"];
    let unread: Vec<(&str, &str, &str)> = a["unread"]
        .as_array()
        .expect("unread values listed")
        .iter()
        .map(|u| {
            (
                u["dimension"].as_str().unwrap(),
                u["place"].as_str().unwrap(),
                u["value"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        unread,
        vec![
            ("sector", "victims[0].sectors", "spaceport catering"),
            ("threat", "kinds", "moon-bounce"),
        ]
    );
    assert!(counts(
        finding(&items[0], "sector", "transport").expect("transport")
    ));
    assert!(counts(
        finding(&items[0], "threat", "ransomware").expect("ransomware")
    ));

    let out = threatscape(&db, &["assess", "--format", "table"]);
    assert!(out.status.success());
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("unread     sector victims[0].sectors: \"spaceport catering\" (native:"),
        "{table}"
    );
    assert!(
        table.contains("; 2 coded value(s) no vocabulary reads"),
        "{table}"
    );

    // An analyst's own crosswalk, in the folder `--assess-data` names, reads the value: a
    // finding rests on it now, and it is no longer unread.
    let data = dir.path().join("assess-data");
    std::fs::create_dir_all(data.join("crosswalks")).unwrap();
    std::fs::write(
        data.join("crosswalks/sector-local.csv"),
        "vocabulary,source_label,canonical,relation,confidence,notes
         local,spaceport catering,commercial.hospitality,narrower,0.9,Our own word.
",
    )
    .unwrap();
    let items = assessed(&db, &["--assess-data", data.to_str().unwrap()]);
    let hospitality = finding(&items[0], "sector", "commercial.hospitality").expect("read");
    assert_eq!(
        hospitality["judgments"][0]["rule_id"],
        "crosswalk:local:spaceport catering"
    );
    let unread = items[0]["assessment"]["unread"].as_array().unwrap();
    assert_eq!(unread.len(), 1);
    assert_eq!(unread[0]["value"], "moon-bounce");
}

/// Beside the victims a report codes, a sector its description only names is a mention: shown by
/// `--all-findings` as "mentioned only" with its reason, not counted, and counted once an analyst
/// confirms it.
#[test]
fn a_sector_only_mentioned_is_shown_and_counts_once_confirmed() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_store(dir.path());
    let all = assessed(&db, &[]);
    // "to fund its nuclear and missile programmes": the bridge theft hit no nuclear sector.
    let harmony = by_title(&all, "Harmony's Horizon bridge");
    assert!(counts(
        finding(harmony, "sector", "finance").expect("finance")
    ));
    let nuclear = finding(harmony, "sector", "energy.nuclear").expect("the mention is shown");
    assert!(!counts(nuclear), "{nuclear}");
    let j = &nuclear["judgments"][0];
    assert!(j["rule_id"].as_str().unwrap().starts_with("mention:rule:"));
    assert!(
        j["evidence"].to_string().contains("a mention"),
        "{}",
        j["evidence"]
    );
    // No agenda item or norm rests on a mention.
    assert!(finding(harmony, "agenda", "nonprolif").is_none_or(|f| !counts(f)));

    let key = harmony["reports"][0].as_str().unwrap().to_string();
    let table = threatscape(&db, &["assess", "--all-findings", "--incident", &key]);
    let text = String::from_utf8_lossy(&table.stdout);
    let line = text
        .lines()
        .find(|l| l.contains("energy.nuclear"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains("mentioned only"), "{line}");
    assert!(
        text.contains("a mention: the report codes its victims' sectors"),
        "{text}"
    );

    let out = threatscape(
        &db,
        &[
            "assess",
            "confirm",
            "--incident",
            &key,
            "--dimension",
            "sector",
            "--label",
            "energy.nuclear",
            "--reason",
            "the source says a nuclear operator's wallet was drained",
            "--analyst",
            "analyst-2",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after = assessed(&db, &["--incident", &key]);
    assert!(counts(
        finding(&after[0], "sector", "energy.nuclear").unwrap()
    ));
}
