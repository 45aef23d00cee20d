//! Roles and their direct assignment to groups and users: shapes, `next` paging, checks,
//! predefined-role refusals, audit events and cascades.

mod common;

use axum::http::StatusCode;
use common::{assert_audited, assert_error, assert_schema, call, sandbox};
use sandbox::{ORG_ID, Sandbox, seeded};
use serde_json::{Value, json};

fn user(sandbox: &Sandbox, index: usize) -> String {
    sandbox.read(|org| org.users()[index].id.clone())
}

fn ids(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|item| item["id"].as_str().expect("id").to_owned())
        .collect()
}

const ALL: [&str; 7] = [
    seeded::ORG_OWNER,
    seeded::ORG_READER,
    seeded::PROJECT_OWNER,
    seeded::PROJECT_MEMBER,
    seeded::PROJECT_VIEWER,
    seeded::GROUP_MANAGER,
    seeded::AUDIT_READER,
];

#[tokio::test]
async fn the_seeded_roles_are_listed_and_paged_with_next() {
    let sandbox = sandbox();
    let (status, page) = call(&sandbox, "GET", "/v1/organization/roles", None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_schema("PublicRoleListResource", &page);
    assert_eq!(ids(&page), ALL);
    assert_eq!(page["has_more"], false);
    assert_eq!(page["next"], Value::Null);
    let data = page["data"].as_array().expect("data");
    let predefined: Vec<bool> = data
        .iter()
        .map(|r| r["predefined_role"].as_bool().expect("bool"))
        .collect();
    assert_eq!(predefined, [true, true, true, true, true, false, false]);
    assert_eq!(data[3]["name"], "Project Member");
    assert_eq!(data[3]["resource_type"], "api.project");
    assert_eq!(data[5]["name"], "API Group Manager");
    assert_eq!(data[5]["resource_type"], "api.organization");
    assert_eq!(
        data[5]["permissions"],
        json!(["api.groups.read", "api.groups.write"])
    );

    let mut walked = Vec::new();
    let mut uri = "/v1/organization/roles?limit=4".to_owned();
    let mut pages = 0;
    loop {
        let (status, page) = call(&sandbox, "GET", &uri, None).await;
        assert_eq!(status, StatusCode::OK);
        assert_schema("PublicRoleListResource", &page);
        pages += 1;
        walked.extend(ids(&page));
        match page["next"].as_str() {
            Some(next) => {
                assert_eq!(page["has_more"], true);
                uri = format!("/v1/organization/roles?limit=4&after={next}");
            }
            None => break,
        }
    }
    assert_eq!(pages, 2);
    assert_eq!(walked, ALL);

    for (query, param) in [
        ("limit=1001", "limit"),
        ("order=up", "order"),
        ("after=role_nope", "after"),
        ("resource_type=api.project", "resource_type"),
    ] {
        let (status, error) = call(
            &sandbox,
            "GET",
            &format!("/v1/organization/roles?{query}"),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert_error(&error, Some(param));
    }
}

#[tokio::test]
async fn a_custom_role_is_created_updated_and_deleted_with_audit() {
    let sandbox = sandbox();
    let body = json!({"role_name": "Key Auditor", "permissions": ["api.audit_logs.read", "api.projects.read"], "description": "Reads keys"});
    let (status, role) = call(&sandbox, "POST", "/v1/organization/roles", Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{role}");
    assert_schema("Role", &role);
    let id = role["id"].as_str().expect("id").to_owned();
    assert!(id.starts_with("role_"));
    assert_eq!(role["resource_type"], "api.organization");
    assert_eq!(role["predefined_role"], false);
    let event = assert_audited(&sandbox, "role.created", &id, None);
    let details = &event["role.created"];
    assert_eq!(details["role_name"], "Key Auditor");
    assert_eq!(
        details["permissions"],
        json!(["api.audit_logs.read", "api.projects.read"])
    );
    assert_eq!(details["resource_type"], "api.organization");
    assert_eq!(details["resource_id"], ORG_ID);

    let one = format!("/v1/organization/roles/{id}");
    let (status, fetched) = call(&sandbox, "GET", &one, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_schema("Role", &fetched);
    assert_eq!(fetched, role);

    for (body, param) in [
        (
            json!({"role_name": "audit reader", "permissions": ["api.x"]}),
            "role_name",
        ),
        (
            json!({"role_name": "New", "permissions": []}),
            "permissions",
        ),
        (
            json!({"role_name": "New", "permissions": ["Api.X"]}),
            "permissions",
        ),
        (json!({"permissions": ["api.x"]}), "role_name"),
        (
            json!({"role_name": "New", "permissions": ["api.x"], "scope": "org"}),
            "scope",
        ),
    ] {
        let (status, error) = call(
            &sandbox,
            "POST",
            "/v1/organization/roles",
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_error(&error, Some(param));
    }

    let (status, updated) = call(
        &sandbox,
        "POST",
        &one,
        Some(json!({"permissions": ["api.audit_logs.read", "api.groups.read"], "description": "Reads more"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_schema("Role", &updated);
    assert_eq!(updated["name"], "Key Auditor");
    assert_eq!(updated["description"], "Reads more");
    let event = assert_audited(&sandbox, "role.updated", &id, None);
    let changes = &event["role.updated"]["changes_requested"];
    assert_eq!(changes["permissions_added"], json!(["api.groups.read"]));
    assert_eq!(changes["permissions_removed"], json!(["api.projects.read"]));
    assert_eq!(changes["description"], "Reads more");
    assert_eq!(changes["resource_type"], "api.organization");
    assert_eq!(changes["resource_id"], ORG_ID);
    assert!(changes.get("role_name").is_none(), "{changes}");

    let (status, renamed) = call(
        &sandbox,
        "POST",
        &one,
        Some(json!({"role_name": "Key Readers"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(renamed["name"], "Key Readers");
    let event = assert_audited(&sandbox, "role.updated", &id, None);
    assert_eq!(
        event["role.updated"]["changes_requested"]["role_name"],
        "Key Readers"
    );
    for (body, param) in [
        (json!({"role_name": "Audit Reader"}), "role_name"),
        (json!({"name": "x"}), "name"),
        (json!({"permissions": ["a b"]}), "permissions"),
    ] {
        let (status, error) = call(&sandbox, "POST", &one, Some(body.clone())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_error(&error, Some(param));
    }

    let (status, deleted) = call(&sandbox, "DELETE", &one, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_schema("RoleDeletedResource", &deleted);
    assert_audited(&sandbox, "role.deleted", &id, None);
    let (status, error) = call(&sandbox, "GET", &one, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&error, Some("role_id"));
    let (status, error) = call(&sandbox, "GET", "/v1/organization/roles/admin", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&error, Some("role_id"));
}

#[tokio::test]
async fn predefined_roles_cannot_be_updated_or_deleted() {
    let sandbox = sandbox();
    let events = sandbox.read(sandbox::Org::audit_len);
    for (method, role, body) in [
        (
            "POST",
            seeded::ORG_OWNER,
            Some(json!({"description": "Mine now"})),
        ),
        (
            "POST",
            seeded::PROJECT_MEMBER,
            Some(json!({"permissions": ["api.project.read"]})),
        ),
        ("DELETE", seeded::ORG_READER, None),
        ("DELETE", seeded::PROJECT_VIEWER, None),
    ] {
        let (status, error) = call(
            &sandbox,
            method,
            &format!("/v1/organization/roles/{role}"),
            body,
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{method} {role}");
        assert_error(&error, Some("role_id"));
        assert_eq!(error["error"]["type"], "invalid_request_error");
        assert!(
            error["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("predefined")),
            "{error}"
        );
    }
    let (_, page) = call(&sandbox, "GET", "/v1/organization/roles", None).await;
    assert_eq!(ids(&page), ALL);
    let (_, owner) = call(
        &sandbox,
        "GET",
        &format!("/v1/organization/roles/{}", seeded::ORG_OWNER),
        None,
    )
    .await;
    assert_eq!(owner["description"], "Full control of the organization.");
    assert_eq!(sandbox.read(sandbox::Org::audit_len), events);
}

#[tokio::test]
async fn group_roles_are_listed_assigned_retrieved_and_unassigned() {
    let sandbox = sandbox();
    let (status, page) = call(
        &sandbox,
        "GET",
        &format!("/v1/organization/groups/{}/roles", seeded::SUPPORT),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_schema("RoleListResource", &page);
    assert_eq!(ids(&page), [seeded::GROUP_MANAGER]);
    assert_eq!(page["data"][0]["assignment_sources"], Value::Null);
    assert_eq!(page["data"][0]["name"], "API Group Manager");

    // A SCIM-managed group may be given roles.
    let base = format!("/v1/organization/groups/{}/roles", seeded::OKTA_FINANCE);
    let (status, assigned) = call(
        &sandbox,
        "POST",
        &base,
        Some(json!({"role_id": seeded::AUDIT_READER})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{assigned}");
    assert_schema("GroupRoleAssignment", &assigned);
    assert_eq!(assigned["group"]["id"], seeded::OKTA_FINANCE);
    assert_eq!(assigned["group"]["scim_managed"], true);
    assert_eq!(assigned["role"]["id"], seeded::AUDIT_READER);
    let assignment = sandbox.read(|org| {
        org.role_assignments()
            .last()
            .map(|a| a.id.clone())
            .expect("the assignment")
    });
    let event = assert_audited(&sandbox, "role.assignment.created", &assignment, None);
    let details = &event["role.assignment.created"];
    assert_eq!(details["principal_id"], seeded::OKTA_FINANCE);
    assert_eq!(details["principal_type"], "group");
    assert_eq!(details["resource_id"], ORG_ID);
    assert_eq!(details["resource_type"], "api.organization");

    let one = format!("{base}/{}", seeded::AUDIT_READER);
    let (status, role) = call(&sandbox, "GET", &one, None).await;
    assert_eq!(status, StatusCode::OK, "{role}");
    assert_schema("AssignedRoleDetails", &role);
    assert_eq!(role["id"], seeded::AUDIT_READER);
    assert_eq!(role["assignment_sources"], Value::Null);

    for (body, status_wanted, param) in [
        (
            json!({"role_id": seeded::AUDIT_READER}),
            StatusCode::BAD_REQUEST,
            "role_id",
        ),
        (
            json!({"role_id": seeded::PROJECT_MEMBER}),
            StatusCode::BAD_REQUEST,
            "role_id",
        ),
        (
            json!({"role_id": "role_nope"}),
            StatusCode::NOT_FOUND,
            "role_id",
        ),
        (
            json!({"role_id": "admin"}),
            StatusCode::BAD_REQUEST,
            "role_id",
        ),
        (
            json!({"role_id": seeded::ORG_READER, "until": 1}),
            StatusCode::BAD_REQUEST,
            "until",
        ),
    ] {
        let (status, error) = call(&sandbox, "POST", &base, Some(body.clone())).await;
        assert_eq!(status, status_wanted, "{body}");
        assert_error(&error, Some(param));
    }

    let (status, removed) = call(&sandbox, "DELETE", &one, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_schema("DeletedRoleAssignmentResource", &removed);
    assert_eq!(removed["object"], "group.role.deleted");
    let event = assert_audited(&sandbox, "role.assignment.deleted", &assignment, None);
    assert_eq!(event["role.assignment.deleted"]["principal_type"], "group");
    for method in ["GET", "DELETE"] {
        let (status, error) = call(&sandbox, method, &one, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method}");
        assert_error(&error, Some("role_id"));
    }
    let (status, error) = call(&sandbox, "GET", &format!("{base}?sort=name"), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&error, Some("sort"));
}

#[tokio::test]
async fn user_roles_show_direct_assignments_and_page_with_next() {
    let sandbox = sandbox();
    let audited = user(&sandbox, seeded::USER_AUDIT_READER_USER);
    let (status, page) = call(
        &sandbox,
        "GET",
        &format!("/v1/organization/users/{audited}/roles"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_schema("RoleListResource", &page);
    assert_eq!(ids(&page), [seeded::AUDIT_READER]);
    assert_eq!(page["data"][0]["assignment_sources"], Value::Null);

    // User 5 holds API Group Manager through Support Leads only: not listed as theirs.
    let member = user(&sandbox, 5);
    let base = format!("/v1/organization/users/{member}/roles");
    let (_, page) = call(&sandbox, "GET", &base, None).await;
    assert!(ids(&page).is_empty(), "{page}");

    for role in [seeded::ORG_READER, seeded::GROUP_MANAGER] {
        let (status, assigned) =
            call(&sandbox, "POST", &base, Some(json!({"role_id": role}))).await;
        assert_eq!(status, StatusCode::OK, "{assigned}");
        assert_schema("UserRoleAssignment", &assigned);
        assert_eq!(assigned["user"]["id"], member.as_str());
        assert_eq!(assigned["role"]["id"], role);
        let assignment = sandbox.read(|org| {
            org.role_assignments()
                .last()
                .map(|a| a.id.clone())
                .expect("the assignment")
        });
        let event = assert_audited(&sandbox, "role.assignment.created", &assignment, None);
        let details = &event["role.assignment.created"];
        assert_eq!(details["principal_id"], member.as_str());
        assert_eq!(details["principal_type"], "user");
        assert_eq!(details["resource_type"], "api.organization");
        assert_eq!(details["resource_id"], ORG_ID);
    }
    let (_, first) = call(&sandbox, "GET", &format!("{base}?limit=1"), None).await;
    assert_schema("RoleListResource", &first);
    assert_eq!(ids(&first), [seeded::ORG_READER]);
    assert_eq!(first["has_more"], true);
    assert_eq!(first["next"], seeded::ORG_READER);
    let (_, second) = call(
        &sandbox,
        "GET",
        &format!("{base}?limit=1&after={}", seeded::ORG_READER),
        None,
    )
    .await;
    assert_eq!(ids(&second), [seeded::GROUP_MANAGER]);
    assert_eq!(second["has_more"], false);
    assert_eq!(second["next"], Value::Null);
    let (_, desc) = call(&sandbox, "GET", &format!("{base}?order=desc"), None).await;
    assert_eq!(ids(&desc), [seeded::GROUP_MANAGER, seeded::ORG_READER]);

    let (status, error) = call(
        &sandbox,
        "POST",
        &base,
        Some(json!({"role_id": seeded::ORG_READER})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "assigned twice");
    assert_error(&error, Some("role_id"));
    let (status, error) = call(
        &sandbox,
        "POST",
        &base,
        Some(json!({"role_id": seeded::PROJECT_OWNER})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a project role");
    assert_error(&error, Some("role_id"));

    let one = format!("{base}/{}", seeded::ORG_READER);
    let (status, role) = call(&sandbox, "GET", &one, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_schema("AssignedRoleDetails", &role);
    let (status, removed) = call(&sandbox, "DELETE", &one, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_schema("DeletedRoleAssignmentResource", &removed);
    assert_eq!(removed["object"], "user.role.deleted");
    let event = newest_type(&sandbox);
    assert_eq!(event, "role.assignment.deleted");
    let (status, error) = call(&sandbox, "GET", &one, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&error, Some("role_id"));

    let (status, error) = call(
        &sandbox,
        "GET",
        "/v1/organization/users/user-nobody/roles",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&error, Some("user_id"));
    let (status, error) = call(&sandbox, "GET", &format!("{base}?limit=5000"), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&error, Some("limit"));
}

fn newest_type(sandbox: &Sandbox) -> String {
    common::newest_event(sandbox)["type"]
        .as_str()
        .expect("type")
        .to_owned()
}

#[tokio::test]
async fn deleting_a_custom_role_takes_its_assignments() {
    let sandbox = sandbox();
    let (status, _) = call(
        &sandbox,
        "DELETE",
        &format!("/v1/organization/roles/{}", seeded::GROUP_MANAGER),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_audited(&sandbox, "role.deleted", seeded::GROUP_MANAGER, None);
    let (_, page) = call(
        &sandbox,
        "GET",
        &format!("/v1/organization/groups/{}/roles", seeded::SUPPORT),
        None,
    )
    .await;
    assert_schema("RoleListResource", &page);
    assert!(ids(&page).is_empty(), "{page}");
    assert!(sandbox.read(|org| {
        org.role_assignments()
            .iter()
            .all(|a| a.role_id != seeded::GROUP_MANAGER)
    }));
}
