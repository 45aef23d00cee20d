//! Upstream resilience: reads are retried through faults, writes are sent exactly once, and the
//! health endpoints say whether upstream can be used.

mod common;

use std::time::Duration;

use axum::http::StatusCode;
use common::{CANARY_KEY, Harness, small_sandbox};
use gatehouse::upstream::Policy;

/// Short backoffs, so the tests spend little time waiting.
fn quick() -> Policy {
    Policy {
        backoff: Duration::from_millis(5),
        ..Policy::default()
    }
}

fn faulty(spec: &str) -> sandbox::Sandbox {
    small_sandbox(CANARY_KEY).with_faults(spec.parse().expect("faults"))
}

#[tokio::test]
async fn reads_are_retried_through_server_errors() {
    let harness = Harness::around(faulty("error_rate=0.4,seed=3"), quick()).await;
    let (cookie, _) = harness.auditor().await;
    let reads = 30;
    let mut ok = 0;
    for _ in 0..reads {
        let before = harness.hits();
        let answer = harness
            .get("/api/v1/organization/users?limit=2", &cookie)
            .await;
        let attempts = harness.hits() - before;
        match answer.status {
            StatusCode::OK => ok += 1,
            // A 500 is not a transient answer: it passes through in upstream's words.
            StatusCode::INTERNAL_SERVER_ERROR => {
                answer.assert_error(StatusCode::INTERNAL_SERVER_ERROR, None);
                assert_eq!(answer.json()["error"]["type"], "server_error");
            }
            // A transient answer surfaces only once the retries are spent.
            StatusCode::BAD_GATEWAY | StatusCode::SERVICE_UNAVAILABLE => {
                assert_eq!(attempts, 1 + quick().retries as usize, "{}", answer.text);
            }
            other => panic!("unexpected {other}: {}", answer.text),
        }
    }
    let hits = harness.hits();
    assert!(ok > reads / 2, "most reads succeed: {ok}/{reads}");
    assert!(
        hits > reads,
        "some reads needed retries: {hits} upstream requests for {reads} reads"
    );
    println!("{reads} reads through a 40% error rate took {hits} upstream requests");
}

#[tokio::test]
async fn a_rate_limited_read_waits_for_retry_after() {
    let harness = Harness::around(faulty("rate_limit=2/s"), quick()).await;
    let (cookie, _) = harness.auditor().await;
    for _ in 0..4 {
        let answer = harness.get("/api/v1/organization/invites", &cookie).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    }
    assert!(harness.hits() > 4, "the 429s were retried");
}

#[tokio::test]
async fn writes_are_never_repeated() {
    let harness = Harness::around(faulty("error_rate=0.5,seed=11"), quick()).await;
    let (cookie, csrf) = harness.owner().await;
    let writes = 20;
    let mut failed = 0;
    for n in 0..writes {
        let body = format!(r#"{{"name":"Project {n}"}}"#);
        let answer = harness
            .send(
                "POST",
                "/api/v1/organization/projects",
                Some(&cookie),
                Some(&csrf),
                Some(&body),
            )
            .await;
        if answer.status != StatusCode::OK {
            assert!(answer.status.is_server_error(), "{}", answer.text);
            answer.assert_error(answer.status, None);
            failed += 1;
        }
    }
    assert!(failed > 0, "the fault seed should fail some writes");
    assert_eq!(
        harness.hits(),
        writes,
        "one upstream request per write, failed or not"
    );
}

#[tokio::test]
async fn health_and_readiness() {
    let harness = Harness::new().await;
    let answer = harness.send("GET", "/healthz", None, None, None).await;
    assert_eq!(answer.status, StatusCode::OK);
    let answer = harness.send("GET", "/readyz", None, None, None).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json()["upstream"], "ok");

    let rejected = Harness::with_keys("test-admin-key-another-one").await;
    let answer = rejected.send("GET", "/readyz", None, None, None).await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(answer.json()["upstream"], "admin key rejected");
    assert!(!answer.text.contains("CANARY"));
}
