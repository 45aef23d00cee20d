//! The `/api` surface: the session endpoints, and the allow-listed Admin API operations under
//! `/api/v1`. Anything else under `/api` is a 404 that never reaches upstream.

mod access;
mod admin_api_keys;
mod api_keys;
mod archive;
mod audit_logs;
pub(crate) mod export;
mod groups;
mod guard;
mod health;
mod hygiene;
mod invites;
mod journal;
mod offboarding;
mod project_groups;
mod project_users;
mod projects;
mod proxy;
mod rate_limits;
mod roles;
mod service_accounts;
mod session;
mod tokens;
mod users;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::routing::get;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::{AppError, AppState};

pub use guard::{SECURE_SESSION_COOKIE, SESSION_COOKIE};

/// Every API route, with the session guard in front of `/api/v1`. Scripts' tokens reach only
/// the Admin API, the archive, exports and the key-hygiene report; the journal, the portal's own routes and the
/// session and token routes take a signed-in person (and refuse a token), so that a leaked
/// token cannot mint more.
pub fn router(state: AppState) -> Router {
    let v1 = Router::new()
        .merge(users::router())
        .merge(invites::router())
        .merge(projects::router())
        .merge(project_users::router())
        .merge(service_accounts::router())
        .merge(api_keys::router())
        .merge(admin_api_keys::router())
        .merge(rate_limits::router())
        .merge(audit_logs::router())
        .merge(groups::router())
        .merge(roles::router())
        .merge(project_groups::router())
        .merge(access::router())
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::require_session_or_token,
        ));
    let scripts = export::router()
        .merge(archive::router())
        .merge(hygiene::report_router())
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::require_session_or_token,
        ));
    let journal = journal::router()
        .merge(admin_api_keys::portal_router())
        .merge(hygiene::delete_router())
        .merge(offboarding::router())
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::require_session,
        ));
    // Sessions carry the CSRF token and created keys carry secrets: no API answer, errors
    // included, may be kept by a browser or a proxy cache.
    let api = Router::new()
        .merge(session::router())
        .merge(tokens::router())
        .merge(scripts)
        .merge(journal)
        .route("/meta", get(session::meta))
        .nest("/v1", v1)
        .fallback(unknown_api_route)
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));
    Router::new()
        .nest("/api", api)
        .merge(health::router())
        .with_state(state)
}

async fn unknown_api_route() -> AppError {
    AppError::not_found()
}
