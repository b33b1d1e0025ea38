//! The store test suite. Each check takes `&mut dyn Store`, so every backend runs the same tests.

use threatscape_model::Tlp;
use threatscape_model::{Contributor, ContributorType, FuzzyDate, Provenance, Reliability, Report};
use threatscape_store::{
    Abort, AuditEntry, BatchItem, NewRun, ObjectFilter, ObjectVersion, OnConflict, PgStore,
    ReportVersion, SqliteStore, Store, StoreError,
};

fn version(id: &str, modified: &str, tlp: Tlp, name: &str) -> ObjectVersion {
    let type_ = id.split("--").next().unwrap().to_string();
    let json = serde_json::json!({"id": id, "type": type_, "modified": modified, "name": name})
        .to_string();
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
        .write_batch(
            run,
            &audit("f.json"),
            OnConflict::Skip,
            &mut versions.into_iter().map(|v| Ok(BatchItem::Object(v))),
        )
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
    assert_eq!(
        (first.new, first.unchanged, first.conflicts.len()),
        (3, 0, 0)
    );
    let again = write(
        store,
        vec![version(
            A,
            "2021-01-01T00:00:00.000Z",
            Tlp::Clear,
            "Shamoon 2",
        )],
    );
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
            Ok(BatchItem::Object(version(
                B,
                "2022-01-01T00:00:00.000Z",
                Tlp::Clear,
                "kept only if the batch is",
            ))),
            Ok(BatchItem::Object(version(
                A,
                "2021-01-01T00:00:00.000Z",
                Tlp::Clear,
                "Shamoon two",
            ))),
        ]
        .into_iter(),
    );
    assert!(matches!(rejected, Err(StoreError::Conflict(c)) if c.id == A));
    assert_eq!(
        store.counts_by_type(Tlp::Red).unwrap()["tool"],
        1,
        "the rejected batch kept nothing"
    );
    assert_eq!(
        store.counts_by_type(Tlp::Red).unwrap().get("malware"),
        Some(&2)
    );
    assert_eq!(store.counts_by_type(Tlp::Amber).unwrap().get("tool"), None);
    assert_eq!(store.counts_by_tlp().unwrap().get(&Tlp::Red), Some(&1));
}

fn keeps_each_distinct_content_of_an_unversioned_object(store: &mut dyn Store) {
    const SCO: &str = "domain-name--3c10e93f-798e-5a26-a0c1-08156efab7f5";
    let first = write(
        store,
        vec![
            version(SCO, "", Tlp::Clear, "a"),
            version(SCO, "", Tlp::Clear, "b"),
        ],
    );
    assert_eq!((first.new, first.conflicts.len()), (2, 0));
    let again = write(store, vec![version(SCO, "", Tlp::Clear, "b")]);
    assert_eq!((again.new, again.unchanged), (0, 1));
}

fn an_abort_keeps_nothing(store: &mut dyn Store) {
    let run = store.begin_run(&NewRun::default()).unwrap();
    let items = vec![
        Ok(BatchItem::Object(version(
            B,
            "2022-01-01T00:00:00.000Z",
            Tlp::Clear,
            "new",
        ))),
        Ok(BatchItem::Report(Box::new(ReportVersion {
            report: report("cfr", Some("1"), "kept only if the batch is", Tlp::Clear),
            tag: 0,
        }))),
        Err(Abort("line 3: broken JSON".into())),
    ];
    let err = store
        .write_batch(
            run,
            &audit("bad.json"),
            OnConflict::Reject,
            &mut items.into_iter(),
        )
        .unwrap_err();
    assert!(err.to_string().contains("broken JSON"), "{err}");
    assert!(store.counts_by_type(Tlp::Red).unwrap().is_empty());
    assert!(store.counts_reports_by_format(Tlp::Red).unwrap().is_empty());
    assert!(store.contributors().unwrap().is_empty());
    assert!(
        store.recent_audit(10).unwrap().is_empty(),
        "the audit entry rolls back with the batch"
    );
}

