//! Users: the allow-listed `/organization/users` operations. Ids are checked and query and body
//! are rebuilt from typed structs, so nothing the browser sends travels upstream verbatim.

use admin_api::ids;
use admin_api::query::QueryPairs;
use admin_api::users::{ListUsersQuery, UserRoleUpdate};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::Method;
use axum::response::Response;
use axum::routing::get;

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
    let mut pairs = QueryPairs::parse(raw.as_deref());
    let query = ListUsersQuery::take_from(&mut pairs)?;
    pairs.deny_unknown()?;
    state
        .upstream
        .send(
            Method::GET,
            "/organization/users",
            &query.to_query_string(),
            None,
        )
        .await
}

async fn retrieve_user(
    State(state): State<AppState>,
    Path(user_id): Path<String>,
) -> Result<Response, AppError> {
    ids::user_id(&user_id)?;
    let path = format!("/organization/users/{user_id}");
    state.upstream.send(Method::GET, &path, "", None).await
}

async fn modify_user(
    State(state): State<AppState>,
    Path(user_id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    ids::user_id(&user_id)?;
    let update: UserRoleUpdate = admin_api::body::parse(&body, &["role"])?;
    let body = serde_json::to_value(update).map_err(|e| AppError::internal(&e))?;
    let path = format!("/organization/users/{user_id}");
    state
        .upstream
        .send(Method::POST, &path, "", Some(body))
        .await
}

async fn delete_user(
    State(state): State<AppState>,
    Path(user_id): Path<String>,
) -> Result<Response, AppError> {
    ids::user_id(&user_id)?;
    let path = format!("/organization/users/{user_id}");
    state.upstream.send(Method::DELETE, &path, "", None).await
}
