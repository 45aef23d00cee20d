//! Attribution: the portal user behind an upstream audit event. OpenAI's audit log names the
//! admin key for every change made through Gatehouse; the journal names the person. An event is
//! joined to a journal write when
//!
//! 1. its actor is one of the portal's own admin keys;
//! 2. its resource (the payload's `id`) is the object id the write's result row recorded, and
//!    its kind fits the write: a `DELETE` makes `*.deleted`, a `POST` to `…/archive`
//!    `*.archived`, a `POST` to a collection `*.created`, `*.added` or `*.sent`, and a `POST`
//!    to one object `*.updated`;
//! 3. its `effective_at` lies within the write's request-to-result window: first exactly, then
//!    with [`SKEW`] seconds either side for clocks that disagree.
//!
//! The join is conservative: an event is attributed to a write only when that write is the
//! one fitting write left for it and for no other event, and each write is claimed once per
//! resource. Anything else (a script's change with the same key beside a portal write of the
//! same kind, two writes that cannot be told apart) stays unattributed.

use std::collections::{HashMap, HashSet};

use admin_api::audit_logs::AuditLog;
use serde::{Deserialize, Serialize};

/// Seconds of clock skew allowed between Gatehouse and upstream.
pub const SKEW: i64 = 5;

/// How long before a window's start a write may have been requested: the longest an upstream
/// request may take (the default `--upstream-timeout`) and more.
pub const LONGEST_WRITE: i64 = 120;

/// The portal user behind an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attribution {
    /// The journal's result row of the write.
    pub journal_seq: i64,
    pub username: String,
    pub role: String,
}

/// A write upstream answered with success, as the journal recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalWrite {
    /// The result row's sequence number.
    pub seq: i64,
    pub method: String,
    /// The upstream path, such as `/organization/projects/proj_1/archive`.
    pub path: String,
    pub object_id: String,
    /// When the request row was written (before forwarding).
    pub requested_at: i64,
    /// When upstream's answer came (the result row's time).
    pub answered_at: i64,
    pub username: String,
    pub role: String,
}

/// What the join needs of an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventFacts {
    pub id: String,
    pub event_type: String,
    pub effective_at: i64,
    pub resource_id: Option<String>,
    /// The API key that acted, if an API key did.
    pub api_key_id: Option<String>,
}

impl EventFacts {
    /// The facts of an upstream event.
    pub fn of(event: &AuditLog) -> Self {
        Self {
            id: event.id.clone(),
            event_type: event.event_type.clone(),
            effective_at: event.effective_at,
            resource_id: event.resource_id().map(str::to_owned),
            api_key_id: event
                .actor
                .as_ref()
                .and_then(|a| a.api_key.as_ref()?.id.clone()),
        }
    }
}

/// The collections of the Admin API: a `POST` to one of them creates something.
const COLLECTIONS: &[&str] = &[
    "users",
    "invites",
    "projects",
    "service_accounts",
    "api_keys",
    "admin_api_keys",
    "groups",
    "roles",
];

/// Whether `write` could have made an event of this type (`user.updated`: its verb).
fn fits(write: &PortalWrite, event_type: &str) -> bool {
    let verb = event_type.rsplit('.').next().unwrap_or_default();
    let last = write.path.rsplit('/').next().unwrap_or_default();
    let expected: &[&str] = match (write.method.as_str(), last) {
        ("DELETE", _) => &["deleted"],
        (_, "archive") => &["archived"],
        (_, collection) if COLLECTIONS.contains(&collection) => &["created", "added", "sent"],
        _ => &["updated"],
    };
    expected.contains(&verb)
}

