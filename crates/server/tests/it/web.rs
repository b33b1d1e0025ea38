//! The web app: sign-in, sessions, CSRF, throttling, TLP on every page, and the browser test
//! (e2e/test.mjs, Playwright driving Debian's Chromium) against the router on a random port.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::json;
use threatscape_model::{Report, Tlp};
use threatscape_server::{auth, AppState, Role};
use threatscape_store::{AuditEntry, BatchItem, NewRun, ReportVersion, Store};
use tower::ServiceExt;

use super::{object, write, PW};

const CLEAR_ID: &str = "malware--10000000-0000-4000-8000-000000000001";
const AMBER_ID: &str = "malware--10000000-0000-4000-8000-000000000003";
const CLEAR_TITLE: &str = "Wiper hits port authority";
const AMBER_TITLE: &str = "Quietfalcon espionage against ministry";
const XSS_TITLE: &str =
    "<script>window.__xss=1</script><img src=x onerror=\"window.__xss=2\"> Pipeline outage";

pub(crate) fn report(title: &str, tlp: Tlp, format: &str, ctype: &str, n: u32) -> Report {
    serde_json::from_value(json!({
        "provenance": {"format": format, "file": "fixture.csv", "locator": format!("line {n}")},
        "contributor": {"name": format!("Org {ctype}"), "type": ctype, "reliability": "B"},
        "source_id": format!("R-{n}"),
        "title": title,
        "description": format!("{title}: the account in the contributor's words."),
        "occurred": {"start": {"year": 2024, "month": 3, "day": n}},
        "urls": ["https://example.org/report", "javascript:alert(1)"],
        "tlp": tlp,
        "credibility": 2,
        "original": format!("id,title\nR-{n},{title}"),
    }))
    .unwrap()
}

pub(crate) fn write_reports(store: &mut dyn Store, reports: Vec<Report>) {
    write_reports_as(store, "CERT-A", reports);
}

/// Writes `reports` in one ingest run contributed by `org` (their owner).
pub(crate) fn write_reports_as(store: &mut dyn Store, org: &str, reports: Vec<Report>) {
    write_reports_for(store, org, Vec::new(), reports);
}

/// Writes `reports` in one ingest run contributed by `org` naming `recipients`.
pub(crate) fn write_reports_for(
    store: &mut dyn Store,
    org: &str,
    recipients: Vec<String>,
    reports: Vec<Report>,
) {
    let run = store
        .begin_run(&NewRun {
            recipients,
            contributor: Some(org.into()),
            actor: "test".into(),
            ..NewRun::default()
        })
        .unwrap();
    let audit = AuditEntry {
        actor: "test".into(),
        action: "ingest-file".into(),
        subject: "fixture.csv".into(),
        detail: json!({}),
    };
    store
        .write_batch(
            run,
            &audit,
            threatscape_store::OnConflict::Reject,
            &mut reports.into_iter().enumerate().map(|(i, report)| {
                Ok(BatchItem::Report(Box::new(ReportVersion {
                    report,
                    tag: i as u64,
                })))
            }),
        )
        .unwrap();
}

struct Site {
    _dir: tempfile::TempDir,
    db: String,
    state: AppState,
    amber_key: String,
}

