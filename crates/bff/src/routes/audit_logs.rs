//! Audit logs: the allow-listed, read-only `/organization/audit_logs` list, with every filter
//! rebuilt from the typed query. The answer is upstream's page plus `attributions`: event id →
//! the portal user behind it (see `crate::attribution`); the events stay as upstream wrote them.

use admin_api::audit_logs::{AuditLog, ListAuditLogsQuery};
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use axum::routing::get;
use serde_json::Value;

use super::proxy;
use crate::{AppError, AppState};

/// The audit-log routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/organization/audit_logs", get(list_audit_logs))
}

async fn list_audit_logs(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let query = proxy::query(raw.as_deref(), ListAuditLogsQuery::take_from)?;
    let response =
        proxy::read(&state, "/organization/audit_logs", &query.to_query_string()).await?;
    if !response.status().is_success() {
        return Ok(response);
    }
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024 * 1024)
        .await
        .map_err(|e| AppError::bad_gateway("OpenAI's answer broke off.", &e))?;
    let mut page: serde_json::Map<String, Value> = serde_json::from_slice(&bytes).map_err(|e| {
        AppError::bad_gateway("OpenAI's answer was not a list of audit events.", &e)
    })?;
    let events: Vec<AuditLog> = page
        .get("data")
        .and_then(Value::as_array)
        .map(|data| {
            data.iter()
                .filter_map(|e| serde_json::from_value(e.clone()).ok())
                .collect()
        })
        .unwrap_or_default();
    let attributions = crate::attribution::on_the_fly(&state, &events).await;
    page.insert(
        "attributions".into(),
        serde_json::to_value(attributions).map_err(|e| AppError::internal(&e))?,
    );
    let body = serde_json::to_vec(&page).map_err(|e| AppError::internal(&e))?;
    Ok(Response::from_parts(parts, axum::body::Body::from(body)))
}
