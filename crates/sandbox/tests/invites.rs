//! Invites: shapes, every status, creation checks, deletion rules and simulated acceptance.

mod common;

use axum::http::StatusCode;
use common::{assert_audited, assert_error, assert_schema, call, project_id, sandbox};
use serde_json::json;

#[tokio::test]
async fn the_seed_lists_invites_in_every_status() {
    let sandbox = sandbox();
    let (status, page) = call(&sandbox, "GET", "/v1/organization/invites?limit=100", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_schema("InviteListResponse", &page);
    let statuses: Vec<&str> = page["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|i| i["status"].as_str().expect("status"))
        .collect();
    assert!(statuses.len() >= 10);
    for wanted in ["pending", "accepted", "expired"] {
        assert!(
            statuses.contains(&wanted),
            "no {wanted} invite in {statuses:?}"
        );
    }
    let first = page["data"][0]["id"].as_str().expect("id");
    let (status, one) = call(
        &sandbox,
        "GET",
        &format!("/v1/organization/invites/{first}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_schema("Invite", &one);
}

#[tokio::test]
async fn create_checks_and_audits() {
    let sandbox = sandbox();
    let project = project_id(&sandbox, false);
    let body = json!({"email": "New.Person@partner.example", "role": "reader", "projects": [{"id": project, "role": "owner"}]});
    let (status, invite) = call(
        &sandbox,
        "POST",
        "/v1/organization/invites",
        Some(body.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{invite}");
    assert_schema("Invite", &invite);
    assert_eq!(invite["status"], "pending");
    assert_eq!(invite["email"], "new.person@partner.example");
    assert_eq!(invite["projects"][0]["role"], "owner");
    let event = assert_audited(
        &sandbox,
        "invite.sent",
        invite["id"].as_str().expect("id"),
        None,
    );
    assert_eq!(
        event["invite.sent"]["data"]["email"],
        "new.person@partner.example"
    );

    let (status, again) = call(&sandbox, "POST", "/v1/organization/invites", Some(body)).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a second pending invite is refused"
    );
    assert_error(&again, Some("email"));

    let member = sandbox
        .read(|org| org.users()[0].email.clone())
        .expect("email");
    let archived = project_id(&sandbox, true);
    let cases = [
        (json!({"email": "not-an-email", "role": "reader"}), "email"),
        (json!({"email": member, "role": "reader"}), "email"),
        (json!({"email": "x@y.example", "role": "admin"}), "role"),
        (
            json!({"email": "x@y.example", "role": "reader", "team": "a"}),
            "team",
        ),
        (
            json!({"email": "x@y.example", "role": "reader", "projects": [{"id": archived, "role": "member"}]}),
            "projects",
        ),
        (
            json!({"email": "x@y.example", "role": "reader", "projects": [{"id": "proj_nope", "role": "member"}]}),
            "projects",
        ),
        (
            json!({"email": "x@y.example", "role": "reader", "projects": [{"id": project, "role": "boss"}]}),
            "projects",
        ),
    ];
    for (body, param) in cases {
        let (status, error) = call(
            &sandbox,
            "POST",
            "/v1/organization/invites",
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_error(&error, Some(param));
    }
}

#[tokio::test]
async fn acceptance_makes_a_user_who_joins_the_projects() {
    let sandbox = sandbox();
    let project = project_id(&sandbox, false);
    let body = json!({"email": "grace@partner.example", "role": "reader", "projects": [{"id": project, "role": "member"}]});
    let (_, invite) = call(&sandbox, "POST", "/v1/organization/invites", Some(body)).await;
    let id = invite["id"].as_str().expect("id");
    let (status, accepted) = call(
        &sandbox,
        "POST",
        &format!("/sandbox/invites/{id}/accept"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{accepted}");
    assert_schema("Invite", &accepted);
    assert_eq!(accepted["status"], "accepted");
    assert!(accepted["accepted_at"].is_i64());

    let (_, users) = call(
        &sandbox,
        "GET",
        "/v1/organization/users?emails[]=grace@partner.example",
        None,
    )
    .await;
    let user_id = users["data"][0]["id"]
        .as_str()
        .expect("the new user")
        .to_owned();
    assert_eq!(users["data"][0]["role"], "reader");
    let (status, member) = call(
        &sandbox,
        "GET",
        &format!("/v1/organization/projects/{project}/users/{user_id}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(member["role"], "member");

    let types: Vec<String> = sandbox.read(|org| {
        org.audit_events()
            .take(2)
            .map(|e| e.event_type.clone())
            .collect()
    });
    assert_eq!(types, ["user.added", "invite.accepted"]);

    let (status, error) = call(
        &sandbox,
        "POST",
        &format!("/sandbox/invites/{id}/accept"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "accepting twice");
    assert_error(&error, Some("invite_id"));
    let (status, error) = call(
        &sandbox,
        "DELETE",
        &format!("/v1/organization/invites/{id}"),
        None,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "an accepted invite cannot be deleted"
    );
    assert_error(&error, Some("invite_id"));
}

#[tokio::test]
async fn expired_invites_cannot_be_accepted_but_pending_ones_can_be_deleted() {
    let sandbox = sandbox();
    let (_, page) = call(&sandbox, "GET", "/v1/organization/invites?limit=100", None).await;
    let with_status = |s: &str| {
        page["data"]
            .as_array()
            .expect("data")
            .iter()
            .find(|i| i["status"] == s)
            .and_then(|i| i["id"].as_str())
            .expect(s)
            .to_owned()
    };
    let expired = with_status("expired");
    let (status, error) = call(
        &sandbox,
        "POST",
        &format!("/sandbox/invites/{expired}/accept"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&error, Some("invite_id"));

    let pending = with_status("pending");
    let (status, deleted) = call(
        &sandbox,
        "DELETE",
        &format!("/v1/organization/invites/{pending}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_schema("InviteDeleteResponse", &deleted);
    assert_audited(&sandbox, "invite.deleted", &pending, None);
    let (status, error) = call(
        &sandbox,
        "GET",
        &format!("/v1/organization/invites/{pending}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&error, Some("invite_id"));
}
