//! Project rate limits: list and update.

use admin_api::ids;
use admin_api::rate_limits::{ListRateLimitsQuery, RateLimitUpdate};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::Method;
use axum::response::Response;
use axum::routing::{get, post};

use super::proxy;
use crate::{AppError, AppState};

/// The rate-limit routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/organization/projects/{project_id}/rate_limits",
            get(list_rate_limits),
        )
        .route(
            "/organization/projects/{project_id}/rate_limits/{rate_limit_id}",
            post(update_rate_limit),
        )
}

async fn list_rate_limits(
    State(state): State<AppState>,
    Path(project_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    ids::project_id(&project_id)?;
    let query = proxy::query(raw.as_deref(), ListRateLimitsQuery::take_from)?;
    let path = format!("/organization/projects/{project_id}/rate_limits");
    proxy::read(&state, &path, &query.to_query_string()).await
}

async fn update_rate_limit(
    State(state): State<AppState>,
    caller: proxy::Caller,
    Path((project_id, limit_id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    ids::project_id(&project_id)?;
    ids::rate_limit_id(&limit_id)?;
    let body = proxy::body(&body, RateLimitUpdate::FIELDS, RateLimitUpdate::validate)?;
    let path = format!("/organization/projects/{project_id}/rate_limits/{limit_id}");
    proxy::write(&state, &caller, Method::POST, &path, Some(body)).await
}
