//! The deterministic seeded organization: the same seed and anchor time always give the same
//! users, projects, keys, invites and audit history.

use std::collections::HashMap;

use admin_api::admin_api_keys::AdminApiKeyOwner;
use admin_api::api_keys::{
    ApiKeyOwner, ApiKeyOwnerServiceAccount, ApiKeyOwnerUser, ProjectApiKey, redact,
};
use admin_api::audit_logs::{
    AuditLogActor, AuditLogActorSession, AuditLogActorUser, AuditLogProject, IpAddressDetails,
};
use admin_api::invites::{Invite, InviteProject};
use admin_api::project_users::ProjectUser;
use admin_api::projects::Project;
use admin_api::service_accounts::ServiceAccount;
use admin_api::users::User;
use serde_json::{Value, json};

use crate::Org;
use crate::audit_logs::AuditStore;
use crate::org::ProjectRecord;

/// What to seed.
#[derive(Debug, Clone, Copy)]
pub struct SeedOptions {
    /// The random seed; ids, names and history follow from it.
    pub seed: u64,
    /// The Unix time the history ends at ("now" for the seeded organization).
    pub now: i64,
    /// How many users (at least 8).
    pub users: usize,
    /// How many historic audit events, spread over the 90 days before `now`.
    pub audit_events: usize,
}

impl Default for SeedOptions {
    fn default() -> Self {
        Self {
            seed: 0x6761_7465,
            now: crate::org::now(),
            users: 40,
            audit_events: 5_000,
        }
    }
}

/// A desktop browser's user agent, for sessions the sandbox makes up.
pub const BROWSER: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";

