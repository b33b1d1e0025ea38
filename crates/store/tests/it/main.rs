//! The store test suite. Each check takes `&mut dyn Store`, so every backend runs the same tests.

use threatscape_model::Tlp;
use threatscape_store::{
    Abort, AuditEntry, NewRun, ObjectFilter, ObjectVersion, OnConflict, SqliteStore, Store, StoreError,
};

fn version(id: &str, modified: &str, tlp: Tlp, name: &str) -> ObjectVersion {
    let type_ = id.split("--").next().unwrap().to_string();
    let json = serde_json::json!({"id": id, "type": type_, "modified": modified, "name": name}).to_string();
    ObjectVersion {
        id: id.into(),
        modified: modified.into(),
        type_,
        tlp,
        json,
        tag: 0,
    }
}

fn audit(subject: &str) -> AuditEntry {
    AuditEntry {
        actor: "test".into(),
        action: "ingest-file".into(),
        subject: subject.into(),
        detail: serde_json::json!({}),
    }
}

fn write(store: &mut dyn Store, versions: Vec<ObjectVersion>) -> threatscape_store::WriteOutcome {
    let run = store.begin_run(&NewRun::default()).unwrap();
    store
        .write_batch(run, &audit("f.json"), OnConflict::Skip, &mut versions.into_iter().map(Ok))
        .unwrap()
}

const A: &str = "malware--11111111-1111-4111-8111-111111111111";
const B: &str = "tool--22222222-2222-4222-8222-222222222222";

fn keeps_every_version_and_recognises_repeats(store: &mut dyn Store) {
    let first = write(
        store,
        vec![
            version(A, "2020-01-01T00:00:00.000Z", Tlp::Clear, "Shamoon"),
            version(A, "2021-01-01T00:00:00.000Z", Tlp::Clear, "Shamoon 2"),
            version(B, "2020-01-01T00:00:00.000Z", Tlp::Red, "Mimikatz"),
        ],
    );
    assert_eq!((first.new, first.unchanged, first.conflicts.len()), (3, 0, 0));
    let again = write(store, vec![version(A, "2021-01-01T00:00:00.000Z", Tlp::Clear, "Shamoon 2")]);
    assert_eq!((again.new, again.unchanged), (0, 1));
    let mut changed = version(A, "2021-01-01T00:00:00.000Z", Tlp::Clear, "Shamoon two");
    changed.tag = 7;
    let conflict = write(store, vec![changed]);
    assert_eq!(conflict.conflicts.len(), 1);
    assert_eq!(conflict.conflicts[0].tag, 7);
    let run = store.begin_run(&NewRun::default()).unwrap();
    let rejected = store.write_batch(
        run,
        &audit("g.json"),
        OnConflict::Reject,
        &mut vec![
            Ok(version(B, "2022-01-01T00:00:00.000Z", Tlp::Clear, "kept only if the batch is")),
            Ok(version(A, "2021-01-01T00:00:00.000Z", Tlp::Clear, "Shamoon two")),
        ]
        .into_iter(),
    );
    assert!(matches!(rejected, Err(StoreError::Conflict(c)) if c.id == A));
    assert_eq!(store.counts_by_type(Tlp::Red).unwrap()["tool"], 1, "the rejected batch kept nothing");
    assert_eq!(store.counts_by_type(Tlp::Red).unwrap().get("malware"), Some(&2));
    assert_eq!(store.counts_by_type(Tlp::Amber).unwrap().get("tool"), None);
    assert_eq!(store.counts_by_tlp().unwrap().get(&Tlp::Red), Some(&1));
}

fn keeps_each_distinct_content_of_an_unversioned_object(store: &mut dyn Store) {
    const SCO: &str = "domain-name--3c10e93f-798e-5a26-a0c1-08156efab7f5";
    let first = write(store, vec![version(SCO, "", Tlp::Clear, "a"), version(SCO, "", Tlp::Clear, "b")]);
    assert_eq!((first.new, first.conflicts.len()), (2, 0));
    let again = write(store, vec![version(SCO, "", Tlp::Clear, "b")]);
    assert_eq!((again.new, again.unchanged), (0, 1));
}

