//! A faithful emulator of the OpenAI organization Admin and Audit Logs API.
//!
//! It is the upstream of Gatehouse in demo mode and in every test: same paths under
//! `/v1/organization/...`, same cursor paging, same JSON and error shapes, and an audit event for
//! every change, written with an `api_key` actor naming the admin key that made it.

mod admin_api_keys;
mod api_keys;
mod audit_logs;
mod auth;
mod error;
mod faults;
mod groups;
mod invites;
mod org;
mod paging;
mod project_groups;
mod project_users;
mod projects;
mod rate_limits;
mod roles;
mod seed;
mod service_accounts;
mod users;

use std::sync::{Arc, RwLock};

use axum::Router;

pub use error::Failure;
pub use faults::Faults;
pub use org::{
    GroupMember, GroupRecord, ORG_ID, Org, Principal, ProjectGroupRecord, ProjectRecord,
    RoleAssignment, RoleRecord,
};
pub use seed::{SeedOptions, access as seeded};

/// The shared state of one emulated organization.
#[derive(Clone)]
pub struct Sandbox {
    org: Arc<RwLock<Org>>,
    faults: Option<Arc<faults::FaultState>>,
}

impl Sandbox {
    /// A sandbox holding the deterministic seeded organization; `admin_key` is the secret of its
    /// first admin key (any admin key of the organization may call it).
    pub fn seeded(admin_key: &str, options: SeedOptions) -> Self {
        Self {
            org: Arc::new(RwLock::new(seed::organization(admin_key, options))),
            faults: None,
        }
    }

    /// The same sandbox, injecting `faults` into every request.
    #[must_use]
    pub fn with_faults(mut self, faults: Faults) -> Self {
        self.faults = Some(faults::FaultState::new(faults));
        self
    }

    /// Runs `f` with read access to the organization (for tests and benchmarks).
    pub fn read<R>(&self, f: impl FnOnce(&Org) -> R) -> R {
        f(&self
            .org
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    /// Appends an audit event as though the organization's first admin key made a change at
    /// `effective_at`, scoped to the default project, and returns it: activity that arrives
    /// while a client is reading the log (tests and benchmarks).
    pub fn record_audit_event(
        &self,
        effective_at: i64,
        event_type: &str,
        payload: serde_json::Value,
    ) -> admin_api::audit_logs::AuditLog {
        self.write(|org| {
            let key_id = org
                .admin_keys
                .first()
                .map(|k| k.id.clone())
                .unwrap_or_default();
            let actor = org.api_key_actor(&key_id);
            let project = Some(org.default_project.clone());
            let id = org.record_at(effective_at, event_type, payload, actor, project);
            org.audit
                .get(&id)
                .cloned()
                .expect("the event just recorded")
        })
    }

    /// Keeps an admin key's `last_used_at`, as upstream does, to the minute: a key used again
    /// within the minute takes no write lock.
    fn key_used(&self, key_id: &str) {
        let now = self.read(Org::now);
        let fresh = |org: &Org| {
            org.admin_keys
                .iter()
                .find(|k| k.id == key_id)
                .is_some_and(|k| k.last_used_at.is_some_and(|at| now - at < 60))
        };
        if !self.read(fresh) {
            self.write(|org| {
                if let Some(key) = org.admin_keys.iter_mut().find(|k| k.id == key_id) {
                    key.last_used_at = Some(now);
                }
            });
        }
    }

    fn write<R>(&self, f: impl FnOnce(&mut Org) -> R) -> R {
        f(&mut self
            .org
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner))
    }
}

/// The sandbox's router: every emulated path and the sandbox controls, behind the admin-key
/// check, behind the injected faults (if any).
pub fn app(sandbox: Sandbox) -> Router {
    let v1 = Router::new()
        .merge(users::router())
        .merge(invites::router())
        .merge(projects::router())
        .merge(project_users::router())
        .merge(groups::router())
        .merge(roles::router())
        .merge(project_groups::router())
        .merge(service_accounts::router())
        .merge(api_keys::router())
        .merge(admin_api_keys::router())
        .merge(rate_limits::router())
        .merge(audit_logs::router());
    let mut routes = Router::new()
        .nest("/v1", v1)
        .merge(invites::controls())
        .route_layer(axum::middleware::from_fn_with_state(
            sandbox.clone(),
            auth::require_admin_key,
        ));
    if let Some(faults) = sandbox.faults.clone() {
        routes = routes.route_layer(axum::middleware::from_fn_with_state(faults, faults::inject));
    }
    routes
        .fallback(error::unknown_route)
        .layer(axum::middleware::from_fn(request_id))
        .with_state(sandbox)
}

/// Serves the sandbox on `listener` until the task is dropped.
pub async fn serve(listener: tokio::net::TcpListener, sandbox: Sandbox) -> std::io::Result<()> {
    axum::serve(listener, app(sandbox)).await
}

/// Upstream answers every request with an `x-request-id` (`req_…`); so does the sandbox.
async fn request_id(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let mut response = next.run(request).await;
    let id = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    if let Ok(value) = axum::http::HeaderValue::from_str(&format!("req_{id:024x}")) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}
