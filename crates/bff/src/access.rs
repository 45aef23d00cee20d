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
use admin_api::ids;
use admin_api::project_groups::{PROJECT_GROUPS_LIMIT_MAX, ProjectGroup};
use admin_api::project_users::ProjectUser;
use admin_api::projects::Project;
use admin_api::roles::{AssignedRole, ROLES_LIMIT_MAX, Role};
use admin_api::users::User;
use futures_util::StreamExt;
use serde_json::Value;
use tokio::sync::{Mutex, OwnedSemaphorePermit, Semaphore};

use crate::AppError;
use crate::journal::{GrantMade, Journal};
use crate::upstream::Upstream;

/// How long a list read from upstream is reused, by every view that needs it (an access review
/// of fifty people reads the organization's groups and projects once, not fifty times). A
/// write through Gatehouse (any replica) ends it at once; a change made on OpenAI's dashboard
/// shows within this.
pub const CACHE_FOR: Duration = Duration::from_secs(60);

/// `refresh=true` reads again only lists older than this: a reader cannot keep the
/// organization's rate limit busy by refreshing in a loop.
pub const REFRESH_AFTER: Duration = Duration::from_secs(10);

/// Lists read at once: enough to be quick on a large organization, few enough not to spend
/// its rate limit in a burst.
const AT_ONCE: usize = 6;

/// A grant the journal recorded is believed for an upstream grant created up to this long
/// after it (the clocks of Gatehouse and upstream differ a little).
const CLOCK_SKEW: i64 = 120;

/// The most lists kept: beyond, the cache starts again (each is at most a few hundred items).
const CACHED_MAX: usize = 20_000;

/// Upstream's lists as last read, by path, and the journal's grants, all valid while the
/// journal's newest row is the one they were read at.
#[derive(Default)]
pub struct Cache {
    lists: Mutex<HashMap<String, Cached>>,
    grants: Mutex<Option<(i64, Arc<Vec<GrantMade>>)>>,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache").finish_non_exhaustive()
    }
}

struct Cached {
    at: Instant,
    /// The journal's newest row when it was read.
    journal_seq: i64,
    items: Arc<Vec<Value>>,
}

impl Cache {
    async fn get(&self, path: &str, journal_seq: i64, refresh: bool) -> Option<Arc<Vec<Value>>> {
        let lists = self.lists.lock().await;
        let cached = lists.get(path)?;
        let age = cached.at.elapsed();
        let fresh = age < CACHE_FOR
            && cached.journal_seq == journal_seq
            && !(refresh && age >= REFRESH_AFTER);
        fresh.then(|| cached.items.clone())
    }

    async fn put(&self, path: &str, journal_seq: i64, items: Arc<Vec<Value>>) {
        let mut lists = self.lists.lock().await;
        if lists.len() >= CACHED_MAX {
            lists.retain(|_, c| c.at.elapsed() < CACHE_FOR && c.journal_seq == journal_seq);
            if lists.len() >= CACHED_MAX {
                lists.clear();
            }
        }
        lists.insert(
            path.to_owned(),
            Cached {
                at: Instant::now(),
                journal_seq,
                items,
            },
        );
    }

    async fn grants(
        &self,
        journal: &Journal,
        journal_seq: i64,
    ) -> Result<Arc<Vec<GrantMade>>, AppError> {
        let mut grants = self.grants.lock().await;
        if let Some((seq, made)) = grants.as_ref()
            && *seq == journal_seq
        {
            return Ok(made.clone());
        }
        let made = Arc::new(
            journal
                .project_group_grants()
                .await
                .map_err(|e| AppError::internal(&e))?,
        );
        *grants = Some((journal_seq, made.clone()));
        Ok(made)
    }
}

/// Whose access.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    User(String),
    Project(String),
}

/// What computing an answer may use.
#[derive(Clone)]
pub struct Sources<'a> {
    pub upstream: &'a Upstream,
    pub journal: Option<&'a Journal>,
    pub cache: &'a Arc<Cache>,
    /// Bounds the answers reading upstream at once (shared with the key-hygiene report); an
    /// answer whose lists are all cached needs no turn.
    pub permits: &'a Arc<Semaphore>,
    /// Where to say how far the reading is, as each list is read.
    pub progress: Option<tokio::sync::mpsc::Sender<Progress>>,
}

/// How far an answer's reading is: `lists_read` of the `lists` known to be needed so far (more
/// may be found as groups and projects are read).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Progress {
    pub lists_read: u32,
    pub lists: u32,
}

