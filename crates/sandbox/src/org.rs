//! The emulated organization: its objects, its audit log, and how a change is recorded.

use admin_api::audit_logs::{
    AuditLog, AuditLogActor, AuditLogActorApiKey, AuditLogActorUser, AuditLogProject,
};
use admin_api::users::User;
use serde_json::{Map, Value};

use crate::audit_logs::AuditStore;

/// Everything the emulated organization holds.
pub struct Org {
    pub(crate) users: Vec<User>,
    pub(crate) audit: AuditStore,
    /// The tracking id of the admin key the sandbox answers to, and the user who owns it:
    /// every change made through the API is logged with this `api_key` actor.
    pub(crate) admin_key_id: String,
    pub(crate) admin_key_owner: AuditLogActorUser,
    /// Upstream scopes admin actions taken with an admin key to the default project.
    pub(crate) default_project: AuditLogProject,
    pub(crate) rng: fastrand::Rng,
}

impl Org {
    /// The organization's users, in list order.
    pub fn users(&self) -> &[User] {
        &self.users
    }

    /// Every audit event, newest first.
    pub fn audit_events(&self) -> impl Iterator<Item = &AuditLog> {
        self.audit.newest_first()
    }

    /// A new id: `prefix` and 24 random letters and digits, as upstream's ids look.
    pub(crate) fn new_id(&mut self, prefix: &str) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let suffix: String = (0..24)
            .map(|_| char::from(ALPHABET[self.rng.usize(..ALPHABET.len())]))
            .collect();
        format!("{prefix}{suffix}")
    }

    /// Appends the audit event for a change made now through the admin API.
    pub(crate) fn record(&mut self, event_type: &str, payload: Value) {
        let project = Some(self.default_project.clone());
        self.record_at(now(), event_type, payload, self.api_key_actor(), project);
    }

    /// Appends an audit event with an explicit time and actor (the seed uses this).
    pub(crate) fn record_at(
        &mut self,
        effective_at: i64,
        event_type: &str,
        payload: Value,
        actor: AuditLogActor,
        project: Option<AuditLogProject>,
    ) {
        let id = format!("audit_log-{}", self.new_id("").to_lowercase());
        let mut details = Map::new();
        details.insert(event_type.to_owned(), payload);
        self.audit.push(AuditLog {
            id,
            event_type: event_type.to_owned(),
            effective_at,
            project,
            actor: Some(actor),
            details,
        });
    }

    fn api_key_actor(&self) -> AuditLogActor {
        AuditLogActor {
            kind: "api_key".into(),
            session: None,
            api_key: Some(AuditLogActorApiKey {
                id: Some(self.admin_key_id.clone()),
                kind: Some("user".into()),
                user: Some(self.admin_key_owner.clone()),
                service_account: None,
            }),
        }
    }
}

/// The current Unix time in seconds.
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
