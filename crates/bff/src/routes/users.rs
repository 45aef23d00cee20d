//! Users: the allow-listed `/organization/users` operations. Ids are checked and query and body
//! are rebuilt from typed structs, so nothing the browser sends travels upstream verbatim.

use admin_api::ids;
use admin_api::users::{ListUsersQuery, UserRoleUpdate};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::Method;
use axum::response::Response;
use axum::routing::get;

use super::proxy;
use crate::{AppError, AppState};

/// The users routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/organization/users", get(list_users))
        .route(
            "/organization/users/{user_id}",
            get(retrieve_user).post(modify_user).delete(delete_user),
        )
}

async fn list_users(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let query = proxy::query(raw.as_deref(), ListUsersQuery::take_from)?;
    proxy::read(&state, "/organization/users", &query.to_query_string()).await
}

async fn retrieve_user(
    State(state): State<AppState>,
    Path(user_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    proxy::no_query(raw.as_deref())?;
    ids::user_id(&user_id)?;
    proxy::read(&state, &format!("/organization/users/{user_id}"), "").await
}

async fn modify_user(
    State(state): State<AppState>,
    caller: proxy::Caller,
    Path(user_id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    ids::user_id(&user_id)?;
    let body = proxy::body::<UserRoleUpdate>(&body, &["role"], |_| Ok(()))?;
    let path = format!("/organization/users/{user_id}");
    proxy::write(&state, &caller, Method::POST, &path, Some(body)).await
}

async fn delete_user(
    State(state): State<AppState>,
    caller: proxy::Caller,
    Path(user_id): Path<String>,
) -> Result<Response, AppError> {
    ids::user_id(&user_id)?;
    let path = format!("/organization/users/{user_id}");
    proxy::write(&state, &caller, Method::DELETE, &path, None).await
}