/// The access of `subject`. `refresh` reads again what is older than [`REFRESH_AFTER`].
pub async fn access(
    sources: Sources<'_>,
    subject: &Subject,
    refresh: bool,
) -> Result<Access, AppError> {
    let journal_seq = match sources.journal {
        Some(journal) => journal
            .latest_seq()
            .await
            .map_err(|e| AppError::internal(&e))?,
        None => 0,
    };
    let grants = match sources.journal {
        Some(journal) => sources.cache.grants(journal, journal_seq).await?,
        None => Arc::new(Vec::new()),
    };
    let mut reader = Reader {
        sources,
        journal_seq,
        refresh,
        permit: None,
        lists: 0,
        read: 0,
        failures: Vec::new(),
    };
    match subject {
        Subject::User(id) => of_user(&mut reader, grants, id).await,
        Subject::Project(id) => of_project(&mut reader, grants, id).await,
    }
}

/// Reads lists, from the cache or upstream, counting each and keeping what failed.
struct Reader<'a> {
    sources: Sources<'a>,
    journal_seq: i64,
    refresh: bool,
    /// Taken at the first list that must come from upstream.
    permit: Option<OwnedSemaphorePermit>,
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

/// One list to read: what it is (for a failure's words) and its path.
struct List {
    what: String,
    path: String,
}

impl Reader<'_> {
    /// A turn to read upstream, or 429 when every turn is taken.
    fn turn(&mut self) -> Result<(), AppError> {
        if self.permit.is_none() {
            let permit = self.sources.permits.clone().try_acquire_owned().map_err(|_| {
                AppError::too_many(
                    "Access is being read from OpenAI already; each answer takes many calls. Try again in a few seconds.",
                    "reports_busy",
                    Duration::from_secs(5),
                )
            })?;
            self.permit = Some(permit);
        }
        Ok(())
    }

    /// A list that must be read whole: its failure is the answer's (the people list).
    async fn required<T: serde::de::DeserializeOwned>(
        &mut self,
        path: &str,
        paging: Paging,
    ) -> Result<Vec<T>, AppError> {
        self.lists += 1;
        let items = self.fetch(path, paging).await?;
        self.read += 1;
        self.report().await;
        decode(items)
    }

    /// One list, whole: `None` (and a failure noted) if any page could not be read.
    async fn one<T: serde::de::DeserializeOwned>(
        &mut self,
        list: List,
        paging: Paging,
    ) -> Result<Option<Vec<T>>, AppError> {
        Ok(self
            .many(vec![list], paging)
            .await?
            .pop()
            .and_then(|(_, items)| items))
    }

    /// Several lists, [`AT_ONCE`] at a time, in the order given, each with what it is.
    async fn many<T: serde::de::DeserializeOwned>(
        &mut self,
        lists: Vec<List>,
        paging: Paging,
    ) -> Result<Vec<(String, Option<Vec<T>>)>, AppError> {
        self.lists += u32::try_from(lists.len()).unwrap_or(u32::MAX);
        let mut cached = Vec::with_capacity(lists.len());
        for list in &lists {
            cached.push(
                self.sources
                    .cache
                    .get(&list.path, self.journal_seq, self.refresh)
                    .await,
            );
        }
        if cached.iter().any(Option::is_none) {
            self.turn()?;
        }
        // Owned futures (an upstream handle, the cache and the path each), so that the handler's
        // future stays `Send` for any lifetime.
        let (upstream, cache, journal_seq) = (
            self.sources.upstream.clone(),
            self.sources.cache.clone(),
            self.journal_seq,
        );
        let jobs: Vec<_> = lists
            .iter()
            .zip(cached)
            .map(|(list, cached)| {
                let (upstream, cache, path) = (upstream.clone(), cache.clone(), list.path.clone());
                async move {
                    match cached {
                        Some(items) => Ok(items),
                        None => read_upstream(&upstream, &cache, journal_seq, &path, paging).await,
                    }
                }
            })
            .collect();
        let mut results = futures_util::stream::iter(jobs).buffered(AT_ONCE);
        let mut out = Vec::with_capacity(lists.len());
        for list in lists {
            let Some(result) = results.next().await else {
                break;
            };
            let items = match result.and_then(decode) {
                Ok(items) => {
                    self.read += 1;
                    Some(items)
                }
                Err(error) => {
                    self.failures.push(format!(
                        "{}: {} ({})",
                        list.what, error.error.message, error.status
                    ));
                    None
                }
            };
            out.push((list.path, items));
            self.report().await;
        }
        Ok(out)
    }

    /// Tells whoever watches how far the reading is (a closed channel is ignored: the answer is
    /// still computed, and cached, for whoever asks next).
    async fn report(&self) {
        if let Some(progress) = &self.sources.progress {
            let _gone = progress
                .send(Progress {
                    lists_read: self.read,
                    lists: self.lists,
                })
                .await;
        }
    }

    /// A list from the cache, or else from upstream (then cached).
    async fn fetch(&mut self, path: &str, paging: Paging) -> Result<Arc<Vec<Value>>, AppError> {
        if let Some(items) = self
            .sources
            .cache
            .get(path, self.journal_seq, self.refresh)
            .await
        {
            return Ok(items);
        }
        self.turn()?;
        read_upstream(
            self.sources.upstream,
            self.sources.cache,
            self.journal_seq,
            path,
            paging,
        )
        .await
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
            archived: false,
            lists_read: self.read,
            lists: self.lists,
            complete: self.failures.is_empty() && self.read == self.lists,
            failures: std::mem::take(&mut self.failures),
            computed_at: crate::journal::now(),
        }
    }
}

