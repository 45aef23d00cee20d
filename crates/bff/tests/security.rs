//! The admin key never reaches a browser, and every response carries the security headers.

mod common;

use axum::http::StatusCode;
use common::{CANARY_KEY, Harness};

/// Every response of a busy session, including the errors, with headers and bodies.
async fn exercise(harness: &Harness) -> Vec<common::Answer> {
    let (cookie, csrf) = harness.owner().await;
    let id = harness.sandbox.read(|org| org.users()[4].id.clone());
    let one = format!("/api/v1/organization/users/{id}");
    let mut answers = vec![
        harness.get("/api/session", &cookie).await,
        harness
            .get("/api/v1/organization/users?limit=100", &cookie)
            .await,
        harness.get(&one, &cookie).await,
        harness
            .send(
                "POST",
                &one,
                Some(&cookie),
                Some(&csrf),
                Some(r#"{"role":"owner"}"#),
            )
            .await,
        harness
            .get("/api/v1/organization/audit_logs?limit=100", &cookie)
            .await,
        harness
            .get("/api/v1/organization/users/user-nobody", &cookie)
            .await,
        harness.get("/api/v1/organization/projects", &cookie).await,
        harness
            .send("GET", "/api/v1/organization/users", None, None, None)
            .await,
    ];
    answers.push(
        harness
            .send("DELETE", &one, Some(&cookie), Some(&csrf), None)
            .await,
    );
    answers
}

fn assert_no_key(answers: &[common::Answer]) {
    let tail = &CANARY_KEY[CANARY_KEY.len() - 4..];
    for answer in answers {
        let headers = format!("{:?}", answer.headers);
        for text in [&answer.text, &headers] {
            assert!(!text.contains(CANARY_KEY), "the admin key leaked: {text}");
            assert!(
                !text.contains("CANARY"),
                "part of the admin key leaked: {text}"
            );
            assert!(!text.contains(tail), "the key's tail leaked: {text}");
        }
    }
}

#[tokio::test]
async fn the_admin_key_never_appears_in_a_response() {
    let harness = Harness::new().await;
    let answers = exercise(&harness).await;
    assert!(answers.iter().any(|a| a.status == StatusCode::OK));
    assert_no_key(&answers);
}

#[tokio::test]
async fn a_refused_admin_key_is_reported_without_quoting_it() {
    // Upstream refuses the portal's key and, like OpenAI, quotes part of it in its 401.
    let harness = Harness::with_keys("sk-admin-some-other-key-0000").await;
    let answers = exercise(&harness).await;
    let list = &answers[1];
    list.assert_error(StatusCode::BAD_GATEWAY, Some("upstream_error"));
    assert!(
        list.json()["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("admin key"))
    );
    assert_no_key(&answers);
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let harness = Harness::new().await;
    let (cookie, _) = harness.owner().await;
    for (uri, cookie) in [
        ("/api/v1/organization/users", Some(cookie.as_str())),
        ("/api/v1/organization/users", None),
        ("/api/unknown", None),
    ] {
        let answer = harness.send("GET", uri, cookie, None, None).await;
        let csp = answer
            .headers
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval'"),
            "{uri}: {csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert_eq!(
            answer
                .headers
                .get("x-content-type-options")
                .map(|v| v.as_bytes()),
            Some(&b"nosniff"[..])
        );
        assert_eq!(
            answer.headers.get("referrer-policy").map(|v| v.as_bytes()),
            Some(&b"no-referrer"[..])
        );
        assert!(
            answer.headers.get("strict-transport-security").is_none(),
            "no HSTS over plain http"
        );
    }
}
