//! The contribution page's file upload (`POST /contribute/upload`, multipart) and "My
//! contributions": uploads go through the CLI's ingest, broken files leave the stored objects and
//! reports as they were and say where they are broken (under the client's file name), hostile file
//! names are data, readers and forged forms are refused, oversized bodies get a 413 page.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use tower::ServiceExt;

use super::analyst::site;
use super::web::{call, csrf_of, sign_in, Resp};

const BOUNDARY: &str = "----threatscape-test-boundary-7d93";
const WANNACRY: &str = "WannaCry ransomware worm disrupts the NHS and organisations worldwide";
const NATIVE_TITLE: &str = "Upload test: wiper hits a water utility SCADA network";

/// A multipart body: text fields, then a file field (name, bytes) when given.
fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> Vec<u8> {
    let mut out = Vec::new();
    for (k, v) in fields {
        out.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    if let Some((name, bytes)) = file {
        // A file name is sent as Chromium does: a double quote as %22, the rest as is.
        let quoted = name.replace('"', "%22");
        out.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{quoted}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        out.extend_from_slice(bytes);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    out
}

async fn post(state: &threatscape_server::AppState, cookie: &str, body: Vec<u8>) -> Resp {
    let req = Request::post("/contribute/upload")
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::COOKIE, cookie)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from(body))
        .unwrap();
    let resp = threatscape_server::router(state.clone())
        .oneshot(req)
        .await
        .unwrap();
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    Resp {
        status,
        cookie: None,
        location: None,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

async fn signed_in(st: &threatscape_server::AppState, user: &str) -> String {
    match sign_in(st, user, super::PW).await {
        Ok(c) => c,
        Err(r) => panic!("{user} could not sign in: {} {}", r.status, r.body),
    }
}

fn fields<'a>(csrf: &'a str, format: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("format", format),
        ("tlp", "green"),
        ("contributor_type", "member-state"),
    ]
}

fn stored(db: &str) -> (threatscape_store::Tally, threatscape_store::Tally) {
    let f = threatscape_store::fingerprint(&*threatscape_store::open(db).unwrap()).unwrap();
    (f.objects, f.reports)
}

/// The first `/incident?key=...` link on a page.
fn first_incident_link(body: &str) -> String {
    let at = body.find("/incident?key=").expect("an incident link");
    body[at..].split('"').next().unwrap().replace("&amp;", "&")
}

