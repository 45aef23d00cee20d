//! Project API keys: owners of both kinds, the access filter, deletion rules.

mod common;

use axum::http::StatusCode;
use common::{assert_audited, assert_error, assert_schema, call, project_id, sandbox};
use serde_json::Value;

#[tokio::test]
async fn keys_of_both_owner_kinds_are_listed_redacted() {
    let sandbox = sandbox();
    let project = project_id(&sandbox, false);
    let (status, page) = call(
        &sandbox,
        "GET",
        &format!("/v1/organization/projects/{project}/api_keys?limit=100"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_schema("ProjectApiKeyListResponse", &page);
    let keys = page["data"].as_array().expect("data");
    for kind in ["user", "service_account"] {
        assert!(
            keys.iter().any(|k| k["owner"]["type"] == kind),
            "no key owned by a {kind}"
        );
    }
    for key in keys {
        let redacted = key["redacted_value"].as_str().expect("redacted");
        assert!(
            redacted.starts_with("sk-") && redacted.contains("...") && redacted.len() < 25,
            "{redacted}"
        );
    }
    let id = keys[0]["id"].as_str().expect("id");
    let (status, one) = call(
        &sandbox,
        "GET",
        &format!("/v1/organization/projects/{project}/api_keys/{id}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_schema("ProjectApiKey", &one);

    let (_, inactive) = call(
        &sandbox,
        "GET",
        &format!("/v1/organization/projects/{project}/api_keys?owner_project_access=inactive"),
        None,
    )
    .await;
    assert!(
        inactive["data"]
            .as_array()
            .expect("data")
            .iter()
            .all(|k| k["owner_project_access"] == "inactive")
    );
    let (status, error) = call(
        &sandbox,
        "GET",
        &format!("/v1/organization/projects/{project}/api_keys?owner_project_access=maybe"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&error, Some("owner_project_access"));
}

#[tokio::test]
async fn user_keys_delete_but_service_account_keys_do_not() {
    let sandbox = sandbox();
    let project = project_id(&sandbox, false);
    let base = format!("/v1/organization/projects/{project}/api_keys");
    let (_, page) = call(&sandbox, "GET", &format!("{base}?limit=100"), None).await;
    let of_kind = |kind: &str| -> String {
        page["data"]
            .as_array()
            .expect("data")
            .iter()
            .find(|k: &&Value| k["owner"]["type"] == kind)
            .and_then(|k| k["id"].as_str())
            .expect(kind)
            .to_owned()
    };
    let user_key = of_kind("user");
    let (status, deleted) = call(&sandbox, "DELETE", &format!("{base}/{user_key}"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_schema("ProjectApiKeyDeleteResponse", &deleted);
    assert_audited(&sandbox, "api_key.deleted", &user_key, Some(&project));
    let (status, error) = call(&sandbox, "GET", &format!("{base}/{user_key}"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&error, Some("api_key_id"));

    let account_key = of_kind("service_account");
    let (status, error) = call(&sandbox, "DELETE", &format!("{base}/{account_key}"), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&error, Some("api_key_id"));
}