/// A list from upstream, whole, then cached.
async fn read_upstream(
    upstream: &Upstream,
    cache: &Cache,
    journal_seq: i64,
    path: &str,
    paging: Paging,
) -> Result<Arc<Vec<Value>>, AppError> {
    let items: Vec<Value> = match paging {
        Paging::LastId => upstream.list_all(path, &[]).await?,
        Paging::Next(limit) => upstream.list_all_next(path, limit).await?,
    };
    let items = Arc::new(items);
    cache.put(path, journal_seq, items.clone()).await;
    Ok(items)
}

fn decode<T: serde::de::DeserializeOwned>(items: Arc<Vec<Value>>) -> Result<Vec<T>, AppError> {
    items
        .iter()
        .map(|item| serde_json::from_value(item.clone()))
        .collect::<Result<Vec<T>, _>>()
        .map_err(|e| AppError::bad_gateway("OpenAI's list held something unexpected.", &e))
}

/// What both views need: the organization's people and its roles (for their names).
struct Org {
    users: Vec<User>,
    roles: HashMap<String, Role>,
}

impl Org {
    /// The people. Without them there is nothing to say: that one failure is the answer.
    async fn read(reader: &mut Reader<'_>) -> Result<Self, AppError> {
        let users: Vec<User> = reader
            .required("/organization/users", Paging::LastId)
            .await?;
        Ok(Self {
            users,
            roles: HashMap::new(),
        })
    }