const FIRST: &[&str] = &[
    "Ada", "Grace", "Alan", "Barbara", "Edsger", "Frances", "Donald", "Margaret", "Ken", "Radia",
    "Linus", "Hedy", "John", "Karen", "Dennis", "Sophie", "Tim", "Anita", "Guido", "Shafi",
];
const LAST: &[&str] = &[
    "Lovelace", "Hopper", "Turing", "Liskov", "Dijkstra", "Allen", "Knuth", "Hamilton", "Thompson",
    "Perlman", "Torvalds", "Lamarr", "McCarthy", "Jones", "Ritchie", "Wilson", "Lee", "Borg",
];
/// Project names; the last two are archived.
const PROJECTS: &[&str] = &[
    "Default project",
    "Alpha",
    "Support Bot",
    "Search",
    "Data Science",
    "Mobile",
    "Legacy",
    "Pilot",
];
/// (ip, country, city, region, user agent)
const PLACES: &[(&str, &str, &str, &str, &str)] = &[
    (
        "203.0.113.24",
        "US",
        "San Francisco",
        "California",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    ),
    ("198.51.100.7", "DE", "Berlin", "Berlin", BROWSER),
    (
        "192.0.2.181",
        "GB",
        "London",
        "England",
        "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    ),
    (
        "203.0.113.90",
        "JP",
        "Tokyo",
        "Tokyo",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    ),
    (
        "198.51.100.212",
        "BR",
        "São Paulo",
        "São Paulo",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
    ),
    ("192.0.2.45", "IN", "Bengaluru", "Karnataka", BROWSER),
];

const DAY: i64 = 86_400;

/// Builds the seeded organization; `admin_key` is the secret of its first admin key.
pub fn organization(admin_key: &str, options: SeedOptions) -> Org {
    let mut org = Org {
        users: Vec::new(),
        invites: Vec::new(),
        projects: Vec::new(),
        admin_keys: Vec::new(),
        admin_key_values: HashMap::new(),
        groups: Vec::new(),
        roles: Vec::new(),
        role_assignments: Vec::new(),
        project_groups: Vec::new(),
        audit: AuditStore::default(),
        default_project: AuditLogProject {
            id: String::new(),
            name: None,
        },
        rng: fastrand::Rng::with_seed(options.seed),
        clock_offset: options.now - crate::org::now(),
    };
    seed_users(&mut org, options);
    seed_admin_keys(&mut org, admin_key, options.now);
    seed_projects(&mut org, options.now);
    seed_invites(&mut org, options.now);
    seed_history(&mut org, options);
    seed_hygiene(&mut org, options.now);
    seed_access(&mut org, options.now);
    org
}

fn seed_users(org: &mut Org, options: SeedOptions) {
    let count = options.users.max(8);
    for i in 0..count {
        let first = FIRST[i % FIRST.len()];
        let last = LAST[(i * 7 + i / FIRST.len()) % LAST.len()];
        let suffix = if i < FIRST.len() {
            String::new()
        } else {
            i.to_string()
        };
        let email = format!(
            "{}.{}{suffix}@acme.example",
            first.to_lowercase(),
            last.to_lowercase()
        );
        // Roughly one in six is an owner; the first user (who owns the admin keys) always is.
        let role = if i == 0 || i % 6 == 1 {
            "owner"
        } else {
            "reader"
        };
        let age_days = i64::try_from(count - i).unwrap_or(0) * 9 + org.rng.i64(0..5);
        let id = org.new_id("user-");
        org.users.push(User {
            object: "organization.user".into(),
            id,
            name: Some(format!("{first} {last}")),
            email: Some(email),
            role: Some(role.into()),
            added_at: options.now - age_days * DAY - org.rng.i64(0..DAY),
        });
    }
}

fn seed_admin_keys(org: &mut Org, admin_key: &str, now: i64) {
    let owner_of = |user: &User| AdminApiKeyOwner {
        kind: "user".into(),
        object: "organization.user".into(),
        id: user.id.clone(),
        name: user.name.clone().unwrap_or_default(),
        created_at: user.added_at,
        role: user.role.clone().unwrap_or_default(),
    };
    let (first, second) = (owner_of(&org.users[0]), owner_of(&org.users[1]));
    // (name, owner, age, last used days ago, expires in days): every finding of the
    // key-hygiene report for admin keys, and one key with none.
    let keys = [
        ("Gatehouse portal", &first, 30, Some(0), None),
        ("Terraform", &first, 200, Some(150), None),
        ("SIEM export", &first, 120, Some(1), Some(60)),
        ("Ops laptop", &second, 10, None, Some(80)),
        ("Key rotation", &first, 5, Some(1), Some(85)),
    ];
    for (n, (name, owner, age_days, used, expires)) in keys.into_iter().enumerate() {
        let value = match n {
            0 => admin_key.to_owned(),
            _ => format!("sk-admin-{}", org.random_chars(56)),
        };
        let created_at = now - age_days * DAY;
        let key = crate::admin_api_keys::new_key(
            org,
            name,
            &value,
            owner.clone(),
            created_at,
            expires.map(|days| now + days * DAY),
        );
        if let Some(key) = org.admin_keys.iter_mut().find(|k| k.id == key.id) {
            key.last_used_at = used.map(|days| now - days * DAY - 3_600);
        }
    }
}

fn seed_projects(org: &mut Org, now: i64) {
    for (index, name) in PROJECTS.iter().enumerate() {
        let created_at = now - (400 - i64::try_from(index).unwrap_or(0) * 40) * DAY;
        let archived = index >= PROJECTS.len() - 2;
        let mut record = ProjectRecord {
            project: Project {
                id: org.new_id("proj_"),
                object: "organization.project".into(),
                name: Some((*name).to_owned()),
                created_at,
                archived_at: archived.then_some(now - 20 * DAY),
                status: Some(if archived { "archived" } else { "active" }.into()),
            },
            members: Vec::new(),
            service_accounts: Vec::new(),
            api_keys: Vec::new(),
            rate_limits: crate::rate_limits::defaults(),
        };
        seed_members(org, &mut record, index, created_at);
        if index < 5 {
            seed_service_accounts(org, &mut record, index, created_at);
        }
        if let Some(limit) = record.rate_limits.get_mut(index % 3) {
            limit.max_requests_per_1_minute /= 2;
        }
        org.projects.push(record);
    }
    org.default_project = org.projects[0].scope();
}

fn seed_members(org: &mut Org, record: &mut ProjectRecord, index: usize, created_at: i64) {
    let users = org.users.len();
    let count = 4 + (index * 3) % 7;
    for n in 0..count {
        let user = org.users[(index * 5 + n * 3) % users].clone();
        if record.members.iter().any(|m| m.id == user.id) {
            continue;
        }
        let role = if n == 0 { "owner" } else { "member" };
        let added_at = created_at + i64::try_from(n).unwrap_or(0) * DAY;
        record.members.push(ProjectUser {
            object: "organization.project.user".into(),
            id: user.id.clone(),
            name: user.name.clone(),
            email: user.email.clone(),
            role: role.into(),
            added_at,
        });
        // Every other member has a personal key in the project.
        if n % 2 == 0 {
            let value = format!("sk-proj-{}", org.random_chars(48));
            record.api_keys.push(ProjectApiKey {
                object: "organization.project.api_key".into(),
                redacted_value: redact("sk-proj-", &value),
                name: format!("{}'s key", user.name.clone().unwrap_or_default()),
                created_at: added_at + DAY,
                last_used_at: (n % 4 == 0).then_some(added_at + 30 * DAY),
                id: org.new_id("key_"),
                owner_project_access: "active".into(),
                owner: ApiKeyOwner {
                    kind: "user".into(),
                    user: Some(ApiKeyOwnerUser {
                        id: user.id.clone(),
                        email: user.email.clone().unwrap_or_default(),
                        name: user.name.clone().unwrap_or_default(),
                        created_at: user.added_at,
                        role: role.into(),
                    }),
                    service_account: None,
                },
            });
        }
    }
}

fn seed_service_accounts(org: &mut Org, record: &mut ProjectRecord, index: usize, created_at: i64) {
    let names = ["ci-bot", "nightly-evals", "support-sync"];
    for (n, name) in names.iter().take(1 + index % 2).enumerate() {
        let account = ServiceAccount {
            object: "organization.project.service_account".into(),
            id: org.new_id("svc_acct_"),
            name: (*name).to_owned(),
            role: if n == 0 { "member" } else { "owner" }.into(),
            created_at: created_at + 3 * DAY,
        };
        let value = format!("sk-svcacct-{}", org.random_chars(48));
        record.api_keys.push(ProjectApiKey {
            object: "organization.project.api_key".into(),
            redacted_value: redact("sk-svcacct-", &value),
            name: "Secret Key".into(),
            created_at: account.created_at,
            last_used_at: Some(account.created_at + 2 * DAY),
            id: org.new_id("key_"),
            owner_project_access: "active".into(),
            owner: ApiKeyOwner {
                kind: "service_account".into(),
                user: None,
                service_account: Some(ApiKeyOwnerServiceAccount {
                    id: account.id.clone(),
                    name: account.name.clone(),
                    created_at: account.created_at,
                    role: account.role.clone(),
                }),
            },
        });
        record.service_accounts.push(account);
    }
}

fn seed_invites(org: &mut Org, now: i64) {
    let lifetime = crate::invites::INVITE_LIFETIME;
    // 4 pending, 3 accepted, 3 expired (pending past their expiry).
    let plan: [(&str, &str, i64); 10] = [
        ("pending", "reader", 1),
        ("pending", "owner", 2),
        ("pending", "reader", 3),
        ("pending", "reader", 5),
        ("accepted", "reader", 30),
        ("accepted", "reader", 45),
        ("accepted", "owner", 60),
        ("pending", "reader", 15),
        ("pending", "reader", 40),
        ("pending", "owner", 70),
    ];
    let projects: Vec<String> = org
        .projects
        .iter()
        .take(4)
        .map(|p| p.project.id.clone())
        .collect();
    for (n, (status, role, days_ago)) in plan.into_iter().enumerate() {
        let created_at = now - days_ago * DAY;
        let email = format!(
            "{}.newcomer{n}@partner.example",
            FIRST[(n * 3) % FIRST.len()].to_lowercase()
        );
        let invite_projects = if n % 3 == 0 {
            vec![InviteProject {
                id: projects[1 + n % 3].clone(),
                role: "member".into(),
            }]
        } else {
            Vec::new()
        };
        let id = org.new_id("invite-");
        org.invites.push(Invite {
            object: "organization.invite".into(),
            id,
            email,
            role: role.into(),
            status: status.into(),
            created_at,
            expires_at: Some(created_at + lifetime),
            accepted_at: (status == "accepted").then_some(created_at + 2 * DAY),
            projects: invite_projects,
        });
    }
}

/// The cases the key-hygiene report exists for, each on purpose (seeded last, so the rest of
/// the organization is the same as before they were added): a key whose owner left the
/// organization, one whose owner left the project, a service account without a key, one
/// whose key is in use, and a personal key in use.
fn seed_hygiene(org: &mut Org, now: i64) {
    let user_key = |org: &mut Org, owner: ApiKeyOwnerUser, name: &str, created: i64, used: i64| {
        let value = format!("sk-proj-{}", org.random_chars(48));
        ProjectApiKey {
            object: "organization.project.api_key".into(),
            redacted_value: redact("sk-proj-", &value),
            name: name.to_owned(),
            created_at: created,
            last_used_at: Some(used),
            id: org.new_id("key_"),
            owner_project_access: "inactive".into(),
            owner: ApiKeyOwner {
                kind: "user".into(),
                user: Some(owner),
                service_account: None,
            },
        }
    };
    // Alpha: a contractor who has left the organization still has a key.
    let former = ApiKeyOwnerUser {
        id: org.new_id("user-"),
        email: "sam.contractor@partner.example".into(),
        name: "Sam Contractor".into(),
        created_at: now - 300 * DAY,
        role: "member".into(),
    };
    let key = user_key(
        org,
        former,
        "Contractor's key",
        now - 200 * DAY,
        now - 5 * DAY,
    );
    org.projects[1].api_keys.push(key);
    // Search: a member of the organization who has left the project still has a key there.
    let outsider = org
        .users
        .iter()
        .find(|u| org.projects[3].members.iter().all(|m| m.id != u.id))
        .cloned()
        .expect("someone outside Search");
    let owner = ApiKeyOwnerUser {
        id: outsider.id.clone(),
        email: outsider.email.clone().unwrap_or_default(),
        name: outsider.name.clone().unwrap_or_default(),
        created_at: outsider.added_at,
        role: "member".into(),
    };
    let name = format!("{}'s old key", outsider.name.unwrap_or_default());
    let key = user_key(org, owner, &name, now - 100 * DAY, now - 3 * DAY);
    org.projects[3].api_keys.push(key);
    // Default project: a service account whose key was deleted long ago.
    let retired = ServiceAccount {
        object: "organization.project.service_account".into(),
        id: org.new_id("svc_acct_"),
        name: "retired-exporter".into(),
        role: "member".into(),
        created_at: now - 250 * DAY,
    };
    org.projects[0].service_accounts.push(retired);
    // Support Bot: a service account in daily use.
    let live = ServiceAccount {
        object: "organization.project.service_account".into(),
        id: org.new_id("svc_acct_"),
        name: "live-sync".into(),
        role: "member".into(),
        created_at: now - 40 * DAY,
    };
    let value = format!("sk-svcacct-{}", org.random_chars(48));
    let id = org.new_id("key_");
    org.projects[2].api_keys.push(ProjectApiKey {
        object: "organization.project.api_key".into(),
        redacted_value: redact("sk-svcacct-", &value),
        name: "Secret Key".into(),
        created_at: live.created_at,
        last_used_at: Some(now - DAY),
        id,
        owner_project_access: "active".into(),
        owner: ApiKeyOwner {
            kind: "service_account".into(),
            user: None,
            service_account: Some(ApiKeyOwnerServiceAccount {
                id: live.id.clone(),
                name: live.name.clone(),
                created_at: live.created_at,
                role: live.role.clone(),
            }),
        },
    });
    org.projects[2].service_accounts.push(live);
    // A reader in two active projects with a key of their own was invited once more before
    // they joined by another way, and the invite was never withdrawn: offboarding finds it.
    let active = &org.projects[..org.projects.len() - 2];
    let leaver = org
        .users
        .iter()
        .find(|u| {
            u.role.as_deref() == Some("reader")
                && active
                    .iter()
                    .filter(|p| p.members.iter().any(|m| m.id == u.id))
                    .count()
                    >= 2
                && active.iter().any(|p| {
                    p.api_keys
                        .iter()
                        .any(|k| k.owner.user.as_ref().is_some_and(|o| o.id == u.id))
                })
        })
        .cloned()
        .expect("a reader in two projects with a key");
    let id = org.new_id("invite-");
    org.invites.push(Invite {
        object: "organization.invite".into(),
        id,
        email: leaver.email.clone().unwrap_or_default(),
        role: "reader".into(),
        status: "pending".into(),
        created_at: now - 2 * DAY,
        expires_at: Some(now - 2 * DAY + crate::invites::INVITE_LIFETIME),
        accepted_at: None,
        projects: Vec::new(),
    });
    // Default project: the first personal key was used yesterday.
    if let Some(key) = org.projects[0]
        .api_keys
        .iter_mut()
        .find(|k| k.owner.kind == "user")
    {
        key.last_used_at = Some(now - DAY);
    }
}

fn seed_history(org: &mut Org, options: SeedOptions) {
    let start = options.now - 90 * DAY;
    let count = i64::try_from(options.audit_events).unwrap_or(0);
    let owners: Vec<User> = org
        .users
        .iter()
        .filter(|u| u.role.as_deref() == Some("owner"))
        .cloned()
        .collect();
    let active: Vec<AuditLogProject> = org
        .projects
        .iter()
        .filter(|p| !p.project.is_archived())
        .map(ProjectRecord::scope)
        .collect();
    for n in 0..count {
        // Spread evenly over the 90 days with jitter, oldest first.
        let at = (start + 90 * DAY * n / count.max(1) + org.rng.i64(0..600)).min(options.now - 1);
        let user = org.users[org.rng.usize(..org.users.len())].clone();
        let owner = owners[org.rng.usize(..owners.len())].clone();
        let project = active[org.rng.usize(..active.len())].clone();
        let draw = org.rng.u8(0..100);
        // Sign-ins and sign-outs come from everyone; changes from owners.
        let (actor_user, event_type, payload, scope) = match draw {
            0..=37 => (user, "login.succeeded", json!({}), None),
            38..=45 => (
                user,
                "login.failed",
                json!({"error_code": "invalid_credentials", "error_message": "Wrong email or password."}),
                None,
            ),
            46..=57 => (user, "logout.succeeded", json!({}), None),
            _ => {
                let (event_type, payload, scoped) = change(org, draw, &owner, &user, &project);
                (owner, event_type, payload, scoped.then_some(project))
            }
        };
        let actor = session_actor(org, &actor_user);
        org.record_at(at, event_type, payload, actor, scope);
    }
}

/// A change an owner made: (type, payload, whether it is scoped to the project).
fn change(
    org: &mut Org,
    draw: u8,
    owner: &User,
    user: &User,
    project: &AuditLogProject,
) -> (&'static str, Value, bool) {
    let role = if draw.is_multiple_of(2) {
        "owner"
    } else {
        "reader"
    };
    match draw {
        58..=65 => (
            "api_key.created",
            json!({"id": org.new_id("key_"), "data": {"scopes": ["api.model.request"]}}),
            true,
        ),
        66..=69 => ("api_key.deleted", json!({"id": org.new_id("key_")}), true),
        70..=74 => {
            let email = format!("guest{}@partner.example", org.rng.u16(..));
            (
                "invite.sent",
                json!({"id": org.new_id("invite-"), "data": {"email": email, "role": "reader"}}),
                false,
            )
        }
        75..=76 => (
            "invite.deleted",
            json!({"id": org.new_id("invite-")}),
            false,
        ),
        77..=80 if user.id != owner.id => (
            "user.updated",
            json!({"id": user.id, "changes_requested": {"role": role}}),
            false,
        ),
        81..=83 => (
            "project.updated",
            json!({"id": project.id, "changes_requested": {"title": project.name}}),
            true,
        ),
        84 => (
            "project.created",
            json!({"id": project.id, "data": {"name": project.name, "title": project.name}}),
            true,
        ),
        85..=88 => (
            "rate_limit.updated",
            json!({"id": "rl-gpt-4o", "changes_requested": {"max_requests_per_1_minute": 100 * i64::from(draw)}}),
            true,
        ),
        89..=91 => (
            "service_account.created",
            json!({"id": org.new_id("svc_acct_"), "data": {"role": "member"}}),
            true,
        ),
        92 => (
            "service_account.deleted",
            json!({"id": org.new_id("svc_acct_")}),
            true,
        ),
        93..=95 => (
            "user.added",
            json!({"id": org.new_id("user-"), "data": {"role": "reader"}}),
            false,
        ),
        96 => ("user.deleted", json!({"id": org.new_id("user-")}), false),
        97 => ("project.archived", json!({"id": org.new_id("proj_")}), true),
        _ => (
            "organization.updated",
            json!({"id": "org-acme", "changes_requested": {"title": "Acme"}}),
            false,
        ),
    }
}

fn session_actor(org: &mut Org, user: &User) -> AuditLogActor {
    let (ip, country, city, region, agent) = PLACES[org.rng.usize(..PLACES.len())];
    AuditLogActor {
        kind: "session".into(),
        session: Some(AuditLogActorSession {
            user: Some(AuditLogActorUser {
                id: user.id.clone(),
                email: user.email.clone(),
            }),
            ip_address: Some(ip.into()),
            user_agent: Some(agent.into()),
            ja3: None,
            ja4: None,
            ip_address_details: Some(IpAddressDetails {
                country: Some(country.into()),
                city: Some(city.into()),
                region: Some(region.into()),
                ..IpAddressDetails::default()
            }),
        }),
        api_key: None,
    }
}

// ---------------------------------------------------------------------------------------------
// Access: roles, groups, role assignments and project group grants.
//
// Seeded last, with fixed ids (the constants of [`access`]) and without drawing from the random
// generator or writing history, so everything seeded before is unchanged. Users are named by
// their index in `Org::users()` (the same for every seed; only their ids are random); all are
// among the first eight, so any `SeedOptions::users` works. Owners are users 0, 1 and 7.
//
// Roles (`GET /organization/roles`, in this order):
//   ORG_OWNER      "Owner"           api.organization, predefined
//   ORG_READER     "Reader"          api.organization, predefined
//   PROJECT_OWNER  "Project Owner"   api.project, predefined
//   PROJECT_MEMBER "Project Member"  api.project, predefined
//   PROJECT_VIEWER "Project Viewer"  api.project, predefined
//   GROUP_MANAGER  "API Group Manager" {api.groups.read, api.groups.write}   api.organization, custom
//   AUDIT_READER   "Audit Reader"    {api.audit_logs.read}                   api.organization, custom
//
// Groups (members in the order added):
//   PLATFORM "Platform Engineering": users 2 (Alan Ritchie), 3 (Barbara Liskov), 4 (Edsger Torvalds)
//   SUPPORT  "Support Leads":        users 4 (Edsger Torvalds), 5 (Frances Borg), 1 (Grace Hamilton, owner)
//   OKTA_FINANCE "Okta · Finance" (is_scim_managed): user 6 (Donald Knuth)
//   User 4 is in both PLATFORM and SUPPORT; users 0 and 7 are in no group.
//
// Direct organization role assignments:
//   USER_AUDIT_READER:     AUDIT_READER  -> user 3 (Barbara Liskov)
//   SUPPORT_GROUP_MANAGER: GROUP_MANAGER -> group SUPPORT (so users 4, 5 and 1 hold it through it)
//
// Project group grants (`projects()[i]`, both active):
//   PLATFORM_ALPHA:            PLATFORM     -> project 1 "Alpha"       as PROJECT_MEMBER
//   OKTA_FINANCE_SUPPORT_BOT:  OKTA_FINANCE -> project 2 "Support Bot" as PROJECT_VIEWER
// ---------------------------------------------------------------------------------------------

/// The fixed ids of the seeded roles, groups, assignments and grants (see the comment above
/// `seed_access` in the source for who holds what).
pub mod access {
    pub const ORG_OWNER: &str = "role_seedorgowner";
    pub const ORG_READER: &str = "role_seedorgreader";
    pub const PROJECT_OWNER: &str = "role_seedprojowner";
    pub const PROJECT_MEMBER: &str = "role_seedprojmember";
    pub const PROJECT_VIEWER: &str = "role_seedprojviewer";
    pub const GROUP_MANAGER: &str = "role_seedgroupmanager";
    pub const AUDIT_READER: &str = "role_seedauditreader";

    pub const PLATFORM: &str = "group_seedplatform";
    pub const SUPPORT: &str = "group_seedsupport";
    pub const OKTA_FINANCE: &str = "group_seedoktafinance";

    /// The members of each group, as indexes into `Org::users()`.
    pub const PLATFORM_MEMBERS: [usize; 3] = [2, 3, 4];
    pub const SUPPORT_MEMBERS: [usize; 3] = [4, 5, 1];
    pub const OKTA_FINANCE_MEMBERS: [usize; 1] = [6];

    /// AUDIT_READER assigned directly to user 3.
    pub const USER_AUDIT_READER: &str = "roleasgmt_seeduserauditreader";
    pub const USER_AUDIT_READER_USER: usize = 3;
    /// GROUP_MANAGER assigned to SUPPORT.
    pub const SUPPORT_GROUP_MANAGER: &str = "roleasgmt_seedsupportmanager";

    /// PLATFORM granted project 1 (Alpha) as PROJECT_MEMBER.
    pub const PLATFORM_ALPHA: &str = "roleasgmt_seedplatformalpha";
    pub const PLATFORM_ALPHA_PROJECT: usize = 1;
    /// OKTA_FINANCE granted project 2 (Support Bot) as PROJECT_VIEWER.
    pub const OKTA_FINANCE_SUPPORT_BOT: &str = "roleasgmt_seedoktasupportbot";
    pub const OKTA_FINANCE_SUPPORT_BOT_PROJECT: usize = 2;
}

/// (id, name, description, resource type, permissions, predefined)
type SeedRole = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    bool,
);

