//! Record streams on every backend: numbering, optimistic appends, listing, refusals, and
//! concurrent writers (threads standing in for server processes).

use serde_json::json;
use threatscape_model::Tlp;
use threatscape_store::{
    AuditEntry, Store, StoreError, ASSESSMENT_DECISION_STREAM, RECONCILE_DECISION_ACTION,
};

use super::more_checks::SharedDatabase;

pub(crate) fn run(open: &dyn Fn() -> Box<dyn Store>) {
    numbers_entries_from_one_and_reads_after_a_number(&mut *open());
    an_expected_number_guards_against_a_moved_stream(&mut *open());
    lists_names_by_prefix_taking_wildcards_literally(&mut *open());
    refuses_bad_names_and_numbers(&mut *open());
    the_change_marker_moves_with_what_derivations_read(&mut *open());
    finds_jobs_left_running_past_their_lease(&mut *open());
    keeps_a_derivation_for_the_marker_it_was_made_at(&mut *open());
    reads_the_latest_report_of_each_key_asked(&mut *open());
}

pub(crate) fn run_shared(new_database: &dyn Fn() -> SharedDatabase) {
    concurrent_appenders_get_every_number_once(&new_database());
}

fn numbers_entries_from_one_and_reads_after_a_number(store: &mut dyn Store) {
    assert!(store.read_stream("debate:m1", 0).unwrap().is_empty());
    for n in 1..=3 {
        let seq = store
            .append_to_stream("debate:m1", "sec", None, &json!({ "event": n }))
            .unwrap();
        assert_eq!(seq, n);
    }
    assert_eq!(
        store
            .append_to_stream("debate:m2", "sec", None, &json!("other"))
            .unwrap(),
        1,
        "each stream is numbered on its own"
    );
    let all = store.read_stream("debate:m1", 0).unwrap();
    assert_eq!(
        all.iter()
            .map(|e| (e.seq, e.body["event"].as_i64().unwrap()))
            .collect::<Vec<_>>(),
        [(1, 1), (2, 2), (3, 3)]
    );
    assert!(all
        .iter()
        .all(|e| e.stream == "debate:m1" && e.actor == "sec"));
    // Times are UTC with milliseconds, like every other time the store gives out.
    assert!(
        all[0].recorded_at.len() == 24 && all[0].recorded_at.ends_with('Z'),
        "{}",
        all[0].recorded_at
    );
    let later = store.read_stream("debate:m1", 2).unwrap();
    assert_eq!(later.len(), 1);
    assert_eq!(later[0].seq, 3);
    // Bodies come back as written, nested values and unicode included.
    let body = json!({"text": "Déclaration — «cyber»", "n": [1, 2.5, null], "ok": true});
    store.append_to_stream("s", "a", None, &body).unwrap();
    assert_eq!(store.read_stream("s", 0).unwrap()[0].body, body);
}

fn an_expected_number_guards_against_a_moved_stream(store: &mut dyn Store) {
    assert_eq!(
        store
            .append_to_stream("assessment-decisions", "ana", Some(1), &json!("first"))
            .unwrap(),
        1
    );
    // Someone who read the empty stream and decided on it is refused, and nothing is written.
    let stale = store.append_to_stream("assessment-decisions", "bob", Some(1), &json!("stale"));
    match stale {
        Err(StoreError::StreamConflict {
            stream,
            expected,
            next,
        }) => {
            assert_eq!(
                (stream.as_str(), expected, next),
                ("assessment-decisions", 1, 2)
            );
        }
        other => panic!("expected a stream conflict, got {other:?}"),
    }
    let skipping = store.append_to_stream("assessment-decisions", "bob", Some(5), &json!("gap"));
    assert!(matches!(
        skipping,
        Err(StoreError::StreamConflict { next: 2, .. })
    ));
    assert_eq!(
        store.read_stream("assessment-decisions", 0).unwrap().len(),
        1
    );
    assert_eq!(
        store
            .append_to_stream("assessment-decisions", "bob", Some(2), &json!("second"))
            .unwrap(),
        2
    );
}

fn lists_names_by_prefix_taking_wildcards_literally(store: &mut dyn Store) {
    for name in [
        "debate:2024-06-20",
        "debate:2024-10-01",
        "debates",
        "taxii-pull:x",
        "de%bate",
        "de_bate",
    ] {
        store
            .append_to_stream(name, "t", None, &json!(null))
            .unwrap();
    }
    store
        .append_to_stream("debate:2024-06-20", "t", None, &json!(2))
        .unwrap();
    assert_eq!(
        store.stream_names("debate:").unwrap(),
        ["debate:2024-06-20", "debate:2024-10-01"]
    );
    assert_eq!(store.stream_names("de%").unwrap(), ["de%bate"]);
    assert_eq!(store.stream_names("de_").unwrap(), ["de_bate"]);
    assert_eq!(store.stream_names("").unwrap().len(), 6);
    assert!(store.stream_names("nothing").unwrap().is_empty());
}

