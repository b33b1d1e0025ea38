//! The derivation on the project's demo data (in the repository, so this always runs): incidents
//! assessed from released reports only, analysts' decisions applied, and the cache refreshing
//! exactly when the store changes.

use serde_json::json;
use threatscape_assess::{Assessor, Decision, Dimension, Verdict};
use threatscape_ingest::{collect_inputs, ingest, Options};
use threatscape_landscape::{Cached, Landscape, ASSESSMENT_DECISION_STREAM};
use threatscape_model::Tlp;
use threatscape_reconcile::Reconciler;
use threatscape_store::{SqliteStore, Store};

fn demo_store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(dir.path().join("demo.db")).unwrap();
    let examples = threatscape_testkit::workspace_root().join("examples");
    let inputs = collect_inputs(&[
        examples.join("demo-incidents.json"),
        examples.join("demo-restricted.json"),
    ]);
    let summary = ingest(&mut store, &inputs, &Options::default(), &mut |_| {}).unwrap();
    assert_eq!(summary.files_rejected, 0, "{summary:?}");
    (dir, store)
}

fn incident_titled(l: &Landscape, needle: &str) -> usize {
    (0..l.incidents().len())
        .find(|&i| {
            l.released(i, Tlp::Clear)
                .iter()
                .any(|r| r.title.contains(needle))
        })
        .unwrap_or_else(|| panic!("no incident titled like {needle}"))
}

#[test]
fn releases_and_assesses_per_level_and_applies_decisions() {
    let (_dir, mut store) = demo_store();
    let cache = Cached::new(Reconciler::default());
    let first = cache.get(&store).unwrap();
    assert!(first.incidents().len() >= 70, "{}", first.incidents().len());
    // Restricted contributions exist, and a public reader never sees them.
    let restricted: Vec<usize> = (0..first.incidents().len())
        .filter(|&i| first.released(i, Tlp::Clear).is_empty())
        .collect();
    assert!(
        !restricted.is_empty(),
        "the demo holds AMBER and RED contributions"
    );
    for &i in &restricted {
        assert!(first.assess(Assessor::builtin(), i, Tlp::Clear).is_none());
        assert!(first.assess(Assessor::builtin(), i, Tlp::Red).is_some());
    }
    // Nothing changed: the same derivation is reused.
    assert!(std::sync::Arc::ptr_eq(&first, &cache.get(&store).unwrap()));

    let viasat = incident_titled(&first, "Viasat");
    let before = first
        .assess(Assessor::builtin(), viasat, Tlp::Clear)
        .unwrap();
    assert!(before
        .labels(Dimension::Conflict)
        .contains(&"russia-ukraine"));
    let key = first.released(viasat, Tlp::Clear)[0].key();
    let decision = Decision {
        incident: key,
        dimension: Dimension::Conflict,
        label: "russia-ukraine".into(),
        verdict: Verdict::Reject,
        reason: "test: an analyst disagrees".into(),
        analyst: "ana".into(),
        recorded_at: None,
        seq: None,
    };
    store
        .append_to_stream(ASSESSMENT_DECISION_STREAM, "ana", None, &json!(decision))
        .unwrap();
    // The decision moved the change marker: the next read derives afresh and applies it.
    let second = cache.get(&store).unwrap();
    assert!(!std::sync::Arc::ptr_eq(&first, &second));
    assert_eq!(second.assessment_decisions.len(), 1);
    let after = second
        .assess(Assessor::builtin(), viasat, Tlp::Clear)
        .unwrap();
    assert!(!after
        .labels(Dimension::Conflict)
        .contains(&"russia-ukraine"));
    // The machine's finding stays visible beside the analyst's verdict.
    let finding = after
        .finding(Dimension::Conflict, "russia-ukraine")
        .unwrap();
    assert!(!finding.judgments.is_empty());
}

#[test]
fn an_unreadable_decision_stops_the_derivation_naming_it() {
    let (_dir, mut store) = demo_store();
    store
        .append_to_stream(
            ASSESSMENT_DECISION_STREAM,
            "x",
            None,
            &json!({"nonsense": 1}),
        )
        .unwrap();
    let err = Landscape::load(&store, &Reconciler::default()).unwrap_err();
    assert!(
        err.to_string()
            .contains("entry 1 of the assessment-decisions stream"),
        "{err}"
    );
}
