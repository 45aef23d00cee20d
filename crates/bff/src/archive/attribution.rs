//! The archive's side of attribution (see `crate::attribution`): who made each archived event,
//! stored beside it so that reads are plain lookups. A pass runs over the events each backfill
//! page stores, and, at the end of every cycle, over the last day, which catches the events
//! whose journal result row landed after them (a row the journal kept in memory for a while).

use std::collections::HashMap;

use admin_api::audit_logs::AuditLog;
use anyhow::anyhow;
use sqlx::{QueryBuilder, Row, Sqlite, SqlitePool};

use super::Archive;
use crate::attribution::{Attribution, EventFacts, LONGEST_WRITE, SKEW, attribute};

/// How far back each cycle's pass looks for late journal rows.
pub const RECENT: i64 = 24 * 60 * 60;

/// Object ids bound per statement.
const BATCH: usize = 500;

impl Archive {
    /// Attributes the archived events of `[from, to]` (Unix seconds); how many are attributed.
    /// Without a journal there is nobody to attribute them to.
    pub(super) async fn attribute_between(&self, from: i64, to: i64) -> anyhow::Result<usize> {
        let Some(journal) = &self.journal else {
            return Ok(0);
        };
        // A write answered up to SKEW before an event, or requested up to SKEW after it, may
        // have made it; a write takes at most LONGEST_WRITE.
        let writes = journal
            .portal_writes(from - SKEW, to + SKEW + LONGEST_WRITE)
            .await?;
        if writes.is_empty() {
            return Ok(0);
        }
        let own_keys = self
            .upstream
            .own_keys_recent()
            .await
            .map_err(|e| anyhow!("cannot list the portal's admin keys: {}", e.error.message))?;
        let mut objects: Vec<&str> = writes.iter().map(|w| w.object_id.as_str()).collect();
        objects.sort_unstable();
        objects.dedup();
        let mut events = Vec::new();
        for chunk in objects.chunks(BATCH) {
            events.extend(
                events_on(
                    &self.pool,
                    chunk,
                    from - SKEW - LONGEST_WRITE,
                    to + SKEW + LONGEST_WRITE,
                )
                .await?,
            );
        }
        let found = attribute(&events, &writes, &own_keys);
        save(&self.pool, &found).await?;
        Ok(found.len())
    }

    /// The attributions of these archived events.
    pub async fn attributions_of(
        &self,
        ids: &[&str],
    ) -> anyhow::Result<HashMap<String, Attribution>> {
        let mut found = HashMap::new();
        for chunk in ids.chunks(BATCH) {
            let mut query = QueryBuilder::<Sqlite>::new(
                "SELECT event_id, journal_seq, username, role FROM audit_attributions WHERE event_id IN (",
            );
            let mut list = query.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            query.push(")");
            for row in query.build().fetch_all(&self.pool).await? {
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
            let mut query = QueryBuilder::<Sqlite>::new(
                "SELECT journal_seq, COUNT(*) AS n FROM audit_attributions WHERE journal_seq IN (",
            );
            let mut list = query.separated(", ");
            for seq in chunk {
                list.push_bind(*seq);
            }
            query.push(") GROUP BY journal_seq");
            for row in query.build().fetch_all(&self.pool).await? {
                counts.insert(row.get("journal_seq"), row.get("n"));
            }
        }
        Ok(counts)
    }

    /// When the second-to-last completed cycle began: a write answered before it has had two
    /// polls since, so its event, if upstream logged one, is archived and attributed.
    pub async fn two_polls_since(&self) -> anyhow::Result<Option<i64>> {
        Ok(
            sqlx::query_scalar("SELECT previous_cycle_started FROM sync_state WHERE id = 1")
                .fetch_one(&self.pool)
                .await?,
        )
    }
}

/// The archived events on these resources within `[from, to]`, as the join sees them.
async fn events_on(
    pool: &SqlitePool,
    resources: &[&str],
    from: i64,
    to: i64,
) -> anyhow::Result<Vec<EventFacts>> {
    let mut query =
        QueryBuilder::<Sqlite>::new("SELECT json FROM audit_events WHERE effective_at BETWEEN ");
    query
        .push_bind(from)
        .push(" AND ")
        .push_bind(to)
        .push(" AND resource_id IN (");
    let mut list = query.separated(", ");
    for resource in resources {
        list.push_bind(*resource);
    }
    query.push(")");
    let rows = query.build().fetch_all(pool).await?;
    rows.iter()
        .map(|row| {
            let event: AuditLog = serde_json::from_str(row.get("json"))?;
            Ok(EventFacts::of(&event))
        })
        .collect()
}

/// Stores attributions, replacing what an earlier pass with less to go on decided.
async fn save(pool: &SqlitePool, found: &HashMap<String, Attribution>) -> anyhow::Result<()> {
    let items: Vec<(&String, &Attribution)> = found.iter().collect();
    for chunk in items.chunks(BATCH / 4) {
        let mut query = QueryBuilder::<Sqlite>::new(
            "INSERT INTO audit_attributions (event_id, journal_seq, username, role) ",
        );
        query.push_values(chunk, |mut row, (id, a)| {
            row.push_bind(id.as_str())
                .push_bind(a.journal_seq)
                .push_bind(a.username.as_str())
                .push_bind(a.role.as_str());
        });
        query.push(
            " ON CONFLICT (event_id) DO UPDATE SET journal_seq = excluded.journal_seq,
              username = excluded.username, role = excluded.role",
        );
        query.build().execute(pool).await?;
    }
    Ok(())
}
