//! The access rule as a property: for generated organisations, users (clearance, role), object
//! versions and reports (TLP level, owning organisation), no read path returns a version or report
//! the user may not read; the TAXII paths return exactly the versions they may, and the REST report
//! list, report pages and incident pages exactly the reports they may (their organisation's own
//! AMBER+STRICT and RED included).
//!
//! Paths covered: TAXII collections, objects (every version, paged), manifest, object by id (latest
//! and every version), versions; REST objects list, object by id, search, stats and reports; the
//! web dashboard, reports list and report page, incident list and incident page, search (latest
//! objects and full text) and object page.
//! Every version's name carries a unique marker, so a leak anywhere in a body is found by text.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use proptest::prelude::*;
use serde_json::{json, Value};
use threatscape_model::Tlp;
use threatscape_server::{auth, AppState, Role};
use threatscape_store::{AuditEntry, BatchItem, NewRun, NewUser, ObjectVersion, OnConflict, Store};
use tower::ServiceExt;

use super::web::{call, enc, report, sign_in, write_reports_for};
use super::PW;

const ORGS: [&str; 3] = ["ORG-A", "ORG-B", "ORG-C"];
/// `modified` of version `j` of every object.
const TIMES: [&str; 3] = [
    "2021-01-01T00:00:00.000Z",
    "2022-01-01T00:00:00.000Z",
    "2023-01-01T00:00:00.000Z",
];

#[derive(Debug, Clone)]
struct UserSpec {
    org: usize,
    clearance: Tlp,
    role: Role,
}

#[derive(Debug, Clone)]
struct ObjectSpec {
    owner: usize,
    /// The TLP level of each version, oldest first.
    versions: Vec<Tlp>,
}

#[derive(Debug, Clone)]
struct World {
    users: Vec<UserSpec>,
    objects: Vec<ObjectSpec>,
    /// Each report's owner (the organisation of its run), level, and the organisation its run
    /// names as a recipient, if any.
    reports: Vec<(usize, Tlp, Option<usize>)>,
}

fn tlp() -> impl Strategy<Value = Tlp> {
    prop::sample::select(Tlp::ALL.to_vec())
}

fn world() -> impl Strategy<Value = World> {
    let user = (
        0..ORGS.len(),
        tlp(),
        prop::sample::select(Role::ALL.to_vec()),
    )
        .prop_map(|(org, clearance, role)| UserSpec {
            org,
            clearance,
            role,
        });
    let object = (0..ORGS.len(), prop::collection::vec(tlp(), 1..=TIMES.len()))
        .prop_map(|(owner, versions)| ObjectSpec { owner, versions });
    (
        prop::collection::vec(user, 1..=3),
        prop::collection::vec(object, 1..=8),
        prop::collection::vec(
            (0..ORGS.len(), tlp(), prop::option::of(0..ORGS.len())),
            0..=4,
        ),
    )
        .prop_map(|(users, objects, reports)| World {
            users,
            objects,
            reports,
        })
}

fn object_id(i: usize) -> String {
    format!("malware--a0000000-0000-4000-8000-{i:012}")
}

/// The text that only version `j` of object `i` carries.
fn marker(i: usize, j: usize) -> String {
    format!("zq{i}v{j}zq")
}

fn report_marker(n: usize) -> String {
    format!("rq{n}rq")
}

/// What the store's rule allows: at or below the cap, and AMBER+STRICT/RED only to the owner.
fn may_read(user: &UserSpec, cap: Tlp, tlp: Tlp, owner: usize) -> bool {
    tlp <= user.clearance.min(cap) && (tlp <= Tlp::Amber || owner == user.org)
}

impl World {
    /// The (object, version) pairs `user` may read through a path capped at `cap`.
    fn visible(&self, user: &UserSpec, cap: Tlp) -> BTreeSet<(usize, usize)> {
        let mut out = BTreeSet::new();
        for (i, o) in self.objects.iter().enumerate() {
            for (j, t) in o.versions.iter().enumerate() {
                if may_read(user, cap, *t, o.owner) {
                    out.insert((i, j));
                }
            }
        }
        out
    }

    /// Every marker `user` may not see anywhere.
    fn hidden_markers(&self, user: &UserSpec) -> Vec<String> {
        let visible = self.visible(user, Tlp::Red);
        let mut out = Vec::new();
        for (i, o) in self.objects.iter().enumerate() {
            for j in 0..o.versions.len() {
                if !visible.contains(&(i, j)) {
                    out.push(marker(i, j));
                }
            }
        }
        for n in 0..self.reports.len() {
            if !self.report_visible(user, n) {
                out.push(report_marker(n));
            }
        }
        out
    }

