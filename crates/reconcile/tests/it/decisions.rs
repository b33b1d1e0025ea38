//! Analyst decisions: applied by key, kept when reconciliation runs again on more data.

use threatscape_model::Report;
use threatscape_reconcile::{report_key, Decision, Reconciler, ANALYST_RULE};

use crate::support::r;

fn grid() -> Vec<Report> {
    let text = "Operators of three regional distribution companies lose control of breakers; \
                about two hundred thousand customers lose power for hours.";
    vec![
        r("eurepoc", "786", "Ukraine power outage 2015")
            .desc(text)
            .on("2015-12-23")
            .victim(None, Some("UKR"))
            .actor("Sandworm", Some("RUS"))
            .done(),
        r(
            "cfr",
            "cfr-610",
            "Compromise of a power grid in western Ukraine",
        )
        .desc(text)
        .on("2015-12-23")
        .victim(Some("Prykarpattyaoblenergo"), None)
        .done(),
        r("dcid", "209", "Sandworm BlackEnergy sabotage")
            .desc(text)
            .on("2015-12-24")
            .victim(None, Some("UKR"))
            .actor("Voodoo Bear", Some("RUS"))
            .done(),
    ]
}

fn unrelated() -> Vec<Report> {
    vec![
        r("cissm", "inc_1", "Town hall ransomware")
            .desc("A town hall is hit by ransomware; services closed.")
            .on("2019-11-09")
            .victim(Some("Dover"), None)
            .done(),
        r("cissm", "inc_2", "Defacement of a cricket board site")
            .desc("A cricket board website is defaced.")
            .on("2014-01-27")
            .done(),
        r("cfr", "cfr-1", "Espionage against a think tank")
            .desc("Mailboxes of a think tank are accessed.")
            .on("2016-11-08")
            .done(),
        r("eurepoc", "2000", "Turkish power outage")
            .desc("Electricity cuts across a city attributed to an attack.")
            .on("2016-12-01")
            .victim(None, Some("TUR"))
            .done(),
    ]
}

fn cluster_of(reports: &[Report], decisions: &[Decision], key: &str) -> Vec<String> {
    let out = Reconciler::default().reconcile(reports, decisions);
    let i = reports
        .iter()
        .position(|r| report_key(r) == key)
        .expect("key present");
    let of = out.incident_of();
    let mut keys: Vec<String> = out.incidents[of[i]]
        .members
        .iter()
        .map(|&m| report_key(&reports[m]))
        .collect();
    keys.sort();
    keys
}

/// The grid reports and the unrelated ones, unrelated first (so indexes shift between runs).
fn more_data() -> Vec<Report> {
    let mut v = unrelated();
    v.extend(grid());
    v.reverse();
    v
}

#[test]
fn without_decisions_the_grid_reports_merge() {
    assert_eq!(
        cluster_of(&grid(), &[], "eurepoc:786"),
        ["cfr:cfr-610", "dcid:209", "eurepoc:786"]
    );
    assert_eq!(
        cluster_of(&more_data(), &[], "eurepoc:786"),
        ["cfr:cfr-610", "dcid:209", "eurepoc:786"]
    );
}

#[test]
fn unlink_holds_across_runs() {
    let d = [Decision::Unlink {
        a: "eurepoc:786".into(),
        b: "dcid:209".into(),
    }];
    for reports in [grid(), more_data()] {
        let c = cluster_of(&reports, &d, "eurepoc:786");
        assert!(!c.contains(&"dcid:209".to_string()), "{c:?}");
        let c = cluster_of(&reports, &d, "dcid:209");
        assert!(!c.contains(&"eurepoc:786".to_string()), "{c:?}");
    }
}

#[test]
fn split_isolates_a_report_across_runs() {
    let d = [Decision::Split {
        report: "cfr:cfr-610".into(),
    }];
    for reports in [grid(), more_data()] {
        assert_eq!(cluster_of(&reports, &d, "cfr:cfr-610"), ["cfr:cfr-610"]);
        assert_eq!(
            cluster_of(&reports, &d, "eurepoc:786"),
            ["dcid:209", "eurepoc:786"]
        );
    }
}

#[test]
fn link_joins_what_rules_would_not_across_runs() {
    let d = [Decision::Link {
        a: "eurepoc:786".into(),
        b: "cissm:inc_2".into(),
    }];
    let reports = more_data();
    let c = cluster_of(&reports, &d, "cissm:inc_2");
    assert!(c.contains(&"eurepoc:786".to_string()), "{c:?}");
    let out = Reconciler::default().reconcile(&reports, &d);
    let forced: Vec<_> = out
        .incidents
        .iter()
        .flat_map(|c| &c.merges)
        .filter(|m| m.rule_version == ANALYST_RULE)
        .collect();
    assert_eq!(forced.len(), 1);
    assert!(
        forced[0].evidence[0].starts_with("analyst link"),
        "{:?}",
        forced[0].evidence
    );
    // On a run without the other report, the link waits and is reported, not lost.
    let out = Reconciler::default().reconcile(&grid(), &d);
    assert_eq!(out.decision_issues.len(), 1);
    assert!(out.decision_issues[0].reason.contains("cissm:inc_2"));
}

#[test]
fn later_decisions_override_earlier_ones() {
    let d = [
        Decision::Unlink {
            a: "eurepoc:786".into(),
            b: "dcid:209".into(),
        },
        Decision::Link {
            a: "dcid:209".into(),
            b: "eurepoc:786".into(),
        },
    ];
    assert!(cluster_of(&more_data(), &d, "eurepoc:786").contains(&"dcid:209".to_string()));
    let d = [
        Decision::Link {
            a: "eurepoc:786".into(),
            b: "cissm:inc_2".into(),
        },
        Decision::Split {
            report: "cissm:inc_2".into(),
        },
    ];
    assert_eq!(cluster_of(&more_data(), &d, "cissm:inc_2"), ["cissm:inc_2"]);
}

#[test]
fn a_link_that_contradicts_an_unlink_is_reported_and_the_unlink_holds() {
    let d = [
        Decision::Unlink {
            a: "eurepoc:786".into(),
            b: "cissm:inc_2".into(),
        },
        Decision::Link {
            a: "eurepoc:786".into(),
            b: "cfr:cfr-610".into(),
        },
        Decision::Link {
            a: "cfr:cfr-610".into(),
            b: "cissm:inc_2".into(),
        },
    ];
    let reports = more_data();
    let out = Reconciler::default().reconcile(&reports, &d);
    let c = cluster_of(&reports, &d, "eurepoc:786");
    assert!(!c.contains(&"cissm:inc_2".to_string()), "{c:?}");
    assert!(c.contains(&"cfr:cfr-610".to_string()), "{c:?}");
    assert!(
        out.decision_issues
            .iter()
            .any(|i| i.reason.contains("unlink")),
        "{:?}",
        out.decision_issues
    );
}

#[test]
fn decisions_round_trip_as_json() {
    let d = vec![
        Decision::Link {
            a: "a:1".into(),
            b: "b:2".into(),
        },
        Decision::Unlink {
            a: "a:1".into(),
            b: "c:3".into(),
        },
        Decision::Split {
            report: "d:4".into(),
        },
    ];
    let json = serde_json::to_string(&d).unwrap();
    assert!(
        json.contains(r#"{"decision":"split","report":"d:4"}"#),
        "{json}"
    );
    let back: Vec<Decision> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, d);
}
