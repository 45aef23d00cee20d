//! Effective access: every project a user can reach and how, with their organization roles; or
//! everyone who can reach a project and how. Computed from upstream's lists, every page of
//! each, and cached briefly.
//!
//! The paths: an organization owner reaches every active project as its owner; a project
//! member reaches it directly with their project role; a member of a group granted the project
//! reaches it through that group. Upstream's lists never say which role a group's grant gave;
//! when Gatehouse made the grant, its journal does, and that is shown (a grant re-made since,
//! outside Gatehouse, is newer than the journal's and is left without a role).
//!
//! Honesty: every list needed is counted, and every one read whole; a list that fails is named
//! in `failures` and the answer says `complete: false` (rows may be missing, never invented).
//! Archived projects are left out: nobody can use them.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use admin_api::access::{Access, AccessRow, OrganizationRoleRow, Path};
use admin_api::groups::{GROUPS_LIMIT_MAX, Group, GroupUser};
use admin_api::project_groups::{PROJECT_GROUPS_LIMIT_MAX, ProjectGroup};
use admin_api::project_users::ProjectUser;
use admin_api::projects::Project;
use admin_api::roles::{AssignedRole, ROLES_LIMIT_MAX, Role};
use admin_api::users::User;
use futures_util::StreamExt;
use tokio::sync::Mutex;

use crate::AppError;
use crate::journal::{GrantMade, Journal};
use crate::upstream::Upstream;

/// How long an answer is reused. A write through Gatehouse (any replica) ends it at once, as
/// does `?refresh=true`; a change made on OpenAI's dashboard shows within this.
pub const CACHE_FOR: Duration = Duration::from_secs(60);

/// Lists read at once: enough to be quick on a large organization, few enough not to spend
/// its rate limit in a burst.
const AT_ONCE: usize = 6;

/// A grant the journal recorded is believed for an upstream grant created up to this long
/// after it (the clocks of Gatehouse and upstream differ a little).
const CLOCK_SKEW: i64 = 120;

/// Answers kept per subject (`user:ID` or `project:ID`).
#[derive(Default)]
pub struct Cache {
    entries: Mutex<HashMap<String, Cached>>,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache").finish_non_exhaustive()
    }
}

struct Cached {
    at: Instant,
    /// The journal's newest row when it was computed.
    journal_seq: i64,
    access: Arc<Access>,
}

/// The most subjects kept: an access review reads many people, but each answer can be large.
const CACHED_MAX: usize = 256;

impl Cache {
    /// The cached answer for `key`, if fresh and no write happened since.
    async fn get(&self, key: &str, journal_seq: i64) -> Option<Arc<Access>> {
        let entries = self.entries.lock().await;
        let cached = entries.get(key)?;
        (cached.at.elapsed() < CACHE_FOR && cached.journal_seq == journal_seq)
            .then(|| cached.access.clone())
    }

    async fn put(&self, key: String, journal_seq: i64, access: Arc<Access>) {
        let mut entries = self.entries.lock().await;
        entries.retain(|_, cached| cached.at.elapsed() < CACHE_FOR);
        if entries.len() >= CACHED_MAX {
            entries.clear();
        }
        entries.insert(
            key,
            Cached {
                at: Instant::now(),
                journal_seq,
                access,
            },
        );
    }
}

/// Whose access.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    User(String),
    Project(String),
}

impl Subject {
    fn key(&self) -> String {
        match self {
            Self::User(id) => format!("user:{id}"),
            Self::Project(id) => format!("project:{id}"),
        }
    }
}

/// The access of `subject`, from the cache unless `refresh`.
pub async fn access(
    upstream: &Upstream,
    journal: Option<&Journal>,
    cache: &Cache,
    subject: &Subject,
    refresh: bool,
) -> Result<Arc<Access>, AppError> {
    let journal_seq = match journal {
        Some(journal) => journal
            .latest_seq()
            .await
            .map_err(|e| AppError::internal(&e))?,
        None => 0,
    };
    let key = subject.key();
    if !refresh && let Some(access) = cache.get(&key, journal_seq).await {
        return Ok(access);
    }
    let grants = match journal {
        Some(journal) => journal
            .project_group_grants()
            .await
            .map_err(|e| AppError::internal(&e))?,
        None => Vec::new(),
    };
    let mut reader = Reader {
        upstream,
        lists: 0,
        read: 0,
        failures: Vec::new(),
    };
    let access = Arc::new(match subject {
        Subject::User(id) => of_user(&mut reader, &grants, id).await?,
        Subject::Project(id) => of_project(&mut reader, &grants, id).await?,
    });
    cache.put(key, journal_seq, access.clone()).await;
    Ok(access)
}

