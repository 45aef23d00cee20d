//! The session, CSRF and role checks in front of every `/api/v1` route.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::session::{Role, Session};
use crate::{AppError, AppState};

/// The client's address, when the server knows it (it does when serving; `oneshot` tests may
/// set it with a `ConnectInfo` extension).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<std::net::IpAddr>);

impl ClientAddr {
    /// The address as text, or `unknown`.
    pub fn label(&self) -> String {
        self.0
            .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|info| info.0.ip()),
        ))
    }
}

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

/// The live session of this request, or 401. Behind a trusted SSO proxy, the proxy's header
/// decides who it is (403 if the role map lists them nowhere); otherwise the session cookie.
pub fn current(
    state: &AppState,
    headers: &HeaderMap,
    client: ClientAddr,
) -> Result<(String, Session), AppError> {
    if let Some(trusted) = &state.trusted_header
        && let Some(email) = trusted.identity(client.0, headers)
    {
        let role = trusted.roles.role_of(email).ok_or_else(|| {
            AppError::forbidden(
                "You are signed in, but Gatehouse's role map gives you no role.",
                "no_role",
            )
        })?;
        return Ok(state.sessions.for_identity(email, role));
    }
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
/// CSRF token and the owner role. The session is handed to the handler as an extension.
pub async fn require_session(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let client = ClientAddr(
        request
            .extensions()
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|info| info.0.ip()),
    );
    let checked = current(&state, request.headers(), client).and_then(|(_, session)| {
        if is_write(request.method()) {
            check_origin(&state, request.headers())?;
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
