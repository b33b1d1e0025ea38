//! More of the shared suite: edge cases of batches and search, jobs, copies between stores, and
//! checks that need several connections to one database (threads standing in for server processes).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;
use threatscape_model::{ContributorType, Tlp};
use threatscape_store::{
    fingerprint, migrate, Abort, BatchItem, JobState, NewRun, NewUser, ObjectFilter, ObjectVersion,
    OnConflict, ReportVersion, SqliteStore, Store, StoreError, WriteOutcome,
};

use super::{audit, report, version, write, write_reports, A, B};

/// The single-store checks, each on a fresh store from `open`.
pub(crate) fn run(open: &dyn Fn() -> Box<dyn Store>) {
    returns_canonical_json_byte_for_byte(&mut *open());
    reads_in_ingest_order_and_stops_when_asked(&mut *open());
    treats_repeats_and_conflicts_within_one_batch_like_separate_ones(&mut *open());
    large_batches_keep_every_outcome(&mut *open());
    search_folds_case_and_diacritics_and_takes_syntax_as_text(&mut *open());
    the_first_registration_of_a_contributor_holds(&mut *open());
    audits_each_batch_with_its_outcome(&mut *open());
    runs_jobs_through_their_states(&mut *open());
    copies_everything_there_and_back(&mut *open(), open);
    copies_only_into_an_empty_store(&mut *open(), open);
}

/// A database that several connections open at once, and what keeps it alive meanwhile.
pub(crate) struct SharedDatabase {
    /// Opens another connection to the database.
    pub connect: Box<dyn Fn() -> Box<dyn Store + Send> + Sync>,
    /// Dropped after the check (a temporary directory, a scratch schema).
    pub _keep: Box<dyn std::any::Any>,
}

/// The checks that need several connections, each on a fresh database from `new_database`.
pub(crate) fn run_shared(new_database: &dyn Fn() -> SharedDatabase) {
    each_job_runs_exactly_once(&new_database());
    concurrent_writers_store_each_version_once(&new_database());
    what_one_connection_writes_another_finds(&new_database());
    super::streams::run_shared(new_database);
}

fn objects(store: &dyn Store, max_tlp: Tlp) -> Vec<String> {
    let mut out = Vec::new();
    store
        .for_each_object(
            &ObjectFilter {
                types: vec![],
                max_tlp,
            },
            &mut |json| {
                out.push(json.to_string());
                Ok(())
            },
        )
        .unwrap();
    out
}

fn object_json(id: &str, modified: &str, name: &str, extra: &str) -> ObjectVersion {
    ObjectVersion {
        id: id.into(),
        modified: modified.into(),
        type_: id.split("--").next().unwrap().into(),
        tlp: Tlp::Clear,
        json: format!(
            r#"{{"id":"{id}","modified":"{modified}","name":"{name}","type":"malware"{extra}}}"#
        ),
        tag: 0,
    }
}

fn returns_canonical_json_byte_for_byte(store: &mut dyn Store) {
    let odd = object_json(
        A,
        "2020-01-01T00:00:00.000Z",
        "Café Olympic Destroyer",
        concat!(
            r#","description":"naïve façade — ✓ 🛰️ \"quoted\" back\\slash \n tab\t","#,
            r#""x_big":123456789012345678901234567890.000000000000000000001,"x_exp":1e-7,"#,
            r#""x_neg_zero":-0.0,"x_nul":"a\u0000b","x_not_nul":"\\u0000","x_nested":{"z":[1,{"b":null,"a":true}],"a":"é"}"#
        ),
    );
    let plain = object_json(B, "2020-01-01T00:00:00.000Z", "Plain", "");
    write(store, vec![odd.clone(), plain.clone()]);
    assert_eq!(objects(store, Tlp::Clear), vec![odd.json, plain.json]);
    // The object whose JSON holds an escaped NUL is indexed like any other.
    let hits = store.search("olympic destroyer", Tlp::Clear, 10).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].name.as_deref(), Some("Café Olympic Destroyer"));
    assert_eq!(store.search("façade", Tlp::Clear, 10).unwrap().len(), 1);
}

