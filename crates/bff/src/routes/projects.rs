//! Projects: list (with archived ones on request), create, retrieve, rename, archive.

use admin_api::ids;
use admin_api::projects::{ListProjectsQuery, ProjectName};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::Method;
use axum::response::Response;
use axum::routing::{get, post};

use super::proxy;
use crate::{AppError, AppState};

/// The projects routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/organization/projects",
            get(list_projects).post(create_project),
        )
        .route(
            "/organization/projects/{project_id}",
            get(retrieve_project).post(rename_project),
        )
        .route(
            "/organization/projects/{project_id}/archive",
            post(archive_project),
        )
}

async fn list_projects(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let query = proxy::query(raw.as_deref(), ListProjectsQuery::take_from)?;
    proxy::read(&state, "/organization/projects", &query.to_query_string()).await
}

async fn create_project(
    State(state): State<AppState>,
    caller: proxy::Caller,
    body: Bytes,
) -> Result<Response, AppError> {
    let body = proxy::body(&body, ProjectName::FIELDS, ProjectName::validate)?;
    proxy::write(
        &state,
        &caller,
        Method::POST,
        "/organization/projects",
        Some(body),
    )
    .await
}

async fn retrieve_project(
    State(state): State<AppState>,
    Path(project_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    proxy::no_query(raw.as_deref())?;
    ids::project_id(&project_id)?;
    proxy::read(&state, &format!("/organization/projects/{project_id}"), "").await
}

async fn rename_project(
    State(state): State<AppState>,
    caller: proxy::Caller,
    Path(project_id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    ids::project_id(&project_id)?;
    let body = proxy::body(&body, ProjectName::FIELDS, ProjectName::validate)?;
    let path = format!("/organization/projects/{project_id}");
    proxy::write(&state, &caller, Method::POST, &path, Some(body)).await
}

async fn archive_project(
    State(state): State<AppState>,
    caller: proxy::Caller,
    Path(project_id): Path<String>,
) -> Result<Response, AppError> {
    ids::project_id(&project_id)?;
    let path = format!("/organization/projects/{project_id}/archive");
    proxy::write(&state, &caller, Method::POST, &path, None).await
}
