//! `/api/session`: sign-in, the session cookie, the CSRF token and sign-out.

mod common;

use axum::http::StatusCode;
use common::Harness;

#[tokio::test]
async fn sign_in_sets_a_strict_http_only_cookie_and_returns_the_csrf_token() {
    let harness = Harness::new().await;
    let answer = harness
        .send(
            "POST",
            "/api/session",
            None,
            None,
            Some(r#"{"username":"olive","password":"olive-password"}"#),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    let body = answer.json();
    assert_eq!(body["username"], "olive");
    assert_eq!(body["role"], "owner");
    assert_eq!(
        body["csrf_token"].as_str().map(str::len),
        Some(64),
        "256 bits, hex"
    );
    let cookie = answer.set_cookie().expect("cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    let id = cookie
        .split(';')
        .next()
        .and_then(|p| p.split_once('='))
        .map(|(_, v)| v)
        .expect("id");
    assert_eq!(id.len(), 64, "a 256-bit session id");
    assert_ne!(Some(id), body["csrf_token"].as_str());
}

#[tokio::test]
async fn bad_credentials_get_one_uniform_401() {
    let harness = Harness::new().await;
    let wrong_password = harness
        .send(
            "POST",
            "/api/session",
            None,
            None,
            Some(r#"{"username":"olive","password":"nope"}"#),
        )
        .await;
    let unknown_user = harness
        .send(
            "POST",
            "/api/session",
            None,
            None,
            Some(r#"{"username":"mallory","password":"nope"}"#),
        )
        .await;
    wrong_password.assert_error(StatusCode::UNAUTHORIZED, Some("invalid_credentials"));
    assert_eq!(
        wrong_password.text, unknown_user.text,
        "no hint whether the account exists"
    );
    assert_eq!(unknown_user.status, StatusCode::UNAUTHORIZED);
    assert!(wrong_password.set_cookie().is_none());
}

#[tokio::test]
async fn the_session_endpoint_follows_sign_in_and_sign_out() {
    let harness = Harness::new().await;
    harness
        .send("GET", "/api/session", None, None, None)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, Some("unauthenticated"));
    let (cookie, csrf) = harness.auditor().await;
    let me = harness.get("/api/session", &cookie).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["role"], "auditor");
    assert_eq!(me.json()["csrf_token"], csrf.as_str());

    harness
        .send("DELETE", "/api/session", Some(&cookie), None, None)
        .await
        .assert_error(StatusCode::FORBIDDEN, Some("csrf_failed"));
    let out = harness
        .send("DELETE", "/api/session", Some(&cookie), Some(&csrf), None)
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert!(
        out.set_cookie().is_some_and(|c| c.contains("Max-Age=0")),
        "the cookie is cleared"
    );
    harness
        .get("/api/session", &cookie)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, None);
}

#[tokio::test]
async fn signing_in_again_rotates_the_session() {
    let harness = Harness::new().await;
    let (first, _) = harness.owner().await;
    let answer = harness
        .send(
            "POST",
            "/api/session",
            Some(&first),
            None,
            Some(r#"{"username":"olive","password":"olive-password"}"#),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(
        !answer.set_cookie().is_some_and(|c| c.contains(&first)),
        "a new id"
    );
    harness
        .get("/api/session", &first)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, None);
}

#[tokio::test]
async fn a_malformed_sign_in_is_a_400_naming_the_field() {
    let harness = Harness::new().await;
    let answer = harness
        .send(
            "POST",
            "/api/session",
            None,
            None,
            Some(r#"{"username":"olive","password":"x","role":"owner"}"#),
        )
        .await;
    answer.assert_error(StatusCode::BAD_REQUEST, None);
    assert_eq!(answer.json()["error"]["param"], "role");
}

#[tokio::test]
async fn meta_says_whether_the_browser_is_signed_in_without_a_401() {
    let harness = Harness::new().await;
    let signed_out = harness.send("GET", "/api/meta", None, None, None).await;
    assert_eq!(signed_out.status, StatusCode::OK);
    assert_eq!(signed_out.json()["signed_in"], false);
    let stale = harness.get("/api/meta", "not-a-session").await;
    assert_eq!(stale.status, StatusCode::OK);
    assert_eq!(stale.json()["signed_in"], false);
    let (cookie, csrf) = harness.owner().await;
    let signed_in = harness.get("/api/meta", &cookie).await;
    assert_eq!(signed_in.json()["signed_in"], true);
    assert!(!signed_in.text.contains(&csrf), "meta carries no secret");
}
