//! Sync: upstream's audit log into the archive, through the same upstream client as every
//! other read (the admin key stays in it, and reads are retried on 429 and 5xx).
//!
//! - **Backfill** (first run): pages through everything upstream has, newest first, 100 at a
//!   time. Each page is stored in one transaction together with the cursor after it, so a crash
//!   or `kill -9` loses nothing and a restart resumes from the last stored page.
//! - **Incremental** (afterwards): lists from `overlap` before the newest archived event up to
//!   now, and stores what is new. Ids already archived are skipped, so the overlap costs
//!   nothing but reads, and events sharing a second with the newest, or split by a page
//!   boundary, are not lost. The whole window is stored in one transaction: a crash mid-poll
//!   leaves the archive as it was, and the next poll starts from the same place.
//! - **Retention** (if configured): events older than it are pruned, journaled first.
//!
//! Sync only inserts events whose id is not archived yet (found first, in the same transaction):
//! it never changes or deletes one.
//!
//! Upstream lists events by time and then by the order it stored them in, which no field shows.
//! The archive keeps that order in `seq` (the second, shifted, plus a place within it; see
//! `store::number`): the backfill walks newest first and numbers each event below the others
//! of its second, and each poll numbers its new events above them, oldest first. An event that
//! upstream shows late, in a second already archived, sorts after the events archived before
//! it in that second.

use std::time::Duration;

use admin_api::audit_logs::{AuditLog, ListAuditLogsQuery};
use admin_api::{ErrorResponse, ListPage};
use anyhow::{Context, anyhow};
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::Row;

use super::{Archive, Retention, store};
use crate::db::Lock;
use crate::journal::now;

/// The route pruning is journaled under.
pub const ARCHIVE_PATH: &str = "/api/archive/audit_logs";

/// Upstream's largest page.
const PAGE: u32 = 100;

/// Backfill pages stored per transaction: a commit (an fsync, and on SQLite an FTS5 segment)
/// per 2,000 events rather than per hundred. A crash loses at most these pages' reads.
const PAGES_PER_STORE: usize = 20;

/// What one sync cycle did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Events stored by the backfill.
    pub backfilled: u64,
    /// New events stored by the incremental poll.
    pub added: u64,
    /// Events pruned for retention.
    pub pruned: u64,
}

/// One page from upstream: each event typed (for its fields) and as upstream wrote it.
struct Page {
    events: Vec<(AuditLog, Value)>,
    has_more: bool,
    last_id: Option<String>,
}

/// Why a page could not be read.
enum FetchError {
    /// Upstream no longer knows the `after` cursor (the event aged out of its retention).
    CursorGone,
    Other(anyhow::Error),
}

impl From<FetchError> for anyhow::Error {
    fn from(error: FetchError) -> Self {
        match error {
            FetchError::CursorGone => anyhow!("upstream no longer knows the cursor"),
            FetchError::Other(error) => error,
        }
    }
}

/// What `sync_state` says.
struct State {
    backfill_cursor: Option<String>,
    backfill_complete: bool,
    newest_at: Option<i64>,
}

impl Archive {
    /// One sync cycle, now: the rest of the backfill if it is unfinished, an incremental poll,
    /// and pruning. Cycles never overlap. The background task calls this; so do tests, so
    /// that they need not wait for a timer.
    pub async fn sync_once(&self) -> anyhow::Result<SyncReport> {
        let _one_at_a_time = self.syncing.lock().await;
        self.cycle().await
    }

    /// A reader's catch-up: one cycle, unless another has begun since the reader looked (the
    /// readers who queue behind one cycle do not each run their own).
    pub(super) async fn catch_up_cycle(&self, asked_at: i64) -> anyhow::Result<()> {
        let _one_at_a_time = self.syncing.lock().await;
        let stale = self.stale.load(std::sync::atomic::Ordering::SeqCst);
        if !stale && self.last_attempt.load(std::sync::atomic::Ordering::SeqCst) >= asked_at {
            return Ok(());
        }
        self.cycle().await.map(drop)
    }

