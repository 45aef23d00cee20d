//! Gatehouse's own database: portal accounts, sessions, sign-in throttling, the journal and
//! the audit archive. One store, two engines: the embedded SQLite file in the data dir (the
//! default, no set-up), or PostgreSQL, which several replicas share (`--database postgres://…`).
//!
//! Both run through sqlx's `Any` driver with plain SQL (no compile-time checked macros, so the
//! build needs no database). Every statement is written once, with `$N` placeholders, which
//! both engines read; the few that differ (full-text search, locks) branch on [`Engine`].
//! SQLite writes are synchronous=FULL in WAL mode, so an acknowledged journal entry survives a
//! crash or `kill -9`, as it does on PostgreSQL's default settings.
//!
//! The schema is versioned with sqlx's migrator: migrations run at start, under PostgreSQL's
//! advisory lock when replicas start together, and a binary refuses a database that a newer
//! version has migrated (see [`migrate`]).

use std::borrow::Cow;
use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, bail};
use sqlx::any::{AnyArguments, AnyPoolOptions};
use sqlx::migrate::{MigrateError, Migration, MigrationType, Migrator};
use sqlx::{Any, AnyPool, Arguments, Encode, Executor, Transaction, Type};

/// Which engine a database runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// The store: a pool and the engine behind it.
#[derive(Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub engine: Engine,
    /// Where it is (may hold a password: never shown as is).
    url: std::sync::Arc<str>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("engine", &self.engine)
            .field("url", &redacted(&self.url))
            .finish_non_exhaustive()
    }
}

/// What a transaction serialises on (PostgreSQL advisory locks; on SQLite every write
/// transaction takes the one database lock with `BEGIN IMMEDIATE`).
#[derive(Debug, Clone, Copy)]
#[repr(i64)]
pub enum Lock {
    /// The journal's chain head: one append at a time across every replica.
    Journal = 0x6761_7465_0001,
    /// Sign-in failure counts: a check and its count are one step across replicas.
    Throttle = 0x6761_7465_0002,
    /// The archive's tables, written by the lease holder, and pruned.
    Archive = 0x6761_7465_0003,
}

impl Db {
    /// Opens the database at `url` (`sqlite://PATH` or `postgres://…`) and brings its schema up
    /// to date.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        sqlx::any::install_default_drivers();
        let shown = redacted(url);
        let engine = if url.starts_with("sqlite:") {
            Engine::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Engine::Postgres
        } else {
            bail!("--database {shown}: use sqlite://PATH or postgres://…");
        };
        let options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(10));
        let pool = match engine {
            Engine::Sqlite => {
                let url = match url.contains('?') {
                    true => url.to_owned(),
                    false => format!("{url}?mode=rwc"),
                };
                options
                    .max_connections(4)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            conn.execute(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                                 PRAGMA busy_timeout = 5000; PRAGMA cache_size = -65536;",
                            )
                            .await?;
                            Ok(())
                        })
                    })
                    .connect(&url)
                    .await
            }
            Engine::Postgres => options.max_connections(8).connect(url).await,
        }
        .with_context(|| format!("cannot open the database {shown}"))?;
        let db = Self {
            pool,
            engine,
            url: url.into(),
        };
        migrate(&db)
            .await
            .with_context(|| format!("database {shown}"))?;
        Ok(db)
    }

    /// The same database through a pool of its own, as another process would open it.
    pub async fn reopen(&self) -> anyhow::Result<Self> {
        Self::connect(&self.url).await
    }

    /// Opens (creating if needed) `gatehouse.db` in `data_dir`.
    pub async fn open(data_dir: &Path) -> anyhow::Result<Self> {
        Self::connect(&sqlite_url(data_dir)?).await
    }

    /// The database `--database` names, or else the embedded file in `data_dir`.
    pub async fn open_configured(url: Option<&str>, data_dir: &Path) -> anyhow::Result<Self> {
        match url.map(str::trim).filter(|u| !u.is_empty()) {
            Some(url) => Self::connect(url).await,
            None => Self::open(data_dir).await,
        }
    }

    /// A write transaction holding `lock` until it ends.
    pub async fn begin_locked(&self, lock: Lock) -> sqlx::Result<Transaction<'static, Any>> {
        match self.engine {
            // IMMEDIATE takes SQLite's write lock at once: a deferred transaction would fail
            // with SQLITE_BUSY if another writer committed between its first read and write.
            Engine::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Engine::Postgres => {
                let mut tx = self.pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(lock as i64)
                    .execute(&mut *tx)
                    .await?;
                Ok(tx)
            }
        }
    }
}

