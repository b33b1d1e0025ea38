//! Which referenced ids the store holds (`known_ids`, and the same question asked inside a batch),
//! on every backend.

use threatscape_model::Tlp;
use threatscape_store::{
    Abort, AuditEntry, BatchItem, Lookup, NewRun, ObjectVersion, OnConflict, Reader, Store,
};

const CLEAR: &str = "malware--a1111111-1111-4111-8111-111111111111";
const RED_OURS: &str = "tool--a2222222-2222-4222-8222-222222222222";
const RED_THEIRS: &str = "tool--a3333333-3333-4333-8333-333333333333";
const ABSENT: &str = "malware--a4444444-4444-4444-8444-444444444444";
const IN_BATCH: &str = "identity--a5555555-5555-4555-8555-555555555555";

fn version(id: &str, modified: &str, tlp: Tlp) -> ObjectVersion {
    let type_ = id.split("--").next().unwrap().to_string();
    ObjectVersion {
        id: id.into(),
        modified: modified.into(),
        json: serde_json::json!({"id": id, "type": type_, "modified": modified}).to_string(),
        type_,
        tlp,
        tag: 0,
    }
}

fn audit() -> AuditEntry {
    AuditEntry {
        actor: "test".into(),
        action: "ingest-file".into(),
        subject: "refs.json".into(),
        detail: serde_json::json!({}),
    }
}

fn write_as(
    store: &mut dyn Store,
    org: &str,
    items: Vec<Result<BatchItem, Abort>>,
) -> threatscape_store::Result<threatscape_store::WriteOutcome> {
    let run = store
        .begin_run(&NewRun {
            contributor: Some(org.into()),
            actor: "test".into(),
            ..NewRun::default()
        })
        .unwrap();
    store.write_batch(run, &audit(), OnConflict::Reject, &mut items.into_iter())
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids.dedup();
    ids
}

fn knows_referenced_ids_in_one_query_within_clearance(store: &mut dyn Store) {
    let object = |id, modified, tlp| Ok(BatchItem::Object(version(id, modified, tlp)));
    write_as(
        store,
        "CERT-A",
        vec![
            object(CLEAR, "2020-01-01T00:00:00.000Z", Tlp::Clear),
            object(CLEAR, "2021-01-01T00:00:00.000Z", Tlp::Clear),
            object(RED_OURS, "2020-01-01T00:00:00.000Z", Tlp::Red),
        ],
    )
    .unwrap();
    write_as(
        store,
        "CERT-B",
        vec![object(RED_THEIRS, "2020-01-01T00:00:00.000Z", Tlp::Red)],
    )
    .unwrap();
    let asked: Vec<String> = [CLEAR, RED_OURS, RED_THEIRS, ABSENT, CLEAR]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(
        sorted(store.known_ids(&asked, None).unwrap()),
        [CLEAR, RED_OURS, RED_THEIRS]
    );
    assert!(store.known_ids(&[], None).unwrap().is_empty());
    let reader = |clearance, org: &str| Reader {
        clearance,
        organisation: Some(org.into()),
    };
    assert_eq!(
        sorted(
            store
                .known_ids(&asked, Some(&reader(Tlp::Red, "CERT-A")))
                .unwrap()
        ),
        [CLEAR, RED_OURS],
        "RED is known only to its own organisation"
    );
    assert_eq!(
        sorted(
            store
                .known_ids(&asked, Some(&reader(Tlp::Green, "CERT-B")))
                .unwrap()
        ),
        [CLEAR],
        "nothing above the reader's clearance is known"
    );

    // Asked inside a batch: answered before the commit (so the caller can still abort), seeing
    // the store as it is, and an abort after the answer keeps nothing.
    let (reply, answer) = std::sync::mpsc::sync_channel(1);
    let ask = Ok(BatchItem::Lookup(Lookup {
        ids: vec![ABSENT.into(), RED_THEIRS.into(), IN_BATCH.into()],
        visible_to: Some(reader(Tlp::Red, "CERT-A")),
        reply,
    }));
    let items = vec![
        object(IN_BATCH, "2020-01-01T00:00:00.000Z", Tlp::Clear),
        ask,
        Err(Abort("a reference is missing".into())),
    ];
    let written = write_as(store, "CERT-A", items);
    assert!(matches!(
        written,
        Err(threatscape_store::StoreError::Aborted(_))
    ));
    assert_eq!(
        answer.recv().unwrap(),
        [IN_BATCH],
        "the batch's own object is seen, CERT-B's RED one is not"
    );
    assert!(store
        .known_ids(&[IN_BATCH.to_string()], None)
        .unwrap()
        .is_empty());
}

/// Every check, each on a fresh store from `open`.
pub(crate) fn run(open: &dyn Fn() -> Box<dyn Store>) {
    knows_referenced_ids_in_one_query_within_clearance(&mut *open());
}
