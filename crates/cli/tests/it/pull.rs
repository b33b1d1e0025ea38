//! `threatscape pull` against medallion (the OASIS reference TAXII 2.1 server) and against our own
//! server: the first pull ingests every object, the second fetches nothing new.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::{json, Value};
use threatscape_testkit::{shared_data, shared_peer};

use super::{json_of, stats, threatscape, Server};

/// medallion's writable collection (its seed data, `medallion-start`).
const MEDALLION_COLLECTION: &str = "365fed99-08fa-fdcd-a1b3-fb247eb41d01";

/// How many objects of the ICS bundle are posted to medallion and pulled back.
const MEDALLION_OBJECTS: usize = 550;

/// A medallion process, killed when dropped.
struct Medallion {
    pid: String,
    base: String,
}

impl Medallion {
    fn start(script: &Path) -> Medallion {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let out = Command::new(script)
            .arg(port.to_string())
            .output()
            .expect("medallion-start runs");
        assert!(
            out.status.success(),
            "medallion did not start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Medallion {
            pid: String::from_utf8_lossy(&out.stdout).trim().to_string(),
            base: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Medallion {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg(&self.pid).status();
    }
}

fn pull(db: &Path, args: &[&str]) -> (Output, Value) {
    let mut all = vec!["pull", "--json"];
    all.extend_from_slice(args);
    let out = threatscape(db, &all);
    let report = json_of(&out);
    (out, report)
}

/// The objects of a STIX bundle file.
fn bundle_objects(path: &Path) -> Vec<Value> {
    let bundle: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    bundle["objects"].as_array().unwrap().clone()
}

#[test]
fn pulls_from_medallion_then_fetches_nothing_new() {
    let (Some(start), Some(ics)) = (
        shared_peer("medallion-start"),
        shared_data("mitre-attack/ics-attack-18.1.json"),
    ) else {
        return;
    };
    let medallion = Medallion::start(&start);
    let root = format!("{}/trustgroup1/", medallion.base);
    // A part of the ICS bundle, written as a bundle of its own for the direct ingest below:
    // medallion's in-memory backend answers a fresh query in time that grows with the
    // collection (with the whole bundle, 1,826 objects, the first pull took 39 s and the empty
    // second one 58 s; BENCHMARKS.md, "Build and CI"), and six pages exercise its `next` paging
    // as well as nineteen.
    let objects: Vec<Value> = bundle_objects(&ics)
        .into_iter()
        .take(MEDALLION_OBJECTS)
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let part = dir.path().join("ics-part.json");
    std::fs::write(
        &part,
        json!({"type": "bundle", "id": "bundle--6f1c1e0a-3f51-4a43-9a43-2d3a1f6f7a10", "objects": objects})
            .to_string(),
    )
    .unwrap();
    let auth = format!("Basic {}", super::base64_of("admin:Password0"));
    for chunk in objects.chunks(500) {
        let resp = ureq::post(&format!(
            "{root}collections/{MEDALLION_COLLECTION}/objects/"
        ))
        .set("Authorization", &auth)
        .set("Accept", "application/taxii+json;version=2.1")
        .set("Content-Type", "application/taxii+json;version=2.1")
        .send_string(&json!({ "objects": chunk }).to_string())
        .expect("medallion accepts the objects");
        assert_eq!(resp.status(), 202);
    }

    let pulled = dir.path().join("pulled.db");
    let args = [
        root.as_str(),
        "--collection",
        MEDALLION_COLLECTION,
        "--user",
        "admin",
        "--password",
        "Password0",
        "--page-size",
        "100",
    ];
    let (out, first) = pull(&pulled, &args);
    assert!(out.status.success(), "{first}");
    assert_eq!(first["objects_fetched"], objects.len(), "{first}");
    // medallion caps pages at 100 objects.
    assert_eq!(first["pages"], objects.len().div_ceil(100), "{first}");
    assert_eq!(first["pages_rejected"], 0, "{first}");

    // The same counts as ingesting that part of the bundle directly.
    let direct = dir.path().join("direct.db");
    assert!(threatscape(&direct, &["ingest", part.to_str().unwrap()])
        .status
        .success());
    assert_eq!(stats(&pulled), stats(&direct));
    assert_eq!(first["new"], stats(&direct)["total"], "{first}");

    let (out, second) = pull(&pulled, &args);
    assert!(out.status.success(), "{second}");
    assert_eq!(second["objects_fetched"], 0, "{second}");
    assert_eq!(second["new"], 0, "{second}");
    assert_eq!(second["added_after"], first["cursor"], "{second}");
    assert_eq!(stats(&pulled), stats(&direct));
}

#[test]
fn pulls_from_our_own_server_through_discovery_with_a_token() {
    let Some(ics) = shared_data("mitre-attack/ics-attack-18.1.json") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("source.db");
    assert!(threatscape(&source, &["ingest", ics.to_str().unwrap()])
        .status
        .success());
    let mut add = Command::new(env!("CARGO_BIN_EXE_threatscape"))
        .args([
            "--db",
            source.to_str().unwrap(),
            "user",
            "add",
            "--name",
            "puller",
        ])
        .args([
            "--org",
            "CERT-X",
            "--role",
            "reader",
            "--clearance",
            "green",
            "--password-stdin",
        ])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    add.stdin
        .take()
        .unwrap()
        .write_all(b"a long enough password\n")
        .unwrap();
    assert!(add.wait().unwrap().success());
    let token = threatscape(&source, &["token", "create", "--user", "puller"]);
    assert!(token.status.success());
    let token = String::from_utf8(token.stdout).unwrap().trim().to_string();
    let server = Server::start(source.to_str().unwrap());

    let pulled = dir.path().join("pulled.db");
    let discovery = format!("{}/taxii2/", server.base);
    let args = [
        discovery.as_str(),
        "--collection",
        "tlp-green",
        "--token",
        &token,
        "--contributor",
        "CERT-X",
        "--contributor-type",
        "member-state",
        "--page-size",
        "250",
    ];
    let (out, first) = pull(&pulled, &args);
    assert!(out.status.success(), "{first}");
    let expected = stats(&source);
    assert_eq!(first["objects_fetched"], expected["total"], "{first}");
    assert_eq!(
        first["stream"],
        format!("taxii-pull:{}/threatscape/#tlp-green", server.base)
    );
    assert_eq!(stats(&pulled), expected);

    let (out, second) = pull(&pulled, &args);
    assert!(out.status.success(), "{second}");
    assert_eq!(second["objects_fetched"], 0, "{second}");
    assert_eq!(second["pages"], 0, "{second}");

    // Wrong credentials are an error that names the server's answer, and the store is unchanged.
    let bad = threatscape(
        &pulled,
        &[
            "pull",
            &discovery,
            "--collection",
            "tlp-green",
            "--token",
            "ts_wrong",
        ],
    );
    assert_eq!(bad.status.code(), Some(3));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("HTTP 401"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    assert_eq!(stats(&pulled), expected);
}
