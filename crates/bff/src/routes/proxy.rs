//! The shared mechanics of the allow-listed proxy: typed query and body rebuilding, reads, and
//! writes (sent once, never retried).

use admin_api::ApiError;
use admin_api::query::QueryPairs;
use axum::http::Method;
use axum::response::Response;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::journal;
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

/// Who asked for a write: the signed-in user, their address and the request's id.
#[derive(Debug, Clone)]
pub struct Caller {
    pub session: Session,
    pub client: String,
    pub request_id: String,
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        let session = parts
            .extensions
            .get::<Session>()
            .cloned()
            .ok_or_else(AppError::unauthenticated)?;
        let client = crate::client::ClientAddr::from_request_parts(parts, state)
            .await
            .map_or_else(|never| match never {}, |c| c.label());
        let request_id = parts
            .headers
            .get(crate::middleware::REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        Ok(Self {
            session,
            client,
            request_id,
        })
    }
}

/// Forwards a write for `caller`, exactly once, journaled before and after. If the journal
/// cannot record the request, the write is not made; once it is sent, upstream's answer always
/// reaches the person (a result row the journal refuses waits in memory).
///
/// The write runs in a task of its own: if the browser goes away mid-request, the change may
/// still be made upstream, so it is seen through and journaled all the same.
pub async fn write(
    state: &AppState,
    caller: &Caller,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Result<Response, AppError> {
    let task = tokio::spawn(forward_write(
        state.clone(),
        caller.clone(),
        method,
        path.to_owned(),
        body,
    ));
    task.await.map_err(|e| AppError::internal(&e))?
}

async fn forward_write(
    state: AppState,
    caller: Caller,
    method: Method,
    path: String,
    body: Option<Value>,
) -> Result<Response, AppError> {
    let path = path.as_str();
    // Shutdown waits for this write to be journaled (see `serve`).
    let _in_flight = state.journal.as_ref().map(journal::Journal::write_started);
    let entry = journal::Request {
        request_id: caller.request_id.clone(),
        username: caller.session.username.clone(),
        role: caller.session.role.as_str().to_owned(),
        client: caller.client.clone(),
        method: method.to_string(),
        path: path.to_owned(),
        body: body.clone(),
    };
    if let Some(journal) = &state.journal {
        journal
            .record_request(&entry)
            .await
            .map_err(|e| AppError::internal(&e))?;
    }
    tracing::info!(user = %caller.session.username, %method, path, "forwarding a write");
    let result = state.upstream.send(method, path, "", body).await;
    // Whatever upstream answered, it may have changed: the archive's next reader catches up.
    if let Some(archive) = &state.archive {
        archive.mark_stale();
    }
    let Some(journal) = &state.journal else {
        return result;
    };
    let (response, outcome) = match result {
        Ok(response) => {
            let (response, outcome) = outcome_of(response).await?;
            (Ok(response), outcome)
        }
        Err(error) => {
            let delivery = match error.code() {
                Some(crate::error::UNREACHABLE) => journal::Delivery::NotSent,
                Some(crate::error::OUTCOME_UNKNOWN) => journal::Delivery::Unknown,
                _ => journal::Delivery::Answered,
            };
            let outcome = journal::Outcome {
                delivery,
                status: error.status.as_u16(),
                ..journal::Outcome::default()
            };
            (Err(error), outcome)
        }
    };
    journal.record_outcome(&entry, &outcome).await;
    response
}

/// Reads the answer's status, upstream request id and object id (never its secrets), and
/// rebuilds the answer unchanged.
async fn outcome_of(response: Response) -> Result<(Response, journal::Outcome), AppError> {
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 16 * 1024 * 1024)
        .await
        .map_err(|e| AppError::internal(&e))?;
    let object_id = serde_json::from_slice::<Value>(&bytes)
        .ok()
        .and_then(|v| v.get("id")?.as_str().map(str::to_owned));
    let outcome = journal::Outcome {
        delivery: journal::Delivery::Answered,
        status: parts.status.as_u16(),
        upstream_request_id: parts
            .headers
            .get(crate::middleware::UPSTREAM_REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        object_id,
    };
    Ok((
        Response::from_parts(parts, axum::body::Body::from(bytes)),
        outcome,
    ))
}

/// Refuses any query parameter on an operation that takes none.
pub fn no_query(raw: Option<&str>) -> Result<(), AppError> {
    query(raw, |_| Ok(()))
}
