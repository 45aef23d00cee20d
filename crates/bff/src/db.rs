//! Gatehouse's own database: portal accounts, the journal and the audit archive, in SQLite in
//! the data dir.
//!
//! sqlx with plain SQL (no compile-time checked macros, so the build needs no database) keeps
//! the move to PostgreSQL for several replicas a matter of a connection string and a dialect
//! review. Writes are synchronous=FULL in WAL mode: an acknowledged journal entry survives a
//! crash or `kill -9`.

use std::path::Path;
use std::str::FromStr;

use anyhow::Context;
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

/// The schema, applied idempotently at start.
const SCHEMA: &str = "
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
    hash                TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS journal_by_user ON journal (username, seq);
CREATE INDEX IF NOT EXISTS journal_by_time ON journal (at);
CREATE INDEX IF NOT EXISTS journal_by_request ON journal (request_id);
CREATE INDEX IF NOT EXISTS journal_by_object ON journal (object_id);
CREATE TABLE IF NOT EXISTS portal_keys (
    key_id     TEXT PRIMARY KEY NOT NULL,
    first_seen INTEGER NOT NULL
);
";

/// The audit archive (see `archive`), applied idempotently after [`SCHEMA`].
///
/// `seq` is upstream's order among events of the same second (upstream lists by time, then by
/// the order it stored them in, which no field of an event shows); every list is ordered by
/// `(effective_at, seq)`. `audit_event_actors` holds the several ids and emails one event
/// answers to. Portable to PostgreSQL except the FTS5 table, whose counterpart there is a
/// `tsvector` column with a GIN index.
const ARCHIVE_SCHEMA: &str = "
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
    id                INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    backfill_cursor   TEXT,
    backfill_complete INTEGER NOT NULL DEFAULT 0,
    backfill_events   INTEGER NOT NULL DEFAULT 0,
    newest_at         INTEGER,
    last_sync         INTEGER
);
INSERT INTO sync_state (id) VALUES (1) ON CONFLICT (id) DO NOTHING;
";

/// Adds a column that a later version introduced, unless the table has it already (SQLite
/// has no `ADD COLUMN IF NOT EXISTS`).
async fn add_column(
    pool: &SqlitePool,
    table: &str,
    column: &str,
    kind: &str,
) -> anyhow::Result<()> {
    let present: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM pragma_table_info(?1) WHERE name = ?2")
            .bind(table)
            .bind(column)
            .fetch_one(pool)
            .await?;
    if present == 0 {
        // Names and type are this module's constants, never input.
        sqlx::raw_sql(&format!("ALTER TABLE {table} ADD COLUMN {column} {kind}"))
            .execute(pool)
            .await
            .with_context(|| format!("cannot add {table}.{column}"))?;
    }
    Ok(())
}

/// Opens (creating if needed) `gatehouse.db` in `data_dir` and applies the schema.
pub async fn open(data_dir: &Path) -> anyhow::Result<SqlitePool> {
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("--data-dir {}: cannot create it", data_dir.display()))?;
    let path = data_dir.join("gatehouse.db");
    let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(std::time::Duration::from_secs(5));
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(options)
        .await
        .with_context(|| format!("cannot open {}", path.display()))?;
    sqlx::raw_sql(SCHEMA)
        .execute(&pool)
        .await
        .context("cannot apply the schema")?;
    add_column(&pool, "journal", "outcome", "TEXT").await?;
    sqlx::raw_sql(ARCHIVE_SCHEMA)
        .execute(&pool)
        .await
        .context("cannot apply the audit archive's schema")?;
    // When the last two completed sync cycles began (see `Archive::two_polls_since`).
    add_column(&pool, "sync_state", "cycle_started", "INTEGER").await?;
    add_column(&pool, "sync_state", "previous_cycle_started", "INTEGER").await?;
    Ok(pool)
}
