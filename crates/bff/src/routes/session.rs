//! `/api/session`: sign in, who am I, sign out. Also `/api/meta`, what the sign-in page needs.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use cookie::{Cookie, SameSite};
use serde::{Deserialize, Serialize};

use super::guard::{self, ClientAddr};
use crate::session::{Role, Session};
use crate::throttle::Key;
use crate::{AppError, AppState};

/// The longest user name a sign-in may send: anything longer is refused before it is counted
/// or looked up (accounts have at most 64 characters).
pub const USERNAME_MAX: usize = 256;

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
    if form.username.len() > USERNAME_MAX {
        return Err(admin_api::ApiError::invalid_request(
            format!("The user name is longer than {USERNAME_MAX} bytes."),
            Some("username"),
        )
        .into());
    }
    // A bounded number of password checks at once: argon2 is slow on purpose, and a flood of
    // them would starve every other request. Beyond the bound, try again in a second.
    let Ok(_checking) = state.sign_in_permits.clone().try_acquire_owned() else {
        return Err(AppError::sign_in_busy());
    };
    let keys = [
        Key::Account(form.username.clone()),
        Key::Address(client.throttle_label()),
    ];
    state
        .throttle
        .begin(&keys)
        .await
        .map_err(|e| AppError::internal(&e))?
        .map_err(AppError::too_many_sign_ins)?;
    let account = state
        .accounts
        .verify(&form.username, &form.password)
        .await
        .map_err(|e| AppError::internal(&e))?;
    let Some(account) = account else {
        tracing::warn!(client = %client.label(), "a sign-in failed");
        return Err(AppError::new_unauthorized(
            "Incorrect username or password.",
            "invalid_credentials",
        ));
    };
    let internal = |e: anyhow::Error| AppError::internal(&e);
    state.throttle.succeeded(&keys).await.map_err(internal)?;
    if let Some(old) = guard::session_id(&state, &headers) {
        state.sessions.remove(&old).await.map_err(internal)?;
    }
    let (id, session) = state.sessions.create(&account).await.map_err(internal)?;
    let cookie = Cookie::build((guard::cookie_name(&state), id))
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
    let (_, session) = guard::current(&state, &headers, client).await?;
    Ok(Json(SessionInfo::from(&session)).into_response())
}

async fn sign_out(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let (id, session) = guard::current(&state, &headers, client).await?;
    guard::check_origin(&state, &headers)?;
    guard::check_csrf(&session, &headers)?;
    // A vouched-for identity has no cookie session to end: the proxy decides who is signed in.
    if let Some(id) = id {
        state
            .sessions
            .remove(&id)
            .await
            .map_err(|e| AppError::internal(&e))?;
    }
    let mut expired = Cookie::build((guard::cookie_name(&state), ""))
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
    /// Whether this request carries a live session: the app asks `/api/session` only then, so
    /// a signed-out visit meets no 401 (which the browser would log as a failed load).
    signed_in: bool,
}

/// `GET /api/meta`.
pub async fn meta(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
) -> Json<Meta> {
    let signed_in = guard::current(&state, &headers, client).await.is_ok();
    Json(Meta {
        demo: state.demo,
        signed_in,
    })
}
