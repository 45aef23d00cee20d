//! Project rate limits: list and update.

use admin_api::ids;
use admin_api::query::Paging;
use admin_api::rate_limits::RateLimitUpdate;
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
    let (paging, before) = proxy::query(raw.as_deref(), |pairs| {
        Ok((Paging::take_from(pairs)?, pairs.one("before")?))
    })?;
    let mut query = paging.to_query_string();
    if let Some(before) = before {
        ids::rate_limit_id(&before).map_err(|e| admin_api::ApiError {
            param: Some("before".into()),
            ..e
        })?;
        let sep = if query.is_empty() { "" } else { "&" };
        query = format!(
            "{query}{sep}{}",
            admin_api::query::encode([("before", before)])
        );
    }
    let path = format!("/organization/projects/{project_id}/rate_limits");
    proxy::read(&state, &path, &query).await
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