fn filters_by_tlp_and_type_when_reading(store: &mut dyn Store) {
    write(
        store,
        vec![
            version(A, "2020-01-01T00:00:00.000Z", Tlp::Green, "Industroyer"),
            version(
                B,
                "2020-01-01T00:00:00.000Z",
                Tlp::AmberStrict,
                "Cobalt Strike",
            ),
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
    assert!(!store
        .contains_id("tool--00000000-0000-4000-8000-000000000000")
        .unwrap());
}

fn searches_names_within_clearance(store: &mut dyn Store) {
    write(
        store,
        vec![
            version(
                A,
                "2020-01-01T00:00:00.000Z",
                Tlp::Clear,
                "Industroyer grid malware",
            ),
            version(
                B,
                "2020-01-01T00:00:00.000Z",
                Tlp::Red,
                "Industroyer2 \"red\" tool",
            ),
        ],
    );
    assert!(
        store.search("  ", Tlp::Red, 10).unwrap().is_empty(),
        "an empty query finds nothing"
    );
    let hits = store.search("industroyer", Tlp::Red, 10).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].id, A);
    assert_eq!(hits[0].name.as_deref(), Some("Industroyer grid malware"));
    assert_eq!(store.search("\"red\" tool", Tlp::Red, 10).unwrap().len(), 1);
    assert!(
        store
            .search("\"red\" tool", Tlp::Amber, 10)
            .unwrap()
            .is_empty(),
        "RED stays hidden"
    );
    // New objects after a search are found by the next one.
    write(
        store,
        vec![version(
            "tool--33333333-3333-4333-8333-333333333333",
            "",
            Tlp::Clear,
            "grid tool",
        )],
    );
    assert_eq!(store.search("grid", Tlp::Clear, 10).unwrap().len(), 2);
}

fn report(format: &str, source_id: Option<&str>, title: &str, tlp: Tlp) -> Report {
    Report {
        provenance: Provenance {
            format: format.into(),
            file: "f.csv".into(),
            locator: "line 2".into(),
        },
        contributor: Contributor {
            name: format!("{format} tracker"),
            type_: ContributorType::Academia,
            reliability: Reliability::B,
        },
        source_id: source_id.map(str::to_string),
        title: title.into(),
        description: None,
        urls: vec![],
        occurred: Some(threatscape_model::DateSpan {
            start: FuzzyDate::month(2017, 6).unwrap(),
            end: None,
        }),
        disclosed: None,
        reported: None,
        victims: vec![],
        actors: vec![],
        attributions: vec![],
        kinds: vec!["Wiper".into()],
        tags: vec![],
        tlp,
        credibility: None,
        original: format!("{{\"title\": \"{title}\"}}"),
    }
}

fn write_reports(store: &mut dyn Store, reports: Vec<Report>) -> threatscape_store::WriteOutcome {
    let run = store.begin_run(&NewRun::default()).unwrap();
    store
        .write_batch(
            run,
            &audit("r.csv"),
            OnConflict::Reject,
            &mut reports.into_iter().map(|report| {
                Ok(BatchItem::Report(Box::new(ReportVersion {
                    report,
                    tag: 0,
                })))
            }),
        )
        .unwrap()
}

