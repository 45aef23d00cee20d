//! `/organization/audit_logs`: the event store and its filtered, cursor-paged list.
//!
//! Events are kept in a `BTreeMap` keyed by `(effective_at, sequence)`, so a time-bounded page is
//! a range walk. Each filterable field also has an index from value to keys: a selective filter
//! walks only its candidates instead of scanning every event for one page.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;

use admin_api::audit_logs::{AuditLog, ListAuditLogsQuery};
use admin_api::query::QueryPairs;
use admin_api::{ApiError, ListPage};
use axum::extract::{RawQuery, State};
use axum::routing::get;
use axum::{Json, Router};

use crate::{Failure, Sandbox};

type Key = (i64, u64);

/// The filterable fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Field {
    EventType,
    Project,
    Actor,
    ActorEmail,
    Resource,
}

/// All audit events of the organization.
#[derive(Default)]
pub struct AuditStore {
    by_key: BTreeMap<Key, AuditLog>,
    by_id: HashMap<String, Key>,
    index: HashMap<(Field, String), BTreeSet<Key>>,
    next_seq: u64,
}

impl AuditStore {
    /// Appends an event, indexing every field a filter can name.
    pub fn push(&mut self, event: AuditLog) {
        let key = (event.effective_at, self.next_seq);
        self.next_seq += 1;
        for (field, value) in indexed_values(&event) {
            self.index.entry((field, value)).or_default().insert(key);
        }
        self.by_id.insert(event.id.clone(), key);
        self.by_key.insert(key, event);
    }

    /// Every event, newest first.
    pub fn newest_first(&self) -> impl Iterator<Item = &AuditLog> {
        self.by_key.values().rev()
    }

    /// The event with this id.
    pub fn get(&self, id: &str) -> Option<&AuditLog> {
        self.by_key.get(self.by_id.get(id)?)
    }

    /// How many events there are.
    pub fn len(&self) -> usize {
        self.by_key.len()
    }

    /// One page of events matching `query`, newest first.
    pub fn list(&self, query: &ListAuditLogsQuery) -> Result<ListPage<AuditLog>, ApiError> {
        let (low, high) = query.effective_at.inclusive_range();
        let mut lower = Bound::Included((low, 0));
        let mut upper = Bound::Included((high, u64::MAX));
        if let Some(after) = &query.paging.after {
            upper = Bound::Excluded(self.cursor(after, "after")?);
        }
        if let Some(before) = &query.before {
            lower = Bound::Excluded(self.cursor(before, "before")?);
        }
        if !range_is_valid(lower, upper) {
            return Ok(ListPage::new(Vec::new(), false, |e: &AuditLog| &e.id));
        }
        let limit = query.paging.limit_or_default();
        // `before` alone pages towards newer events: walk upwards from the cursor, then present
        // the page newest first like every other page.
        let upwards = query.before.is_some() && query.paging.after.is_none();
        let keys: Box<dyn Iterator<Item = Key> + '_> = match self.candidates(query, lower, upper) {
            Some(keys) if upwards => Box::new(keys.into_iter()),
            Some(keys) => Box::new(keys.into_iter().rev()),
            None if upwards => Box::new(self.by_key.range((lower, upper)).map(|(k, _)| *k)),
            None => Box::new(self.by_key.range((lower, upper)).rev().map(|(k, _)| *k)),
        };
        let mut walk = keys
            .filter_map(|k| self.by_key.get(&k))
            .filter(|e| matches(query, e));
        let mut data: Vec<AuditLog> = walk.by_ref().take(limit).cloned().collect();
        let has_more = walk.next().is_some();
        if upwards {
            data.reverse();
        }
        Ok(ListPage::new(data, has_more, |e| &e.id))
    }

    /// The keys (ascending) of the most selective filter within the range, when some filter is
    /// selective enough to beat a range walk; `None` means walk the range.
    fn candidates(
        &self,
        query: &ListAuditLogsQuery,
        lower: Bound<Key>,
        upper: Bound<Key>,
    ) -> Option<Vec<Key>> {
        let filters = [
            (Field::EventType, &query.event_types),
            (Field::Project, &query.project_ids),
            (Field::Actor, &query.actor_ids),
            (Field::ActorEmail, &query.actor_emails),
            (Field::Resource, &query.resource_ids),
        ];
        let sets = |field: Field, values: &[String]| -> Vec<&BTreeSet<Key>> {
            values
                .iter()
                .filter_map(|v| self.index.get(&(field, v.clone())))
                .collect()
        };
        let (field, values, size) = filters
            .iter()
            .filter(|(_, values)| !values.is_empty())
            .map(|(field, values)| {
                let size: usize = sets(*field, values).iter().map(|s| s.len()).sum();
                (*field, *values, size)
            })
            .min_by_key(|(_, _, size)| *size)?;
        // A filter matching more than a quarter of the log is cheaper to apply during a walk.
        if size > self.by_key.len() / 4 {
            return None;
        }
        let mut keys: Vec<Key> = sets(field, values)
            .into_iter()
            .flat_map(|set| set.range((lower, upper)).copied())
            .collect();
        keys.sort_unstable();
        keys.dedup();
        Some(keys)
    }

    fn cursor(&self, id: &str, param: &str) -> Result<Key, ApiError> {
        self.by_id.get(id).copied().ok_or_else(|| {
            ApiError::invalid_request(
                format!("Invalid '{param}': no audit log with id '{id}'."),
                Some(param),
            )
        })
    }
}