    /// The roles, for their names.
    async fn read_roles(&mut self, reader: &mut Reader<'_>) -> Result<(), AppError> {
        let list = List {
            what: "the organization's roles".into(),
            path: "/organization/roles".into(),
        };
        let roles: Vec<Role> = reader
            .one(list, Paging::Next(ROLES_LIMIT_MAX))
            .await?
            .unwrap_or_default();
        self.roles = roles.into_iter().map(|r| (r.id.clone(), r)).collect();
        Ok(())
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
    /// shows is the one Gatehouse made (made within [`CLOCK_SKEW`] of it; a grant revoked and
    /// made again elsewhere within that time is taken for Gatehouse's: README says so).
    fn grant_role(
        &self,
        grants: &[GrantMade],
        grant: &ProjectGroup,
    ) -> (Option<String>, Option<String>) {
        let made = grants.iter().rev().find(|made| {
            made.project_id == grant.project_id
                && made.group_id == grant.group_id
                && (grant.created_at - made.at).abs() <= CLOCK_SKEW
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
            project_name: name_of_project(project),
            path,
            role: None,
            role_name: None,
            group_id: None,
            group_name: None,
        }
    }
}

fn name_of_project(project: &Project) -> String {
    project.name.clone().unwrap_or_else(|| project.id.clone())
}

fn archived(project: &Project) -> bool {
    project.status.as_deref() == Some("archived") || project.archived_at.is_some()
}

/// The lists of `suffix` under each of `ids` (`/organization/{kind}/{id}/{suffix}`), each
/// described by `what`. An id upstream gave that is not well formed is a failure, never a path.
fn lists_of<'a>(
    reader: &mut Reader<'_>,
    kind: &str,
    suffix: &str,
    items: impl IntoIterator<Item = (&'a str, &'a str)>,
    what: &str,
) -> Vec<List> {
    let mut lists = Vec::new();
    for (id, name) in items {
        let valid = match kind {
            "groups" => ids::group_id(id),
            _ => ids::project_id(id),
        };
        if valid.is_err() {
            reader.lists += 1;
            reader
                .failures
                .push(format!("{what} of {name}: upstream gave a malformed id"));
            continue;
        }
        lists.push(List {
            what: format!("{what} of {name} ({id})"),
            path: format!("/organization/{kind}/{id}/{suffix}"),
        });
    }
    lists
}

async fn of_user(
    reader: &mut Reader<'_>,
    grants: Arc<Vec<GrantMade>>,
    user_id: &str,
) -> Result<Access, AppError> {
    ids::user_id(user_id)?;
    let mut org = Org::read(reader).await?;
    let Some(user) = org.user(user_id).cloned() else {
        return Err(AppError::with_status(
            axum::http::StatusCode::NOT_FOUND,
            &format!("No user with id '{user_id}' in the organization."),
            "not_found",
        ));
    };
    org.read_roles(reader).await?;

    // The user's groups.
    let groups: Vec<Group> = reader
        .one(
            List {
                what: "the groups".into(),
                path: "/organization/groups".into(),
            },
            Paging::Next(GROUPS_LIMIT_MAX),
        )
        .await?
        .unwrap_or_default();
    let names: HashMap<&str, &str> = groups
        .iter()
        .map(|g| (g.id.as_str(), g.name.as_str()))
        .collect();
    let member_lists = lists_of(
        reader,
        "groups",
        "users",
        groups.iter().map(|g| (g.id.as_str(), g.name.as_str())),
        "the members",
    );
    let members = reader
        .many::<GroupUser>(member_lists, Paging::Next(GROUPS_LIMIT_MAX))
        .await?;
    let mine: Vec<String> = members
        .into_iter()
        .filter(|(_, users)| {
            users
                .as_ref()
                .is_some_and(|users| users.iter().any(|u| u.id == user_id))
        })
        .filter_map(|(path, _)| group_of(&path))
        .collect();
    let mine_set: HashSet<&str> = mine.iter().map(String::as_str).collect();

    // Organization roles: through each of the user's groups, then direct.
    let mut organization_roles = Vec::new();
    let role_lists = lists_of(
        reader,
        "groups",
        "roles",
        mine.iter()
            .map(|g| (g.as_str(), names.get(g.as_str()).copied().unwrap_or(g))),
        "the roles",
    );
    for (path, roles) in reader
        .many::<AssignedRole>(role_lists, Paging::Next(ROLES_LIMIT_MAX))
        .await?
    {
        let group = group_of(&path).unwrap_or_default();
        for role in roles.unwrap_or_default() {
            organization_roles.push(OrganizationRoleRow {
                role_name: name_of(&org, &role),
                role_id: role.id,
                path: Path::Group,
                group_name: names.get(group.as_str()).map(|n| (*n).to_owned()),
                group_id: Some(group.clone()),
            });
        }
    }
    let direct: Vec<AssignedRole> = reader
        .one(
            List {
                what: "the user's roles".into(),
                path: format!("/organization/users/{user_id}/roles"),
            },
            Paging::Next(ROLES_LIMIT_MAX),
        )
        .await?
        .unwrap_or_default();
    for role in direct {
        // Upstream may list roles inherited through groups here too: those come from their
        // group (and are shown once, under it), the rest are the user's own.
        let sources = role.assignment_sources.clone().unwrap_or_default();
        let from_groups: Vec<&str> = sources
            .iter()
            .filter(|s| s.principal_type == "group")
            .map(|s| s.principal_id.as_str())
            .collect();
        let own = sources.is_empty()
            || sources
                .iter()
                .any(|s| s.principal_type == "user" && s.principal_id == user_id);
        for group in from_groups {
            let known = organization_roles.iter().any(|r: &OrganizationRoleRow| {
                r.role_id == role.id && r.group_id.as_deref() == Some(group)
            });
            if !known {
                organization_roles.push(OrganizationRoleRow {
                    role_id: role.id.clone(),
                    role_name: name_of(&org, &role),
                    path: Path::Group,
                    group_id: Some(group.to_owned()),
                    group_name: names.get(group).map(|n| (*n).to_owned()),
                });
            }
        }
        if own {
            organization_roles.push(OrganizationRoleRow {
                role_name: name_of(&org, &role),
                role_id: role.id,
                path: Path::Direct,
                group_id: None,
                group_name: None,
            });
        }
    }
    organization_roles.sort_by(|a, b| {
        (a.path, a.role_name.to_lowercase(), &a.group_name).cmp(&(
            b.path,
            b.role_name.to_lowercase(),
            &b.group_name,
        ))
    });

    // Projects: as an owner, directly, through a group.
    let projects: Vec<Project> = reader
        .one(
            List {
                what: "the projects".into(),
                path: "/organization/projects".into(),
            },
            Paging::LastId,
        )
        .await?
        .unwrap_or_default()
        .into_iter()
        .filter(|p| !archived(p))
        .collect();
    let named: Vec<(String, String)> = projects
        .iter()
        .map(|p| (p.id.clone(), name_of_project(p)))
        .collect();
    let pairs = || named.iter().map(|(id, name)| (id.as_str(), name.as_str()));
    let user_lists = lists_of(reader, "projects", "users", pairs(), "the members");
    let project_users: HashMap<String, Vec<ProjectUser>> = reader
        .many(user_lists, Paging::LastId)
        .await?
        .into_iter()
        .filter_map(|(path, users)| Some((project_of(&path)?, users?)))
        .collect();
    let group_lists = lists_of(reader, "projects", "groups", pairs(), "the groups");
    let project_groups: HashMap<String, Vec<ProjectGroup>> = reader
        .many(group_lists, Paging::Next(PROJECT_GROUPS_LIMIT_MAX))
        .await?
        .into_iter()
        .filter_map(|(path, groups)| Some((project_of(&path)?, groups?)))
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
        if let Some(member) = project_users
            .get(&project.id)
            .and_then(|members| members.iter().find(|m| m.id == user_id))
        {
            rows.push(AccessRow {
                role: Some(member.role.clone()),
                ..org.row(user_id, project, Path::Direct)
            });
        }
        for grant in project_groups
            .get(&project.id)
            .into_iter()
            .flatten()
            .filter(|g| mine_set.contains(g.group_id.as_str()))
        {
            let (role, role_name) = org.grant_role(&grants, grant);
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
    grants: Arc<Vec<GrantMade>>,
    project_id: &str,
) -> Result<Access, AppError> {
    ids::project_id(project_id)?;
    let base = format!("/organization/projects/{project_id}");
    // The project first: an unknown one costs one call.
    reader.turn()?;
    let project: Project = reader
        .sources
        .upstream
        .get_json(&base, "", "a project")
        .await?;
    reader.lists += 1;
    reader.read += 1;
    if archived(&project) {
        // Nobody can use an archived project: it has no access to show.
        let mut access = reader.finish(
            "access.project",
            project_id,
            project.name.clone(),
            Vec::new(),
            Vec::new(),
        );
        access.archived = true;
        return Ok(access);
    }
    let mut org = Org::read(reader).await?;
    org.read_roles(reader).await?;
    let mut rows = Vec::new();
    for owner in org.owners() {
        rows.push(AccessRow {
            role: Some("owner".into()),
            ..org.row(&owner.id, &project, Path::Owner)
        });
    }
    let members: Vec<ProjectUser> = reader
        .one(
            List {
                what: "the project's members".into(),
                path: format!("{base}/users"),
            },
            Paging::LastId,
        )
        .await?
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
            List {
                what: "the project's groups".into(),
                path: format!("{base}/groups"),
            },
            Paging::Next(PROJECT_GROUPS_LIMIT_MAX),
        )
        .await?
        .unwrap_or_default();
    let by_group: BTreeMap<&str, &ProjectGroup> =
        granted.iter().map(|g| (g.group_id.as_str(), g)).collect();
    let member_lists = lists_of(
        reader,
        "groups",
        "users",
        by_group
            .values()
            .map(|g| (g.group_id.as_str(), g.group_name.as_str())),
        "the members",
    );
    for (path, users) in reader
        .many::<GroupUser>(member_lists, Paging::Next(GROUPS_LIMIT_MAX))
        .await?
    {
        let Some(grant) = group_of(&path).and_then(|g| by_group.get(g.as_str()).copied()) else {
            continue;
        };
        let (role, role_name) = org.grant_role(&grants, grant);
        for user in users.unwrap_or_default() {
            rows.push(AccessRow {
                user_name: Some(user.name.clone()),
                user_email: user.email.clone(),
                role: role.clone(),
                role_name: role_name.clone(),
                group_id: Some(grant.group_id.clone()),
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

/// The group id in `/organization/groups/{id}/…`.
fn group_of(path: &str) -> Option<String> {
    Some(
        path.strip_prefix("/organization/groups/")?
            .split('/')
            .next()?
            .to_owned(),
    )
}

/// The project id in `/organization/projects/{id}/…`.
fn project_of(path: &str) -> Option<String> {
    Some(
        path.strip_prefix("/organization/projects/")?
            .split('/')
            .next()?
            .to_owned(),
    )
}