fn keeps_reports_and_their_versions(store: &mut dyn Store) {
    let first = write_reports(
        store,
        vec![
            report("cfr", Some("7"), "NotPetya", Tlp::Clear),
            report("eurepoc", None, "NotPetya wiper", Tlp::Amber),
        ],
    );
    assert_eq!((first.reports_new, first.reports_unchanged), (2, 0));
    let again = write_reports(
        store,
        vec![report("cfr", Some("7"), "NotPetya", Tlp::Clear)],
    );
    assert_eq!((again.reports_new, again.reports_unchanged), (0, 1));
    // The tracker corrected its record: a new version under the same key, and only it is read.
    let corrected = write_reports(
        store,
        vec![report("cfr", Some("7"), "NotPetya (corrected)", Tlp::Clear)],
    );
    assert_eq!(corrected.reports_new, 1);
    let mut titles = Vec::new();
    store
        .for_each_report(Tlp::Red, &mut |r| {
            titles.push(r.title.clone());
            Ok(())
        })
        .unwrap();
    assert_eq!(titles, vec!["NotPetya wiper", "NotPetya (corrected)"]);
    let counts = store.counts_reports_by_format(Tlp::Green).unwrap();
    assert_eq!(counts.get("cfr"), Some(&1));
    assert_eq!(
        counts.get("eurepoc"),
        None,
        "AMBER stays hidden below its level"
    );
    let names: Vec<String> = store
        .contributors()
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, vec!["cfr tracker", "eurepoc tracker"]);
}

/// Each report comes with the organisation of the run that brought its latest version.
fn reports_come_with_their_owner(store: &mut dyn Store) {
    // One run of `reports`, sent by `org` for `recipients`.
    let write_as =
        |store: &mut dyn Store, org: Option<&str>, recipients: &[&str], reports: Vec<Report>| {
            let run = store
                .begin_run(&NewRun {
                    contributor: org.map(str::to_string),
                    recipients: recipients.iter().map(|r| r.to_string()).collect(),
                    ..NewRun::default()
                })
                .unwrap();
            store
                .write_batch(
                    run,
                    &audit("r.json"),
                    OnConflict::Reject,
                    &mut reports.into_iter().map(|report| {
                        Ok(BatchItem::Report(Box::new(ReportVersion {
                            report,
                            tag: 0,
                        })))
                    }),
                )
                .unwrap();
        };
    write_as(
        store,
        Some("CERT-A"),
        &[],
        vec![report("stix", Some("a"), "A's red", Tlp::Red)],
    );
    write_as(
        store,
        None,
        &[],
        vec![report("cfr", Some("1"), "tracker", Tlp::Clear)],
    );
    // B sends a new version of A's report: B now owns what is read under that key.
    write_as(
        store,
        Some("CERT-B"),
        &[],
        vec![report("stix", Some("a"), "B's red", Tlp::Red)],
    );
    let mut seen = Vec::new();
    store
        .for_each_owned_report(Tlp::Red, &mut |r, audience| {
            seen.push((r.title.clone(), audience.to_vec()));
            Ok(())
        })
        .unwrap();
    assert_eq!(
        seen,
        vec![
            ("tracker".to_string(), vec![]),
            ("B's red".to_string(), vec!["CERT-B".to_string()])
        ]
    );
    // A run naming recipients (trimmed, empty ones dropped): they and the contributor are the
    // report's audience.
    write_as(
        store,
        Some("CERT-C"),
        &[" CERT-D ", "", "UNODA"],
        vec![report("stix", Some("c"), "C's red", Tlp::Red)],
    );
    let mut audience = Vec::new();
    store
        .for_each_owned_report(Tlp::Red, &mut |r, a| {
            if r.title == "C's red" {
                audience = a.to_vec();
            }
            Ok(())
        })
        .unwrap();
    assert_eq!(audience, ["CERT-D", "UNODA", "CERT-C"]);
}

fn audits_in_order(store: &mut dyn Store) {
    store.audit(&audit("one")).unwrap();
    store.audit(&audit("two")).unwrap();
    let recent = store.recent_audit(1).unwrap();
    assert_eq!(recent[0].subject, "two");

    // Recent entries about one subject, counted after the latest reset.
    let entry = |action: &str, subject: &str| AuditEntry {
        actor: "web".into(),
        action: action.into(),
        subject: subject.into(),
        detail: serde_json::json!({}),
    };
    for action in ["failed", "failed", "failed", "ok", "failed", "failed"] {
        store.audit(&entry(action, "ana")).unwrap();
    }
    store.audit(&entry("failed", "ben")).unwrap();
    let count = |subject: &str, within_ms: i64| {
        store
            .count_recent_audit("failed", subject, within_ms, "ok")
            .unwrap()
    };
    assert_eq!(count("ana", 60_000), 2, "only those after the last ok");
    assert_eq!(count("ben", 60_000), 1);
    assert_eq!(count("cy", 60_000), 0);
    std::thread::sleep(std::time::Duration::from_millis(20));
    assert_eq!(count("ana", 10), 0, "older than the window");
}

