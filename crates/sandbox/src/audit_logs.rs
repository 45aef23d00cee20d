//! `/organization/audit_logs`: the event store, indexed by time, and its filtered, cursor-paged list.
//!
//! Events are kept in a `BTreeMap` keyed by `(effective_at, sequence)`, so a time-bounded page is a
//! range walk rather than a scan, and `after`/`before` cursors resolve through an id index.

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;

use admin_api::audit_logs::{AuditLog, ListAuditLogsQuery};
use admin_api::query::QueryPairs;
use admin_api::{ApiError, ListPage};
use axum::extract::{RawQuery, State};
use axum::routing::get;
use axum::{Json, Router};

use crate::{Failure, Sandbox};

type Key = (i64, u64);

/// All audit events of the organization.
#[derive(Default)]
pub struct AuditStore {
    by_key: BTreeMap<Key, AuditLog>,
    by_id: HashMap<String, Key>,
    next_seq: u64,
}

impl AuditStore {
    /// Appends an event.
    pub fn push(&mut self, event: AuditLog) {
        let key = (event.effective_at, self.next_seq);
        self.next_seq += 1;
        self.by_id.insert(event.id.clone(), key);
        self.by_key.insert(key, event);
    }

    /// Every event, newest first.
    pub fn newest_first(&self) -> impl Iterator<Item = &AuditLog> {
        self.by_key.values().rev()
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
        let range = self.by_key.range((lower, upper)).map(|(_, e)| e);
        let matches = |e: &&AuditLog| matches(query, e);
        // `before` pages towards newer events: walk upwards from the cursor, then present the
        // page newest first like every other page.
        let (data, has_more) = if query.before.is_some() && query.paging.after.is_none() {
            let mut walk = range.filter(matches);
            let mut data: Vec<AuditLog> = walk.by_ref().take(limit).cloned().collect();
            let has_more = walk.next().is_some();
            data.reverse();
            (data, has_more)
        } else {
            let mut walk = range.rev().filter(matches);
            let data: Vec<AuditLog> = walk.by_ref().take(limit).cloned().collect();
            (data, walk.next().is_some())
        };
        Ok(ListPage::new(data, has_more, |e| &e.id))
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

/// Whether `event` passes every filter of `query` (each list filter matches any of its values).
fn matches(query: &ListAuditLogsQuery, event: &AuditLog) -> bool {
    let any = |wanted: &[String], have: &[Option<&str>]| {
        wanted.is_empty() || have.iter().flatten().any(|h| wanted.iter().any(|w| w == h))
    };
    let actor = event.actor.as_ref();
    let session_user = actor.and_then(|a| a.session.as_ref()?.user.as_ref());
    let api_key = actor.and_then(|a| a.api_key.as_ref());
    let key_user = api_key.and_then(|k| k.user.as_ref());
    let actor_ids = [
        session_user.map(|u| u.id.as_str()),
        api_key.and_then(|k| k.id.as_deref()),
        key_user.map(|u| u.id.as_str()),
        api_key.and_then(|k| Some(k.service_account.as_ref()?.id.as_str())),
    ];
    let actor_emails = [
        session_user.and_then(|u| u.email.as_deref()),
        key_user.and_then(|u| u.email.as_deref()),
    ];
    (query.event_types.is_empty() || query.event_types.contains(&event.event_type))
        && any(
            &query.project_ids,
            &[event.project.as_ref().map(|p| p.id.as_str())],
        )
        && any(&query.actor_ids, &actor_ids)
        && any(&query.actor_emails, &actor_emails)
        && any(&query.resource_ids, &[event.resource_id()])
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
