//! `/api/tokens`: a person's tokens for scripts. Everyone signed in may list, make (`read`;
//! `write` for owners) and revoke their own; owners see and may revoke everyone's. These routes
//! take a signed-in person only: a token is refused here, so a leaked one cannot mint more.
//! Making and revoking are journaled (never the value).

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::guard::{self, ClientAddr};
use crate::journal;
use crate::session::{Role, Session};
use crate::tokens::{Access, CreateError, NewToken, Source, Token};
use crate::{AppError, AppState};

/// The token routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/tokens", get(list_tokens).post(create_token))
        .route("/tokens/{token_id}", delete(revoke_token))
}

/// The signed-in person (a token is refused by `guard::current`).
async fn person(
    state: &AppState,
    headers: &HeaderMap,
    client: ClientAddr,
) -> Result<Session, AppError> {
    guard::current(state, headers, client)
        .await
        .map(|(_, session)| session)
}

/// The signed-in person making a change: also an allowed origin, the CSRF token, no query.
async fn person_changing(
    state: &AppState,
    headers: &HeaderMap,
    client: ClientAddr,
    query: Option<&str>,
) -> Result<Session, AppError> {
    let session = person(state, headers, client).await?;
    guard::check_origin(state, headers)?;
    guard::check_csrf(&session, headers)?;
    super::proxy::no_query(query)?;
    Ok(session)
}

#[derive(Serialize)]
struct TokenList {
    object: &'static str,
    data: Vec<Token>,
    /// Requests per second each token may make.
    rate_limit_per_second: u32,
}

async fn list_tokens(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Json<TokenList>, AppError> {
    super::proxy::no_query(raw.as_deref())?;
    let session = person(&state, &headers, client).await?;
    let whose = (session.role != Role::Owner).then_some(session.username.as_str());
    let data = state
        .tokens
        .list(whose)
        .await
        .map_err(|e| AppError::internal(&e))?;
    Ok(Json(TokenList {
        object: "list",
        data,
        rate_limit_per_second: state.tokens.rate,
    }))
}

/// What the Tokens page sends.
#[derive(Deserialize)]
struct CreateBody {
    name: String,
    access: Access,
    expires_in_days: Option<u32>,
    #[serde(default)]
    allowed_from: Vec<String>,
}

/// A new token with its value: shown once.
#[derive(Serialize)]
struct Created {
    token: Token,
    value: String,
}

async fn create_token(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Result<Response, AppError> {
    let session = person_changing(&state, &headers, client, raw.as_deref()).await?;
    let form: CreateBody = admin_api::body::parse(
        &body,
        &["name", "access", "expires_in_days", "allowed_from"],
    )?;
    let days = form.expires_in_days.unwrap_or(30);
    let new = NewToken {
        username: session.username.clone(),
        source: if session.credential.is_some() {
            Source::Account
        } else {
            Source::Identity
        },
        role: session.role,
        name: form.name,
        access: form.access,
        lifetime: Duration::from_secs(u64::from(days) * 24 * 3600),
        allowed_from: crate::tokens::parse_ranges(form.allowed_from.iter().map(String::as_str))?,
    };
    let (token, value) = state.tokens.create(&new).await.map_err(|e| match e {
        CreateError::Invalid(error) => AppError::from(error),
        CreateError::Store(error) => AppError::internal(&error),
    })?;
    // A token the journal cannot record is not handed out.
    if let Err(error) = record(&state, &session, client, &headers, Method::POST, &token).await {
        let _ = state
            .tokens
            .revoke(&token.id, "gatehouse (not journaled)")
            .await;
        return Err(error);
    }
    tracing::info!(user = %session.username, token = %token.id, access = token.access.as_str(), "a token was made");
    Ok((StatusCode::CREATED, Json(Created { token, value })).into_response())
}

async fn revoke_token(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
    Path(token_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Token>, AppError> {
    let session = person_changing(&state, &headers, client, raw.as_deref()).await?;
    let internal = |e: anyhow::Error| AppError::internal(&e);
    let visible = |t: &Token| session.role == Role::Owner || t.username == session.username;
    let Some(token) = state
        .tokens
        .find(&token_id)
        .await
        .map_err(internal)?
        .filter(visible)
    else {
        return Err(AppError::with_status(
            StatusCode::NOT_FOUND,
            "No such token among those you may revoke.",
            "token_not_found",
        ));
    };
    // Revoking twice changes nothing and is answered the same.
    if state
        .tokens
        .revoke(&token.id, &session.username)
        .await
        .map_err(internal)?
    {
        record(&state, &session, client, &headers, Method::DELETE, &token).await?;
        tracing::info!(user = %session.username, token = %token.id, "a token was revoked");
    }
    let token = state
        .tokens
        .find(&token.id)
        .await
        .map_err(internal)?
        .ok_or_else(AppError::not_found)?;
    Ok(Json(token))
}

/// Journals a token made or revoked: who, and the token's id, name, owner and access.
async fn record(
    state: &AppState,
    session: &Session,
    client: ClientAddr,
    headers: &HeaderMap,
    method: Method,
    token: &Token,
) -> Result<(), AppError> {
    let Some(journal) = &state.journal else {
        return Ok(());
    };
    let path = match method {
        Method::POST => "/api/tokens".to_owned(),
        _ => format!("/api/tokens/{}", token.id),
    };
    let request = journal::Request {
        request_id: headers
            .get(crate::middleware::REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned(),
        username: session.username.clone(),
        role: session.role.as_str().to_owned(),
        client: client.label(),
        method: method.to_string(),
        path,
        body: Some(serde_json::json!({
            "token_id": token.id,
            "name": token.name,
            "owner": token.username,
            "access": token.access,
            "expires_at": token.expires_at,
            "allowed_from": token.allowed_from,
        })),
        token: None,
    };
    let outcome = journal::Outcome {
        status: if method == Method::POST { 201 } else { 200 },
        object_id: Some(token.id.clone()),
        ..journal::Outcome::default()
    };
    journal
        .record_action(&request, &outcome)
        .await
        .map_err(|e| AppError::internal(&e))
}
