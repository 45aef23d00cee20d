//! The archive's SQL: storing events with their filterable fields and search text, listing them
//! with upstream's filters and cursors, counting them per bucket, and pruning.
//!
//! Filters are built with [`Sql`] and bound parameters only. The SQL is the same on both
//! engines (row-value comparisons, plain multi-row `INSERT`s) except the full-text match: an
//! FTS5 table on SQLite, a `tsvector` column with a GIN index on PostgreSQL, both fed the same
//! tokens and asked the same prefix phrases (see [`search_terms`] and [`tsquery`]).

use admin_api::audit_logs::{AuditLog, ListAuditLogsQuery};
use admin_api::audit_sentences::family;
use admin_api::{ApiError, ListPage};
use serde::Serialize;
use serde_json::Value;
use sqlx::{AnyConnection, Row};

use super::{Backfill, Coverage};
use crate::AppError;
use crate::db::{Db, Engine, Sql};

/// A search of the archive: upstream's list query plus `q`.
#[derive(Debug, Clone, Default)]
pub struct Search {
    pub query: ListAuditLogsQuery,
    /// Full-text words; see [`fts_query`].
    pub q: Option<String>,
    /// Everything a portal user did: the events attributed to them, and those whose actor's
    /// email is their name (their own sessions, for people an SSO proxy names by email).
    pub portal_user: Option<String>,
}

/// The buckets of a histogram.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bucket {
    Hour,
    Day,
}

impl Bucket {
    fn seconds(self) -> i64 {
        match self {
            Self::Hour => 3600,
            Self::Day => 86_400,
        }
    }
}

/// Counts per bucket: only buckets with events, oldest first, each starting at a UTC hour or
/// midnight.
#[derive(Debug, Clone, Serialize)]
pub struct Histogram {
    pub bucket: Bucket,
    pub buckets: Vec<HistogramRow>,
    pub total: i64,
}

/// One bucket.
#[derive(Debug, Clone, Serialize)]
pub struct HistogramRow {
    pub start: i64,
    pub total: i64,
    pub families: std::collections::BTreeMap<String, i64>,
}

/// The FTS5 expression for what a person typed: each whitespace-separated word becomes a quoted
/// phrase (so `"`, `*`, `-`, `(`, `NEAR`, `AND` are text, never syntax) matched as a prefix.
/// Punctuation inside a word splits it into adjacent tokens, so `203.0.113.9`,
/// `ada@acme.example` and `key_abc` match as written. Words without a letter or digit are
/// dropped; `None` when nothing is left.
pub fn fts_query(q: &str) -> Option<String> {
    let phrases: Vec<String> = q
        .split_whitespace()
        .filter(|word| word.chars().any(char::is_alphanumeric))
        .map(|word| format!("\"{}\"*", word.replace('"', "\"\"")))
        .collect();
    (!phrases.is_empty()).then(|| phrases.join(" "))
}

/// The tokens of `text` as SQLite's `unicode61` tokenizer cuts them: runs of letters and
/// digits, lower-cased; everything else separates. PostgreSQL is given these tokens rather
/// than its own parser's, which keeps emails, hosts and paths whole and so would match
/// differently.
pub fn tokens(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|token| !token.is_empty())
        .map(str::to_lowercase)
}

/// The `tsvector` literal of an event's search text: each token at its position (PostgreSQL
/// keeps positions up to 16,383), so phrases match adjacent tokens as FTS5's do.
fn tsvector(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for (position, token) in (1..=16_383).zip(tokens(text)) {
        // Tokens are letters and digits only: nothing in them needs quoting.
        let _ = std::fmt::Write::write_fmt(&mut out, format_args!("'{token}':{position} "));
    }
    out
}

/// The `tsquery` for what a person typed, under the same rules as [`fts_query`]: every word
/// a phrase of its tokens, adjacent, the last a prefix; all words required. `None` when no
/// word has a letter or digit.
pub fn tsquery(q: &str) -> Option<String> {
    let phrases: Vec<String> = q
        .split_whitespace()
        .filter_map(|word| {
            let tokens: Vec<String> = tokens(word).map(|t| format!("'{t}'")).collect();
            (!tokens.is_empty()).then(|| format!("({}:*)", tokens.join(" <-> ")))
        })
        .collect();
    (!phrases.is_empty()).then(|| phrases.join(" & "))
}

/// The text an event is found by: every string in its JSON (ids, emails, addresses, user
/// agents, names, types), one per line.
fn search_text(json: &Value, out: &mut String) {
    match json {
        Value::String(text) => {
            out.push_str(text);
            out.push('\n');
        }
        Value::Array(items) => items.iter().for_each(|item| search_text(item, out)),
        Value::Object(map) => map.values().for_each(|value| search_text(value, out)),
        _ => {}
    }
}

