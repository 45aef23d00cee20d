//! The archive's side of attribution (see `crate::attribution`): who made each archived event,
//! stored beside it so that reads are plain lookups. A pass runs over the events each backfill
//! page stores, and, at the end of every cycle, over the last day, which catches the events
//! whose journal result row landed after them (a row the journal kept in memory for a while).

use std::collections::HashMap;

use admin_api::audit_logs::AuditLog;
use sqlx::Row;

use super::Archive;
use crate::attribution::{Attribution, EventFacts, LONGEST_WRITE, SKEW, attribute};
use crate::db::{Db, Lock, Sql};

/// How far back each cycle's pass looks for late journal rows.
pub const RECENT: i64 = 24 * 60 * 60;

/// Object ids bound per statement.
const BATCH: usize = 500;

impl Archive {
    /// Attributes the archived events of `[from, to]` (Unix seconds), replacing what earlier
    /// passes decided for them; how many are attributed. Events and writes beyond the range
    /// are read too, wide enough that every rival of an event in it is seen. Without a journal
    /// there is nobody to attribute them to.
    pub(super) async fn attribute_between(&self, from: i64, to: i64) -> anyhow::Result<usize> {
        let Some(journal) = &self.journal else {
            return Ok(0);
        };
        // A write answered up to SKEW before an event, or requested up to SKEW after it, may
        // have made it, and takes at most LONGEST_WRITE: events that far beyond the range can
        // compete for the same writes, and their own writes lie that far again.
        let reach = SKEW + LONGEST_WRITE;
        let writes = journal
            .portal_writes(from - 2 * reach, to + 2 * reach, None)
            .await?;
        // No write near: nothing is attributable, and nothing was (writes are never removed).
        if writes.is_empty() {
            return Ok(0);
        }
        let mut objects: Vec<&str> = writes.iter().map(|w| w.object_id.as_str()).collect();
        objects.sort_unstable();
        objects.dedup();
        let mut events = Vec::new();
        for chunk in objects.chunks(BATCH) {
            events.extend(events_on(&self.db, chunk, from - reach, to + reach).await?);
        }
        let own_keys = crate::attribution::portal_keys(&self.upstream, journal).await?;
        let found = attribute(&events, &writes, &own_keys);
        let in_range: HashMap<&str, &Attribution> = events
            .iter()
            .filter(|e| (from..=to).contains(&e.effective_at))
            .filter_map(|e| Some((e.id.as_str(), found.get(&e.id)?)))
            .collect();
        replace(&self.db, from, to, &in_range).await?;
        Ok(in_range.len())
    }

    /// The attributions of these archived events.
    pub async fn attributions_of(
        &self,
        ids: &[&str],
    ) -> anyhow::Result<HashMap<String, Attribution>> {
        let mut found = HashMap::new();
        for chunk in ids.chunks(BATCH) {
            let mut query = Sql::new(
                "SELECT event_id, journal_seq, username, role FROM audit_attributions WHERE event_id IN (",
            );
            query
                .list(chunk.iter().map(|id| (*id).to_owned()))
                .push(")");
            for row in query.build().fetch_all(&self.db.pool).await? {
                found.insert(
                    row.get("event_id"),
                    Attribution {
                        journal_seq: row.get("journal_seq"),
                        username: row.get("username"),
                        role: row.get("role"),
                    },
                );
            }
        }
        Ok(found)
    }

    /// How many archived events are attributed to each of these journal result rows.
    pub async fn events_of_writes(&self, seqs: &[i64]) -> anyhow::Result<HashMap<i64, i64>> {
        let mut counts = HashMap::new();
        for chunk in seqs.chunks(BATCH) {
            let mut query = Sql::new(
                "SELECT journal_seq, COUNT(*) AS n FROM audit_attributions WHERE journal_seq IN (",
            );
            query
                .list(chunk.iter().copied())
                .push(") GROUP BY journal_seq");
            for row in query.build().fetch_all(&self.db.pool).await? {
                counts.insert(row.get("journal_seq"), row.get("n"));
            }
        }
        Ok(counts)
    }

    /// The time before which a write's event is overdue: two completed cycles (each with a
    /// successful attribution pass) have begun since, and at least [`super::Settings`]'s
    /// `event_grace` has passed, since upstream may show an event some minutes late. `None`
    /// until two cycles have run.
    pub async fn events_overdue_before(&self) -> anyhow::Result<Option<i64>> {
        let two_polls: Option<i64> =
            sqlx::query_scalar("SELECT previous_cycle_started FROM sync_state WHERE id = 1")
                .fetch_one(&self.db.pool)
                .await?;
        let grace = i64::try_from(self.settings.event_grace.as_secs()).unwrap_or(i64::MAX);
        Ok(two_polls.map(|t| t.min(crate::journal::now().saturating_sub(grace))))
    }
}

/// The archived events on these resources within `[from, to]`, as the join sees them.
async fn events_on(
    db: &Db,
    resources: &[&str],
    from: i64,
    to: i64,
) -> anyhow::Result<Vec<EventFacts>> {
    let (from, to) = super::store::seq_range(from, to);
    let mut query = Sql::new("SELECT json FROM audit_events WHERE seq BETWEEN ");
    query
        .bind(from)
        .push(" AND ")
        .bind(to)
        .push(" AND resource_id IN (")
        .list(resources.iter().map(|r| (*r).to_owned()))
        .push(")");
    let rows = query.build().fetch_all(&db.pool).await?;
    rows.iter()
        .map(|row| {
            let event: AuditLog = serde_json::from_str(row.get("json"))?;
            Ok(EventFacts::of(&event))
        })
        .collect()
}

/// Replaces the attributions of the archived events of `[from, to]` with `found`, in one
/// transaction: what an earlier pass with less to go on decided is withdrawn, not kept.
async fn replace(
    db: &Db,
    from: i64,
    to: i64,
    found: &HashMap<&str, &Attribution>,
) -> anyhow::Result<()> {
    let (from, to) = super::store::seq_range(from, to);
    let mut tx = db.begin_locked(Lock::Archive).await?;
    sqlx::query(
        "DELETE FROM audit_attributions WHERE event_id IN
             (SELECT id FROM audit_events WHERE seq BETWEEN $1 AND $2)",
    )
    .bind(from)
    .bind(to)
    .execute(&mut *tx)
    .await?;
    let items: Vec<(&&str, &&Attribution)> = found.iter().collect();
    for chunk in items.chunks(BATCH / 4) {
        let mut query = Sql::new(
            "INSERT INTO audit_attributions (event_id, journal_seq, username, role) VALUES ",
        );
        for (i, (id, a)) in chunk.iter().enumerate() {
            query
                .push(if i == 0 { "(" } else { ", (" })
                .bind((**id).to_owned())
                .push(", ")
                .bind(a.journal_seq)
                .push(", ")
                .bind(a.username.clone())
                .push(", ")
                .bind(a.role.clone())
                .push(")");
        }
        query.build().execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}