    /// The cycle itself; the caller holds `syncing`.
    async fn cycle(&self) -> anyhow::Result<SyncReport> {
        let started = now();
        self.last_attempt
            .store(started, std::sync::atomic::Ordering::SeqCst);
        // Whatever was written before this cycle began, it will see.
        self.stale.store(false, std::sync::atomic::Ordering::SeqCst);
        let report = SyncReport {
            backfilled: self.backfill().await?,
            added: self.poll().await?,
            pruned: self.prune().await?,
        };
        // The last day again: journal rows that landed after their events are joined now. Only
        // a cycle whose pass succeeded counts towards calling an event missing.
        let attributed = self
            .attribute_between(started - super::attribution::RECENT, started)
            .await;
        if let Err(error) = &attributed {
            tracing::warn!(error = %format!("{error:#}"), "audit events could not be attributed this cycle");
        }
        sqlx::query("UPDATE sync_state SET last_sync = $1 WHERE id = 1")
            .bind(now())
            .execute(&self.db.pool)
            .await?;
        if attributed.is_ok() {
            sqlx::query(
                "UPDATE sync_state SET previous_cycle_started = cycle_started, cycle_started = $1
                 WHERE id = 1",
            )
            .bind(started)
            .execute(&self.db.pool)
            .await?;
        }
        Ok(report)
    }

    /// Cycles forever while `held` says this replica holds the archive's lease, pausing
    /// `interval` between cycles, longer after failures.
    pub(super) async fn run(&self, mut held: tokio::sync::watch::Receiver<bool>) {
        let mut failures = 0;
        loop {
            if held.wait_for(|held| *held).await.is_err() {
                return;
            }
            match self.sync_once().await {
                Ok(report) => {
                    failures = 0;
                    if report != SyncReport::default() {
                        tracing::info!(
                            backfilled = report.backfilled,
                            added = report.added,
                            pruned = report.pruned,
                            "audit archive synced"
                        );
                    }
                }
                Err(error) => {
                    failures += 1;
                    tracing::warn!(error = %format!("{error:#}"), failures, "audit archive sync failed");
                }
            }
            tokio::time::sleep(pause_after(self.settings.interval, failures)).await;
        }
    }

    async fn state(&self) -> anyhow::Result<State> {
        let row = sqlx::query(
            "SELECT backfill_cursor, backfill_complete, newest_at FROM sync_state WHERE id = 1",
        )
        .fetch_one(&self.db.pool)
        .await?;
        Ok(State {
            backfill_cursor: row.get("backfill_cursor"),
            backfill_complete: row.get::<i64, _>("backfill_complete") != 0,
            newest_at: row.get("newest_at"),
        })
    }

    /// Up to [`PAGES_PER_STORE`] pages from `cursor` on, as one.
    async fn fetch_pages(&self, mut cursor: Option<String>) -> anyhow::Result<Page> {
        let mut pages = Page {
            events: Vec::new(),
            has_more: true,
            last_id: None,
        };
        for _ in 0..PAGES_PER_STORE {
            let mut query = ListAuditLogsQuery::default();
            query.paging.limit = Some(PAGE);
            query.paging.after.clone_from(&cursor);
            match self.fetch(&query).await {
                Ok(page) => {
                    pages.events.extend(page.events);
                    pages.has_more = page.has_more;
                    if page.last_id.is_some() {
                        pages.last_id.clone_from(&page.last_id);
                        cursor = page.last_id;
                    }
                }
                Err(FetchError::CursorGone) => {
                    // Everything older than the cursor has aged out upstream too.
                    tracing::warn!("the backfill's cursor aged out upstream; backfill ends there");
                    pages.has_more = false;
                }
                Err(FetchError::Other(error)) if pages.events.is_empty() => return Err(error),
                // What was read is stored; the next cycle reads on from there.
                Err(FetchError::Other(error)) => {
                    tracing::warn!(error = %format!("{error:#}"), "a backfill page could not be read");
                    return Ok(pages);
                }
            }
            if !pages.has_more {
                break;
            }
        }
        Ok(pages)
    }