    /// Whether `user` may see report `n`: the same rule as objects, and a run's named recipient
    /// reads its restricted material as its owner does.
    fn report_visible(&self, user: &UserSpec, n: usize) -> bool {
        let (owner, tlp, recipient) = self.reports[n];
        may_read(user, Tlp::Red, tlp, owner)
            || recipient.is_some_and(|r| may_read(user, Tlp::Red, tlp, r))
    }
}

fn version(i: usize, j: usize, tlp: Tlp) -> ObjectVersion {
    let id = object_id(i);
    let json = json!({"type": "malware", "spec_version": "2.1", "id": id,
                      "created": TIMES[0], "modified": TIMES[j],
                      "name": format!("landscape {} {}", marker(i, j), tlp.as_str()),
                      "is_family": false})
    .to_string();
    ObjectVersion {
        id,
        modified: TIMES[j].into(),
        type_: "malware".into(),
        tlp,
        json,
        tag: 0,
    }
}

/// One argon2id hash of [`PW`] for every generated user (hashing is the slow part of a case).
fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| auth::hash_password(PW))
}

fn user_name(u: usize) -> String {
    format!("user{u}")
}

/// A fresh store holding the world, the server state over it, and an API token per user.
fn build(world: &World) -> (tempfile::TempDir, AppState, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db").display().to_string();
    let mut store = threatscape_store::open(&db).unwrap();
    for (u, spec) in world.users.iter().enumerate() {
        store
            .create_user(&NewUser {
                name: user_name(u),
                organisation: ORGS[spec.org].into(),
                role: spec.role.as_str().into(),
                clearance: spec.clearance,
                password_hash: password_hash().into(),
            })
            .unwrap();
    }
    let tokens = (0..world.users.len())
        .map(|u| auth::create_token(&mut *store, &user_name(u), "proptest").unwrap())
        .collect();
    // One ingest run per (owner, version number): the run's contributor owns what it brought.
    for (org_index, org) in ORGS.iter().enumerate() {
        for j in 0..TIMES.len() {
            let versions: Vec<ObjectVersion> = world
                .objects
                .iter()
                .enumerate()
                .filter(|(_, o)| o.owner == org_index)
                .filter_map(|(i, o)| o.versions.get(j).map(|t| version(i, j, *t)))
                .collect();
            if !versions.is_empty() {
                write_run(&mut *store, org, versions);
            }
        }
    }
    // One run per report, contributed by its owner.
    for (n, (owner, t, recipient)) in world.reports.iter().enumerate() {
        let r = report(
            &format!("Incident {}", report_marker(n)),
            *t,
            "native",
            "academia",
            n as u32 + 1,
        );
        let recipients = recipient.iter().map(|&o| ORGS[o].to_string()).collect();
        write_reports_for(&mut *store, ORGS[*owner], recipients, vec![r]);
    }
    let state = AppState::new(&db).unwrap();
    (dir, state, tokens)
}

