//! The session, CSRF and role checks in front of every `/api/v1` route.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub use crate::client::ClientAddr;
use crate::session::{Role, Session};
use crate::{AppError, AppState};

/// The session cookie's name over plain http.
pub const SESSION_COOKIE: &str = "gatehouse_session";

/// Its name over https: the `__Host-` prefix makes browsers refuse it unless it is `Secure`,
/// for `Path=/` and without a `Domain`, so no sibling subdomain can plant or overwrite it.
pub const SECURE_SESSION_COOKIE: &str = "__Host-gatehouse_session";

/// The session cookie's name for this deployment.
pub fn cookie_name(state: &AppState) -> &'static str {
    if state.secure_cookies {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

/// The header every write carries, equal to the session's CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The session id in the request's cookies, if any.
pub fn session_id(state: &AppState, headers: &HeaderMap) -> Option<String> {
    let name = cookie_name(state);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .flatten()
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// The live session of this request with its cookie id (none for a vouched-for identity), or
/// 401. Behind a trusted SSO proxy, the proxy's header decides who it is (403 if the role map
/// lists them nowhere); otherwise the session cookie, whose account must still hold the
/// password it signed in with.
pub async fn current(
    state: &AppState,
    headers: &HeaderMap,
    client: ClientAddr,
) -> Result<(Option<String>, Session), AppError> {
    if let Some(trusted) = &state.trusted_header
        && let Some(email) = trusted.identity(client, headers)?
    {
        let role = trusted.roles.role_of(&email).ok_or_else(|| {
            AppError::forbidden(
                "You are signed in, but Gatehouse's role map gives you no role.",
                "no_role",
            )
        })?;
        let session = state
            .sessions
            .for_identity(&email, role)
            .await
            .map_err(|e| AppError::internal(&e))?;
        return Ok((None, session));
    }
    let id = session_id(state, headers).ok_or_else(AppError::unauthenticated)?;
    let session = state
        .sessions
        .touch(&id)
        .await
        .map_err(|e| AppError::internal(&e))?
        .ok_or_else(AppError::unauthenticated)?;
    if let Some(credential) = &session.credential {
        let now = state
            .accounts
            .current_hash(&session.username)
            .await
            .map_err(|e| AppError::internal(&e))?;
        if now.as_deref().map(crate::session::digest).as_ref() != Some(credential) {
            state
                .sessions
                .remove(&id)
                .await
                .map_err(|e| AppError::internal(&e))?;
            tracing::info!(user = %session.username, "a session ended: its account was removed or its password changed");
            return Err(AppError::unauthenticated());
        }
    }
    Ok((Some(id), session))
}

/// The checks a write passes on top of a live session.
fn check_write(state: &AppState, session: &Session, request: &Request) -> Result<(), AppError> {
    check_origin(state, request.headers())?;
    check_csrf(session, request.headers())?;
    if session.role != Role::Owner {
        return Err(AppError::forbidden(
            "Your role (auditor) can read but not change anything.",
            "insufficient_role",
        ));
    }
    super::proxy::no_query(request.uri().query())
}

/// Whether a method changes something (everything but GET and HEAD).
pub fn is_write(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD)
}

/// 403 unless a write carries the session's CSRF token.
pub fn check_csrf(session: &Session, headers: &HeaderMap) -> Result<(), AppError> {
    let presented = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
    // Both tokens are ours and the same length; a timing difference reveals nothing usable
    // because a wrong guess is answered the same way whatever its prefix.
    if presented == Some(session.csrf_token.as_str()) {
        Ok(())
    } else {
        Err(AppError::forbidden(
            "This change is missing a valid X-CSRF-Token header. Reload the page and try again.",
            "csrf_failed",
        ))
    }
}

/// 403 if a write names an `Origin` that is not the portal's own. Browsers send `Origin` with
/// every non-GET fetch; a request without one (a script using its session cookie) still needs
/// the CSRF token.
pub fn check_origin(state: &AppState, headers: &HeaderMap) -> Result<(), AppError> {
    match headers
        .get(header::ORIGIN)
        .map(|v| v.to_str().unwrap_or_default())
    {
        None => Ok(()),
        Some(origin) if state.allowed_origins.iter().any(|o| o == origin) => Ok(()),
        Some(_) => Err(AppError::forbidden(
            "This change comes from a page on another address, so it was refused. If that address \
             is the portal's own, start Gatehouse with --public-url set to it.",
            "origin_mismatch",
        )),
    }
}

/// Lets a request through only with a live session; writes also need an allowed origin, the
/// CSRF token and the owner role, and may carry no query string (no write of the Admin API
/// takes one, and a dropped parameter would be a change the person did not ask for). The
/// session is handed to the handler as an extension.
pub async fn require_session(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let client = request
        .extensions()
        .get::<ClientAddr>()
        .copied()
        .unwrap_or_default();
    let checked = match current(&state, request.headers(), client).await {
        Ok((_, session)) if is_write(request.method()) => {
            check_write(&state, &session, &request).map(|()| session)
        }
        other => other.map(|(_, session)| session),
    };
    match checked {
        Ok(session) => {
            request.extensions_mut().insert(session);
            next.run(request).await
        }
        Err(error) => error.into_response(),
    }
}
