//! Project service accounts: list, create, retrieve, update, delete, and new keys. The one-time
//! key values in the answers pass to the browser untouched and are never logged or journaled.

use admin_api::ids;
use admin_api::query::Paging;
use admin_api::service_accounts::{
    ServiceAccountApiKeyCreate, ServiceAccountCreate, ServiceAccountUpdate,
};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::Method;
use axum::response::Response;
use axum::routing::{get, post};

use super::proxy;
use crate::{AppError, AppState};

/// The service-account routes.
pub fn router() -> Router<AppState> {
    let one = "/organization/projects/{project_id}/service_accounts/{service_account_id}";
    Router::new()
        .route(
            "/organization/projects/{project_id}/service_accounts",
            get(list_service_accounts).post(create_service_account),
        )
        .route(
            one,
            get(retrieve_service_account)
                .post(update_service_account)
                .delete(delete_service_account),
        )
        .route(&format!("{one}/api_keys"), post(create_service_account_key))
}

fn account_path(project_id: &str, account_id: &str) -> Result<String, AppError> {
    ids::project_id(project_id)?;
    ids::service_account_id(account_id)?;
    Ok(format!(
        "/organization/projects/{project_id}/service_accounts/{account_id}"
    ))
}

async fn list_service_accounts(
    State(state): State<AppState>,
    Path(project_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    ids::project_id(&project_id)?;
    let paging = proxy::query(raw.as_deref(), Paging::take_from)?;
    let path = format!("/organization/projects/{project_id}/service_accounts");
    proxy::read(&state, &path, &paging.to_query_string()).await
}

async fn create_service_account(
    State(state): State<AppState>,
    caller: proxy::Caller,
    Path(project_id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    ids::project_id(&project_id)?;
    let body = proxy::body(
        &body,
        ServiceAccountCreate::FIELDS,
        ServiceAccountCreate::validate,
    )?;
    let path = format!("/organization/projects/{project_id}/service_accounts");
    proxy::write(&state, &caller, Method::POST, &path, Some(body)).await
}

async fn retrieve_service_account(
    State(state): State<AppState>,
    Path((project_id, account_id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    proxy::no_query(raw.as_deref())?;
    proxy::read(&state, &account_path(&project_id, &account_id)?, "").await
}

async fn update_service_account(
    State(state): State<AppState>,
    caller: proxy::Caller,
    Path((project_id, account_id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let path = account_path(&project_id, &account_id)?;
    let body = proxy::body(
        &body,
        ServiceAccountUpdate::FIELDS,
        ServiceAccountUpdate::validate,
    )?;
    proxy::write(&state, &caller, Method::POST, &path, Some(body)).await
}

async fn delete_service_account(
    State(state): State<AppState>,
    caller: proxy::Caller,
    Path((project_id, account_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let path = account_path(&project_id, &account_id)?;
    proxy::write(&state, &caller, Method::DELETE, &path, None).await
}

async fn create_service_account_key(
    State(state): State<AppState>,
    caller: proxy::Caller,
    Path((project_id, account_id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let path = format!("{}/api_keys", account_path(&project_id, &account_id)?);
    let body = if body.is_empty() {
        serde_json::json!({})
    } else {
        proxy::body(
            &body,
            ServiceAccountApiKeyCreate::FIELDS,
            ServiceAccountApiKeyCreate::validate,
        )?
    };
    proxy::write(&state, &caller, Method::POST, &path, Some(body)).await
}
