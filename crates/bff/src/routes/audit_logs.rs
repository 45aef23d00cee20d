//! Audit logs: the allow-listed, read-only `/organization/audit_logs` list, with every filter
//! rebuilt from the typed query.

use admin_api::audit_logs::ListAuditLogsQuery;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use axum::routing::get;

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
    proxy::read(&state, "/organization/audit_logs", &query.to_query_string()).await
}
