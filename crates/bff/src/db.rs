//! Gatehouse's own database: portal accounts and the journal, in SQLite in the data dir.
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
";

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
    Ok(pool)
}
