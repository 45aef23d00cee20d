//! Admin API keys: list, create, retrieve, delete. The created key's value passes to the browser
//! untouched and is never logged or journaled.

use admin_api::admin_api_keys::AdminApiKeyCreate;
use admin_api::query::Paging;
use admin_api::{ids, validate};
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

async fn list_admin_keys(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let (paging, order) = proxy::query(raw.as_deref(), |pairs| {
        let paging = Paging::take_from(pairs)?;
        let order = pairs.one("order")?;
        if let Some(order) = &order {
            validate::one_of(order, &["asc", "desc"], "order")?;
        }
        Ok((paging, order))
    })?;
    let mut query = paging.to_query_string();
    if let Some(order) = order {
        let sep = if query.is_empty() { "" } else { "&" };
        query = format!(
            "{query}{sep}{}",
            admin_api::query::encode([("order", order)])
        );
    }
    proxy::read(&state, "/organization/admin_api_keys", &query).await
}

async fn create_admin_key(
    State(state): State<AppState>,
    caller: proxy::Caller,
    body: Bytes,
) -> Result<Response, AppError> {
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
    let path = format!("/organization/admin_api_keys/{key_id}");
    proxy::write(&state, &caller, Method::DELETE, &path, None).await
}