    /// Walks upstream from the stored cursor to the end, [`PAGES_PER_STORE`] pages per
    /// transaction.
    async fn backfill(&self) -> anyhow::Result<u64> {
        let mut stored = 0;
        loop {
            let state = self.state().await?;
            if state.backfill_complete {
                return Ok(stored);
            }
            let page = self.fetch_pages(state.backfill_cursor.clone()).await?;
            let mut tx = self.db.begin_locked(Lock::Archive).await?;
            // Each page is older than everything archived before it.
            let typed: Vec<&AuditLog> = page.events.iter().map(|(event, _)| event).collect();
            let seqs = store::number(&mut tx, &typed, store::Side::Older).await?;
            let items: Vec<_> = page
                .events
                .iter()
                .zip(seqs)
                .map(|((event, json), seq)| (event, json, seq))
                .collect();
            let added = i64::try_from(store::insert_all(&mut tx, self.db.engine, &items).await?)
                .unwrap_or(0);
            let newest = newest_of(state.newest_at, &page.events);
            sqlx::query(
                "UPDATE sync_state SET backfill_cursor = $1, backfill_complete = $2,
                     backfill_events = backfill_events + $3, newest_at = $4
                 WHERE id = 1",
            )
            .bind(page.last_id.or(state.backfill_cursor))
            .bind(i64::from(!page.has_more))
            .bind(added)
            .bind(newest)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            stored += u64::try_from(added).unwrap_or(0);
            let times = page.events.iter().map(|(e, _)| e.effective_at);
            if let (Some(from), Some(to)) = (times.clone().min(), times.max())
                && let Err(error) = self.attribute_between(from, to).await
            {
                tracing::warn!(error = %format!("{error:#}"), "a backfilled page could not be attributed");
            }
        }
    }

    /// Reads everything from `overlap` before the newest archived event and stores what is new,
    /// in one transaction.
    async fn poll(&self) -> anyhow::Result<u64> {
        let state = self.state().await?;
        let overlap = i64::try_from(self.settings.overlap.as_secs()).unwrap_or(i64::MAX);
        let mut query = ListAuditLogsQuery::default();
        query.paging.limit = Some(PAGE);
        query.effective_at.gte = state.newest_at.map(|at| at.saturating_sub(overlap));
        let mut events = Vec::new();
        loop {
            let page = self.fetch(&query).await?;
            events.extend(page.events);
            match (page.has_more, page.last_id) {
                (true, Some(last)) => query.paging.after = Some(last),
                _ => break,
            }
        }
        let mut tx = self.db.begin_locked(Lock::Archive).await?;
        // Oldest first, each new event newer than the ones archived in its second before it.
        let typed: Vec<&AuditLog> = events.iter().rev().map(|(event, _)| event).collect();
        let seqs = store::number(&mut tx, &typed, store::Side::Newer).await?;
        let items: Vec<_> = events
            .iter()
            .rev()
            .zip(seqs)
            .map(|((event, json), seq)| (event, json, seq))
            .collect();
        let added = store::insert_all(&mut tx, self.db.engine, &items).await?;
        sqlx::query("UPDATE sync_state SET newest_at = $1 WHERE id = 1")
            .bind(newest_of(state.newest_at, &events))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        // Events upstream shows late, or that a long outage kept from the archive, may be older
        // than the day each cycle looks at again.
        let times = events.iter().map(|(e, _)| e.effective_at);
        if let (Some(from), Some(to)) = (times.clone().min(), times.max())
            && let Err(error) = self.attribute_between(from, to).await
        {
            tracing::warn!(error = %format!("{error:#}"), "polled events could not be attributed");
        }
        Ok(added)
    }

