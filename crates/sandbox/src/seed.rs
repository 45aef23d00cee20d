//! The deterministic seeded organization: the same seed and anchor time always give the same
//! users, ids and audit history.

use admin_api::audit_logs::{
    AuditLogActor, AuditLogActorSession, AuditLogActorUser, AuditLogProject, IpAddressDetails,
};
use admin_api::users::User;
use serde_json::{Value, json};

use crate::Org;
use crate::audit_logs::AuditStore;

/// What to seed.
#[derive(Debug, Clone, Copy)]
pub struct SeedOptions {
    /// The random seed; ids, names and history follow from it.
    pub seed: u64,
    /// The Unix time the history ends at ("now" for the seeded organization).
    pub now: i64,
    /// How many users (at least 2: the admin key's owner and one more).
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

const FIRST: &[&str] = &[
    "Ada", "Grace", "Alan", "Barbara", "Edsger", "Frances", "Donald", "Margaret", "Ken", "Radia",
    "Linus", "Hedy", "John", "Karen", "Dennis", "Sophie", "Tim", "Anita", "Guido", "Shafi",
];
const LAST: &[&str] = &[
    "Lovelace", "Hopper", "Turing", "Liskov", "Dijkstra", "Allen", "Knuth", "Hamilton", "Thompson",
    "Perlman", "Torvalds", "Lamarr", "McCarthy", "Jones", "Ritchie", "Wilson", "Lee", "Borg",
];
const PROJECTS: &[&str] = &[
    "Alpha",
    "Support Bot",
    "Search",
    "Data Science",
    "Mobile",
    "Internal Tools",
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
    (
        "198.51.100.7",
        "DE",
        "Berlin",
        "Berlin",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
    ),
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
];

const DAY: i64 = 86_400;

/// Builds the seeded organization.
pub fn organization(_admin_key: &str, options: SeedOptions) -> Org {
    let mut org = Org {
        users: Vec::new(),
        audit: AuditStore::default(),
        admin_key_id: String::new(),
        admin_key_owner: AuditLogActorUser {
            id: String::new(),
            email: None,
        },
        default_project: AuditLogProject {
            id: String::new(),
            name: Some("Default project".into()),
        },
        rng: fastrand::Rng::with_seed(options.seed),
    };
    org.admin_key_id = org.new_id("key_");
    org.default_project.id = org.new_id("proj_");
    seed_users(&mut org, options);
    org.admin_key_owner = AuditLogActorUser {
        id: org.users[0].id.clone(),
        email: org.users[0].email.clone(),
    };
    seed_history(&mut org, options);
    org
}

fn seed_users(org: &mut Org, options: SeedOptions) {
    let count = options.users.max(2);
    for i in 0..count {
        let first = FIRST[i % FIRST.len()];
        let last = LAST[(i * 7 + i / FIRST.len()) % LAST.len()];
        let email = if i < FIRST.len() {
            format!(
                "{}.{}@acme.example",
                first.to_lowercase(),
                last.to_lowercase()
            )
        } else {
            format!(
                "{}.{}{}@acme.example",
                first.to_lowercase(),
                last.to_lowercase(),
                i
            )
        };
        // Roughly one in six is an owner; the first user (the admin key's owner) always is.
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

fn seed_history(org: &mut Org, options: SeedOptions) {
    let projects: Vec<(String, &str)> = PROJECTS
        .iter()
        .map(|name| (org.new_id("proj_"), *name))
        .collect();
    let start = options.now - 90 * DAY;
    let count = i64::try_from(options.audit_events).unwrap_or(0);
    for n in 0..count {
        // Spread events evenly over the 90 days, with jitter, oldest first.
        let slot = if count > 0 { 90 * DAY * n / count } else { 0 };
        let at = (start + slot + org.rng.i64(0..600)).min(options.now - 1);
        let user = org.users[org.rng.usize(..org.users.len())].clone();
        let project = &projects[org.rng.usize(..projects.len())];
        let (event_type, payload) = historic_event(org, &user, project);
        let actor = session_actor(org, &user);
        let scope = AuditLogProject {
            id: project.0.clone(),
            name: Some(project.1.to_owned()),
        };
        org.record_at(at, event_type, payload, actor, Some(scope));
    }
}

/// One plausible historic event done in a browser session by `user` in `project`.
fn historic_event(org: &mut Org, user: &User, project: &(String, &str)) -> (&'static str, Value) {
    let email = user.email.clone().unwrap_or_default();
    match org.rng.u8(0..100) {
        0..=39 => ("login.succeeded", json!({})),
        40..=47 => (
            "login.failed",
            json!({"error_code": "invalid_password", "error_message": "Wrong email or password."}),
        ),
        48..=59 => ("logout.succeeded", json!({})),
        60..=67 => (
            "api_key.created",
            json!({"id": org.new_id("key_"), "data": {"scopes": ["api.model.request"]}}),
        ),
        68..=71 => ("api_key.deleted", json!({"id": org.new_id("key_")})),
        72..=76 => (
            "invite.sent",
            json!({"id": org.new_id("invite-"), "data": {"email": format!("new.{}", email), "role": "reader"}}),
        ),
        77..=79 => ("invite.accepted", json!({"id": org.new_id("invite-")})),
        80..=83 => (
            "user.updated",
            json!({"id": user.id, "changes_requested": {"role": "reader"}}),
        ),
        84..=86 => (
            "project.updated",
            json!({"id": project.0, "changes_requested": {"title": project.1}}),
        ),
        87..=89 => (
            "rate_limit.updated",
            json!({"id": org.new_id("rl-"), "changes_requested": {"max_requests_per_1_minute": 500}}),
        ),
        90..=93 => (
            "service_account.created",
            json!({"id": org.new_id("svc_acct_"), "data": {"role": "member"}}),
        ),
        94..=96 => (
            "user.added",
            json!({"id": org.new_id("user-"), "data": {"role": "reader"}}),
        ),
        _ => (
            "organization.updated",
            json!({"id": "org-acme", "changes_requested": {"title": "Acme"}}),
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
