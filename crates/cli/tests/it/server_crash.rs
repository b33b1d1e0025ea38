//! Crash safety of `threatscape serve`: SIGKILL at random moments while clients add objects over
//! TAXII, then restart; every envelope is wholly in or wholly out, every accepted one wholly in,
//! the database passes its integrity check, and re-sending completes. And SIGTERM: the add in
//! flight is answered and stored before the process exits cleanly.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use threatscape_store::Store;

use super::{base64_of, Server};

const PASSWORD: &str = "a-long-test-password";
const PER_ENVELOPE: usize = 40;
const ROUNDS: u64 = 12;

fn add_loader(db: &str) {
    let mut add_user = Command::new(env!("CARGO_BIN_EXE_threatscape"))
        .args([
            "--db",
            db,
            "user",
            "add",
            "--name",
            "loader",
            "--org",
            "Test CERT",
            "--role",
            "contributor",
            "--clearance",
            "green",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    add_user
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{PASSWORD}\n").as_bytes())
        .unwrap();
    assert!(add_user.wait().unwrap().success());
}

/// The ids of envelope `e`'s objects.
fn ids(e: usize) -> Vec<String> {
    (0..PER_ENVELOPE)
        .map(|n| format!("campaign--{e:08x}-0000-4000-8000-{n:012x}"))
        .collect()
}

fn envelope(e: usize) -> String {
    let objects: Vec<Value> = ids(e)
        .into_iter()
        .map(|id| {
            json!({"type": "campaign", "spec_version": "2.1", "id": id,
                   "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
                   "name": format!("crash test envelope {e}")})
        })
        .collect();
    json!({ "objects": objects }).to_string()
}

/// Sends envelope `e`; true when the server answered 202 with every object a success.
fn send(base: &str, e: usize) -> bool {
    let response = ureq::post(&format!(
        "{base}/threatscape/collections/tlp-clear/objects/"
    ))
    .timeout(Duration::from_secs(60))
    .set(
        "Authorization",
        &format!("Basic {}", base64_of(&format!("loader:{PASSWORD}"))),
    )
    .set("Content-Type", "application/taxii+json;version=2.1")
    .send_string(&envelope(e));
    match response {
        Ok(r) if r.status() == 202 => {
            let status: Value = r.into_json().unwrap();
            assert_eq!(status["success_count"], PER_ENVELOPE, "{status:#}");
            true
        }
        Ok(r) => panic!("envelope {e}: status {}", r.status()),
        // The server was killed under the request: the envelope's fate is for the store to tell.
        Err(ureq::Error::Transport(_)) => false,
        Err(e) => panic!("{e}"),
    }
}

/// How many of envelope `e`'s objects the store holds.
fn stored(store: &dyn Store, e: usize) -> usize {
    ids(e)
        .iter()
        .filter(|id| store.contains_id(id).unwrap())
        .count()
}

#[test]
fn killed_server_leaves_each_envelope_wholly_in_or_out() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("served.db");
    let db = db_path.to_str().unwrap().to_string();
    add_loader(&db);
    let clients = 2;
    let mut next = 0usize; // the next envelope never sent
    let mut accepted = std::collections::BTreeSet::new();
    let mut pending: Vec<usize> = Vec::new(); // sent, not acknowledged, not wholly in
    let (mut interrupted, mut committed_unanswered) = (0, 0);
    for round in 0..ROUNDS {
        let server = Server::start(&db);
        let base = server.base.clone();
        let stop = AtomicBool::new(false);
        let queue = Mutex::new((std::mem::take(&mut pending), next));
        let results: Mutex<Vec<(usize, bool)>> = Mutex::new(Vec::new());
        std::thread::scope(|scope| {
            for _ in 0..clients {
                scope.spawn(|| {
                    while !stop.load(Ordering::Relaxed) {
                        let e = {
                            let mut q = queue.lock().unwrap();
                            match q.0.pop() {
                                Some(e) => e,
                                None => {
                                    q.1 += 1;
                                    q.1 - 1
                                }
                            }
                        };
                        let ok = send(&base, e);
                        results.lock().unwrap().push((e, ok));
                        if !ok {
                            break;
                        }
                    }
                });
            }
            // A deterministic spread of kill moments across an add's life.
            std::thread::sleep(Duration::from_millis(300 + (round * 397) % 3000));
            stop.store(true, Ordering::Relaxed);
            drop(server); // SIGKILL, then reaped
        });
        next = queue.into_inner().unwrap().1;
        let store = threatscape_store::SqliteStore::open(&db_path).unwrap();
        store.integrity_check().unwrap();
        for (e, ok) in results.into_inner().unwrap() {
            let n = stored(&store, e);
            assert!(
                n == 0 || n == PER_ENVELOPE,
                "round {round}: envelope {e} is partly stored ({n} of {PER_ENVELOPE})"
            );
            if ok {
                assert_eq!(
                    n, PER_ENVELOPE,
                    "round {round}: accepted envelope {e} is not stored"
                );
                accepted.insert(e);
            } else {
                interrupted += 1;
                if n == 0 {
                    pending.push(e);
                } else {
                    // Committed, but killed before the answer went out: a client re-sending it
                    // finds every object unchanged.
                    committed_unanswered += 1;
                    accepted.insert(e);
                }
            }
        }
    }
    assert!(
        interrupted > 0,
        "no kill landed during an add: this proved nothing"
    );
    // Restart and re-send what never made it: everything completes.
    let server = Server::start(&db);
    for e in pending.drain(..) {
        assert!(send(&server.base, e), "re-sending envelope {e} failed");
        accepted.insert(e);
    }
    drop(server);
    let store = threatscape_store::SqliteStore::open(&db_path).unwrap();
    store.integrity_check().unwrap();
    assert_eq!(accepted.len(), next, "every envelope sent is in");
    for e in 0..next {
        assert_eq!(stored(&store, e), PER_ENVELOPE, "envelope {e}");
    }
    eprintln!(
        "{next} envelopes of {PER_ENVELOPE} objects over {ROUNDS} kills; {interrupted} requests cut \
         by a kill, {committed_unanswered} of them committed before the kill"
    );
}

#[test]
fn sigterm_answers_the_add_in_flight_and_exits_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("term.db");
    let db = db_path.to_str().unwrap().to_string();
    add_loader(&db);
    let mut server = Server::start(&db);
    let big: Vec<Value> = (0..60)
        .flat_map(|e| {
            let env: Value = serde_json::from_str(&envelope(1000 + e)).unwrap();
            env["objects"].as_array().unwrap().clone()
        })
        .collect();
    let body = json!({ "objects": big }).to_string();
    // The add is made certainly in flight, whatever the machine's speed: the request's head and
    // half its body go out, the signal comes, and only then the rest of the body.
    let address = server
        .base
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let head = format!(
        "POST /threatscape/collections/tlp-clear/objects/ HTTP/1.1\r\nHost: {address}\r\n\
         Authorization: Basic {}\r\nContent-Type: application/taxii+json;version=2.1\r\n\
         Accept: application/taxii+json;version=2.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        base64_of(&format!("loader:{PASSWORD}")),
        body.len()
    );
    let (first, rest) = body.as_bytes().split_at(body.len() / 2);
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(first).unwrap();
    stream.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let signalled = Instant::now();
    let kill = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    std::thread::sleep(Duration::from_millis(300));
    stream.write_all(rest).unwrap();
    stream.flush().unwrap();
    let mut response = Vec::new();
    std::io::Read::read_to_end(&mut stream, &mut response).expect("the add in flight is answered");
    let (code, answer) = parse_response(&response);
    assert_eq!(code, 202, "{answer}");
    let status: Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(status["success_count"], 60 * PER_ENVELOPE, "{status:#}");
    let exit = server.child.wait().unwrap();
    assert!(exit.success(), "serve exits cleanly on SIGTERM: {exit:?}");
    eprintln!("stopped {:?} after SIGTERM", signalled.elapsed());
    let store = threatscape_store::SqliteStore::open(Path::new(&db_path)).unwrap();
    store.integrity_check().unwrap();
    for e in 0..60 {
        assert_eq!(stored(&store, 1000 + e), PER_ENVELOPE);
    }
}

