//! The seeded organization has what demos and tests rely on, and is the same for the same seed.

mod common;

use std::collections::HashSet;

use sandbox::{Sandbox, SeedOptions};

const NOW: i64 = common::NOW;

fn full() -> Sandbox {
    Sandbox::seeded(
        common::KEY,
        SeedOptions {
            now: NOW,
            ..SeedOptions::default()
        },
    )
}

#[test]
fn the_seed_has_every_kind_of_object() {
    let sandbox = full();
    sandbox.read(|org| {
        assert!(org.users().len() >= 40);
        assert_eq!(org.projects().len(), 8);
        assert_eq!(
            org.projects()
                .iter()
                .filter(|p| p.project.is_archived())
                .count(),
            2
        );
        // Ten of the invites page, and the leaver's forgotten one (for offboarding).
        assert_eq!(org.invites().len(), 11);
        assert!(org.admin_keys().len() >= 2);
        let keys: Vec<_> = org.projects().iter().flat_map(|p| &p.api_keys).collect();
        assert!(keys.iter().any(|k| k.owner.kind == "user"));
        assert!(keys.iter().any(|k| k.owner.kind == "service_account"));
        assert!(
            org.projects()
                .iter()
                .any(|p| !p.service_accounts.is_empty())
        );
        assert!(org.projects().iter().all(|p| !p.rate_limits.is_empty()));
    });
}

#[test]
fn the_history_covers_90_days_and_every_family() {
    let sandbox = full();
    sandbox.read(|org| {
        assert!(org.audit_len() >= 5_000);
        let events: Vec<_> = org.audit_events().collect();
        let oldest = events.last().expect("events").effective_at;
        assert!(
            (NOW - 90 * 86_400..NOW - 89 * 86_400).contains(&oldest),
            "starts 90 days back"
        );
        assert!(
            events[0].effective_at > NOW - 86_400,
            "reaches the last day"
        );
        let types: HashSet<&str> = events.iter().map(|e| e.event_type.as_str()).collect();
        for wanted in [
            "login.succeeded",
            "login.failed",
            "logout.succeeded",
            "project.created",
            "project.updated",
            "project.archived",
            "api_key.created",
            "api_key.deleted",
            "user.added",
            "user.updated",
            "user.deleted",
            "invite.sent",
            "invite.deleted",
            "rate_limit.updated",
            "organization.updated",
            "service_account.created",
        ] {
            assert!(types.contains(wanted), "no {wanted} in the history");
        }
        let session = events
            .iter()
            .find_map(|e| e.actor.as_ref()?.session.as_ref())
            .expect("session actors");
        assert!(session.ip_address.is_some() && session.user_agent.is_some());
        assert!(
            session
                .ip_address_details
                .as_ref()
                .and_then(|d| d.country.as_ref())
                .is_some()
        );
    });
}

#[test]
fn the_same_seed_gives_the_same_organization() {
    let snapshot = |s: &Sandbox| {
        s.read(|org| {
            let users: Vec<_> = org
                .users()
                .iter()
                .map(|u| (u.id.clone(), u.email.clone()))
                .collect();
            let events: Vec<_> = org
                .audit_events()
                .take(50)
                .map(|e| serde_json::to_string(e).expect("json"))
                .collect();
            (users, events)
        })
    };
    assert_eq!(snapshot(&full()), snapshot(&full()));
    let other = Sandbox::seeded(
        common::KEY,
        SeedOptions {
            now: NOW,
            seed: 1,
            ..SeedOptions::default()
        },
    );
    assert_ne!(snapshot(&full()).0, snapshot(&other).0);
}

