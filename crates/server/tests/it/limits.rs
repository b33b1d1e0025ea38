//! Limits and resilience: body size and JSON depth, page-size caps, slow clients cut off without
//! starving others, and a shutdown that answers the TAXII adds in flight before it returns.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use base64::Engine;
use serde_json::{json, Value};
use threatscape_model::Tlp;
use threatscape_server::{auth, AppState, Limits, Role};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tower::ServiceExt;

use super::{object, write, PW};

const OBJECTS: &str = "/threatscape/collections/tlp-clear/objects/";

struct Fixture {
    _dir: tempfile::TempDir,
    db: String,
    state: AppState,
}

/// A store with a contributor and `objects` CLEAR malware objects.
fn fixture(objects: usize) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("limits.db").display().to_string();
    let mut store = threatscape_store::open(&db).unwrap();
    auth::create_user(
        &mut *store,
        "loader",
        "CERT-A",
        Role::Contributor,
        Tlp::Green,
        PW,
    )
    .unwrap();
    let versions = (0..objects)
        .map(|n| {
            object(
                &format!("malware--00000000-0000-4000-8000-{n:012x}"),
                "2020-01-01T00:00:00.000Z",
                Tlp::Clear,
            )
        })
        .collect();
    write(&mut *store, "CERT-A", versions);
    let state = AppState::new(&db).unwrap();
    Fixture {
        _dir: dir,
        db,
        state,
    }
}

fn auth_header() -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("loader:{PW}"))
    )
}

fn campaign(n: usize) -> Value {
    json!({"type": "campaign", "spec_version": "2.1",
           "id": format!("campaign--aaaaaaaa-0000-4000-8000-{n:012x}"),
           "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
           "name": format!("limits test {n}")})
}

