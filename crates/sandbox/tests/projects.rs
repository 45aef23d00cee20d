//! Projects: listing with and without archived ones, create, rename, archive.

mod common;

use axum::http::StatusCode;
use common::{assert_audited, assert_error, assert_schema, call, project_id, sandbox};
use serde_json::{Value, json};

fn names(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|p| p["name"].as_str().expect("name").to_owned())
        .collect()
}

#[tokio::test]
async fn archived_projects_are_listed_only_on_request() {
    let sandbox = sandbox();
    let (status, active) = call(&sandbox, "GET", "/v1/organization/projects?limit=100", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_schema("ProjectListResponse", &active);
    let (_, all) = call(
        &sandbox,
        "GET",
        "/v1/organization/projects?limit=100&include_archived=true",
        None,
    )
    .await;
    assert_schema("ProjectListResponse", &all);
    assert_eq!(names(&all).len(), 8, "the seed has 8 projects");
    assert_eq!(names(&active).len(), 6, "2 of them archived");
    let archived: Vec<&Value> = all["data"]
        .as_array()
        .expect("data")
        .iter()
        .filter(|p| p["status"] == "archived")
        .collect();
    assert_eq!(archived.len(), 2);
    assert!(archived.iter().all(|p| p["archived_at"].is_i64()));
    let (status, error) = call(
        &sandbox,
        "GET",
        "/v1/organization/projects?include_archived=maybe",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&error, Some("include_archived"));
}

#[tokio::test]
async fn create_rename_archive() {
    let sandbox = sandbox();
    let (status, created) = call(
        &sandbox,
        "POST",
        "/v1/organization/projects",
        Some(json!({"name": "Gamma"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_schema("Project", &created);
    let id = created["id"].as_str().expect("id").to_owned();
    assert_audited(&sandbox, "project.created", &id, Some(&id));
    let (_, limits) = call(
        &sandbox,
        "GET",
        &format!("/v1/organization/projects/{id}/rate_limits"),
        None,
    )
    .await;
    assert!(
        !limits["data"].as_array().expect("data").is_empty(),
        "a new project has rate limits"
    );

    let uri = format!("/v1/organization/projects/{id}");
    let (status, renamed) = call(&sandbox, "POST", &uri, Some(json!({"name": "Gamma 2"}))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(renamed["name"], "Gamma 2");
    let event = assert_audited(&sandbox, "project.updated", &id, Some(&id));
    assert_eq!(
        event["project.updated"]["changes_requested"]["title"],
        "Gamma 2"
    );

    let (status, archived) = call(&sandbox, "POST", &format!("{uri}/archive"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_schema("Project", &archived);
    assert_eq!(archived["status"], "archived");
    assert_audited(&sandbox, "project.archived", &id, Some(&id));
    let events = sandbox.read(|org| org.audit_len());
    let (status, again) = call(&sandbox, "POST", &format!("{uri}/archive"), None).await;
    assert_eq!(status, StatusCode::OK, "archiving again is harmless");
    assert_eq!(again["archived_at"], archived["archived_at"]);
    assert_eq!(
        sandbox.read(|org| org.audit_len()),
        events,
        "and logs nothing"
    );

    let (status, error) = call(&sandbox, "POST", &uri, Some(json!({"name": "Delta"}))).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "an archived project cannot be renamed"
    );
    assert_error(&error, Some("project_id"));
}

#[tokio::test]
async fn bad_names_and_ids_are_refused() {
    let sandbox = sandbox();
    for (body, param) in [
        (json!({"name": ""}), "name"),
        (json!({"name": "   "}), "name"),
        (json!({"name": "x".repeat(129)}), "name"),
        (json!({}), "name"),
        (json!({"name": "A", "color": "red"}), "color"),
    ] {
        let (status, error) = call(
            &sandbox,
            "POST",
            "/v1/organization/projects",
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_error(&error, Some(param));
    }
    let (status, error) = call(
        &sandbox,
        "GET",
        "/v1/organization/projects/proj_missing",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&error, Some("project_id"));
    let (status, error) = call(&sandbox, "GET", "/v1/organization/projects/nope", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&error, Some("project_id"));
    let default = project_id(&sandbox, false);
    let (status, error) = call(
        &sandbox,
        "POST",
        &format!("/v1/organization/projects/{default}/archive"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "the default project stays");
    assert_error(&error, Some("project_id"));
}
