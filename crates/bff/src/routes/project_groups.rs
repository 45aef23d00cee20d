//! Groups granted access to a project: list, grant, retrieve, revoke.

use admin_api::ids;
use admin_api::project_groups::{PROJECT_GROUPS_LIMIT_MAX, ProjectGroupGrant};
use admin_api::query::CursorQuery;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::Method;
use axum::response::Response;
use axum::routing::get;

use super::proxy;
use crate::{AppError, AppState};

/// The project-groups routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/organization/projects/{project_id}/groups",
            get(list_grants).post(grant),
        )
        .route(
            "/organization/projects/{project_id}/groups/{group_id}",
            get(retrieve_grant).delete(revoke),
        )
}

fn grants_path(project_id: &str) -> Result<String, AppError> {
    ids::project_id(project_id)?;
    Ok(format!("/organization/projects/{project_id}/groups"))
}

async fn list_grants(
    State(state): State<AppState>,
    Path(project_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let path = grants_path(&project_id)?;
    let query = proxy::query(raw.as_deref(), |p| {
        CursorQuery::take_from(p, PROJECT_GROUPS_LIMIT_MAX)
    })?;
    proxy::read(&state, &path, &query.to_query_string()).await
}

async fn grant(
    State(state): State<AppState>,
    caller: proxy::Caller,
    Path(project_id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let path = grants_path(&project_id)?;
    let body = proxy::body(
        &body,
        ProjectGroupGrant::FIELDS,
        ProjectGroupGrant::validate,
    )?;
    proxy::write(&state, &caller, Method::POST, &path, Some(body)).await
}

fn grant_path(project_id: &str, group_id: &str) -> Result<String, AppError> {
    ids::group_id(group_id)?;
    Ok(format!("{}/{group_id}", grants_path(project_id)?))
}

/// `group_type` is left out of the allow-list: the portal manages organization groups only.
async fn retrieve_grant(
    State(state): State<AppState>,
    Path((project_id, group_id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    proxy::no_query(raw.as_deref())?;
    proxy::read(&state, &grant_path(&project_id, &group_id)?, "").await
}

async fn revoke(
    State(state): State<AppState>,
    caller: proxy::Caller,
    Path((project_id, group_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let path = grant_path(&project_id, &group_id)?;
    proxy::write(&state, &caller, Method::DELETE, &path, None).await
}