#[tokio::test]
async fn contributors_upload_stix_and_native_csv_and_see_what_became_of_them() {
    let s = site();
    let st = &s.state;
    let cookie = signed_in(st, "contributor").await;
    let page = call(st, "GET", "/contribute", &cookie, "").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains(r#"enctype="multipart/form-data""#)
            && page.body.contains(r#"action="/contribute/upload""#),
        "the contribution page has the upload form"
    );
    let csrf = csrf_of(&page.body);

    // The demo STIX bundle, format decided from its content.
    let demo =
        std::fs::read(threatscape_testkit::workspace_root().join("examples/demo-incidents.json"))
            .unwrap();
    let r = post(
        st,
        &cookie,
        multipart(&fields(&csrf, "auto"), Some(("demo-incidents.json", &demo))),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("was ingested"), "{}", r.body);
    assert!(
        r.body.contains("read as <strong>stix</strong>"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains(WANNACRY),
        "the reports it brought are listed"
    );
    // The incident page the summary links to shows the uploaded incident.
    let link = first_incident_link(&r.body);
    let inc = call(st, "GET", &link, &cookie, "").await;
    assert_eq!(inc.status, StatusCode::OK, "{link}: {}", inc.body);
    // The ingest run's audit entry names the signed-in user and their organisation.
    let audit = threatscape_store::open(&s.db)
        .unwrap()
        .recent_audit(20)
        .unwrap();
    assert!(
        audit.iter().any(|e| e.actor == "contributor"
            && e.action == "ingest-file"
            && e.subject.ends_with("upload-demo-incidents.json")
            && e.detail["contributor"] == "CERT-A"
            && e.detail["declared_tlp"] == "GREEN"),
        "{audit:?}"
    );
    let q = call(st, "GET", "/incidents?q=WannaCry", &cookie, "").await;
    assert!(q.body.contains("WannaCry ransomware worm"), "{}", q.body);

    // A native CSV, format named.
    let csv = format!(
        "title,occurred_start,tlp,victim_country,kinds\n\"{NATIVE_TITLE}\",2024-05-06,GREEN,Norway,wiper\n"
    );
    let r = post(
        st,
        &cookie,
        multipart(
            &fields(&csrf, "native"),
            Some(("water.csv", csv.as_bytes())),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains(NATIVE_TITLE), "{}", r.body);
    let link = first_incident_link(&r.body);
    let inc = call(st, "GET", &link, &cookie, "").await;
    assert_eq!(inc.status, StatusCode::OK);
    assert!(inc.body.contains(NATIVE_TITLE), "{}", inc.body);

    // My contributions: both runs, newest first, with their reports and incident links.
    let mine = call(st, "GET", "/contributions", &cookie, "").await;
    assert_eq!(mine.status, StatusCode::OK);
    let (native_at, demo_at) = (
        mine.body.find("upload-water.csv").expect("the CSV run"),
        mine.body
            .find("upload-demo-incidents.json")
            .expect("the STIX run"),
    );
    assert!(native_at < demo_at, "newest first");
    assert!(mine.body.contains(NATIVE_TITLE) && mine.body.contains(WANNACRY));
    assert!(mine.body.contains("/incident?key="));
    // Another user's page does not list them.
    let other = signed_in(st, "secretariat").await;
    let theirs = call(st, "GET", "/contributions", &other, "").await;
    assert!(!theirs.body.contains("upload-water.csv"), "{}", theirs.body);
}

#[tokio::test]
async fn a_broken_file_is_refused_with_its_name_and_line_and_stores_nothing() {
    let s = site();
    let st = &s.state;
    let cookie = signed_in(st, "contributor").await;
    let csrf = csrf_of(&call(st, "GET", "/contribute", &cookie, "").await.body);
    let before = stored(&s.db);
    let broken = b"{\n  \"type\": \"bundle\",\n  \"id\": \"bundle--1\",\n  \"objects\": [\n    {\"type\": \"incident\",,}\n  ]\n}\n";
    let r = post(
        st,
        &cookie,
        multipart(
            &fields(&csrf, "stix"),
            Some(("my <b>report</b>.json", broken)),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("was refused"), "{}", r.body);
    assert!(
        r.body.contains("my &lt;b&gt;report&lt;/b&gt;.json"),
        "the client's name, escaped: {}",
        r.body
    );
    assert!(!r.body.contains("<b>report</b>"), "never raw HTML");
    assert!(r.body.contains("line 5"), "the broken line: {}", r.body);
    let errors = &r.body[r.body.find(r#"id="errors""#).expect("an errors section")..];
    assert!(
        errors.contains("<td>my &lt;b&gt;report&lt;/b&gt;.json</td>"),
        "each error names the client's file: {errors}"
    );
    assert!(
        !r.body.contains("threatscape-upload-"),
        "no server path shown: {}",
        r.body
    );
    assert_eq!(before, stored(&s.db), "objects and reports unchanged");
}

#[tokio::test]
async fn hostile_file_names_write_nothing_outside_and_are_shown_escaped() {
    let s = site();
    let st = &s.state;
    let cookie = signed_in(st, "contributor").await;
    let csrf = csrf_of(&call(st, "GET", "/contribute", &cookie, "").await.body);
    let store_dir = std::path::Path::new(&s.db).parent().unwrap().to_path_buf();
    let tmp = std::env::temp_dir();
    let tag = std::process::id();
    let names = [
        "../../etc/passwd".to_string(),
        "..\\x".to_string(),
        "/abs/path".to_string(),
        format!("../../../../../../..{}/ts-{tag}-upload.csv", tmp.display()),
        format!("{}/ts-{tag}-abs-upload.csv", tmp.display()),
        format!("ts-{tag}-nul\u{0}.csv"),
        "tab\tin <name>.csv".to_string(),
    ];
    for (i, name) in names.iter().enumerate() {
        let csv = format!(
            "title,occurred_start,tlp\nHostile name upload {i},2024-02-0{},GREEN\n",
            i + 1
        );
        let r = post(
            st,
            &cookie,
            multipart(&fields(&csrf, "native"), Some((name, csv.as_bytes()))),
        )
        .await;
        if name.contains('\u{0}') {
            // A raw NUL in a part's headers is refused by the multipart reader itself.
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{name:?}: {}", r.body);
            assert!(r.body.contains("could not be read"), "{}", r.body);
            assert!(!r.body.contains('\u{0}'), "no raw NUL in the page");
            continue;
        }
        assert_eq!(r.status, StatusCode::OK, "{name:?}: {}", r.body);
        assert!(
            r.body.contains(&format!("Hostile name upload {i}")),
            "{}",
            r.body
        );
        let shown = name
            .replace('\t', "\\t")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        assert!(
            r.body.contains(&format!("<code>{shown}</code>")),
            "{name:?} shown as data: {}",
            r.body
        );
        assert!(!r.body.contains('\u{0}'), "no raw NUL in the page");
    }
    assert!(!tmp.join(format!("ts-{tag}-upload.csv")).exists());
    assert!(!tmp.join(format!("ts-{tag}-abs-upload.csv")).exists());
    assert!(!std::path::Path::new("/abs/path").exists());
    let strays: Vec<String> = std::fs::read_dir(&store_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with("s.db"))
        .collect();
    assert!(
        strays.is_empty(),
        "the store's folder holds only the store: {strays:?}"
    );
}

#[tokio::test]
async fn readers_forged_forms_and_oversized_uploads_are_refused() {
    let s = site();
    let st = &s.state;
    let csv = b"title,occurred_start,tlp\nShould never be stored,2024-01-01,GREEN\n";
    let before = stored(&s.db);

    // A reader sees no upload form and gets 403 when posting anyway.
    let reader = signed_in(st, "reader").await;
    let page = call(st, "GET", "/contribute", &reader, "").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(!page.body.contains("multipart/form-data"));
    let rcsrf = csrf_of(&call(st, "GET", "/reports", &reader, "").await.body);
    let r = post(
        st,
        &reader,
        multipart(&fields(&rcsrf, "native"), Some(("a.csv", csv))),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

    // Missing or forged CSRF token.
    let cookie = signed_in(st, "contributor").await;
    let mut no_csrf = fields("", "native");
    no_csrf.remove(0);
    let r = post(st, &cookie, multipart(&no_csrf, Some(("a.csv", csv)))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = post(
        st,
        &cookie,
        multipart(&fields("forged-token", "native"), Some(("a.csv", csv))),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    // No session at all.
    let r = post(
        st,
        "",
        multipart(&fields("x", "native"), Some(("a.csv", csv))),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

    // Larger than the server's body limit: a clear 413 page.
    let csrf = csrf_of(&call(st, "GET", "/contribute", &cookie, "").await.body);
    let big = vec![b'x'; threatscape_server::MAX_BODY + 1024];
    let r = post(
        st,
        &cookie,
        multipart(&fields(&csrf, "native"), Some(("big.csv", &big))),
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.body.contains("Upload too large"), "{}", r.body);
    assert_eq!(before, stored(&s.db), "nothing was stored");
}

#[tokio::test]
async fn dangling_references_are_listed_in_the_summary() {
    let s = site();
    let st = &s.state;
    let cookie = signed_in(st, "contributor").await;
    let csrf = csrf_of(&call(st, "GET", "/contribute", &cookie, "").await.body);
    let missing = "intrusion-set--7e0c2f50-5b5a-4f8c-9d1e-000000000099";
    let bundle = serde_json::json!({
        "type": "bundle",
        "id": "bundle--7e0c2f50-5b5a-4f8c-9d1e-000000000001",
        "objects": [
            {"type": "malware", "spec_version": "2.1",
             "id": "malware--7e0c2f50-5b5a-4f8c-9d1e-000000000002",
             "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
             "name": "Upload test wiper", "is_family": true},
            {"type": "relationship", "spec_version": "2.1",
             "id": "relationship--7e0c2f50-5b5a-4f8c-9d1e-000000000003",
             "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
             "relationship_type": "uses",
             "source_ref": missing,
             "target_ref": "malware--7e0c2f50-5b5a-4f8c-9d1e-000000000002"}
        ]
    });
    let text = serde_json::to_string_pretty(&bundle).unwrap();
    let r = post(
        st,
        &cookie,
        multipart(&fields(&csrf, "stix"), Some(("refs.json", text.as_bytes()))),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("1 dangling reference(s)"), "{}", r.body);
    let dangling = &r.body[r.body.find(r#"id="dangling""#).expect("a dangling section")..];
    assert!(
        dangling.contains(missing) && dangling.contains("<td>refs.json</td>"),
        "{dangling}"
    );
}

/// `POST /api/v1/uploads` with Basic auth; the status and the body as JSON.
async fn api_upload(
    state: &threatscape_server::AppState,
    user: &str,
    query: &str,
    body: &[u8],
) -> (StatusCode, serde_json::Value) {
    super::analyst::rest_bytes(
        state,
        user,
        "POST",
        &format!("/api/v1/uploads?{query}"),
        Some("application/octet-stream"),
        body.to_vec(),
    )
    .await
}

#[tokio::test]
async fn the_rest_api_takes_the_same_uploads() {
    let s = site();
    let st = &s.state;
    let demo =
        std::fs::read(threatscape_testkit::workspace_root().join("examples/demo-incidents.json"))
            .unwrap();
    let ok = "tlp=green&contributor_type=member-state&file_name=demo-incidents.json";

    // Who may, and what each parameter must be: refused before anything is stored.
    let before = stored(&s.db);
    for (user, query, status, says) in [
        ("reader", ok, StatusCode::FORBIDDEN, "reader"),
        (
            "contributor",
            "contributor_type=member-state",
            StatusCode::BAD_REQUEST,
            "tlp",
        ),
        (
            "contributor",
            "tlp=purple&contributor_type=member-state",
            StatusCode::BAD_REQUEST,
            "tlp",
        ),
        (
            "contributor",
            "tlp=red&contributor_type=member-state",
            StatusCode::FORBIDDEN,
            "clearance",
        ),
        (
            "contributor",
            "tlp=green",
            StatusCode::BAD_REQUEST,
            "contributor_type",
        ),
        (
            "contributor",
            "tlp=green&contributor_type=army",
            StatusCode::BAD_REQUEST,
            "contributor_type",
        ),
        (
            "contributor",
            &format!("{ok}&format=pdf"),
            StatusCode::BAD_REQUEST,
            "format",
        ),
    ] {
        let (got, v) = api_upload(st, user, query, &demo).await;
        assert_eq!(got, status, "{user} {query}: {v}");
        assert!(
            v["description"].as_str().unwrap_or_default().contains(says),
            "{query}: {v}"
        );
    }
    let (got, v) = api_upload(st, "contributor", ok, b"").await;
    assert_eq!(got, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(before, stored(&s.db), "nothing stored by a refused upload");

    let (got, v) = api_upload(
        st,
        "contributor",
        &format!("{ok}&recipients=UNODA;%07bell"),
        &demo,
    )
    .await;
    assert_eq!(got, StatusCode::BAD_REQUEST, "{v}");
    assert!(
        v["description"]
            .as_str()
            .unwrap()
            .starts_with("recipients:"),
        "{v}"
    );
    assert_eq!(before, stored(&s.db), "nothing stored by a refused upload");

    // The demo bundle: stored as the contributor, for their organisation and the recipients it
    // names, its reports listed.
    let (got, v) = api_upload(
        st,
        "contributor",
        &format!("{ok}&recipients=UNODA%3B+CERT-B+%3BUNODA"),
        &demo,
    )
    .await;
    assert_eq!(got, StatusCode::CREATED, "{v}");
    assert_eq!(v["file_name"], "demo-incidents.json");
    assert_eq!(v["summary"]["per_file"][0]["status"], "stored", "{v}");
    assert_eq!(
        v["summary"]["per_file"][0]["path"], "demo-incidents.json",
        "the client's name, not the server's path"
    );
    assert!(
        !v.to_string().contains("threatscape-upload-"),
        "no server path: {v}"
    );
    let reports = v["reports"].as_array().unwrap();
    let wannacry = reports
        .iter()
        .find(|r| r["title"] == WANNACRY)
        .unwrap_or_else(|| panic!("WannaCry among {v}"));
    let (code, inc) = super::analyst::rest(
        st,
        "contributor",
        "GET",
        wannacry["incident"].as_str().unwrap(),
        None,
    )
    .await;
    assert_eq!(code, StatusCode::OK, "{inc}");
    let audit = threatscape_store::open(&s.db)
        .unwrap()
        .recent_audit(20)
        .unwrap();
    assert!(
        audit.iter().any(|e| e.actor == "contributor"
            && e.action == "ingest-file"
            && e.detail["contributor"] == "CERT-A"
            && e.detail["declared_tlp"] == "GREEN"
            && e.detail["recipients"] == serde_json::json!(["UNODA", "CERT-B"])),
        "{audit:?}"
    );

    // A broken file: 422, the place named under the client's name, nothing stored.
    let before = stored(&s.db);
    let broken = b"{\n  \"type\": \"bundle\",\n  \"id\": \"bundle--1\",\n  \"objects\": [\n    {\"type\": \"incident\",,}\n  ]\n}\n";
    let (got, v) = api_upload(
        st,
        "contributor",
        "tlp=green&contributor_type=member-state&format=stix&file_name=..%2F..%2Fetc%2Fbroken.json",
        broken,
    )
    .await;
    assert_eq!(got, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["summary"]["per_file"][0]["status"], "rejected", "{v}");
    assert_eq!(v["summary"]["per_file"][0]["path"], "../../etc/broken.json");
    let error = &v["summary"]["errors"][0];
    assert_eq!(
        (error["file"].as_str(), error["line"].as_u64()),
        (Some("../../etc/broken.json"), Some(5)),
        "the broken line, under the client's name: {v}"
    );
    assert_eq!(before, stored(&s.db), "objects and reports unchanged");
}