#[test]
fn the_seed_has_groups_roles_assignments_and_grants_for_effective_access() {
    use sandbox::{Principal, seeded};
    let sandbox = common::sandbox();
    sandbox.read(|org| {
        let users = org.users();
        let members = |id: &str| -> Vec<String> {
            org.groups()
                .iter()
                .find(|g| g.group.id == id)
                .expect(id)
                .members
                .iter()
                .map(|m| m.user_id.clone())
                .collect()
        };
        let ids = |indexes: &[usize]| -> Vec<String> {
            indexes.iter().map(|&i| users[i].id.clone()).collect()
        };
        assert_eq!(members(seeded::PLATFORM), ids(&seeded::PLATFORM_MEMBERS));
        assert_eq!(members(seeded::SUPPORT), ids(&seeded::SUPPORT_MEMBERS));
        assert_eq!(
            members(seeded::OKTA_FINANCE),
            ids(&seeded::OKTA_FINANCE_MEMBERS)
        );
        // Ordinary members (readers), one member in both ordinary groups, one SCIM group.
        assert!(
            seeded::PLATFORM_MEMBERS
                .iter()
                .all(|&i| users[i].role.as_deref() == Some("reader"))
        );
        // The names the seed's comment gives them.
        let names: Vec<_> = (1..=7)
            .map(|i| users[i].name.clone().unwrap_or_default())
            .collect();
        assert_eq!(
            names,
            [
                "Grace Hamilton",
                "Alan Ritchie",
                "Barbara Liskov",
                "Edsger Torvalds",
                "Frances Borg",
                "Donald Knuth",
                "Margaret Jones"
            ]
        );
        assert!(members(seeded::PLATFORM).contains(&users[4].id));
        assert!(members(seeded::SUPPORT).contains(&users[4].id));
        let scim: Vec<_> = org
            .groups()
            .iter()
            .filter(|g| g.group.is_scim_managed)
            .collect();
        assert_eq!(scim.len(), 1);
        assert_eq!(scim[0].group.name, "Okta · Finance");

        let role = |id: &str| {
            org.roles()
                .iter()
                .find(|r| r.role.id == id)
                .expect(id)
                .role
                .clone()
        };
        for id in [seeded::ORG_OWNER, seeded::ORG_READER] {
            assert!(role(id).predefined_role && role(id).resource_type == "api.organization");
        }
        for id in [
            seeded::PROJECT_OWNER,
            seeded::PROJECT_MEMBER,
            seeded::PROJECT_VIEWER,
        ] {
            assert!(role(id).predefined_role && role(id).resource_type == "api.project");
        }
        for id in [seeded::GROUP_MANAGER, seeded::AUDIT_READER] {
            assert!(!role(id).predefined_role && role(id).resource_type == "api.organization");
        }

        let assignments: Vec<_> = org
            .role_assignments()
            .iter()
            .map(|a| (a.principal, a.principal_id.clone(), a.role_id.as_str()))
            .collect();
        assert_eq!(
            assignments,
            [
                (
                    Principal::User,
                    users[seeded::USER_AUDIT_READER_USER].id.clone(),
                    seeded::AUDIT_READER
                ),
                (
                    Principal::Group,
                    seeded::SUPPORT.to_owned(),
                    seeded::GROUP_MANAGER
                ),
            ]
        );
        let projects = org.projects();
        let grants: Vec<_> = org
            .project_groups()
            .iter()
            .map(|g| {
                (
                    g.project_id.as_str(),
                    g.group_id.as_str(),
                    g.role_id.as_str(),
                )
            })
            .collect();
        assert_eq!(
            grants,
            [
                (
                    projects[seeded::PLATFORM_ALPHA_PROJECT].project.id.as_str(),
                    seeded::PLATFORM,
                    seeded::PROJECT_MEMBER
                ),
                (
                    projects[seeded::OKTA_FINANCE_SUPPORT_BOT_PROJECT]
                        .project
                        .id
                        .as_str(),
                    seeded::OKTA_FINANCE,
                    seeded::PROJECT_VIEWER
                ),
            ]
        );
        assert!(org.project_groups().iter().all(|g| {
            projects
                .iter()
                .any(|p| p.project.id == g.project_id && !p.project.is_archived())
        }));
    });
}
