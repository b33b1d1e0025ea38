//! The open debate in the server: REST with role checks, the store streams that let every process
//! rebuild the same meeting, concurrent writers, the pages and their forms, and the browser test
//! of the live page (e2e/debate.mjs, Playwright driving Debian's Chromium).

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use base64::Engine;
use serde_json::{json, Value};
use threatscape_model::Tlp;
use threatscape_server::debate::store;
use threatscape_server::{auth, AppState, Role};
use tower::ServiceExt;

use super::PW;

/// The June 2024 open debate on cyber threats (S/PV.9662, the Republic of Korea presiding); its
/// list opened in 2024, so requests made today are accepted.
const MEETING: &str = "S/PV.9662";
const MEETING_URL: &str = "/api/v1/debate/meetings/S%2FPV.9662";

struct Site {
    _dir: tempfile::TempDir,
    db: String,
    state: AppState,
}

fn site() -> Site {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db").display().to_string();
    let mut store = threatscape_store::open(&db).unwrap();
    for (name, role) in [
        ("secretariat", Role::Secretariat),
        ("reader", Role::Reader),
        ("admin", Role::Admin),
    ] {
        auth::create_user(&mut *store, name, "UNSC Secretariat", role, Tlp::Green, PW).unwrap();
    }
    Site {
        state: AppState::new(&db).unwrap(),
        db,
        _dir: dir,
    }
}

fn basic(user: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{PW}"))
    )
}

struct Resp {
    status: StatusCode,
    content_type: String,
    body: String,
}