fn an_abort_keeps_nothing(store: &mut dyn Store) {
    let run = store.begin_run(&NewRun::default()).unwrap();
    let items = vec![
        Ok(version(B, "2022-01-01T00:00:00.000Z", Tlp::Clear, "new")),
        Err(Abort("line 3: broken JSON".into())),
    ];
    let err = store
        .write_batch(run, &audit("bad.json"), OnConflict::Reject, &mut items.into_iter())
        .unwrap_err();
    assert!(err.to_string().contains("broken JSON"), "{err}");
    assert!(store.counts_by_type(Tlp::Red).unwrap().is_empty());
    assert!(store.recent_audit(10).unwrap().is_empty(), "the audit entry rolls back with the batch");
}

fn filters_by_tlp_and_type_when_reading(store: &mut dyn Store) {
    write(
        store,
        vec![
            version(A, "2020-01-01T00:00:00.000Z", Tlp::Green, "Industroyer"),
            version(B, "2020-01-01T00:00:00.000Z", Tlp::AmberStrict, "Cobalt Strike"),
        ],
    );
    let read = |store: &dyn Store, types: &[&str], max_tlp| {
        let mut out = Vec::new();
        let filter = ObjectFilter {
            types: types.iter().map(|t| t.to_string()).collect(),
            max_tlp,
        };
        store
            .for_each_object(&filter, &mut |json| {
                out.push(json.to_string());
                Ok(())
            })
            .unwrap();
        out.len()
    };
    assert_eq!(read(store, &[], Tlp::Red), 2);
    assert_eq!(read(store, &[], Tlp::Amber), 1);
    assert_eq!(read(store, &[], Tlp::Clear), 0);
    assert_eq!(read(store, &["tool"], Tlp::Red), 1);
    assert!(store.contains_id(A).unwrap());
    assert!(!store.contains_id("tool--00000000-0000-4000-8000-000000000000").unwrap());
}

fn searches_names_within_clearance(store: &mut dyn Store) {
    write(
        store,
        vec![
            version(A, "2020-01-01T00:00:00.000Z", Tlp::Clear, "Industroyer grid malware"),
            version(B, "2020-01-01T00:00:00.000Z", Tlp::Red, "Industroyer2 \"red\" tool"),
        ],
    );
    let hits = store.search("industroyer", Tlp::Red, 10).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].id, A);
    assert_eq!(hits[0].name.as_deref(), Some("Industroyer grid malware"));
    assert_eq!(store.search("\"red\" tool", Tlp::Red, 10).unwrap().len(), 1);
    assert!(store.search("\"red\" tool", Tlp::Amber, 10).unwrap().is_empty(), "RED stays hidden");
    // New objects after a search are found by the next one.
    write(store, vec![version("tool--33333333-3333-4333-8333-333333333333", "", Tlp::Clear, "grid tool")]);
    assert_eq!(store.search("grid", Tlp::Clear, 10).unwrap().len(), 2);
}

fn audits_in_order(store: &mut dyn Store) {
    store.audit(&audit("one")).unwrap();
    store.audit(&audit("two")).unwrap();
    let recent = store.recent_audit(1).unwrap();
    assert_eq!(recent[0].subject, "two");
}

/// Every check, each on a fresh store from `open`.
fn run_suite(open: &dyn Fn() -> Box<dyn Store>) {
    keeps_every_version_and_recognises_repeats(&mut *open());
    keeps_each_distinct_content_of_an_unversioned_object(&mut *open());
    an_abort_keeps_nothing(&mut *open());
    filters_by_tlp_and_type_when_reading(&mut *open());
    searches_names_within_clearance(&mut *open());
    audits_in_order(&mut *open());
}

#[test]
fn sqlite_in_memory() {
    run_suite(&|| Box::new(SqliteStore::open_in_memory().unwrap()));
}

#[test]
fn sqlite_file_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    {
        let mut store = SqliteStore::open(&path).unwrap();
        write(&mut store, vec![version(A, "2020-01-01T00:00:00.000Z", Tlp::Clear, "x")]);
    }
    let store = SqliteStore::open(&path).unwrap();
    store.integrity_check().unwrap();
    assert_eq!(store.counts_by_type(Tlp::Clear).unwrap().get("malware"), Some(&1));
}
