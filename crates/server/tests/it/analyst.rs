//! Analysts' decisions on the incident page and in the REST API: confirm, reject and add an
//! assessment label; split, unlink and merge reports. Who may (analyst, secretariat, admin; not
//! reader or contributor), CSRF on the forms, the audit trail with the signed-in user as actor, the
//! decision history on the page, and the effect on the next request (the store's change marker
//! moves, so the cached landscape is derived again).

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use base64::Engine;
use serde_json::{json, Value};
use threatscape_model::Tlp;
use threatscape_server::{auth, AppState, Role};
use tower::ServiceExt;

use super::web::{call, csrf_of, enc, report, sign_in, write_reports};
use super::PW;

pub(crate) const HOSPITAL: &str = "Ransomware attack encrypts city hospital patient records";
pub(crate) const PORT: &str = "Wiper destroys port authority cargo systems";
pub(crate) const GRID: &str = "Power grid operator hit by destructive wiper malware";
const SECRET: &str = "Espionage against the foreign ministry mail servers";

pub(crate) struct Site {
    pub(crate) db: String,
    pub(crate) state: AppState,
    pub(crate) hospital: String,
    pub(crate) port: String,
    pub(crate) grid: String,
    pub(crate) secret: String,
    // Dropped after the state's connections: the SQLite file's folder, or the PostgreSQL database.
    _dir: Option<tempfile::TempDir>,
    _pg: Option<threatscape_testkit::ScratchDatabase>,
}

/// The fixture on a fresh SQLite file.
pub(crate) fn site() -> Site {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db").display().to_string();
    site_on(db, Some(dir), None)
}

/// The fixture on a fresh PostgreSQL database; `None` (after the skip is reported) without a server.
pub(crate) fn pg_site(what: &str) -> Option<Site> {
    let pg = threatscape_testkit::ScratchDatabase::create(what)?;
    Some(site_on(pg.url(), None, Some(pg)))
}

fn site_on(
    db: String,
    dir: Option<tempfile::TempDir>,
    pg: Option<threatscape_testkit::ScratchDatabase>,
) -> Site {
    let mut store = threatscape_store::open(&db).unwrap();
    for (name, role, tlp) in [
        ("reader", Role::Reader, Tlp::Amber),
        ("contributor", Role::Contributor, Tlp::Amber),
        ("analyst", Role::Analyst, Tlp::Green),
        ("secretariat", Role::Secretariat, Tlp::Amber),
    ] {
        auth::create_user(&mut *store, name, "CERT-A", role, tlp, PW).unwrap();
    }
    let reports = vec![
        report(HOSPITAL, Tlp::Clear, "eurepoc", "academia", 1),
        report(PORT, Tlp::Clear, "cfr", "civil-society", 9),
        report(GRID, Tlp::Green, "native", "member-state", 20),
        report(SECRET, Tlp::Amber, "misp", "member-state", 27),
    ];
    let keys: Vec<String> = reports.iter().map(|r| r.key()).collect();
    write_reports(&mut *store, reports);
    Site {
        _dir: dir,
        _pg: pg,
        state: AppState::new(&db).unwrap(),
        db,
        hospital: keys[0].clone(),
        port: keys[1].clone(),
        grid: keys[2].clone(),
        secret: keys[3].clone(),
    }
}

fn basic(user: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{PW}"))
    )
}

/// A REST call with a JSON body (or none); the status and the body as JSON.
pub(crate) async fn rest(
    state: &AppState,
    user: &str,
    method: &str,
    uri: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let content_type = body.is_some().then_some("application/json");
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    rest_bytes(state, user, method, uri, content_type, body.into_bytes()).await
}

/// A REST call with any body, as `user` (HTTP Basic); the status and the body as JSON (or as a
/// JSON string when it is not JSON).
pub(crate) async fn rest_bytes(
    state: &AppState,
    user: &str,
    method: &str,
    uri: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, basic(user));
    if let Some(content_type) = content_type {
        req = req.header(header::CONTENT_TYPE, content_type);
    }
    let resp = threatscape_server::router(state.clone())
        .oneshot(req.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    (
        status,
        serde_json::from_slice(&bytes)
            .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into_owned())),
    )
}