async fn call(state: &AppState, limits: Limits, req: Request<Body>) -> (StatusCode, Value) {
    let resp = threatscape_server::router_with(state.clone(), limits)
        .oneshot(req)
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

fn post(body: impl Into<Body>) -> Request<Body> {
    Request::post(OBJECTS)
        .header("authorization", auth_header())
        .header("content-type", "application/taxii+json;version=2.1")
        .body(body.into())
        .unwrap()
}

fn stored_fingerprint(db: &str) -> threatscape_store::Fingerprint {
    threatscape_store::fingerprint(&*threatscape_store::open(db).unwrap()).unwrap()
}

#[tokio::test]
async fn an_oversized_body_is_refused_with_413_and_stores_nothing() {
    let f = fixture(1);
    let before = stored_fingerprint(&f.db);
    let limits = Limits {
        max_body: 64 << 10,
        ..Limits::default()
    };
    let objects: Vec<Value> = (0..1000).map(campaign).collect();
    let body = json!({ "objects": objects }).to_string();
    assert!(body.len() > limits.max_body);
    let (status, v) = call(&f.state, limits, post(body)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
    assert!(
        v["description"].as_str().unwrap().contains("65536 bytes"),
        "{v}"
    );
    // A form is held to the same size by the extractors' limit.
    let form = Request::post("/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(format!("name={}", "a".repeat(70 << 10))))
        .unwrap();
    let (status, _) = call(&f.state, limits, form).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(stored_fingerprint(&f.db), before);
}

#[tokio::test]
async fn deep_json_is_refused_with_its_place_before_any_parser() {
    let f = fixture(1);
    let before = stored_fingerprint(&f.db);
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let body = format!("{{\"objects\": [\n{{\"type\": \"campaign\", \"x_deep\": {deep}}}]}}");
    let (status, v) = call(&f.state, Limits::default(), post(body)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    let description = v["description"].as_str().unwrap();
    assert!(
        description.contains("more than 64 deep") && description.contains("line 2"),
        "{description}"
    );
    // Whatever the media type says JSON: STIX's own too.
    let stix = post(format!("{{\"objects\": {deep}}}"));
    let (parts, body) = stix.into_parts();
    let mut stix = Request::from_parts(parts, body);
    stix.headers_mut().insert(
        "content-type",
        "application/stix+json;version=2.1".parse().unwrap(),
    );
    let (status, _) = call(&f.state, Limits::default(), stix).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Nesting up to the limit passes the check (and is then judged by the parsers).
    let shallow = format!("{{\"objects\": [{}{}]}}", "[".repeat(61), "]".repeat(61));
    let (status, v) = call(&f.state, Limits::default(), post(shallow)).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{v}");
    assert_eq!(v["failure_count"], 1, "{v}");
    assert_eq!(v["success_count"], 0, "{v}");
    let after = stored_fingerprint(&f.db);
    assert_eq!(after.objects, before.objects, "nothing stored");
}

#[tokio::test]
async fn page_sizes_are_capped() {
    let f = fixture(1005);
    let get = |uri: &str| {
        Request::get(uri)
            .header("authorization", auth_header())
            .header("accept", "application/taxii+json;version=2.1")
            .body(Body::empty())
            .unwrap()
    };
    let (status, v) = call(
        &f.state,
        Limits::default(),
        get(&format!("{OBJECTS}?limit=1000000")),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["objects"].as_array().unwrap().len(), 1000);
    assert_eq!(v["more"], true);
    let (_, rest) = call(
        &f.state,
        Limits::default(),
        get(&format!(
            "{OBJECTS}?limit=1000000&next={}",
            v["next"].as_str().unwrap()
        )),
    )
    .await;
    assert_eq!(rest["objects"].as_array().unwrap().len(), 5);
    assert_eq!(rest["more"], false);
    let (status, manifest) = call(
        &f.state,
        Limits::default(),
        get("/threatscape/collections/tlp-clear/manifest/?limit=99999999999999999999"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{manifest}");
    let (status, api) = call(
        &f.state,
        Limits::default(),
        get("/api/v1/objects?limit=1000000"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{api}");
    let listed = api
        .as_object()
        .and_then(|o| o.values().find_map(Value::as_array))
        .unwrap_or_else(|| panic!("no list in {api}"));
    assert!(listed.len() <= 1000, "{} rows", listed.len());
}

/// A server on a random port with `limits`, stopped by the returned sender.
struct Running {
    addr: std::net::SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    done: tokio::task::JoinHandle<std::io::Result<()>>,
}

async fn start(state: AppState, limits: Limits) -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let done = tokio::spawn(threatscape_server::serve_until(
        state,
        listener,
        limits,
        async move {
            let _ = stopped.await;
        },
    ));
    Running {
        addr,
        stop: Some(stop),
        done,
    }
}

/// Sends raw bytes, reads the answer to the end; returns the status code (0 when the server
/// closed the connection without one).
async fn exchange(addr: std::net::SocketAddr, request: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let text = String::from_utf8_lossy(&answer).into_owned();
    let code = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (code, text)
}

fn discovery_request() -> Vec<u8> {
    format!(
        "GET /taxii2/ HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {}\r\nConnection: close\r\n\r\n",
        auth_header()
    )
    .into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_clients_are_cut_off_and_do_not_starve_others() {
    let f = fixture(1);
    let limits = Limits {
        header_read_timeout: Duration::from_millis(500),
        body_read_timeout: Duration::from_millis(500),
        ..Limits::default()
    };
    let server = start(f.state.clone(), limits).await;
    // The first request checks the password (argon2id, slow on purpose); later ones hit the cache.
    assert_eq!(exchange(server.addr, &discovery_request()).await.0, 200);
    // Fifty clients trickle their headers (slowloris) and never finish.
    let mut slow = Vec::new();
    for _ in 0..50 {
        let mut s = TcpStream::connect(server.addr).await.unwrap();
        s.write_all(b"GET /taxii2/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            .await
            .unwrap();
        slow.push(s);
    }
    // One sends its headers and then only part of a JSON body.
    let mut slow_body = TcpStream::connect(server.addr).await.unwrap();
    slow_body
        .write_all(
            format!(
                "POST {OBJECTS} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {}\r\n\
                 Content-Type: application/taxii+json;version=2.1\r\nContent-Length: 1000\r\n\r\n{{\"objects\": [",
                auth_header()
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    // Meanwhile a well-behaved client is served at once, well before the slow ones time out.
    let started = Instant::now();
    let (code, text) = exchange(server.addr, &discovery_request()).await;
    assert_eq!(code, 200, "{text}");
    assert!(
        started.elapsed() < Duration::from_millis(400),
        "{:?}",
        started.elapsed()
    );
    // The slow ones are disconnected once their time is up.
    let deadline = Instant::now() + Duration::from_secs(5);
    for mut s in slow {
        let mut buf = Vec::new();
        let read = tokio::time::timeout_at(deadline.into(), s.read_to_end(&mut buf)).await;
        assert!(read.is_ok(), "a slow client was still connected after 5 s");
    }
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), slow_body.read_to_end(&mut answer))
        .await
        .expect("the slow body is cut off")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    let mut server = server;
    server.stop.take().unwrap().send(()).unwrap();
    server.done.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_answers_the_adds_in_flight_then_refuses_connections() {
    let f = fixture(0);
    let mut server = start(f.state.clone(), Limits::default()).await;
    let objects: Vec<Value> = (0..3000).map(campaign).collect();
    let body = json!({ "objects": objects }).to_string();
    let request = format!(
        "POST {OBJECTS} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {}\r\n\
         Content-Type: application/taxii+json;version=2.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        auth_header(),
        body.len()
    );
    let addr = server.addr;
    let add = tokio::spawn(async move { exchange(addr, request.as_bytes()).await });
    // Stop while the add is being ingested (it takes far longer than this).
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert!(
        !add.is_finished(),
        "the add must still be in flight when the stop comes"
    );
    let stopping = Instant::now();
    server.stop.take().unwrap().send(()).unwrap();
    let (code, text) = add.await.unwrap();
    assert_eq!(code, 202, "the add in flight was answered: {text}");
    let status: Value = serde_json::from_str(text.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert_eq!(status["success_count"], 3000, "{status}");
    server.done.await.unwrap().unwrap();
    assert!(stopping.elapsed() < Limits::default().shutdown_grace);
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "a stopped server accepts no connections"
    );
    let store = threatscape_store::open(&f.db).unwrap();
    let stored: u64 = store.counts_by_type(Tlp::Red).unwrap().values().sum();
    assert_eq!(stored, 3000);
}
