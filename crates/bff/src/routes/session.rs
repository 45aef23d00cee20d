//! `/api/session`: sign in, who am I, sign out. Also `/api/meta`, what the sign-in page needs.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use cookie::{Cookie, SameSite};
use serde::{Deserialize, Serialize};

use super::guard::{self, ClientAddr, SESSION_COOKIE};
use crate::session::{Role, Session};
use crate::{AppError, AppState};

/// The session routes.
pub fn router() -> Router<AppState> {
    Router::new().route(
        "/session",
        post(sign_in).get(current_session).delete(sign_out),
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignIn {
    username: String,
    password: String,
}

/// What the app learns about its session.
#[derive(Serialize)]
struct SessionInfo<'a> {
    username: &'a str,
    role: Role,
    csrf_token: &'a str,
}

impl<'a> From<&'a Session> for SessionInfo<'a> {
    fn from(session: &'a Session) -> Self {
        Self {
            username: &session.username,
            role: session.role,
            csrf_token: &session.csrf_token,
        }
    }
}

async fn sign_in(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    guard::check_origin(&state, &headers)?;
    let form: SignIn = admin_api::body::parse(&body, &["username", "password"])?;
    let keys = [
        format!("user:{}", form.username),
        format!("ip:{}", client.label()),
    ];
    if let Some(wait) = state.throttle.locked(&keys) {
        return Err(AppError::too_many_sign_ins(wait));
    }
    let account = state
        .accounts
        .verify(&form.username, &form.password)
        .await
        .map_err(|e| AppError::internal(&e))?;
    let Some(account) = account else {
        state.throttle.failed(&keys);
        tracing::warn!(client = %client.label(), "a sign-in failed");
        return Err(AppError::new_unauthorized(
            "Incorrect username or password.",
            "invalid_credentials",
        ));
    };
    state.throttle.succeeded(&keys);
    if let Some(old) = guard::session_id(&headers) {
        state.sessions.remove(&old);
    }
    let (id, session) = state.sessions.create(&account);
    let cookie = Cookie::build((SESSION_COOKIE, id))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.secure_cookies)
        .path("/")
        .build();
    let mut response = Json(SessionInfo::from(&session)).into_response();
    set_cookie(&mut response, &cookie)?;
    Ok(response)
}

async fn current_session(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let (_, session) = guard::current(&state, &headers, client)?;
    Ok(Json(SessionInfo::from(&session)).into_response())
}

async fn sign_out(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let (id, session) = guard::current(&state, &headers, client)?;
    guard::check_origin(&state, &headers)?;
    guard::check_csrf(&session, &headers)?;
    state.sessions.remove(&id);
    let mut expired = Cookie::build((SESSION_COOKIE, ""))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.secure_cookies)
        .path("/")
        .build();
    expired.make_removal();
    let mut response = StatusCode::NO_CONTENT.into_response();
    set_cookie(&mut response, &expired)?;
    Ok(response)
}

fn set_cookie(response: &mut Response, cookie: &Cookie<'_>) -> Result<(), AppError> {
    let value = HeaderValue::from_str(&cookie.to_string()).map_err(|e| AppError::internal(&e))?;
    response.headers_mut().append(header::SET_COOKIE, value);
    Ok(())
}

/// What the sign-in page may know before anyone signs in.
#[derive(Serialize)]
pub struct Meta {
    demo: bool,
}

/// `GET /api/meta`.
pub async fn meta(State(state): State<AppState>) -> Json<Meta> {
    Json(Meta { demo: state.demo })
}