/// Every check, each on a fresh store from `open`.
fn run_suite(open: &dyn Fn() -> Box<dyn Store>) {
    keeps_every_version_and_recognises_repeats(&mut *open());
    keeps_each_distinct_content_of_an_unversioned_object(&mut *open());
    an_abort_keeps_nothing(&mut *open());
    filters_by_tlp_and_type_when_reading(&mut *open());
    searches_names_within_clearance(&mut *open());
    keeps_reports_and_their_versions(&mut *open());
    reports_come_with_their_owner(&mut *open());
    audits_in_order(&mut *open());
    more_checks::run(open);
    access::run(open);
    streams::run(open);
    refs::run(open);
}

mod access;
mod more_checks;
mod refs;
mod streams;

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
        write(
            &mut store,
            vec![version(A, "2020-01-01T00:00:00.000Z", Tlp::Clear, "x")],
        );
    }
    let store = SqliteStore::open(&path).unwrap();
    store.integrity_check().unwrap();
    assert_eq!(
        store.counts_by_type(Tlp::Clear).unwrap().get("malware"),
        Some(&1)
    );
}

/// The local server CI and this machine run (trust authentication), unless
/// `THREATSCAPE_TEST_POSTGRES` names another.
fn postgres_url() -> Option<String> {
    if let Ok(url) = std::env::var("THREATSCAPE_TEST_POSTGRES") {
        return Some(url);
    }
    let address = std::net::SocketAddr::from(([127, 0, 0, 1], 5432));
    match std::net::TcpStream::connect_timeout(&address, std::time::Duration::from_secs(2)) {
        Ok(_) => Some("postgres://postgres@127.0.0.1:5432/test".into()),
        Err(e) => {
            threatscape_testkit::skip(
                "PostgreSQL store tests",
                &format!("no server at {address} ({e}); set THREATSCAPE_TEST_POSTGRES to a URL to use another"),
            );
            None
        }
    }
}

#[test]
fn postgres() {
    let Some(url) = postgres_url() else { return };
    // Each store works in a schema of its own, dropped with it.
    run_suite(&|| Box::new(PgStore::connect_scratch(&url).unwrap()));
    more_checks::run_shared(&|| {
        let owner = PgStore::connect_scratch(&url).unwrap();
        let schema = owner.schema().unwrap().to_string();
        let url = url.clone();
        more_checks::SharedDatabase {
            connect: Box::new(move || Box::new(PgStore::connect_in_schema(&url, &schema).unwrap())),
            _keep: Box::new(owner),
        }
    });
    more_checks::postgres_only(&url);
}

#[test]
fn sqlite_shared_file() {
    more_checks::run_shared(&|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shared.db");
        more_checks::SharedDatabase {
            connect: Box::new(move || Box::new(SqliteStore::open(&path).unwrap())),
            _keep: Box::new(dir),
        }
    });
}

#[test]
fn sqlite_new_file_opened_by_several_processes_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared-new.db");
    let openers: Vec<_> = (0..4)
        .map(|_| {
            let path = path.clone();
            std::thread::spawn(move || SqliteStore::open(&path).map(|_| ()))
        })
        .collect();
    for opener in openers {
        opener
            .join()
            .unwrap()
            .expect("every process opens the new store");
    }
    SqliteStore::open(&path).unwrap().integrity_check().unwrap();
}
