//! Key hygiene: the stale and orphaned credentials of the whole organization, read from
//! upstream's lists (every project, every page) and judged by the rules below.
//!
//! The BFF computes the report, not the app: it takes dozens of reads with the admin key,
//! which never leaves the server, and the app stays a table of findings. The rules are pure
//! functions of what was read, so the tests judge them on a seeded organization.

use std::collections::HashSet;

use admin_api::admin_api_keys::AdminApiKey;
use admin_api::api_keys::ProjectApiKey;
use admin_api::invites::Invite;
use admin_api::project_users::ProjectUser;
use admin_api::projects::Project;
use admin_api::service_accounts::ServiceAccount;
use admin_api::users::User;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::AppError;
use crate::routes::export::neutralise;
use crate::upstream::Upstream;

/// How many days without use make a key stale unless the page says otherwise.
pub const DEFAULT_DAYS: i64 = 90;
/// The longest window the page may ask for (ten years).
pub const MAX_DAYS: i64 = 3_650;
const DAY: i64 = 86_400;

/// What is judged, and when.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    /// Days without use after which a key is stale (and an admin key old).
    pub days: i64,
    /// The time the report is made at.
    pub now: i64,
}

impl Rules {
    fn cutoff(&self) -> i64 {
        self.now - self.days * DAY
    }

    /// Never used, or not since the cutoff.
    fn usage(&self, last_used_at: Option<i64>) -> Option<Reason> {
        match last_used_at {
            None => Some(Reason::NeverUsed),
            Some(at) if at < self.cutoff() => Some(Reason::Stale),
            Some(_) => None,
        }
    }
}

/// What a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A person's key in a project.
    ProjectKey,
    /// A service account's key (deleted with its account, as upstream allows).
    ServiceAccountKey,
    ServiceAccount,
    AdminKey,
    Invite,
}

impl Kind {
    /// Its name in the CSV and in messages.
    pub fn label(self) -> &'static str {
        match self {
            Self::ProjectKey => "project key",
            Self::ServiceAccountKey => "service account key",
            Self::ServiceAccount => "service account",
            Self::AdminKey => "admin key",
            Self::Invite => "invite",
        }
    }
}

/// Why it is a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    NeverUsed,
    /// Not used for the report's number of days.
    Stale,
    OwnerLeftOrganization,
    OwnerLeftProject,
    /// A service account without a key.
    NoKey,
    /// A service account whose every key is stale or never used.
    AllKeysStale,
    /// An admin key older than the report's number of days.
    Old,
    /// An admin key that never expires.
    NoExpiry,
    /// An invite still pending after it expired.
    Expired,
}

impl Reason {
    /// Its words in the CSV.
    pub fn label(self) -> &'static str {
        match self {
            Self::NeverUsed => "never used",
            Self::Stale => "not used recently",
            Self::OwnerLeftOrganization => "owner left the organization",
            Self::OwnerLeftProject => "owner left the project",
            Self::NoKey => "no key",
            Self::AllKeysStale => "every key stale",
            Self::Old => "old",
            Self::NoExpiry => "never expires",
            Self::Expired => "expired",
        }
    }
}

/// A project, as a finding names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectRef {
    pub id: String,
    pub name: String,
}

/// One stale or orphaned credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub kind: Kind,
    pub id: String,
    pub name: String,
    pub reasons: Vec<Reason>,
    pub project: Option<ProjectRef>,
    /// Who owns it (a person's name and email, or a service account), if anyone.
    pub owner: Option<String>,
    pub owner_id: Option<String>,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub expires_at: Option<i64>,
    /// The admin key the portal itself runs on: shown, never offered for deletion.
    pub portal_key: bool,
    /// Whether it can be deleted from the report (and why not, when not).
    pub deletable: bool,
    pub not_deletable_because: Option<String>,
    /// What goes with it when it is deleted: a service account's keys.
    pub goes_with: Vec<String>,
    /// A digest of everything above: a delete is skipped if the item's digest changed
    /// since the report was read.
    pub version: String,
}

impl Finding {
    fn seal(mut self) -> Self {
        self.version = String::new();
        let text = serde_json::to_string(&self).unwrap_or_default();
        self.version = Sha256::digest(text.as_bytes())
            .iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect();
        self
    }

    fn base(kind: Kind, id: &str, name: &str, created_at: i64) -> Self {
        Self {
            kind,
            id: id.to_owned(),
            name: name.to_owned(),
            reasons: Vec::new(),
            project: None,
            owner: None,
            owner_id: None,
            created_at,
            last_used_at: None,
            expires_at: None,
            portal_key: false,
            deletable: true,
            not_deletable_because: None,
            goes_with: Vec::new(),
            version: String::new(),
        }
    }
}

