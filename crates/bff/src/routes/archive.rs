//! `/api/archive/...`: the audit archive, for owners and auditors.
//!
//! - `GET /api/archive/audit_logs`: upstream's list filters and cursors, plus `q` (full text)
//!   and `portal_user` (everything one portal user did), answered from the archive in
//!   upstream's list shape, plus `attributions` and `coverage`.
//! - `GET /api/archive/histogram`: the same filters and `q`, counted per `bucket=hour|day`
//!   (default `day`) and event family, plus `coverage`.
//! - `GET /api/archive/status`: whether the archive is on, and its `coverage`.
//!
//! With `--archive off` the first two answer 404 `archive_disabled`.

use admin_api::audit_logs::ListAuditLogsQuery;
use admin_api::query::QueryPairs;
use admin_api::{ApiError, ListPage};
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use serde_json::Value;

use std::collections::HashMap;

use crate::archive::{Archive, Bucket, Coverage, Histogram, Search};
use crate::attribution::Attribution;
use crate::{AppError, AppState};

/// The longest `q` accepted.
const MAX_Q: usize = 500;

/// The archive routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/archive/audit_logs", get(list_archived_events))
        .route("/archive/histogram", get(count_archived_events))
        .route("/archive/status", get(archive_status))
}

/// A page of archived events, who made them through the portal, and what the archive covers.
#[derive(Debug, Serialize)]
struct ArchivePage {
    #[serde(flatten)]
    page: ListPage<Value>,
    /// Event id → the portal user behind it, for the page's attributed events.
    attributions: HashMap<String, Attribution>,
    coverage: Coverage,
}

/// A histogram and what the archive covers.
#[derive(Debug, Serialize)]
struct ArchiveHistogram {
    #[serde(flatten)]
    histogram: Histogram,
    coverage: Coverage,
}

/// Whether the archive is on, and what it covers.
#[derive(Debug, Serialize)]
struct ArchiveStatus {
    enabled: bool,
    coverage: Coverage,
}

async fn list_archived_events(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<ArchivePage>, AppError> {
    let archive = enabled(&state)?;
    let search = super::proxy::query(raw.as_deref(), take_search)?;
    // The first page, and "anything newer than this?", are how a reader asks what just
    // happened; older pages need no catching up.
    if search.query.paging.after.is_none() {
        archive.catch_up().await;
    }
    let page = archive.list(&search).await?;
    let ids: Vec<&str> = page
        .data
        .iter()
        .filter_map(|e| e.get("id")?.as_str())
        .collect();
    let mut attributions = archive
        .attributions_of(&ids)
        .await
        .map_err(|e| AppError::internal(&e))?;
    // Events archived since the last attribution pass (it runs at the end of each cycle) are
    // joined as they are read, like upstream's.
    let recent = crate::journal::now() - crate::attribution::LONGEST_WRITE;
    // Only recent, unattributed events are typed (`on_the_fly` picks those made with a key).
    let unjoined: Vec<admin_api::audit_logs::AuditLog> = page
        .data
        .iter()
        .filter(|e| {
            e.get("effective_at").and_then(Value::as_i64) >= Some(recent)
                && e.get("id")
                    .and_then(Value::as_str)
                    .is_some_and(|id| !attributions.contains_key(id))
        })
        .filter_map(|e| serde_json::from_value(e.clone()).ok())
        .collect();
    if !unjoined.is_empty() {
        attributions.extend(crate::attribution::on_the_fly(&state, &unjoined).await);
    }
    let coverage = archive
        .coverage()
        .await
        .map_err(|e| AppError::internal(&e))?;
    Ok(Json(ArchivePage {
        page,
        attributions,
        coverage,
    }))
}

async fn count_archived_events(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<ArchiveHistogram>, AppError> {
    let archive = enabled(&state)?;
    let (bucket, search) = super::proxy::query(raw.as_deref(), |pairs| {
        let bucket = match pairs.one("bucket")?.as_deref() {
            None | Some("day") => Bucket::Day,
            Some("hour") => Bucket::Hour,
            Some(other) => {
                return Err(ApiError::invalid_request(
                    format!("Invalid 'bucket': '{other}'. Use hour or day."),
                    Some("bucket"),
                ));
            }
        };
        let search = take_search(pairs)?;
        let paging = &search.query.paging;
        if paging.after.is_some() || paging.limit.is_some() || search.query.before.is_some() {
            return Err(ApiError::invalid_request(
                "The histogram counts every matching event: it takes no 'limit', 'after' or 'before'.",
                None,
            ));
        }
        Ok((bucket, search))
    })?;
    // No catch-up here: the chart comes with a first page, which has caught up already.
    let coverage = archive
        .coverage()
        .await
        .map_err(|e| AppError::internal(&e))?;
    let histogram = archive
        .histogram(&search, bucket, &coverage)
        .await
        .map_err(|e| AppError::internal(&e))?;
    Ok(Json(ArchiveHistogram {
        histogram,
        coverage,
    }))
}

async fn archive_status(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<ArchiveStatus>, AppError> {
    super::proxy::no_query(raw.as_deref())?;
    let coverage = match &state.archive {
        Some(archive) => archive
            .coverage()
            .await
            .map_err(|e| AppError::internal(&e))?,
        None => Coverage::default(),
    };
    Ok(Json(ArchiveStatus {
        enabled: state.archive.is_some(),
        coverage,
    }))
}

/// Upstream's list query and `q`.
fn take_search(pairs: &mut QueryPairs) -> Result<Search, ApiError> {
    let q = pairs.one("q")?.filter(|q| !q.trim().is_empty());
    if q.as_ref().is_some_and(|q| q.chars().count() > MAX_Q) {
        return Err(ApiError::invalid_request(
            format!("'q' is longer than {MAX_Q} characters."),
            Some("q"),
        ));
    }
    // NUL and other control characters are never part of what anyone searches for, and SQLite
    // (C strings) and FTS5 do not take them.
    if q.as_ref().is_some_and(|q| q.chars().any(char::is_control)) {
        return Err(ApiError::invalid_request(
            "'q' contains a control character (such as NUL, a tab or a line break).",
            Some("q"),
        ));
    }
    let portal_user = pairs.one("portal_user")?.filter(|u| !u.trim().is_empty());
    Ok(Search {
        query: ListAuditLogsQuery::take_from(pairs)?,
        q,
        portal_user,
    })
}

/// The archive, or 404 when it is turned off.
fn enabled(state: &AppState) -> Result<&std::sync::Arc<Archive>, AppError> {
    state.archive.as_ref().ok_or_else(|| AppError {
        status: StatusCode::NOT_FOUND,
        error: ApiError::invalid_request(
            "The audit archive is turned off (gatehouse serve --archive off).",
            None,
        )
        .with_code("archive_disabled"),
        retry_after: None,
    })
}
