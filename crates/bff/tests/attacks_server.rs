//! Attacks on the server's own resources, each asserting what the attacker sees: a flood of
//! readiness probes spending the admin key's rate limit, and archive queries built to break
//! the database.

mod common;

use axum::http::StatusCode;
use common::Harness;

#[tokio::test]
async fn a_flood_of_readiness_probes_barely_reaches_upstream() {
    let harness = Harness::new().await;
    let before = harness.hits();
    let started = std::time::Instant::now();
    for _ in 0..50 {
        let answer = harness.send("GET", "/readyz", None, None, None).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    }
    let reached = harness.hits() - before;
    println!(
        "50 probes in {:?} made {reached} upstream requests",
        started.elapsed()
    );
    assert!(reached <= 2, "{reached} upstream requests");
}

#[tokio::test]
async fn concurrent_readiness_probes_share_one_upstream_check() {
    let harness = Harness::new().await;
    let before = harness.hits();
    let probes = (0..20).map(|_| harness.send("GET", "/readyz", None, None, None));
    let answers = futures_util::future::join_all(probes).await;
    assert!(answers.iter().all(|a| a.status == StatusCode::OK));
    assert_eq!(harness.hits() - before, 1);
}

#[tokio::test]
async fn control_characters_in_a_search_are_a_400_naming_q() {
    let harness = Harness::new().await;
    let (cookie, _) = harness.auditor().await;
    for q in ["a%00b", "a%01b", "tab%09ok%0Anewline"] {
        for route in ["audit_logs", "histogram"] {
            let answer = harness
                .get(&format!("/api/archive/{route}?q={q}"), &cookie)
                .await;
            answer.assert_error(StatusCode::BAD_REQUEST, None);
            assert_eq!(answer.json()["error"]["param"], "q", "{route} {q}");
        }
    }
    // Ordinary text still searches.
    let fine = harness
        .get("/api/archive/audit_logs?q=ada%40acme.example", &cookie)
        .await;
    assert_eq!(fine.status, StatusCode::OK, "{}", fine.text);
}

#[tokio::test]
async fn a_filter_with_thousands_of_values_is_a_400_naming_it() {
    let harness = Harness::new().await;
    let (cookie, _) = harness.auditor().await;
    // As many as a request line can carry (the http crate stops URIs at 64 KiB, so the
    // review's 40,000 cannot arrive whole; 3,000 short ones can).
    let many: String = (0..3_000)
        .map(|i| format!("actor_ids[]=u{i}"))
        .collect::<Vec<_>>()
        .join("&");
    for route in [
        "/api/archive/audit_logs",
        "/api/archive/histogram",
        "/api/v1/organization/audit_logs",
    ] {
        let answer = harness.get(&format!("{route}?{many}"), &cookie).await;
        answer.assert_error(StatusCode::BAD_REQUEST, None);
        assert_eq!(answer.json()["error"]["param"], "actor_ids[]", "{route}");
    }
    let just_over: String = (0..101)
        .map(|i| format!("resource_ids[]=r{i}"))
        .collect::<Vec<_>>()
        .join("&");
    let answer = harness
        .get(&format!("/api/archive/audit_logs?{just_over}"), &cookie)
        .await;
    answer.assert_error(StatusCode::BAD_REQUEST, None);
    assert_eq!(answer.json()["error"]["param"], "resource_ids[]");
    // A hundred values is still a query.
    let hundred: String = (0..100)
        .map(|i| format!("project_ids[]=proj_{i}"))
        .collect::<Vec<_>>()
        .join("&");
    let fine = harness
        .get(&format!("/api/archive/audit_logs?{hundred}"), &cookie)
        .await;
    assert_eq!(fine.status, StatusCode::OK, "{}", fine.text);
}
