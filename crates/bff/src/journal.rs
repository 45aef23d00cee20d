//! The journal: who really made each change. OpenAI's audit log names the admin key; the journal
//! names the portal user behind it.
//!
//! Every write is recorded twice: before it is forwarded (who, from where, what) and after (the
//! upstream status, its request id, the object's id). Rows are append-only and hash-chained:
//! each row's hash covers its content and the previous row's hash, so `verify` finds any row
//! that was changed, removed or moved. Removing rows from the very end leaves a valid, shorter
//! chain; catching that needs the head hash kept elsewhere (logs, a SIEM), which is left to
//! deployments.
//!
//! A result row that cannot be written when the write is answered (the database is busy, the
//! disk full) never costs the person upstream's answer: the row is kept in memory with its
//! original time, logged as an error, and appended as soon as the journal takes it again.
//!
//! Reads are not journaled, with one exception: an audit-log export takes the whole log out of
//! the portal, so each one is recorded in a single `result` row when its file ends, with its
//! manifest as the row's body. Rows Gatehouse writes on its own (pruning the audit archive) are
//! by the user `gatehouse` with the role `system`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, PoisonError, Weak};
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::db::{Db, Lock, Sql};
use tokio::sync::Mutex;

/// How often rows kept in memory are offered to the journal again.
pub const RETRY_INTERVAL: Duration = Duration::from_secs(1);

/// The hash the first row chains from.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A project group grant the portal made (see [`Journal::project_group_grants`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantMade {
    pub project_id: String,
    pub group_id: String,
    pub role_id: String,
    pub at: i64,
}

/// One journal row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub seq: i64,
    pub at: i64,
    /// `request` (before forwarding) or `result` (after).
    pub phase: String,
    pub request_id: String,
    pub username: String,
    pub role: String,
    pub client: String,
    pub method: String,
    pub path: String,
    /// The request body with secrets redacted (request rows), or an export's manifest.
    pub body: Option<String>,
    pub status: Option<i64>,
    pub upstream_request_id: Option<String>,
    pub object_id: Option<String>,
    /// On a write's result row: `answered` (upstream answered with `status`), `not_sent`
    /// (upstream could not be reached) or `unknown` (sent, but no answer came, so it may have
    /// been made). Absent on other rows and on rows written before it existed.
    pub outcome: Option<String>,
    /// The token a script made the write with (its id and name), if it was not a person in
    /// the app: the journal page shows "alice via token \"ci-onboarding\"".
    pub token_id: Option<String>,
    pub token_name: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl Entry {
    /// Whether this is the result row of a write of the organization that upstream answered
    /// with success: one that should have made an audit event. (`portal_writes` selects the
    /// same rows in SQL.)
    pub fn is_portal_write(&self) -> bool {
        self.phase == "result"
            && self.status.is_some_and(|s| (200..300).contains(&s))
            && self.object_id.is_some()
            && self.method != "GET"
            && self.role != SYSTEM_ROLE
            && self.path.starts_with("/organization/")
    }

    /// The hash of this row's content chained to `prev_hash`. Fields are length-prefixed, so no
    /// two different rows serialise to the same bytes.
    fn compute_hash(&self) -> String {
        let mut hasher = Sha256::new();
        let status = self.status.map(|s| s.to_string());
        let fields: [Option<&str>; 14] = [
            Some(&self.prev_hash),
            Some(&self.seq.to_string()),
            Some(&self.at.to_string()),
            Some(&self.phase),
            Some(&self.request_id),
            Some(&self.username),
            Some(&self.role),
            Some(&self.client),
            Some(&self.method),
            Some(&self.path),
            self.body.as_deref(),
            status.as_deref(),
            self.upstream_request_id.as_deref(),
            self.object_id.as_deref(),
        ];
        for field in fields {
            match field {
                Some(text) => {
                    hasher.update((text.len() as u64).to_be_bytes());
                    hasher.update(text.as_bytes());
                }
                None => hasher.update(u64::MAX.to_be_bytes()),
            }
        }
        // Added later: hashed only when present, so rows written before it keep their hashes.
        for later in [&self.outcome, &self.token_id, &self.token_name]
            .into_iter()
            .flatten()
        {
            hasher.update((later.len() as u64).to_be_bytes());
            hasher.update(later.as_bytes());
        }
        hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// What a write is, as the journal records it before forwarding.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub request_id: String,
    pub username: String,
    pub role: String,
    pub client: String,
    pub method: String,
    pub path: String,
    pub body: Option<Value>,
    /// The token it was made with, if a script made it.
    pub token: Option<crate::tokens::TokenRef>,
}

/// What came of it.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub delivery: Delivery,
    /// Upstream's status, when it answered.
    pub status: u16,
    pub upstream_request_id: Option<String>,
    pub object_id: Option<String>,
}

