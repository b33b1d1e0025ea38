//! Users, tokens and access-checked reads (the server's needs), on every backend.

use threatscape_model::Tlp;
use threatscape_store::{
    AuditEntry, BatchItem, NewRun, NewUser, ObjectQuery, ObjectVersion, OnConflict, Reader, Store,
    VersionMatch, WebSession,
};

fn version(id: &str, modified: &str, tlp: Tlp) -> ObjectVersion {
    let type_ = id.split("--").next().unwrap().to_string();
    let json =
        serde_json::json!({"id": id, "type": type_, "modified": modified, "name": id}).to_string();
    ObjectVersion {
        id: id.into(),
        modified: modified.into(),
        type_,
        tlp,
        json,
        tag: 0,
    }
}

fn write_as(store: &mut dyn Store, org: Option<&str>, versions: Vec<ObjectVersion>) {
    let run = store
        .begin_run(&NewRun {
            contributor: org.map(String::from),
            actor: "test".into(),
            ..NewRun::default()
        })
        .unwrap();
    let audit = AuditEntry {
        actor: "test".into(),
        action: "ingest-file".into(),
        subject: "x.json".into(),
        detail: serde_json::json!({}),
    };
    store
        .write_batch(
            run,
            &audit,
            OnConflict::Reject,
            &mut versions.into_iter().map(|v| Ok(BatchItem::Object(v))),
        )
        .unwrap();
}

fn query(clearance: Tlp, org: Option<&str>) -> ObjectQuery {
    ObjectQuery {
        reader: Reader {
            clearance,
            organisation: org.map(String::from),
        },
        max_tlp: Tlp::Red,
        ids: vec![],
        types: vec![],
        versions: vec![VersionMatch::All],
        added_after: None,
        after_seq: 0,
        limit: 100,
    }
}

fn ids(store: &dyn Store, q: &ObjectQuery) -> Vec<String> {
    store
        .query_objects(q)
        .unwrap()
        .into_iter()
        .map(|r| format!("{}@{}", r.id, r.modified))
        .collect()
}

const C: &str = "malware--00000000-0000-4000-8000-000000000001";
const G: &str = "malware--00000000-0000-4000-8000-000000000002";
const A: &str = "tool--00000000-0000-4000-8000-000000000003";
const S: &str = "tool--00000000-0000-4000-8000-000000000004";
const R: &str = "tool--00000000-0000-4000-8000-000000000005";
const T1: &str = "2020-01-01T00:00:00.000Z";
const T2: &str = "2021-01-01T00:00:00.000Z";

pub fn users_and_tokens(store: &mut dyn Store) {
    let user = NewUser {
        name: "ana".into(),
        organisation: "CERT-A".into(),
        role: "analyst".into(),
        clearance: Tlp::Amber,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
    };
    store.create_user(&user).unwrap();
    assert!(store.create_user(&user).is_err(), "names are unique");
    let found = store.user("ana").unwrap().unwrap();
    assert_eq!(
        (
            found.organisation.as_str(),
            found.role.as_str(),
            found.clearance
        ),
        ("CERT-A", "analyst", Tlp::Amber)
    );
    assert_eq!(store.user("nobody").unwrap(), None);
    store.add_token("ana", "ab12", "laptop").unwrap();
    assert!(store.add_token("nobody", "cd34", "x").is_err());
    assert_eq!(store.user_by_token("ab12").unwrap().unwrap().name, "ana");
    assert_eq!(store.user_by_token("ffff").unwrap(), None);

    // An administrator changes her access and revokes the token.
    assert!(store.set_user_access("ana", "reader", Tlp::Red).unwrap());
    assert!(!store.set_user_access("nobody", "reader", Tlp::Red).unwrap());
    let changed = store.user("ana").unwrap().unwrap();
    assert_eq!(
        (changed.role.as_str(), changed.clearance),
        ("reader", Tlp::Red)
    );
    assert!(
        !store.revoke_token("nobody", "ab12").unwrap(),
        "only the user's own"
    );
    assert!(store.revoke_token("ana", "ab12").unwrap());
    assert!(!store.revoke_token("ana", "ab12").unwrap(), "once");
    assert_eq!(store.user_by_token("ab12").unwrap(), None);
}