fn refuses_bad_names_and_numbers(store: &mut dyn Store) {
    for (name, expected) in [
        ("", None),
        ("a\nb", None),
        ("ok", Some(0)),
        ("ok", Some(-3)),
    ] {
        let r = store.append_to_stream(name, "t", expected, &json!(1));
        assert!(
            matches!(r, Err(StoreError::Invalid(_))),
            "{name:?} {expected:?}: {r:?}"
        );
    }
    let long = "x".repeat(600);
    assert!(matches!(
        store.append_to_stream(&long, "t", None, &json!(1)),
        Err(StoreError::Invalid(_))
    ));
    assert!(
        store.stream_names("").unwrap().is_empty(),
        "nothing was written"
    );
}

/// Four connections append to one stream at once, half of them read-decide-append with an
/// expected number and retry on conflict: every entry lands once, numbered 1..=N without gaps.
fn concurrent_appenders_get_every_number_once(db: &SharedDatabase) {
    const WRITERS: usize = 4;
    const EACH: usize = 40;
    let connect = &*db.connect;
    let start = std::sync::Barrier::new(WRITERS);
    std::thread::scope(|s| {
        for w in 0..WRITERS {
            let start = &start;
            s.spawn(move || {
                let store = std::panic::catch_unwind(std::panic::AssertUnwindSafe(connect));
                start.wait();
                let mut store = store.unwrap_or_else(|e| std::panic::resume_unwind(e));
                for i in 0..EACH {
                    let body = json!({ "writer": w, "i": i });
                    if w % 2 == 0 {
                        store.append_to_stream("race", "w", None, &body).unwrap();
                        continue;
                    }
                    loop {
                        let next = store.read_stream("race", 0).unwrap().len() as i64 + 1;
                        match store.append_to_stream("race", "w", Some(next), &body) {
                            Ok(seq) => {
                                assert_eq!(seq, next);
                                break;
                            }
                            Err(StoreError::StreamConflict { .. }) => continue,
                            Err(e) => panic!("{e}"),
                        }
                    }
                }
            });
        }
    });
    let store = (db.connect)();
    let entries = store.read_stream("race", 0).unwrap();
    assert_eq!(
        entries.iter().map(|e| e.seq).collect::<Vec<_>>(),
        (1..=(WRITERS * EACH) as i64).collect::<Vec<_>>()
    );
    let mut bodies: Vec<String> = entries.iter().map(|e| e.body.to_string()).collect();
    bodies.sort();
    bodies.dedup();
    assert_eq!(bodies.len(), WRITERS * EACH, "each entry once");
}

fn the_change_marker_moves_with_what_derivations_read(store: &mut dyn Store) {
    let start = store.change_marker().unwrap();
    assert_eq!(start, Default::default());
    // Objects and ordinary audit entries (an export, a read of restricted material) do not move it.
    super::write(
        store,
        vec![super::version(
            super::A,
            "2020-01-01T00:00:00.000Z",
            Tlp::Clear,
            "x",
        )],
    );
    store.audit(&super::audit("an export")).unwrap();
    let quiet = store.change_marker().unwrap();
    assert_eq!(
        (quiet.reports, quiet.decisions, quiet.assessment_decisions),
        (0, 0, 0)
    );
    super::write_reports(
        store,
        vec![super::report("cfr", Some("1"), "NotPetya", Tlp::Clear)],
    );
    let after_report = store.change_marker().unwrap();
    assert!(after_report.reports > 0);
    store
        .audit(&AuditEntry {
            actor: "ana".into(),
            action: RECONCILE_DECISION_ACTION.into(),
            subject: "cfr:1".into(),
            detail: json!({"decision": {"split": {"key": "cfr:1"}}}),
        })
        .unwrap();
    let after_decision = store.change_marker().unwrap();
    assert!(after_decision.decisions > 0 && after_decision.reports == after_report.reports);
    // A meeting's events or a briefing edition are not read by the landscape: the marker stays.
    store
        .append_to_stream("debate:m1", "sec", None, &json!({"event": "opened"}))
        .unwrap();
    assert_eq!(store.change_marker().unwrap(), after_decision);
    store
        .append_to_stream(ASSESSMENT_DECISION_STREAM, "ana", None, &json!({}))
        .unwrap();
    let after_stream = store.change_marker().unwrap();
    assert_eq!(after_stream.assessment_decisions, 1);
    assert_ne!(after_stream, after_decision);
}