fn reads_in_ingest_order_and_stops_when_asked(store: &mut dyn Store) {
    write(
        store,
        vec![
            version(A, "2020-01-01T00:00:00.000Z", Tlp::Clear, "a1"),
            version(B, "2020-01-01T00:00:00.000Z", Tlp::Clear, "b1"),
        ],
    );
    write(
        store,
        vec![version(A, "2021-01-01T00:00:00.000Z", Tlp::Clear, "a2")],
    );
    let names: Vec<String> = objects(store, Tlp::Clear)
        .iter()
        .map(|j| serde_json::from_str::<serde_json::Value>(j).unwrap()["name"].to_string())
        .collect();
    assert_eq!(names, [r#""a1""#, r#""b1""#, r#""a2""#]);
    // A reader may use the store while it reads (a nested look-up), and stop it.
    let mut seen = 0;
    let reader: &dyn Store = store;
    let stopped = reader.for_each_object(
        &ObjectFilter {
            types: vec![],
            max_tlp: Tlp::Red,
        },
        &mut |_| {
            seen += 1;
            assert!(reader.contains_id(B).unwrap());
            Err(Abort("enough".into()))
        },
    );
    assert!(matches!(stopped, Err(StoreError::Aborted(why)) if why == "enough"));
    assert_eq!(seen, 1);
    write_reports(
        store,
        vec![
            report("cfr", Some("1"), "one", Tlp::Clear),
            report("cfr", Some("2"), "two", Tlp::Clear),
        ],
    );
    let mut titles = Vec::new();
    let stopped = store.for_each_report(Tlp::Clear, &mut |r| {
        titles.push(r.title.clone());
        Err(Abort("enough".into()))
    });
    assert!(matches!(stopped, Err(StoreError::Aborted(_))));
    assert_eq!(titles, ["one"]);
}

fn batch(
    store: &mut dyn Store,
    on_conflict: OnConflict,
    versions: Vec<ObjectVersion>,
) -> Result<WriteOutcome, StoreError> {
    let run = store.begin_run(&NewRun::default()).unwrap();
    store.write_batch(
        run,
        &audit("batch.json"),
        on_conflict,
        &mut versions.into_iter().map(|v| Ok(BatchItem::Object(v))),
    )
}

fn treats_repeats_and_conflicts_within_one_batch_like_separate_ones(store: &mut dyn Store) {
    let mut changed = version(A, "2020-01-01T00:00:00.000Z", Tlp::Clear, "y");
    changed.tag = 9;
    let outcome = batch(
        store,
        OnConflict::Skip,
        vec![
            version(A, "2020-01-01T00:00:00.000Z", Tlp::Clear, "x"),
            version(A, "2020-01-01T00:00:00.000Z", Tlp::Clear, "x"),
            changed,
            version(B, "2020-01-01T00:00:00.000Z", Tlp::Clear, "b"),
        ],
    )
    .unwrap();
    assert_eq!((outcome.new, outcome.unchanged), (2, 1));
    assert_eq!(
        outcome.conflicts.iter().map(|c| c.tag).collect::<Vec<_>>(),
        [9]
    );
    let rejected = batch(
        store,
        OnConflict::Reject,
        vec![
            version(
                B,
                "2021-01-01T00:00:00.000Z",
                Tlp::Clear,
                "kept only if the batch is",
            ),
            version(A, "2021-01-01T00:00:00.000Z", Tlp::Clear, "p"),
            version(A, "2021-01-01T00:00:00.000Z", Tlp::Clear, "q"),
        ],
    );
    assert!(
        matches!(&rejected, Err(StoreError::Conflict(c)) if c.id == A && c.modified == "2021-01-01T00:00:00.000Z"),
        "{rejected:?}"
    );
    assert_eq!(objects(store, Tlp::Red).len(), 2);
}

fn numbered(i: usize, name: &str) -> ObjectVersion {
    version(
        &format!("indicator--00000000-0000-4000-8000-{i:012}"),
        "2020-01-01T00:00:00.000Z",
        Tlp::Clear,
        name,
    )
}

fn large_batches_keep_every_outcome(store: &mut dyn Store) {
    const N: usize = 2500;
    let first = batch(
        store,
        OnConflict::Skip,
        (0..N).map(|i| numbered(i, "first")).collect(),
    )
    .unwrap();
    assert_eq!((first.new, first.unchanged), (N as u64, 0));
    // The same again, with a conflict far into the batch and a new version after it.
    let mut again: Vec<ObjectVersion> = (0..N).map(|i| numbered(i, "first")).collect();
    let mut conflicting = numbered(5, "changed without a new modified");
    conflicting.tag = 1700;
    again.insert(1700, conflicting);
    again.push(version(
        "indicator--00000000-0000-4000-8000-000000000005",
        "2021-01-01T00:00:00.000Z",
        Tlp::Clear,
        "second",
    ));
    let second = batch(store, OnConflict::Skip, again).unwrap();
    assert_eq!((second.new, second.unchanged), (1, N as u64));
    assert_eq!(
        second.conflicts.iter().map(|c| c.tag).collect::<Vec<_>>(),
        [1700]
    );
    // A rejected large batch keeps none of its earlier chunks.
    let mut rejected: Vec<ObjectVersion> = (N..2 * N).map(|i| numbered(i, "new")).collect();
    rejected.push(numbered(7, "changed without a new modified"));
    assert!(matches!(
        batch(store, OnConflict::Reject, rejected),
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        store.counts_by_type(Tlp::Red).unwrap().get("indicator"),
        Some(&(N as u64 + 1))
    );
    assert_eq!(objects(store, Tlp::Red).len(), N + 1);
}

fn search_folds_case_and_diacritics_and_takes_syntax_as_text(store: &mut dyn Store) {
    let mut described = version(
        "malware--44444444-4444-4444-8444-444444444444",
        "2020-01-01T00:00:00.000Z",
        Tlp::Clear,
        "KillDisk",
    );
    described.json = json!({
        "id": described.id, "type": "malware", "modified": described.modified, "name": "KillDisk",
        "description": "A wiper used against Ukrainian energy companies."
    })
    .to_string();
    write(
        store,
        vec![
            version(A, "2020-01-01T00:00:00.000Z", Tlp::Clear, "Sandworm Café"),
            version(
                B,
                "2020-01-01T00:00:00.000Z",
                Tlp::Clear,
                "SANDWORM toolkit",
            ),
            described,
        ],
    );
    let count = |store: &mut dyn Store, q: &str| store.search(q, Tlp::Clear, 10).unwrap().len();
    assert_eq!(count(store, "sandworm"), 2);
    assert_eq!(count(store, "cafe"), 1, "diacritics are folded");
    assert_eq!(count(store, "CAFÉ sandworm"), 1, "every word is required");
    assert_eq!(count(store, "ukrainian"), 1, "descriptions are searched");
    assert_eq!(store.search("sandworm", Tlp::Clear, 1).unwrap().len(), 1);
    for syntax in [
        "sandworm OR killdisk",
        "\"sandworm",
        "sand*",
        "-sandworm",
        "NEAR(sandworm",
        "name:sandworm",
        "(",
        "'",
    ] {
        // Taken as words, never as query syntax: no error, and no operator applied.
        let hits = store.search(syntax, Tlp::Clear, 10);
        assert!(hits.is_ok(), "{syntax}: {hits:?}");
    }
    assert_eq!(count(store, "sandworm OR killdisk"), 0, "OR is a word here");
}

fn the_first_registration_of_a_contributor_holds(store: &mut dyn Store) {
    let first = report("cfr", Some("1"), "one", Tlp::Clear);
    let mut second = report("cfr", Some("2"), "two", Tlp::Clear);
    second.contributor.type_ = ContributorType::Media;
    write_reports(store, vec![first]);
    write_reports(store, vec![second]);
    let contributors = store.contributors().unwrap();
    assert_eq!(contributors.len(), 1);
    assert_eq!(contributors[0].type_, ContributorType::Academia);
}

fn audits_each_batch_with_its_outcome(store: &mut dyn Store) {
    write(
        store,
        vec![version(A, "2020-01-01T00:00:00.000Z", Tlp::Clear, "x")],
    );
    let entry = &store.recent_audit(1).unwrap()[0];
    assert_eq!(
        (entry.action.as_str(), entry.subject.as_str()),
        ("ingest-file", "f.json")
    );
    assert_eq!(entry.detail["new"], 1);
    assert!(entry.detail["run"].is_i64());
    let mut conflicting = version(A, "2020-01-01T00:00:00.000Z", Tlp::Clear, "y");
    conflicting.tag = 1;
    assert!(batch(store, OnConflict::Reject, vec![conflicting]).is_err());
    assert_eq!(
        store.recent_audit(10).unwrap().len(),
        1,
        "a rejected batch leaves no audit entry"
    );
}

fn runs_jobs_through_their_states(store: &mut dyn Store) {
    assert_eq!(store.claim_job("w1").unwrap(), None);
    let first = store
        .enqueue_job("assess", &json!({"incident": 1}))
        .unwrap();
    let second = store.enqueue_job("brief", &json!(["x", 2])).unwrap();
    assert!(second > first);
    let queued = store.job(first).unwrap().unwrap();
    assert_eq!(queued.state, JobState::Queued);
    assert_eq!(queued.payload, json!({"incident": 1}));
    assert_eq!(queued.worker, None);
    let claimed = store.claim_job("w1").unwrap().unwrap();
    assert_eq!((claimed.id, claimed.kind.as_str()), (first, "assess"));
    assert_eq!(claimed.payload, json!({"incident": 1}));
    let running = store.job(first).unwrap().unwrap();
    assert_eq!(running.state, JobState::Running);
    assert_eq!(running.worker.as_deref(), Some("w1"));
    assert!(running.claimed.is_some() && running.finished.is_none());
    assert!(
        store.finish_job(second, &json!("early")).is_err(),
        "not claimed"
    );
    store.finish_job(first, &json!({"ok": true})).unwrap();
    assert!(
        store.finish_job(first, &json!("twice")).is_err(),
        "already done"
    );
    let done = store.job(first).unwrap().unwrap();
    assert_eq!(done.state, JobState::Done);
    assert_eq!(done.result, Some(json!({"ok": true})));
    assert!(done.finished.is_some());
    assert_eq!(store.claim_job("w2").unwrap().map(|j| j.id), Some(second));
    assert_eq!(store.claim_job("w2").unwrap(), None);
    assert_eq!(store.job(second + 1000).unwrap(), None);
}

/// Writes a little of everything a store keeps.
fn populate(store: &mut dyn Store) {
    let run = store
        .begin_run(&NewRun {
            contributor: Some("CERT-X".into()),
            contributor_type: Some(ContributorType::MemberState),
            declared_tlp: Some(Tlp::Amber),
            actor: "alice".into(),
            // Copied with the run, so the copy releases its RED material to the same readers.
            recipients: vec!["CERT-Y".into()],
        })
        .unwrap();
    let mut items: Vec<Result<BatchItem, Abort>> = vec![
        version(A, "2020-01-01T00:00:00.000Z", Tlp::Amber, "Shamoon"),
        version(A, "2021-01-01T00:00:00.000Z", Tlp::Red, "Shamoon 2"),
        version(B, "2020-01-01T00:00:00.000Z", Tlp::Clear, "Mimikatz"),
        version(
            "domain-name--3c10e93f-798e-5a26-a0c1-08156efab7f5",
            "",
            Tlp::Clear,
            "example.com",
        ),
    ]
    .into_iter()
    .map(|v| Ok(BatchItem::Object(v)))
    .collect();
    for r in [
        report("cfr", Some("7"), "NotPetya", Tlp::Clear),
        report("cfr", Some("7"), "NotPetya (corrected)", Tlp::Clear),
        report("eurepoc", None, "Wiper", Tlp::Amber),
    ] {
        items.push(Ok(BatchItem::Report(Box::new(ReportVersion {
            report: r,
            tag: 0,
        }))));
    }
    store
        .write_batch(
            run,
            &audit("everything.json"),
            OnConflict::Reject,
            &mut items.into_iter(),
        )
        .unwrap();
    store
        .finish_run(run, &json!({"files": 1, "ok": true}))
        .unwrap();
    store.begin_run(&NewRun::default()).unwrap(); // never finished
    store.audit(&audit("an export")).unwrap();
    let done = store.enqueue_job("assess", &json!({"n": 1})).unwrap();
    store.enqueue_job("brief", &json!({"n": 2})).unwrap();
    assert_eq!(store.claim_job("w").unwrap().unwrap().id, done);
    store.finish_job(done, &json!({"ok": 1.5})).unwrap();
    for (name, role, clearance) in [("ana", "analyst", Tlp::Red), ("rex", "reader", Tlp::Green)] {
        store
            .create_user(&NewUser {
                name: name.into(),
                organisation: "CERT-X".into(),
                role: role.into(),
                clearance,
                password_hash: format!("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA${name}"),
            })
            .unwrap();
    }
    store.add_token("ana", &"ab".repeat(32), "laptop").unwrap();
    store.add_token("ana", &"cd".repeat(32), "ci").unwrap();
    store
        .append_to_stream("debate:m1", "sec", None, &json!({"event": "created"}))
        .unwrap();
    store
        .append_to_stream(
            "debate:m1",
            "sec",
            Some(2),
            &json!({"event": "inscribed", "who": "FRA"}),
        )
        .unwrap();
    store
        .append_to_stream(
            "assessment-decisions",
            "ana",
            None,
            &json!({"confirm": "health"}),
        )
        .unwrap();
}

fn copies_everything_there_and_back(store: &mut dyn Store, open: &dyn Fn() -> Box<dyn Store>) {
    populate(store);
    let original = fingerprint(store).unwrap();
    assert_eq!(
        original
            .kinds()
            .iter()
            .map(|(kind, t)| (*kind, t.count))
            .collect::<Vec<_>>(),
        [
            ("runs", 2),
            ("contributors", 2),
            ("objects", 4),
            ("reports", 3),
            ("audit entries", 2),
            ("jobs", 2),
            ("stream entries", 3),
            ("users", 2)
        ]
    );
    // Through SQLite and back into this backend: both directions, and PostgreSQL -> SQLite when
    // this backend is PostgreSQL.
    let mut middle = SqliteStore::open_in_memory().unwrap();
    assert_eq!(migrate(store, &mut middle).unwrap(), original);
    let mut back = open();
    assert_eq!(migrate(&middle, &mut *back).unwrap(), original);
    assert_eq!(fingerprint(&*back).unwrap(), original);
    // What readers see is the same.
    for tlp in Tlp::ALL {
        assert_eq!(objects(store, tlp), objects(&*back, tlp));
        assert_eq!(
            store.counts_reports_by_format(tlp).unwrap(),
            back.counts_reports_by_format(tlp).unwrap()
        );
    }
    assert_eq!(
        store.counts_by_tlp().unwrap(),
        back.counts_by_tlp().unwrap()
    );
    assert_eq!(store.contributors().unwrap(), back.contributors().unwrap());
    let audit_of = |s: &dyn Store| serde_json::to_string(&s.recent_audit(10).unwrap()).unwrap();
    assert_eq!(audit_of(store), audit_of(&*back));
    // The copy is searchable, and what is written next gets ids after the copied ones.
    assert_eq!(back.search("shamoon", Tlp::Red, 10).unwrap().len(), 2);
    assert_eq!(middle.search("mimikatz", Tlp::Clear, 10).unwrap().len(), 1);
    assert!(back.begin_run(&NewRun::default()).unwrap() > 2);
    let queued = back.claim_job("w").unwrap().unwrap();
    assert_eq!(queued.payload, json!({"n": 2}));
    assert!(back.enqueue_job("more", &json!(null)).unwrap() > queued.id);
    // Accounts and streams came across: the tokens still identify their user, a stream goes on
    // from its last number, and new users get ids after the copied ones.
    let ana = back.user_by_token(&"cd".repeat(32)).unwrap().unwrap();
    assert_eq!((ana.name.as_str(), ana.clearance), ("ana", Tlp::Red));
    assert_eq!(
        back.user("rex").unwrap().unwrap(),
        store.user("rex").unwrap().unwrap()
    );
    assert_eq!(
        back.read_stream("debate:m1", 0).unwrap(),
        store.read_stream("debate:m1", 0).unwrap()
    );
    assert_eq!(
        back.append_to_stream("debate:m1", "sec", Some(3), &json!("next"))
            .unwrap(),
        3
    );
    let newcomer = back
        .create_user(&NewUser {
            name: "new".into(),
            organisation: "O".into(),
            role: "reader".into(),
            clearance: Tlp::Clear,
            password_hash: "x".into(),
        })
        .unwrap();
    assert!(newcomer > ana.id.max(back.user("rex").unwrap().unwrap().id));
    let outcome = write(
        &mut *back,
        vec![version(
            A,
            "2021-01-01T00:00:00.000Z",
            Tlp::Red,
            "Shamoon 2",
        )],
    );
    assert_eq!(outcome.unchanged, 1, "copied versions are recognised");
}

fn copies_only_into_an_empty_store(store: &mut dyn Store, open: &dyn Fn() -> Box<dyn Store>) {
    populate(store);
    let mut target = open();
    target.audit(&audit("already here")).unwrap();
    let before = fingerprint(&*target).unwrap();
    let refused = migrate(store, &mut *target);
    assert!(
        matches!(&refused, Err(StoreError::Incompatible { problem, .. }) if problem.contains("not empty")),
        "{refused:?}"
    );
    assert_eq!(fingerprint(&*target).unwrap(), before);
    // An empty store copies as an empty store.
    let empty = open();
    let mut other = open();
    let copied = migrate(&*empty, &mut *other).unwrap();
    assert!(copied.kinds().iter().all(|(_, t)| t.count == 0));
}

fn each_job_runs_exactly_once(db: &SharedDatabase) {
    const JOBS: i64 = 150;
    const WORKERS: usize = 4;
    let mut store = (db.connect)();
    for n in 0..JOBS {
        store.enqueue_job("count", &json!({ "n": n })).unwrap();
    }
    let connect = &*db.connect;
    let start = std::sync::Barrier::new(WORKERS);
    let claims: Vec<Vec<(i64, i64, String)>> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..WORKERS)
            .map(|w| {
                let start = &start;
                s.spawn(move || {
                    let store = std::panic::catch_unwind(std::panic::AssertUnwindSafe(connect));
                    // Everyone passes the barrier, even a thread that failed to connect.
                    start.wait();
                    let mut store = store.unwrap_or_else(|e| std::panic::resume_unwind(e));
                    let worker = format!("worker-{w}");
                    let mut mine = Vec::new();
                    while let Some(job) = store.claim_job(&worker).unwrap() {
                        let n = job.payload["n"].as_i64().unwrap();
                        store
                            .finish_job(job.id, &json!({ "by": worker, "n": n }))
                            .unwrap();
                        mine.push((job.id, n, worker.clone()));
                    }
                    mine
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    let all: Vec<&(i64, i64, String)> = claims.iter().flatten().collect();
    assert_eq!(all.len() as i64, JOBS, "every job claimed, none twice");
    let ns: BTreeSet<i64> = all.iter().map(|(_, n, _)| *n).collect();
    assert_eq!(ns, (0..JOBS).collect::<BTreeSet<_>>());
    for (id, n, worker) in all {
        let record = store.job(*id).unwrap().unwrap();
        assert_eq!(record.state, JobState::Done);
        assert_eq!(record.worker.as_deref(), Some(worker.as_str()));
        assert_eq!(record.result, Some(json!({ "by": worker, "n": n })));
    }
    assert_eq!(store.claim_job("late").unwrap(), None);
}

fn concurrent_writers_store_each_version_once(db: &SharedDatabase) {
    const WRITERS: usize = 4;
    const SHARED: usize = 300;
    const OWN: usize = 100;
    let connect = &*db.connect;
    drop(connect()); // the schema is in place before the writers start
    let start = std::sync::Barrier::new(WRITERS);
    let outcomes: Vec<WriteOutcome> = std::thread::scope(|s| {
        let writers: Vec<_> = (0..WRITERS)
            .map(|w| {
                let start = &start;
                s.spawn(move || {
                    let prepared = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        let mut store = connect();
                        let run = store.begin_run(&NewRun::default()).unwrap();
                        (store, run)
                    }));
                    // Everyone passes the barrier, even a thread that failed to connect.
                    start.wait();
                    let (mut store, run) =
                        prepared.unwrap_or_else(|e| std::panic::resume_unwind(e));
                    let mut items: Vec<Result<BatchItem, Abort>> = (0..SHARED)
                        .map(|i| numbered(i, "shared"))
                        .chain((0..OWN).map(|i| numbered(10_000 * (w + 1) + i, "own")))
                        .map(|v| Ok(BatchItem::Object(v)))
                        .collect();
                    for r in [
                        report("cfr", Some("shared"), "the same report", Tlp::Clear),
                        report("cfr", Some(&format!("own-{w}")), "its own", Tlp::Clear),
                    ] {
                        items.push(Ok(BatchItem::Report(Box::new(ReportVersion {
                            report: r,
                            tag: 0,
                        }))));
                    }
                    store
                        .write_batch(
                            run,
                            &audit("concurrent.json"),
                            OnConflict::Reject,
                            &mut items.into_iter(),
                        )
                        .unwrap()
                })
            })
            .collect();
        writers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    for o in &outcomes {
        assert_eq!(o.new + o.unchanged, (SHARED + OWN) as u64);
        assert!(o.conflicts.is_empty());
        assert_eq!(o.reports_new + o.reports_unchanged, 2);
    }
    let new: u64 = outcomes.iter().map(|o| o.new).sum();
    assert_eq!(
        new,
        (SHARED + WRITERS * OWN) as u64,
        "nothing lost, nothing twice"
    );
    let reports_new: u64 = outcomes.iter().map(|o| o.reports_new).sum();
    assert_eq!(reports_new, 1 + WRITERS as u64);
    let store = connect();
    let stored = objects(&*store, Tlp::Red);
    assert_eq!(stored.len(), SHARED + WRITERS * OWN);
    let ids: BTreeSet<String> = stored
        .iter()
        .map(|j| serde_json::from_str::<serde_json::Value>(j).unwrap()["id"].to_string())
        .collect();
    assert_eq!(ids.len(), stored.len());
    assert_eq!(store.contributors().unwrap().len(), 1);
    assert_eq!(
        store.counts_reports_by_format(Tlp::Red).unwrap(),
        BTreeMap::from([("cfr".to_string(), 1 + WRITERS as u64)])
    );
    assert_eq!(store.recent_audit(100).unwrap().len(), WRITERS);
}

fn what_one_connection_writes_another_finds(db: &SharedDatabase) {
    let mut writer = (db.connect)();
    let mut reader = (db.connect)();
    write(
        &mut *writer,
        vec![version(A, "2020-01-01T00:00:00.000Z", Tlp::Clear, "Kazuar")],
    );
    assert_eq!(reader.search("kazuar", Tlp::Clear, 10).unwrap().len(), 1);
    write(
        &mut *writer,
        vec![version(
            B,
            "2020-01-01T00:00:00.000Z",
            Tlp::Clear,
            "Kazuar loader",
        )],
    );
    assert_eq!(reader.search("kazuar", Tlp::Clear, 10).unwrap().len(), 2);
    assert_eq!(writer.search("loader", Tlp::Clear, 10).unwrap().len(), 1);
    assert!(reader.contains_id(B).unwrap());
}

/// What only the PostgreSQL store has: out-of-order commits, scratch schemas, migrations racing.
pub(crate) fn postgres_only(url: &str) {
    use threatscape_store::PgStore;
    batches_that_commit_out_of_order_are_all_searchable(url);

    // Several processes starting at once on a new schema: one migrates, the others wait.
    let schema = format!("ts_test_race_{}", std::process::id());
    std::thread::scope(|s| {
        let starting: Vec<_> = (0..4)
            .map(|_| s.spawn(|| PgStore::connect_in_schema(url, &schema).map(|_| ())))
            .collect();
        for process in starting {
            process.join().unwrap().unwrap();
        }
    });
    let mut admin = postgres::Client::connect(url, postgres::NoTls).unwrap();
    let versions: i64 = admin
        .query_one(
            &format!("SELECT COUNT(*) FROM \"{schema}\".schema_migrations"),
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(versions, 10, "every migration applied once");

    // A schema from a newer threatscape is refused, not misread.
    admin
        .batch_execute(&format!(
            "INSERT INTO \"{schema}\".schema_migrations(version) VALUES (999)"
        ))
        .unwrap();
    let refused = PgStore::connect_in_schema(url, &schema);
    assert!(
        matches!(&refused, Err(StoreError::Incompatible { problem, .. }) if problem.contains("newer")),
        "{refused:?}"
    );
    admin
        .batch_execute(&format!("DROP SCHEMA \"{schema}\" CASCADE"))
        .unwrap();

    // A scratch store's schema goes with it.
    let scratch = PgStore::connect_scratch(url).unwrap();
    let name = scratch.schema().unwrap().to_string();
    drop(scratch);
    let left: i64 = admin
        .query_one(
            "SELECT COUNT(*) FROM pg_namespace WHERE nspname = $1",
            &[&name],
        )
        .unwrap()
        .get(0);
    assert_eq!(left, 0);

    // A failed connection says where, and never shows the password.
    let err = PgStore::connect("postgres://someone:s3cret@127.0.0.1:1/test").unwrap_err();
    let message = err.to_string();
    assert!(message.contains("127.0.0.1:1"), "{message}");
    assert!(!message.contains("s3cret"), "{message}");
}

/// A batch that took its seqs first but commits last is still indexed for search: the index
/// follows committed batches, not the highest seq seen.
fn batches_that_commit_out_of_order_are_all_searchable(url: &str) {
    use threatscape_store::PgStore;
    let owner = PgStore::connect_scratch(url).unwrap();
    let schema = owner.schema().unwrap().to_string();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<()>();
    let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
    std::thread::scope(|s| {
        let schema = &schema;
        let slow = s.spawn(move || {
            let mut store = PgStore::connect_in_schema(url, schema).unwrap();
            let run = store.begin_run(&NewRun::default()).unwrap();
            // Enough objects to fill a chunk, so they are inserted (and take their seqs) before
            // the batch waits.
            let mut paused = false;
            let mut items = (0..1500)
                .map(|i| Ok(BatchItem::Object(numbered(i, "Turla"))))
                .chain(std::iter::from_fn(|| {
                    if !paused {
                        paused = true;
                        ready_tx.send(()).unwrap();
                        go_rx.recv().unwrap();
                    }
                    None
                }));
            store
                .write_batch(run, &audit("slow.json"), OnConflict::Reject, &mut items)
                .unwrap()
        });
        ready_rx.recv().unwrap();
        let mut fast = PgStore::connect_in_schema(url, schema).unwrap();
        write(
            &mut fast,
            vec![version(A, "2020-01-01T00:00:00.000Z", Tlp::Clear, "Snake")],
        );
        assert_eq!(fast.search("snake", Tlp::Clear, 10).unwrap().len(), 1);
        assert_eq!(fast.search("turla", Tlp::Clear, 10).unwrap().len(), 0);
        go_tx.send(()).unwrap();
        assert_eq!(slow.join().unwrap().new, 1500);
        assert_eq!(fast.search("turla", Tlp::Clear, 2000).unwrap().len(), 1500);
    });
}

#[test]
fn opens_a_path_or_a_url() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("opened.db");
    let mut store = threatscape_store::open(path.to_str().unwrap()).unwrap();
    write(
        &mut *store,
        vec![version(A, "2020-01-01T00:00:00.000Z", Tlp::Clear, "x")],
    );
    drop(store);
    let again = threatscape_store::open(&format!("sqlite:{}", path.display())).unwrap();
    assert!(again.contains_id(A).unwrap());
    // A URL goes to PostgreSQL (nothing listens on port 1).
    let err = threatscape_store::open("postgresql://nobody@127.0.0.1:1/test")
        .map(|_| ())
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("connecting to postgresql://nobody@127.0.0.1:1/test"),
        "{err}"
    );
}
