//! Audit logs: the allow-listed, read-only `/organization/audit_logs` list, with every filter
//! rebuilt from the typed query.

use admin_api::audit_logs::ListAuditLogsQuery;
use admin_api::query::QueryPairs;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::Method;
use axum::response::Response;
use axum::routing::get;

use crate::{AppError, AppState};

/// The audit-log routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/organization/audit_logs", get(list_audit_logs))
}

async fn list_audit_logs(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let mut pairs = QueryPairs::parse(raw.as_deref());
    let query = ListAuditLogsQuery::take_from(&mut pairs)?;
    pairs.deny_unknown()?;
    let path = "/organization/audit_logs";
    state
        .upstream
        .send(Method::GET, path, &query.to_query_string(), None)
        .await
}
