//! Admin API keys: list, create, retrieve, delete. The created key's value passes to the browser
//! untouched and is never logged or journaled.

use admin_api::admin_api_keys::{AdminApiKeyCreate, ListAdminKeysQuery};
use admin_api::ids;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::Method;
use axum::response::Response;
use axum::routing::get;

use super::proxy;
use crate::{AppError, AppState};

/// The admin-key routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/organization/admin_api_keys",
            get(list_admin_keys).post(create_admin_key),
        )
        .route(
            "/organization/admin_api_keys/{key_id}",
            get(retrieve_admin_key).delete(delete_admin_key),
        )
}

/// The portal's own routes about admin keys (under `/api`, beside the journal).
pub fn portal_router() -> Router<AppState> {
    Router::new().route("/admin_key_in_use", get(key_in_use))
}

/// `GET /api/admin_key_in_use`: `{"ids": [...]}`, the admin keys the portal may be
/// using, so the app can mark them and refuse to delete them.
async fn key_in_use(
    State(state): State<AppState>,
) -> Result<axum::Json<serde_json::Value>, AppError> {
    let ids = state.upstream.own_key_ids().await?;
    Ok(axum::Json(serde_json::json!({ "ids": ids })))
}

async fn list_admin_keys(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let query = proxy::query(raw.as_deref(), ListAdminKeysQuery::take_from)?;
    proxy::read(
        &state,
        "/organization/admin_api_keys",
        &query.to_query_string(),
    )
    .await
}

async fn create_admin_key(
    State(state): State<AppState>,
    caller: proxy::Caller,
    body: Bytes,
) -> Result<Response, AppError> {
    // An admin key would outrank and outlive any token: a script gets one only from a person.
    if caller.session.token.is_some() {
        return Err(AppError::forbidden(
            "A Gatehouse token cannot make admin keys: a person makes them in the portal.",
            "token_cannot_make_admin_keys",
        ));
    }
    let body = proxy::body(
        &body,
        AdminApiKeyCreate::FIELDS,
        AdminApiKeyCreate::validate,
    )?;
    proxy::write(
        &state,
        &caller,
        Method::POST,
        "/organization/admin_api_keys",
        Some(body),
    )
    .await
}

async fn retrieve_admin_key(
    State(state): State<AppState>,
    Path(key_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    proxy::no_query(raw.as_deref())?;
    ids::admin_key_id(&key_id)?;
    proxy::read(
        &state,
        &format!("/organization/admin_api_keys/{key_id}"),
        "",
    )
    .await
}

async fn delete_admin_key(
    State(state): State<AppState>,
    caller: proxy::Caller,
    Path(key_id): Path<String>,
) -> Result<Response, AppError> {
    ids::admin_key_id(&key_id)?;
    if state.upstream.own_key_ids().await?.contains(&key_id) {
        return Err(AppError {
            status: axum::http::StatusCode::CONFLICT,
            error: admin_api::ApiError::invalid_request(
                "Gatehouse itself uses this admin key to reach OpenAI; deleting it would cut the portal off. Give Gatehouse another admin key and restart it, then delete this one.",
                Some("key_id"),
            ),
            retry_after: None,
        });
    }
    let path = format!("/organization/admin_api_keys/{key_id}");
    proxy::write(&state, &caller, Method::DELETE, &path, None).await
}
