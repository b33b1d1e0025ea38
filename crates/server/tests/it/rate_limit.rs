//! Per-caller request budgets on the REST API and TAXII: 429 with `Retry-After` once a token's
//! bucket is empty, other callers unaffected, the budget refilled with time.
//!
//! The budget comes from `THREATSCAPE_API_RATE`, read when a router is built. Tests in this binary
//! run in parallel in one process, so the test with a tiny budget runs in a child process of its
//! own (this binary, started again with the variable set and only that test selected).

use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use serde_json::Value;
use threatscape_model::Tlp;
use threatscape_server::{auth, AppState, Role};
use tower::ServiceExt;

use super::PW;

const BUDGET: &str = "2/3";

#[test]
fn api_and_taxii_answer_429_with_retry_after() {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "rate_limit::with_a_budget_of_two_a_second_three_at_once",
            "--ignored",
            "--nocapture",
        ])
        .env(auth::RateLimit::ENV, BUDGET)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{stdout}{stderr}"
    );
}

async fn get(app: &Router, authorization: &str, uri: &str) -> (StatusCode, Option<String>, Value) {
    let resp = app
        .clone()
        .oneshot(
            Request::get(uri)
                .header(header::AUTHORIZATION, authorization)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let status = resp.status();
    let retry = resp
        .headers()
        .get(header::RETRY_AFTER)
        .map(|v| v.to_str().unwrap().to_string());
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    (
        status,
        retry,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::test]
#[ignore = "started by api_and_taxii_answer_429_with_retry_after with THREATSCAPE_API_RATE=2/3"]
async fn with_a_budget_of_two_a_second_three_at_once() {
    assert_eq!(std::env::var(auth::RateLimit::ENV).as_deref(), Ok(BUDGET));
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db").display().to_string();
    let mut store = threatscape_store::open(&db).unwrap();
    auth::create_user(&mut *store, "ana", "CERT-A", Role::Reader, Tlp::Green, PW).unwrap();
    let a = format!(
        "Bearer {}",
        auth::create_token(&mut *store, "ana", "a").unwrap()
    );
    let b = format!(
        "Bearer {}",
        auth::create_token(&mut *store, "ana", "b").unwrap()
    );
    // One router, as a server builds it once: its clones share the buckets.
    let app = threatscape_server::router(AppState::new(&db).unwrap());

    for _ in 0..3 {
        assert_eq!(get(&app, &a, "/api/v1/stats").await.0, StatusCode::OK);
    }
    let (status, retry, body) = get(&app, &a, "/api/v1/stats").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(retry.as_deref(), Some("1"));
    assert_eq!(body["http_status"], "429", "{body}");
    // The other token of the same user has a budget of its own, and so does TAXII.
    assert_eq!(get(&app, &b, "/api/v1/stats").await.0, StatusCode::OK);
    assert_eq!(get(&app, &a, "/taxii2/").await.0, StatusCode::OK);
    // Wrong credentials spend their own bucket, not the user's.
    for _ in 0..4 {
        get(&app, "Bearer ts_wrong", "/api/v1/stats").await;
    }
    assert_eq!(
        get(&app, "Bearer ts_wrong", "/api/v1/stats").await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(get(&app, &b, "/api/v1/stats").await.0, StatusCode::OK);
    // Two a second: after 600 ms one more request is allowed, the next is not.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(get(&app, &a, "/api/v1/stats").await.0, StatusCode::OK);
    assert_eq!(
        get(&app, &a, "/api/v1/stats").await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
}