pub fn reads_follow_the_tlp_rule(store: &mut dyn Store) {
    write_as(
        store,
        Some("CERT-A"),
        vec![
            version(C, T1, Tlp::Clear),
            version(C, T2, Tlp::Clear),
            version(G, T1, Tlp::Green),
            version(A, T1, Tlp::Amber),
            version(S, T1, Tlp::AmberStrict),
        ],
    );
    write_as(store, Some("CERT-B"), vec![version(R, T1, Tlp::Red)]);

    let green = ids(store, &query(Tlp::Green, Some("CERT-A")));
    assert_eq!(
        green,
        [
            format!("{C}@{T1}"),
            format!("{C}@{T2}"),
            format!("{G}@{T1}")
        ]
    );
    // RED clearance, but AMBER+STRICT and RED only from one's own organisation.
    let a = ids(store, &query(Tlp::Red, Some("CERT-A")));
    assert!(a.contains(&format!("{S}@{T1}")) && !a.iter().any(|i| i.starts_with(R)));
    let b = ids(store, &query(Tlp::Red, Some("CERT-B")));
    assert!(!b.iter().any(|i| i.starts_with(S)) && b.contains(&format!("{R}@{T1}")));
    let nobody = ids(store, &query(Tlp::Red, None));
    assert_eq!(nobody.len(), 4);
    // A collection's cap below the clearance.
    let mut capped = query(Tlp::Red, Some("CERT-A"));
    capped.max_tlp = Tlp::Clear;
    assert_eq!(ids(store, &capped).len(), 2);

    // Versions, ids, types, paging.
    let mut q = query(Tlp::Clear, None);
    q.versions = vec![VersionMatch::Last];
    assert_eq!(ids(store, &q), [format!("{C}@{T2}")]);
    q.versions = vec![VersionMatch::First];
    assert_eq!(ids(store, &q), [format!("{C}@{T1}")]);
    q.versions = vec![VersionMatch::Modified(T2.into())];
    assert_eq!(ids(store, &q), [format!("{C}@{T2}")]);
    q.versions = vec![VersionMatch::First, VersionMatch::Last];
    assert_eq!(ids(store, &q).len(), 2);
    let mut q = query(Tlp::Amber, None);
    q.types = vec!["tool".into()];
    assert_eq!(ids(store, &q), [format!("{A}@{T1}")]);
    q.types = vec![];
    q.ids = vec![G.into(), A.into()];
    assert_eq!(ids(store, &q).len(), 2);
    q.ids = vec![];
    q.limit = 2;
    let page = store.query_objects(&q).unwrap();
    assert_eq!(page.len(), 2);
    q.after_seq = page[1].seq;
    q.limit = 100;
    assert_eq!(store.query_objects(&q).unwrap().len(), 2);
    // Added after: every row carries its run's start; nothing is after the last.
    let rows = store.query_objects(&query(Tlp::Red, None)).unwrap();
    let last = rows.iter().map(|r| r.date_added.clone()).max().unwrap();
    assert_eq!(last.len(), "2020-01-01T00:00:00.000Z".len());
    let mut q = query(Tlp::Red, None);
    q.added_after = Some(last);
    assert!(store.query_objects(&q).unwrap().is_empty());
    q.added_after = Some("2000-01-01T00:00:00.000Z".into());
    assert_eq!(store.query_objects(&q).unwrap().len(), rows.len());

    // Deletion takes every version, audited.
    let audit = AuditEntry {
        actor: "admin".into(),
        action: "delete-object".into(),
        subject: C.into(),
        detail: serde_json::json!({}),
    };
    assert!(!store.search("malware", Tlp::Red, 10).unwrap().is_empty());
    assert_eq!(store.delete_object(C, &audit).unwrap(), 2);
    assert!(!store.contains_id(C).unwrap());
    assert_eq!(store.recent_audit(1).unwrap()[0].action, "delete-object");
    let hits = store.search(&C[9..17], Tlp::Red, 10).unwrap();
    assert!(hits.iter().all(|h| h.id != C));
    write_as(
        store,
        None,
        vec![version(C, "2022-01-01T00:00:00.000Z", Tlp::Clear)],
    );
    assert!(store
        .search("malware", Tlp::Red, 10)
        .unwrap()
        .iter()
        .any(|h| h.id == C));
}

pub fn claims_a_job_by_id(store: &mut dyn Store) {
    let first = store.enqueue_job("other", &serde_json::json!({})).unwrap();
    let mine = store
        .enqueue_job("taxii-add-objects", &serde_json::json!({}))
        .unwrap();
    assert!(store.claim_job_id(mine, "w").unwrap());
    assert!(!store.claim_job_id(mine, "w").unwrap(), "claimed once");
    store
        .finish_job(mine, &serde_json::json!({"ok": true}))
        .unwrap();
    assert_eq!(store.claim_job("w").unwrap().unwrap().id, first);
}

