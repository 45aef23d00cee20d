//! The session, CSRF and role checks in front of every `/api/v1` route, and the token checks
//! of the routes that scripts may use (`require_session_or_token`).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub use crate::client::ClientAddr;
use crate::session::{Role, Session};
use crate::throttle::Key;
use crate::tokens::{Access, Refusal, SealKey, Source};
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
    if presented_token(headers).is_some() {
        return Err(AppError::forbidden(
            "Gatehouse tokens are not accepted on the portal's own session, account and token \
             routes: a token reaches only /api/v1, the archive, exports and the key-hygiene \
             report.",
            "token_not_accepted",
        ));
    }
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

/// The checks a token's write passes: an allowed origin if it names one, write access (and
/// an owner behind it), and no query string.
fn check_token_write(
    state: &AppState,
    session: &Session,
    request: &Request,
) -> Result<(), AppError> {
    check_origin(state, request.headers())?;
    if session.role != Role::Owner {
        let read_only = session
            .token
            .as_ref()
            .is_some_and(|t| t.access == Access::Read);
        return Err(if read_only {
            AppError::forbidden(
                "This token has read access only: it cannot change anything.",
                "token_read_only",
            )
        } else {
            AppError::forbidden(
                "This token's account is now an auditor, so the token can only read.",
                "insufficient_role",
            )
        });
    }
    super::proxy::no_query(request.uri().query())
}

/// The Gatehouse token in `Authorization: Bearer ghtk_…`, if the request carries one. Any
/// other `Authorization` (a proxy's own bearer, an OpenAI key) is not a Gatehouse token.
pub fn presented_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && token.starts_with(crate::tokens::PREFIX))
        .then_some(token)
}

/// The header by which the official SDKs let a server say whether to retry.
pub const SHOULD_RETRY: &str = "x-should-retry";

/// What a token's write needs beyond its session: the key its answers are sealed with for
/// retries, and whether the client says it is retrying.
#[derive(Debug, Clone)]
pub struct TokenCall {
    pub seal: Arc<SealKey>,
    /// The client's `Idempotency-Key`, if it sent one.
    pub idempotency_key: Option<String>,
    /// `X-Stainless-Retry-Count`: 0 for a first attempt (or a client that does not say).
    pub retry_count: u32,
}

/// The one-request session of a token, after every check a token passes: not beside a
/// session, not from a locked address, known, live, from an allowed address, its person still
/// there (their role now caps its access), and within its rate.
async fn token_session(
    state: &AppState,
    headers: &HeaderMap,
    client: ClientAddr,
    value: &str,
) -> Result<Session, AppError> {
    let internal = |e: anyhow::Error| AppError::internal(&e);
    let identity = match &state.trusted_header {
        Some(trusted) => trusted.identity(client, headers)?,
        None => None,
    };
    if session_id(state, headers).is_some() || identity.is_some() {
        return Err(AppError::from(
            admin_api::ApiError::invalid_request(
                "This request carries both a portal session and a Gatehouse token: send one or \
                 the other.",
                None,
            )
            .with_code("ambiguous_credentials"),
        ));
    }
    let address = [Key::Address(client.throttle_label())];
    if let Some(wait) = state.throttle.locked(&address).await.map_err(internal)? {
        return Err(too_many_failures(wait));
    }
    let token = match state.tokens.authenticate(value).await.map_err(internal)? {
        Ok(token) => token,
        Err(Refusal::Unknown) => return Err(wrong_token(state, client).await),
        Err(refusal) => {
            tracing::warn!(client = %client.label(), ?refusal, "a token was refused");
            return Err(refused(&refusal));
        }
    };
    if !token.allows(client.ip) {
        tracing::warn!(client = %client.label(), token = %token.id, "a token was used from outside its address ranges");
        return Err(AppError::forbidden(
            &format!(
                "This token may be used only from {}; this request came from {}.",
                token.allowed_from.join(", "),
                client.label()
            ),
            "token_address_refused",
        ));
    }
    let role = match token.source {
        Source::Account => state
            .accounts
            .role_of(&token.username)
            .await
            .map_err(internal)?,
        Source::Identity => state
            .trusted_header
            .as_ref()
            .and_then(|trusted| trusted.roles.role_of(&token.username)),
    };
    let Some(role) = role else {
        state
            .tokens
            .revoke(&token.id, "gatehouse (account removed)")
            .await
            .map_err(internal)?;
        return Err(AppError::new_unauthorized(
            "This token's account no longer exists, so the token has been revoked.",
            "token_revoked",
        ));
    };
    if let Err(wait) = state
        .tokens
        .count_call(&token.id, &client.label())
        .await
        .map_err(internal)?
    {
        let mut error = AppError::too_many(
            &format!(
                "This token made more than {} requests in one second. Slow down.",
                state.tokens.rate
            ),
            "token_rate_limited",
            wait,
        );
        error.error.kind = "requests".to_owned();
        return Err(error);
    }
    let acting = if token.access == Access::Write && role == Role::Owner {
        Role::Owner
    } else {
        Role::Auditor
    };
    Ok(Session::for_token(
        &token.username,
        acting,
        token.reference(),
    ))
}