    /// Deletes events older than the retention, after journaling that it will. If the journal
    /// cannot record it, nothing is deleted.
    async fn prune(&self) -> anyhow::Result<u64> {
        let Retention::For(keep) = self.settings.retention else {
            return Ok(0);
        };
        let cutoff = now().saturating_sub(i64::try_from(keep.as_secs()).unwrap_or(i64::MAX));
        let older = store::count_older(&self.db, cutoff).await?;
        if older == 0 {
            return Ok(0);
        }
        if let Some(journal) = &self.journal {
            let record = json!({
                "pruned": older,
                "older_than": cutoff,
                "retention": self.settings.retention.to_string(),
            });
            journal
                .record_system("DELETE", ARCHIVE_PATH, &record)
                .await
                .context("the pruning could not be journaled, so nothing was pruned")?;
        }
        let pruned = store::prune(&self.db, cutoff).await?;
        tracing::info!(pruned, older_than = cutoff, "audit archive pruned");
        Ok(pruned)
    }

    /// One page of upstream's audit log.
    async fn fetch(&self, query: &ListAuditLogsQuery) -> Result<Page, FetchError> {
        let other = |e: &dyn std::fmt::Display| FetchError::Other(anyhow!("{e}"));
        let response = self
            .upstream
            .send(
                Method::GET,
                "/organization/audit_logs",
                &query.to_query_string(),
                None,
            )
            .await
            .map_err(|e| other(&format!("{} ({})", e.error.message, e.status)))?;
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 64 * 1024 * 1024)
            .await
            .map_err(|e| other(&e))?;
        if !status.is_success() {
            let error = serde_json::from_slice::<ErrorResponse>(&bytes).ok();
            let param = error.as_ref().and_then(|e| e.error.param.as_deref());
            if status == StatusCode::BAD_REQUEST && param == Some("after") {
                return Err(FetchError::CursorGone);
            }
            let message = error.map(|e| e.error.message).unwrap_or_default();
            return Err(other(&format!("upstream answered {status}: {message}")));
        }
        let page: ListPage<Value> = serde_json::from_slice(&bytes).map_err(|e| other(&e))?;
        let mut events = Vec::with_capacity(page.data.len());
        for json in page.data {
            let event: AuditLog = serde_json::from_value(json.clone()).map_err(|e| other(&e))?;
            events.push((event, json));
        }
        Ok(Page {
            events,
            has_more: page.has_more,
            last_id: page.last_id,
        })
    }
}

/// The newest `effective_at` seen, counting `events`.
fn newest_of(known: Option<i64>, events: &[(AuditLog, Value)]) -> Option<i64> {
    events
        .iter()
        .map(|(event, _)| event.effective_at)
        .chain(known)
        .max()
}

/// The pause before the next cycle: `interval` after a success; after failures, `interval`
/// doubled per consecutive failure up to 15 minutes (or `interval`, if longer), plus up to a
/// quarter of jitter, so that a struggling upstream is not hit again on the dot.
pub(super) fn pause_after(interval: Duration, failures: u32) -> Duration {
    if failures == 0 {
        return interval;
    }
    let ceiling = interval.max(Duration::from_secs(15 * 60));
    let grown = interval.saturating_mul(1 << (failures - 1).min(16));
    grown.min(ceiling).mul_f64(1.0 + fastrand::f64() / 4.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_lengthen_the_pause_up_to_a_ceiling() {
        let minute = Duration::from_secs(60);
        assert_eq!(pause_after(minute, 0), minute);
        let first = pause_after(minute, 1);
        assert!(
            first >= minute && first <= minute.mul_f64(1.25),
            "{first:?}"
        );
        let third = pause_after(minute, 3);
        assert!(third >= 4 * minute, "{third:?}");
        let many = pause_after(minute, 40);
        assert!(
            many <= Duration::from_secs(15 * 60).mul_f64(1.25),
            "{many:?}"
        );
    }
}
