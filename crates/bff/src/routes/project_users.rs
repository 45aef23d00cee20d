//! Project members: list, add, retrieve, change role, remove.

use admin_api::ids;
use admin_api::project_users::{ProjectUserCreate, ProjectUserUpdate};
use admin_api::query::Paging;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::Method;
use axum::response::Response;
use axum::routing::get;

use super::proxy;
use crate::{AppError, AppState};

/// The project-members routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/organization/projects/{project_id}/users",
            get(list_members).post(add_member),
        )
        .route(
            "/organization/projects/{project_id}/users/{user_id}",
            get(retrieve_member)
                .post(change_member_role)
                .delete(remove_member),
        )
}

async fn list_members(
    State(state): State<AppState>,
    Path(project_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    ids::project_id(&project_id)?;
    let paging = proxy::query(raw.as_deref(), Paging::take_from)?;
    let path = format!("/organization/projects/{project_id}/users");
    proxy::read(&state, &path, &paging.to_query_string()).await
}

async fn add_member(
    State(state): State<AppState>,
    caller: proxy::Caller,
    Path(project_id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    ids::project_id(&project_id)?;
    let body = proxy::body(
        &body,
        ProjectUserCreate::FIELDS,
        ProjectUserCreate::validate,
    )?;
    let path = format!("/organization/projects/{project_id}/users");
    proxy::write(&state, &caller, Method::POST, &path, Some(body)).await
}

fn member_path(project_id: &str, user_id: &str) -> Result<String, AppError> {
    ids::project_id(project_id)?;
    ids::user_id(user_id)?;
    Ok(format!(
        "/organization/projects/{project_id}/users/{user_id}"
    ))
}

async fn retrieve_member(
    State(state): State<AppState>,
    Path((project_id, user_id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    proxy::no_query(raw.as_deref())?;
    proxy::read(&state, &member_path(&project_id, &user_id)?, "").await
}

async fn change_member_role(
    State(state): State<AppState>,
    caller: proxy::Caller,
    Path((project_id, user_id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let path = member_path(&project_id, &user_id)?;
    let body = proxy::body(
        &body,
        ProjectUserUpdate::FIELDS,
        ProjectUserUpdate::validate,
    )?;
    proxy::write(&state, &caller, Method::POST, &path, Some(body)).await
}

async fn remove_member(
    State(state): State<AppState>,
    caller: proxy::Caller,
    Path((project_id, user_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let path = member_path(&project_id, &user_id)?;
    proxy::write(&state, &caller, Method::DELETE, &path, None).await
}
