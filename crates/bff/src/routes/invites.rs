//! Invites: list, create, retrieve, delete.

use admin_api::ids;
use admin_api::invites::InviteRequest;
use admin_api::query::Paging;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::Method;
use axum::response::Response;
use axum::routing::get;

use super::proxy;
use crate::{AppError, AppState};

/// The invites routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/organization/invites",
            get(list_invites).post(create_invite),
        )
        .route(
            "/organization/invites/{invite_id}",
            get(retrieve_invite).delete(delete_invite),
        )
        .route(
            "/sandbox/invites/{invite_id}/accept",
            axum::routing::post(simulate_acceptance),
        )
}

/// Demo mode only: the sandbox's control that makes the invited person accept. Against the real
/// API there is no such thing, and the route answers 404 like any unknown one.
async fn simulate_acceptance(
    State(state): State<AppState>,
    caller: proxy::Caller,
    Path(invite_id): Path<String>,
) -> Result<Response, AppError> {
    if !state.demo {
        return Err(AppError::not_found());
    }
    ids::invite_id(&invite_id)?;
    let path = format!("/sandbox/invites/{invite_id}/accept");
    proxy::write(&state, &caller, Method::POST, &path, None).await
}

async fn list_invites(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let paging = proxy::query(raw.as_deref(), Paging::take_from)?;
    proxy::read(&state, "/organization/invites", &paging.to_query_string()).await
}

async fn create_invite(
    State(state): State<AppState>,
    caller: proxy::Caller,
    body: Bytes,
) -> Result<Response, AppError> {
    let body = proxy::body(&body, InviteRequest::FIELDS, InviteRequest::validate)?;
    proxy::write(
        &state,
        &caller,
        Method::POST,
        "/organization/invites",
        Some(body),
    )
    .await
}

async fn retrieve_invite(
    State(state): State<AppState>,
    Path(invite_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    proxy::no_query(raw.as_deref())?;
    ids::invite_id(&invite_id)?;
    proxy::read(&state, &format!("/organization/invites/{invite_id}"), "").await
}

async fn delete_invite(
    State(state): State<AppState>,
    caller: proxy::Caller,
    Path(invite_id): Path<String>,
) -> Result<Response, AppError> {
    ids::invite_id(&invite_id)?;
    let path = format!("/organization/invites/{invite_id}");
    proxy::write(&state, &caller, Method::DELETE, &path, None).await
}
