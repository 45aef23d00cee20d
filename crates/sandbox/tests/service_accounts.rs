//! Service accounts: the one-time key, updates, deletion taking the keys along, new keys.

mod common;

use axum::http::StatusCode;
use common::{assert_audited, assert_error, assert_schema, call, project_id, sandbox};
use serde_json::json;

#[tokio::test]
async fn create_returns_the_key_once_and_lists_it_redacted() {
    let sandbox = sandbox();
    let project = project_id(&sandbox, false);
    let base = format!("/v1/organization/projects/{project}/service_accounts");
    let (status, created) =
        call(&sandbox, "POST", &base, Some(json!({"name": "deploy-bot"}))).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert_schema("ProjectServiceAccountCreateResponse", &created);
    let id = created["id"].as_str().expect("id").to_owned();
    let value = created["api_key"]["value"]
        .as_str()
        .expect("the key's value")
        .to_owned();
    assert!(value.starts_with("sk-svcacct-"));
    assert_audited(&sandbox, "service_account.created", &id, Some(&project));

    let (_, account) = call(&sandbox, "GET", &format!("{base}/{id}"), None).await;
    assert_schema("ProjectServiceAccount", &account);
    assert!(!account.to_string().contains(&value));
    let (_, keys) = call(
        &sandbox,
        "GET",
        &format!("/v1/organization/projects/{project}/api_keys?limit=100"),
        None,
    )
    .await;
    assert_schema("ProjectApiKeyListResponse", &keys);
    assert!(
        !keys.to_string().contains(&value),
        "the value is never listed"
    );
    let key = keys["data"]
        .as_array()
        .expect("data")
        .iter()
        .find(|k| k["owner"]["service_account"]["id"] == id.as_str())
        .expect("the account's key");
    assert_eq!(
        key["redacted_value"],
        format!("sk-svcacct-...{}", &value[value.len() - 4..])
    );
    assert_eq!(key["owner"]["type"], "service_account");
}

#[tokio::test]
async fn update_then_delete_takes_its_keys() {
    let sandbox = sandbox();
    let project = project_id(&sandbox, false);
    let base = format!("/v1/organization/projects/{project}/service_accounts");
    let (_, created) = call(&sandbox, "POST", &base, Some(json!({"name": "etl"}))).await;
    let id = created["id"].as_str().expect("id").to_owned();
    let one = format!("{base}/{id}");

    let (status, updated) = call(
        &sandbox,
        "POST",
        &one,
        Some(json!({"name": "etl-2", "role": "owner"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_schema("ProjectServiceAccount", &updated);
    assert_eq!(
        (updated["name"].as_str(), updated["role"].as_str()),
        (Some("etl-2"), Some("owner"))
    );
    assert_audited(&sandbox, "service_account.updated", &id, Some(&project));

    let (status, key) = call(
        &sandbox,
        "POST",
        &format!("{one}/api_keys"),
        Some(json!({"name": "second"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_schema("ServiceAccountApiKeyBody", &key);
    assert_audited(
        &sandbox,
        "api_key.created",
        key["id"].as_str().expect("id"),
        Some(&project),
    );

    let owned_keys = |sandbox: &sandbox::Sandbox| {
        sandbox.read(|org| {
            org.projects()
                .iter()
                .flat_map(|p| &p.api_keys)
                .filter(|k| k.owner.service_account.as_ref().is_some_and(|s| s.id == id))
                .count()
        })
    };
    assert_eq!(owned_keys(&sandbox), 2);
    let (status, deleted) = call(&sandbox, "DELETE", &one, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_schema("ProjectServiceAccountDeleteResponse", &deleted);
    assert_audited(&sandbox, "service_account.deleted", &id, Some(&project));
    assert_eq!(owned_keys(&sandbox), 0, "its keys went with it");
    let (status, error) = call(&sandbox, "GET", &one, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&error, Some("service_account_id"));
}

#[tokio::test]
async fn bad_input_and_archived_projects_are_refused() {
    let sandbox = sandbox();
    let project = project_id(&sandbox, false);
    let base = format!("/v1/organization/projects/{project}/service_accounts");
    for (body, param) in [
        (json!({"name": ""}), "name"),
        (json!({"name": "a", "scopes": []}), "scopes"),
    ] {
        let (status, error) = call(&sandbox, "POST", &base, Some(body.clone())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_error(&error, Some(param));
    }
    let (_, created) = call(&sandbox, "POST", &base, Some(json!({"name": "x"}))).await;
    let one = format!("{base}/{}", created["id"].as_str().expect("id"));
    let (status, error) = call(&sandbox, "POST", &one, Some(json!({"role": "god"}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&error, Some("role"));

    let archived = project_id(&sandbox, true);
    let (status, error) = call(
        &sandbox,
        "POST",
        &format!("/v1/organization/projects/{archived}/service_accounts"),
        Some(json!({"name": "late"})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "an archived project takes no new accounts"
    );
    assert_error(&error, Some("project_id"));
}
