//! Hostile input: SQL and FTS syntax in every filter and search parameter, and path traversal in
//! every upload that carries a file name.
//!
//! Filters must answer 200 or a clear 400 (never 500), leave the store as it was (its
//! fingerprint) and match what they literally say; a file name is data, never a path: nothing
//! is written where it points, and the store's folder holds only the store.

use axum::http::StatusCode;
use base64::Engine;
use serde_json::{json, Value};
use threatscape_model::Tlp;
use threatscape_server::{auth, Role};
use threatscape_store::ObjectVersion;

use super::analyst::{pg_site, rest, site, Site, GRID, HOSPITAL, PORT};
use super::web::{call, csrf_of, enc, report, sign_in, write_reports};
use super::{write, PW};

const DISCOUNT: &str = "Discount 100% fraud_ring empties pension fund";
const OBJECT_ID: &str = "malware--20000000-0000-4000-8000-000000000001";

/// SQL, LIKE and FTS5 syntax, quoting and control characters.
const PAYLOADS: &[&str] = &[
    "'",
    "''",
    "\"",
    "' OR '1'='1",
    "' OR 1=1 --",
    "'; DROP TABLE reports; --",
    "\"; DROP TABLE stix_objects; --",
    "x' UNION SELECT name, password_hash FROM users --",
    "%",
    "_",
    "%' --",
    "fraud_ring",
    "fraudXring",
    "100%",
    "*",
    "Disc*",
    "NEAR(",
    "NEAR(wiper port)",
    "wiper OR port",
    "wiper AND NOT port",
    "title:wiper",
    "^wiper",
    "(",
    ")",
    "\\",
    "\u{0}",
    "é’“",
    "2024-13-45",
    "99999999999999999999999",
    "-1",
];

/// The report titles a GREEN reader may see.
const VISIBLE: [&str; 4] = [HOSPITAL, PORT, GRID, DISCOUNT];

/// What the incident list's `q` literally means: every word (lower-cased) occurs in a report's
/// title or account (the fixture's account is the title and a fixed sentence).
fn literally(q: &str) -> Vec<&'static str> {
    let words: Vec<String> = q.split_whitespace().map(str::to_lowercase).collect();
    let mut out: Vec<&str> = VISIBLE
        .into_iter()
        .filter(|t| {
            let text =
                format!("{t}\n{t}: the account in the contributor's words.\n").to_lowercase();
            words.iter().all(|w| text.contains(w.as_str()))
        })
        .collect();
    out.sort();
    out
}

fn titles(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| i["reports"].as_array().unwrap().iter())
        .map(|r| r["title"].as_str().unwrap().to_string())
        .collect();
    out.sort();
    out
}

