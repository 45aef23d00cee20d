//! Gatehouse's backend-for-frontend: the only holder of the OpenAI admin key.
//!
//! It signs portal users in (roles `owner` and `auditor`), forwards only allow-listed Admin API
//! calls with the admin key added, and serves the built single-page app under a strict CSP.

pub mod access;
pub mod accounts;
pub mod admin;
pub mod archive;
pub mod attribution;
pub mod client;
pub mod config;
pub mod db;
pub mod error;
pub mod http_server;
pub mod hygiene;
pub mod journal;
pub mod lease;
pub mod middleware;
pub mod offboarding;
mod routes;
mod security;
pub mod serve;
pub mod session;
pub mod throttle;
pub mod tokens;
pub mod transfer;
pub mod trusted_header;
pub mod upstream;

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;

pub use error::AppError;
pub use routes::{SECURE_SESSION_COOKIE, SESSION_COOKIE};
use session::{Accounts, SessionStore};
use upstream::Upstream;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub accounts: Arc<Accounts>,
    pub sessions: SessionStore,
    pub throttle: Arc<throttle::Throttle>,
    /// Tokens for scripts (`Authorization: Bearer ghtk_…`).
    pub tokens: Arc<tokens::Tokens>,
    /// The journal of writes; `None` only in tests that do not look at it.
    pub journal: Option<Arc<journal::Journal>>,
    /// The audit archive; `None` when it is turned off (`--archive off`) or in tests that do
    /// not use it.
    pub archive: Option<Arc<archive::Archive>>,
    /// The origins a write may come from (`Origin` header), besides none at all.
    pub allowed_origins: Arc<[String]>,
    pub upstream: Upstream,
    /// Demo mode: the upstream is the in-process sandbox, and the sign-in page shows the demo accounts.
    pub demo: bool,
    /// The built app; `None` serves only the API (tests).
    pub static_dir: Option<PathBuf>,
    /// Whether the session cookie gets `Secure` (the portal is served over https).
    pub secure_cookies: bool,
    /// Sign-in by a header from a trusted SSO proxy, when configured.
    pub trusted_header: Option<Arc<trusted_header::TrustedHeader>>,
    /// The proxies in front of Gatehouse (`--trusted-proxy`): their `X-Forwarded-For`,
    /// `X-Request-Id` and identity header are believed, nobody else's.
    pub trusted_proxies: Arc<[ipnet::IpNet]>,
    /// Password checks that may run at once (see [`sign_in_permits`]).
    pub sign_in_permits: Arc<tokio::sync::Semaphore>,
    /// Key-hygiene reports and effective-access answers that may be read at once (see
    /// [`report_permits`]).
    pub reports: Arc<tokio::sync::Semaphore>,
    /// Effective-access answers, kept briefly (see [`access::CACHE_FOR`]).
    pub access: Arc<access::Cache>,
}

/// Password checks allowed at once per core: argon2 is slow on purpose, so beyond this a
/// sign-in is answered 429 at once rather than queued behind a flood.
pub const SIGN_INS_PER_CORE: usize = 2;

/// Key-hygiene reports read at once by one replica: each is dozens of upstream reads with the
/// admin key, so a flood of them (an auditor's script, say) would spend the organization's
/// rate limit; beyond this a report is answered 429 at once.
pub const REPORTS_AT_ONCE: usize = 2;

/// The semaphore bounding concurrent key-hygiene reports.
pub fn report_permits() -> Arc<tokio::sync::Semaphore> {
    Arc::new(tokio::sync::Semaphore::new(REPORTS_AT_ONCE))
}

/// The semaphore bounding concurrent password checks: [`SIGN_INS_PER_CORE`] per core.
pub fn sign_in_permits() -> Arc<tokio::sync::Semaphore> {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    Arc::new(tokio::sync::Semaphore::new(SIGN_INS_PER_CORE * cores))
}

/// The whole BFF: API routes, the app's static files, and the one middleware stack.
pub fn app(state: AppState) -> Router {
    let api = routes::router(state.clone());
    let router = match &state.static_dir {
        Some(dir) => api.fallback_service(security::static_files(dir)),
        None => api,
    };
    middleware::stack(router, &state)
}
