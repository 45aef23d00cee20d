//! Groups: list, create, retrieve, rename, delete; their members (list, add, retrieve, remove)
//! and their organization roles (list, assign, retrieve, unassign).

use admin_api::groups::{GROUPS_LIMIT_MAX, GroupBody, GroupUserBody};
use admin_api::ids;
use admin_api::query::CursorQuery;
use admin_api::roles::{ROLES_LIMIT_MAX, RoleAssign};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::Method;
use axum::response::Response;
use axum::routing::get;

use super::proxy;
use crate::{AppError, AppState};

/// The groups routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/organization/groups", get(list_groups).post(create_group))
        .route(
            "/organization/groups/{group_id}",
            get(retrieve_group).post(rename_group).delete(delete_group),
        )
        .route(
            "/organization/groups/{group_id}/users",
            get(list_members).post(add_member),
        )
        .route(
            "/organization/groups/{group_id}/users/{user_id}",
            get(retrieve_member).delete(remove_member),
        )
        .route(
            "/organization/groups/{group_id}/roles",
            get(list_roles).post(assign_role),
        )
        .route(
            "/organization/groups/{group_id}/roles/{role_id}",
            get(retrieve_role).delete(unassign_role),
        )
}

fn group_path(group_id: &str) -> Result<String, AppError> {
    ids::group_id(group_id)?;
    Ok(format!("/organization/groups/{group_id}"))
}

async fn list_groups(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let query = proxy::query(raw.as_deref(), |p| {
        CursorQuery::take_from(p, GROUPS_LIMIT_MAX)
    })?;
    proxy::read(&state, "/organization/groups", &query.to_query_string()).await
}

async fn create_group(
    State(state): State<AppState>,
    caller: proxy::Caller,
    body: Bytes,
) -> Result<Response, AppError> {
    let body = proxy::body(&body, GroupBody::FIELDS, GroupBody::validate)?;
    proxy::write(
        &state,
        &caller,
        Method::POST,
        "/organization/groups",
        Some(body),
    )
    .await
}

async fn retrieve_group(
    State(state): State<AppState>,
    Path(group_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    proxy::no_query(raw.as_deref())?;
    proxy::read(&state, &group_path(&group_id)?, "").await
}

async fn rename_group(
    State(state): State<AppState>,
    caller: proxy::Caller,
    Path(group_id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let path = group_path(&group_id)?;
    let body = proxy::body(&body, GroupBody::FIELDS, GroupBody::validate)?;
    proxy::write(&state, &caller, Method::POST, &path, Some(body)).await
}

async fn delete_group(
    State(state): State<AppState>,
    caller: proxy::Caller,
    Path(group_id): Path<String>,
) -> Result<Response, AppError> {
    let path = group_path(&group_id)?;
    proxy::write(&state, &caller, Method::DELETE, &path, None).await
}

async fn list_members(
    State(state): State<AppState>,
    Path(group_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let path = format!("{}/users", group_path(&group_id)?);
    let query = proxy::query(raw.as_deref(), |p| {
        CursorQuery::take_from(p, GROUPS_LIMIT_MAX)
    })?;
    proxy::read(&state, &path, &query.to_query_string()).await
}

async fn add_member(
    State(state): State<AppState>,
    caller: proxy::Caller,
    Path(group_id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let path = format!("{}/users", group_path(&group_id)?);
    let body = proxy::body(&body, GroupUserBody::FIELDS, GroupUserBody::validate)?;
    proxy::write(&state, &caller, Method::POST, &path, Some(body)).await
}

fn member_path(group_id: &str, user_id: &str) -> Result<String, AppError> {
    ids::user_id(user_id)?;
    Ok(format!("{}/users/{user_id}", group_path(group_id)?))
}

async fn retrieve_member(
    State(state): State<AppState>,
    Path((group_id, user_id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    proxy::no_query(raw.as_deref())?;
    proxy::read(&state, &member_path(&group_id, &user_id)?, "").await
}

async fn remove_member(
    State(state): State<AppState>,
    caller: proxy::Caller,
    Path((group_id, user_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let path = member_path(&group_id, &user_id)?;
    proxy::write(&state, &caller, Method::DELETE, &path, None).await
}

async fn list_roles(
    State(state): State<AppState>,
    Path(group_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let path = format!("{}/roles", group_path(&group_id)?);
    let query = proxy::query(raw.as_deref(), |p| {
        CursorQuery::take_from(p, ROLES_LIMIT_MAX)
    })?;
    proxy::read(&state, &path, &query.to_query_string()).await
}

async fn assign_role(
    State(state): State<AppState>,
    caller: proxy::Caller,
    Path(group_id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let path = format!("{}/roles", group_path(&group_id)?);
    let body = proxy::body(&body, RoleAssign::FIELDS, RoleAssign::validate)?;
    proxy::write(&state, &caller, Method::POST, &path, Some(body)).await
}

fn assignment_path(group_id: &str, role_id: &str) -> Result<String, AppError> {
    ids::role_id(role_id)?;
    Ok(format!("{}/roles/{role_id}", group_path(group_id)?))
}

async fn retrieve_role(
    State(state): State<AppState>,
    Path((group_id, role_id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    proxy::no_query(raw.as_deref())?;
    proxy::read(&state, &assignment_path(&group_id, &role_id)?, "").await
}

async fn unassign_role(
    State(state): State<AppState>,
    caller: proxy::Caller,
    Path((group_id, role_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let path = assignment_path(&group_id, &role_id)?;
    proxy::write(&state, &caller, Method::DELETE, &path, None).await
}
