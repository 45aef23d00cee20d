//! Admin keys: the value once, a new key that works, and a deleted key that stops working.

mod common;

use axum::http::StatusCode;
use common::{KEY, assert_audited, assert_error, assert_schema, call, call_with_key, sandbox};
use serde_json::json;

#[tokio::test]
async fn a_new_admin_key_works_until_deleted() {
    let sandbox = sandbox();
    let (status, list) = call(&sandbox, "GET", "/v1/organization/admin_api_keys", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_schema("ApiKeyList", &list);
    assert!(list["data"].as_array().expect("data").len() >= 3);
    assert!(!list.to_string().contains(KEY), "values are never listed");

    let (status, created) = call(
        &sandbox,
        "POST",
        "/v1/organization/admin_api_keys",
        Some(json!({"name": "Rotation", "expires_in_seconds": 3600})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert_schema("AdminApiKeyCreateResponse", &created);
    let (id, value) = (
        created["id"].as_str().expect("id").to_owned(),
        created["value"].as_str().expect("value").to_owned(),
    );
    assert_eq!(
        created["redacted_value"],
        format!("sk-admin-...{}", &value[value.len() - 4..])
    );
    assert_audited(&sandbox, "api_key.created", &id, None);

    let (status, _) = call_with_key(
        &sandbox,
        "GET",
        "/v1/organization/users",
        None,
        Some(&value),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "the new key can call the API");
    let (status, one) = call(
        &sandbox,
        "GET",
        &format!("/v1/organization/admin_api_keys/{id}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_schema("AdminApiKey", &one);
    assert!(one.get("value").is_none());

    let (status, _) = call(
        &sandbox,
        "DELETE",
        &format!("/v1/organization/admin_api_keys/{id}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_audited(&sandbox, "api_key.deleted", &id, None);
    let (status, error) = call_with_key(
        &sandbox,
        "GET",
        "/v1/organization/users",
        None,
        Some(&value),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a deleted key is locked out"
    );
    assert_error(&error, None);
}

#[tokio::test]
async fn bad_admin_key_requests() {
    let sandbox = sandbox();
    for (body, param) in [
        (json!({"name": ""}), "name"),
        (
            json!({"name": "a", "expires_in_seconds": 0}),
            "expires_in_seconds",
        ),
        (
            json!({"name": "a", "expires_in_seconds": 31_536_001}),
            "expires_in_seconds",
        ),
        (json!({"name": "a", "scopes": ["x"]}), "scopes"),
    ] {
        let (status, error) = call(
            &sandbox,
            "POST",
            "/v1/organization/admin_api_keys",
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_error(&error, Some(param));
    }
    let (status, error) = call(
        &sandbox,
        "GET",
        "/v1/organization/admin_api_keys?order=sideways",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&error, Some("order"));
    let (status, error) = call(
        &sandbox,
        "GET",
        "/v1/organization/admin_api_keys/key_missing",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&error, Some("key_id"));
    let (_, asc) = call(
        &sandbox,
        "GET",
        "/v1/organization/admin_api_keys?order=asc",
        None,
    )
    .await;
    let (_, desc) = call(
        &sandbox,
        "GET",
        "/v1/organization/admin_api_keys?order=desc",
        None,
    )
    .await;
    assert_eq!(
        asc["data"][0],
        desc["data"][desc["data"].as_array().expect("data").len() - 1]
    );
}

#[tokio::test]
async fn a_key_in_use_shows_when_it_was_last_used() {
    let sandbox = sandbox();
    let (_, created) = call(
        &sandbox,
        "POST",
        "/v1/organization/admin_api_keys",
        Some(json!({"name": "Fresh"})),
    )
    .await;
    let (id, value) = (
        created["id"].as_str().expect("id").to_owned(),
        created["value"].as_str().expect("value").to_owned(),
    );
    let path = format!("/v1/organization/admin_api_keys/{id}");
    let (_, before) = call(&sandbox, "GET", &path, None).await;
    assert_eq!(before["last_used_at"], json!(null), "never used yet");
    let (status, _) = call_with_key(
        &sandbox,
        "GET",
        "/v1/organization/users",
        None,
        Some(&value),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, after) = call(&sandbox, "GET", &path, None).await;
    let used = after["last_used_at"]
        .as_i64()
        .expect("last_used_at after a call");
    assert!(
        used >= after["created_at"].as_i64().expect("created_at"),
        "{after}"
    );
    assert_schema("AdminApiKey", &after);
}
