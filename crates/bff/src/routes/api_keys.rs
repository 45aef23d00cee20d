//! Project API keys: list, retrieve, delete.

use admin_api::api_keys::ListApiKeysQuery;
use admin_api::ids;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::Method;
use axum::response::Response;
use axum::routing::get;

use super::proxy;
use crate::{AppError, AppState};

/// The project API-key routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/organization/projects/{project_id}/api_keys",
            get(list_api_keys),
        )
        .route(
            "/organization/projects/{project_id}/api_keys/{api_key_id}",
            get(retrieve_api_key).delete(delete_api_key),
        )
}

async fn list_api_keys(
    State(state): State<AppState>,
    Path(project_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    ids::project_id(&project_id)?;
    let query = proxy::query(raw.as_deref(), ListApiKeysQuery::take_from)?;
    let path = format!("/organization/projects/{project_id}/api_keys");
    proxy::read(&state, &path, &query.to_query_string()).await
}

fn key_path(project_id: &str, key_id: &str) -> Result<String, AppError> {
    ids::project_id(project_id)?;
    ids::api_key_id(key_id)?;
    Ok(format!(
        "/organization/projects/{project_id}/api_keys/{key_id}"
    ))
}

async fn retrieve_api_key(
    State(state): State<AppState>,
    Path((project_id, key_id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    proxy::no_query(raw.as_deref())?;
    proxy::read(&state, &key_path(&project_id, &key_id)?, "").await
}

async fn delete_api_key(
    State(state): State<AppState>,
    caller: proxy::Caller,
    Path((project_id, key_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let path = key_path(&project_id, &key_id)?;
    proxy::write(&state, &caller, Method::DELETE, &path, None).await
}