/// Whether a write reached upstream and was answered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Delivery {
    /// Upstream answered (with the outcome's status).
    #[default]
    Answered,
    /// Upstream could not be connected to: nothing was sent.
    NotSent,
    /// Sent, but no answer came: it may or may not have been made.
    Unknown,
}

impl Delivery {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Answered => "answered",
            Self::NotSent => "not_sent",
            Self::Unknown => "unknown",
        }
    }
}

/// The route whose rows are exports (their `object_id` is the export's id).
pub const EXPORT_PATH: &str = "/api/audit_logs/export";

/// Who rows that Gatehouse writes on its own are by (no portal account can have the role).
pub const SYSTEM_USER: &str = "gatehouse";
/// Their role.
pub const SYSTEM_ROLE: &str = "system";

/// The append-only, hash-chained journal.
pub struct Journal {
    db: Db,
    /// One writer at a time in this process (the database's lock serialises the replicas).
    append: Mutex<()>,
    /// Result rows the database refused, oldest first, waiting to be appended.
    pending: std::sync::Mutex<Vec<Entry>>,
    /// Whether a task is offering `pending` to the database again.
    retrying: AtomicBool,
    /// One flush at a time, so no waiting row is appended twice.
    flushing: Mutex<()>,
    /// Writes under way (forwarded, their result not yet recorded): shutdown waits for them.
    in_flight: std::sync::atomic::AtomicUsize,
    /// Woken when a write finishes.
    finished: tokio::sync::Notify,
    /// Every admin key id ever seen as the portal's own, and when the table was last read.
    portal_keys: std::sync::Mutex<(
        Option<std::time::Instant>,
        std::collections::HashSet<String>,
    )>,
}

/// A write under way (see [`Journal::write_started`]); dropping it says the write is done.
pub struct InFlight(Arc<Journal>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
        self.0.finished.notify_waiters();
    }
}

/// How long the stored list of the portal's admin keys is reused.
const PORTAL_KEYS_TTL: Duration = Duration::from_secs(60);

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Journal")
    }
}

impl Journal {
    /// The journal in `db`.
    pub fn new(db: Db) -> Self {
        Self {
            db,
            append: Mutex::new(()),
            pending: std::sync::Mutex::default(),
            retrying: AtomicBool::new(false),
            flushing: Mutex::new(()),
            in_flight: std::sync::atomic::AtomicUsize::new(0),
            finished: tokio::sync::Notify::new(),
            portal_keys: std::sync::Mutex::default(),
        }
    }

    /// Records a write before it is forwarded.
    pub async fn record_request(&self, request: &Request) -> anyhow::Result<()> {
        let body = request.body.as_ref().map(|b| redact(b.clone()).to_string());
        self.append(Entry {
            phase: "request".into(),
            request_id: request.request_id.clone(),
            username: request.username.clone(),
            role: request.role.clone(),
            client: request.client.clone(),
            method: request.method.clone(),
            path: request.path.clone(),
            body,
            token_id: request.token.as_ref().map(|t| t.id.clone()),
            token_name: request.token.as_ref().map(|t| t.name.clone()),
            ..Entry::empty()
        })
        .await
    }

    /// Records what came of a write. This never fails: a row the database refuses is kept in
    /// memory and appended, with its original time, as soon as the database takes it.
    pub async fn record_outcome(self: &Arc<Self>, request: &Request, outcome: &Outcome) {
        let answered = outcome.delivery == Delivery::Answered;
        let entry = Entry {
            phase: "result".into(),
            request_id: request.request_id.clone(),
            username: request.username.clone(),
            role: request.role.clone(),
            client: request.client.clone(),
            method: request.method.clone(),
            path: request.path.clone(),
            status: answered.then_some(i64::from(outcome.status)),
            upstream_request_id: outcome.upstream_request_id.clone(),
            object_id: outcome.object_id.clone(),
            outcome: Some(outcome.delivery.as_str().to_owned()),
            token_id: request.token.as_ref().map(|t| t.id.clone()),
            token_name: request.token.as_ref().map(|t| t.name.clone()),
            ..Entry::empty()
        };
        if let Err(error) = self.append(entry.clone()).await {
            tracing::error!(
                %error,
                request_id = %entry.request_id,
                path = %entry.path,
                "THE JOURNAL COULD NOT RECORD A WRITE'S RESULT: it is kept in memory and retried every second until the journal takes it"
            );
            self.defer(entry);
        }
    }