impl Resp {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

async fn api(state: &AppState, user: &str, method: &str, uri: &str, body: Option<Value>) -> Resp {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, basic(user));
    if body.is_some() {
        req = req.header(header::CONTENT_TYPE, "application/json");
    }
    let body = body.map_or_else(Body::empty, |b| Body::from(b.to_string()));
    let resp = threatscape_server::router(state.clone())
        .oneshot(req.body(body).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let content_type = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    Resp {
        status,
        content_type,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

fn meeting_spec() -> Value {
    json!({
        "id": MEETING,
        "start": "2024-06-20T10:00",
        "agenda_item": "mips",
        "subtitle": "Addressing evolving threats in cyberspace",
        "format": "open-debate",
        "concept_note": "S/2024/446",
        "time_limit": "PT3M"
    })
}

fn member(code: &str, name: &str, level: &str) -> Value {
    json!({
        "delegation": {"kind": "entity", "code": code},
        "speaker": {"name": name, "title": "", "level": level}
    })
}

const PDF: &[u8] = b"%PDF-1.7\n% a letter to the President of the Security Council\n%%EOF\n";

#[tokio::test]
async fn rest_meeting_inscriptions_order_live_and_exports() {
    let s = site();
    let st = &s.state;
    // Readers read, only the secretariat and administrators write.
    let r = api(
        st,
        "reader",
        "POST",
        "/api/v1/debate/meetings",
        Some(meeting_spec()),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body.contains("secretariat or admin role"), "{}", r.body);
    let r = api(
        st,
        "secretariat",
        "POST",
        "/api/v1/debate/meetings",
        Some(meeting_spec()),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let v = r.json();
    assert_eq!(v["meeting"]["presidency"]["code"], "KOR");
    assert_eq!(v["meeting"]["council"].as_array().unwrap().len(), 15);
    // The list opened at 09:30 New York time three working days before 20 June 2024, skipping
    // Juneteenth (19 June, a Headquarters holiday).
    assert_eq!(
        v["list_opens_at"],
        "2024-06-14T09:30:00-04:00[America/New_York]"
    );
    let r = api(
        st,
        "admin",
        "POST",
        "/api/v1/debate/meetings",
        Some(meeting_spec()),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);

    let ins = format!("{MEETING_URL}/inscriptions");
    let r = api(
        st,
        "secretariat",
        "POST",
        &ins,
        Some(member(
            "FRA",
            "Mr. Nicolas de Rivière",
            "permanent-representative",
        )),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let ack = r.json();
    assert_eq!(ack["acknowledgement"]["inscription"], 1);
    assert_eq!(ack["acknowledgement"]["position"], 1);
    assert_eq!(ack["acknowledgement"]["provisional"], true);
    assert!(ack["acknowledgement"]["received_at"]
        .as_str()
        .unwrap()
        .ends_with("[America/New_York]"));
    assert!(ack["message"]
        .as_str()
        .unwrap()
        .contains("Current position on the list of speakers: 1 (provisional until the draw)"));
    let r = api(
        st,
        "secretariat",
        "POST",
        &ins,
        Some(member("KOR", "Mr. Cho Tae-yul", "minister")),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = api(
        st,
        "secretariat",
        "POST",
        &ins,
        Some(member("JPN", "Ms. Kamikawa Yoko", "minister")),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    // A second inscription for France is refused and logged.
    let r = api(
        st,
        "secretariat",
        "POST",
        &ins,
        Some(member("FRA", "Someone else", "other")),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(
        r.body.contains("France is already inscribed (no. 1)"),
        "{}",
        r.body
    );
    // Rule 37 without a letter: received, incomplete, and says why.
    let r = api(
        st,
        "secretariat",
        "POST",
        &ins,
        Some(member(
            "EST",
            "Ms. Demo Delegate",
            "permanent-representative",
        )),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let ack = r.json();
    assert_eq!(ack["acknowledgement"]["status"], "incomplete");
    let estonia = ack["acknowledgement"]["inscription"].as_u64().unwrap();
    assert!(
        ack["message"]
            .as_str()
            .unwrap()
            .contains("none is attached"),
        "{ack}"
    );
    // The letter arrives: complete, on the list.
    let letter = json!({
        "file_name": "estonia-rule-37.pdf",
        "pdf_base64": base64::engine::general_purpose::STANDARD.encode(PDF),
        "signatory_name": "Rein Tammsaar",
        "signatory_title": "Permanent Representative of Estonia to the United Nations"
    });
    let r = api(
        st,
        "secretariat",
        "POST",
        &format!("{ins}/{estonia}/letter"),
        Some(letter),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["acknowledgement"]["status"], "complete");
    // An observer State on its own basis, with a Vice-Minister moved ahead of ambassadors.
    let r = api(
        st,
        "secretariat",
        "POST",
        &ins,
        Some(member(
            "PSE",
            "Mr. Riyad Mansour",
            "permanent-representative",
        )),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let palestine = r.json()["acknowledgement"]["inscription"].as_u64().unwrap();

    // The order: members (ministers first, the presidency last among members), then others.
    let r = api(st, "reader", "GET", &format!("{MEETING_URL}/order"), None).await;
    let names: Vec<String> = r.json()["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        names,
        [
            "Japan",
            "France",
            "Republic of Korea",
            "Estonia",
            "State of Palestine"
        ]
    );
    // The secretariat moves Palestine before Estonia, with a reason that is kept.
    let mv = json!({"before": estonia, "reason": "at the presidency's request"});
    let r = api(
        st,
        "secretariat",
        "POST",
        &format!("{ins}/{palestine}/move"),
        Some(mv),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let entries = r.json()["order"]["entries"].clone();
    assert_eq!(entries[3]["name"], "State of Palestine");
    assert!(entries[3]["reasons"]
        .to_string()
        .contains("at the presidency's request"));
    let r = api(
        st,
        "reader",
        "POST",
        &format!("{MEETING_URL}/draw"),
        Some(json!({"seed": 42})),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = api(
        st,
        "secretariat",
        "POST",
        &format!("{MEETING_URL}/draw"),
        Some(json!({"seed": 42})),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["seed"], 42);
    let r = api(
        st,
        "secretariat",
        "POST",
        &format!("{MEETING_URL}/draw"),
        Some(json!({"seed": 7})),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);

    // Statements and their links.
    let text = "Ransomware attacks on hospitals endanger civilians; States should not target critical infrastructure.";
    let r = api(
        st,
        "secretariat",
        "POST",
        &format!("{ins}/1/statement"),
        Some(json!({"text": text})),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    let labels = v["statements"][0]["links"].to_string();
    assert!(
        labels.contains("\"threat-kind\"") && labels.contains("\"sector\""),
        "{labels}"
    );
    assert!(v["concerns"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["raised_by"][0][1] == "France"));

    // The chamber.
    let live = format!("{MEETING_URL}/live");
    let r = api(
        st,
        "secretariat",
        "POST",
        &live,
        Some(json!({"action": "next"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("not open yet"));
    for action in ["open", "next"] {
        let r = api(
            st,
            "secretariat",
            "POST",
            &live,
            Some(json!({"action": action})),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{action}: {}", r.body);
    }
    let v = api(st, "reader", "GET", &live, None).await.json();
    assert_eq!(v["phase"], "sitting");
    assert_eq!(v["floor"]["name"], "Japan");
    assert_eq!(v["next"]["name"], "France");
    assert_eq!(v["time_limit_ms"], 180_000);
    let r = api(
        st,
        "secretariat",
        "POST",
        &live,
        Some(json!({"action": "next"})),
    )
    .await;
    let v = r.json();
    assert_eq!(v["floor"]["name"], "France");
    assert_eq!(v["statements"][0]["name"], "Japan");
    assert_eq!(v["totals"]["statements"], 1);
    let r = api(
        st,
        "secretariat",
        "POST",
        &live,
        Some(json!({"action": "suspend"})),
    )
    .await;
    assert_eq!(r.json()["phase"], "suspended");
    assert_eq!(r.json()["totals"]["statements"], 2);

    // Exports.
    let r = api(
        st,
        "reader",
        "GET",
        &format!("{MEETING_URL}/export?format=journal"),
        None,
    )
    .await;
    assert!(r.content_type.starts_with("text/plain"));
    assert!(r.body.contains("Open debate (S/PV.9662)"), "{}", r.body);
    assert!(
        r.body.contains("Japan [Minister]") || r.body.contains("Japan ["),
        "{}",
        r.body
    );
    let r = api(
        st,
        "reader",
        "GET",
        &format!("{MEETING_URL}/export?format=csv"),
        None,
    )
    .await;
    assert!(r.body.starts_with("position,group,delegation"));
    assert_eq!(r.body.lines().count(), 6);
    let r = api(
        st,
        "reader",
        "GET",
        &format!("{MEETING_URL}/export?format=json"),
        None,
    )
    .await;
    assert_eq!(r.json()["order"]["seed"], 42);

    // The letter's PDF, as uploaded.
    let sha = api(st, "reader", "GET", &format!("{ins}/{estonia}"), None)
        .await
        .json()["inscription"]["letter"]["sha256"]
        .as_str()
        .unwrap()
        .to_string();
    let r = api(
        st,
        "reader",
        "GET",
        &format!("{MEETING_URL}/letters/{sha}"),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.content_type, "application/pdf");
    assert_eq!(r.body.as_bytes(), PDF);

    // Another server process on the same store rebuilds the same state from the stream.
    let other = AppState::new(&s.db).unwrap();
    let a = api(st, "reader", "GET", &format!("{MEETING_URL}/events"), None)
        .await
        .json();
    let b = api(
        &other,
        "reader",
        "GET",
        &format!("{MEETING_URL}/events"),
        None,
    )
    .await
    .json();
    assert_eq!(a, b);
    let kinds: Vec<&str> = a["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(kinds[0], "created");
    assert!(kinds.contains(&"live") && kinds.contains(&"list"));
    let o1 = api(st, "reader", "GET", &format!("{MEETING_URL}/order"), None)
        .await
        .body;
    let o2 = api(
        &other,
        "reader",
        "GET",
        &format!("{MEETING_URL}/order"),
        None,
    )
    .await
    .body;
    assert_eq!(o1, o2);
    // A resumption the next morning; an overlapping one is refused.
    let sitting = json!({"start": "2024-06-21T10:00", "end": "2024-06-21T13:00"});
    let r = api(
        st,
        "secretariat",
        "POST",
        &format!("{MEETING_URL}/sessions"),
        Some(sitting),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["meeting"]["sessions"].as_array().unwrap().len(), 3);
    let sitting = json!({"start": "2024-06-21T12:00", "end": "2024-06-21T12:30"});
    let r = api(
        st,
        "secretariat",
        "POST",
        &format!("{MEETING_URL}/sessions"),
        Some(sitting),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let list = api(&other, "reader", "GET", "/api/v1/debate/meetings", None)
        .await
        .json();
    assert_eq!(list["results"][0]["speakers"], 5);
    assert_eq!(list["results"][0]["phase"], "suspended");
}

type Connect = std::sync::Arc<dyn Fn() -> Box<dyn threatscape_store::Store + Send> + Send + Sync>;

/// Fourteen inscriptions made by four writers at once, each with its own connection (as separate
/// server processes would be): all are kept, in a stream numbered without gaps, and a stale
/// writer is refused rather than interleaved.
fn concurrent_writers(connect: Connect) {
    let reference = threatscape_debate::Reference::embedded();
    let spec: threatscape_debate::MeetingSpec = serde_json::from_value(meeting_spec()).unwrap();
    let now = threatscape_debate::jiff::Timestamp::now();
    let record =
        threatscape_debate::MeetingRecord::create(&reference, spec, "secretariat", now).unwrap();
    let mut st = connect();
    store::create(&mut *st, record, "secretariat").unwrap();
    // Every Council member of 2024 but the presidency.
    let codes = [
        "CHN", "DZA", "ECU", "FRA", "GBR", "GUY", "JPN", "MLT", "MOZ", "RUS", "SLE", "SVN", "CHE",
        "USA",
    ];
    let threads: Vec<_> = codes
        .chunks(4)
        .map(|chunk| {
            let connect = std::sync::Arc::clone(&connect);
            let chunk: Vec<String> = chunk.iter().map(|c| c.to_string()).collect();
            std::thread::spawn(move || {
                let reference = threatscape_debate::Reference::embedded();
                let mut st = connect();
                for code in chunk {
                    let request: threatscape_debate::Request = serde_json::from_value(member(
                        &code,
                        "Representative",
                        "permanent-representative",
                    ))
                    .unwrap();
                    let (ack, _) = store::update(&mut *st, MEETING, "secretariat", |m| {
                        m.inscribe(
                            &reference,
                            request.clone(),
                            "secretariat",
                            threatscape_debate::jiff::Timestamp::now(),
                        )
                    })
                    .unwrap();
                    ack.unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let stored = store::load(&*st, MEETING).unwrap().unwrap();
    let order = stored.record.order();
    let mut got: Vec<String> = order
        .entries
        .iter()
        .map(|e| e.code.clone().unwrap())
        .collect();
    got.sort();
    let mut want: Vec<String> = codes.iter().map(|c| c.to_string()).collect();
    want.sort();
    assert_eq!(got, want);
    // Inscription numbers follow the log: 1 to 14, each once.
    let mut numbers: Vec<u32> = order.entries.iter().map(|e| e.inscription).collect();
    numbers.sort();
    assert_eq!(numbers, (1..=14).collect::<Vec<u32>>());
    // One stream entry per inscription after the creation, numbered without gaps.
    let entries = st.read_stream(&store::stream_name(MEETING), 0).unwrap();
    assert_eq!(entries.len(), codes.len() + 1);
    assert!(entries
        .iter()
        .enumerate()
        .all(|(i, e)| e.seq == i as i64 + 1));
    let e = st
        .append_to_stream(&store::stream_name(MEETING), "x", Some(2), &json!([]))
        .unwrap_err();
    assert!(
        matches!(e, threatscape_store::StoreError::StreamConflict { .. }),
        "{e}"
    );
}

#[test]
fn writers_on_one_sqlite_file_never_interleave() {
    let s = site();
    let db = s.db.clone();
    concurrent_writers(std::sync::Arc::new(move || {
        threatscape_store::open(&db).unwrap()
    }));
}

#[test]
fn writers_on_postgresql_never_interleave() {
    let url = std::env::var("THREATSCAPE_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let address = std::net::SocketAddr::from(([127, 0, 0, 1], 5432));
    if std::env::var("THREATSCAPE_TEST_POSTGRES").is_err() {
        if let Err(e) =
            std::net::TcpStream::connect_timeout(&address, std::time::Duration::from_secs(2))
        {
            return threatscape_testkit::skip(
                "the debate's PostgreSQL writers test",
                &format!("no server at {address} ({e}); set THREATSCAPE_TEST_POSTGRES to a URL"),
            );
        }
    }
    // A scratch schema of its own, dropped with its owner.
    let owner = threatscape_store::PgStore::connect_scratch(&url).unwrap();
    let schema = owner.schema().unwrap().to_string();
    concurrent_writers(std::sync::Arc::new(move || {
        Box::new(threatscape_store::PgStore::connect_in_schema(&url, &schema).unwrap())
    }));
    drop(owner);
}

#[test]
fn a_corrupt_stream_is_named_with_its_entry() {
    let s = site();
    let mut st = threatscape_store::open(&s.db).unwrap();
    let stream = store::stream_name("broken");
    st.append_to_stream(&stream, "x", Some(1), &json!({"not": "events"}))
        .unwrap();
    let e = store::load(&*st, "broken").unwrap_err().to_string();
    assert!(
        e.starts_with("stream debate:broken, entry 1: not a list of meeting events"),
        "{e}"
    );
}

// ----- the pages -----

struct Page {
    status: StatusCode,
    cookie: Option<String>,
    location: Option<String>,
    body: String,
}

async fn call(state: &AppState, method: &str, uri: &str, cookie: &str, form: &str) -> Page {
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
    Page {
        status,
        cookie,
        location,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

fn csrf_of(body: &str) -> String {
    let at = body.find(r#"name="csrf" value=""#).expect("a CSRF field") + 19;
    body[at..].split('"').next().unwrap().to_string()
}

fn enc(s: &str) -> String {
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

async fn sign_in(state: &AppState, user: &str) -> String {
    let form = call(state, "GET", "/login", "", "").await;
    let pre = form.cookie.unwrap().split(';').next().unwrap().to_string();
    let body = format!(
        "csrf={}&user={user}&password={}",
        csrf_of(&form.body),
        enc(PW)
    );
    let r = call(state, "POST", "/login", &pre, &body).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.cookie.unwrap().split(';').next().unwrap().to_string()
}

#[tokio::test]
async fn the_meeting_page_forms_and_links() {
    let s = site();
    let st = &s.state;
    let sec = sign_in(st, "secretariat").await;
    let index = call(st, "GET", "/debate", &sec, "").await;
    assert_eq!(index.status, StatusCode::OK);
    assert!(index.body.contains("New meeting"));
    let csrf = csrf_of(&index.body);
    // Without the session's token, nothing happens.
    let r = call(
        st,
        "POST",
        "/debate",
        &sec,
        "csrf=wrong&id=X&start=2024-06-20T10%3A00",
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A refused spec comes back with the reason.
    let r = call(
        st,
        "POST",
        "/debate",
        &sec,
        &format!("csrf={csrf}&id=X&start=2031-01-06T10%3A00&agenda_item=mips"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("no presidency is recorded for 2031-01"),
        "{}",
        r.body
    );
    let form = format!("csrf={csrf}&id={}&start=2024-06-20T10%3A00&agenda_item=mips&format=open-debate&subtitle=Addressing+evolving+threats+in+cyberspace&time_limit=180&working_days=3", enc(MEETING));
    let r = call(st, "POST", "/debate", &sec, &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page_url = r.location.unwrap();
    assert_eq!(page_url, "/debate/meetings/S%2FPV.9662");
    let page = call(st, "GET", &page_url, &sec, "").await;
    assert!(
        page.body.contains("Fri 14 Jun 2024, 09:30 EDT"),
        "the opening with its zone"
    );
    assert!(page.body.contains("Republic of Korea"));

    let inscribe = format!("{page_url}/inscribe");
    for fields in [
        "kind=entity&code=gbr&speaker_name=Lord+Demo&speaker_title=Minister+of+State&level=minister",
        "kind=entity&code=CHE&speaker_name=Ms.+Demo&level=permanent-representative",
        "kind=briefer&name=Ms.+Demo+Briefer&affiliation=UNODA&speaker_name=Ms.+Demo+Briefer&speaker_title=High+Representative&level=other",
    ] {
        let r = call(st, "POST", &inscribe, &sec, &format!("csrf={csrf}&{fields}")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{fields}: {}", r.body);
        assert!(r.location.unwrap().contains("notice=Request"));
    }
    // Stored text is shown as text, never as markup.
    let r = call(st, "POST", &inscribe, &sec, &format!("csrf={csrf}&kind=organisation&name=%3Cscript%3Ewindow.x%3D1%3C%2Fscript%3E+Union&speaker_name=%3Cimg+src%3Dx+onerror%3Dalert(1)%3E&level=other")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = call(st, "GET", &page_url, &sec, "").await;
    assert!(!page.body.contains("<script>window.x") && !page.body.contains("<img src=x"));
    assert!(page
        .body
        .contains("&lt;script&gt;window.x=1&lt;/script&gt; Union"));
    let r = call(
        st,
        "POST",
        &format!("{page_url}/withdraw"),
        &sec,
        &format!("csrf={csrf}&inscription=4&reason=test+of+escaping"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // Refusals are shown on the page with the reason.
    let r = call(
        st,
        "POST",
        &inscribe,
        &sec,
        &format!("csrf={csrf}&kind=entity&code=XXX&speaker_name=A"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body
            .contains("&#39;XXX&#39; is not a code in member-states.csv"),
        "{}",
        r.body
    );
    // Rule 37 letter through the form (base64 of the PDF, as the page's script sends it).
    let pdf = base64::engine::general_purpose::STANDARD.encode(PDF);
    let r = call(st, "POST", &inscribe, &sec, &format!("csrf={csrf}&kind=entity&code=EST&speaker_name=Ms.+Demo&level=permanent-representative&letter_file_name=est.pdf&letter_base64={}&signatory_name=Rein+Tammsaar&signatory_title=Charg%C3%A9+d%27affaires+a.i.", enc(&pdf))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = call(st, "GET", &page_url, &sec, "").await;
    // Briefers first, then members (the Swiss ambassador after the British minister), then others.
    let order: Vec<usize> = [
        "Ms. Demo Briefer, High Representative",
        "United Kingdom",
        "Switzerland",
        "Estonia",
    ]
    .iter()
    .map(|n| page.body.find(n).unwrap_or_else(|| panic!("{n} missing")))
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    // Move Switzerland (no. 2) before the United Kingdom (no. 1), with a reason.
    let r = call(st, "POST", &format!("{page_url}/move"), &sec, &format!("csrf={csrf}&inscription=2&where=before&anchor=1&reason=the+ambassador+must+leave+early")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = call(
        st,
        "POST",
        &format!("{page_url}/move"),
        &sec,
        &format!("csrf={csrf}&inscription=2&where=before&anchor=1&reason="),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("a reason is required"));
    let r = call(st, "POST", &format!("{page_url}/statement"), &sec, &format!("csrf={csrf}&inscription=2&text=Wiper+malware+against+the+energy+grid+and+ransomware+against+hospitals")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = call(st, "GET", &page_url, &sec, "").await;
    assert!(page.body.find("Switzerland").unwrap() < page.body.find("United Kingdom").unwrap());
    assert!(page.body.contains("the ambassador must leave early"));
    assert!(page.body.contains("Concerns raised in statements"));
    assert!(
        page.body.contains(r#"class="term term-sector""#),
        "sector links shown"
    );
    assert!(
        page.body.contains(r#"class="term term-threat-kind""#),
        "threat kinds shown"
    );

    // A reader sees the list but no forms, and cannot post.
    let reader = sign_in(st, "reader").await;
    let page = call(st, "GET", &page_url, &reader, "").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Switzerland") && !page.body.contains("Inscribe a speaker"));
    let rcsrf = csrf_of(&page.body);
    let r = call(
        st,
        "POST",
        &inscribe,
        &reader,
        &format!("csrf={rcsrf}&kind=entity&code=USA&speaker_name=A"),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The Journal text from the page.
    let r = call(
        st,
        "GET",
        &format!("{page_url}/export?format=journal"),
        &reader,
        "",
    )
    .await;
    assert!(
        r.body.contains("List of speakers (as at") && r.body.contains("Other speakers"),
        "{}",
        r.body
    );
    // The live page and its JSON.
    let live = call(st, "GET", &format!("{page_url}/live"), &sec, "").await;
    assert!(live.body.contains("Nobody has the floor") && live.body.contains("Next speaker"));
    let r = call(
        st,
        "POST",
        &format!("{page_url}/live"),
        &sec,
        &format!("csrf={csrf}&action=open"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = call(
        st,
        "POST",
        &format!("{page_url}/live"),
        &sec,
        &format!("csrf={csrf}&action=next"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let j = call(st, "GET", &format!("{page_url}/live.json"), &reader, "").await;
    let v: Value = serde_json::from_str(&j.body).unwrap();
    assert_eq!(v["floor"]["name"], "Ms. Demo Briefer, UNODA");
    let r = call(
        st,
        "POST",
        &format!("{page_url}/live"),
        &sec,
        &format!("csrf={csrf}&action=resume"),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("the meeting is not suspended"));
    // Giving the floor to a chosen speaker (e.g. one passed over): the number is required.
    let live_url = format!("{page_url}/live");
    let r = call(
        st,
        "POST",
        &live_url,
        &sec,
        &format!("csrf={csrf}&action=call"),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = call(
        st,
        "POST",
        &live_url,
        &sec,
        &format!("csrf={csrf}&action=call&inscription=2"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let j = call(st, "GET", &format!("{page_url}/live.json"), &reader, "").await;
    let v: Value = serde_json::from_str(&j.body).unwrap();
    assert_eq!(v["floor"]["name"], "Switzerland");
    assert_eq!(v["statements"][0]["name"], "Ms. Demo Briefer, UNODA");
    // A resumption the next day, planned from the meeting page.
    let r = call(
        st,
        "POST",
        &format!("{page_url}/session"),
        &sec,
        &format!("csrf={csrf}&start=2024-06-21T10%3A00&end=2024-06-21T13%3A00"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = call(st, "GET", &page_url, &sec, "").await;
    assert!(
        page.body.contains("Fri 21 Jun 2024, 10:00 EDT"),
        "the planned sitting is shown"
    );
    let r = call(
        st,
        "POST",
        &format!("{page_url}/session"),
        &sec,
        &format!("csrf={csrf}&start=2024-06-21T12%3A00&end=2024-06-21T11%3A00"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("a session must end after it starts"),
        "{}",
        r.body
    );
    // Signed out, the live state is refused without a password dialog's challenge.
    let r = threatscape_server::router(st.clone())
        .oneshot(
            Request::get(format!("{page_url}/live.json"))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.headers().get(header::WWW_AUTHENTICATE).is_none());
}

#[test]
fn live_page_in_chromium() {
    let s = site();
    let Some(super::browser::Run { stdout, shots }) = super::browser::run(
        &s.state,
        "debate.mjs",
        "the debate browser test",
        "e2e",
        &[],
    ) else {
        return;
    };
    assert!(stdout.contains("e2e debate: OK"));
    assert!(shots.join("debate-live-overrun.png").exists());
    // What the browser did is in the store: two statements, the first over its 4-second limit.
    let st = threatscape_store::open(&s.db).unwrap();
    let stored = store::load(&*st, "E2E-1").unwrap().unwrap();
    let statements = stored.record.live().statements();
    assert_eq!(statements.len(), 2, "{statements:?}");
    assert!(statements[0].overrun.is_positive(), "{:?}", statements[0]);
    // The letter the page's script read from the chosen file is kept whole in the store.
    let estonia = stored
        .record
        .list()
        .inscriptions()
        .into_values()
        .find(|i| i.name == "Estonia")
        .expect("Estonia inscribed");
    let letter = estonia.letter.expect("a letter");
    assert_eq!(
        letter.signatory_title.to_string(),
        "Permanent Representative"
    );
    let (name, bytes) = store::letter(&*st, &letter.sha256).unwrap().unwrap();
    assert_eq!(name, "estonia-rule-37.pdf");
    assert_eq!(
        bytes,
        b"%PDF-1.7\n% letter to the President of the Security Council\n%%EOF\n"
    );
}

#[tokio::test]
async fn the_openapi_document_describes_every_debate_endpoint() {
    let s = site();
    let r = api(&s.state, "reader", "GET", "/api/v1/openapi.json", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let doc = r.json();
    let m = "/debate/meetings/{id}";
    for (path, methods) in [
        ("/debate/meetings".to_string(), &["get", "post"][..]),
        (m.to_string(), &["get"]),
        (format!("{m}/events"), &["get"]),
        (format!("{m}/inscriptions"), &["get", "post"]),
        (format!("{m}/inscriptions/{{n}}"), &["get"]),
        (format!("{m}/inscriptions/{{n}}/letter"), &["post"]),
        (format!("{m}/inscriptions/{{n}}/withdraw"), &["post"]),
        (format!("{m}/inscriptions/{{n}}/replace"), &["post"]),
        (format!("{m}/inscriptions/{{n}}/move"), &["post"]),
        (format!("{m}/inscriptions/{{n}}/statement"), &["post"]),
        (format!("{m}/draw"), &["post"]),
        (format!("{m}/sessions"), &["post"]),
        (format!("{m}/order"), &["get"]),
        (format!("{m}/live"), &["get", "post"]),
        (format!("{m}/export"), &["get"]),
        (format!("{m}/statements"), &["get"]),
        (format!("{m}/letters/{{sha256}}"), &["get"]),
    ] {
        for method in methods {
            assert!(
                doc["paths"][&path][method]["responses"].is_object(),
                "{method} {path} is not described"
            );
        }
    }
    let described = doc["paths"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| k.starts_with("/debate"))
        .count();
    assert_eq!(described, 17);
}
