//! The emulated organization: its objects, its audit log, and how a change is recorded.

use std::collections::HashMap;

use admin_api::admin_api_keys::AdminApiKey;
use admin_api::api_keys::ProjectApiKey;
use admin_api::audit_logs::{
    AuditLog, AuditLogActor, AuditLogActorApiKey, AuditLogActorUser, AuditLogProject,
};
use admin_api::groups::{Group, GroupSummary};
use admin_api::invites::Invite;
use admin_api::project_users::ProjectUser;
use admin_api::projects::Project;
use admin_api::rate_limits::ProjectRateLimit;
use admin_api::roles::{AssignedRole, Role};
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

/// The organization's id, as audit events name it (`resource_id` of organization roles).
pub const ORG_ID: &str = "org-acme";

/// A group and its members.
#[derive(Debug, Clone)]
pub struct GroupRecord {
    pub group: Group,
    /// In the order they were added.
    pub members: Vec<GroupMember>,
}

impl GroupRecord {
    /// The summary a group role assignment shows.
    pub fn summary(&self) -> GroupSummary {
        GroupSummary {
            object: "group".into(),
            id: self.group.id.clone(),
            name: self.group.name.clone(),
            created_at: self.group.created_at,
            scim_managed: self.group.is_scim_managed,
        }
    }

    /// 400 if the identity provider manages the group (through SCIM): its name and members
    /// change there, not here. Role assignments and project grants are still allowed.
    pub fn ensure_not_scim(&self) -> Result<(), Failure> {
        if self.group.is_scim_managed {
            return Err(Failure::bad_request(admin_api::ApiError::invalid_request(
                format!(
                    "Group '{}' is managed by your identity provider (SCIM); change it there.",
                    self.group.name
                ),
                Some("group_id"),
            )));
        }
        Ok(())
    }
}

/// A user's membership of a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupMember {
    pub user_id: String,
    pub added_at: i64,
}

/// A role with the bookkeeping upstream shows in assignment lists.
#[derive(Debug, Clone)]
pub struct RoleRecord {
    pub role: Role,
    pub created_at: i64,
    pub updated_at: i64,
    /// The user who created a custom role (`None` for predefined roles).
    pub created_by: Option<String>,
}

/// Who holds a role assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Principal {
    User,
    Group,
}

impl Principal {
    /// `user` or `group`, as audit events name it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Group => "group",
        }
    }
}

/// An organization role assigned directly to a user or a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleAssignment {
    /// The assignment's own id, as audit events name it.
    pub id: String,
    pub principal: Principal,
    pub principal_id: String,
    pub role_id: String,
    pub created_at: i64,
}

/// A group's access to a project, with the project role it was granted (kept here; upstream
/// does not show it in its answers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectGroupRecord {
    /// The grant's id, as audit events name the assignment.
    pub id: String,
    pub project_id: String,
    pub group_id: String,
    /// The id of an `api.project` role.
    pub role_id: String,
    pub created_at: i64,
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
    pub(crate) groups: Vec<GroupRecord>,
    /// Predefined and custom roles, organization and project, in creation order.
    pub(crate) roles: Vec<RoleRecord>,
    /// Direct organization role assignments to users and groups, in assignment order.
    pub(crate) role_assignments: Vec<RoleAssignment>,
    /// Groups' access to projects, in grant order.
    pub(crate) project_groups: Vec<ProjectGroupRecord>,
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

    /// The groups with their members, in creation order.
    pub fn groups(&self) -> &[GroupRecord] {
        &self.groups
    }

    /// The roles (predefined and custom, organization and project), in creation order.
    pub fn roles(&self) -> &[RoleRecord] {
        &self.roles
    }

    /// The direct organization role assignments of users and groups.
    pub fn role_assignments(&self) -> &[RoleAssignment] {
        &self.role_assignments
    }

    /// The groups' project grants, each with the project role it gave.
    pub fn project_groups(&self) -> &[ProjectGroupRecord] {
        &self.project_groups
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

    /// The group with this id, or 404.
    pub(crate) fn group(&self, id: &str) -> Result<&GroupRecord, Failure> {
        self.groups
            .iter()
            .find(|g| g.group.id == id)
            .ok_or_else(|| Failure::not_found(format!("No such group: '{id}'."), "group_id"))
    }

    /// The index of the group with this id, or 404.
    pub(crate) fn group_index(&self, id: &str) -> Result<usize, Failure> {
        self.groups
            .iter()
            .position(|g| g.group.id == id)
            .ok_or_else(|| Failure::not_found(format!("No such group: '{id}'."), "group_id"))
    }

    /// The role with this id, or 404 naming `param`.
    pub(crate) fn role(&self, id: &str, param: &str) -> Result<&RoleRecord, Failure> {
        self.roles
            .iter()
            .find(|r| r.role.id == id)
            .ok_or_else(|| Failure::not_found(format!("No such role: '{id}'."), param))
    }

    /// A role as an assignment list shows it; `None` for a dangling id.
    pub(crate) fn assigned_role(&self, role_id: &str) -> Option<AssignedRole> {
        let record = self.roles.iter().find(|r| r.role.id == role_id)?;
        let creator = record
            .created_by
            .as_deref()
            .and_then(|id| self.users.iter().find(|u| u.id == id))
            .map(|u| serde_json::json!({"id": u.id, "name": u.name, "email": u.email}));
        Some(AssignedRole {
            id: record.role.id.clone(),
            name: record.role.name.clone(),
            permissions: record.role.permissions.clone(),
            resource_type: record.role.resource_type.clone(),
            predefined_role: record.role.predefined_role,
            description: record.role.description.clone(),
            created_at: Some(record.created_at),
            updated_at: Some(record.updated_at),
            created_by: record.created_by.clone(),
            created_by_user_obj: creator,
            metadata: Some(Value::Object(Map::new())),
            // Only direct assignments are listed, so there is nothing they are inherited from.
            assignment_sources: None,
        })
    }

    /// The user who owns the calling admin key (who creates a custom role).
    pub(crate) fn caller_user(&self, caller: &Caller) -> Option<String> {
        self.admin_keys
            .iter()
            .find(|k| k.id == caller.key_id)
            .map(|k| k.owner.id.clone())
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
