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

/// The admin keys whose redacted value matches the key the portal itself uses. Upstream cannot
/// say which key made a call, so this compares the visible end of each key's value; two keys
/// sharing it would both be listed, which errs on the side of caution. An error if the keys
/// could not all be read (more than 1,000), since a delete must not pass unchecked.
async fn own_key_ids(state: &AppState) -> Result<Vec<String>, AppError> {
    let mut ids = Vec::new();
    let mut query = ListAdminKeysQuery::default();
    query.paging.limit = Some(100);
    // Bounded: 10 pages of 100 keys.
    for page_number in 1..=10 {
        let response = proxy::read(
            state,
            "/organization/admin_api_keys",
            &query.to_query_string(),
        )
        .await?;
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 16 * 1024 * 1024)
            .await
            .map_err(|e| AppError::bad_gateway("OpenAI's answer broke off.", &e))?;
        if !status.is_success() {
            return Err(AppError::bad_gateway(
                "OpenAI did not list the admin keys.",
                &format!("upstream answered {status}"),
            ));
        }
        let page: admin_api::ListPage<admin_api::admin_api_keys::AdminApiKey> =
            serde_json::from_slice(&bytes).map_err(|e| {
                AppError::bad_gateway("OpenAI's answer was not a list of admin keys.", &e)
            })?;
        ids.extend(
            page.data
                .iter()
                .filter(|k| state.upstream.may_be_own_key(&k.redacted_value))
                .map(|k| k.id.clone()),
        );
        match (page.has_more, page.last_id) {
            (true, Some(_)) if page_number == 10 => {
                return Err(AppError {
                    status: axum::http::StatusCode::SERVICE_UNAVAILABLE,
                    error: admin_api::ApiError::invalid_request(
                        "The organization has more than 1,000 admin keys; Gatehouse could not check which one it runs on, so it deletes none.",
                        None,
                    ),
                    retry_after: None,
                });
            }
            (true, Some(last)) => query.paging.after = Some(last),
            _ => return Ok(ids),
        }
    }
    Ok(ids)
}

/// `GET /api/admin_key_in_use`: `{"ids": [...]}`, the admin keys the portal may be
/// using, so the app can mark them and refuse to delete them.
async fn key_in_use(
    State(state): State<AppState>,
) -> Result<axum::Json<serde_json::Value>, AppError> {
    let ids = own_key_ids(&state).await?;
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
    if own_key_ids(&state).await?.contains(&key_id) {
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