/// The incident holding `key` as `user` sees it through the API.
async fn incident(state: &AppState, user: &str, key: &str) -> Value {
    let (s, v) = rest(
        state,
        user,
        "GET",
        &format!("/api/v1/incident?key={}", enc(key)),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

/// The labels of `dimension` that count, with each finding's analyst verdict.
fn counting(incident: &Value, dimension: &str) -> Vec<String> {
    incident["assessment"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["dimension"] == dimension)
        .filter(|f| match f["decision"]["verdict"].as_str() {
            Some("reject") => false,
            Some(_) => true,
            None => f["confidence"].as_f64().unwrap() >= 0.5,
        })
        .map(|f| f["label"].as_str().unwrap().to_string())
        .collect()
}

fn report_keys(incident: &Value) -> Vec<String> {
    incident["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].as_str().unwrap().to_string())
        .collect()
}

fn marker(db: &str) -> threatscape_store::ChangeMarker {
    threatscape_store::open(db)
        .unwrap()
        .change_marker()
        .unwrap()
}

#[tokio::test]
async fn an_analyst_rejects_and_adds_a_label_through_the_page_and_it_applies_at_once() {
    let s = site();
    let st = &s.state;
    let before = incident(st, "analyst", &s.hospital).await;
    let threats = counting(&before, "threat");
    assert!(
        threats.contains(&"ransomware".to_string()),
        "the rules find ransomware in {HOSPITAL:?}: {before}"
    );

    let analyst = sign_in(st, "analyst", PW).await.ok().unwrap();
    let url = format!("/incident?key={}", enc(&s.hospital));
    let page = call(st, "GET", &url, &analyst, "").await;
    assert_eq!(page.status, StatusCode::OK);
    for form in [
        "decide-finding",
        "decide-add",
        "decide-link",
        r#"action="/incident/assessment""#,
    ] {
        assert!(page.body.contains(form), "the analyst sees {form}");
    }
    let csrf = csrf_of(&page.body);

    // Refused without the session's token, with a forged one, and without a reason.
    let fields = format!(
        "key={}&finding=threat%3Aransomware&verdict=reject&reason=Encrypted+by+a+wiper%2C+no+ransom",
        enc(&s.hospital)
    );
    for token in ["", "csrf=&", "csrf=forged&"] {
        let r = call(
            st,
            "POST",
            "/incident/assessment",
            &analyst,
            &format!("{token}{fields}"),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "token {token:?}");
    }
    let r = call(
        st,
        "POST",
        "/incident/assessment",
        &analyst,
        &format!(
            "csrf={csrf}&key={}&finding=threat%3Aransomware&verdict=reject&reason=+",
            enc(&s.hospital)
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("the reason is empty"), "{}", r.body);
    let r = call(
        st,
        "POST",
        "/incident/assessment",
        &analyst,
        &format!(
            "csrf={csrf}&key={}&finding=threat%3Anot-a-kind&verdict=add&reason=x",
            enc(&s.hospital)
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("is not a threat label"), "{}", r.body);
    let unchanged = marker(&s.db);

    // Reject ransomware, add wiper.
    let r = call(
        st,
        "POST",
        "/incident/assessment",
        &analyst,
        &format!("csrf={csrf}&{fields}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let moved = marker(&s.db);
    assert!(
        moved.assessment_decisions > unchanged.assessment_decisions,
        "a decision moves the change marker"
    );
    let r = call(
        st,
        "POST",
        "/incident/assessment",
        &analyst,
        &format!(
            "csrf={csrf}&key={}&finding=threat%3Awiper&verdict=add&reason=Forensics+found+the+wiper",
            enc(&s.hospital)
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let back = r.location.unwrap();
    assert!(back.starts_with("/incident?key=") && back.contains("recorded="));

    // The next request sees both: the page, the list's filter and the API.
    let page = call(st, "GET", &back, &analyst, "").await;
    assert!(page.body.contains("is recorded and applied below"));
    assert!(page
        .body
        .contains(r#"<span class="verdict verdict-reject">rejected</span>"#));
    assert!(page
        .body
        .contains(r#"<span class="verdict verdict-add">added</span>"#));
    assert!(page.body.contains("Encrypted by a wiper, no ransom"));
    assert!(page.body.contains("Forensics found the wiper"));
    let history = &page.body[page.body.find(r#"id="history""#).unwrap()..];
    assert!(history.contains("analyst") && history.contains("no rule found it"));
    assert!(history.matches("verdict-counts\">applied").count() >= 2);
    let after = incident(st, "analyst", &s.hospital).await;
    let threats = counting(&after, "threat");
    assert!(!threats.contains(&"ransomware".to_string()), "{threats:?}");
    assert!(threats.contains(&"wiper".to_string()), "{threats:?}");
    let machine = after["assessment"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["label"] == "ransomware")
        .unwrap();
    assert!(
        machine["confidence"].as_f64().unwrap() >= 0.5
            && !machine["judgments"].as_array().unwrap().is_empty(),
        "the machine's judgment stays beside the rejection: {machine}"
    );
    let list = call(st, "GET", "/incidents?kind=ransomware", &analyst, "").await;
    assert!(
        !list.body.contains("city hospital"),
        "no longer counted as ransomware"
    );
    let list = call(st, "GET", "/incidents?kind=wiper", &analyst, "").await;
    assert!(list.body.contains("city hospital"));

    // Audited with the signed-in user as actor, in the stream and the audit log.
    let store = threatscape_store::open(&s.db).unwrap();
    let entries = store.read_stream("assessment-decisions", 0).unwrap();
    assert_eq!(entries.len(), 2);
    assert!(entries
        .iter()
        .all(|e| e.actor == "analyst" && e.body["analyst"] == "analyst"));
    let audit = store.recent_audit(10).unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|e| e.action == "assessment-decision" && e.actor == "analyst")
            .count(),
        2
    );
}

#[tokio::test]
async fn readers_and_contributors_see_no_forms_and_are_refused() {
    let s = site();
    let st = &s.state;
    let url = format!("/incident?key={}", enc(&s.hospital));
    // Signing in writes its audit entry and session; the refused decisions after it write nothing.
    let mut cookies = Vec::new();
    for user in ["reader", "contributor"] {
        cookies.push(sign_in(st, user, PW).await.ok().unwrap());
    }
    let fingerprint =
        threatscape_store::fingerprint(&*threatscape_store::open(&s.db).unwrap()).unwrap();
    for (user, cookie) in ["reader", "contributor"].into_iter().zip(cookies) {
        let page = call(st, "GET", &url, &cookie, "").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Decision history"));
        assert!(
            !page.body.contains("/incident/assessment")
                && !page.body.contains("/incident/reconcile"),
            "{user} sees no decision form"
        );
        let csrf = csrf_of(&page.body);
        let r = call(
            st,
            "POST",
            "/incident/assessment",
            &cookie,
            &format!(
                "csrf={csrf}&key={}&finding=threat%3Aransomware&verdict=reject&reason=no",
                enc(&s.hospital)
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{user}");
        let r = call(
            st,
            "POST",
            "/incident/reconcile",
            &cookie,
            &format!(
                "csrf={csrf}&key={}&decision=link&other={}&reason=no",
                enc(&s.hospital),
                enc(&s.port)
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{user}");
        let (status, v) = rest(
            st,
            user,
            "POST",
            "/api/v1/assessment-decisions",
            Some(
                json!({"incident": s.hospital, "dimension": "threat", "label": "ransomware",
                        "verdict": "reject", "reason": "no"}),
            ),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{v}");
        let (status, _) = rest(
            st,
            user,
            "POST",
            "/api/v1/reconcile-decisions",
            Some(json!({"decision": "split", "report": s.hospital, "reason": "no"})),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    // Not signed in: the form posts go nowhere.
    let r = call(
        st,
        "POST",
        "/incident/reconcile",
        "",
        "csrf=x&decision=split",
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let (status, _) = rest(
        st,
        "nobody",
        "POST",
        "/api/v1/reconcile-decisions",
        Some(json!({})),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let after = threatscape_store::fingerprint(&*threatscape_store::open(&s.db).unwrap()).unwrap();
    assert_eq!(fingerprint, after, "nothing was written");
}

#[tokio::test]
async fn an_analyst_merges_unlinks_and_splits_through_the_page() {
    let s = site();
    let st = &s.state;
    let analyst = sign_in(st, "analyst", PW).await.ok().unwrap();
    let url = format!("/incident?key={}", enc(&s.hospital));
    let csrf = csrf_of(&call(st, "GET", &url, &analyst, "").await.body);
    assert_eq!(
        report_keys(&incident(st, "analyst", &s.hospital).await),
        [s.hospital.as_str()]
    );

    // Merge with the port incident (by a report key of it).
    let post = |fields: String| {
        let analyst = analyst.clone();
        async move { call(st, "POST", "/incident/reconcile", &analyst, &fields).await }
    };
    let r = post(format!(
        "csrf={csrf}&key={}&decision=link&other={}&reason=Same+campaign+per+the+CERT",
        enc(&s.hospital),
        enc(&s.port)
    ))
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let merged = incident(st, "analyst", &s.hospital).await;
    let mut keys = report_keys(&merged);
    keys.sort();
    let mut both = vec![s.hospital.clone(), s.port.clone()];
    both.sort();
    assert_eq!(keys, both);
    let record = &merged["reconcile_decisions"][0];
    assert_eq!(record["actor"], "analyst");
    assert_eq!(record["reason"], "Same campaign per the CERT");
    assert_eq!(record["machine"]["same_incident"], false, "{record}");
    assert!(record["machine"]["score"].is_number());
    let page = call(st, "GET", r.location.as_deref().unwrap(), &analyst, "").await;
    assert!(
        page.body.contains("<strong>Merged</strong>")
            && page.body.contains("the machine kept them apart")
    );
    assert!(page.body.contains("decide-split") && page.body.contains("decide-unlink"));

    // Merging again is refused: they are one incident.
    let r = post(format!(
        "csrf={csrf}&key={}&decision=link&other={}&reason=again",
        enc(&s.hospital),
        enc(&s.port)
    ))
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("already one incident"), "{}", r.body);
    // An AMBER report is not available to this GREEN analyst, and says nothing about it.
    let r = post(format!(
        "csrf={csrf}&key={}&decision=link&other={}&reason=guess",
        enc(&s.hospital),
        enc(&s.secret)
    ))
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("no report available to you") && !r.body.contains(SECRET));

    // Split the port report out again: the hospital incident is alone, and the split shows in its
    // history with the merge the machine (here: the analyst's link) had made.
    let r = post(format!(
        "csrf={csrf}&key={}&decision=split&report={}&reason=Different+victims",
        enc(&s.hospital),
        enc(&s.port)
    ))
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        report_keys(&incident(st, "analyst", &s.hospital).await),
        [s.hospital.as_str()]
    );
    assert_eq!(
        report_keys(&incident(st, "analyst", &s.port).await),
        [s.port.as_str()]
    );
    let page = call(st, "GET", &url, &analyst, "").await;
    assert!(
        page.body.contains("<strong>Split</strong>") && page.body.contains("Different victims")
    );

    // The audit log holds each decision under the analyst's name.
    let store = threatscape_store::open(&s.db).unwrap();
    let decisions: Vec<_> = store
        .recent_audit(20)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "reconcile-decision")
        .collect();
    assert_eq!(decisions.len(), 2);
    assert!(decisions.iter().all(|e| e.actor == "analyst"));
}

#[tokio::test]
async fn the_rest_api_records_the_same_decisions() {
    let s = site();
    let st = &s.state;
    // Link, then unlink, through the API as the secretariat.
    let (status, v) = rest(
        st,
        "secretariat",
        "POST",
        "/api/v1/reconcile-decisions",
        Some(json!({"decision": "link", "a": s.grid, "b": s.port, "reason": "Same wiper family"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    assert_eq!(v["decision"]["actor"], "secretariat");
    assert_eq!(
        report_keys(&incident(st, "secretariat", &s.grid).await).len(),
        2
    );
    let (status, v) = rest(
        st,
        "secretariat",
        "POST",
        "/api/v1/reconcile-decisions",
        Some(json!({"decision": "unlink", "a": s.grid, "b": s.port, "reason": "Attribution differs"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    assert_eq!(
        report_keys(&incident(st, "secretariat", &s.grid).await),
        [s.grid.as_str()]
    );
    let history = incident(st, "secretariat", &s.grid).await["reconcile_decisions"].clone();
    assert_eq!(history.as_array().unwrap().len(), 2, "{history}");

    // Confirm a finding; a label it does not have cannot be confirmed; bad bodies are 400/422.
    let grid = incident(st, "secretariat", &s.grid).await;
    let finding = grid["assessment"]["findings"][0].clone();
    let (status, v) = rest(
        st,
        "secretariat",
        "POST",
        "/api/v1/assessment-decisions",
        Some(
            json!({"incident": s.grid, "dimension": finding["dimension"], "label": finding["label"],
                    "verdict": "confirm", "reason": "Checked with the operator"}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    assert_eq!(v["decision"]["analyst"], "secretariat");
    assert!(v["decision"]["seq"].as_i64().unwrap() >= 1);
    let grid = incident(st, "secretariat", &s.grid).await;
    let confirmed = grid["assessment"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["label"] == finding["label"] && f["dimension"] == finding["dimension"])
        .unwrap()
        .clone();
    assert_eq!(confirmed["decision"]["verdict"], "confirm");
    assert_eq!(grid["assessment"]["decisions"][0]["outcome"], "applied");
    let (status, v) = rest(
        st,
        "secretariat",
        "POST",
        "/api/v1/assessment-decisions",
        Some(
            json!({"incident": s.grid, "dimension": "sector", "label": "health.hospitals",
                    "verdict": "confirm", "reason": "x"}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v["description"]
        .as_str()
        .unwrap()
        .contains("Add label on the incident page"));
    for (body, want) in [
        (json!({"incident": s.grid}), StatusCode::BAD_REQUEST),
        (
            json!({"incident": s.grid, "dimension": "sector", "label": "health", "verdict": "maybe", "reason": "x"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"incident": "nope:1", "dimension": "sector", "label": "health", "verdict": "add", "reason": "x"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"incident": s.grid, "dimension": "colour", "label": "health", "verdict": "add", "reason": "x"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let (status, v) = rest(
            st,
            "secretariat",
            "POST",
            "/api/v1/assessment-decisions",
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, want, "{body} -> {v}");
        assert!(
            v["description"].as_str().is_some_and(|d| !d.is_empty()),
            "{v}"
        );
    }
    let (status, v) = rest(
        st,
        "secretariat",
        "POST",
        "/api/v1/reconcile-decisions",
        Some(json!({"decision": "merge", "a": s.grid, "b": s.port, "reason": "x"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["description"]
        .as_str()
        .unwrap()
        .contains("link, unlink or split"));
    let (status, _) = rest(
        st,
        "secretariat",
        "GET",
        "/api/v1/incident?key=nope%3A1",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = rest(st, "secretariat", "GET", "/api/v1/incident", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_openapi_document_describes_the_incident_endpoints() {
    let s = site();
    let (status, doc) = rest(&s.state, "reader", "GET", "/api/v1/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    for (path, method) in [
        ("/incidents", "get"),
        ("/incident", "get"),
        ("/assessment-decisions", "post"),
        ("/reconcile-decisions", "post"),
    ] {
        assert!(
            doc["paths"][path][method]["responses"].is_object(),
            "{method} {path} is not described"
        );
    }
    let params: Vec<&str> = doc["paths"]["/incidents"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    for name in [
        "from", "to", "sector", "kind", "country", "actor", "agenda", "norm", "type", "tlp", "q",
    ] {
        assert!(
            params.contains(&name),
            "/incidents parameter {name} is not described"
        );
    }
    // Every route of the REST API outside the debate is described.
    let described: Vec<&String> = doc["paths"].as_object().unwrap().keys().collect();
    for path in [
        "/stats",
        "/objects",
        "/objects/{id}",
        "/reports",
        "/incidents",
        "/incident",
        "/assessment-decisions",
        "/reconcile-decisions",
    ] {
        assert!(described.iter().any(|d| *d == path), "{path} is missing");
    }
}

/// e2e/analyst.mjs in Debian's Chromium: a contributor submits a report and finds it, an analyst
/// rejects a label and adds another and sees them applied, then generates a briefing and
/// downloads its PDF; no console or CSP errors; screenshots in target/screenshots/.
#[test]
fn the_analyst_flow_in_chromium() {
    let s = site();
    let Some(run) = super::browser::run(
        &s.state,
        "analyst.mjs",
        "the analyst's browser test",
        "screenshots",
        &[],
    ) else {
        return;
    };
    let (stdout, shots) = (run.stdout, run.shots);
    assert!(stdout.contains("analyst e2e: OK"));
    for shot in [
        "analyst-contribution.png",
        "analyst-incident-decided.png",
        "analyst-briefing.png",
    ] {
        assert!(shots.join(shot).exists(), "{shot} was not saved");
    }
    // What the browser did is in the store: the decisions under the analyst's name.
    let store = threatscape_store::open(&s.db).unwrap();
    let decisions = store.read_stream("assessment-decisions", 0).unwrap();
    let verdicts: Vec<(&str, &str, &str)> = decisions
        .iter()
        .map(|e| {
            (
                e.body["verdict"].as_str().unwrap(),
                e.body["label"].as_str().unwrap(),
                e.body["analyst"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        verdicts,
        [
            ("reject", "ransomware", "analyst"),
            ("add", "wiper", "analyst")
        ]
    );
}