    /// Marks a write as under way until the returned guard is dropped.
    pub fn write_started(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        InFlight(Arc::clone(self))
    }

    /// Waits until no write is under way, or `limit` passes; whether none is.
    pub async fn writes_finished(&self, limit: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let finished = self.finished.notified();
            if self.in_flight.load(Ordering::SeqCst) == 0 {
                return true;
            }
            if tokio::time::timeout_at(deadline, finished).await.is_err() {
                return self.in_flight.load(Ordering::SeqCst) == 0;
            }
        }
    }

    /// The admin keys the portal runs on now (`current`) and every one it ran on before: an
    /// event made with a key since rotated away is still the portal's. New ids are stored.
    pub async fn portal_keys(
        &self,
        current: &std::collections::HashSet<String>,
    ) -> anyhow::Result<std::collections::HashSet<String>> {
        {
            let cached = self
                .portal_keys
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if cached.0.is_some_and(|at| at.elapsed() < PORTAL_KEYS_TTL)
                && current.is_subset(&cached.1)
            {
                return Ok(cached.1.clone());
            }
        }
        for id in current {
            sqlx::query("INSERT INTO portal_keys (key_id, first_seen) VALUES ($1, $2) ON CONFLICT (key_id) DO NOTHING")
                .bind(id)
                .bind(now())
                .execute(&self.db.pool)
                .await?;
        }
        let known: std::collections::HashSet<String> =
            sqlx::query_scalar("SELECT key_id FROM portal_keys")
                .fetch_all(&self.db.pool)
                .await?
                .into_iter()
                .collect();
        *self
            .portal_keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner) =
            (Some(std::time::Instant::now()), known.clone());
        Ok(known)
    }

    /// How many result rows wait in memory for the database.
    pub fn pending(&self) -> usize {
        self.lock_pending().len()
    }

    /// Offers the waiting rows to the database, oldest first, stopping at the first refusal.
    /// Returns how many still wait.
    pub async fn flush_pending(&self) -> usize {
        let _one_flush = self.flushing.lock().await;
        loop {
            let Some(next) = self.lock_pending().first().cloned() else {
                return 0;
            };
            if let Err(error) = self.append(next).await {
                tracing::warn!(%error, waiting = self.pending(), "the journal still refuses the result rows kept in memory");
                return self.pending();
            }
            let mut pending = self.lock_pending();
            pending.remove(0);
            if pending.is_empty() {
                tracing::info!("the journal recorded every result row that was kept in memory");
            }
        }
    }

    /// Keeps `entry` for later and makes sure a task is retrying.
    fn defer(self: &Arc<Self>, entry: Entry) {
        self.lock_pending().push(entry);
        if self.retrying.swap(true, Ordering::SeqCst) {
            return;
        }
        let journal: Weak<Self> = Arc::downgrade(self);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(RETRY_INTERVAL).await;
                let Some(journal) = journal.upgrade() else {
                    return;
                };
                if journal.flush_pending().await == 0 {
                    journal.retrying.store(false, Ordering::SeqCst);
                    // A row deferred between the flush and the flag is retried by its own task.
                    if journal.pending() == 0 || journal.retrying.swap(true, Ordering::SeqCst) {
                        return;
                    }
                }
            }
        });
    }

    fn lock_pending(&self) -> std::sync::MutexGuard<'_, Vec<Entry>> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records a finished export in one row at [`EXPORT_PATH`]: who asked, its status, the
    /// export id as object id, and `request.body` (the manifest: filters and a digest, no
    /// secrets) as is.
    pub async fn record_export(&self, request: &Request, outcome: &Outcome) -> anyhow::Result<()> {
        let request = Request {
            path: EXPORT_PATH.to_owned(),
            ..request.clone()
        };
        self.record_action(&request, outcome).await
    }

    /// Records something done in the portal itself (an export, a token made or revoked) in one
    /// `result` row at `request.path`, with `request.body` as is (it must hold no secret).
    pub async fn record_action(&self, request: &Request, outcome: &Outcome) -> anyhow::Result<()> {
        self.append(Entry {
            phase: "result".into(),
            request_id: request.request_id.clone(),
            username: request.username.clone(),
            role: request.role.clone(),
            client: request.client.clone(),
            method: request.method.clone(),
            path: request.path.clone(),
            body: request.body.as_ref().map(Value::to_string),
            status: Some(i64::from(outcome.status)),
            object_id: outcome.object_id.clone(),
            token_id: request.token.as_ref().map(|t| t.id.clone()),
            token_name: request.token.as_ref().map(|t| t.name.clone()),
            ..Entry::empty()
        })
        .await
    }

    /// Records something Gatehouse did on its own rather than for a person, such as pruning
    /// the audit archive: one `result` row by [`SYSTEM_USER`] with `body` as is.
    pub async fn record_system(
        &self,
        method: &str,
        path: &str,
        body: &Value,
    ) -> anyhow::Result<()> {
        self.append(Entry {
            phase: "result".into(),
            request_id: crate::session::random_token()[..32].to_owned(),
            username: SYSTEM_USER.into(),
            role: SYSTEM_ROLE.into(),
            client: "gatehouse".into(),
            method: method.to_owned(),
            path: path.to_owned(),
            body: Some(body.to_string()),
            status: Some(200),
            ..Entry::empty()
        })
        .await
    }

    /// The manifest of export `id`, from the row that recorded it; `None` while it runs or if
    /// there was no such export.
    pub async fn export_manifest(&self, id: &str) -> anyhow::Result<Option<String>> {
        let row = sqlx::query(
            "SELECT body FROM journal
             WHERE phase = 'result' AND path = $1 AND object_id = $2
             ORDER BY seq DESC LIMIT 1",
        )
        .bind(EXPORT_PATH)
        .bind(id)
        .fetch_optional(&self.db.pool)
        .await?;
        Ok(row.and_then(|r| r.get::<Option<String>, _>("body")))
    }

    async fn append(&self, mut entry: Entry) -> anyhow::Result<()> {
        let _one_writer = self.append.lock().await;
        // The journal's lock is held from the read of the chain head to the commit, so two
        // replicas appending at once chain one after the other rather than forking.
        let mut tx = self.db.begin_locked(Lock::Journal).await?;
        let last = sqlx::query("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?;
        let (last_seq, prev_hash) = match last {
            Some(row) => (row.get::<i64, _>("seq"), row.get::<String, _>("hash")),
            None => (0, GENESIS.to_owned()),
        };
        entry.seq = last_seq + 1;
        entry.prev_hash = prev_hash;
        entry.hash = entry.compute_hash();
        insert(&mut tx, &entry).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The writes upstream answered with success whose answer came within `[from, to]` (on
    /// these objects only, if given), each with the time its request row was written: what
    /// attribution joins events to. Exports, Gatehouse's own rows and the sandbox's controls
    /// are not writes of the organization.
    pub async fn portal_writes(
        &self,
        from: i64,
        to: i64,
        objects: Option<&[&str]>,
    ) -> anyhow::Result<Vec<crate::attribution::PortalWrite>> {
        let mut query = Sql::new(
            "SELECT res.seq, res.method, res.path, res.object_id, res.at, res.username, res.role,
                    (SELECT MAX(req.at) FROM journal req
                      WHERE req.request_id = res.request_id AND req.phase = 'request'
                        AND req.seq < res.seq) AS requested_at
             FROM journal res
             WHERE res.phase = 'result' AND res.status BETWEEN 200 AND 299
               AND res.object_id IS NOT NULL AND res.method <> 'GET'
               AND res.path LIKE '/organization/%' AND res.role <> ",
        );
        query
            .bind(SYSTEM_ROLE)
            .push(" AND res.at BETWEEN ")
            .bind(from)
            .push(" AND ")
            .bind(to);
        if let Some(objects) = objects {
            if objects.is_empty() {
                return Ok(Vec::new());
            }
            query
                .push(" AND res.object_id IN (")
                .list(objects.iter().map(|object| (*object).to_owned()))
                .push(")");
        }
        let rows = query.build().fetch_all(&self.db.pool).await?;
        Ok(rows
            .iter()
            .map(|row| {
                let answered_at: i64 = row.get("at");
                crate::attribution::PortalWrite {
                    seq: row.get("seq"),
                    method: row.get("method"),
                    path: row.get("path"),
                    object_id: row.get("object_id"),
                    requested_at: row
                        .get::<Option<i64>, _>("requested_at")
                        .unwrap_or(answered_at),
                    answered_at,
                    username: row.get("username"),
                    role: row.get("role"),
                }
            })
            .collect())
    }

    /// The newest journal row's number (0 when empty): whatever changes through any replica
    /// moves it, so a cache keyed on it never outlives a portal write.
    pub async fn latest_seq(&self) -> anyhow::Result<i64> {
        Ok(
            sqlx::query_scalar::<_, Option<i64>>("SELECT MAX(seq) FROM journal")
                .fetch_one(&self.db.pool)
                .await?
                .unwrap_or(0),
        )
    }

    /// The project group grants the portal made and upstream accepted, oldest first: for each,
    /// the project id, the group id, the role id sent and when. Upstream's lists never say
    /// which role a group's grant gave; this is where Gatehouse knows it from.
    pub async fn project_group_grants(&self) -> anyhow::Result<Vec<GrantMade>> {
        let rows = sqlx::query(
            "SELECT q.path, q.body, q.at FROM journal q
             JOIN journal r ON r.request_id = q.request_id AND r.phase = 'result'
             WHERE q.phase = 'request' AND q.method = 'POST'
               AND q.path LIKE '/organization/projects/%/groups'
               AND r.status >= 200 AND r.status < 300
             ORDER BY q.seq",
        )
        .fetch_all(&self.db.pool)
        .await?;
        Ok(rows
            .iter()
            .filter_map(|row| {
                let path: String = row.get("path");
                let project_id = path
                    .strip_prefix("/organization/projects/")?
                    .strip_suffix("/groups")?
                    .to_owned();
                let body: Option<String> = row.get("body");
                let body: serde_json::Value = serde_json::from_str(&body?).ok()?;
                Some(GrantMade {
                    project_id,
                    group_id: body.get("group_id")?.as_str()?.to_owned(),
                    role_id: body.get("role")?.as_str()?.to_owned(),
                    at: row.get("at"),
                })
            })
            .collect())
    }

    /// The result rows about `object_id` at paths starting with `path_prefix`, oldest first:
    /// everything recorded about one portal action, such as an offboarding and its steps.
    pub async fn rows_about(
        &self,
        path_prefix: &str,
        object_id: &str,
    ) -> anyhow::Result<Vec<Entry>> {
        let rows = sqlx::query(
            "SELECT * FROM journal
             WHERE phase = 'result' AND object_id = $1 AND path LIKE $2
             ORDER BY seq",
        )
        .bind(object_id)
        .bind(format!("{path_prefix}%"))
        .fetch_all(&self.db.pool)
        .await?;
        Ok(rows.iter().map(from_row).collect())
    }

    /// A page of entries, newest first, optionally by one user and within `[since, until]`.
    pub async fn list(&self, filter: &Filter) -> anyhow::Result<(Vec<Entry>, bool)> {
        let limit = i64::from(filter.limit);
        let rows = sqlx::query(
            "SELECT * FROM journal
             WHERE ($1 IS NULL OR seq < $1)
               AND ($2 IS NULL OR username = $2)
               AND ($3 IS NULL OR at >= $3)
               AND ($4 IS NULL OR at <= $4)
             ORDER BY seq DESC LIMIT $5",
        )
        .bind(filter.before_seq)
        .bind(&filter.username)
        .bind(filter.since)
        .bind(filter.until)
        .bind(limit + 1)
        .fetch_all(&self.db.pool)
        .await?;
        let mut entries: Vec<Entry> = rows.iter().map(from_row).collect();
        let has_more = entries.len() > filter.limit as usize;
        entries.truncate(filter.limit as usize);
        Ok((entries, has_more))
    }

    /// Walks the whole chain. `Ok(n)` is the number of rows checked; `Err` names the first row
    /// that was changed, removed or moved.
    pub async fn verify(&self) -> anyhow::Result<Result<u64, String>> {
        let rows = sqlx::query("SELECT * FROM journal ORDER BY seq")
            .fetch_all(&self.db.pool)
            .await?;
        let mut prev_hash = GENESIS.to_owned();
        for (expected_seq, row) in (1_i64..).zip(rows.iter()) {
            let entry = from_row(row);
            if entry.seq != expected_seq {
                return Ok(Err(format!(
                    "row {expected_seq} is missing (the next row is {})",
                    entry.seq
                )));
            }
            if entry.prev_hash != prev_hash {
                return Ok(Err(format!(
                    "row {} does not chain to the row before it",
                    entry.seq
                )));
            }
            if entry.compute_hash() != entry.hash {
                return Ok(Err(format!("row {} was changed", entry.seq)));
            }
            prev_hash = entry.hash;
        }
        Ok(Ok(rows.len() as u64))
    }
}

/// The filters of `GET /api/journal`.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub limit: u32,
    /// Entries older than this sequence number (the cursor).
    pub before_seq: Option<i64>,
    pub username: Option<String>,
    pub since: Option<i64>,
    pub until: Option<i64>,
}

impl Entry {
    /// A row made now, its content still to be filled in.
    fn empty() -> Self {
        Self {
            seq: 0,
            at: now(),
            phase: String::new(),
            request_id: String::new(),
            username: String::new(),
            role: String::new(),
            client: String::new(),
            method: String::new(),
            path: String::new(),
            body: None,
            status: None,
            upstream_request_id: None,
            object_id: None,
            outcome: None,
            token_id: None,
            token_name: None,
            prev_hash: String::new(),
            hash: String::new(),
        }
    }
}

/// Appends `entry` as it is (its seq and hashes already set).
pub(crate) async fn insert(conn: &mut sqlx::AnyConnection, entry: &Entry) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO journal (seq, at, phase, request_id, username, role, client, method, path,
            body, status, upstream_request_id, object_id, outcome, token_id, token_name,
            prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
            $18)",
    )
    .bind(entry.seq)
    .bind(entry.at)
    .bind(&entry.phase)
    .bind(&entry.request_id)
    .bind(&entry.username)
    .bind(&entry.role)
    .bind(&entry.client)
    .bind(&entry.method)
    .bind(&entry.path)
    .bind(&entry.body)
    .bind(entry.status)
    .bind(&entry.upstream_request_id)
    .bind(&entry.object_id)
    .bind(&entry.outcome)
    .bind(&entry.token_id)
    .bind(&entry.token_name)
    .bind(&entry.prev_hash)
    .bind(&entry.hash)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Up to `limit` rows after `after_seq`, in order: for copying the journal elsewhere.