/// Reads lists, counting each and keeping what failed.
struct Reader<'a> {
    upstream: &'a Upstream,
    lists: u32,
    read: u32,
    failures: Vec<String>,
}

/// Which kind of list, and so which cursor and page size.
#[derive(Clone, Copy)]
enum Paging {
    /// `last_id`, 100 a page.
    LastId,
    /// `next`, up to this many a page.
    Next(u32),
}

impl Reader<'_> {
    /// One list, whole: `None` (and a failure noted) if any page could not be read.
    async fn one<T: serde::de::DeserializeOwned>(
        &mut self,
        path: &str,
        paging: Paging,
        what: &str,
    ) -> Option<Vec<T>> {
        self.lists += 1;
        let result = read(self.upstream, path, paging).await;
        self.settle(result, what)
    }

    /// Several lists at once, [`AT_ONCE`] at a time, in the order given.
    async fn many<T: serde::de::DeserializeOwned>(
        &mut self,
        lists: Vec<(String, String)>,
        paging: Paging,
    ) -> Vec<(String, Option<Vec<T>>)> {
        self.lists += u32::try_from(lists.len()).unwrap_or(u32::MAX);
        let upstream = self.upstream;
        let results: Vec<(String, Result<Vec<T>, AppError>)> =
            futures_util::stream::iter(lists.into_iter().map(|(what, path)| async move {
                let result = read(upstream, &path, paging).await;
                (what, result)
            }))
            .buffered(AT_ONCE)
            .collect()
            .await;
        results
            .into_iter()
            .map(|(what, result)| {
                let items = self.settle(result, &what);
                (what, items)
            })
            .collect()
    }

    fn settle<T>(&mut self, result: Result<Vec<T>, AppError>, what: &str) -> Option<Vec<T>> {
        match result {
            Ok(items) => {
                self.read += 1;
                Some(items)
            }
            Err(error) => {
                self.failures.push(format!(
                    "{what}: {} ({})",
                    error.error.message, error.status
                ));
                None
            }
        }
    }

    fn finish(
        &mut self,
        object: &str,
        id: &str,
        name: Option<String>,
        rows: Vec<AccessRow>,
        organization_roles: Vec<OrganizationRoleRow>,
    ) -> Access {
        Access {
            object: object.to_owned(),
            id: id.to_owned(),
            name,
            rows,
            organization_roles,
            lists_read: self.read,
            lists: self.lists,
            complete: self.failures.is_empty() && self.read == self.lists,
            failures: std::mem::take(&mut self.failures),
            computed_at: crate::journal::now(),
        }
    }
}

async fn read<T: serde::de::DeserializeOwned>(
    upstream: &Upstream,
    path: &str,
    paging: Paging,
) -> Result<Vec<T>, AppError> {
    match paging {
        Paging::LastId => upstream.list_all(path, &[]).await,
        Paging::Next(limit) => upstream.list_all_next(path, limit).await,
    }
}

/// What both views need: the organization's people, roles and active projects.
struct Org {
    users: Vec<User>,
    roles: HashMap<String, Role>,
}

impl Org {
    /// The people. Without them there is nothing to say: that one failure is the answer.
    async fn read(reader: &mut Reader<'_>) -> Result<Self, AppError> {
        let users: Vec<User> = reader.upstream.list_all("/organization/users", &[]).await?;
        reader.lists += 1;
        reader.read += 1;
        Ok(Self {
            users,
            roles: HashMap::new(),
        })
    }

    /// The roles, for their names.
    async fn read_roles(&mut self, reader: &mut Reader<'_>) {
        let roles: Vec<Role> = reader
            .one(
                "/organization/roles",
                Paging::Next(ROLES_LIMIT_MAX),
                "the organization's roles",
            )
            .await
            .unwrap_or_default();
        self.roles = roles.into_iter().map(|r| (r.id.clone(), r)).collect();
    }

    fn user(&self, id: &str) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }

    fn role_name(&self, id: &str) -> Option<String> {
        self.roles.get(id).map(|r| r.name.clone())
    }

    fn owners(&self) -> impl Iterator<Item = &User> {
        self.users
            .iter()
            .filter(|u| u.role.as_deref() == Some("owner"))
    }

    /// The role the journal says `group`'s grant of `project` gave, if the grant upstream
    /// shows is the one Gatehouse made.
    fn grant_role(
        &self,
        grants: &[GrantMade],
        grant: &ProjectGroup,
    ) -> (Option<String>, Option<String>) {
        let made = grants.iter().rev().find(|made| {
            made.project_id == grant.project_id
                && made.group_id == grant.group_id
                && grant.created_at <= made.at + CLOCK_SKEW
                && made.at <= grant.created_at + CLOCK_SKEW
        });
        match made {
            Some(made) => (Some(made.role_id.clone()), self.role_name(&made.role_id)),
            None => (None, None),
        }
    }

    fn row(&self, user_id: &str, project: &Project, path: Path) -> AccessRow {
        let user = self.user(user_id);
        AccessRow {
            user_id: user_id.to_owned(),
            user_name: user.and_then(|u| u.name.clone()),
            user_email: user.and_then(|u| u.email.clone()),
            project_id: project.id.clone(),
            project_name: project.name.clone().unwrap_or_else(|| project.id.clone()),
            path,
            role: None,
            role_name: None,
            group_id: None,
            group_name: None,
        }
    }
}

