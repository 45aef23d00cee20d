//! The shared mechanics of the allow-listed proxy: typed query and body rebuilding, reads, and
//! writes (sent once, never retried).

use admin_api::ApiError;
use admin_api::query::QueryPairs;
use axum::http::Method;
use axum::response::Response;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::session::Session;
use crate::{AppError, AppState};

/// Reads a typed query with `take`, refusing any parameter it did not take.
pub fn query<Q>(
    raw: Option<&str>,
    take: impl FnOnce(&mut QueryPairs) -> Result<Q, ApiError>,
) -> Result<Q, AppError> {
    let mut pairs = QueryPairs::parse(raw);
    let query = take(&mut pairs)?;
    pairs.deny_unknown()?;
    Ok(query)
}

/// Decodes a body as `T` (known `fields` only), checks it with `validate`, and re-encodes it:
/// upstream receives what the typed struct holds, never the browser's bytes.
pub fn body<T: DeserializeOwned + Serialize>(
    bytes: &[u8],
    fields: &[&str],
    validate: impl FnOnce(&T) -> Result<(), ApiError>,
) -> Result<Value, AppError> {
    let typed: T = admin_api::body::parse(bytes, fields)?;
    validate(&typed)?;
    serde_json::to_value(typed).map_err(|e| AppError::internal(&e))
}

/// Forwards a read.
pub async fn read(state: &AppState, path: &str, query: &str) -> Result<Response, AppError> {
    state.upstream.send(Method::GET, path, query, None).await
}

/// Forwards a write on behalf of `session`, exactly once.
pub async fn write(
    state: &AppState,
    session: &Session,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Result<Response, AppError> {
    tracing::info!(user = %session.username, %method, path, "forwarding a write");
    state.upstream.send(method, path, "", body).await
}

/// Refuses any query parameter on an operation that takes none.
pub fn no_query(raw: Option<&str>) -> Result<(), AppError> {
    query(raw, |_| Ok(()))
}