/// The findings of one project from its members, service accounts and keys; `org_users`
/// are the ids of everyone in the organization.
pub fn project_findings(
    rules: &Rules,
    project: &Project,
    members: &[ProjectUser],
    accounts: &[ServiceAccount],
    keys: &[ProjectApiKey],
    org_users: &HashSet<String>,
) -> Vec<Finding> {
    let project_ref = ProjectRef {
        id: project.id.clone(),
        name: project.name.clone().unwrap_or_else(|| project.id.clone()),
    };
    let mut findings = Vec::new();
    for key in keys {
        let mut finding = Finding::base(Kind::ProjectKey, &key.id, &key.name, key.created_at);
        finding.project = Some(project_ref.clone());
        finding.last_used_at = key.last_used_at;
        finding.reasons.extend(rules.usage(key.last_used_at));
        if let Some(account) = &key.owner.service_account {
            finding.kind = Kind::ServiceAccountKey;
            finding.owner = Some(format!("service account {}", account.name));
            finding.owner_id = Some(account.id.clone());
            finding.deletable = false;
            finding.not_deletable_because =
                Some("OpenAI deletes a service account's key only with its account.".to_owned());
        } else if let Some(user) = &key.owner.user {
            finding.owner = Some(match user.email.is_empty() {
                true => user.name.clone(),
                false => format!("{} <{}>", user.name, user.email),
            });
            finding.owner_id = Some(user.id.clone());
            if !org_users.contains(&user.id) {
                finding.reasons.push(Reason::OwnerLeftOrganization);
            } else if members.iter().all(|m| m.id != user.id) {
                finding.reasons.push(Reason::OwnerLeftProject);
            }
        }
        if !finding.reasons.is_empty() {
            findings.push(finding.seal());
        }
    }
    for account in accounts {
        let own: Vec<&ProjectApiKey> = keys
            .iter()
            .filter(|k| {
                k.owner
                    .service_account
                    .as_ref()
                    .is_some_and(|a| a.id == account.id)
            })
            .collect();
        let mut finding = Finding::base(
            Kind::ServiceAccount,
            &account.id,
            &account.name,
            account.created_at,
        );
        finding.project = Some(project_ref.clone());
        finding.owner = Some(format!("service account ({})", account.role));
        finding.last_used_at = own.iter().filter_map(|k| k.last_used_at).max();
        finding.goes_with = own.iter().map(|k| k.id.clone()).collect();
        if own.is_empty() {
            finding.reasons.push(Reason::NoKey);
        } else if own.iter().all(|k| rules.usage(k.last_used_at).is_some()) {
            finding.reasons.push(Reason::AllKeysStale);
        }
        if !finding.reasons.is_empty() {
            findings.push(finding.seal());
        }
    }
    findings
}

/// The findings among admin keys; `portal_keys` are the ones the portal may run on.
pub fn admin_key_findings(
    rules: &Rules,
    keys: &[AdminApiKey],
    portal_keys: &HashSet<String>,
) -> Vec<Finding> {
    keys.iter()
        .filter_map(|key| {
            let name = key
                .name
                .clone()
                .unwrap_or_else(|| key.redacted_value.clone());
            let mut finding = Finding::base(Kind::AdminKey, &key.id, &name, key.created_at);
            finding.last_used_at = key.last_used_at;
            finding.expires_at = key.expires_at;
            finding.owner = Some(key.owner.name.clone());
            finding.owner_id = Some(key.owner.id.clone());
            if key.created_at < rules.cutoff() {
                finding.reasons.push(Reason::Old);
            }
            finding.reasons.extend(rules.usage(key.last_used_at));
            if key.expires_at.is_none() {
                finding.reasons.push(Reason::NoExpiry);
            }
            if portal_keys.contains(&key.id) {
                finding.portal_key = true;
                finding.deletable = false;
                finding.not_deletable_because = Some(
                    "Gatehouse itself runs on this key; give it another key first.".to_owned(),
                );
            }
            (!finding.reasons.is_empty()).then(|| finding.seal())
        })
        .collect()
}

/// Invites still pending after their expiry: upstream lists them as `expired` (or, read in
/// the moment they lapse, still `pending` with a past `expires_at`); they stay until deleted.
pub fn invite_findings(rules: &Rules, invites: &[Invite]) -> Vec<Finding> {
    invites
        .iter()
        .filter(|i| {
            i.status == "expired"
                || (i.status == "pending" && i.expires_at.is_some_and(|e| e <= rules.now))
        })
        .map(|invite| {
            let mut finding =
                Finding::base(Kind::Invite, &invite.id, &invite.email, invite.created_at);
            finding.expires_at = invite.expires_at;
            finding.owner = Some(invite.email.clone());
            finding.reasons.push(Reason::Expired);
            finding.seal()
        })
        .collect()
}