fn site() -> Site {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db").display().to_string();
    let mut store = threatscape_store::open(&db).unwrap();
    auth::create_user(
        &mut *store,
        "reader",
        "CERT-A",
        Role::Reader,
        Tlp::Green,
        PW,
    )
    .unwrap();
    auth::create_user(
        &mut *store,
        "analyst",
        "CERT-A",
        Role::Analyst,
        Tlp::Amber,
        PW,
    )
    .unwrap();
    auth::create_user(&mut *store, "admin", "CERT-A", Role::Admin, Tlp::Red, PW).unwrap();
    let t = "2024-01-01T00:00:00.000Z";
    write(
        &mut *store,
        "CERT-A",
        vec![
            object(CLEAR_ID, t, Tlp::Clear),
            object(
                "malware--10000000-0000-4000-8000-000000000002",
                t,
                Tlp::Green,
            ),
            object(AMBER_ID, t, Tlp::Amber),
        ],
    );
    let amber = report(AMBER_TITLE, Tlp::Amber, "misp", "member-state", 3);
    let amber_key = amber.key();
    write_reports(
        &mut *store,
        vec![
            report(CLEAR_TITLE, Tlp::Clear, "eurepoc", "academia", 1),
            report(XSS_TITLE, Tlp::Clear, "native", "civil-society", 2),
            amber,
        ],
    );
    Site {
        state: AppState::new(&db).unwrap(),
        db,
        _dir: dir,
        amber_key,
    }
}

pub(crate) struct Resp {
    pub(crate) status: StatusCode,
    pub(crate) cookie: Option<String>,
    pub(crate) location: Option<String>,
    pub(crate) body: String,
}