fn active(projects: Vec<Project>) -> Vec<Project> {
    projects
        .into_iter()
        .filter(|p| p.status.as_deref() != Some("archived") && p.archived_at.is_none())
        .collect()
}

async fn of_user(
    reader: &mut Reader<'_>,
    grants: &[GrantMade],
    user_id: &str,
) -> Result<Access, AppError> {
    admin_api::ids::user_id(user_id)?;
    let mut org = Org::read(reader).await?;
    let Some(user) = org.user(user_id).cloned() else {
        return Err(AppError::with_status(
            axum::http::StatusCode::NOT_FOUND,
            &format!("No user with id '{user_id}' in the organization."),
            "not_found",
        ));
    };
    org.read_roles(reader).await;
    // The user's groups.
    let groups: Vec<Group> = reader
        .one(
            "/organization/groups",
            Paging::Next(GROUPS_LIMIT_MAX),
            "the groups",
        )
        .await
        .unwrap_or_default();
    let names: HashMap<String, String> = groups
        .iter()
        .map(|g| (g.id.clone(), g.name.clone()))
        .collect();
    let members = reader
        .many::<GroupUser>(
            groups
                .iter()
                .map(|g| {
                    (
                        g.id.clone(),
                        format!("/organization/groups/{}/users", checked(&g.id)),
                    )
                })
                .collect(),
            Paging::Next(GROUPS_LIMIT_MAX),
        )
        .await;
    let mine: Vec<String> = members
        .into_iter()
        .filter(|(_, users)| {
            users
                .as_ref()
                .is_some_and(|users| users.iter().any(|u| u.id == user_id))
        })
        .map(|(group, _)| group)
        .collect();
    let mine_set: HashSet<&str> = mine.iter().map(String::as_str).collect();

    // Organization roles: direct, then through each group.
    let mut organization_roles = Vec::new();
    let direct: Vec<AssignedRole> = reader
        .one(
            &format!("/organization/users/{user_id}/roles"),
            Paging::Next(ROLES_LIMIT_MAX),
            "the user's roles",
        )
        .await
        .unwrap_or_default();
    for role in direct {
        organization_roles.push(OrganizationRoleRow {
            role_name: name_of(&org, &role),
            role_id: role.id,
            path: Path::Direct,
            group_id: None,
            group_name: None,
        });
    }
    let through = reader
        .many::<AssignedRole>(
            mine.iter()
                .map(|g| {
                    (
                        g.clone(),
                        format!("/organization/groups/{}/roles", checked(g)),
                    )
                })
                .collect(),
            Paging::Next(ROLES_LIMIT_MAX),
        )
        .await;
    for (group, roles) in through {
        for role in roles.unwrap_or_default() {
            organization_roles.push(OrganizationRoleRow {
                role_name: name_of(&org, &role),
                role_id: role.id,
                path: Path::Group,
                group_name: names.get(&group).cloned(),
                group_id: Some(group.clone()),
            });
        }
    }

    // Projects: as an owner, directly, through a group.
    let projects = active(
        reader
            .one::<Project>("/organization/projects", Paging::LastId, "the projects")
            .await
            .unwrap_or_default(),
    );
    let project_paths = |suffix: &str| -> Vec<(String, String)> {
        projects
            .iter()
            .map(|p| {
                (
                    p.id.clone(),
                    format!("/organization/projects/{}/{suffix}", checked(&p.id)),
                )
            })
            .collect()
    };
    let project_users: HashMap<String, Option<Vec<ProjectUser>>> = reader
        .many(project_paths("users"), Paging::LastId)
        .await
        .into_iter()
        .collect();
    let project_groups: HashMap<String, Option<Vec<ProjectGroup>>> = reader
        .many(
            project_paths("groups"),
            Paging::Next(PROJECT_GROUPS_LIMIT_MAX),
        )
        .await
        .into_iter()
        .collect();
    let mut rows = Vec::new();
    let owner = user.role.as_deref() == Some("owner");
    for project in &projects {
        if owner {
            rows.push(AccessRow {
                role: Some("owner".into()),
                ..org.row(user_id, project, Path::Owner)
            });
        }
        if let Some(Some(members)) = project_users.get(&project.id)
            && let Some(member) = members.iter().find(|m| m.id == user_id)
        {
            rows.push(AccessRow {
                role: Some(member.role.clone()),
                ..org.row(user_id, project, Path::Direct)
            });
        }
        for grant in project_groups
            .get(&project.id)
            .and_then(Option::as_ref)
            .into_iter()
            .flatten()
            .filter(|g| mine_set.contains(g.group_id.as_str()))
        {
            let (role, role_name) = org.grant_role(grants, grant);
            rows.push(AccessRow {
                role,
                role_name,
                group_id: Some(grant.group_id.clone()),
                group_name: Some(grant.group_name.clone()),
                ..org.row(user_id, project, Path::Group)
            });
        }
    }
    rows.sort_by(|a, b| {
        (a.project_name.to_lowercase(), &a.project_id, a.path).cmp(&(
            b.project_name.to_lowercase(),
            &b.project_id,
            b.path,
        ))
    });
    let name = user.name.clone().or(user.email.clone());
    Ok(reader.finish("access.user", user_id, name, rows, organization_roles))
}