/// Events stored per statement: well inside SQLite's limit of bound parameters.
const BATCH: usize = 100;

/// Stores each `(event, json, seq)` whose id is not archived yet; how many were new. A few
/// statements per hundred events rather than several per event: the backfill is bound by the
/// round trips to the database, not by upstream.
pub(crate) async fn insert_all(
    conn: &mut AnyConnection,
    engine: Engine,
    items: &[(&AuditLog, &Value, i64)],
) -> anyhow::Result<u64> {
    let mut added = 0;
    for chunk in items.chunks(BATCH) {
        let mut known = std::collections::HashSet::new();
        let mut existing = Sql::new("SELECT id FROM audit_events WHERE id IN (");
        existing
            .list(chunk.iter().map(|(event, _, _)| event.id.clone()))
            .push(")");
        for row in existing.build().fetch_all(&mut *conn).await? {
            known.insert(row.try_get::<String, _>(0)?);
        }
        // New ones only, each id once (overlapping polls can repeat an event).
        let fresh: Vec<&(&AuditLog, &Value, i64)> = chunk
            .iter()
            .filter(|(event, _, _)| known.insert(event.id.clone()))
            .collect();
        if fresh.is_empty() {
            continue;
        }
        let texts: Vec<String> = fresh
            .iter()
            .map(|(_, json, _)| {
                let mut text = String::new();
                search_text(json, &mut text);
                text
            })
            .collect();
        let mut events = Sql::new(
            "INSERT INTO audit_events (id, seq, effective_at, type, family, project_id, resource_id, json",
        );
        events.push(match engine {
            Engine::Sqlite => ") VALUES ",
            Engine::Postgres => ", search) VALUES ",
        });
        for (i, ((event, json, seq), text)) in fresh.iter().zip(&texts).enumerate() {
            events
                .push(if i == 0 { "(" } else { ", (" })
                .bind(event.id.clone())
                .push(", ")
                .bind(*seq)
                .push(", ")
                .bind(event.effective_at)
                .push(", ")
                .bind(event.event_type.clone())
                .push(", ")
                .bind(family(&event.event_type).to_owned())
                .push(", ")
                .bind(event.project.as_ref().map(|p| p.id.clone()))
                .push(", ")
                .bind(event.resource_id().map(str::to_owned))
                .push(", ")
                .bind(json.to_string());
            if engine == Engine::Postgres {
                events
                    .push(", CAST(")
                    .bind(tsvector(text))
                    .push(" AS tsvector)");
            }
            events.push(")");
        }
        events.build().execute(&mut *conn).await?;
        let mut actors: Vec<(&str, &str, &str)> = Vec::new();
        for (event, _, _) in &fresh {
            let mut own: Vec<(&str, &str)> =
                event.actor_ids().into_iter().map(|v| ("id", v)).collect();
            own.extend(event.actor_emails().into_iter().map(|v| ("email", v)));
            own.sort_unstable();
            own.dedup();
            actors.extend(
                own.into_iter()
                    .map(|(kind, value)| (kind, value, event.id.as_str())),
            );
        }
        if !actors.is_empty() {
            let mut rows =
                Sql::new("INSERT INTO audit_event_actors (kind, value, event_id) VALUES ");
            for (i, (kind, value, id)) in actors.iter().enumerate() {
                rows.push(if i == 0 { "(" } else { ", (" })
                    .bind((*kind).to_owned())
                    .push(", ")
                    .bind((*value).to_owned())
                    .push(", ")
                    .bind((*id).to_owned())
                    .push(")");
            }
            rows.build().execute(&mut *conn).await?;
        }
        if engine == Engine::Sqlite {
            let mut rows = Sql::new("INSERT INTO audit_events_fts (rowid, text) VALUES ");
            for (i, ((_, _, seq), text)) in fresh.iter().zip(texts).enumerate() {
                rows.push(if i == 0 { "(" } else { ", (" })
                    .bind(*seq)
                    .push(", ")
                    .bind(text)
                    .push(")");
            }
            rows.build().execute(&mut *conn).await?;
        }
        added += fresh.len() as u64;
    }
    Ok(added)
}

/// The lowest and highest `seq` in use (0 when empty).
pub(super) async fn seq_bounds(conn: &mut AnyConnection) -> anyhow::Result<(i64, i64)> {
    let row = sqlx::query("SELECT COALESCE(MIN(seq), 0), COALESCE(MAX(seq), 0) FROM audit_events")
        .fetch_one(&mut *conn)
        .await?;
    Ok((row.get(0), row.get(1)))
}