fn too_many_failures(wait: std::time::Duration) -> AppError {
    AppError::too_many(
        &format!(
            "Too many failed sign-ins or wrong tokens from this address. Try again in {} seconds.",
            wait.as_secs().max(1)
        ),
        "too_many_sign_ins",
        wait,
    )
}

/// 401 saying why a token was refused, never echoing it.
fn refused(refusal: &Refusal) -> AppError {
    match refusal {
        Refusal::Unknown => AppError::new_unauthorized(
            "This is not a token Gatehouse knows. Send Authorization: Bearer ghtk_… with a token \
             from the Tokens page (Gatehouse never takes an OpenAI key).",
            "invalid_token",
        ),
        Refusal::Expired(at) => AppError::new_unauthorized(
            &format!(
                "This token expired at {}. Make a new one on the Tokens page.",
                crate::journal::format_time(*at)
            ),
            "token_expired",
        ),
        Refusal::Revoked(at) => AppError::new_unauthorized(
            &format!(
                "This token was revoked at {}.",
                crate::journal::format_time(*at)
            ),
            "token_revoked",
        ),
    }
}

/// The guard of the routes scripts may use: a Gatehouse token (no CSRF token: no cookie is
/// involved), or else a session as [`require_session`] checks it.
pub async fn require_session_or_token(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let client = client_of(&request);
    let Some(value) = presented_token(request.headers()).map(str::to_owned) else {
        // An SSO proxy may pass its own `Authorization` along with the person it vouches for.
        let vouched = match &state.trusted_header {
            Some(trusted) => trusted.identity(client, request.headers()).ok().flatten(),
            None => None,
        };
        let stray = request.headers().contains_key(header::AUTHORIZATION)
            && session_id(&state, request.headers()).is_none()
            && vouched.is_none();
        if stray {
            // Not a Gatehouse token and no session: say so, and count it as a wrong token.
            return wrong_token(&state, client).await.into_response();
        }
        return require_session(State(state), request, next).await;
    };
    let checked = match token_session(&state, request.headers(), client, &value).await {
        Ok(session) if is_write(request.method()) => {
            check_token_write(&state, &session, &request).map(|()| session)
        }
        other => other,
    };
    let session = match checked {
        Ok(session) => session,
        Err(error) => return error.into_response(),
    };
    let headers = request.headers();
    let call = TokenCall {
        seal: Arc::new(SealKey::of(&value)),
        idempotency_key: headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        retry_count: headers
            .get("x-stainless-retry-count")
            .and_then(|v| v.to_str().ok()?.trim().parse().ok())
            .unwrap_or(0),
    };
    let write = is_write(request.method());
    request.extensions_mut().insert(session);
    request.extensions_mut().insert(call);
    let mut response = next.run(request).await;
    // The official SDKs retry a 5xx on their own. A write's 5xx means it may have been made
    // (its retry would only be answered from the replay), unless it was never sent, which
    // the proxy marks retryable itself.
    if write
        && response.status().is_server_error()
        && !response.headers().contains_key(SHOULD_RETRY)
    {
        response
            .headers_mut()
            .insert(SHOULD_RETRY, HeaderValue::from_static("false"));
    }
    response
}

/// The client the outermost middleware resolved for this request.
fn client_of(request: &Request) -> ClientAddr {
    request
        .extensions()
        .get::<ClientAddr>()
        .copied()
        .unwrap_or_default()
}

/// Refuses a token Gatehouse never made, counting it against the client's address like a
/// failed sign-in (many wrong tokens lock the address), or saying how long it is locked.
async fn wrong_token(state: &AppState, client: ClientAddr) -> AppError {
    tracing::warn!(client = %client.label(), "an unknown token was refused");
    match state
        .throttle
        .begin(&[Key::Address(client.throttle_label())])
        .await
    {
        Ok(Ok(())) => refused(&Refusal::Unknown),
        Ok(Err(wait)) => too_many_failures(wait),
        Err(error) => AppError::internal(&error),
    }
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
    let client = client_of(&request);
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