async fn of_project(
    reader: &mut Reader<'_>,
    grants: &[GrantMade],
    project_id: &str,
) -> Result<Access, AppError> {
    admin_api::ids::project_id(project_id)?;
    let mut org = Org::read(reader).await?;
    let base = format!("/organization/projects/{project_id}");
    let project: Project = reader.upstream.get_json(&base, "", "a project").await?;
    reader.lists += 1;
    reader.read += 1;
    org.read_roles(reader).await;
    let mut rows = Vec::new();
    if project.status.as_deref() != Some("archived") && project.archived_at.is_none() {
        for owner in org.owners() {
            rows.push(AccessRow {
                role: Some("owner".into()),
                ..org.row(&owner.id, &project, Path::Owner)
            });
        }
    }
    let members: Vec<ProjectUser> = reader
        .one(
            &format!("{base}/users"),
            Paging::LastId,
            "the project's members",
        )
        .await
        .unwrap_or_default();
    for member in members {
        rows.push(AccessRow {
            user_name: member.name.clone(),
            user_email: member.email.clone(),
            role: Some(member.role.clone()),
            ..org.row(&member.id, &project, Path::Direct)
        });
    }
    let granted: Vec<ProjectGroup> = reader
        .one(
            &format!("{base}/groups"),
            Paging::Next(PROJECT_GROUPS_LIMIT_MAX),
            "the project's groups",
        )
        .await
        .unwrap_or_default();
    let by_group: BTreeMap<String, &ProjectGroup> =
        granted.iter().map(|g| (g.group_id.clone(), g)).collect();
    let members = reader
        .many::<GroupUser>(
            by_group
                .keys()
                .map(|g| {
                    (
                        g.clone(),
                        format!("/organization/groups/{}/users", checked(g)),
                    )
                })
                .collect(),
            Paging::Next(GROUPS_LIMIT_MAX),
        )
        .await;
    for (group, users) in members {
        let grant = by_group[&group];
        let (role, role_name) = org.grant_role(grants, grant);
        for user in users.unwrap_or_default() {
            rows.push(AccessRow {
                user_name: Some(user.name.clone()),
                user_email: user.email.clone(),
                role: role.clone(),
                role_name: role_name.clone(),
                group_id: Some(group.clone()),
                group_name: Some(grant.group_name.clone()),
                ..org.row(&user.id, &project, Path::Group)
            });
        }
    }
    rows.sort_by(|a, b| {
        let person = |r: &AccessRow| {
            r.user_name
                .clone()
                .or(r.user_email.clone())
                .unwrap_or_default()
                .to_lowercase()
        };
        (person(a), &a.user_id, a.path).cmp(&(person(b), &b.user_id, b.path))
    });
    let name = project.name.clone();
    Ok(reader.finish("access.project", project_id, name, rows, Vec::new()))
}

fn name_of(org: &Org, role: &AssignedRole) -> String {
    if role.name.is_empty() {
        org.role_name(&role.id).unwrap_or_else(|| role.id.clone())
    } else {
        role.name.clone()
    }
}

/// An id from upstream, used in a path only if it is well formed (it always is; a malformed
/// one becomes a path upstream answers 404 to, never another route).
fn checked(id: &str) -> String {
    let well_formed = !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
        && id != "."
        && id != "..";
    if well_formed {
        id.to_owned()
    } else {
        "invalid-id".to_owned()
    }
}
