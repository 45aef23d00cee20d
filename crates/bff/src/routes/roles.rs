//! Roles: list, create, retrieve, update, delete; and a user's organization roles (list,
//! assign, retrieve, unassign).

use admin_api::ids;
use admin_api::query::CursorQuery;
use admin_api::roles::{ROLES_LIMIT_MAX, RoleAssign, RoleCreate, RoleUpdate};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::Method;
use axum::response::Response;
use axum::routing::get;

use super::proxy;
use crate::{AppError, AppState};

/// The roles routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/organization/roles", get(list_roles).post(create_role))
        .route(
            "/organization/roles/{role_id}",
            get(retrieve_role).post(update_role).delete(delete_role),
        )
        .route(
            "/organization/users/{user_id}/roles",
            get(list_user_roles).post(assign_user_role),
        )
        .route(
            "/organization/users/{user_id}/roles/{role_id}",
            get(retrieve_user_role).delete(unassign_user_role),
        )
}

fn role_path(role_id: &str) -> Result<String, AppError> {
    ids::role_id(role_id)?;
    Ok(format!("/organization/roles/{role_id}"))
}

async fn list_roles(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let query = proxy::query(raw.as_deref(), |p| {
        CursorQuery::take_from(p, ROLES_LIMIT_MAX)
    })?;
    proxy::read(&state, "/organization/roles", &query.to_query_string()).await
}

async fn create_role(
    State(state): State<AppState>,
    caller: proxy::Caller,
    body: Bytes,
) -> Result<Response, AppError> {
    let body = proxy::body(&body, RoleCreate::FIELDS, RoleCreate::validate)?;
    proxy::write(
        &state,
        &caller,
        Method::POST,
        "/organization/roles",
        Some(body),
    )
    .await
}

async fn retrieve_role(
    State(state): State<AppState>,
    Path(role_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    proxy::no_query(raw.as_deref())?;
    proxy::read(&state, &role_path(&role_id)?, "").await
}

async fn update_role(
    State(state): State<AppState>,
    caller: proxy::Caller,
    Path(role_id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let path = role_path(&role_id)?;
    let body = proxy::body(&body, RoleUpdate::FIELDS, RoleUpdate::validate)?;
    proxy::write(&state, &caller, Method::POST, &path, Some(body)).await
}

async fn delete_role(
    State(state): State<AppState>,
    caller: proxy::Caller,
    Path(role_id): Path<String>,
) -> Result<Response, AppError> {
    let path = role_path(&role_id)?;
    proxy::write(&state, &caller, Method::DELETE, &path, None).await
}

fn user_roles_path(user_id: &str) -> Result<String, AppError> {
    ids::user_id(user_id)?;
    Ok(format!("/organization/users/{user_id}/roles"))
}

async fn list_user_roles(
    State(state): State<AppState>,
    Path(user_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let path = user_roles_path(&user_id)?;
    let query = proxy::query(raw.as_deref(), |p| {
        CursorQuery::take_from(p, ROLES_LIMIT_MAX)
    })?;
    proxy::read(&state, &path, &query.to_query_string()).await
}

async fn assign_user_role(
    State(state): State<AppState>,
    caller: proxy::Caller,
    Path(user_id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let path = user_roles_path(&user_id)?;
    let body = proxy::body(&body, RoleAssign::FIELDS, RoleAssign::validate)?;
    proxy::write(&state, &caller, Method::POST, &path, Some(body)).await
}

fn assignment_path(user_id: &str, role_id: &str) -> Result<String, AppError> {
    ids::role_id(role_id)?;
    Ok(format!("{}/{role_id}", user_roles_path(user_id)?))
}

async fn retrieve_user_role(
    State(state): State<AppState>,
    Path((user_id, role_id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    proxy::no_query(raw.as_deref())?;
    proxy::read(&state, &assignment_path(&user_id, &role_id)?, "").await
}

async fn unassign_user_role(
    State(state): State<AppState>,
    caller: proxy::Caller,
    Path((user_id, role_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let path = assignment_path(&user_id, &role_id)?;
    proxy::write(&state, &caller, Method::DELETE, &path, None).await
}
