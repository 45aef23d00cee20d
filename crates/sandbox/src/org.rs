//! The emulated organization: its objects, its audit log, and how a change is recorded.

use std::collections::HashMap;

use admin_api::admin_api_keys::AdminApiKey;
use admin_api::api_keys::ProjectApiKey;
use admin_api::audit_logs::{
    AuditLog, AuditLogActor, AuditLogActorApiKey, AuditLogActorUser, AuditLogProject,
};
use admin_api::invites::Invite;
use admin_api::project_users::ProjectUser;
use admin_api::projects::Project;
use admin_api::rate_limits::ProjectRateLimit;
use admin_api::service_accounts::ServiceAccount;
use admin_api::users::User;
use serde_json::{Map, Value};

use crate::Failure;
use crate::audit_logs::AuditStore;

/// A project and everything that lives inside it.
#[derive(Debug, Clone)]
pub struct ProjectRecord {
    pub project: Project,
    pub members: Vec<ProjectUser>,
    pub service_accounts: Vec<ServiceAccount>,
    pub api_keys: Vec<ProjectApiKey>,
    pub rate_limits: Vec<ProjectRateLimit>,
}

impl ProjectRecord {
    /// The scope audit events about this project carry.
    pub fn scope(&self) -> AuditLogProject {
        AuditLogProject {
            id: self.project.id.clone(),
            name: self.project.name.clone(),
        }
    }

    /// 400 if the project is archived: it takes no new members, accounts or keys.
    pub fn ensure_active(&self) -> Result<(), Failure> {
        if self.project.is_archived() {
            return Err(Failure::bad_request(admin_api::ApiError::invalid_request(
                format!(
                    "Project '{}' is archived and cannot be changed.",
                    self.project.id
                ),
                Some("project_id"),
            )));
        }
        Ok(())
    }
}

/// Who is calling: the admin key presented, as the auth check resolved it.
#[derive(Debug, Clone)]
pub struct Caller {
    pub key_id: String,
}

/// Everything the emulated organization holds.
pub struct Org {
    pub(crate) users: Vec<User>,
    pub(crate) invites: Vec<Invite>,
    pub(crate) projects: Vec<ProjectRecord>,
    pub(crate) admin_keys: Vec<AdminApiKey>,
    /// Secret value → admin key id, for the keys that may call the API.
    pub(crate) admin_key_values: HashMap<String, String>,
    pub(crate) audit: AuditStore,
    /// Upstream scopes organization-level admin actions to the default project.
    pub(crate) default_project: AuditLogProject,
    pub(crate) rng: fastrand::Rng,
    /// Seconds added to the system clock, so that the organization's "now" continues from the
    /// seed's anchor time: seeded expiries and histories stay consistent with what happens next.
    pub(crate) clock_offset: i64,
}

impl Org {
    /// The organization's users, in list order.
    pub fn users(&self) -> &[User] {
        &self.users
    }

    /// The projects with their members, accounts, keys and limits.
    pub fn projects(&self) -> &[ProjectRecord] {
        &self.projects
    }

    /// The invites as stored (status `pending` or `accepted`; expiry is judged when read).
    pub fn invites(&self) -> &[Invite] {
        &self.invites
    }

    /// The admin keys.
    pub fn admin_keys(&self) -> &[AdminApiKey] {
        &self.admin_keys
    }

    /// Every audit event, newest first.
    pub fn audit_events(&self) -> impl Iterator<Item = &AuditLog> {
        self.audit.newest_first()
    }

    /// How many audit events there are.
    pub fn audit_len(&self) -> usize {
        self.audit.len()
    }

    /// The organization's current Unix time.
    pub fn now(&self) -> i64 {
        now() + self.clock_offset
    }

    /// The admin key id a secret belongs to, if that key may call the API (exists, unexpired).
    pub(crate) fn key_for_secret(&self, secret: &str) -> Option<String> {
        let id = self.admin_key_values.get(secret)?;
        let key = self.admin_keys.iter().find(|k| &k.id == id)?;
        key.expires_at
            .is_none_or(|e| e > self.now())
            .then(|| id.clone())
    }

    /// A new id: `prefix` and 24 random letters and digits, as upstream's ids look.
    pub(crate) fn new_id(&mut self, prefix: &str) -> String {
        format!("{prefix}{}", self.random_chars(24))
    }

    /// `n` random ASCII letters and digits.
    pub(crate) fn random_chars(&mut self, n: usize) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        (0..n)
            .map(|_| char::from(ALPHABET[self.rng.usize(..ALPHABET.len())]))
            .collect()
    }

    /// The project with this id, or 404.
    pub(crate) fn project(&self, id: &str) -> Result<&ProjectRecord, Failure> {
        self.projects
            .iter()
            .find(|p| p.project.id == id)
            .ok_or_else(|| Failure::not_found(format!("No such project: '{id}'."), "project_id"))
    }

    /// The project with this id, mutably, or 404.
    pub(crate) fn project_mut(&mut self, id: &str) -> Result<&mut ProjectRecord, Failure> {
        self.projects
            .iter_mut()
            .find(|p| p.project.id == id)
            .ok_or_else(|| Failure::not_found(format!("No such project: '{id}'."), "project_id"))
    }

    /// The user with this id, or 404.
    pub(crate) fn user(&self, id: &str) -> Result<&User, Failure> {
        self.users
            .iter()
            .find(|u| u.id == id)
            .ok_or_else(|| Failure::not_found(format!("No such user: '{id}'."), "user_id"))
    }

    /// Appends the audit event for a change made now by `caller`, scoped to `project`
    /// (organization-level changes are scoped to the default project, as upstream does).
    pub(crate) fn record(
        &mut self,
        caller: &Caller,
        event_type: &str,
        payload: Value,
        project: Option<AuditLogProject>,
    ) {
        let actor = self.api_key_actor(&caller.key_id);
        let project = project.or_else(|| Some(self.default_project.clone()));
        self.record_at(self.now(), event_type, payload, actor, project);
    }

    /// Appends an audit event with an explicit time and actor (the seed uses this); returns
    /// its id.
    pub(crate) fn record_at(
        &mut self,
        effective_at: i64,
        event_type: &str,
        payload: Value,
        actor: AuditLogActor,
        project: Option<AuditLogProject>,
    ) -> String {
        let id = format!("audit_log-{}", self.random_chars(24).to_lowercase());
        let mut details = Map::new();
        details.insert(event_type.to_owned(), payload);
        self.audit.push(AuditLog {
            id: id.clone(),
            event_type: event_type.to_owned(),
            effective_at,
            project,
            actor: Some(actor),
            details,
        });
        id
    }

    /// The `api_key` actor for an admin key: the key and the user who owns it.
    pub(crate) fn api_key_actor(&self, key_id: &str) -> AuditLogActor {
        let owner = self
            .admin_keys
            .iter()
            .find(|k| k.id == key_id)
            .map(|k| k.owner.id.clone())
            .and_then(|id| self.users.iter().find(|u| u.id == id))
            .map(|u| AuditLogActorUser {
                id: u.id.clone(),
                email: u.email.clone(),
            });
        AuditLogActor {
            kind: "api_key".into(),
            session: None,
            api_key: Some(AuditLogActorApiKey {
                id: Some(key_id.to_owned()),
                kind: Some("user".into()),
                user: owner,
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
