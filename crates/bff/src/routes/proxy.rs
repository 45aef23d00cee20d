//! The shared mechanics of the allow-listed proxy: typed query and body rebuilding, reads, and
//! writes (sent once, never retried).

use admin_api::ApiError;
use admin_api::query::QueryPairs;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
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
    /// When a script calls with a token: what its writes' replays need.
    pub token_call: Option<super::guard::TokenCall>,
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
            token_call: parts.extensions.get::<super::guard::TokenCall>().cloned(),
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
    if let (Some(call), Some(token)) = (&caller.token_call, &caller.session.token) {
        return token_write(state, caller, call, &token.id, method, path, body).await;
    }
    let task = tokio::spawn(forward_write(
        state.clone(),
        caller.clone(),
        method,
        path.to_owned(),
        body,
    ));
    task.await.map_err(|e| AppError::internal(&e))?
}

/// A token's write: made at most once however often the client retries it (see `tokens`).
/// The first attempt is forwarded as any write, and its answer kept, sealed, for the
/// retries; a retry of it is answered from there and never forwarded.
async fn token_write(
    state: &AppState,
    caller: &Caller,
    call: &super::guard::TokenCall,
    token_id: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Result<Response, AppError> {
    use crate::tokens::Claim;
    let internal = |e: anyhow::Error| AppError::internal(&e);
    let (key, fingerprint) = crate::tokens::replay_key(
        method.as_str(),
        path,
        body.as_ref(),
        call.idempotency_key.as_deref(),
    );
    let first_attempt = call.idempotency_key.is_none() && call.retry_count == 0;
    let claim = state
        .tokens
        .claim(token_id, &key, &fingerprint, first_attempt, &call.seal)
        .await
        .map_err(internal)?;
    let attempt = match claim {
        Claim::Proceed(attempt) => attempt,
        Claim::UnderWay => {
            let mut error = AppError::with_status(
                StatusCode::CONFLICT,
                "The same write from this token is still under way, so it was not sent again. \
                 Its answer will be given to the next retry.",
                "write_under_way",
            );
            error.retry_after = Some(1);
            return Err(error);
        }
        Claim::Answered { status, body } => {
            tracing::info!(token = %token_id, path, "a retried write was answered from its first attempt");
            let mut response = Response::new(axum::body::Body::from(body));
            *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            headers.insert("x-gatehouse-replayed", HeaderValue::from_static("true"));
            return Ok(response);
        }
        Claim::Mismatch => {
            return Err(AppError::from(
                admin_api::ApiError::invalid_request(
                    "This Idempotency-Key was already used for a different request.",
                    None,
                )
                .with_code("idempotency_key_reused"),
            ));
        }
    };
    let task = tokio::spawn({
        let (state, caller, path, key, token_id) = (
            state.clone(),
            caller.clone(),
            path.to_owned(),
            key.clone(),
            token_id.to_owned(),
        );
        let seal = call.seal.clone();
        async move {
            let response = match forward_write(state.clone(), caller, method, path, body).await {
                Ok(response) => response,
                Err(error) if error.code() == Some(crate::error::UNREACHABLE) => {
                    // Nothing was sent: a retry may send it.
                    if let Err(e) = state.tokens.release(&token_id, &key, &attempt).await {
                        tracing::error!(error = %e, "a token's unsent write could not be released for its retry");
                    }
                    let mut response = error.into_response();
                    response
                        .headers_mut()
                        .insert(super::guard::SHOULD_RETRY, HeaderValue::from_static("true"));
                    return Ok(response);
                }
                Err(error) => error.into_response(),
            };
            let (parts, bytes) = response.into_parts();
            let bytes = axum::body::to_bytes(bytes, 16 * 1024 * 1024)
                .await
                .map_err(|e| AppError::internal(&e))?;
            if let Err(e) = state
                .tokens
                .settle(
                    &token_id,
                    &key,
                    &attempt,
                    parts.status.as_u16(),
                    &bytes,
                    &seal,
                )
                .await
            {
                // The write is made and journaled; only its retries cannot be answered from
                // here now: they find the claim under way and are told to wait.
                tracing::error!(error = %e, "a token's write answer could not be kept for its retries");
            }
            Ok(Response::from_parts(parts, axum::body::Body::from(bytes)))
        }
    });
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
        token: caller.session.token.clone(),
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
            let (response, mut outcome) = outcome_of(response).await?;
            if outcome.object_id.is_none() && (200..300).contains(&outcome.status) {
                outcome.object_id = principal_of(path, entry.body.as_ref());
            }
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

/// The user or group a role assignment or a project grant is about, for writes whose answer
/// has no `id`: upstream's `role.assignment.*` event names that principal, so the journal row
/// must too, for the event to be attributed to it. Other such writes (a group's members) make
/// no event.
fn principal_of(path: &str, body: Option<&Value>) -> Option<String> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        ["organization", "groups" | "users", principal, "roles", ..] => {
            Some((*principal).to_owned())
        }
        ["organization", "projects", _, "groups", group] => Some((*group).to_owned()),
        ["organization", "projects", _, "groups"] => {
            body?.get("group_id")?.as_str().map(str::to_owned)
        }
        _ => None,
    }
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
