//! The server end to end: TLP filtering on every TAXII and API read path, auth, add with status,
//! and the OASIS client (taxii-check) against the real router on a random port.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use base64::Engine;
use serde_json::{json, Value};
use threatscape_model::Tlp;
use threatscape_server::{auth, AppState, Role};
use threatscape_store::{AuditEntry, BatchItem, NewRun, ObjectVersion, OnConflict, Store};
use tower::ServiceExt;

mod access_rule;
mod analyst;
mod browser;
mod debate;
mod hostile;
mod landscape_web;
mod limits;
mod pages;
mod rate_limit;
mod upload;
mod web;

pub(crate) const PW: &str = "correct horse battery staple";

struct Fixture {
    _dir: tempfile::TempDir,
    db: String,
    state: AppState,
}

pub(crate) fn object(id: &str, modified: &str, tlp: Tlp) -> ObjectVersion {
    let type_ = id.split("--").next().unwrap().to_string();
    let json = json!({"type": type_, "spec_version": "2.1", "id": id, "created": "2020-01-01T00:00:00.000Z",
                      "modified": modified, "name": format!("{} {}", tlp.as_str(), id), "is_family": false})
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

pub(crate) fn write(store: &mut dyn Store, org: &str, versions: Vec<ObjectVersion>) {
    let run = store
        .begin_run(&NewRun {
            contributor: Some(org.into()),
            actor: "test".into(),
            ..NewRun::default()
        })
        .unwrap();
    let audit = AuditEntry {
        actor: "test".into(),
        action: "ingest-file".into(),
        subject: "t.json".into(),
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

const CLEAR: &str = "malware--00000000-0000-4000-8000-000000000001";
const GREEN: &str = "malware--00000000-0000-4000-8000-000000000002";
const AMBER: &str = "malware--00000000-0000-4000-8000-000000000003";
const STRICT: &str = "malware--00000000-0000-4000-8000-000000000004";
const T1: &str = "2020-01-01T00:00:00.000Z";
const T2: &str = "2021-01-01T00:00:00.000Z";

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db").display().to_string();
    let mut store = threatscape_store::open(&db).unwrap();
    for (name, org, role, tlp) in [
        ("green", "CERT-A", Role::Reader, Tlp::Green),
        ("amber", "CERT-A", Role::Contributor, Tlp::Amber),
        ("red-a", "CERT-A", Role::Admin, Tlp::Red),
        ("red-b", "CERT-B", Role::Analyst, Tlp::Red),
    ] {
        auth::create_user(&mut *store, name, org, role, tlp, PW).unwrap();
    }
    write(
        &mut *store,
        "CERT-A",
        vec![
            object(CLEAR, T1, Tlp::Clear),
            object(GREEN, T1, Tlp::Green),
            object(AMBER, T1, Tlp::Amber),
            object(AMBER, T2, Tlp::Amber),
            object(STRICT, T1, Tlp::AmberStrict),
        ],
    );
    // An AMBER version of the GREEN object: a GREEN reader must see only the GREEN one.
    write(&mut *store, "CERT-A", vec![object(GREEN, T2, Tlp::Amber)]);
    let state = AppState::new(&db).unwrap();
    Fixture {
        _dir: dir,
        db,
        state,
    }
}

fn basic(user: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{PW}"))
    )
}

async fn get(state: &AppState, auth: &str, uri: &str) -> (StatusCode, Value) {
    let resp = threatscape_server::router(state.clone())
        .oneshot(
            Request::get(uri)
                .header("authorization", auth)
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
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn texts(v: &Value) -> String {
    v.to_string()
}

#[tokio::test]
async fn a_green_reader_never_sees_amber() {
    let f = fixture();
    let a = basic("green");
    let col = "/threatscape/collections";
    let (s, v) = get(&f.state, &a, &format!("{col}/")).await;
    assert_eq!(s, StatusCode::OK);
    let ids: Vec<&str> = v["collections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["tlp-clear", "tlp-green"]);
    assert_eq!(
        get(&f.state, &a, &format!("{col}/tlp-amber/objects/"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    let (s, v) = get(
        &f.state,
        &a,
        &format!("{col}/tlp-green/objects/?match[version]=all"),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let body = texts(&v);
    assert_eq!(v["objects"].as_array().unwrap().len(), 2, "{body}");
    assert!(!body.contains("AMBER"), "{body}");
    let (_, v) = get(
        &f.state,
        &a,
        &format!("{col}/tlp-green/manifest/?match[version]=all"),
    )
    .await;
    assert_eq!(v["objects"].as_array().unwrap().len(), 2);
    assert!(!texts(&v).contains(AMBER) && !texts(&v).contains(T2));
    let (s, _) = get(&f.state, &a, &format!("{col}/tlp-green/objects/{AMBER}/")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = get(
        &f.state,
        &a,
        &format!("{col}/tlp-green/objects/{AMBER}/versions/"),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = get(
        &f.state,
        &a,
        &format!("{col}/tlp-green/objects/{GREEN}/versions/"),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["versions"], json!([T1]));
    let (_, v) = get(&f.state, &a, &format!("{col}/tlp-green/objects/{GREEN}/")).await;
    assert_eq!(v["objects"][0]["modified"], T1);
    // The REST API too.
    let (s, v) = get(&f.state, &a, "/api/v1/objects?limit=100").await;
    assert_eq!(s, StatusCode::OK);
    assert!(!texts(&v).contains("AMBER"), "{v}");
    let (s, _) = get(&f.state, &a, &format!("/api/v1/objects/{AMBER}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, v) = get(&f.state, &a, "/api/v1/objects?q=AMBER").await;
    assert!(!texts(&v).contains(AMBER), "{v}");
    let (_, v) = get(&f.state, &a, "/api/v1/stats").await;
    assert!(!texts(&v).contains("AMBER"), "{v}");
}

#[tokio::test]
async fn strict_material_stays_with_its_organisation_and_restricted_reads_are_audited() {
    let f = fixture();
    let url = format!("/threatscape/collections/tlp-red/objects/{STRICT}/");
    assert_eq!(get(&f.state, &basic("red-a"), &url).await.0, StatusCode::OK);
    assert_eq!(
        get(&f.state, &basic("red-b"), &url).await.0,
        StatusCode::NOT_FOUND
    );
    let store = threatscape_store::open(&f.db).unwrap();
    let last = &store.recent_audit(1).unwrap()[0];
    assert_eq!(
        (last.actor.as_str(), last.action.as_str()),
        ("red-a", "read-restricted")
    );
    assert!(last.detail.to_string().contains(STRICT));
}

#[tokio::test]
async fn paging_and_authentication() {
    let f = fixture();
    let a = basic("red-a");
    assert_eq!(
        get(&f.state, "Basic eDp5", "/taxii2/").await.0,
        StatusCode::UNAUTHORIZED
    );
    let (s, v) = get(&f.state, "", "/taxii2/").await;
    assert_eq!(
        (s, v["http_status"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("401"))
    );
    let mut seen = Vec::new();
    let mut next = String::new();
    loop {
        let (_, v) = get(
            &f.state,
            &a,
            &format!("/threatscape/collections/tlp-red/objects/?limit=2&match[version]=all{next}"),
        )
        .await;
        for o in v["objects"].as_array().unwrap() {
            seen.push(o["id"].as_str().unwrap().to_string());
        }
        if v["more"] == json!(true) {
            next = format!("&next={}", v["next"].as_str().unwrap());
        } else {
            break;
        }
    }
    assert_eq!(seen.len(), 6);
    // A Bearer token works like the password.
    let mut store = threatscape_store::open(&f.db).unwrap();
    let token = auth::create_token(&mut *store, "green", "test").unwrap();
    let (s, _) = get(
        &f.state,
        &format!("Bearer {token}"),
        "/threatscape/collections/",
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        get(&f.state, "Bearer ts_wrong", "/threatscape/").await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[test]
fn taxii_check_passes() {
    let Some(check) = threatscape_testkit::shared_peer("taxii-check") else {
        return;
    };
    let f = fixture();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    rt.spawn(threatscape_server::serve_on(f.state.clone(), listener));
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("add.json");
    std::fs::write(
        &bundle,
        json!({"type": "bundle", "id": "bundle--6f4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c", "objects": [
            {"type": "malware", "spec_version": "2.1", "id": "malware--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061",
             "created": "2024-03-01T00:00:00.000Z", "modified": "2024-03-01T00:00:00.000Z",
             "name": "Added over TAXII", "is_family": false},
            {"type": "indicator", "spec_version": "2.1", "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
             "created": "2024-03-01T00:00:00.000Z", "modified": "2024-03-01T00:00:00.000Z",
             "name": "Bad IP", "pattern": "[ipv4-addr:value = '198.51.100.7']", "pattern_type": "stix",
             "valid_from": "2024-03-01T00:00:00Z"}
        ]})
        .to_string(),
    )
    .unwrap();
    let out = std::process::Command::new(check)
        .arg(format!("http://127.0.0.1:{port}/taxii2/"))
        .arg("amber")
        .arg(PW)
        .arg(&bundle)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    eprintln!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success() && stdout.trim_end().ends_with("OK"),
        "taxii-check failed"
    );
}
