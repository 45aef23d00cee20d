//! Groups' access to projects: shapes, `next` paging, checks, archived projects, audit events.

mod common;

use axum::http::StatusCode;
use common::{assert_audited, assert_error, assert_schema, call, project_id, sandbox};
use sandbox::{Sandbox, seeded};
use serde_json::{Value, json};

fn project(sandbox: &Sandbox, index: usize) -> String {
    sandbox.read(|org| org.projects()[index].project.id.clone())
}

fn group_ids(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|g| g["group_id"].as_str().expect("group_id").to_owned())
        .collect()
}

#[tokio::test]
async fn the_seeded_grants_are_listed_and_retrieved() {
    let sandbox = sandbox();
    let alpha = project(&sandbox, seeded::PLATFORM_ALPHA_PROJECT);
    let base = format!("/v1/organization/projects/{alpha}/groups");
    let (status, page) = call(&sandbox, "GET", &base, None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_schema("ProjectGroupListResource", &page);
    assert_eq!(group_ids(&page), [seeded::PLATFORM]);
    assert_eq!(page["data"][0]["group_name"], "Platform Engineering");
    assert!(
        page["data"][0].get("role").is_none(),
        "upstream shows no role"
    );
    assert_eq!(page["next"], Value::Null);

    let bot = project(&sandbox, seeded::OKTA_FINANCE_SUPPORT_BOT_PROJECT);
    let one = format!(
        "/v1/organization/projects/{bot}/groups/{}",
        seeded::OKTA_FINANCE
    );
    for uri in [one.clone(), format!("{one}?group_type=group")] {
        let (status, grant) = call(&sandbox, "GET", &uri, None).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {grant}");
        assert_schema("ProjectGroup", &grant);
        assert_eq!(grant["project_id"], bot.as_str());
        assert_eq!(grant["group_name"], "Okta · Finance");
    }
    sandbox.read(|org| {
        let roles: Vec<(&str, &str)> = org
            .project_groups()
            .iter()
            .map(|g| (g.group_id.as_str(), g.role_id.as_str()))
            .collect();
        assert_eq!(
            roles,
            [
                (seeded::PLATFORM, seeded::PROJECT_MEMBER),
                (seeded::OKTA_FINANCE, seeded::PROJECT_VIEWER)
            ]
        );
    });

    for (uri, status_wanted, param) in [
        (
            format!("{one}?group_type=team"),
            StatusCode::BAD_REQUEST,
            "group_type",
        ),
        (
            format!("{one}?verbose=1"),
            StatusCode::BAD_REQUEST,
            "verbose",
        ),
        (
            format!("{base}?limit=101"),
            StatusCode::BAD_REQUEST,
            "limit",
        ),
        (
            format!("{base}?after=group_nope"),
            StatusCode::BAD_REQUEST,
            "after",
        ),
        (
            format!("{base}?expand=role"),
            StatusCode::BAD_REQUEST,
            "expand",
        ),
        (
            format!("{base}/{}", seeded::SUPPORT),
            StatusCode::NOT_FOUND,
            "group_id",
        ),
        (
            "/v1/organization/projects/proj_nope/groups".to_owned(),
            StatusCode::NOT_FOUND,
            "project_id",
        ),
    ] {
        let (status, error) = call(&sandbox, "GET", &uri, None).await;
        assert_eq!(status, status_wanted, "{uri}");
        assert_error(&error, Some(param));
    }
}

#[tokio::test]
async fn a_group_is_granted_and_revoked_with_audit() {
    let sandbox = sandbox();
    let search = project(&sandbox, 3);
    let base = format!("/v1/organization/projects/{search}/groups");
    let (status, grant) = call(
        &sandbox,
        "POST",
        &base,
        Some(json!({"group_id": seeded::SUPPORT, "role": seeded::PROJECT_OWNER})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{grant}");
    assert_schema("ProjectGroup", &grant);
    assert_eq!(grant["group_id"], seeded::SUPPORT);
    assert_eq!(grant["project_id"], search.as_str());
    assert!(grant.get("role").is_none(), "upstream shows no role");
    let (id, role) = sandbox.read(|org| {
        let g = org.project_groups().last().expect("the grant");
        (g.id.clone(), g.role_id.clone())
    });
    assert_eq!(role, seeded::PROJECT_OWNER, "the sandbox keeps the role");
    let event = assert_audited(&sandbox, "role.assignment.created", &id, Some(&search));
    let details = &event["role.assignment.created"];
    assert_eq!(details["principal_id"], seeded::SUPPORT);
    assert_eq!(details["principal_type"], "group");
    assert_eq!(details["resource_id"], search.as_str());
    assert_eq!(details["resource_type"], "api.project");

    // A SCIM-managed group may be granted projects too.
    let (status, scim) = call(
        &sandbox,
        "POST",
        &base,
        Some(json!({"group_id": seeded::OKTA_FINANCE, "role": seeded::PROJECT_VIEWER})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{scim}");
    assert_schema("ProjectGroup", &scim);

    let archived = project_id(&sandbox, true);
    for (uri, body, status_wanted, param) in [
        (
            base.clone(),
            json!({"group_id": seeded::SUPPORT, "role": seeded::PROJECT_MEMBER}),
            StatusCode::BAD_REQUEST,
            "group_id",
        ),
        (
            base.clone(),
            json!({"group_id": seeded::PLATFORM, "role": seeded::ORG_READER}),
            StatusCode::BAD_REQUEST,
            "role",
        ),
        (
            base.clone(),
            json!({"group_id": seeded::PLATFORM, "role": "role_nope"}),
            StatusCode::NOT_FOUND,
            "role",
        ),
        (
            base.clone(),
            json!({"group_id": "group_nope", "role": seeded::PROJECT_MEMBER}),
            StatusCode::NOT_FOUND,
            "group_id",
        ),
        (
            base.clone(),
            json!({"group_id": seeded::PLATFORM}),
            StatusCode::BAD_REQUEST,
            "role",
        ),
        (
            base.clone(),
            json!({"group_id": seeded::PLATFORM, "role": "member"}),
            StatusCode::BAD_REQUEST,
            "role",
        ),
        (
            base.clone(),
            json!({"group_id": seeded::PLATFORM, "role": seeded::PROJECT_MEMBER, "role_id": "x"}),
            StatusCode::BAD_REQUEST,
            "role_id",
        ),
        (
            format!("/v1/organization/projects/{archived}/groups"),
            json!({"group_id": seeded::PLATFORM, "role": seeded::PROJECT_MEMBER}),
            StatusCode::BAD_REQUEST,
            "project_id",
        ),
    ] {
        let (status, error) = call(&sandbox, "POST", &uri, Some(body.clone())).await;
        assert_eq!(status, status_wanted, "{uri} {body}");
        assert_error(&error, Some(param));
    }

    let one = format!("{base}/{}", seeded::SUPPORT);
    let (status, revoked) = call(&sandbox, "DELETE", &one, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_schema("ProjectGroupDeletedResource", &revoked);
    assert_eq!(revoked["object"], "project.group.deleted");
    let event = assert_audited(&sandbox, "role.assignment.deleted", &id, Some(&search));
    assert_eq!(
        event["role.assignment.deleted"]["resource_type"],
        "api.project"
    );
    for method in ["GET", "DELETE"] {
        let (status, error) = call(&sandbox, method, &one, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method}");
        assert_error(&error, Some("group_id"));
    }
}

#[tokio::test]
async fn a_projects_groups_page_with_next() {
    let sandbox = sandbox();
    let search = project(&sandbox, 3);
    let base = format!("/v1/organization/projects/{search}/groups");
    let mut granted = Vec::new();
    for name in ["One", "Two", "Three"] {
        let (_, group) = call(
            &sandbox,
            "POST",
            "/v1/organization/groups",
            Some(json!({"name": name})),
        )
        .await;
        let id = group["id"].as_str().expect("id").to_owned();
        let (status, _) = call(
            &sandbox,
            "POST",
            &base,
            Some(json!({"group_id": id, "role": seeded::PROJECT_MEMBER})),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        granted.push(id);
    }
    let (_, first) = call(&sandbox, "GET", &format!("{base}?limit=2"), None).await;
    assert_schema("ProjectGroupListResource", &first);
    assert_eq!(group_ids(&first), granted[..2]);
    assert_eq!(first["has_more"], true);
    let next = first["next"].as_str().expect("next").to_owned();
    assert_eq!(next, granted[1]);
    let (_, second) = call(
        &sandbox,
        "GET",
        &format!("{base}?limit=2&after={next}"),
        None,
    )
    .await;
    assert_schema("ProjectGroupListResource", &second);
    assert_eq!(group_ids(&second), granted[2..]);
    assert_eq!(second["has_more"], false);
    assert_eq!(second["next"], Value::Null);
    let (_, desc) = call(&sandbox, "GET", &format!("{base}?order=desc"), None).await;
    let reversed: Vec<String> = granted.iter().rev().cloned().collect();
    assert_eq!(group_ids(&desc), reversed);
}
