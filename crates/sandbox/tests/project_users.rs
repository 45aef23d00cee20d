//! Project members: add (org members only), change role, remove; archived projects refuse.

mod common;

use axum::http::StatusCode;
use common::{assert_audited, assert_error, assert_schema, call, project_id, sandbox};
use serde_json::json;

#[tokio::test]
async fn members_are_listed_added_changed_and_removed() {
    let sandbox = sandbox();
    let project = project_id(&sandbox, false);
    let base = format!("/v1/organization/projects/{project}/users");
    let (status, page) = call(&sandbox, "GET", &base, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_schema("ProjectUserListResponse", &page);
    let members: Vec<&str> = page["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|m| m["id"].as_str().expect("id"))
        .collect();
    let outsider = sandbox
        .read(|org| {
            org.users()
                .iter()
                .find(|u| !members.contains(&u.id.as_str()))
                .map(|u| u.id.clone())
        })
        .expect("someone outside the project");

    let (status, added) = call(
        &sandbox,
        "POST",
        &base,
        Some(json!({"user_id": outsider, "role": "member"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{added}");
    assert_schema("ProjectUser", &added);
    assert_audited(&sandbox, "user.added", &outsider, Some(&project));

    let one = format!("{base}/{outsider}");
    let (status, changed) = call(&sandbox, "POST", &one, Some(json!({"role": "owner"}))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(changed["role"], "owner");
    assert_audited(&sandbox, "user.updated", &outsider, Some(&project));

    let (status, again) = call(
        &sandbox,
        "POST",
        &base,
        Some(json!({"user_id": outsider, "role": "member"})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "already a member");
    assert_error(&again, Some("user_id"));

    let (status, removed) = call(&sandbox, "DELETE", &one, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_schema("ProjectUserDeleteResponse", &removed);
    assert_audited(&sandbox, "user.deleted", &outsider, Some(&project));
    let (status, error) = call(&sandbox, "GET", &one, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&error, Some("user_id"));
}

#[tokio::test]
async fn only_org_members_with_valid_roles_join_active_projects() {
    let sandbox = sandbox();
    let project = project_id(&sandbox, false);
    let archived = project_id(&sandbox, true);
    let user = sandbox
        .read(|org| org.users().last().map(|u| u.id.clone()))
        .expect("user");
    let base = format!("/v1/organization/projects/{project}/users");
    for (body, param) in [
        (
            json!({"user_id": "user-notinorg", "role": "member"}),
            "user_id",
        ),
        (json!({"user_id": user, "role": "admin"}), "role"),
        (
            json!({"user_id": "robert'); drop", "role": "member"}),
            "user_id",
        ),
        (
            json!({"user_id": user, "role": "member", "extra": 1}),
            "extra",
        ),
    ] {
        let (status, error) = call(&sandbox, "POST", &base, Some(body.clone())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_error(&error, Some(param));
    }
    let (status, error) = call(
        &sandbox,
        "POST",
        &format!("/v1/organization/projects/{archived}/users"),
        Some(json!({"user_id": user, "role": "member"})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "an archived project takes no new members"
    );
    assert_error(&error, Some("project_id"));
}

#[tokio::test]
async fn a_member_who_leaves_a_project_keeps_their_key_listed_without_access() {
    let sandbox = sandbox();
    let (project, user, key) = sandbox
        .read(|org| {
            org.projects().iter().find_map(|p| {
                let key = p.api_keys.iter().find(|k| {
                    k.owner_project_access == "active"
                        && k.owner
                            .user
                            .as_ref()
                            .is_some_and(|u| p.members.iter().any(|m| m.id == u.id))
                })?;
                let user = key.owner.user.as_ref()?.id.clone();
                Some((p.project.id.clone(), user, key.id.clone()))
            })
        })
        .expect("a member with a key");
    let path = format!("/v1/organization/projects/{project}/users/{user}");
    let (status, _) = call(&sandbox, "DELETE", &path, None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, listed) = call(
        &sandbox,
        "GET",
        &format!("/v1/organization/projects/{project}/api_keys/{key}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_schema("ProjectApiKey", &listed);
    assert_eq!(listed["owner_project_access"], "inactive", "{listed}");
}
