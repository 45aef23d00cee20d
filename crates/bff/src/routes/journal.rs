//! `GET /api/journal`: who made which change through the portal, newest first, for owners and
//! auditors. Filters: `user`, `since`, `until` (Unix seconds); paging: `limit`, `after` (a
//! sequence number from `last_id`).

use admin_api::query::QueryPairs;
use admin_api::{ApiError, ListPage};
use axum::extract::{RawQuery, State};
use axum::routing::get;
use axum::{Json, Router};

use crate::journal::{Entry, Filter};
use crate::{AppError, AppState};

/// The journal route.
pub fn router() -> Router<AppState> {
    Router::new().route("/journal", get(list_journal))
}

async fn list_journal(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<ListPage<Entry>>, AppError> {
    let filter = super::proxy::query(raw.as_deref(), parse)?;
    let Some(journal) = &state.journal else {
        return Ok(Json(ListPage::new(Vec::new(), false, |_: &Entry| "")));
    };
    let (entries, has_more) = journal
        .list(&filter)
        .await
        .map_err(|e| AppError::internal(&e))?;
    let ids: Vec<String> = entries.iter().map(|e| e.seq.to_string()).collect();
    let mut page = ListPage::new(entries, has_more, |_| "");
    page.first_id = ids.first().cloned();
    page.last_id = ids.last().cloned();
    Ok(Json(page))
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