/// What the archive holds.
pub(super) async fn coverage(db: &Db) -> anyhow::Result<Coverage> {
    let events = sqlx::query(
        "SELECT MIN(effective_at) AS oldest, MAX(effective_at) AS newest, COUNT(*) AS events
         FROM audit_events",
    )
    .fetch_one(&db.pool)
    .await?;
    let state = sqlx::query(
        "SELECT backfill_complete, backfill_events, last_sync FROM sync_state WHERE id = 1",
    )
    .fetch_one(&db.pool)
    .await?;
    Ok(Coverage {
        oldest: events.get("oldest"),
        newest: events.get("newest"),
        events: events.get("events"),
        last_sync: state.get("last_sync"),
        backfill: Backfill {
            complete: state.get::<i64, _>("backfill_complete") != 0,
            events: state.get("backfill_events"),
        },
    })
}

/// Whether the backfill is complete, and when the last cycle completed: what a reader's
/// catch-up needs, without counting the archive.
pub(super) async fn sync_progress(db: &Db) -> anyhow::Result<(bool, Option<i64>)> {
    let state = sqlx::query("SELECT backfill_complete, last_sync FROM sync_state WHERE id = 1")
        .fetch_one(&db.pool)
        .await?;
    Ok((
        state.get::<i64, _>("backfill_complete") != 0,
        state.get("last_sync"),
    ))
}

/// Appends `AND ...` for every filter of `search` (not the cursors) to a query over
/// `audit_events e`.
fn push_filters(builder: &mut Sql, engine: Engine, search: &Search) {
    let query = &search.query;
    let (low, high) = query.effective_at.inclusive_range();
    builder
        .push(" WHERE e.effective_at BETWEEN ")
        .bind(low)
        .push(" AND ")
        .bind(high);
    let columns = [
        ("e.type", &query.event_types),
        ("e.project_id", &query.project_ids),
        ("e.resource_id", &query.resource_ids),
    ];
    for (column, values) in columns {
        if !values.is_empty() {
            builder
                .push(format!(" AND {column} IN ("))
                .list(values.iter().cloned())
                .push(")");
        }
    }
    for (kind, values) in [("id", &query.actor_ids), ("email", &query.actor_emails)] {
        if !values.is_empty() {
            builder
                .push(format!(
                    " AND e.id IN (SELECT a.event_id FROM audit_event_actors a \
                     WHERE a.kind = '{kind}' AND a.value IN ("
                ))
                .list(values.iter().cloned())
                .push("))");
        }
    }
    if let Some(user) = &search.portal_user {
        builder
            .push(" AND (e.id IN (SELECT t.event_id FROM audit_attributions t WHERE t.username = ")
            .bind(user.clone())
            .push(") OR e.id IN (SELECT a.event_id FROM audit_event_actors a WHERE a.kind = 'email' AND a.value = ")
            .bind(user.clone())
            .push("))");
    }
    let Some(q) = search.q.as_deref() else {
        return;
    };
    match engine {
        Engine::Sqlite => {
            if let Some(expression) = fts_query(q) {
                builder
                    .push(" AND e.seq IN (SELECT rowid FROM audit_events_fts WHERE audit_events_fts MATCH ")
                    .bind(expression)
                    .push(")");
            }
        }
        Engine::Postgres => {
            if let Some(expression) = tsquery(q) {
                builder
                    .push(" AND e.search @@ CAST(")
                    .bind(expression)
                    .push(" AS tsquery)");
            }
        }
    }
}

/// The `(effective_at, seq)` of the event a cursor names, or upstream's 400.
async fn position(db: &Db, id: &str, param: &str) -> Result<(i64, i64), AppError> {
    let row = sqlx::query("SELECT effective_at, seq FROM audit_events WHERE id = $1")
        .bind(id)
        .fetch_optional(&db.pool)
        .await
        .map_err(|e| AppError::internal(&e))?;
    row.map(|r| (r.get(0), r.get(1))).ok_or_else(|| {
        ApiError::invalid_request(
            format!("Invalid '{param}': no audit log with id '{id}'."),
            Some(param),
        )
        .into()
    })
}

