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