/// The embedded database's URL in `data_dir`, creating the directory (for its owner only).
pub fn sqlite_url(data_dir: &Path) -> anyhow::Result<String> {
    if !data_dir.exists() {
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("--data-dir {}: cannot create it", data_dir.display()))?;
        // Password hashes and the journal: readable by Gatehouse's user only.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(data_dir, std::fs::Permissions::from_mode(0o700))
                .with_context(|| {
                    format!("--data-dir {}: cannot restrict it", data_dir.display())
                })?;
        }
    }
    Ok(format!(
        "sqlite://{}",
        data_dir.join("gatehouse.db").display()
    ))
}

/// `url` with any password replaced, for messages.
pub fn redacted(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

/// Unix milliseconds now.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// A statement put together from pieces with bound values, numbered `$1, $2, …` (which both
/// engines read). Written here because sqlx's `QueryBuilder<Any>` writes `?`, which PostgreSQL
/// rejects (launchbadge/sqlx#3000).
#[derive(Default)]
pub struct Sql {
    text: String,
    args: AnyArguments<'static>,
}

impl Sql {
    /// A statement starting with `text`.
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            args: AnyArguments::default(),
        }
    }

    /// Appends SQL text (constants of the caller's, never input).
    pub fn push(&mut self, text: impl AsRef<str>) -> &mut Self {
        self.text.push_str(text.as_ref());
        self
    }

    /// Appends a placeholder bound to `value`.
    pub fn bind<T>(&mut self, value: T) -> &mut Self
    where
        T: 'static + Encode<'static, Any> + Type<Any>,
    {
        // Encoding into Any's buffer only copies the value; it cannot fail for these types.
        if let Err(e) = self.args.add(value) {
            panic!("cannot bind a value: {e}");
        }
        let _ = write!(self.text, "${}", self.args.len());
        self
    }

    /// Appends `values` as a comma-separated list of placeholders (the inside of `IN (…)`).
    pub fn list<T>(&mut self, values: impl IntoIterator<Item = T>) -> &mut Self
    where
        T: 'static + Encode<'static, Any> + Type<Any>,
    {
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self.bind(value);
        }
        self
    }

    /// The statement, to execute or fetch with.
    pub fn build(&mut self) -> sqlx::query::Query<'_, Any, AnyArguments<'_>> {
        sqlx::query_with(&self.text, std::mem::take(&mut self.args))
    }

    /// The SQL text so far.
    pub fn sql(&self) -> &str {
        &self.text
    }
}

/// The migrations of `engine`, oldest first. A released migration is never edited: its
/// checksum is stored, and a changed one stops the start.
fn migrations(engine: Engine) -> Vec<Migration> {
    let steps: &[(i64, &str, &str, &str)] = &[
        (
            1,
            "accounts, journal and audit archive",
            SQLITE_V1,
            POSTGRES_V1,
        ),
        (2, "shared sessions, sign-in throttling and leases", V2, V2),
        (
            3,
            "the archive ordered by one key, with per-hour counts",
            SQLITE_V3,
            POSTGRES_V3,
        ),
        (
            4,
            "tokens for scripts, and the token behind each write",
            V4,
            V4,
        ),
    ];
    steps
        .iter()
        .map(|(version, description, sqlite, postgres)| {
            let sql = match engine {
                Engine::Sqlite => sqlite,
                Engine::Postgres => postgres,
            };
            Migration::new(
                *version,
                Cow::Borrowed(description),
                MigrationType::Simple,
                Cow::Borrowed(sql),
                false,
            )
        })
        .collect()
}