/// The status code and body of a raw HTTP/1.1 response, with a chunked body decoded.
fn parse_response(raw: &[u8]) -> (u16, String) {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no complete response: {text:?}"));
    let code = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status line: {head:?}"));
    let chunked = head.lines().any(|l| {
        l.to_ascii_lowercase()
            .starts_with("transfer-encoding: chunked")
    });
    if !chunked {
        return (code, body.to_string());
    }
    let mut decoded = String::new();
    let mut rest = body;
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        decoded.push_str(&tail[..size]);
        rest = &tail[size + 2..];
    }
    (code, decoded)
}

/// A `serve` SIGKILLed in the middle of a large add leaves its add job running; a new `serve` on
/// the same store settles it once the lease is over (shortened here through
/// `THREATSCAPE_TAXII_ADD_LEASE_SECS` instead of waiting ten minutes), and the add's status
/// resource, polled through TAXII, stops reading pending and tells which objects were stored:
/// exactly those the store holds, wholly in or wholly out.
#[test]
fn a_killed_add_is_settled_by_the_next_server_and_its_status_says_what_was_stored() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("sweep.db");
    let db = db_path.to_str().unwrap().to_string();
    add_loader(&db);
    let envelopes = 400; // 16,000 objects, about 3 MB: an add that lasts long enough to be cut
    let objects: Vec<Value> = (0..envelopes)
        .flat_map(|e| {
            let env: Value = serde_json::from_str(&envelope(5000 + e)).unwrap();
            env["objects"].as_array().unwrap().clone()
        })
        .collect();
    let total = objects.len();
    let body = json!({ "objects": objects }).to_string();
    let server = Server::start(&db);
    let base = server.base.clone();
    let sender = std::thread::spawn(move || {
        // Killed under the request: no answer comes.
        let answer = ureq::post(&format!(
            "{base}/threatscape/collections/tlp-clear/objects/"
        ))
        .timeout(Duration::from_secs(120))
        .set(
            "Authorization",
            &format!("Basic {}", base64_of(&format!("loader:{PASSWORD}"))),
        )
        .set("Content-Type", "application/taxii+json;version=2.1")
        .send_string(&body);
        answer.is_ok()
    });
    // The kill lands while the job is running: claimed, not finished.
    let started = Instant::now();
    let job = loop {
        let store = threatscape_store::SqliteStore::open(Path::new(&db_path)).unwrap();
        if let Some(job) = store.stale_jobs("taxii-add-objects", 0).unwrap().pop() {
            break job;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the add never started"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    let mut server = server;
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    assert!(
        !sender.join().unwrap(),
        "the killed server answered the add"
    );
    {
        let store = threatscape_store::SqliteStore::open(Path::new(&db_path)).unwrap();
        store.integrity_check().unwrap();
        let record = store.job(job.id).unwrap().unwrap();
        assert_eq!(record.state, threatscape_store::JobState::Running);
    }

    // A new server with a one-second lease settles it; the status is read through TAXII.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let next = Server {
        child: Command::new(env!("CARGO_BIN_EXE_threatscape"))
            .args(["--db", &db, "serve", "--addr", &format!("127.0.0.1:{port}")])
            .env("THREATSCAPE_TAXII_ADD_LEASE_SECS", "1")
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
        base: format!("http://127.0.0.1:{port}"),
    };
    let status_url = format!("{}/threatscape/status/{}/", next.base, job.id);
    let restarted = Instant::now();
    let status = loop {
        let answer = ureq::get(&status_url)
            .set(
                "Authorization",
                &format!("Basic {}", base64_of(&format!("loader:{PASSWORD}"))),
            )
            .set("Accept", "application/taxii+json;version=2.1")
            .call();
        if let Ok(r) = answer {
            let status: Value = r.into_json().unwrap();
            if status["status"] == "complete" {
                break status;
            }
            assert_eq!(status["status"], "pending", "{status:#}");
        }
        assert!(
            restarted.elapsed() < Duration::from_secs(60),
            "the status still reads pending a minute after the restart"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    eprintln!(
        "settled {:?} after the restart: {} stored, {} to send again",
        restarted.elapsed(),
        status["success_count"],
        status["failure_count"]
    );
    assert_eq!(status["total_count"], total, "{status:#}");
    assert_eq!(status["pending_count"], 0);
    let successes = status["success_count"].as_u64().unwrap() as usize;
    let failures = status["failure_count"].as_u64().unwrap() as usize;
    assert_eq!(successes + failures, total);
    // What the status says is what the store holds, and the add is wholly in or wholly out.
    let store = threatscape_store::SqliteStore::open(Path::new(&db_path)).unwrap();
    let held: usize = (0..envelopes).map(|e| stored(&store, 5000 + e)).sum();
    assert_eq!(held, successes, "{status:#}");
    assert!(held == 0 || held == total, "{held} of {total} stored");
    for entry in status["failures"].as_array().unwrap() {
        assert!(!store.contains_id(entry["id"].as_str().unwrap()).unwrap());
        assert!(
            entry["message"].as_str().unwrap().contains("send it again"),
            "{entry:#}"
        );
    }
    for entry in status["successes"].as_array().unwrap() {
        assert!(store.contains_id(entry["id"].as_str().unwrap()).unwrap());
    }
    drop(next);
}