/// The organization-wide reads the report starts with.
pub struct OrgLists {
    pub users: HashSet<String>,
    pub projects: Vec<Project>,
    /// Archived projects, not read: their keys cannot be used.
    pub archived: usize,
}

/// Reads the organization's users and active projects.
pub async fn read_org(upstream: &Upstream) -> Result<OrgLists, AppError> {
    let users: Vec<User> = upstream.list_all("/organization/users", &[]).await?;
    let projects: Vec<Project> = upstream
        .list_all("/organization/projects", &[("include_archived", "true")])
        .await?;
    let (active, archived): (Vec<Project>, Vec<Project>) = projects
        .into_iter()
        .partition(|p| p.archived_at.is_none() && p.status.as_deref() != Some("archived"));
    Ok(OrgLists {
        users: users.into_iter().map(|u| u.id).collect(),
        projects: active,
        archived: archived.len(),
    })
}

/// Reads one project's members, service accounts and keys, and judges them.
pub async fn read_project(
    upstream: &Upstream,
    rules: &Rules,
    project: &Project,
    org_users: &HashSet<String>,
) -> Result<Vec<Finding>, AppError> {
    let base = format!("/organization/projects/{}", project.id);
    let members: Vec<ProjectUser> = upstream.list_all(&format!("{base}/users"), &[]).await?;
    let accounts: Vec<ServiceAccount> = upstream
        .list_all(&format!("{base}/service_accounts"), &[])
        .await?;
    let keys: Vec<ProjectApiKey> = upstream.list_all(&format!("{base}/api_keys"), &[]).await?;
    Ok(project_findings(
        rules, project, &members, &accounts, &keys, org_users,
    ))
}

/// How many projects a report reads at once: each read is three paged lists, and upstream
/// answers them in parallel, so a report over many projects takes a fraction of the time
/// (`cargo bench -p gatehouse --bench hygiene` measures it), while a few at a time stays far
/// below the organization's rate limit.
pub const PROJECTS_AT_ONCE: usize = 4;

/// Reads `projects`, `at_once` at a time, yielding each with its findings in their order.
pub fn read_projects<'a>(
    upstream: &'a Upstream,
    rules: &'a Rules,
    projects: &'a [Project],
    org_users: &'a HashSet<String>,
    at_once: usize,
) -> impl futures_util::Stream<Item = (&'a Project, Result<Vec<Finding>, AppError>)> + 'a {
    use futures_util::StreamExt;
    futures_util::stream::iter(projects)
        .map(move |project| async move {
            (
                project,
                read_project(upstream, rules, project, org_users).await,
            )
        })
        .buffered(at_once.max(1))
}

/// Reads the admin keys and judges them.
pub async fn read_admin_keys(upstream: &Upstream, rules: &Rules) -> Result<Vec<Finding>, AppError> {
    let keys: Vec<AdminApiKey> = upstream
        .list_all("/organization/admin_api_keys", &[])
        .await?;
    let portal: HashSet<String> = keys
        .iter()
        .filter(|k| upstream.may_be_own_key(&k.redacted_value))
        .map(|k| k.id.clone())
        .collect();
    Ok(admin_key_findings(rules, &keys, &portal))
}

/// Reads the invites and judges them.
pub async fn read_invites(upstream: &Upstream, rules: &Rules) -> Result<Vec<Finding>, AppError> {
    let invites: Vec<Invite> = upstream.list_all("/organization/invites", &[]).await?;
    Ok(invite_findings(rules, &invites))
}

/// The CSV of a report: one row per finding.
pub fn to_csv(findings: &[Finding]) -> anyhow::Result<Vec<u8>> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record([
        "kind",
        "id",
        "name",
        "why",
        "project_id",
        "project",
        "owner",
        "created_at",
        "last_used_at",
        "expires_at",
        "portal_key",
        "goes_with",
    ])?;
    let time = |t: Option<i64>| t.map(crate::journal::format_time).unwrap_or_default();
    for f in findings {
        let why: Vec<&str> = f.reasons.iter().map(|r| r.label()).collect();
        out.write_record([
            f.kind.label(),
            &f.id,
            &neutralise(f.name.clone()),
            &why.join("; "),
            f.project.as_ref().map_or("", |p| &p.id),
            &neutralise(
                f.project
                    .as_ref()
                    .map(|p| p.name.clone())
                    .unwrap_or_default(),
            ),
            &neutralise(f.owner.clone().unwrap_or_default()),
            &time(Some(f.created_at)),
            &time(f.last_used_at),
            &time(f.expires_at),
            if f.portal_key { "yes" } else { "no" },
            &f.goes_with.join(" "),
        ])?;
    }
    Ok(out.into_inner()?)
}
