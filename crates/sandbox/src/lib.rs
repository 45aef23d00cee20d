//! A faithful emulator of the OpenAI organization Admin and Audit Logs API.
//!
//! It is the upstream of Gatehouse in demo mode and in every test: same paths under
//! `/v1/organization/...`, same cursor paging, same JSON and error shapes, and an audit event for
//! every change, written with an `api_key` actor naming the admin key.

mod audit_logs;
mod auth;
mod error;
mod org;
mod seed;
mod users;

use std::sync::{Arc, RwLock};

use axum::Router;

pub use error::Failure;
pub use org::Org;
pub use seed::SeedOptions;

/// The shared state of one emulated organization.
#[derive(Clone)]
pub struct Sandbox {
    org: Arc<RwLock<Org>>,
    admin_key: Arc<str>,
}

impl Sandbox {
    /// A sandbox holding the deterministic seeded organization, answering only to `admin_key`.
    pub fn seeded(admin_key: &str, options: SeedOptions) -> Self {
        Self {
            org: Arc::new(RwLock::new(seed::organization(admin_key, options))),
            admin_key: admin_key.into(),
        }
    }

    /// Runs `f` with read access to the organization (for tests and benchmarks).
    pub fn read<R>(&self, f: impl FnOnce(&Org) -> R) -> R {
        f(&self
            .org
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    fn write<R>(&self, f: impl FnOnce(&mut Org) -> R) -> R {
        f(&mut self
            .org
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner))
    }
}

/// The sandbox's router: every emulated path, behind the admin-key check.
pub fn app(sandbox: Sandbox) -> Router {
    let v1 = Router::new()
        .merge(users::router())
        .merge(audit_logs::router())
        .route_layer(axum::middleware::from_fn_with_state(
            sandbox.clone(),
            auth::require_admin_key,
        ));
    Router::new()
        .nest("/v1", v1)
        .fallback(error::unknown_route)
        .with_state(sandbox)
}

/// Serves the sandbox on `listener` until the task is dropped.
pub async fn serve(listener: tokio::net::TcpListener, sandbox: Sandbox) -> std::io::Result<()> {
    axum::serve(listener, app(sandbox)).await
}
