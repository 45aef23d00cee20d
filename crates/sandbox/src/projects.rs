//! `/organization/projects`: list (with `include_archived`), create, retrieve, rename, archive.

use admin_api::projects::{ListProjectsQuery, Project, ProjectName};
use admin_api::query::QueryPairs;
use admin_api::{ApiError, ListPage, ids};
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde_json::json;

use crate::org::{Caller, ProjectRecord};
use crate::{Failure, Sandbox, paging, rate_limits};

/// The projects routes.
pub fn router() -> Router<Sandbox> {
    Router::new()
        .route(
            "/organization/projects",
            get(list_projects).post(create_project),
        )
        .route(
            "/organization/projects/{project_id}",
            get(retrieve_project).post(modify_project),
        )
        .route(
            "/organization/projects/{project_id}/archive",
            post(archive_project),
        )
}

async fn list_projects(
    State(sandbox): State<Sandbox>,
    RawQuery(raw): RawQuery,
) -> Result<Json<ListPage<Project>>, Failure> {
    let query = ListProjectsQuery::take_from(&mut QueryPairs::parse(raw.as_deref()))?;
    sandbox
        .read(|org| {
            let visible = org
                .projects
                .iter()
                .map(|p| &p.project)
                .filter(|p| query.include_archived || !p.is_archived());
            paging::page(visible, &query.paging, |p| &p.id)
        })
        .map(Json)
}

async fn retrieve_project(
    State(sandbox): State<Sandbox>,
    Path(project_id): Path<String>,
) -> Result<Json<Project>, Failure> {
    ids::project_id(&project_id)?;
    sandbox
        .read(|org| org.project(&project_id).map(|p| p.project.clone()))
        .map(Json)
}

async fn create_project(
    State(sandbox): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<Json<Project>, Failure> {
    let body: ProjectName =
        admin_api::body::parse(&body, &["name", "residency", "external_key_id"])?;
    body.validate()?;
    sandbox
        .write(|org| {
            let project = Project {
                id: org.new_id("proj_"),
                object: "organization.project".into(),
                name: Some(body.name.trim().to_owned()),
                created_at: org.now(),
                archived_at: None,
                status: Some("active".into()),
            };
            let record = ProjectRecord {
                rate_limits: rate_limits::defaults(),
                project: project.clone(),
                members: Vec::new(),
                service_accounts: Vec::new(),
                api_keys: Vec::new(),
            };
            let scope = record.scope();
            org.projects.push(record);
            org.record(
                &caller,
                "project.created",
                json!({"id": project.id, "data": {"name": project.name, "title": project.name}}),
                Some(scope),
            );
            Ok(project)
        })
        .map(Json)
}

async fn modify_project(
    State(sandbox): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    Path(project_id): Path<String>,
    body: Bytes,
) -> Result<Json<Project>, Failure> {
    ids::project_id(&project_id)?;
    let body: ProjectName = admin_api::body::parse(&body, &["name", "external_key_id"])?;
    body.validate()?;
    sandbox
        .write(|org| {
            let record = org.project_mut(&project_id)?;
            record.ensure_active()?;
            record.project.name = Some(body.name.trim().to_owned());
            let (project, scope) = (record.project.clone(), record.scope());
            org.record(
                &caller,
                "project.updated",
                json!({"id": project_id, "changes_requested": {"title": project.name}}),
                Some(scope),
            );
            Ok(project)
        })
        .map(Json)
}

async fn archive_project(
    State(sandbox): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    Path(project_id): Path<String>,
) -> Result<Json<Project>, Failure> {
    ids::project_id(&project_id)?;
    sandbox
        .write(|org| {
            if org.default_project.id == project_id {
                return Err(Failure::bad_request(ApiError::invalid_request(
                    "The default project cannot be archived.",
                    Some("project_id"),
                )));
            }
            let at = org.now();
            let record = org.project_mut(&project_id)?;
            // Archiving twice changes nothing and logs nothing: a retried archive is harmless.
            if record.project.is_archived() {
                return Ok(record.project.clone());
            }
            record.project.archived_at = Some(at);
            record.project.status = Some("archived".into());
            let (project, scope) = (record.project.clone(), record.scope());
            org.record(
                &caller,
                "project.archived",
                json!({"id": project_id}),
                Some(scope),
            );
            Ok(project)
        })
        .map(Json)
}
