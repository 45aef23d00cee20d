//! `GET /api/journal`: who made which change through the portal, newest first, for owners and
//! auditors. Filters: `user`, `since`, `until` (Unix seconds); paging: `limit`, `after` (a
//! sequence number from `last_id`).

use admin_api::query::QueryPairs;
use admin_api::{ApiError, ListPage};
use axum::extract::{RawQuery, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use crate::journal::{Entry, Filter};
use crate::{AppError, AppState};

/// The journal route.
pub fn router() -> Router<AppState> {
    Router::new().route("/journal", get(list_journal))
}

/// A journal row, and for a write that should have made audit events, how many archived
/// events are attributed to it and whether that is worth a look.
#[derive(Debug, Serialize)]
struct Row {
    #[serde(flatten)]
    entry: Entry,
    /// Archived events attributed to this write (`None`: not a write that makes events, or
    /// the archive is off).
    #[serde(skip_serializing_if = "Option::is_none")]
    events: Option<i64>,
    /// A successful write with no attributed event after two archive polls and the archive's
    /// grace time: OpenAI logs every authenticated admin request, so the missing event is
    /// worth a security team's look.
    missing_event: bool,
}

async fn list_journal(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<ListPage<Row>>, AppError> {
    let filter = super::proxy::query(raw.as_deref(), parse)?;
    let Some(journal) = &state.journal else {
        return Ok(Json(ListPage::new(Vec::new(), false, |_: &Row| "")));
    };
    let (entries, has_more) = journal
        .list(&filter)
        .await
        .map_err(|e| AppError::internal(&e))?;
    let ids: Vec<String> = entries.iter().map(|e| e.seq.to_string()).collect();
    let rows = with_events(&state, entries)
        .await
        .map_err(|e| AppError::internal(&e))?;
    let mut page = ListPage::new(rows, has_more, |_| "");
    page.first_id = ids.first().cloned();
    page.last_id = ids.last().cloned();
    Ok(Json(page))
}

/// The journal rows with their attributed events, when the archive is on.
async fn with_events(state: &AppState, entries: Vec<Entry>) -> anyhow::Result<Vec<Row>> {
    let Some(archive) = &state.archive else {
        return Ok(entries
            .into_iter()
            .map(|entry| Row {
                entry,
                events: None,
                missing_event: false,
            })
            .collect());
    };
    let writes: Vec<i64> = entries
        .iter()
        .filter(|e| e.is_portal_write())
        .map(|e| e.seq)
        .collect();
    let counts = archive.events_of_writes(&writes).await?;
    let overdue_before = archive.events_overdue_before().await?;
    Ok(entries
        .into_iter()
        .map(|entry| {
            let events = writes
                .contains(&entry.seq)
                .then(|| counts.get(&entry.seq).copied().unwrap_or(0));
            let missing_event = events == Some(0) && overdue_before.is_some_and(|t| entry.at < t);
            Row {
                entry,
                events,
                missing_event,
            }
        })
        .collect())
}

fn parse(pairs: &mut QueryPairs) -> Result<Filter, ApiError> {
    let limit = pairs.limit()?;
    let before_seq = pairs
        .one("after")?
        .map(|a| {
            a.parse::<i64>().map_err(|_| {
                ApiError::invalid_request(format!("Invalid 'after': '{a}'."), Some("after"))
            })
        })
        .transpose()?;
    Ok(Filter {
        limit,
        before_seq,
        username: pairs.one("user")?,
        since: pairs.integer("since")?,
        until: pairs.integer("until")?,
    })
}