fn seed_access(org: &mut Org, now: i64) {
    use admin_api::groups::Group;
    use admin_api::roles::{ORGANIZATION_ROLE, PROJECT_ROLE, Role};

    use crate::org::{
        GroupMember, GroupRecord, Principal, ProjectGroupRecord, RoleAssignment, RoleRecord,
    };

    let creator = org.users[0].id.clone();
    let roles: [SeedRole; 7] = [
        (
            access::ORG_OWNER,
            "Owner",
            "Full control of the organization.",
            ORGANIZATION_ROLE,
            &[
                "api.organization.read",
                "api.organization.write",
                "api.users.read",
                "api.users.write",
                "api.invites.write",
                "api.groups.read",
                "api.groups.write",
                "api.roles.read",
                "api.roles.write",
                "api.projects.read",
                "api.projects.write",
                "api.audit_logs.read",
                "api.admin_keys.write",
            ],
            true,
        ),
        (
            access::ORG_READER,
            "Reader",
            "Read access to the organization.",
            ORGANIZATION_ROLE,
            &[
                "api.organization.read",
                "api.users.read",
                "api.groups.read",
                "api.roles.read",
                "api.projects.read",
            ],
            true,
        ),
        (
            access::PROJECT_OWNER,
            "Project Owner",
            "Full control of a project, its members and keys.",
            PROJECT_ROLE,
            &[
                "api.project.read",
                "api.project.write",
                "api.project.members.write",
                "api.project.keys.write",
            ],
            true,
        ),
        (
            access::PROJECT_MEMBER,
            "Project Member",
            "Uses a project and its models.",
            PROJECT_ROLE,
            &["api.project.read", "api.project.write"],
            true,
        ),
        (
            access::PROJECT_VIEWER,
            "Project Viewer",
            "Reads a project.",
            PROJECT_ROLE,
            &["api.project.read"],
            true,
        ),
        (
            access::GROUP_MANAGER,
            "API Group Manager",
            "Allows managing organization groups",
            ORGANIZATION_ROLE,
            &["api.groups.read", "api.groups.write"],
            false,
        ),
        (
            access::AUDIT_READER,
            "Audit Reader",
            "Reads the audit log.",
            ORGANIZATION_ROLE,
            &["api.audit_logs.read"],
            false,
        ),
    ];
    for (n, (id, name, description, resource_type, permissions, predefined)) in
        roles.into_iter().enumerate()
    {
        let age = if predefined {
            400
        } else {
            120 - 10 * i64::try_from(n).unwrap_or(0)
        };
        let created_at = now - age * DAY;
        org.roles.push(RoleRecord {
            role: Role {
                object: "role".into(),
                id: id.into(),
                name: name.into(),
                description: Some(description.into()),
                permissions: permissions.iter().map(|p| (*p).to_owned()).collect(),
                resource_type: resource_type.into(),
                predefined_role: predefined,
            },
            created_at,
            updated_at: if predefined {
                created_at
            } else {
                created_at + 3_600
            },
            created_by: (!predefined).then(|| creator.clone()),
        });
    }

    let groups: [(&str, &str, bool, &[usize], i64); 3] = [
        (
            access::PLATFORM,
            "Platform Engineering",
            false,
            &access::PLATFORM_MEMBERS,
            100,
        ),
        (
            access::SUPPORT,
            "Support Leads",
            false,
            &access::SUPPORT_MEMBERS,
            90,
        ),
        (
            access::OKTA_FINANCE,
            "Okta · Finance",
            true,
            &access::OKTA_FINANCE_MEMBERS,
            80,
        ),
    ];
    for (id, name, scim, members, age) in groups {
        let created_at = now - age * DAY;
        let members = members
            .iter()
            .enumerate()
            .map(|(n, &user)| GroupMember {
                user_id: org.users[user].id.clone(),
                added_at: created_at + (i64::try_from(n).unwrap_or(0) + 1) * DAY,
            })
            .collect();
        org.groups.push(GroupRecord {
            group: Group {
                id: id.into(),
                name: name.into(),
                created_at,
                is_scim_managed: scim,
                group_type: Some("group".into()),
            },
            members,
        });
    }

    org.role_assignments.push(RoleAssignment {
        id: access::USER_AUDIT_READER.into(),
        principal: Principal::User,
        principal_id: org.users[access::USER_AUDIT_READER_USER].id.clone(),
        role_id: access::AUDIT_READER.into(),
        created_at: now - 50 * DAY,
    });
    org.role_assignments.push(RoleAssignment {
        id: access::SUPPORT_GROUP_MANAGER.into(),
        principal: Principal::Group,
        principal_id: access::SUPPORT.into(),
        role_id: access::GROUP_MANAGER.into(),
        created_at: now - 45 * DAY,
    });

    let grants = [
        (
            access::PLATFORM_ALPHA,
            access::PLATFORM_ALPHA_PROJECT,
            access::PLATFORM,
            access::PROJECT_MEMBER,
            40,
        ),
        (
            access::OKTA_FINANCE_SUPPORT_BOT,
            access::OKTA_FINANCE_SUPPORT_BOT_PROJECT,
            access::OKTA_FINANCE,
            access::PROJECT_VIEWER,
            35,
        ),
    ];
    for (id, project, group, role, age) in grants {
        org.project_groups.push(ProjectGroupRecord {
            id: id.into(),
            project_id: org.projects[project].project.id.clone(),
            group_id: group.into(),
            role_id: role.into(),
            created_at: now - age * DAY,
        });
    }
}
