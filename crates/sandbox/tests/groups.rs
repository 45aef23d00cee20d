//! Groups and their members: shapes, `next` paging, checks, SCIM-managed refusals, cascades.

mod common;

use axum::http::StatusCode;
use common::{assert_audited, assert_error, assert_schema, call, sandbox};
use sandbox::{Principal, Sandbox, seeded};
use serde_json::{Value, json};

/// The id of the seeded user at `index`.
fn user(sandbox: &Sandbox, index: usize) -> String {
    sandbox.read(|org| org.users()[index].id.clone())
}

fn ids(page: &Value, field: &str) -> Vec<String> {
    page["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|item| item[field].as_str().expect(field).to_owned())
        .collect()
}

#[tokio::test]
async fn the_seeded_groups_are_listed_and_paged_with_next() {
    let sandbox = sandbox();
    let (status, page) = call(&sandbox, "GET", "/v1/organization/groups", None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_schema("GroupListResource", &page);
    assert_eq!(
        ids(&page, "id"),
        [seeded::PLATFORM, seeded::SUPPORT, seeded::OKTA_FINANCE]
    );
    assert_eq!(page["has_more"], false);
    assert_eq!(page["next"], Value::Null);
    assert_eq!(page["data"][2]["name"], "Okta · Finance");
    assert_eq!(page["data"][2]["is_scim_managed"], true);
    assert_eq!(page["data"][0]["is_scim_managed"], false);

    let (status, first) = call(&sandbox, "GET", "/v1/organization/groups?limit=2", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_schema("GroupListResource", &first);
    assert_eq!(ids(&first, "id"), [seeded::PLATFORM, seeded::SUPPORT]);
    assert_eq!(first["has_more"], true);
    assert_eq!(first["next"], seeded::SUPPORT);
    let (status, second) = call(
        &sandbox,
        "GET",
        &format!("/v1/organization/groups?limit=2&after={}", seeded::SUPPORT),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_schema("GroupListResource", &second);
    assert_eq!(ids(&second, "id"), [seeded::OKTA_FINANCE]);
    assert_eq!(second["has_more"], false);
    assert_eq!(second["next"], Value::Null);

    let (_, desc) = call(&sandbox, "GET", "/v1/organization/groups?order=desc", None).await;
    assert_eq!(
        ids(&desc, "id"),
        [seeded::OKTA_FINANCE, seeded::SUPPORT, seeded::PLATFORM]
    );
    let (status, empty) = call(&sandbox, "GET", "/v1/organization/groups?limit=0", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_schema("GroupListResource", &empty);
    assert!(empty["data"].as_array().expect("data").is_empty());

    for (query, param) in [
        ("limit=1001", "limit"),
        ("limit=-1", "limit"),
        ("order=sideways", "order"),
        ("after=group_nope", "after"),
        ("colour=red", "colour"),
    ] {
        let (status, error) = call(
            &sandbox,
            "GET",
            &format!("/v1/organization/groups?{query}"),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert_error(&error, Some(param));
    }
}

#[tokio::test]
async fn a_group_is_created_retrieved_renamed_and_deleted_with_audit() {
    let sandbox = sandbox();
    let (status, group) = call(
        &sandbox,
        "POST",
        "/v1/organization/groups",
        Some(json!({"name": "Data Team"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{group}");
    assert_schema("GroupResponse", &group);
    let id = group["id"].as_str().expect("id").to_owned();
    assert!(id.starts_with("group_"), "{id}");
    assert_eq!(group["name"], "Data Team");
    assert_eq!(group["is_scim_managed"], false);
    let event = assert_audited(&sandbox, "group.created", &id, None);
    assert_eq!(event["group.created"]["data"]["group_name"], "Data Team");

    let one = format!("/v1/organization/groups/{id}");
    let (status, fetched) = call(&sandbox, "GET", &one, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_schema("GroupResponse", &fetched);
    assert_eq!(fetched, group);

    let (status, renamed) = call(&sandbox, "POST", &one, Some(json!({"name": "Data Guild"}))).await;
    assert_eq!(status, StatusCode::OK, "{renamed}");
    assert_schema("GroupResourceWithSuccess", &renamed);
    assert_eq!(renamed["name"], "Data Guild");
    let event = assert_audited(&sandbox, "group.updated", &id, None);
    assert_eq!(
        event["group.updated"]["changes_requested"]["group_name"],
        "Data Guild"
    );

    for (body, param) in [
        (json!({"name": "X", "colour": "red"}), "colour"),
        (json!({"name": "  "}), "name"),
        (json!({"name": "x".repeat(256)}), "name"),
        (json!({}), "name"),
    ] {
        let (status, error) = call(&sandbox, "POST", &one, Some(body.clone())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_error(&error, Some(param));
        let (status, error) = call(
            &sandbox,
            "POST",
            "/v1/organization/groups",
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_error(&error, Some(param));
    }

    let (status, deleted) = call(&sandbox, "DELETE", &one, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_schema("GroupDeletedResource", &deleted);
    assert_eq!(deleted["id"], id.as_str());
    assert_audited(&sandbox, "group.deleted", &id, None);
    for method in ["GET", "DELETE"] {
        let (status, error) = call(&sandbox, method, &one, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method}");
        assert_error(&error, Some("group_id"));
    }
    let (status, error) = call(&sandbox, "GET", "/v1/organization/groups/team-1", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a malformed id");
    assert_error(&error, Some("group_id"));
}

#[tokio::test]
async fn members_are_listed_added_retrieved_and_removed_without_an_event() {
    let sandbox = sandbox();
    let base = format!("/v1/organization/groups/{}/users", seeded::PLATFORM);
    let members: Vec<String> = seeded::PLATFORM_MEMBERS
        .iter()
        .map(|&i| user(&sandbox, i))
        .collect();

    let (status, page) = call(&sandbox, "GET", &base, None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_schema("UserListResource", &page);
    let newest_first: Vec<String> = members.iter().rev().cloned().collect();
    assert_eq!(ids(&page, "id"), newest_first, "desc by default");
    let (_, asc) = call(&sandbox, "GET", &format!("{base}?order=asc"), None).await;
    assert_eq!(ids(&asc, "id"), members);

    let (_, first) = call(&sandbox, "GET", &format!("{base}?order=asc&limit=2"), None).await;
    assert_schema("UserListResource", &first);
    assert_eq!(ids(&first, "id"), members[..2]);
    assert_eq!(first["has_more"], true);
    assert_eq!(first["next"], members[1].as_str());
    let next = first["next"].as_str().expect("next");
    let (_, second) = call(
        &sandbox,
        "GET",
        &format!("{base}?order=asc&limit=2&after={next}"),
        None,
    )
    .await;
    assert_eq!(ids(&second, "id"), members[2..]);
    assert_eq!(second["has_more"], false);
    assert_eq!(second["next"], Value::Null);

    let (status, error) = call(&sandbox, "GET", &format!("{base}?role=owner"), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&error, Some("role"));

    let newcomer = user(&sandbox, 7);
    let events = sandbox.read(sandbox::Org::audit_len);
    let (status, added) = call(&sandbox, "POST", &base, Some(json!({"user_id": newcomer}))).await;
    assert_eq!(status, StatusCode::OK, "{added}");
    assert_schema("GroupUserAssignment", &added);
    assert_eq!(added["user_id"], newcomer.as_str());
    assert_eq!(added["group_id"], seeded::PLATFORM);
    let (_, page) = call(&sandbox, "GET", &base, None).await;
    assert_eq!(ids(&page, "id")[0], newcomer, "the newest member first");

    for (body, status_wanted, param) in [
        (
            json!({"user_id": newcomer}),
            StatusCode::BAD_REQUEST,
            "user_id",
        ),
        (
            json!({"user_id": "user-nobody"}),
            StatusCode::NOT_FOUND,
            "user_id",
        ),
        (
            json!({"user_id": "nobody"}),
            StatusCode::BAD_REQUEST,
            "user_id",
        ),
        (
            json!({"user_id": newcomer, "role": "x"}),
            StatusCode::BAD_REQUEST,
            "role",
        ),
    ] {
        let (status, error) = call(&sandbox, "POST", &base, Some(body.clone())).await;
        assert_eq!(status, status_wanted, "{body}");
        assert_error(&error, Some(param));
    }

    let one = format!("{base}/{newcomer}");
    let (status, member) = call(&sandbox, "GET", &one, None).await;
    assert_eq!(status, StatusCode::OK, "{member}");
    assert_schema("GroupMemberUser", &member);
    assert_eq!(member["id"], newcomer.as_str());
    assert_eq!(member["user_type"], "user");

    let (status, removed) = call(&sandbox, "DELETE", &one, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_schema("GroupUserDeletedResource", &removed);
    assert_eq!(removed["object"], "group.user.deleted");
    for method in ["GET", "DELETE"] {
        let (status, error) = call(&sandbox, method, &one, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method}");
        assert_error(&error, Some("user_id"));
    }
    assert_eq!(
        sandbox.read(sandbox::Org::audit_len),
        events,
        "the spec has no event for group members"
    );
    let (status, error) = call(
        &sandbox,
        "GET",
        "/v1/organization/groups/group_nope/users",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&error, Some("group_id"));
}

#[tokio::test]
async fn a_scim_managed_group_refuses_changes_made_here() {
    let sandbox = sandbox();
    let one = format!("/v1/organization/groups/{}", seeded::OKTA_FINANCE);
    let member = user(&sandbox, seeded::OKTA_FINANCE_MEMBERS[0]);
    let outsider = user(&sandbox, 0);
    let events = sandbox.read(sandbox::Org::audit_len);
    let attempts = [
        ("POST", one.clone(), Some(json!({"name": "Finance"}))),
        ("DELETE", one.clone(), None),
        (
            "POST",
            format!("{one}/users"),
            Some(json!({"user_id": outsider})),
        ),
        ("DELETE", format!("{one}/users/{member}"), None),
    ];
    for (method, uri, body) in attempts {
        let (status, error) = call(&sandbox, method, &uri, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{method} {uri}");
        assert_error(&error, Some("group_id"));
        assert_eq!(error["error"]["type"], "invalid_request_error");
        let message = error["error"]["message"].as_str().expect("message");
        assert!(
            message.contains("Okta · Finance") && message.contains("identity provider"),
            "{message}"
        );
    }
    let (_, group) = call(&sandbox, "GET", &one, None).await;
    assert_eq!(group["name"], "Okta · Finance");
    let (_, members) = call(&sandbox, "GET", &format!("{one}/users"), None).await;
    assert_eq!(ids(&members, "id"), [member]);
    assert_eq!(sandbox.read(sandbox::Org::audit_len), events);
}

#[tokio::test]
async fn deleting_a_group_takes_its_memberships_roles_and_grants() {
    let sandbox = sandbox();
    let project = sandbox.read(|org| org.projects()[3].project.id.clone());
    let (status, _) = call(
        &sandbox,
        "POST",
        &format!("/v1/organization/projects/{project}/groups"),
        Some(json!({"group_id": seeded::SUPPORT, "role": seeded::PROJECT_VIEWER})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let held = |s: &Sandbox| {
        s.read(|org| {
            (
                org.role_assignments()
                    .iter()
                    .filter(|a| {
                        a.principal == Principal::Group && a.principal_id == seeded::SUPPORT
                    })
                    .count(),
                org.project_groups()
                    .iter()
                    .filter(|g| g.group_id == seeded::SUPPORT)
                    .count(),
            )
        })
    };
    assert_eq!(held(&sandbox), (1, 1));

    let (status, _) = call(
        &sandbox,
        "DELETE",
        &format!("/v1/organization/groups/{}", seeded::SUPPORT),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_audited(&sandbox, "group.deleted", seeded::SUPPORT, None);
    assert_eq!(held(&sandbox), (0, 0));
    let (status, error) = call(
        &sandbox,
        "GET",
        &format!("/v1/organization/groups/{}/roles", seeded::SUPPORT),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&error, Some("group_id"));
    let (_, grants) = call(
        &sandbox,
        "GET",
        &format!("/v1/organization/projects/{project}/groups"),
        None,
    )
    .await;
    assert!(
        grants["data"].as_array().expect("data").is_empty(),
        "{grants}"
    );
    // The member shared with Platform Engineering is still there.
    let shared = user(&sandbox, 4);
    let (status, _) = call(
        &sandbox,
        "GET",
        &format!(
            "/v1/organization/groups/{}/users/{shared}",
            seeded::PLATFORM
        ),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn deleting_a_user_takes_their_memberships_and_role_assignments() {
    let sandbox = sandbox();
    let shared = user(&sandbox, 4);
    let audited = user(&sandbox, seeded::USER_AUDIT_READER_USER);
    for id in [&shared, &audited] {
        let (status, _) = call(
            &sandbox,
            "DELETE",
            &format!("/v1/organization/users/{id}"),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
    }
    sandbox.read(|org| {
        for group in org.groups() {
            assert!(
                group
                    .members
                    .iter()
                    .all(|m| m.user_id != shared && m.user_id != audited),
                "{}",
                group.group.name
            );
        }
        assert!(
            org.role_assignments()
                .iter()
                .all(|a| a.principal_id != audited)
        );
    });
    for group in [seeded::PLATFORM, seeded::SUPPORT] {
        let (_, page) = call(
            &sandbox,
            "GET",
            &format!("/v1/organization/groups/{group}/users"),
            None,
        )
        .await;
        assert!(!ids(&page, "id").contains(&shared), "{group}");
    }
    let (status, error) = call(
        &sandbox,
        "GET",
        &format!("/v1/organization/users/{audited}/roles"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&error, Some("user_id"));
}
