//! Injected faults: the rate limit answers 429 with Retry-After, errors use upstream's shape,
//! latency is added, and the same seed meets the same faults.

mod common;

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use common::{KEY, assert_schema};
use sandbox::{Faults, Sandbox, SeedOptions};
use tower::ServiceExt;

fn faulty(spec: &str) -> Sandbox {
    let options = SeedOptions {
        now: common::NOW,
        audit_events: 10,
        ..SeedOptions::default()
    };
    Sandbox::seeded(KEY, options).with_faults(spec.parse::<Faults>().expect("fault spec"))
}

async fn get(app: &axum::Router) -> (StatusCode, Option<String>, serde_json::Value) {
    let request = axum::http::Request::get("/v1/organization/users")
        .header("authorization", format!("Bearer {KEY}"))
        .body(axum::body::Body::empty())
        .expect("request");
    let response = app.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let retry = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = http_body_util::BodyExt::collect(response.into_body())
        .await
        .expect("body")
        .to_bytes();
    (status, retry, serde_json::from_slice(&bytes).expect("json"))
}

#[tokio::test]
async fn the_rate_limit_answers_429_with_retry_after() {
    let app = sandbox::app(faulty("rate_limit=5/s"));
    for _ in 0..5 {
        assert_eq!(get(&app).await.0, StatusCode::OK);
    }
    let (status, retry, body) = get(&app).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(retry.as_deref(), Some("1"));
    assert_schema("ErrorResponse", &body);
    assert_eq!(body["error"]["code"], "rate_limit_exceeded");
}

#[tokio::test]
async fn errors_follow_the_seed_and_the_error_shape() {
    let statuses = |seed: u64| async move {
        let app = sandbox::app(faulty(&format!("error_rate=0.5,seed={seed}")));
        let mut seen = Vec::new();
        for _ in 0..40 {
            let (status, _, body) = get(&app).await;
            if status != StatusCode::OK {
                assert!(status.is_server_error(), "{status}");
                assert_schema("ErrorResponse", &body);
                assert_eq!(body["error"]["type"], "server_error");
            }
            seen.push(status.as_u16());
        }
        seen
    };
    let first = statuses(9).await;
    assert_eq!(first, statuses(9).await, "the same seed, the same faults");
    let failures = first.iter().filter(|s| **s != 200).count();
    assert!(
        (8..=32).contains(&failures),
        "about half of 40 fail, got {failures}"
    );
}

#[tokio::test]
async fn latency_is_added_to_every_request() {
    let app = sandbox::app(faulty("latency=60ms"));
    let started = Instant::now();
    assert_eq!(get(&app).await.0, StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(60));
}