fn keeps_a_derivation_for_the_marker_it_was_made_at(store: &mut dyn Store) {
    let empty = store.change_marker().unwrap();
    assert_eq!(store.derivation("reconciliation", &empty).unwrap(), None);
    store
        .put_derivation("reconciliation", &empty, b"first")
        .unwrap();
    assert_eq!(
        store
            .derivation("reconciliation", &empty)
            .unwrap()
            .as_deref(),
        Some(&b"first"[..])
    );
    assert_eq!(store.derivation("other", &empty).unwrap(), None);
    // A report written: the kept body is stale for the new marker.
    super::write_reports(
        store,
        vec![super::report("cfr", Some("9"), "Viasat", Tlp::Clear)],
    );
    let moved = store.change_marker().unwrap();
    assert_eq!(store.derivation("reconciliation", &moved).unwrap(), None);
    // Replacing keeps one body per name; binary bodies survive intact.
    let bytes: Vec<u8> = (0..=255u8).cycle().take(100_000).collect();
    store
        .put_derivation("reconciliation", &moved, &bytes)
        .unwrap();
    assert_eq!(
        store.derivation("reconciliation", &moved).unwrap(),
        Some(bytes)
    );
    assert_eq!(store.derivation("reconciliation", &empty).unwrap(), None);
    // Derivations are a cache: they do not move the marker themselves.
    assert_eq!(store.change_marker().unwrap(), moved);
}

fn reads_the_latest_report_of_each_key_asked(store: &mut dyn Store) {
    super::write_reports(
        store,
        vec![
            super::report("cfr", Some("1"), "NotPetya", Tlp::Clear),
            super::report("cfr", Some("2"), "WannaCry", Tlp::Red),
            super::report("eurepoc", Some("3"), "Viasat", Tlp::Green),
        ],
    );
    // A new version of cfr:1.
    super::write_reports(
        store,
        vec![super::report(
            "cfr",
            Some("1"),
            "NotPetya (revised)",
            Tlp::Amber,
        )],
    );
    let got = store
        .reports_by_keys(&["eurepoc:3", "cfr:1", "cfr:2", "cfr:404"])
        .unwrap();
    let seen: Vec<(String, &str, Tlp)> = got
        .iter()
        .map(|r| (r.key(), r.title.as_str(), r.tlp))
        .collect();
    assert_eq!(
        seen,
        vec![
            ("cfr:2".to_string(), "WannaCry", Tlp::Red),
            ("eurepoc:3".to_string(), "Viasat", Tlp::Green),
            ("cfr:1".to_string(), "NotPetya (revised)", Tlp::Amber),
        ],
        "latest versions, whatever their level, in ingest order; unknown keys skipped"
    );
    // More keys than one statement takes.
    let many: Vec<String> = (0..1200).map(|n| format!("native:{n}")).collect();
    let refs: Vec<&str> = many.iter().map(String::as_str).chain(["cfr:2"]).collect();
    assert_eq!(store.reports_by_keys(&refs).unwrap().len(), 1);
    assert!(store.reports_by_keys(&[]).unwrap().is_empty());
}

fn finds_jobs_left_running_past_their_lease(store: &mut dyn Store) {
    let add = store
        .enqueue_job("taxii-add", &json!({"count": 2}))
        .unwrap();
    let other = store.enqueue_job("brief", &json!({})).unwrap();
    let queued = store
        .enqueue_job("taxii-add", &json!({"count": 1}))
        .unwrap();
    assert!(store.claim_job_id(add, "server-1").unwrap());
    assert!(store.claim_job_id(other, "server-1").unwrap());
    assert!(
        store.stale_jobs("taxii-add", 60_000).unwrap().is_empty(),
        "within the lease"
    );
    std::thread::sleep(std::time::Duration::from_millis(30));
    let stale = store.stale_jobs("taxii-add", 10).unwrap();
    assert_eq!(
        stale.iter().map(|j| j.id).collect::<Vec<_>>(),
        [add],
        "not the queued one, not another kind"
    );
    assert_eq!(stale[0].payload["count"], 2);
    store.finish_job(add, &json!({"settled": true})).unwrap();
    assert!(store.stale_jobs("taxii-add", 10).unwrap().is_empty());
    let _ = queued;
}