fn write_run(store: &mut dyn Store, org: &str, versions: Vec<ObjectVersion>) {
    let run = store
        .begin_run(&NewRun {
            contributor: Some(org.into()),
            actor: "proptest".into(),
            ..NewRun::default()
        })
        .unwrap();
    let audit = AuditEntry {
        actor: "proptest".into(),
        action: "ingest-file".into(),
        subject: "generated.json".into(),
        detail: json!({}),
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

/// A GET with a bearer token: status and body text.
async fn get(state: &AppState, token: &str, uri: &str) -> (StatusCode, String) {
    let resp = threatscape_server::router(state.clone())
        .oneshot(
            Request::get(uri)
                .header("authorization", format!("Bearer {token}"))
                .header("accept", "application/taxii+json;version=2.1")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

fn json_of(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or(Value::Null)
}

/// The (object, version) pair of a STIX id and `modified` in this world.
fn pair(id: &str, modified: &str) -> (usize, usize) {
    let i = id.rsplit('-').next().unwrap().parse().unwrap();
    let j = TIMES.iter().position(|t| *t == modified).unwrap();
    (i, j)
}

fn collection_id(t: Tlp) -> String {
    format!("tlp-{}", t.as_str().to_ascii_lowercase().replace('+', "-"))
}

fn assert_no_leak(body: &str, hidden: &[String], path: &str, who: &str) {
    for m in hidden {
        assert!(
            !body.contains(m.as_str()),
            "{path} shows {m} to {who}: {body}"
        );
    }
}

async fn check_taxii(world: &World, state: &AppState, u: usize, token: &str) {
    let user = &world.users[u];
    let who = format!("{} {:?}", user_name(u), user);
    let hidden = world.hidden_markers(user);
    let (status, body) = get(state, token, "/threatscape/collections/").await;
    assert_eq!(status, StatusCode::OK);
    let listed: Vec<String> = json_of(&body)["collections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    let expected: Vec<String> = Tlp::ALL
        .into_iter()
        .filter(|t| *t <= user.clearance)
        .map(collection_id)
        .collect();
    assert_eq!(listed, expected, "{who}");

    for cap in Tlp::ALL {
        let base = format!("/threatscape/collections/{}", collection_id(cap));
        if cap > user.clearance {
            let (status, body) = get(state, token, &format!("{base}/objects/")).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{who} reads {base}: {body}");
            continue;
        }
        let visible = world.visible(user, cap);
        // Every version, paged two at a time.
        let mut seen = BTreeSet::new();
        let mut next = String::new();
        loop {
            let path = format!("{base}/objects/?match[version]=all&limit=2{next}");
            let (status, body) = get(state, token, &path).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            assert_no_leak(&body, &hidden, &path, &who);
            let v = json_of(&body);
            for o in v["objects"].as_array().into_iter().flatten() {
                assert!(seen.insert(pair(
                    o["id"].as_str().unwrap(),
                    o["modified"].as_str().unwrap()
                )));
            }
            match v["next"].as_str() {
                Some(n) if v["more"] == json!(true) => next = format!("&next={n}"),
                _ => break,
            }
        }
        assert_eq!(seen, visible, "{who}: objects of {base}");
        let path = format!("{base}/manifest/?match[version]=all&limit=1000");
        let (_, body) = get(state, token, &path).await;
        let manifest: BTreeSet<(usize, usize)> = json_of(&body)["objects"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|o| pair(o["id"].as_str().unwrap(), o["version"].as_str().unwrap()))
            .collect();
        assert_eq!(manifest, visible, "{who}: {path}");

        for i in 0..world.objects.len() {
            let id = object_id(i);
            let mine: BTreeSet<usize> = visible
                .iter()
                .filter(|(k, _)| *k == i)
                .map(|(_, j)| *j)
                .collect();
            let path = format!("{base}/objects/{id}/");
            let (status, body) = get(state, token, &path).await;
            assert_no_leak(&body, &hidden, &path, &who);
            let path_all = format!("{path}?match[version]=all");
            let (status_all, body_all) = get(state, token, &path_all).await;
            assert_no_leak(&body_all, &hidden, &path_all, &who);
            let path_versions = format!("{path}versions/");
            let (status_versions, body_versions) = get(state, token, &path_versions).await;
            assert_no_leak(&body_versions, &hidden, &path_versions, &who);
            if mine.is_empty() {
                for (s, p) in [
                    (status, &path),
                    (status_all, &path_all),
                    (status_versions, &path_versions),
                ] {
                    assert_eq!(s, StatusCode::NOT_FOUND, "{who}: {p}");
                }
                continue;
            }
            let latest = *mine.iter().max().unwrap();
            assert_eq!(
                json_of(&body)["objects"][0]["modified"],
                TIMES[latest],
                "{who}: {path}"
            );
            let all: BTreeSet<usize> = json_of(&body_all)["objects"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| pair(&id, o["modified"].as_str().unwrap()).1)
                .collect();
            assert_eq!(all, mine, "{who}: {path_all}");
            let versions: BTreeSet<usize> = json_of(&body_versions)["versions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| pair(&id, v.as_str().unwrap()).1)
                .collect();
            assert_eq!(versions, mine, "{who}: {path_versions}");
        }
    }
}

async fn check_api(world: &World, state: &AppState, u: usize, token: &str) {
    let user = &world.users[u];
    let who = format!("{} {:?}", user_name(u), user);
    let hidden = world.hidden_markers(user);
    let visible = world.visible(user, Tlp::Red);
    let mut latest: BTreeMap<usize, usize> = BTreeMap::new();
    for (i, j) in &visible {
        let e = latest.entry(*i).or_insert(*j);
        *e = (*e).max(*j);
    }
    let path = "/api/v1/objects?limit=1000";
    let (status, body) = get(state, token, path).await;
    assert_eq!(status, StatusCode::OK);
    assert_no_leak(&body, &hidden, path, &who);
    let listed: BTreeMap<usize, usize> = json_of(&body)["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| pair(r["id"].as_str().unwrap(), r["modified"].as_str().unwrap()))
        .collect();
    assert_eq!(listed, latest, "{who}: {path}");
    for i in 0..world.objects.len() {
        let path = format!("/api/v1/objects/{}", object_id(i));
        let (status, body) = get(state, token, &path).await;
        assert_no_leak(&body, &hidden, &path, &who);
        let expected = if latest.contains_key(&i) {
            StatusCode::OK
        } else {
            StatusCode::NOT_FOUND
        };
        assert_eq!(status, expected, "{who}: {path}");
    }
    for path in [
        "/api/v1/objects?q=landscape",
        "/api/v1/stats",
        "/api/v1/reports?limit=1000",
        "/api/v1/incidents?limit=1000",
    ] {
        let (status, body) = get(state, token, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_no_leak(&body, &hidden, path, &who);
        if path == "/api/v1/reports?limit=1000" {
            let listed: BTreeSet<usize> = (0..world.reports.len())
                .filter(|&n| body.contains(&report_marker(n)))
                .collect();
            let expected: BTreeSet<usize> = (0..world.reports.len())
                .filter(|&n| world.report_visible(user, n))
                .collect();
            assert_eq!(listed, expected, "{who}: {path}");
        }
        if path == "/api/v1/stats" {
            let max = user.clearance.min(Tlp::Amber);
            for t in Tlp::ALL.into_iter().filter(|t| *t > max) {
                assert!(
                    json_of(&body)["objects_by_tlp"].get(t.as_str()).is_none(),
                    "{who}: {body}"
                );
            }
        }
    }
}

async fn check_web(world: &World, state: &AppState, u: usize) {
    let user = &world.users[u];
    let who = format!("{} {:?}", user_name(u), user);
    let hidden = world.hidden_markers(user);
    let visible = world.visible(user, Tlp::Red);
    let cookie = sign_in(state, &user_name(u), PW).await.ok().unwrap();
    let mut paths = vec![
        "/".to_string(),
        "/reports".into(),
        "/search".into(),
        "/search?q=landscape".into(),
    ];
    for tlp in Tlp::ALL {
        paths.push(format!("/reports?tlp={}", enc(tlp.as_str())));
    }
    paths.push("/incidents".into());
    for n in 0..world.reports.len() {
        let key = enc(&format!("native:R-{}", n + 1));
        paths.push(format!("/report?key={key}"));
        paths.push(format!("/incident?key={key}"));
    }
    for path in &paths {
        let r = call(state, "GET", path, &cookie, "").await;
        assert!(
            matches!(r.status, StatusCode::OK | StatusCode::NOT_FOUND),
            "{path}: {}",
            r.status
        );
        assert_no_leak(&r.body, &hidden, path, &who);
    }
    // And what they may see is there: each report they may read (their organisation's own
    // AMBER+STRICT and RED included) on its report page and its incident page.
    for n in 0..world.reports.len() {
        let key = enc(&format!("native:R-{}", n + 1));
        for path in [format!("/report?key={key}"), format!("/incident?key={key}")] {
            let r = call(state, "GET", &path, &cookie, "").await;
            if world.report_visible(user, n) {
                assert_eq!(r.status, StatusCode::OK, "{who}: {path}");
                assert!(r.body.contains(&report_marker(n)), "{who}: {path} lacks it");
            } else {
                assert_eq!(r.status, StatusCode::NOT_FOUND, "{who}: {path}");
            }
        }
    }
    for i in 0..world.objects.len() {
        let path = format!("/objects/{}", object_id(i));
        let r = call(state, "GET", &path, &cookie, "").await;
        assert_no_leak(&r.body, &hidden, &path, &who);
        match visible
            .iter()
            .filter(|(k, _)| *k == i)
            .map(|(_, j)| *j)
            .max()
        {
            Some(j) => {
                assert_eq!(r.status, StatusCode::OK, "{who}: {path}");
                assert!(
                    r.body.contains(&marker(i, j)),
                    "{who}: {path} lacks the latest visible version"
                );
            }
            None => assert_eq!(r.status, StatusCode::NOT_FOUND, "{who}: {path}"),
        }
    }
}

proptest! {
    // Each case builds a store and signs every user in (an argon2 verification each).
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn no_read_path_returns_what_the_user_may_not_read(world in world()) {
        let (_dir, state, tokens) = build(&world);
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(async {
            for (u, token) in tokens.iter().enumerate() {
                check_taxii(&world, &state, u, token).await;
                check_api(&world, &state, u, token).await;
                check_web(&world, &state, u).await;
            }
        });
    }
}

/// The owner rule and TLP:RED's named recipients, case by case: a RED report of ORG-A naming
/// ORG-B reaches RED-cleared readers of both, on every report and incident path, and no one else.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restricted_reports_reach_their_owner_and_named_recipients_only() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db").display().to_string();
    let readers = [
        ("a-red", "ORG-A", Tlp::Red, true),
        ("b-red", "ORG-B", Tlp::Red, true),
        ("c-red", "ORG-C", Tlp::Red, false),
        ("b-amber", "ORG-B", Tlp::Amber, false),
    ];
    let key = "native:R-7";
    tokio::task::block_in_place(|| {
        let mut store = threatscape_store::open(&db).unwrap();
        for (name, org, clearance, _) in readers {
            auth::create_user(&mut *store, name, org, Role::Reader, clearance, PW).unwrap();
        }
        let r = report(
            "Red heron wiper at the ministry",
            Tlp::Red,
            "native",
            "member-state",
            7,
        );
        write_reports_for(&mut *store, "ORG-A", vec!["ORG-B".into()], vec![r]);
    });
    let state = AppState::new(&db).unwrap();
    for (name, _, _, sees) in readers {
        let token = tokio::task::block_in_place(|| {
            let mut store = threatscape_store::open(&db).unwrap();
            auth::create_token(&mut *store, name, "test").unwrap()
        });
        let cookie = sign_in(&state, name, PW).await.ok().unwrap();
        let expected = if sees {
            StatusCode::OK
        } else {
            StatusCode::NOT_FOUND
        };
        for path in [
            format!("/report?key={}", enc(key)),
            format!("/incident?key={}", enc(key)),
        ] {
            let r = call(&state, "GET", &path, &cookie, "").await;
            assert_eq!(r.status, expected, "{name}: {path}");
            assert_eq!(r.body.contains("Red heron"), sees, "{name}: {path}");
        }
        for path in ["/reports", "/incidents", "/contributions"] {
            let r = call(&state, "GET", path, &cookie, "").await;
            assert_eq!(r.status, StatusCode::OK, "{name}: {path}");
            if path != "/contributions" {
                assert_eq!(r.body.contains("Red heron"), sees, "{name}: {path}");
            } else {
                assert!(
                    !r.body.contains("Red heron"),
                    "{name}: not their contribution"
                );
            }
        }
        for path in [
            "/api/v1/reports?limit=1000".to_string(),
            "/api/v1/incidents?limit=1000".to_string(),
            format!("/api/v1/incident?key={}", enc(key)),
        ] {
            let (status, body) = get(&state, &token, &path).await;
            assert_eq!(body.contains("Red heron"), sees, "{name}: {path}: {status}");
        }
    }
    // Every read that showed it is audited, with the reader; no other read is.
    let audit = tokio::task::block_in_place(|| {
        threatscape_store::open(&db)
            .unwrap()
            .recent_audit(200)
            .unwrap()
    });
    let reads: Vec<(&str, &str)> = audit
        .iter()
        .filter(|e| e.action == "read-restricted")
        .map(|e| (e.actor.as_str(), e.subject.as_str()))
        .collect();
    for (name, _, _, sees) in readers {
        for path in [
            "/report?key=native:R-7",
            "/incident?key=native:R-7",
            "/reports",
            "/incidents",
            "/api/v1/reports",
            "/api/v1/incidents",
            "/api/v1/incident?key=native:R-7",
        ] {
            assert_eq!(
                reads.contains(&(name, path)),
                sees,
                "{name} {path}: {reads:?}"
            );
        }
    }
    assert!(audit
        .iter()
        .filter(|e| e.action == "read-restricted")
        .all(|e| e.detail["reports"] == json!([{"report": key, "tlp": "RED"}])));
    tokio::task::block_in_place(move || drop(state));
}
