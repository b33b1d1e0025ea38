//! On the real trackers (skipped without ../shared/data): the famous incidents come out whole, and
//! precision and recall on the gold set reach their goals.

use std::sync::OnceLock;

use threatscape_model::Report;
use threatscape_reconcile::{Reconciler, Reconciliation};

use crate::{famous, gold, load};

struct Run {
    reports: Vec<Report>,
    out: Reconciliation,
}

/// The trackers reconciled once for every test of this module; None when the data is absent.
fn run() -> Option<&'static Run> {
    static RUN: OnceLock<Option<Run>> = OnceLock::new();
    RUN.get_or_init(|| {
        for (_, rel) in load::TRACKERS {
            threatscape_testkit::shared_data(rel)?;
        }
        let galaxy = threatscape_testkit::shared_data(load::GALAXY)?;
        let reports = load::load_trackers(&load::data_dir()).expect("trackers load");
        let rec = Reconciler::default()
            .with_aliases_from_misp_galaxy(galaxy)
            .expect("galaxy reads");
        let out = rec.reconcile(&reports, &[]);
        Some(Run { reports, out })
    })
    .as_ref()
}

#[test]
fn every_report_is_in_exactly_one_incident() {
    let Some(run) = run() else { return };
    let mut seen = vec![0u32; run.reports.len()];
    for c in &run.out.incidents {
        assert_eq!(c.merges.len() + 1, c.members.len());
        for &m in &c.members {
            seen[m] += 1;
        }
    }
    assert!(seen.iter().all(|&n| n == 1));
    assert!(run.reports.len() > 14_000, "{} reports", run.reports.len());
}

#[test]
fn famous_incidents_come_out_as_one_incident_each() {
    let Some(run) = run() else { return };
    let keys = gold::key_index(&run.reports);
    let of = run.out.incident_of();
    let mut failures = Vec::new();
    for f in famous::FAMOUS {
        let found: Vec<usize> = f
            .reports
            .iter()
            .map(|k| {
                gold::resolve(&run.reports, &keys, k)
                    .unwrap_or_else(|| panic!("{}: no report {k}", f.name))
            })
            .collect();
        let clusters: std::collections::BTreeSet<usize> = found.iter().map(|&i| of[i]).collect();
        match (clusters.len(), f.known_gap) {
            (1, _) => println!("{}: one incident with all {} reports", f.name, found.len()),
            (n, Some(gap)) => println!("{}: KNOWN GAP, {n} incidents: {gap}", f.name),
            (n, None) => failures.push(format!("{}: split over {n} incidents", f.name)),
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn gold_set_precision_and_recall() {
    let Some(run) = run() else { return };
    let pairs = gold::read_gold();
    assert!(pairs.len() >= 150, "{} gold pairs", pairs.len());
    let s = gold::evaluate(&run.reports, &run.out, &pairs);
    println!(
        "gold set: {} pairs; precision {:.3}, recall {:.3} (TP {} FP {} FN {} TN {})",
        pairs.len(),
        s.precision(),
        s.recall(),
        s.true_pos,
        s.false_pos,
        s.false_neg,
        s.true_neg
    );
    assert!(
        s.missing.is_empty(),
        "gold keys without a report: {:?}",
        s.missing
    );
    assert!(s.precision() >= 0.95, "precision {:.3}", s.precision());
    assert!(s.recall() >= 0.80, "recall {:.3}", s.recall());
}