/// One page, newest first. `after` pages towards older events, `before` alone towards newer
/// ones (the page is still presented newest first), exactly as upstream.
pub(super) async fn list(db: &Db, search: &Search) -> Result<ListPage<Value>, AppError> {
    let query = &search.query;
    let limit = query.paging.limit_or_default();
    let after = match &query.paging.after {
        Some(id) => Some(position(db, id, "after").await?),
        None => None,
    };
    let before = match &query.before {
        Some(id) => Some(position(db, id, "before").await?),
        None => None,
    };
    let upwards = before.is_some() && after.is_none();
    let mut builder = Sql::new("SELECT e.id, e.json FROM audit_events e");
    push_filters(&mut builder, db.engine, search);
    if let Some((at, seq)) = after {
        builder
            .push(" AND (e.effective_at, e.seq) < (")
            .bind(at)
            .push(", ")
            .bind(seq)
            .push(")");
    }
    if let Some((at, seq)) = before {
        builder
            .push(" AND (e.effective_at, e.seq) > (")
            .bind(at)
            .push(", ")
            .bind(seq)
            .push(")");
    }
    builder.push(match upwards {
        true => " ORDER BY e.effective_at ASC, e.seq ASC LIMIT ",
        false => " ORDER BY e.effective_at DESC, e.seq DESC LIMIT ",
    });
    builder.bind(i64::try_from(limit).unwrap_or(100) + 1);
    let rows = builder
        .build()
        .fetch_all(&db.pool)
        .await
        .map_err(|e| AppError::internal(&e))?;
    let has_more = rows.len() > limit;
    let mut data = Vec::with_capacity(limit);
    for row in rows.iter().take(limit) {
        let json: String = row.get("json");
        data.push(serde_json::from_str::<Value>(&json).map_err(|e| AppError::internal(&e))?);
    }
    if upwards {
        data.reverse();
    }
    Ok(ListPage::new(data, has_more, |event| {
        event["id"].as_str().unwrap_or_default()
    }))
}

/// Events matching `search` (cursors ignored) per UTC `bucket`, split by family.
pub(super) async fn histogram(
    db: &Db,
    search: &Search,
    bucket: Bucket,
) -> anyhow::Result<Histogram> {
    let size = bucket.seconds();
    let mut builder = Sql::new(format!(
        "SELECT e.effective_at - (e.effective_at % {size}) AS start, e.family AS family, \
         COUNT(*) AS events FROM audit_events e"
    ));
    push_filters(&mut builder, db.engine, search);
    builder.push(" GROUP BY 1, 2 ORDER BY 1, 2");
    let rows = builder.build().fetch_all(&db.pool).await?;
    let mut buckets: Vec<HistogramRow> = Vec::new();
    let mut total = 0;
    for row in rows {
        let (start, family, events): (i64, String, i64) =
            (row.get("start"), row.get("family"), row.get("events"));
        total += events;
        match buckets.last_mut() {
            Some(last) if last.start == start => {
                last.total += events;
                last.families.insert(family, events);
            }
            _ => buckets.push(HistogramRow {
                start,
                total: events,
                families: [(family, events)].into_iter().collect(),
            }),
        }
    }
    Ok(Histogram {
        bucket,
        buckets,
        total,
    })
}

/// How many events are older than `cutoff`.
pub(super) async fn count_older(db: &Db, cutoff: i64) -> anyhow::Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE effective_at < $1")
            .bind(cutoff)
            .fetch_one(&db.pool)
            .await?,
    )
}

/// Deletes every event older than `cutoff`, with its actors and search text; how many.
pub(super) async fn prune(db: &Db, cutoff: i64) -> anyhow::Result<u64> {
    let mut tx = db.begin_locked(crate::db::Lock::Archive).await?;
    if db.engine == Engine::Sqlite {
        sqlx::query(
            "DELETE FROM audit_events_fts
             WHERE rowid IN (SELECT seq FROM audit_events WHERE effective_at < $1)",
        )
        .bind(cutoff)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query(
        "DELETE FROM audit_event_actors
         WHERE event_id IN (SELECT id FROM audit_events WHERE effective_at < $1)",
    )
    .bind(cutoff)
    .execute(&mut *tx)
    .await?;
    let deleted = sqlx::query("DELETE FROM audit_events WHERE effective_at < $1")
        .bind(cutoff)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(deleted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_words_become_quoted_prefix_phrases() {
        assert_eq!(
            fts_query("ada@acme.example 203.0.113"),
            Some("\"ada@acme.example\"* \"203.0.113\"*".into())
        );
        assert_eq!(
            fts_query("say \"hi\" NEAR(x"),
            Some("\"say\"* \"\"\"hi\"\"\"* \"NEAR(x\"*".into())
        );
        assert_eq!(fts_query(" * - \"\" () "), None);
    }

    #[test]
    fn postgres_is_asked_the_same_phrases_of_the_same_tokens() {
        assert_eq!(
            tsquery("Ada@acme.example 203.0.113"),
            Some("('ada' <-> 'acme' <-> 'example':*) & ('203' <-> '0' <-> '113':*)".into())
        );
        assert_eq!(
            tsquery("say \"hi\" NEAR(x"),
            Some("('say':*) & ('hi':*) & ('near' <-> 'x':*)".into())
        );
        assert_eq!(tsquery(" * - \"\" () "), None);
        assert_eq!(tsvector("key_abc\nKEY"), "'key':1 'abc':2 'key':3 ");
    }
}
