//! `gatehouse migrate --from URL --to URL`: copies a deployment's data from one database to
//! another, such as from the embedded SQLite file to the PostgreSQL that several replicas will
//! share.
//!
//! What is copied: accounts, the journal row for row (its hashes as they are, so the chain
//! still verifies and still matches a head hash kept elsewhere), the admin keys the portal ran
//! on, and the audit archive with its attributions and sync position. What is not: sessions
//! and sign-in failure counts, which are short-lived; people sign in again after the move.
//!
//! The target must be empty of all of it: a copy never merges into or overwrites data. The
//! whole copy is one transaction on the target, so a failure leaves it empty.

use anyhow::{Context, bail};
use serde_json::Value;
use sqlx::Row;

use crate::archive::store;
use crate::db::{Db, Sql};
use crate::journal::{self, Journal};

/// Rows read and written per statement.
const BATCH: i64 = 500;

/// What was copied.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Copied {
    pub accounts: u64,
    pub tokens: u64,
    pub journal_rows: u64,
    pub events: u64,
    pub attributions: u64,
}

/// The tables whose rows would be overwritten.
const KEPT: [&str; 6] = [
    "accounts",
    "api_tokens",
    "journal",
    "portal_keys",
    "audit_events",
    "audit_attributions",
];

/// Copies everything from `from` to `to` (see the module's documentation).
pub async fn copy(from: &Db, to: &Db) -> anyhow::Result<Copied> {
    for table in KEPT {
        // Table names are this module's constants, never input.
        let rows: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&to.pool)
            .await?;
        if rows > 0 {
            bail!(
                "the target already holds data ({rows} rows in {table}): migrate copies only \
                 into an empty database and never overwrites one"
            );
        }
    }
    let mut copied = Copied::default();
    let mut tx = to.pool.begin().await?;

    for row in sqlx::query("SELECT username, password_hash, role, created_at FROM accounts")
        .fetch_all(&from.pool)
        .await?
    {
        sqlx::query(
            "INSERT INTO accounts (username, password_hash, role, created_at)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(row.try_get::<String, _>("username")?)
        .bind(row.try_get::<String, _>("password_hash")?)
        .bind(row.try_get::<String, _>("role")?)
        .bind(row.try_get::<i64, _>("created_at")?)
        .execute(&mut *tx)
        .await?;
        copied.accounts += 1;
    }

    // Tokens go with their accounts, so that scripts keep working on the new database (their
    // replays are an hour's cache and stay behind).
    let columns = "id, hash, username, source, name, access, allowed_from, created_ms, \
                   expires_ms, revoked_ms, revoked_by, last_used_ms, last_used_from, calls";
    for row in sqlx::query(&format!("SELECT {columns} FROM api_tokens"))
        .fetch_all(&from.pool)
        .await?
    {
        sqlx::query(&format!(
            "INSERT INTO api_tokens ({columns})
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
        ))
        .bind(row.try_get::<String, _>("id")?)
        .bind(row.try_get::<String, _>("hash")?)
        .bind(row.try_get::<String, _>("username")?)
        .bind(row.try_get::<String, _>("source")?)
        .bind(row.try_get::<String, _>("name")?)
        .bind(row.try_get::<String, _>("access")?)
        .bind(row.try_get::<Option<String>, _>("allowed_from")?)
        .bind(row.try_get::<i64, _>("created_ms")?)
        .bind(row.try_get::<i64, _>("expires_ms")?)
        .bind(row.try_get::<Option<i64>, _>("revoked_ms")?)
        .bind(row.try_get::<Option<String>, _>("revoked_by")?)
        .bind(row.try_get::<Option<i64>, _>("last_used_ms")?)
        .bind(row.try_get::<Option<String>, _>("last_used_from")?)
        .bind(row.try_get::<i64, _>("calls")?)
        .execute(&mut *tx)
        .await?;
        copied.tokens += 1;
    }

    let mut after = 0;
    loop {
        let rows = journal::rows_after(from, after, BATCH).await?;
        let Some(last) = rows.last() else { break };
        after = last.seq;
        for entry in &rows {
            journal::insert(&mut tx, entry).await?;
        }
        copied.journal_rows += rows.len() as u64;
    }

    for row in sqlx::query("SELECT key_id, first_seen FROM portal_keys")
        .fetch_all(&from.pool)
        .await?
    {
        sqlx::query("INSERT INTO portal_keys (key_id, first_seen) VALUES ($1, $2)")
            .bind(row.try_get::<String, _>("key_id")?)
            .bind(row.try_get::<i64, _>("first_seen")?)
            .execute(&mut *tx)
            .await?;
    }

    // Events in their order, with their own seq: the target's search text and actors are
    // derived from each event exactly as a sync stores them.
    let mut after = i64::MIN;
    loop {
        let rows =
            sqlx::query("SELECT seq, json FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2")
                .bind(after)
                .bind(BATCH)
                .fetch_all(&from.pool)
                .await?;
        let Some(last) = rows.last() else { break };
        after = last.try_get("seq")?;
        let mut parsed = Vec::with_capacity(rows.len());
        for row in &rows {
            let json: Value = serde_json::from_str(&row.try_get::<String, _>("json")?)?;
            let event = serde_json::from_value(json.clone()).context("an archived event")?;
            parsed.push((event, json, row.try_get::<i64, _>("seq")?));
        }
        let items: Vec<_> = parsed.iter().map(|(e, j, s)| (e, j, *s)).collect();
        copied.events += store::insert_all(&mut tx, to.engine, &items).await?;
    }

    let mut after = String::new();
    loop {
        let rows = sqlx::query(
            "SELECT event_id, journal_seq, username, role FROM audit_attributions
             WHERE event_id > $1 ORDER BY event_id LIMIT $2",
        )
        .bind(after.clone())
        .bind(BATCH)
        .fetch_all(&from.pool)
        .await?;
        let Some(last) = rows.last() else { break };
        after = last.try_get("event_id")?;
        let mut insert = Sql::new(
            "INSERT INTO audit_attributions (event_id, journal_seq, username, role) VALUES ",
        );
        for (i, row) in rows.iter().enumerate() {
            insert
                .push(if i == 0 { "(" } else { ", (" })
                .bind(row.try_get::<String, _>("event_id")?)
                .push(", ")
                .bind(row.try_get::<i64, _>("journal_seq")?)
                .push(", ")
                .bind(row.try_get::<String, _>("username")?)
                .push(", ")
                .bind(row.try_get::<String, _>("role")?)
                .push(")");
        }
        insert.build().execute(&mut *tx).await?;
        copied.attributions += rows.len() as u64;
    }

    let state = sqlx::query(
        "SELECT backfill_cursor, backfill_complete, backfill_events, newest_at, last_sync,
                cycle_started, previous_cycle_started
         FROM sync_state WHERE id = 1",
    )
    .fetch_one(&from.pool)
    .await?;
    sqlx::query(
        "UPDATE sync_state SET backfill_cursor = $1, backfill_complete = $2,
             backfill_events = $3, newest_at = $4, last_sync = $5, cycle_started = $6,
             previous_cycle_started = $7
         WHERE id = 1",
    )
    .bind(state.try_get::<Option<String>, _>("backfill_cursor")?)
    .bind(state.try_get::<i64, _>("backfill_complete")?)
    .bind(state.try_get::<i64, _>("backfill_events")?)
    .bind(state.try_get::<Option<i64>, _>("newest_at")?)
    .bind(state.try_get::<Option<i64>, _>("last_sync")?)
    .bind(state.try_get::<Option<i64>, _>("cycle_started")?)
    .bind(state.try_get::<Option<i64>, _>("previous_cycle_started")?)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;

    match Journal::new(to.clone()).verify().await? {
        Ok(_) => Ok(copied),
        Err(broken) => bail!("the copied journal does not verify: {broken}"),
    }
}