pub(crate) async fn rows_after(db: &Db, after_seq: i64, limit: i64) -> anyhow::Result<Vec<Entry>> {
    let rows = sqlx::query("SELECT * FROM journal WHERE seq > $1 ORDER BY seq LIMIT $2")
        .bind(after_seq)
        .bind(limit)
        .fetch_all(&db.pool)
        .await?;
    Ok(rows.iter().map(from_row).collect())
}

fn from_row(row: &sqlx::any::AnyRow) -> Entry {
    Entry {
        seq: row.get("seq"),
        at: row.get("at"),
        phase: row.get("phase"),
        request_id: row.get("request_id"),
        username: row.get("username"),
        role: row.get("role"),
        client: row.get("client"),
        method: row.get("method"),
        path: row.get("path"),
        body: row.get("body"),
        status: row.get("status"),
        upstream_request_id: row.get("upstream_request_id"),
        object_id: row.get("object_id"),
        outcome: row.get("outcome"),
        token_id: row.get("token_id"),
        token_name: row.get("token_name"),
        prev_hash: row.get("prev_hash"),
        hash: row.get("hash"),
    }
}

/// Replaces the values of secret-looking fields, at any depth.
pub fn redact(value: Value) -> Value {
    const SECRET: &[&str] = &["value", "password", "secret", "key", "api_key", "token"];
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    if SECRET.contains(&k.as_str()) && !v.is_object() {
                        (k, Value::String("[redacted]".into()))
                    } else {
                        (k, redact(v))
                    }
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(redact).collect()),
        other => other,
    }
}

/// Unix seconds now.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// A Unix second as an RFC 3339 UTC time, for people reading the command line's output.
pub fn format_time(seconds: i64) -> String {
    let at = std::time::UNIX_EPOCH + Duration::from_secs(u64::try_from(seconds).unwrap_or(0));
    humantime::format_rfc3339_seconds(at).to_string()
}