/// Browser sessions: kept by digest with their user as stored now, touched, ended one at a time
/// or by age, and at most `keep_per_user` per user.
pub fn web_sessions(store: &mut dyn Store) {
    for (name, clearance) in [("ana", Tlp::Amber), ("ben", Tlp::Green)] {
        store
            .create_user(&NewUser {
                name: name.into(),
                organisation: "CERT-A".into(),
                role: "analyst".into(),
                clearance,
                password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
            })
            .unwrap();
    }
    let session = |sha256: &str, user: &str, created_ms: i64| WebSession {
        sha256: sha256.into(),
        user: user.into(),
        created_ms,
        seen_ms: created_ms,
    };
    store
        .put_web_session(&session("s1", "ana", 1_000), 3)
        .unwrap();
    store
        .put_web_session(&session("s2", "ben", 2_000), 3)
        .unwrap();
    assert!(
        store
            .put_web_session(&session("s3", "nobody", 3_000), 3)
            .is_err(),
        "a session needs its user"
    );
    let (found, user) = store.web_session("s1").unwrap().unwrap();
    assert_eq!(found, session("s1", "ana", 1_000));
    assert_eq!((user.name.as_str(), user.clearance), ("ana", Tlp::Amber));
    assert_eq!(store.web_session("s3").unwrap(), None);

    store.touch_web_session("s1", 5_000).unwrap();
    store.touch_web_session("s1", 4_000).unwrap();
    assert_eq!(
        store.web_session("s1").unwrap().unwrap().0.seen_ms,
        5_000,
        "never backwards"
    );

    // A fourth sign-in of ana with three kept forgets her oldest session, not ben's.
    for (i, sha) in ["s4", "s5", "s6"].into_iter().enumerate() {
        store
            .put_web_session(&session(sha, "ana", 10_000 + i as i64), 3)
            .unwrap();
    }
    assert_eq!(store.web_session("s1").unwrap(), None, "ana's oldest");
    for sha in ["s2", "s4", "s5", "s6"] {
        assert!(store.web_session(sha).unwrap().is_some(), "{sha}");
    }

    // Sign-out ends one; age ends those idle or too old.
    assert_eq!(store.end_web_sessions("s6", 0, 0).unwrap(), 1);
    assert_eq!(store.web_session("s6").unwrap(), None);
    assert_eq!(
        store.end_web_sessions("", 2_001, 0).unwrap(),
        1,
        "ben's, idle since 2,000"
    );
    assert_eq!(
        store.end_web_sessions("", 0, 10_001).unwrap(),
        1,
        "s4, created at 10,000"
    );
    assert!(store.web_session("s5").unwrap().is_some());
}

/// TLP:RED's named recipients: a run's restricted objects reach the organisations it names, and
/// no other, through every access-checked read (queries and reference lookups).
pub fn named_recipients_read_restricted_versions(store: &mut dyn Store) {
    let red = "tool--00000000-0000-4000-8000-00000000000a";
    let run = store
        .begin_run(&NewRun {
            contributor: Some("CERT-B".into()),
            recipients: vec!["CERT-A".into(), "UNODA".into()],
            actor: "test".into(),
            ..NewRun::default()
        })
        .unwrap();
    store
        .write_batch(
            run,
            &AuditEntry {
                actor: "test".into(),
                action: "ingest-file".into(),
                subject: "x.json".into(),
                detail: serde_json::json!({}),
            },
            OnConflict::Reject,
            &mut std::iter::once(Ok(BatchItem::Object(version(red, T1, Tlp::Red)))),
        )
        .unwrap();
    for (org, clearance, sees) in [
        ("CERT-B", Tlp::Red, true),
        ("CERT-A", Tlp::Red, true),
        ("UNODA", Tlp::Red, true),
        ("CERT-C", Tlp::Red, false),
        ("CERT-A", Tlp::AmberStrict, false),
    ] {
        let q = query(clearance, Some(org));
        assert_eq!(
            ids(store, &q).len(),
            usize::from(sees),
            "{org} at {clearance}"
        );
        let known = store
            .known_ids(&[red.to_string()], Some(&q.reader))
            .unwrap();
        assert_eq!(known.len(), usize::from(sees), "{org}: reference lookups");
    }
}

pub fn run(open: &dyn Fn() -> Box<dyn Store>) {
    named_recipients_read_restricted_versions(&mut *open());
    users_and_tokens(&mut *open());
    web_sessions(&mut *open());
    reads_follow_the_tlp_rule(&mut *open());
    claims_a_job_by_id(&mut *open());
}