/// Attributes `events` to `writes`, given the ids of the portal's own admin keys. Events on
/// the same resource near the same time must be passed together, so that rivals are seen.
pub fn attribute(
    events: &[EventFacts],
    writes: &[PortalWrite],
    own_keys: &HashSet<String>,
) -> HashMap<String, Attribution> {
    let mut by_resource: HashMap<&str, Vec<&EventFacts>> = HashMap::new();
    for event in events {
        let ours = event
            .api_key_id
            .as_ref()
            .is_some_and(|k| own_keys.contains(k));
        if let (true, Some(resource)) = (ours, event.resource_id.as_deref()) {
            by_resource.entry(resource).or_default().push(event);
        }
    }
    let mut attributed = HashMap::new();
    for (resource, mut events) in by_resource {
        events.sort_by_key(|e| e.effective_at);
        let mut open: Vec<&PortalWrite> =
            writes.iter().filter(|w| w.object_id == resource).collect();
        let mut pending: Vec<&EventFacts> = events;
        for skew in [0, SKEW] {
            // An event whose one fitting write is left for it alone takes that write; repeat
            // while that settles anything, since each claim narrows the rest.
            loop {
                let only: Vec<Option<usize>> = pending
                    .iter()
                    .map(|event| {
                        let mut fitting = open.iter().enumerate().filter(|(_, w)| {
                            fits(w, &event.event_type)
                                && w.requested_at - skew <= event.effective_at
                                && event.effective_at <= w.answered_at + skew
                        });
                        match (fitting.next(), fitting.next()) {
                            (Some((j, _)), None) => Some(j),
                            _ => None,
                        }
                    })
                    .collect();
                let claim = only.iter().enumerate().find_map(|(i, j)| {
                    let j = (*j)?;
                    let rivals = only.iter().filter(|other| **other == Some(j)).count();
                    (rivals == 1).then_some((i, j))
                });
                let Some((i, j)) = claim else { break };
                let event = pending.remove(i);
                let write = open.remove(j);
                attributed.insert(
                    event.id.clone(),
                    Attribution {
                        journal_seq: write.seq,
                        username: write.username.clone(),
                        role: write.role.clone(),
                    },
                );
            }
        }
    }
    attributed
}

/// The portal's admin keys, now and before (see `Journal::portal_keys`).
pub async fn portal_keys(
    upstream: &crate::upstream::Upstream,
    journal: &crate::journal::Journal,
) -> anyhow::Result<HashSet<String>> {
    let current = upstream
        .own_keys_recent()
        .await
        .map_err(|e| anyhow::anyhow!("cannot list the portal's admin keys: {}", e.error.message))?;
    journal.portal_keys(&current).await
}