/// The store's fingerprint, read off the async workers (PostgreSQL's blocking client must not
/// run on them).
fn fingerprint(db: &str) -> threatscape_store::Fingerprint {
    tokio::task::block_in_place(|| {
        threatscape_store::fingerprint(&*threatscape_store::open(db).unwrap()).unwrap()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_and_searches_take_hostile_text_literally() {
    hostile_filters(&site()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_and_searches_take_hostile_text_literally_on_postgresql() {
    let Some(s) = tokio::task::block_in_place(|| pg_site("the hostile filters test on PostgreSQL"))
    else {
        return;
    };
    hostile_filters(&s).await;
    // Its pooled connections close off the async workers too.
    tokio::task::block_in_place(move || drop(s));
}

/// Every filter and search with every payload, on the fixture `s` (either backend).
async fn hostile_filters(s: &Site) {
    let st = &s.state;
    tokio::task::block_in_place(|| {
        let mut store = threatscape_store::open(&s.db).unwrap();
        write_reports(
            &mut *store,
            vec![report(DISCOUNT, Tlp::Clear, "native", "academia", 12)],
        );
        let json = json!({"type": "malware", "spec_version": "2.1", "id": OBJECT_ID,
            "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
            "name": DISCOUNT, "is_family": false})
        .to_string();
        write(
            &mut *store,
            "CERT-A",
            vec![ObjectVersion {
                id: OBJECT_ID.into(),
                modified: "2024-01-01T00:00:00.000Z".into(),
                type_: "malware".into(),
                tlp: Tlp::Clear,
                json,
                tag: 0,
            }],
        );
    });
    // The GREEN analyst reads nothing AMBER, so no read is audited and the fingerprint stays.
    let user = "analyst";
    let cookie = sign_in(st, user, PW).await.ok().unwrap();
    // Warm the derivations (the search index fills on first use, outside the fingerprint).
    assert_eq!(
        call(st, "GET", "/search?q=pension", &cookie, "")
            .await
            .status,
        StatusCode::OK
    );
    let before = fingerprint(&s.db);

    let (status, all) = rest(st, user, "GET", "/api/v1/incidents?limit=1000", None).await;
    assert_eq!(status, StatusCode::OK);
    let mut visible: Vec<String> = VISIBLE.iter().map(|t| t.to_string()).collect();
    visible.sort();
    assert_eq!(
        titles(&all),
        visible,
        "the fixture as a GREEN reader sees it"
    );

    let incident_params = [
        "from", "to", "sector", "kind", "country", "actor", "agenda", "norm", "type", "tlp", "q",
        "page",
    ];
    for p in PAYLOADS {
        let e = enc(p);
        // The incident list, web and REST: every parameter.
        for name in incident_params {
            let uri = format!("/api/v1/incidents?{name}={e}");
            let (status, v) = rest(st, user, "GET", &uri, None).await;
            assert!(
                status == StatusCode::OK || status == StatusCode::BAD_REQUEST,
                "{uri}: {status} {v}"
            );
            if status == StatusCode::BAD_REQUEST {
                let why = v["description"].as_str().unwrap_or_default();
                assert!(
                    why.contains(name),
                    "{uri}: the 400 names the parameter: {v}"
                );
                assert!(
                    ["from", "to", "type", "tlp", "page"].contains(&name),
                    "{uri}: only formatted parameters are refused: {v}"
                );
            } else if name == "q" {
                assert_eq!(titles(&v), literally(p), "{uri}");
            } else if !p.trim().is_empty() {
                // No label, country or actor of the fixture is any of these strings.
                assert_eq!(titles(&v), Vec::<String>::new(), "{uri}");
            }
            let page = call(st, "GET", &format!("/incidents?{name}={e}"), &cookie, "").await;
            assert!(
                page.status == StatusCode::OK || page.status == StatusCode::BAD_REQUEST,
                "/incidents?{name}={p:?}: {}",
                page.status
            );
            assert!(page
                .body
                .contains("<form method=\"get\" action=\"/incidents\""));
            if page.status == StatusCode::BAD_REQUEST {
                assert!(page.body.contains("notice error"), "the page says why");
            }
        }
        for uri in [
            format!("/api/v1/incidents?limit={e}"),
            format!("/api/v1/incidents?cursor={e}"),
            format!("/api/v1/objects?q={e}"),
            format!("/api/v1/objects?type={e}"),
            format!("/api/v1/objects?q={e}&type={e}"),
            format!("/api/v1/objects?cursor={e}"),
            format!("/api/v1/reports?format={e}"),
            format!("/api/v1/reports?cursor={e}"),
            format!("/api/v1/incident?key={e}"),
        ] {
            let (status, v) = rest(st, user, "GET", &uri, None).await;
            assert!(
                [
                    StatusCode::OK,
                    StatusCode::BAD_REQUEST,
                    StatusCode::NOT_FOUND
                ]
                .contains(&status),
                "{uri}: {status} {v}"
            );
            if uri.starts_with("/api/v1/reports?format=") {
                assert_eq!(v["results"], json!([]), "{uri}: no report has this format");
            }
        }
        for uri in [
            format!("/search?q={e}"),
            format!("/reports?q={e}"),
            format!("/reports?format={e}"),
            format!("/reports?type={e}"),
            format!("/reports?tlp={e}"),
            format!("/reports?page={e}"),
        ] {
            let r = call(st, "GET", &uri, &cookie, "").await;
            assert!(
                r.status == StatusCode::OK || r.status == StatusCode::BAD_REQUEST,
                "{uri}: {}",
                r.status
            );
        }
    }
    // SQL in the full-text search finds nothing: it is searched for as words.
    for p in [
        "' OR '1'='1",
        "'; DROP TABLE reports; --",
        "x' UNION SELECT name, password_hash FROM users --",
        "fraudXring",
    ] {
        let (status, v) = rest(
            st,
            user,
            "GET",
            &format!("/api/v1/objects?q={}", enc(p)),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(v["results"], json!([]), "{p:?} -> {v}");
        let page = call(st, "GET", &format!("/search?q={}", enc(p)), &cookie, "").await;
        assert!(!page.body.contains(OBJECT_ID), "{p:?}");
    }
    // ... and real words still find the object.
    let (_, v) = rest(st, user, "GET", "/api/v1/objects?q=pension", None).await;
    assert_eq!(v["results"][0]["id"], OBJECT_ID, "{v}");
    // `%` and `_` are characters, not wildcards: `_` matches only the title that has one.
    let (_, v) = rest(st, user, "GET", "/api/v1/incidents?q=_", None).await;
    assert_eq!(titles(&v), [DISCOUNT]);
    let (_, v) = rest(st, user, "GET", "/api/v1/incidents?q=%25", None).await;
    assert_eq!(titles(&v), [DISCOUNT]);
    let (_, v) = rest(st, user, "GET", "/api/v1/incidents?actor=%25", None).await;
    assert_eq!(titles(&v), Vec::<String>::new());

    assert_eq!(
        before,
        fingerprint(&s.db),
        "no filter or search changed the store"
    );
    let (_, again) = rest(st, user, "GET", "/api/v1/incidents?limit=1000", None).await;
    assert_eq!(titles(&again), visible, "every report is still there");
}

/// File names that try to leave the store's folder.
fn hostile_names(tag: &str) -> Vec<(String, Option<std::path::PathBuf>)> {
    let tmp = std::env::temp_dir();
    vec![
        (
            format!("../../../../../../..{}/ts-{tag}-up.pdf", tmp.display()),
            Some(tmp.join(format!("ts-{tag}-up.pdf"))),
        ),
        (
            format!("{}/ts-{tag}-abs.pdf", tmp.display()),
            Some(tmp.join(format!("ts-{tag}-abs.pdf"))),
        ),
        (
            format!("..\\..\\..\\ts-{tag}-win.pdf"),
            Some(tmp.join(format!("ts-{tag}-win.pdf"))),
        ),
        ("../../etc/passwd".into(), None),
        ("C:\\Windows\\System32\\drivers\\etc\\hosts".into(), None),
        (format!("ts-{tag}-nul\u{0}.pdf"), None),
        ("%2e%2e%2f%2e%2e%2fetc%2fpasswd".into(), None),
        ("\"; rm -rf / #.pdf".into(), None),
        ("".into(), None),
    ]
}

/// What the store's folder holds besides the store itself.
fn strays(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with("s.db"))
        .collect()
}

#[tokio::test]
async fn uploaded_file_names_are_never_paths() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db").display().to_string();
    let tag = format!(
        "{}-{}",
        std::process::id(),
        dir.path().file_name().unwrap().to_string_lossy()
    );
    {
        let mut store = threatscape_store::open(&db).unwrap();
        auth::create_user(
            &mut *store,
            "secretariat",
            "UNSC Secretariat",
            Role::Secretariat,
            Tlp::Green,
            PW,
        )
        .unwrap();
        // A user whose name is a path: the contribution form writes a temporary file named after it.
        auth::create_user(
            &mut *store,
            &format!("../../../../tmp/ts-{tag}-user"),
            "CERT-A",
            Role::Contributor,
            Tlp::Green,
            PW,
        )
        .unwrap();
    }
    let st = threatscape_server::AppState::new(&db).unwrap();
    let meeting = "/api/v1/debate/meetings/S%2FPV.9662";
    let (status, v) = rest(
        &st,
        "secretariat",
        "POST",
        "/api/v1/debate/meetings",
        Some(json!({
        "id": "S/PV.9662", "start": "2024-06-20T10:00", "agenda_item": "mips",
        "format": "open-debate", "time_limit": "PT3M"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let (status, v) = rest(&st, "secretariat", "POST", &format!("{meeting}/inscriptions"), Some(json!({
        "delegation": {"kind": "entity", "code": "EST"},
        "speaker": {"name": "Ms. Demo Delegate", "title": "", "level": "permanent-representative"}}))).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let n = v["acknowledgement"]["inscription"].as_u64().unwrap();
    let pdf = b"%PDF-1.7\n% rule 37 letter\n%%EOF\n";
    let names = hostile_names(&tag);
    for (i, (name, target)) in names.iter().enumerate() {
        // A distinct file each time, so each name is stored.
        let bytes = [&pdf[..], format!("% {i}\n").as_bytes()].concat();
        let (status, v) = rest(
            &st,
            "secretariat",
            "POST",
            &format!("{meeting}/inscriptions/{n}/letter"),
            Some(json!({
            "file_name": name,
            "pdf_base64": base64::engine::general_purpose::STANDARD.encode(&bytes),
            "signatory_name": "Rein Tammsaar",
            "signatory_title": "Permanent Representative of Estonia to the United Nations"})),
        )
        .await;
        assert!(
            status == StatusCode::OK
                || status == StatusCode::UNPROCESSABLE_ENTITY
                || status == StatusCode::BAD_REQUEST,
            "letter {name:?}: {status} {v}"
        );
        if let Some(target) = target {
            assert!(!target.exists(), "{name:?} wrote {}", target.display());
        }
        if status != StatusCode::OK {
            continue;
        }
        // The letter reads back whole, its name as data, from the store.
        let (_, ins) = rest(
            &st,
            "secretariat",
            "GET",
            &format!("{meeting}/inscriptions/{n}"),
            None,
        )
        .await;
        let sha = ins["inscription"]["letter"]["sha256"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(
            ins["inscription"]["letter"]["file_name"].as_str(),
            Some(name.as_str()),
            "{ins}"
        );
        let resp = tower::ServiceExt::oneshot(
            threatscape_server::router(st.clone()),
            axum::http::Request::get(format!("{meeting}/letters/{sha}"))
                .header(
                    "authorization",
                    format!(
                        "Basic {}",
                        base64::engine::general_purpose::STANDARD
                            .encode(format!("secretariat:{PW}"))
                    ),
                )
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "letter {name:?} reads back");
        let disposition = resp.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_string();
        let quoted = disposition
            .trim_start_matches("attachment; filename=\"")
            .trim_end_matches('"');
        assert!(
            !quoted.contains(['"', '/', '\\']),
            "the download is named by the file's last part only: {disposition}"
        );
        let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap();
        assert_eq!(&body[..], &bytes[..]);
    }
    // The contribution form, signed in as the user whose name is a path.
    let user = format!("../../../../tmp/ts-{tag}-user");
    let cookie = sign_in(&st, &user, PW).await.ok().unwrap();
    let form = call(&st, "GET", "/contribute", &cookie, "").await;
    let csrf = csrf_of(&form.body);
    let r = call(&st, "POST", "/contribute", &cookie, &format!(
        "csrf={csrf}&contributor_type=member-state&title=Traversal+probe&occurred_start=2024-05-02&tlp=CLEAR")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("accepted (1 new)"), "{}", r.body);
    let tmp = std::env::temp_dir();
    for leaked in [format!("ts-{tag}-user"), format!("ts-{tag}-user.json")] {
        assert!(
            !tmp.join(&leaked).exists(),
            "the user name was used as a path: {leaked}"
        );
    }
    assert_eq!(
        strays(dir.path()),
        Vec::<String>::new(),
        "only the store is in its folder"
    );
}
