//! The audit archive: the BFF's own copy of upstream's audit log, for longer retention,
//! full-text search and activity over time.
//!
//! A background task (`sync`) pages upstream's log into the database: a resumable backfill of
//! everything upstream still has, then incremental polls from the newest archived event. The
//! query side (`store`) answers upstream's list filters, plus `q`, from the database, in
//! upstream's order and cursor semantics, and counts events per hour or day.

mod attribution;
pub(crate) mod store;
mod sync;

use std::sync::Arc;
use std::time::Duration;

use crate::db::Db;
use serde::Serialize;
use tokio::sync::Mutex;

use crate::journal::Journal;
use crate::upstream::Upstream;

pub use store::{Bucket, Histogram, HistogramRow, Search, fts_query};
pub use sync::SyncReport;

/// How long the archive keeps events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Retention {
    /// Keep everything (the default).
    #[default]
    Forever,
    /// Prune events older than this.
    For(Duration),
}

impl std::str::FromStr for Retention {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        if value == "forever" {
            return Ok(Self::Forever);
        }
        let duration = humantime::parse_duration(value)
            .map_err(|e| format!("{e}; write `forever` or a duration such as 400d or 2y"))?;
        if duration < Duration::from_secs(3600) {
            return Err("keep events at least an hour, or write `forever`".into());
        }
        Ok(Self::For(duration))
    }
}

impl std::fmt::Display for Retention {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Forever => f.write_str("forever"),
            Self::For(duration) => write!(f, "{}", humantime::format_duration(*duration)),
        }
    }
}

/// A reader's first page is answered from the archive as it is when it synced this recently.
pub const FRESH: Duration = Duration::from_secs(5);
/// How long a reader waits for the archive to catch up before it answers anyway.
pub const CATCH_UP_WAIT: Duration = Duration::from_secs(3);

/// How the archive syncs.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// The pause between incremental polls.
    pub interval: Duration,
    pub retention: Retention,
    /// How far before the newest archived event each poll starts again, so that events that
    /// share its second, or that upstream shows late, are not missed.
    pub overlap: Duration,
    /// How long after a write its audit event may take to appear before the journal flags it
    /// as missing.
    pub event_grace: Duration,
    /// How long a histogram that must count events one by one (any filter but time and
    /// type) counts before it answers with what it has, saying so.
    pub count_budget: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(60),
            retention: Retention::Forever,
            overlap: Duration::from_secs(120),
            event_grace: Duration::from_secs(15 * 60),
            count_budget: Duration::from_millis(60),
        }
    }
}

/// What the archive holds, stated in every answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// The oldest and newest archived event's `effective_at`.
    pub oldest: Option<i64>,
    pub newest: Option<i64>,
    pub events: i64,
    /// When the last sync cycle completed.
    pub last_sync: Option<i64>,
    pub backfill: Backfill,
}

/// The first run's progress. Upstream gives no totals, so progress is a count and `oldest`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Backfill {
    pub complete: bool,
    pub events: i64,
}

/// The archive: its database, the upstream client it syncs with (the admin key stays in it),
/// and the journal that records pruning.
pub struct Archive {
    db: Db,
    /// Which replica syncs: the one holding this lease.
    lease: crate::lease::Lease,
    upstream: Upstream,
    journal: Option<Arc<Journal>>,
    settings: Settings,
    /// One sync cycle at a time: the background task and `sync_once` callers share it.
    syncing: Mutex<()>,
    /// When the last cycle began (Unix seconds), successful or not: a reader's catch-up waits
    /// out [`FRESH`] after any attempt, so a failing upstream is not asked once per reader.
    last_attempt: std::sync::atomic::AtomicI64,
    /// Set by a write through the portal: the next reader catches up however fresh the archive
    /// looks, so the change shows at once.
    stale: std::sync::atomic::AtomicBool,
}

impl std::fmt::Debug for Archive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Archive")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Archive {
    /// The archive in `db`, syncing from `upstream`.
    pub fn new(
        db: Db,
        upstream: Upstream,
        journal: Option<Arc<Journal>>,
        settings: Settings,
    ) -> Self {
        Self {
            lease: crate::lease::Lease::new(db.clone(), "archive_sync"),
            db,
            upstream,
            journal,
            settings,
            syncing: Mutex::new(()),
            last_attempt: std::sync::atomic::AtomicI64::new(0),
            stale: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// What the archive holds now.
    pub async fn coverage(&self) -> anyhow::Result<Coverage> {
        store::coverage(&self.db).await
    }

    /// One page of archived events matching `search`, newest first, as upstream pages.
    pub async fn list(
        &self,
        search: &Search,
    ) -> Result<admin_api::ListPage<serde_json::Value>, crate::AppError> {
        store::list(&self.db, search).await
    }

    /// Events matching `search` per `bucket`, split by family, within what `coverage` (read
    /// just before, as the answer states it) says the archive holds.
    pub async fn histogram(
        &self,
        search: &Search,
        bucket: Bucket,
        coverage: &Coverage,
    ) -> anyhow::Result<Histogram> {
        store::histogram(
            &self.db,
            search,
            bucket,
            (coverage.oldest, coverage.newest),
            self.settings.count_budget,
        )
        .await
    }

    /// Brings the archive up to date before a reader's first page, so that a change just made
    /// through the portal (or anywhere) shows at once rather than after the next cycle. Once the
    /// backfill is complete and the last sync is older than [`FRESH`], one cycle runs in its own
    /// task; the reader waits for it at most [`CATCH_UP_WAIT`], and otherwise gets the archive
    /// as it is (its coverage says when it last synced). The cycle is never cut short.
    pub async fn catch_up(self: &Arc<Self>) {
        let Ok((complete, last_sync)) = store::sync_progress(&self.db).await else {
            return;
        };
        let now = crate::journal::now();
        let fresh = FRESH.as_secs() as i64;
        let recent = |at: i64| now.saturating_sub(at) < fresh;
        let attempted = self.last_attempt.load(std::sync::atomic::Ordering::SeqCst);
        let stale = self.stale.load(std::sync::atomic::Ordering::SeqCst);
        if !complete || (!stale && (last_sync.is_some_and(recent) || recent(attempted))) {
            return;
        }
        let this = Arc::clone(self);
        let cycle = tokio::spawn(async move { this.catch_up_cycle(now).await });
        let _ = tokio::time::timeout(CATCH_UP_WAIT, cycle).await;
    }

    /// Notes that upstream changed through the portal (a write went through).
    pub fn mark_stale(&self) {
        self.stale.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// Runs the sync loop forever: a cycle, then a pause of `interval`, or after failures a
    /// growing pause (see [`sync::pause_after`]). Of several replicas on one database, only
    /// the one holding the archive's lease cycles (see [`crate::lease`]); every replica reads.
    pub fn spawn(self: Arc<Self>) -> tokio::task::JoinHandle<()> {
        let held = self.lease.clone().keep();
        tokio::spawn(async move { self.run(held).await })
    }

    /// Gives up the archive's lease (at shutdown), so another replica takes over at once.
    pub async fn release(&self) {
        if let Err(error) = self.lease.release().await {
            tracing::warn!(error = %format!("{error:#}"), "cannot give up the archive's lease");
        }
    }
}