fn range_is_valid(lower: Bound<Key>, upper: Bound<Key>) -> bool {
    match (lower, upper) {
        (Bound::Included(l), Bound::Included(u)) => l <= u,
        (Bound::Included(l) | Bound::Excluded(l), Bound::Excluded(u))
        | (Bound::Excluded(l), Bound::Included(u)) => l < u,
        _ => true,
    }
}

/// The values of `event` each filter can match.
fn indexed_values(event: &AuditLog) -> Vec<(Field, String)> {
    let mut values = vec![(Field::EventType, event.event_type.clone())];
    values.extend(
        event
            .project
            .as_ref()
            .map(|p| (Field::Project, p.id.clone())),
    );
    values.extend(
        actor_ids(event)
            .into_iter()
            .map(|id| (Field::Actor, id.to_owned())),
    );
    values.extend(
        actor_emails(event)
            .into_iter()
            .map(|e| (Field::ActorEmail, e.to_owned())),
    );
    values.extend(
        event
            .resource_id()
            .map(|id| (Field::Resource, id.to_owned())),
    );
    values.sort_unstable_by(|a, b| (a.0 as u8, &a.1).cmp(&(b.0 as u8, &b.1)));
    values.dedup();
    values
}

/// The ids an actor filter matches (one definition, shared with Gatehouse's archive).
fn actor_ids(event: &AuditLog) -> Vec<&str> {
    event.actor_ids()
}

/// The emails an actor-email filter matches.
fn actor_emails(event: &AuditLog) -> Vec<&str> {
    event.actor_emails()
}

/// Whether `event` passes every filter of `query` (each list filter matches any of its values).
fn matches(query: &ListAuditLogsQuery, event: &AuditLog) -> bool {
    let any = |wanted: &[String], have: &[&str]| {
        wanted.is_empty() || have.iter().any(|h| wanted.iter().any(|w| w == h))
    };
    let project: Vec<&str> = event.project.iter().map(|p| p.id.as_str()).collect();
    let resource: Vec<&str> = event.resource_id().into_iter().collect();
    (query.event_types.is_empty() || query.event_types.contains(&event.event_type))
        && any(&query.project_ids, &project)
        && any(&query.actor_ids, &actor_ids(event))
        && any(&query.actor_emails, &actor_emails(event))
        && any(&query.resource_ids, &resource)
}

/// The audit-log routes.
pub fn router() -> Router<Sandbox> {
    Router::new().route("/organization/audit_logs", get(list_audit_logs))
}

async fn list_audit_logs(
    State(sandbox): State<Sandbox>,
    RawQuery(raw): RawQuery,
) -> Result<Json<ListPage<AuditLog>>, Failure> {
    let query = ListAuditLogsQuery::take_from(&mut QueryPairs::parse(raw.as_deref()))?;
    Ok(Json(sandbox.read(|org| org.audit.list(&query))?))
}
