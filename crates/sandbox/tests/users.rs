//! The users endpoints: shapes, paging, filters, changes and the audit events they write.

mod common;

use std::collections::HashSet;

use axum::http::StatusCode;
use common::{KEY, assert_error, assert_schema, call, call_with_key, sandbox};
use serde_json::{Value, json};

async fn walk(sandbox: &sandbox::Sandbox, limit: usize) -> Vec<String> {
    let mut ids = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let uri = match &after {
            Some(a) => format!("/v1/organization/users?limit={limit}&after={a}"),
            None => format!("/v1/organization/users?limit={limit}"),
        };
        let (status, page) = call(sandbox, "GET", &uri, None).await;
        assert_eq!(status, StatusCode::OK);
        assert_schema("UserListResponse", &page);
        let data = page["data"].as_array().expect("data");
        assert!(data.len() <= limit);
        ids.extend(
            data.iter()
                .map(|u| u["id"].as_str().expect("id").to_owned()),
        );
        if !page["has_more"].as_bool().expect("has_more") {
            return ids;
        }
        after = Some(page["last_id"].as_str().expect("last_id").to_owned());
    }
}

#[tokio::test]
async fn list_is_spec_shaped_and_pages_without_gaps() {
    let sandbox = sandbox();
    let (status, first) = call(&sandbox, "GET", "/v1/organization/users", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_schema("UserListResponse", &first);
    assert_eq!(first["object"], "list");
    assert_eq!(
        first["data"].as_array().map(Vec::len),
        Some(20),
        "default limit is 20"
    );
    assert_eq!(first["has_more"], true);
    assert_eq!(first["first_id"], first["data"][0]["id"]);

    let by_one = walk(&sandbox, 1).await;
    let by_hundred = walk(&sandbox, 100).await;
    assert!(by_one.len() >= 40, "the seed has at least 40 users");
    assert_eq!(by_one, by_hundred);
    assert_eq!(
        by_one.iter().collect::<HashSet<_>>().len(),
        by_one.len(),
        "no duplicates"
    );
}

#[tokio::test]
async fn seed_is_deterministic() {
    let (_, a) = call(&sandbox(), "GET", "/v1/organization/users?limit=100", None).await;
    let (_, b) = call(&sandbox(), "GET", "/v1/organization/users?limit=100", None).await;
    assert_eq!(a, b);
}

#[tokio::test]
async fn limit_out_of_range_names_the_param() {
    let sandbox = sandbox();
    for limit in ["0", "101", "ten"] {
        let (status, body) = call(
            &sandbox,
            "GET",
            &format!("/v1/organization/users?limit={limit}"),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "limit={limit}");
        assert_error(&body, Some("limit"));
    }
}

#[tokio::test]
async fn emails_filter_finds_exactly_those_users() {
    let sandbox = sandbox();
    let (_, all) = call(&sandbox, "GET", "/v1/organization/users?limit=100", None).await;
    let emails: Vec<&str> = all["data"].as_array().expect("data")[3..5]
        .iter()
        .map(|u| u["email"].as_str().expect("email"))
        .collect();
    let uri = format!(
        "/v1/organization/users?emails[]={}&emails[]={}",
        emails[0], emails[1]
    );
    let (status, page) = call(&sandbox, "GET", &uri, None).await;
    assert_eq!(status, StatusCode::OK);
    let found: Vec<&str> = page["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|u| u["email"].as_str().expect("email"))
        .collect();
    assert_eq!(found, emails);
}

#[tokio::test]
async fn retrieve_and_unknown_ids() {
    let sandbox = sandbox();
    let (_, all) = call(&sandbox, "GET", "/v1/organization/users", None).await;
    let id = all["data"][0]["id"].as_str().expect("id");
    let (status, user) = call(
        &sandbox,
        "GET",
        &format!("/v1/organization/users/{id}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_schema("User", &user);
    assert_eq!(&user, &all["data"][0]);

    let (status, body) = call(
        &sandbox,
        "GET",
        "/v1/organization/users/user-doesnotexist",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, Some("user_id"));
}

/// The newest audit event of `event_type` about `resource_id`.
async fn latest_event(sandbox: &sandbox::Sandbox, event_type: &str, resource_id: &str) -> Value {
    let uri = format!(
        "/v1/organization/audit_logs?event_types[]={event_type}&resource_ids[]={resource_id}&limit=1"
    );
    let (status, page) = call(sandbox, "GET", &uri, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_schema("ListAuditLogsResponse", &page);
    page["data"][0].clone()
}

#[tokio::test]
async fn role_change_is_applied_and_audited() {
    let sandbox = sandbox();
    let (_, all) = call(&sandbox, "GET", "/v1/organization/users?limit=100", None).await;
    let reader = all["data"]
        .as_array()
        .expect("data")
        .iter()
        .find(|u| u["role"] == "reader")
        .expect("a reader");
    let id = reader["id"].as_str().expect("id");
    let uri = format!("/v1/organization/users/{id}");
    let (status, user) = call(&sandbox, "POST", &uri, Some(json!({"role": "owner"}))).await;
    assert_eq!(status, StatusCode::OK);
    assert_schema("User", &user);
    assert_eq!(user["role"], "owner");
    let (_, again) = call(&sandbox, "GET", &uri, None).await;
    assert_eq!(again["role"], "owner");

    let event = latest_event(&sandbox, "user.updated", id).await;
    assert_eq!(event["user.updated"]["changes_requested"]["role"], "owner");
    assert_eq!(event["actor"]["type"], "api_key");
    assert!(
        event["actor"]["api_key"]["id"]
            .as_str()
            .is_some_and(|k| k.starts_with("key_"))
    );
    assert_eq!(event["project"]["name"], "Default project");
}

#[tokio::test]
async fn bad_role_changes_are_refused_with_the_param() {
    let sandbox = sandbox();
    let (_, all) = call(&sandbox, "GET", "/v1/organization/users", None).await;
    let uri = format!(
        "/v1/organization/users/{}",
        all["data"][1]["id"].as_str().expect("id")
    );
    let cases = [
        (json!({"role": "admin"}), Some("role")),
        (json!({"role": "owner", "is_admin": true}), Some("is_admin")),
        (json!({}), Some("role")),
    ];
    for (body, param) in cases {
        let (status, error) = call(&sandbox, "POST", &uri, Some(body.clone())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_error(&error, param);
    }
}

#[tokio::test]
async fn delete_removes_and_audits() {
    let sandbox = sandbox();
    let (_, all) = call(&sandbox, "GET", "/v1/organization/users", None).await;
    let id = all["data"][2]["id"].as_str().expect("id");
    let uri = format!("/v1/organization/users/{id}");
    let (status, deleted) = call(&sandbox, "DELETE", &uri, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_schema("UserDeleteResponse", &deleted);
    assert_eq!(
        deleted,
        json!({"object": "organization.user.deleted", "id": id, "deleted": true})
    );
    let (status, body) = call(&sandbox, "GET", &uri, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, Some("user_id"));
    let event = latest_event(&sandbox, "user.deleted", id).await;
    assert_eq!(event["user.deleted"]["id"], id);
}

#[tokio::test]
async fn the_last_owner_cannot_be_demoted_or_removed() {
    let sandbox = sandbox();
    let (_, all) = call(&sandbox, "GET", "/v1/organization/users?limit=100", None).await;
    let owners: Vec<&str> = all["data"]
        .as_array()
        .expect("data")
        .iter()
        .filter(|u| u["role"] == "owner")
        .map(|u| u["id"].as_str().expect("id"))
        .collect();
    let (last, others) = owners.split_last().expect("owners");
    for id in others {
        let (status, _) = call(
            &sandbox,
            "POST",
            &format!("/v1/organization/users/{id}"),
            Some(json!({"role": "reader"})),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
    }
    let uri = format!("/v1/organization/users/{last}");
    let (status, body) = call(&sandbox, "POST", &uri, Some(json!({"role": "reader"}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, Some("role"));
    let (status, _) = call(&sandbox, "DELETE", &uri, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_missing_or_wrong_key_is_a_401_that_does_not_echo_the_key() {
    let sandbox = sandbox();
    let (status, body) = call_with_key(&sandbox, "GET", "/v1/organization/users", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_error(&body, None);
    let wrong = "test-admin-key-wrong-ABCDEFGHIJKLMNOP";
    let (status, body) =
        call_with_key(&sandbox, "GET", "/v1/organization/users", None, Some(wrong)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_error(&body, None);
    assert_eq!(body["error"]["code"], "invalid_api_key");
    assert!(!body.to_string().contains(wrong));
    assert!(!body.to_string().contains(KEY));
}

#[tokio::test]
async fn unknown_paths_are_404_in_the_error_shape() {
    let (status, body) = call(&sandbox(), "GET", "/v1/organization/nothing", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, None);
}

#[test]
fn the_schema_check_catches_a_wrong_shape() {
    let missing_id = json!({"object": "organization.user", "added_at": 1});
    assert!(std::panic::catch_unwind(|| assert_schema("User", &missing_id)).is_err());
    let wrong_type =
        json!({"object": "organization.user", "id": "user-a", "added_at": "yesterday"});
    assert!(std::panic::catch_unwind(|| assert_schema("User", &wrong_type)).is_err());
}