/// Attributes a page of upstream's events against the journal as it is read (the archive
/// stores its own; this is for reads that go to upstream). Only events made with an API key
/// can be the portal's, so nothing else is looked up; the journal is asked only about their
/// resources. Empty when nothing can be said: no journal, no such event, or the admin keys
/// could not be listed.
pub async fn on_the_fly(
    state: &crate::AppState,
    events: &[AuditLog],
) -> HashMap<String, Attribution> {
    let Some(journal) = &state.journal else {
        return HashMap::new();
    };
    let by_key: Vec<EventFacts> = events
        .iter()
        .map(EventFacts::of)
        .filter(|e| e.api_key_id.is_some() && e.resource_id.is_some())
        .collect();
    if by_key.is_empty() {
        return HashMap::new();
    }
    let own_keys = match portal_keys(&state.upstream, journal).await {
        Ok(keys) => keys,
        Err(error) => {
            tracing::warn!(%error, "audit events are shown without attribution");
            return HashMap::new();
        }
    };
    let ours: Vec<&EventFacts> = by_key
        .iter()
        .filter(|e| e.api_key_id.as_ref().is_some_and(|k| own_keys.contains(k)))
        .collect();
    let times = ours.iter().map(|e| e.effective_at);
    let (Some(from), Some(to)) = (times.clone().min(), times.max()) else {
        return HashMap::new();
    };
    let mut objects: Vec<&str> = ours
        .iter()
        .filter_map(|e| e.resource_id.as_deref())
        .collect();
    objects.sort_unstable();
    objects.dedup();
    match journal
        .portal_writes(from - SKEW, to + SKEW + LONGEST_WRITE, Some(&objects))
        .await
    {
        Ok(writes) => attribute(&by_key, &writes, &own_keys),
        Err(error) => {
            tracing::warn!(%error, "cannot read the journal to attribute audit events");
            HashMap::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(seq: i64, method: &str, object: &str, from: i64, to: i64, who: &str) -> PortalWrite {
        PortalWrite {
            seq,
            method: method.into(),
            path: format!("/organization/users/{object}"),
            object_id: object.into(),
            requested_at: from,
            answered_at: to,
            username: who.into(),
            role: "owner".into(),
        }
    }

    fn event(id: &str, kind: &str, at: i64, resource: &str, key: &str) -> EventFacts {
        EventFacts {
            id: id.into(),
            event_type: kind.into(),
            effective_at: at,
            resource_id: Some(resource.into()),
            api_key_id: Some(key.into()),
        }
    }

    fn own() -> HashSet<String> {
        HashSet::from(["key_portal".to_owned()])
    }

    fn who(found: &HashMap<String, Attribution>, id: &str) -> Option<String> {
        found.get(id).map(|a| a.username.clone())
    }

    #[test]
    fn a_write_and_its_event_are_joined() {
        let writes = [write(2, "POST", "user-1", 100, 101, "alice")];
        let events = [event("e1", "user.updated", 101, "user-1", "key_portal")];
        let found = attribute(&events, &writes, &own());
        assert_eq!(found["e1"].journal_seq, 2);
        assert_eq!(who(&found, "e1").as_deref(), Some("alice"));
    }

    #[test]
    fn another_key_or_another_object_or_another_time_is_not_joined() {
        let writes = [write(2, "POST", "user-1", 100, 101, "alice")];
        let events = [
            event("other-key", "user.updated", 100, "user-1", "key_script"),
            event("other-object", "user.updated", 100, "user-2", "key_portal"),
            event("too-late", "user.updated", 120, "user-1", "key_portal"),
        ];
        assert!(attribute(&events, &writes, &own()).is_empty());
    }

    #[test]
    fn two_writes_a_second_apart_are_told_apart() {
        let writes = [
            write(2, "POST", "user-1", 100, 101, "alice"),
            write(4, "POST", "user-1", 101, 101, "bob"),
        ];
        let events = [
            event("first", "user.updated", 100, "user-1", "key_portal"),
            event("second", "user.updated", 101, "user-1", "key_portal"),
        ];
        let found = attribute(&events, &writes, &own());
        assert_eq!(who(&found, "first").as_deref(), Some("alice"));
        assert_eq!(who(&found, "second").as_deref(), Some("bob"));
    }

    #[test]
    fn events_that_fit_two_writes_equally_stay_unattributed() {
        let writes = [
            write(2, "POST", "user-1", 100, 102, "alice"),
            write(4, "POST", "user-1", 100, 102, "bob"),
        ];
        let events = [
            event("a", "user.updated", 101, "user-1", "key_portal"),
            event("b", "user.updated", 101, "user-1", "key_portal"),
        ];
        assert!(attribute(&events, &writes, &own()).is_empty());
    }

    #[test]
    fn a_delete_by_a_script_beside_a_portal_role_change_is_not_taken_for_it() {
        let writes = [write(2, "POST", "user-1", 100, 100, "alice")];
        let events = [
            event("role", "user.updated", 100, "user-1", "key_portal"),
            event("delete", "user.deleted", 101, "user-1", "key_portal"),
        ];
        let found = attribute(&events, &writes, &own());
        assert_eq!(who(&found, "role").as_deref(), Some("alice"));
        assert!(!found.contains_key("delete"));
    }

    #[test]
    fn a_rename_and_an_archive_in_one_second_are_told_apart_by_their_kind() {
        let mut rename = write(2, "POST", "proj_1", 100, 100, "alice");
        rename.path = "/organization/projects/proj_1".into();
        let mut archive = write(4, "POST", "proj_1", 100, 100, "bob");
        archive.path = "/organization/projects/proj_1/archive".into();
        let events = [
            event("renamed", "project.updated", 100, "proj_1", "key_portal"),
            event("archived", "project.archived", 100, "proj_1", "key_portal"),
        ];
        let found = attribute(&events, &[rename, archive], &own());
        assert_eq!(who(&found, "renamed").as_deref(), Some("alice"));
        assert_eq!(who(&found, "archived").as_deref(), Some("bob"));
    }

    #[test]
    fn a_script_change_of_the_same_kind_beside_a_portal_write_leaves_both_unattributed() {
        let writes = [write(2, "POST", "user-1", 100, 100, "alice")];
        let events = [
            event("portal", "user.updated", 100, "user-1", "key_portal"),
            event("script", "user.updated", 100, "user-1", "key_portal"),
        ];
        assert!(attribute(&events, &writes, &own()).is_empty());
    }

    #[test]
    fn clocks_a_few_seconds_apart_are_allowed() {
        let writes = [write(2, "DELETE", "user-1", 100, 100, "alice")];
        let events = [event("e", "user.deleted", 104, "user-1", "key_portal")];
        assert_eq!(
            who(&attribute(&events, &writes, &own()), "e").as_deref(),
            Some("alice")
        );
        let events = [event("e", "user.deleted", 106, "user-1", "key_portal")];
        assert!(attribute(&events, &writes, &own()).is_empty());
    }
}
