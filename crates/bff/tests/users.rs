//! The users proxy: sessions, CSRF and roles in front of it, and nothing but the allow-listed,
//! rebuilt request reaching upstream.

mod common;

use axum::http::StatusCode;
use common::Harness;

const LIST: &str = "/api/v1/organization/users";

async fn some_user_id(harness: &Harness) -> String {
    harness.sandbox.read(|org| org.users()[3].id.clone())
}

#[tokio::test]
async fn every_users_route_needs_a_session() {
    let harness = Harness::new().await;
    let id = some_user_id(&harness).await;
    let one = format!("{LIST}/{id}");
    for (method, uri, body) in [
        ("GET", LIST, None),
        ("GET", one.as_str(), None),
        ("POST", one.as_str(), Some(r#"{"role":"owner"}"#)),
        ("DELETE", one.as_str(), None),
    ] {
        harness
            .send(method, uri, None, None, body)
            .await
            .assert_error(StatusCode::UNAUTHORIZED, Some("unauthenticated"));
        harness
            .send(method, uri, Some("forged-session-id"), Some("x"), body)
            .await
            .assert_error(StatusCode::UNAUTHORIZED, Some("unauthenticated"));
    }
    assert_eq!(harness.hits(), 0, "nothing reached upstream");
}

#[tokio::test]
async fn writes_need_the_session_csrf_token() {
    let harness = Harness::new().await;
    let (cookie, csrf) = harness.owner().await;
    let one = format!("{LIST}/{}", some_user_id(&harness).await);
    for token in [None, Some("wrong"), Some("")] {
        harness
            .send(
                "POST",
                &one,
                Some(&cookie),
                token,
                Some(r#"{"role":"owner"}"#),
            )
            .await
            .assert_error(StatusCode::FORBIDDEN, Some("csrf_failed"));
        harness
            .send("DELETE", &one, Some(&cookie), token, None)
            .await
            .assert_error(StatusCode::FORBIDDEN, Some("csrf_failed"));
    }
    // Another session's token does not do either.
    let (_, other_csrf) = harness.owner().await;
    harness
        .send("DELETE", &one, Some(&cookie), Some(&other_csrf), None)
        .await
        .assert_error(StatusCode::FORBIDDEN, Some("csrf_failed"));
    assert_eq!(harness.hits(), 0);
    let ok = harness
        .send(
            "POST",
            &one,
            Some(&cookie),
            Some(&csrf),
            Some(r#"{"role":"owner"}"#),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
}

#[tokio::test]
async fn an_auditor_reads_but_cannot_write() {
    let harness = Harness::new().await;
    let (cookie, csrf) = harness.auditor().await;
    let list = harness.get(LIST, &cookie).await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.json()["object"], "list");
    let hits = harness.hits();
    let one = format!("{LIST}/{}", some_user_id(&harness).await);
    harness
        .send(
            "POST",
            &one,
            Some(&cookie),
            Some(&csrf),
            Some(r#"{"role":"owner"}"#),
        )
        .await
        .assert_error(StatusCode::FORBIDDEN, Some("insufficient_role"));
    harness
        .send("DELETE", &one, Some(&cookie), Some(&csrf), None)
        .await
        .assert_error(StatusCode::FORBIDDEN, Some("insufficient_role"));
    assert_eq!(
        harness.hits(),
        hits,
        "the refused writes never reached upstream"
    );
}

#[tokio::test]
async fn an_owner_changes_a_role_and_upstream_records_it() {
    let harness = Harness::new().await;
    let (cookie, csrf) = harness.owner().await;
    let (id, role) = harness.sandbox.read(|org| {
        let user = org
            .users()
            .iter()
            .find(|u| u.role.as_deref() == Some("reader"))
            .expect("reader");
        (user.id.clone(), user.role.clone())
    });
    assert_eq!(role.as_deref(), Some("reader"));
    let answer = harness
        .send(
            "POST",
            &format!("{LIST}/{id}"),
            Some(&cookie),
            Some(&csrf),
            Some(r#"{"role":"owner"}"#),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.json()["role"], "owner");
    let audited = harness.sandbox.read(|org| {
        org.audit_events()
            .next()
            .map(|e| (e.event_type.clone(), e.resource_id().map(str::to_owned)))
    });
    assert_eq!(audited, Some(("user.updated".into(), Some(id))));
}

#[tokio::test]
async fn paging_and_email_filter_pass_through() {
    let harness = Harness::new().await;
    let (cookie, _) = harness.auditor().await;
    let email = harness
        .sandbox
        .read(|org| org.users()[5].email.clone())
        .expect("email");
    let answer = harness
        .get(&format!("{LIST}?emails[]={email}&limit=5"), &cookie)
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    let data = answer.json()["data"].clone();
    assert_eq!(data.as_array().map(Vec::len), Some(1));
    assert_eq!(data[0]["email"], email.as_str());
    let answer = harness.get(&format!("{LIST}?limit=500"), &cookie).await;
    answer.assert_error(StatusCode::BAD_REQUEST, None);
    assert_eq!(answer.json()["error"]["param"], "limit");
}

#[tokio::test]
async fn unknown_routes_ids_and_fields_never_reach_upstream() {
    let harness = Harness::new().await;
    let (cookie, csrf) = harness.owner().await;
    let id = some_user_id(&harness).await;
    let not_found = [
        ("GET", "/api/v1/organization/certificates".to_owned()),
        ("GET", format!("{LIST}/{id}/sessions")),
        (
            "GET",
            "/api/v1/organization/users/../admin_api_keys".to_owned(),
        ),
        ("GET", "/api/nothing".to_owned()),
        (
            "GET",
            "/api/v1/https://evil.example/v1/organization/users".to_owned(),
        ),
    ];
    for (method, uri) in &not_found {
        let answer = harness
            .send(method, uri, Some(&cookie), Some(&csrf), None)
            .await;
        assert_eq!(
            answer.status,
            StatusCode::NOT_FOUND,
            "{method} {uri}: {}",
            answer.text
        );
    }
    let bad_request = [
        (
            "GET",
            format!("{LIST}/..%2Fadmin_api_keys"),
            None,
            "user_id",
        ),
        (
            "GET",
            format!("{LIST}/user-a%2F..%2F..%2Fprojects"),
            None,
            "user_id",
        ),
        (
            "GET",
            format!("{LIST}?after=user-a&include_all=true"),
            None,
            "include_all",
        ),
        (
            "POST",
            format!("{LIST}/{id}"),
            Some(r#"{"role":"owner","role_id":"role_x"}"#),
            "role_id",
        ),
        (
            "POST",
            format!("{LIST}/{id}"),
            Some(r#"{"role":"superuser"}"#),
            "role",
        ),
    ];
    for (method, uri, body, param) in &bad_request {
        let answer = harness
            .send(method, uri, Some(&cookie), Some(&csrf), *body)
            .await;
        answer.assert_error(StatusCode::BAD_REQUEST, None);
        assert_eq!(answer.json()["error"]["param"], *param, "{method} {uri}");
    }
    let answer = harness
        .send(
            "PATCH",
            &format!("{LIST}/{id}"),
            Some(&cookie),
            Some(&csrf),
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(harness.hits(), 0, "none of these reached upstream");
}