/// The newest schema version this binary knows.
pub fn schema_version() -> i64 {
    migrations(Engine::Sqlite)
        .last()
        .map_or(0, |migration| migration.version)
}

/// Brings the schema up to date. Refuses a database migrated by a newer Gatehouse (its schema
/// may mean things this binary would get wrong) and one whose applied migrations differ from
/// this binary's.
pub async fn migrate(db: &Db) -> anyhow::Result<()> {
    if db.engine == Engine::Sqlite {
        upgrade_unversioned(db).await?;
    }
    let mut migrator = Migrator::DEFAULT;
    migrator.migrations = Cow::Owned(migrations(db.engine));
    match migrator.run(&db.pool).await {
        Ok(()) => Ok(()),
        Err(MigrateError::VersionMissing(version)) => bail!(
            "its schema is version {version}, newer than this Gatehouse knows (version {}): \
             run the newer Gatehouse that migrated it",
            schema_version()
        ),
        Err(MigrateError::VersionMismatch(version)) => bail!(
            "its migration {version} differs from this Gatehouse's: it was migrated by another build"
        ),
        Err(e) => Err(e).context("cannot migrate the schema"),
    }
}

/// SQLite files written before the schema was versioned had the tables of migration 1 without
/// three later columns: add them, so that migration 1 (all `IF NOT EXISTS`) finds them done.
async fn upgrade_unversioned(db: &Db) -> anyhow::Result<()> {
    let versioned: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
    )
    .fetch_one(&db.pool)
    .await?;
    let old: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'journal'",
    )
    .fetch_one(&db.pool)
    .await?;
    if versioned > 0 || old == 0 {
        return Ok(());
    }
    for (table, column) in [
        ("journal", "outcome TEXT"),
        ("sync_state", "cycle_started INTEGER"),
        ("sync_state", "previous_cycle_started INTEGER"),
    ] {
        let name = column.split(' ').next().unwrap_or(column);
        let present: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM pragma_table_info($1) WHERE name = $2")
                .bind(table)
                .bind(name)
                .fetch_one(&db.pool)
                .await?;
        let exists: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1",
        )
        .bind(table)
        .fetch_one(&db.pool)
        .await?;
        if present == 0 && exists > 0 {
            // Names and types are this module's constants, never input.
            sqlx::raw_sql(&format!("ALTER TABLE {table} ADD COLUMN {column}"))
                .execute(&db.pool)
                .await
                .with_context(|| format!("cannot add {table}.{name}"))?;
        }
    }
    Ok(())
}

