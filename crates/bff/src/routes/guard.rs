//! The session, CSRF and role checks in front of every `/api/v1` route.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::session::{Role, Session};
use crate::{AppError, AppState};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "gatehouse_session";

/// The header every write carries, equal to the session's CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The session id in the request's cookies, if any.
pub fn session_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .flatten()
        .find(|c| c.name() == SESSION_COOKIE)
        .map(|c| c.value().to_owned())
}

/// The live session of this request, or 401.
pub fn current(state: &AppState, headers: &HeaderMap) -> Result<(String, Session), AppError> {
    let id = session_id(headers).ok_or_else(AppError::unauthenticated)?;
    let session = state
        .sessions
        .touch(&id)
        .ok_or_else(AppError::unauthenticated)?;
    Ok((id, session))
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

/// Lets a request through only with a live session; writes also need the CSRF token and the
/// owner role. The session is handed to the handler as an extension.
pub async fn require_session(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let checked = current(&state, request.headers()).and_then(|(_, session)| {
        if is_write(request.method()) {
            check_csrf(&session, request.headers())?;
            if session.role != Role::Owner {
                return Err(AppError::forbidden(
                    "Your role (auditor) can read but not change anything.",
                    "insufficient_role",
                ));
            }
        }
        Ok(session)
    });
    match checked {
        Ok(session) => {
            request.extensions_mut().insert(session);
            next.run(request).await
        }
        Err(error) => error.into_response(),
    }
}