pub(crate) async fn call(
    state: &AppState,
    method: &str,
    uri: &str,
    cookie: &str,
    form: &str,
) -> Resp {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::HOST, "127.0.0.1:8080");
    if !cookie.is_empty() {
        req = req.header(header::COOKIE, cookie);
    }
    if method == "POST" {
        req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    }
    let resp = threatscape_server::router(state.clone())
        .oneshot(req.body(Body::from(form.to_string())).unwrap())
        .await
        .unwrap();
    let h = |n: header::HeaderName| {
        resp.headers()
            .get(n)
            .map(|v| v.to_str().unwrap().to_string())
    };
    let (cookie, location) = (h(header::SET_COOKIE), h(header::LOCATION));
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    Resp {
        status,
        cookie,
        location,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

pub(crate) fn csrf_of(body: &str) -> String {
    let at = body.find(r#"name="csrf" value=""#).expect("a CSRF field") + 19;
    body[at..].split('"').next().unwrap().to_string()
}

pub(crate) fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Signs in through the form; returns the session cookie (`name=value`).
pub(crate) async fn sign_in(state: &AppState, user: &str, password: &str) -> Result<String, Resp> {
    let form = call(state, "GET", "/login", "", "").await;
    let pre = form.cookie.unwrap().split(';').next().unwrap().to_string();
    let body = format!(
        "csrf={}&user={user}&password={}",
        csrf_of(&form.body),
        enc(password)
    );
    let r = call(state, "POST", "/login", &pre, &body).await;
    if r.status != StatusCode::SEE_OTHER {
        return Err(r);
    }
    Ok(r.cookie.unwrap().split(';').next().unwrap().to_string())
}

#[tokio::test]
async fn sign_in_sessions_csrf_and_throttling() {
    let s = site();
    let st = &s.state;
    // Pages need a session.
    let r = call(st, "GET", "/", "", "").await;
    assert_eq!(
        (r.status, r.location.as_deref()),
        (StatusCode::SEE_OTHER, Some("/login"))
    );
    let form = call(st, "GET", "/login", "", "").await;
    let set = form.cookie.clone().unwrap();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict") && set.contains("Path=/"),
        "{set}"
    );
    assert!(!set.contains("Secure"), "no Secure on loopback: {set}");
    // A login POST without the form's token is refused.
    let pre = set.split(';').next().unwrap();
    let r = call(
        st,
        "POST",
        "/login",
        pre,
        &format!("user=reader&password={}", enc(PW)),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Signing in replaces the session.
    let cookie = sign_in(st, "reader", PW).await.ok().unwrap();
    assert_ne!(cookie, pre);
    let dash = call(st, "GET", "/", &cookie, "").await;
    assert_eq!(dash.status, StatusCode::OK);
    assert!(dash.body.contains("TLP:GREEN") && dash.body.contains("reader"));
    // The session is in the store, under its secret's digest only: no file of the store holds
    // the secret, and a fresh process (a new AppState) knows the session.
    let secret = cookie.split_once('=').unwrap().1;
    let kept = threatscape_store::open(&s.db)
        .unwrap()
        .web_session(&threatscape_model::sha256_hex(secret.as_bytes()))
        .unwrap();
    assert_eq!(kept.map(|(k, _)| k.user).as_deref(), Some("reader"));
    for entry in std::fs::read_dir(s._dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "the cookie's secret is stored"
        );
    }
    let other_process = AppState::new(&s.db).unwrap();
    assert_eq!(
        call(&other_process, "GET", "/", &cookie, "").await.status,
        StatusCode::OK
    );
    // POST forms need the session's token.
    for form in ["", "csrf=", "csrf=forged"] {
        assert_eq!(
            call(st, "POST", "/logout", &cookie, form).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            call(st, "POST", "/contribute", &cookie, form).await.status,
            StatusCode::FORBIDDEN
        );
    }
    let csrf = csrf_of(&dash.body);
    let r = call(st, "POST", "/logout", &cookie, &format!("csrf={csrf}")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.cookie.unwrap().contains("Max-Age=0"));
    assert_eq!(
        call(st, "GET", "/", &cookie, "").await.status,
        StatusCode::SEE_OTHER
    );
    // Five failures lock the name for a minute, even with the right password next.
    for _ in 0..5 {
        assert_eq!(
            sign_in(st, "analyst", "wrong password!!")
                .await
                .err()
                .unwrap()
                .status,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        sign_in(st, "analyst", PW).await.err().unwrap().status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // The count lives in the store: another process refuses the name too, and failures spread
    // over two processes add up.
    assert_eq!(
        sign_in(&other_process, "analyst", PW)
            .await
            .err()
            .unwrap()
            .status,
        StatusCode::TOO_MANY_REQUESTS
    );
    for (i, process) in [st, &other_process, st, &other_process, st]
        .into_iter()
        .enumerate()
    {
        assert_eq!(
            sign_in(process, "admin", "wrong password!!")
                .await
                .err()
                .unwrap()
                .status,
            StatusCode::UNAUTHORIZED,
            "failure {i}"
        );
    }
    assert_eq!(
        sign_in(&other_process, "admin", PW)
            .await
            .err()
            .unwrap()
            .status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Each attempt is audited under the name typed, never with the password.
    let audit = threatscape_store::open(&s.db)
        .unwrap()
        .recent_audit(100)
        .unwrap();
    let failed = audit
        .iter()
        .filter(|e| e.action == "sign-in-failed" && e.subject == "analyst")
        .count();
    assert_eq!(failed, 5);
    assert!(audit
        .iter()
        .any(|e| e.action == "sign-in" && e.subject == "reader" && e.actor == "reader"));
    assert!(!format!("{audit:?}").contains("wrong password"));
    // Not on loopback: the cookie is Secure.
    let resp = threatscape_server::router(st.clone())
        .oneshot(
            Request::get("/login")
                .header(header::HOST, "threatscape.example.org")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let set = resp.headers()[header::SET_COOKIE].to_str().unwrap();
    assert!(set.contains("; Secure"), "{set}");
    let csp = resp.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
}

#[tokio::test]
async fn a_green_reader_sees_no_amber_page_and_stored_markup_is_inert() {
    let s = site();
    let st = &s.state;
    let reader = sign_in(st, "reader", PW).await.ok().unwrap();
    for uri in [
        "/".to_string(),
        "/reports".into(),
        "/reports?tlp=AMBER".into(),
        "/reports?q=quietfalcon".into(),
        "/search".into(),
        "/search?q=AMBER".into(),
        "/search?q=malware".into(),
    ] {
        let r = call(st, "GET", &uri, &reader, "").await;
        assert_eq!(r.status, StatusCode::OK, "{uri}");
        for secret in [AMBER_ID, AMBER_TITLE, "TLP:AMBER"] {
            assert!(!r.body.contains(secret), "{uri} shows {secret}");
        }
    }
    let r = call(st, "GET", &format!("/objects/{AMBER_ID}"), &reader, "").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(!r.body.contains(AMBER_ID));
    let key_url = format!("/report?key={}", enc(&s.amber_key));
    assert_eq!(
        call(st, "GET", &key_url, &reader, "").await.status,
        StatusCode::NOT_FOUND
    );
    let r = call(st, "GET", &format!("/objects/{CLEAR_ID}"), &reader, "").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("TLP:CLEAR") && r.body.contains("&quot;spec_version&quot;"));
    // Stored markup is shown as text, and non-web links are not links.
    let list = call(st, "GET", "/reports", &reader, "").await;
    assert!(!list.body.contains("<script>window") && list.body.contains("&lt;script&gt;"));
    let xss = Report::key(&report(XSS_TITLE, Tlp::Clear, "native", "civil-society", 2));
    let r = call(
        st,
        "GET",
        &format!("/report?key={}", enc(&xss)),
        &reader,
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.body.contains("<img src=x") && !r.body.contains(r#"href="javascript:"#));
    assert!(r.body.contains("<pre class=\"code\">id,title"));

    let analyst = sign_in(st, "analyst", PW).await.ok().unwrap();
    let r = call(st, "GET", &format!("/objects/{AMBER_ID}"), &analyst, "").await;
    assert_eq!(r.status, StatusCode::OK);
    let r = call(st, "GET", "/reports?tlp=AMBER", &analyst, "").await;
    assert!(r.body.contains(AMBER_TITLE));
    assert_eq!(
        call(st, "GET", &key_url, &analyst, "").await.status,
        StatusCode::OK
    );
}

#[test]
fn browser_test_in_chromium() {
    let s = site();
    let Some(super::browser::Run { stdout, shots }) = super::browser::run(
        &s.state,
        "test.mjs",
        "the browser test",
        "e2e",
        &[
            ("AMBER_ID", AMBER_ID),
            ("CLEAR_ID", CLEAR_ID),
            ("AMBER_TITLE", AMBER_TITLE),
            ("CLEAR_TITLE", CLEAR_TITLE),
            ("AMBER_KEY", &s.amber_key),
        ],
    ) else {
        return;
    };
    assert!(stdout.contains("e2e: OK"));
    assert!(shots.join("dashboard.png").exists());
}

#[tokio::test]
async fn a_contribution_goes_through_the_native_ingest() {
    let s = site();
    let st = &s.state;
    let reader = sign_in(st, "reader", PW).await.ok().unwrap();
    assert_eq!(
        call(st, "GET", "/contribute", &reader, "").await.status,
        StatusCode::FORBIDDEN
    );
    let analyst = sign_in(st, "analyst", PW).await.ok().unwrap();
    let form = call(st, "GET", "/contribute", &analyst, "").await;
    assert_eq!(form.status, StatusCode::OK);
    let csrf = csrf_of(&form.body);
    let post = |fields: &str| format!("csrf={csrf}&contributor_type=member-state&{fields}");
    // A missing date is the ingest's rejection, shown with the form kept.
    let r = call(
        st,
        "POST",
        "/contribute",
        &analyst,
        &post("title=No+date&tlp=GREEN"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("not accepted") && r.body.contains("No date"));
    let fields = "title=Grid+outage+%3Cb%3Ebold%3C%2Fb%3E&description=Substations+down&occurred_start=2024-05-02&victim_name=Grid+Co&victim_country=Ukraine&kinds=wiper&urls=https%3A%2F%2Fexample.org%2Fa&tlp=GREEN";
    let r = call(st, "POST", "/contribute", &analyst, &post(fields)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("accepted (1 new)"));
    let list = call(st, "GET", "/reports?format=native&q=grid", &reader, "").await;
    assert!(
        list.body.contains("Grid outage &lt;b&gt;bold&lt;/b&gt;"),
        "{}",
        list.body
    );
    // Above one's own clearance is refused.
    let r = call(
        st,
        "POST",
        "/contribute",
        &analyst,
        &post("title=x&occurred_start=2024&tlp=RED"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// A fresh store in `dir` holding one user, "reader", a GREEN reader of CERT-A: its path and the
/// store.
fn store_with_green_reader(
    dir: &std::path::Path,
    name: &str,
) -> (String, Box<dyn threatscape_store::Store + Send>) {
    let db = dir.join(name).display().to_string();
    let mut store = threatscape_store::open(&db).unwrap();
    auth::create_user(
        &mut *store,
        "reader",
        "CERT-A",
        Role::Reader,
        Tlp::Green,
        PW,
    )
    .unwrap();
    (db, store)
}

/// The incident page of the incident holding report `key`, as "reader" sees it; it must be 200.
async fn incident_page_as_reader(db: &str, key: &str) -> Resp {
    let state = AppState::new(db).unwrap();
    let reader = sign_in(&state, "reader", PW).await.ok().unwrap();
    let page = call(
        &state,
        "GET",
        &format!("/incident?key={}", enc(key)),
        &reader,
        "",
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    page
}

/// The incident page lists the coded values nothing reads, from the reports the reader may see
/// only: a GREEN reader sees the CLEAR report's unknown sector, never the AMBER one's.
#[tokio::test]
async fn the_incident_page_lists_coded_values_nothing_reads() {
    let dir = tempfile::tempdir().unwrap();
    let (db, mut store) = store_with_green_reader(dir.path(), "u.db");
    let title = "Port authority systems encrypted by ransomware";
    let with_sectors = |tlp: Tlp, n: u32, sector: &str| {
        let mut r = report(title, tlp, "native", "member-state", n);
        r.victims = vec![threatscape_model::Victim {
            name: Some("Harbour authority".into()),
            sectors: vec!["transport".into(), sector.into()],
            ..Default::default()
        }];
        r.kinds = vec!["ransomware".into()];
        r
    };
    let open = with_sectors(Tlp::Clear, 1, "spaceport catering");
    let key = open.key();
    write_reports(
        &mut *store,
        vec![open, with_sectors(Tlp::Amber, 2, "amber-only-sector")],
    );
    drop(store);
    let page = incident_page_as_reader(&db, &key).await;
    assert!(
        page.body.contains("Coded values nothing reads"),
        "{}",
        page.body
    );
    assert!(page.body.contains("<code>spaceport catering</code>"));
    assert!(page.body.contains("victims[0].sectors"));
    assert!(!page.body.contains("amber-only-sector"));
}

/// A sector the description only mentions beside precisely coded victims is on the incident page,
/// marked "mentioned only" with its reason, and counts nowhere.
#[tokio::test]
async fn the_incident_page_marks_a_sector_only_mentioned() {
    let dir = tempfile::tempdir().unwrap();
    let (db, mut store) = store_with_green_reader(dir.path(), "m.db");
    let mut r = report(
        "Wiper at a petrochemical plant",
        Tlp::Clear,
        "native",
        "member-state",
        1,
    );
    r.description = Some(
        "A wiper destroyed the plant's workstations; the US Treasury later sanctioned a research \
         institute for building it."
            .into(),
    );
    r.victims = vec![threatscape_model::Victim {
        name: Some("Petrochemical plant".into()),
        sectors: vec!["chemicals".into()],
        ..Default::default()
    }];
    let key = r.key();
    write_reports(&mut *store, vec![r]);
    drop(store);
    let page = incident_page_as_reader(&db, &key).await;
    let row = page
        .body
        .split("<tr")
        .find(|row| row.contains("Finance") && row.contains("mention:rule:sector.finance"))
        .unwrap_or_else(|| panic!("no finance row: {}", page.body));
    assert!(row.contains("mentioned only"), "{row}");
    assert!(row.contains("a mention"), "{row}");
    assert!(!row.contains("verdict-counts"), "{row}");
}