/// Version 1 on SQLite: what the unversioned releases created (hence `IF NOT EXISTS`).
///
/// `seq` of `audit_events` is upstream's order among events of the same second (upstream lists
/// by time, then by the order it stored them in, which no field of an event shows); every list
/// is ordered by `(effective_at, seq)`. `audit_event_actors` holds the several ids and emails
/// one event answers to. The search text is an FTS5 table keyed by `seq`.
const SQLITE_V1: &str = "
CREATE TABLE IF NOT EXISTS accounts (
    username      TEXT PRIMARY KEY NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('owner', 'auditor')),
    created_at    INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS journal (
    seq                 INTEGER PRIMARY KEY NOT NULL,
    at                  INTEGER NOT NULL,
    phase               TEXT NOT NULL CHECK (phase IN ('request', 'result')),
    request_id          TEXT NOT NULL,
    username            TEXT NOT NULL,
    role                TEXT NOT NULL,
    client              TEXT NOT NULL,
    method              TEXT NOT NULL,
    path                TEXT NOT NULL,
    body                TEXT,
    status              INTEGER,
    upstream_request_id TEXT,
    object_id           TEXT,
    prev_hash           TEXT NOT NULL,
    hash                TEXT NOT NULL,
    outcome             TEXT
);
CREATE INDEX IF NOT EXISTS journal_by_user ON journal (username, seq);
CREATE INDEX IF NOT EXISTS journal_by_time ON journal (at);
CREATE INDEX IF NOT EXISTS journal_by_request ON journal (request_id);
CREATE INDEX IF NOT EXISTS journal_by_object ON journal (object_id);
CREATE TABLE IF NOT EXISTS portal_keys (
    key_id     TEXT PRIMARY KEY NOT NULL,
    first_seen INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_events (
    id           TEXT PRIMARY KEY NOT NULL,
    seq          INTEGER NOT NULL UNIQUE,
    effective_at INTEGER NOT NULL,
    type         TEXT NOT NULL,
    family       TEXT NOT NULL,
    project_id   TEXT,
    resource_id  TEXT,
    json         TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_events_by_time ON audit_events (effective_at, seq, family);
CREATE INDEX IF NOT EXISTS audit_events_by_type ON audit_events (type, effective_at, seq);
CREATE INDEX IF NOT EXISTS audit_events_by_family ON audit_events (family, effective_at, seq);
CREATE INDEX IF NOT EXISTS audit_events_by_project ON audit_events (project_id, effective_at, seq);
CREATE INDEX IF NOT EXISTS audit_events_by_resource ON audit_events (resource_id, effective_at, seq);
CREATE TABLE IF NOT EXISTS audit_event_actors (
    kind     TEXT NOT NULL CHECK (kind IN ('id', 'email')),
    value    TEXT NOT NULL,
    event_id TEXT NOT NULL,
    PRIMARY KEY (kind, value, event_id)
);
CREATE INDEX IF NOT EXISTS audit_event_actors_by_event ON audit_event_actors (event_id);
CREATE VIRTUAL TABLE IF NOT EXISTS audit_events_fts USING fts5 (text, tokenize = 'unicode61');
CREATE TABLE IF NOT EXISTS audit_attributions (
    event_id    TEXT PRIMARY KEY NOT NULL,
    journal_seq INTEGER NOT NULL,
    username    TEXT NOT NULL,
    role        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_attributions_by_user ON audit_attributions (username);
CREATE INDEX IF NOT EXISTS audit_attributions_by_write ON audit_attributions (journal_seq);
CREATE TABLE IF NOT EXISTS sync_state (
    id                     INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    backfill_cursor        TEXT,
    backfill_complete      INTEGER NOT NULL DEFAULT 0,
    backfill_events        INTEGER NOT NULL DEFAULT 0,
    newest_at              INTEGER,
    last_sync              INTEGER,
    cycle_started          INTEGER,
    previous_cycle_started INTEGER
);
INSERT INTO sync_state (id) VALUES (1) ON CONFLICT (id) DO NOTHING;
";

/// Version 1 on PostgreSQL: the same tables, with 64-bit integers throughout and the search
/// text as a `tsvector` column with a GIN index (see `archive::store::search_terms`).
const POSTGRES_V1: &str = "
CREATE TABLE accounts (
    username      TEXT PRIMARY KEY NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('owner', 'auditor')),
    created_at    BIGINT NOT NULL
);
CREATE TABLE journal (
    seq                 BIGINT PRIMARY KEY NOT NULL,
    at                  BIGINT NOT NULL,
    phase               TEXT NOT NULL CHECK (phase IN ('request', 'result')),
    request_id          TEXT NOT NULL,
    username            TEXT NOT NULL,
    role                TEXT NOT NULL,
    client              TEXT NOT NULL,
    method              TEXT NOT NULL,
    path                TEXT NOT NULL,
    body                TEXT,
    status              BIGINT,
    upstream_request_id TEXT,
    object_id           TEXT,
    prev_hash           TEXT NOT NULL,
    hash                TEXT NOT NULL,
    outcome             TEXT
);
CREATE INDEX journal_by_user ON journal (username, seq);
CREATE INDEX journal_by_time ON journal (at);
CREATE INDEX journal_by_request ON journal (request_id);
CREATE INDEX journal_by_object ON journal (object_id);
CREATE TABLE portal_keys (
    key_id     TEXT PRIMARY KEY NOT NULL,
    first_seen BIGINT NOT NULL
);
CREATE TABLE audit_events (
    id           TEXT PRIMARY KEY NOT NULL,
    seq          BIGINT NOT NULL UNIQUE,
    effective_at BIGINT NOT NULL,
    type         TEXT NOT NULL,
    family       TEXT NOT NULL,
    project_id   TEXT,
    resource_id  TEXT,
    json         TEXT NOT NULL,
    search       TSVECTOR NOT NULL
);
CREATE INDEX audit_events_by_time ON audit_events (effective_at, seq, family);
CREATE INDEX audit_events_by_type ON audit_events (type, effective_at, seq);
CREATE INDEX audit_events_by_family ON audit_events (family, effective_at, seq);
CREATE INDEX audit_events_by_project ON audit_events (project_id, effective_at, seq);
CREATE INDEX audit_events_by_resource ON audit_events (resource_id, effective_at, seq);
CREATE INDEX audit_events_by_text ON audit_events USING GIN (search);
CREATE TABLE audit_event_actors (
    kind     TEXT NOT NULL CHECK (kind IN ('id', 'email')),
    value    TEXT NOT NULL,
    event_id TEXT NOT NULL,
    PRIMARY KEY (kind, value, event_id)
);
CREATE INDEX audit_event_actors_by_event ON audit_event_actors (event_id);
CREATE TABLE audit_attributions (
    event_id    TEXT PRIMARY KEY NOT NULL,
    journal_seq BIGINT NOT NULL,
    username    TEXT NOT NULL,
    role        TEXT NOT NULL
);
CREATE INDEX audit_attributions_by_user ON audit_attributions (username);
CREATE INDEX audit_attributions_by_write ON audit_attributions (journal_seq);
CREATE TABLE sync_state (
    id                     BIGINT PRIMARY KEY NOT NULL CHECK (id = 1),
    backfill_cursor        TEXT,
    backfill_complete      BIGINT NOT NULL DEFAULT 0,
    backfill_events        BIGINT NOT NULL DEFAULT 0,
    newest_at              BIGINT,
    last_sync              BIGINT,
    cycle_started          BIGINT,
    previous_cycle_started BIGINT
);
INSERT INTO sync_state (id) VALUES (1);
";

/// Version 2, the same on both engines: what replicas share beyond the data.
///
/// - `sessions`: a cookie session is keyed by the SHA-256 of its id (a dump of the table
///   grants no session); a session an SSO proxy vouches for is keyed by role and email, and
///   its `kind` keeps any cookie from naming it. Times are Unix milliseconds.
/// - `sign_in_failures`: the throttle's counts, by `account:NAME` or `address:LABEL`.
/// - `leases`: which replica does a job that only one may do (the archive's sync).
const V2: &str = "
CREATE TABLE sessions (
    kind         TEXT NOT NULL CHECK (kind IN ('cookie', 'identity')),
    key          TEXT NOT NULL,
    username     TEXT NOT NULL,
    role         TEXT NOT NULL,
    csrf_token   TEXT NOT NULL,
    credential   TEXT,
    created_ms   BIGINT NOT NULL,
    last_seen_ms BIGINT NOT NULL,
    PRIMARY KEY (kind, key)
);
CREATE INDEX sessions_by_last_seen ON sessions (last_seen_ms);
CREATE TABLE sign_in_failures (
    key             TEXT PRIMARY KEY NOT NULL,
    count           BIGINT NOT NULL,
    first_ms        BIGINT NOT NULL,
    locked_until_ms BIGINT
);
CREATE TABLE leases (
    name       TEXT PRIMARY KEY NOT NULL,
    holder     TEXT NOT NULL,
    expires_ms BIGINT NOT NULL
);
";

/// Version 3 on SQLite: the archive at a million events (see `archive::store`).
///
/// - `seq` becomes the archive's whole order and the table's key: `effective_at << 20` plus
///   the event's place in its second, so one integer orders every list, every index ends in
///   it, the FTS5 rowid (which is `seq`) walks in list order, and a time range is a range of
///   `seq`. Existing events keep their order within each second.
/// - `audit_event_actors` is keyed by `(kind, value, seq)`, so that an actor's events page by
///   its key.
/// - `audit_histogram`: events per UTC hour and type, kept with every insert and prune.
/// - `sync_state.archived_events`: the count, kept likewise, so that no answer counts the
///   archive.
/// - The indexes on `(…, effective_at, seq)` become `(…, seq)`; those on time and family go
///   (the key and the histogram table serve them).
/// - FTS5 merges its segments sixteen at a time rather than four: at a million events that
///   keeps the backfill's last 100,000 events at three quarters of the first's pace (a third
///   slower with four), and searches no slower.
const SQLITE_V3: &str = "
CREATE TABLE audit_events_v3 (
    seq          INTEGER PRIMARY KEY NOT NULL,
    id           TEXT NOT NULL UNIQUE,
    effective_at INTEGER NOT NULL,
    type         TEXT NOT NULL,
    family       TEXT NOT NULL,
    project_id   TEXT,
    resource_id  TEXT,
    json         TEXT NOT NULL
);
INSERT INTO audit_events_v3 (seq, id, effective_at, type, family, project_id, resource_id, json)
    SELECT effective_at * 1048576 + 524288
               - ROW_NUMBER() OVER (PARTITION BY effective_at ORDER BY seq DESC),
           id, effective_at, type, family, project_id, resource_id, json
    FROM audit_events;
CREATE TABLE audit_event_actors_v3 (
    kind  TEXT NOT NULL CHECK (kind IN ('id', 'email')),
    value TEXT NOT NULL,
    seq   INTEGER NOT NULL,
    PRIMARY KEY (kind, value, seq)
) WITHOUT ROWID;
INSERT INTO audit_event_actors_v3 (kind, value, seq)
    SELECT a.kind, a.value, e.seq
    FROM audit_event_actors a JOIN audit_events_v3 e ON e.id = a.event_id;
CREATE TEMP TABLE searchable AS
    SELECT n.seq AS seq, f.text AS text
    FROM audit_events_fts f
    JOIN audit_events o ON o.seq = f.rowid
    JOIN audit_events_v3 n ON n.id = o.id;
DELETE FROM audit_events_fts;
INSERT INTO audit_events_fts (rowid, text) SELECT seq, text FROM searchable;
DROP TABLE searchable;
DROP TABLE audit_events;
ALTER TABLE audit_events_v3 RENAME TO audit_events;
DROP TABLE audit_event_actors;
ALTER TABLE audit_event_actors_v3 RENAME TO audit_event_actors;
CREATE INDEX audit_events_by_type ON audit_events (type, seq);
CREATE INDEX audit_events_by_project ON audit_events (project_id, seq);
CREATE INDEX audit_events_by_resource ON audit_events (resource_id, seq);
CREATE TABLE audit_histogram (
    hour   INTEGER NOT NULL,
    type   TEXT NOT NULL,
    family TEXT NOT NULL,
    events INTEGER NOT NULL,
    PRIMARY KEY (hour, type)
);
INSERT INTO audit_histogram (hour, type, family, events)
    SELECT effective_at - effective_at % 3600, type, MIN(family), COUNT(*)
    FROM audit_events GROUP BY 1, 2;
ALTER TABLE sync_state ADD COLUMN archived_events INTEGER NOT NULL DEFAULT 0;
UPDATE sync_state SET archived_events = (SELECT COUNT(*) FROM audit_events);
INSERT INTO audit_events_fts (audit_events_fts, rank) VALUES ('automerge', 16);
";

/// Version 3 on PostgreSQL: as [`SQLITE_V3`], `seq` staying a unique column beside the
/// primary key `id` (a heap has no key order) and the search text in `audit_events.search`.
const POSTGRES_V3: &str = "
CREATE TEMP TABLE renumbered AS
    SELECT id,
           effective_at * 1048576 + 524288
               - ROW_NUMBER() OVER (PARTITION BY effective_at ORDER BY seq DESC) AS seq
    FROM audit_events;
UPDATE audit_events e SET seq = r.seq FROM renumbered r WHERE r.id = e.id;
DROP TABLE renumbered;
DROP INDEX audit_events_by_time;
DROP INDEX audit_events_by_family;
DROP INDEX audit_events_by_type;
DROP INDEX audit_events_by_project;
DROP INDEX audit_events_by_resource;
CREATE INDEX audit_events_by_type ON audit_events (type, seq);
CREATE INDEX audit_events_by_project ON audit_events (project_id, seq);
CREATE INDEX audit_events_by_resource ON audit_events (resource_id, seq);
CREATE TABLE audit_event_actors_v3 (
    kind  TEXT NOT NULL CHECK (kind IN ('id', 'email')),
    value TEXT NOT NULL,
    seq   BIGINT NOT NULL,
    CONSTRAINT audit_event_actors_by_seq PRIMARY KEY (kind, value, seq)
);
INSERT INTO audit_event_actors_v3 (kind, value, seq)
    SELECT a.kind, a.value, e.seq
    FROM audit_event_actors a JOIN audit_events e ON e.id = a.event_id;
DROP TABLE audit_event_actors;
ALTER TABLE audit_event_actors_v3 RENAME TO audit_event_actors;
CREATE TABLE audit_histogram (
    hour   BIGINT NOT NULL,
    type   TEXT NOT NULL,
    family TEXT NOT NULL,
    events BIGINT NOT NULL,
    PRIMARY KEY (hour, type)
);
INSERT INTO audit_histogram (hour, type, family, events)
    SELECT effective_at - effective_at % 3600, type, MIN(family), COUNT(*)
    FROM audit_events GROUP BY 1, 2;
ALTER TABLE sync_state ADD COLUMN archived_events BIGINT NOT NULL DEFAULT 0;
UPDATE sync_state SET archived_events = (SELECT COUNT(*) FROM audit_events);
";

/// Version 4, the same on both engines: tokens for scripts (see `tokens`).
///
/// - `api_tokens`: one row per token, keyed by its public id; the value itself is stored only
///   as its SHA-256 (`hash`). `source` says whether `username` is a portal account or an
///   identity an SSO proxy vouches for. `window_ms`/`window_calls` count the calls of the
///   current second (the rate limit), `calls` every call answered. Times are Unix ms.
/// - `token_replays`: a token's recent writes by their replay key, so that a retried write
///   is answered from here rather than made twice. `status` is NULL while the write is under
///   way; `sealed` is the answer encrypted with a key derived from the token's value, which is
///   never stored, so the table alone gives up no secret an answer carried.
/// - `journal.token_id`, `journal.token_name`: the token a write was made with, if any.
const V4: &str = "
CREATE TABLE api_tokens (
    id             TEXT PRIMARY KEY NOT NULL,
    hash           TEXT NOT NULL UNIQUE,
    username       TEXT NOT NULL,
    source         TEXT NOT NULL CHECK (source IN ('account', 'identity')),
    name           TEXT NOT NULL,
    access         TEXT NOT NULL CHECK (access IN ('read', 'write')),
    allowed_from   TEXT,
    created_ms     BIGINT NOT NULL,
    expires_ms     BIGINT NOT NULL,
    revoked_ms     BIGINT,
    revoked_by     TEXT,
    last_used_ms   BIGINT,
    last_used_from TEXT,
    calls          BIGINT NOT NULL DEFAULT 0,
    window_ms      BIGINT NOT NULL DEFAULT 0,
    window_calls   BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX api_tokens_by_user ON api_tokens (username);
CREATE TABLE token_replays (
    token_id    TEXT NOT NULL,
    key         TEXT NOT NULL,
    attempt     TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    at_ms       BIGINT NOT NULL,
    status      BIGINT,
    sealed      TEXT,
    PRIMARY KEY (token_id, key)
);
CREATE INDEX token_replays_by_time ON token_replays (at_ms);
ALTER TABLE journal ADD COLUMN token_id TEXT;
ALTER TABLE journal ADD COLUMN token_name TEXT;
";
