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
    /// Whether every matching event was counted; when not, `counted_from` says from which
    /// second on they were (older buckets are missing, not empty).
    pub complete: bool,
    pub counted_from: Option<i64>,
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

/// The bits of `seq` below the second: an event's place among the events of its second.
const PLACE_BITS: u32 = 20;
/// Places per second; the backfill numbers down from the middle, polls up from it.
const PLACES: i64 = 1 << PLACE_BITS;
/// Seconds beyond ±2^42 (139,000 years) are clamped, which keeps `seq` inside 63 bits.
const FAR: i64 = 1 << 42;

/// The first `seq` of second `at`.
fn first_of(at: i64) -> i64 {
    at.clamp(-FAR, FAR) << PLACE_BITS
}

/// The `seq`s of the seconds `low..=high`.
pub(crate) fn seq_range(low: i64, high: i64) -> (i64, i64) {
    (first_of(low), first_of(high) + PLACES - 1)
}

/// The second a `seq` is in.
fn second_of(seq: i64) -> i64 {
    seq >> PLACE_BITS
}

/// Which end of its second an event joins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    /// The backfill: each event is older than everything archived in its second so far.
    Older,
    /// A poll: each event is newer than everything archived in its second so far.
    Newer,
}

/// The `seq` of each of `events`, in turn, taking the next place on `side` of its second.
/// The backfill gives its pages newest first, polls oldest first, so that every list keeps
/// upstream's order. An event already archived is given a place too, but is not stored.
pub(crate) async fn number(
    conn: &mut AnyConnection,
    events: &[&AuditLog],
    side: Side,
) -> anyhow::Result<Vec<i64>> {
    let times = events.iter().map(|e| e.effective_at);
    let (Some(oldest), Some(newest)) = (times.clone().min(), times.max()) else {
        return Ok(Vec::new());
    };
    let (low, high) = seq_range(oldest, newest);
    let rows = sqlx::query(
        "SELECT MIN(seq) AS lowest, MAX(seq) AS highest FROM audit_events
         WHERE seq BETWEEN $1 AND $2 GROUP BY (seq - $1) / $3",
    )
    .bind(low)
    .bind(high)
    .bind(PLACES)
    .fetch_all(&mut *conn)
    .await?;
    let mut ends = std::collections::HashMap::new();
    for row in rows {
        let (lowest, highest): (i64, i64) = (row.try_get("lowest")?, row.try_get("highest")?);
        ends.insert(second_of(lowest), (lowest, highest));
    }
    let mut seqs = Vec::with_capacity(events.len());
    for event in events {
        let second = event.effective_at.clamp(-FAR, FAR);
        let middle = first_of(second) + PLACES / 2;
        let (lowest, highest) = ends.entry(second).or_insert((middle, middle - 1));
        let seq = match side {
            Side::Older => {
                *lowest -= 1;
                *lowest
            }
            Side::Newer => {
                *highest += 1;
                *highest
            }
        };
        anyhow::ensure!(
            second_of(seq) == second,
            "more than {} events archived in the second {second}",
            PLACES / 2
        );
        seqs.push(seq);
    }
    Ok(seqs)
}

/// Stores each `(event, json, seq)` whose id is not archived yet, with its actors, search
/// text and histogram count; how many were new. A few statements per hundred events rather
/// than several per event: the backfill is bound by the round trips to the database.
pub(crate) async fn insert_all(
    conn: &mut AnyConnection,
    engine: Engine,
    items: &[(&AuditLog, &Value, i64)],
) -> anyhow::Result<u64> {
    let mut added = 0;
    let mut hours: std::collections::BTreeMap<(i64, &str), i64> = Default::default();
    // In ascending `seq`: FTS5 writes a segment whenever a rowid is not above the last one
    // written, so the backfill's newest-first pages would each cost a segment per event.
    let mut items: Vec<&(&AuditLog, &Value, i64)> = items.iter().collect();
    items.sort_unstable_by_key(|(_, _, seq)| *seq);
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
            .copied()
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
            *hours
                .entry((hour_of(event.effective_at), event.event_type.as_str()))
                .or_default() += 1;
        }
        events.build().execute(&mut *conn).await?;
        let mut actors: Vec<(&str, &str, i64)> = Vec::new();
        for (event, _, seq) in &fresh {
            let mut own: Vec<(&str, &str)> =
                event.actor_ids().into_iter().map(|v| ("id", v)).collect();
            own.extend(event.actor_emails().into_iter().map(|v| ("email", v)));
            own.sort_unstable();
            own.dedup();
            actors.extend(own.into_iter().map(|(kind, value)| (kind, value, *seq)));
        }
        if !actors.is_empty() {
            let mut rows = Sql::new("INSERT INTO audit_event_actors (kind, value, seq) VALUES ");
            for (i, (kind, value, seq)) in actors.iter().enumerate() {
                rows.push(if i == 0 { "(" } else { ", (" })
                    .bind((*kind).to_owned())
                    .push(", ")
                    .bind((*value).to_owned())
                    .push(", ")
                    .bind(*seq)
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
    if added == 0 {
        return Ok(0);
    }
    let counts: Vec<_> = hours.into_iter().collect();
    for chunk in counts.chunks(BATCH) {
        let mut rows = Sql::new("INSERT INTO audit_histogram (hour, type, family, events) VALUES ");
        for (i, ((hour, kind), events)) in chunk.iter().enumerate() {
            rows.push(if i == 0 { "(" } else { ", (" })
                .bind(*hour)
                .push(", ")
                .bind((*kind).to_owned())
                .push(", ")
                .bind(family(kind).to_owned())
                .push(", ")
                .bind(*events)
                .push(")");
        }
        rows.push(
            " ON CONFLICT (hour, type) DO UPDATE SET events = audit_histogram.events + excluded.events",
        );
        rows.build().execute(&mut *conn).await?;
    }
    sqlx::query("UPDATE sync_state SET archived_events = archived_events + $1 WHERE id = 1")
        .bind(i64::try_from(added).unwrap_or(i64::MAX))
        .execute(&mut *conn)
        .await?;
    Ok(added)
}

/// The UTC hour a second is in.
fn hour_of(at: i64) -> i64 {
    at - at.rem_euclid(3600)
}

/// What the archive holds: its ends from the `seq` index, its count as kept by every insert
/// and prune (never counted per answer).
pub(super) async fn coverage(db: &Db) -> anyhow::Result<Coverage> {
    let state = sqlx::query(
        "SELECT (SELECT effective_at FROM audit_events ORDER BY seq ASC LIMIT 1) AS oldest,
                (SELECT effective_at FROM audit_events ORDER BY seq DESC LIMIT 1) AS newest,
                archived_events, backfill_complete, backfill_events, last_sync
         FROM sync_state WHERE id = 1",
    )
    .fetch_one(&db.pool)
    .await?;
    Ok(Coverage {
        oldest: state.get("oldest"),
        newest: state.get("newest"),
        events: state.get("archived_events"),
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

/// The filters of a search, each of which an index can walk in `seq` order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dimension {
    Text,
    ActorId,
    ActorEmail,
    PortalUser,
    Resource,
    Project,
    Type,
    Time,
}

/// The search expression of `q` for `engine`, if it has a word.
fn text_expression(engine: Engine, search: &Search) -> Option<String> {
    let q = search.q.as_deref()?;
    match engine {
        Engine::Sqlite => fts_query(q),
        Engine::Postgres => tsquery(q),
    }
}

/// The filter that walks a list's candidates: the one likeliest to be the most selective.
/// Full text first (FTS5 walks its matches by rowid, which is `seq`, and a word rarely leaves
/// many per page unmatched by the rest), then an actor, a person's portal events, a resource,
/// a project, a type; with none, the `seq` index itself.
fn driver(engine: Engine, search: &Search) -> Dimension {
    let query = &search.query;
    if text_expression(engine, search).is_some() {
        Dimension::Text
    } else if !query.actor_ids.is_empty() {
        Dimension::ActorId
    } else if !query.actor_emails.is_empty() {
        Dimension::ActorEmail
    } else if search.portal_user.is_some() {
        Dimension::PortalUser
    } else if !query.resource_ids.is_empty() {
        Dimension::Resource
    } else if !query.project_ids.is_empty() {
        Dimension::Project
    } else if !query.event_types.is_empty() {
        Dimension::Type
    } else {
        Dimension::Time
    }
}

/// Appends ` AND …` for every filter of `search` but `skip` (the driver's, which the walk
/// applies itself) and the time range, as checks on the row `e` of `audit_events`. On
/// SQLite the full text is checked within `window` of `seq` (FTS5 then reads only that
/// part of its index); elsewhere it is the driver, or a check on the row.
fn push_rest(
    builder: &mut Sql,
    engine: Engine,
    search: &Search,
    skip: Dimension,
    window: (i64, i64),
) {
    let query = &search.query;
    let columns = [
        (Dimension::Type, "e.type", &query.event_types),
        (Dimension::Project, "e.project_id", &query.project_ids),
        (Dimension::Resource, "e.resource_id", &query.resource_ids),
    ];
    for (dimension, column, values) in columns {
        if dimension != skip && !values.is_empty() {
            builder
                .push(format!(" AND {column} IN ("))
                .list(values.iter().cloned())
                .push(")");
        }
    }
    let actors = [
        (Dimension::ActorId, "id", &query.actor_ids),
        (Dimension::ActorEmail, "email", &query.actor_emails),
    ];
    for (dimension, kind, values) in actors {
        if dimension != skip && !values.is_empty() {
            builder
                .push(format!(
                    " AND EXISTS (SELECT 1 FROM audit_event_actors x \
                     WHERE x.kind = '{kind}' AND x.seq = e.seq AND x.value IN ("
                ))
                .list(values.iter().cloned())
                .push("))");
        }
    }
    if let Some(user) = &search.portal_user
        && skip != Dimension::PortalUser
    {
        builder
            .push(
                " AND (EXISTS (SELECT 1 FROM audit_attributions t \
                 WHERE t.event_id = e.id AND t.username = ",
            )
            .bind(user.clone())
            .push(
                ") OR EXISTS (SELECT 1 FROM audit_event_actors x \
                 WHERE x.kind = 'email' AND x.seq = e.seq AND x.value = ",
            )
            .bind(user.clone())
            .push("))");
    }
    if skip != Dimension::Text
        && let Some(expression) = text_expression(engine, search)
    {
        match engine {
            Engine::Sqlite => {
                builder
                    .push(
                        " AND e.seq IN (SELECT rowid FROM audit_events_fts \
                         WHERE audit_events_fts MATCH ",
                    )
                    .bind(expression)
                    .push(" AND rowid BETWEEN ")
                    .bind(window.0)
                    .push(" AND ")
                    .bind(window.1)
                    .push(")");
            }
            Engine::Postgres => {
                builder
                    .push(" AND e.search @@ CAST(")
                    .bind(expression)
                    .push(" AS tsquery)");
            }
        }
    }
}

/// One walk of candidates, in `seq` order within `window`, each a row `e` of `audit_events`
/// that every filter of `search` passes: `FROM … WHERE …` without the order.
fn push_walk(
    builder: &mut Sql,
    engine: Engine,
    search: &Search,
    driver: Dimension,
    value: Option<&str>,
    window: (i64, i64),
) -> &'static str {
    let key = match driver {
        Dimension::Text => match engine {
            Engine::Sqlite => {
                builder
                    .push(
                        " FROM audit_events_fts f JOIN audit_events e ON e.seq = f.rowid \
                         WHERE audit_events_fts MATCH ",
                    )
                    .bind(text_expression(engine, search).unwrap_or_default());
                "f.rowid"
            }
            Engine::Postgres => {
                builder
                    .push(" FROM audit_events e WHERE e.search @@ CAST(")
                    .bind(text_expression(engine, search).unwrap_or_default())
                    .push(" AS tsquery)");
                "e.seq"
            }
        },
        Dimension::ActorId | Dimension::ActorEmail => {
            let kind = if driver == Dimension::ActorId {
                "id"
            } else {
                "email"
            };
            builder
                .push(format!(
                    " FROM audit_event_actors a JOIN audit_events e ON e.seq = a.seq \
                     WHERE a.kind = '{kind}' AND a.value = "
                ))
                .bind(value.unwrap_or_default().to_owned());
            "a.seq"
        }
        Dimension::PortalUser => {
            builder
                .push(
                    " FROM audit_attributions t JOIN audit_events e ON e.id = t.event_id \
                     WHERE t.username = ",
                )
                .bind(value.unwrap_or_default().to_owned());
            "e.seq"
        }
        Dimension::Resource | Dimension::Project | Dimension::Type => {
            let column = match driver {
                Dimension::Resource => "e.resource_id",
                Dimension::Project => "e.project_id",
                _ => "e.type",
            };
            builder
                .push(format!(" FROM audit_events e WHERE {column} = "))
                .bind(value.unwrap_or_default().to_owned());
            "e.seq"
        }
        Dimension::Time => {
            builder.push(" FROM audit_events e WHERE 1 = 1");
            "e.seq"
        }
    };
    builder
        .push(format!(" AND {key} BETWEEN "))
        .bind(window.0)
        .push(" AND ")
        .bind(window.1);
    push_rest(builder, engine, search, driver, window);
    key
}

/// The walks of a list: one per value of the driver's filter (a person's portal events are
/// two: those attributed to them, and their own sessions'), each `(driver, value)`.
fn walks(engine: Engine, search: &Search) -> Vec<(Dimension, Option<String>)> {
    let query = &search.query;
    let driver = driver(engine, search);
    let values = match driver {
        Dimension::ActorId => &query.actor_ids,
        Dimension::ActorEmail => &query.actor_emails,
        Dimension::Resource => &query.resource_ids,
        Dimension::Project => &query.project_ids,
        Dimension::Type => &query.event_types,
        Dimension::PortalUser => {
            let user = search.portal_user.clone();
            return vec![
                (Dimension::PortalUser, user.clone()),
                (Dimension::ActorEmail, user),
            ];
        }
        Dimension::Text | Dimension::Time => return vec![(driver, None)],
    };
    let mut values = values.clone();
    values.sort_unstable();
    values.dedup();
    values.into_iter().map(|v| (driver, Some(v))).collect()
}

/// ` FROM … WHERE …` of the probed events: the [`PROBE`] first `seq`s of `window` in `order`
/// (`r`), each event (`e`) matching `expression`. The seqs come from the index alone, and each
/// event is looked up behind an `OFFSET 0` fence: otherwise the planner may join the seqs to a
/// GIN scan of every match, or sort the whole table for the newest rows.
fn push_probed(builder: &mut Sql, window: (i64, i64), order: &str, expression: &str) {
    builder
        .push(" FROM (SELECT seq FROM audit_events WHERE seq BETWEEN ")
        .bind(window.0)
        .push(" AND ")
        .bind(window.1)
        .push(format!(" ORDER BY seq {order} LIMIT "))
        .bind(PROBE)
        .push(
            ") AS r CROSS JOIN LATERAL \
             (SELECT * FROM audit_events x WHERE x.seq = r.seq OFFSET 0) AS e \
             WHERE e.search @@ CAST(",
        )
        .bind(expression.to_owned())
        .push(" AS tsquery)");
}

/// `SELECT seq … UNION SELECT seq …`: each walk's first `take` matches in `order` within
/// `window`.
fn push_walks(
    builder: &mut Sql,
    engine: Engine,
    search: &Search,
    walks: Vec<(Dimension, Option<String>)>,
    window: (i64, i64),
    order: &str,
    take: i64,
) {
    for (i, (driver, value)) in walks.into_iter().enumerate() {
        builder.push(if i == 0 { "" } else { " UNION " });
        builder.push("SELECT seq FROM (SELECT e.seq AS seq");
        let key = push_walk(builder, engine, search, driver, value.as_deref(), window);
        builder
            .push(format!(" ORDER BY {key} {order} LIMIT "))
            .bind(take)
            .push(format!(") AS walk{i}"));
    }
}

/// Events a full-text walk on PostgreSQL checks one by one before it turns to the GIN index.
const PROBE: i64 = 10_000;

/// The `seq`s of up to `take` matches of a full-text search on PostgreSQL, in `order`
/// within `window`. A GIN index yields its matches unordered, so a frequent word would sort
/// them all, while a walk down the `seq` index checking each event finds a frequent word's
/// page at once but reads the whole archive for a rare one; the planner's estimates for
/// phrases cannot tell which it is. So: the newest [`PROBE`] events of the window are checked
/// one by one. If they hold less than a page, the rest of the window is read by the GIN index
/// when the words alone were rare among them too, and otherwise (a frequent word with a rare
/// filter) by the other filters' walks, checking the words per candidate.
async fn postgres_text_walk(
    db: &Db,
    search: &Search,
    window: (i64, i64),
    order: &str,
    take: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    let expression = text_expression(db.engine, search).unwrap_or_default();
    // Ordered by `r.seq`, which the index gives in order, the probe stops at its page.
    let mut probe = Sql::new("SELECT e.seq AS seq");
    push_probed(&mut probe, window, order, &expression);
    push_rest(&mut probe, db.engine, search, Dimension::Text, window);
    probe
        .push(format!(" ORDER BY r.seq {order} LIMIT "))
        .bind(take);
    let mut seqs: Vec<i64> = probe
        .build()
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(|row| row.get("seq"))
        .collect();
    let wanted = take - i64::try_from(seqs.len()).unwrap_or(take);
    if wanted <= 0 {
        return Ok(seqs);
    }
    // Where the probe stopped; none when the window holds fewer events than it read.
    let edge: Option<i64> = sqlx::query_scalar(&format!(
        "SELECT seq FROM audit_events WHERE seq BETWEEN $1 AND $2
         ORDER BY seq {order} OFFSET $3 LIMIT 1"
    ))
    .bind(window.0)
    .bind(window.1)
    .bind(PROBE - 1)
    .fetch_optional(&db.pool)
    .await?;
    let Some(edge) = edge else {
        return Ok(seqs);
    };
    let rest = if order == "ASC" {
        (edge + 1, window.1)
    } else {
        (window.0, edge - 1)
    };
    // The other filters' walks, checking the words per candidate: when the words alone were
    // frequent among the probed events (the other filters are what is rare), the GIN index
    // would hand over every match of a frequent word.
    let mut plain = search.clone();
    plain.q = None;
    let others = walks(db.engine, &plain);
    if others[0].0 != Dimension::Time {
        let mut frequent = Sql::new("SELECT COUNT(*)");
        push_probed(&mut frequent, window, order, &expression);
        let alone: i64 = frequent.build().fetch_one(&db.pool).await?.get(0);
        if alone >= take {
            let mut builder = Sql::new("SELECT seq FROM (");
            push_walks(&mut builder, db.engine, search, others, rest, order, wanted);
            builder
                .push(format!(") AS walks ORDER BY seq {order} LIMIT "))
                .bind(wanted);
            seqs.extend(
                builder
                    .build()
                    .fetch_all(&db.pool)
                    .await?
                    .iter()
                    .map(|row| row.get::<i64, _>("seq")),
            );
            return Ok(seqs);
        }
    }
    // `seq + 0`: not the `seq` index, whose walk the probe has shown to be long.
    let mut gin = Sql::new("SELECT e.seq AS seq FROM audit_events e WHERE e.search @@ CAST(");
    gin.bind(expression)
        .push(" AS tsquery) AND e.seq + 0 BETWEEN ")
        .bind(rest.0)
        .push(" AND ")
        .bind(rest.1);
    push_rest(&mut gin, db.engine, search, Dimension::Text, rest);
    gin.push(format!(" ORDER BY e.seq + 0 {order} LIMIT "))
        .bind(wanted);
    seqs.extend(
        gin.build()
            .fetch_all(&db.pool)
            .await?
            .iter()
            .map(|row| row.get::<i64, _>("seq")),
    );
    Ok(seqs)
}

/// The `seq` of the event a cursor names, or upstream's 400.
async fn position(db: &Db, id: &str, param: &str) -> Result<i64, AppError> {
    let row = sqlx::query("SELECT seq FROM audit_events WHERE id = $1")
        .bind(id)
        .fetch_optional(&db.pool)
        .await
        .map_err(|e| AppError::internal(&e))?;
    row.map(|r| r.get(0)).ok_or_else(|| {
        ApiError::invalid_request(
            format!("Invalid '{param}': no audit log with id '{id}'."),
            Some(param),
        )
        .into()
    })
}

/// One page, newest first. `after` pages towards older events, `before` alone towards newer
/// ones (the page is still presented newest first), exactly as upstream.
///
/// Its cost grows with the page, not the archive: each walk (see [`walks`]) reads its index
/// in `seq` order from the cursor and stops after a page of matches, and the walks' pages
/// are merged. A filter that the walk's index does not serve is checked per candidate, so a
/// walk pays for the candidates it rejects.
pub(super) async fn list(db: &Db, search: &Search) -> Result<ListPage<Value>, AppError> {
    let query = &search.query;
    let limit = query.paging.limit_or_default();
    let (low, high) = query.effective_at.inclusive_range();
    let (mut lowest, mut highest) = seq_range(low, high);
    if let Some(id) = &query.paging.after {
        highest = highest.min(position(db, id, "after").await? - 1);
    }
    let before = query.before.as_deref();
    if let Some(id) = before {
        lowest = lowest.max(position(db, id, "before").await? + 1);
    }
    let upwards = before.is_some() && query.paging.after.is_none();
    let order = if upwards { "ASC" } else { "DESC" };
    let take = i64::try_from(limit).unwrap_or(100) + 1;
    let walks = walks(db.engine, search);
    let internal = |e: sqlx::Error| AppError::internal(&e);
    let rows = if db.engine == Engine::Postgres && walks[0].0 == Dimension::Text {
        let seqs = postgres_text_walk(db, search, (lowest, highest), order, take)
            .await
            .map_err(internal)?;
        if seqs.is_empty() {
            Vec::new()
        } else {
            let mut builder = Sql::new("SELECT e.id, e.json FROM audit_events e WHERE e.seq IN (");
            builder.list(seqs).push(format!(") ORDER BY e.seq {order}"));
            builder
                .build()
                .fetch_all(&db.pool)
                .await
                .map_err(internal)?
        }
    } else {
        let mut builder = Sql::new("SELECT e.id, e.json FROM audit_events e WHERE e.seq IN (");
        push_walks(
            &mut builder,
            db.engine,
            search,
            walks,
            (lowest, highest),
            order,
            take,
        );
        builder
            .push(format!(") ORDER BY e.seq {order} LIMIT "))
            .bind(take);
        builder
            .build()
            .fetch_all(&db.pool)
            .await
            .map_err(internal)?
    };
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
///
/// Time and type alone are answered from `audit_histogram`, plus the partial hours at either
/// end counted from the events. Any other filter counts the matching events, newest first, a
/// window at a time; past `budget` it stops and says how far back it counted (`complete:
/// false`, `counted_from`), so that a broad search never holds the timeline up.
pub(super) async fn histogram(
    db: &Db,
    search: &Search,
    bucket: Bucket,
    (oldest, newest): (Option<i64>, Option<i64>),
    budget: std::time::Duration,
) -> anyhow::Result<Histogram> {
    let started = std::time::Instant::now();
    let size = bucket.seconds();
    let (low, high) = search.query.effective_at.inclusive_range();
    // Within what the archive holds (`oldest` and `newest` of its coverage): an open range
    // must not become hours of nothing.
    let (Some(oldest), Some(newest)) = (oldest, newest) else {
        return Ok(Histogram::empty(bucket));
    };
    let (low, high) = (low.max(oldest), high.min(newest));
    if low > high {
        return Ok(Histogram::empty(bucket));
    }
    let query = &search.query;
    let by_time_and_type = search.q.is_none()
        && search.portal_user.is_none()
        && query.actor_ids.is_empty()
        && query.actor_emails.is_empty()
        && query.project_ids.is_empty()
        && query.resource_ids.is_empty();
    let mut counts = Counts::default();
    if by_time_and_type {
        // Whole hours from the table; the rest of the first and last hour from the events.
        let first_whole = low + (3600 - low.rem_euclid(3600)) % 3600;
        let end_whole = hour_of(high.saturating_add(1));
        if first_whole < end_whole {
            let mut table = Sql::new(format!(
                "SELECT hour - hour % {size} AS start, family, CAST(SUM(events) AS BIGINT) AS events \
                 FROM audit_histogram WHERE hour BETWEEN "
            ));
            table.bind(first_whole).push(" AND ").bind(end_whole - 3600);
            if !query.event_types.is_empty() {
                table
                    .push(" AND type IN (")
                    .list(query.event_types.iter().cloned())
                    .push(")");
            }
            table.push(" GROUP BY 1, 2");
            counts.add(table.build().fetch_all(&db.pool).await?);
            for (from, to) in [(low, first_whole - 1), (end_whole, high)] {
                if from <= to {
                    counts.add(count_window(db, search, size, seq_range(from, to)).await?);
                }
            }
        } else {
            counts.add(count_window(db, search, size, seq_range(low, high)).await?);
        }
        return Ok(counts.into_histogram(bucket, None));
    }
    // Newest first, a day and then twice as much at a time, until done or out of budget.
    let (lowest, mut top) = seq_range(low, high);
    let mut span = 86_400 * PLACES;
    loop {
        let bottom = top.saturating_sub(span - 1).max(lowest);
        counts.add(count_window(db, search, size, (bottom, top)).await?);
        if bottom <= lowest {
            return Ok(counts.into_histogram(bucket, None));
        }
        if started.elapsed() >= budget {
            return Ok(counts.into_histogram(bucket, Some(second_of(bottom))));
        }
        top = bottom - 1;
        span = span.saturating_mul(2);
    }
}

/// The matching events of a `window` of `seq`, per bucket and family.
async fn count_window(
    db: &Db,
    search: &Search,
    size: i64,
    window: (i64, i64),
) -> anyhow::Result<Vec<sqlx::any::AnyRow>> {
    let mut builder = Sql::new(format!(
        "SELECT e.effective_at - e.effective_at % {size} AS start, e.family AS family, \
         COUNT(*) AS events FROM audit_events e WHERE e.seq BETWEEN "
    ));
    builder.bind(window.0).push(" AND ").bind(window.1);
    push_rest(&mut builder, db.engine, search, Dimension::Time, window);
    builder.push(" GROUP BY 1, 2");
    Ok(builder.build().fetch_all(&db.pool).await?)
}

/// Counts per `(start, family)`, summed over the parts of a histogram.
#[derive(Default)]
struct Counts(std::collections::BTreeMap<(i64, String), i64>);

impl Counts {
    fn add(&mut self, rows: Vec<sqlx::any::AnyRow>) {
        for row in rows {
            *self
                .0
                .entry((row.get("start"), row.get("family")))
                .or_default() += row.get::<i64, _>("events");
        }
    }

    fn into_histogram(self, bucket: Bucket, counted_from: Option<i64>) -> Histogram {
        let mut buckets: Vec<HistogramRow> = Vec::new();
        let mut total = 0;
        for ((start, family), events) in self.0 {
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
        Histogram {
            bucket,
            buckets,
            total,
            complete: counted_from.is_none(),
            counted_from,
        }
    }
}

impl Histogram {
    fn empty(bucket: Bucket) -> Self {
        Counts::default().into_histogram(bucket, None)
    }
}

/// How many events are older than `cutoff`.
pub(super) async fn count_older(db: &Db, cutoff: i64) -> anyhow::Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE seq < $1")
            .bind(first_of(cutoff))
            .fetch_one(&db.pool)
            .await?,
    )
}

/// Deletes every event older than `cutoff`, with its actors, search text and counts; how
/// many.
pub(super) async fn prune(db: &Db, cutoff: i64) -> anyhow::Result<u64> {
    let below = first_of(cutoff);
    let mut tx = db.begin_locked(crate::db::Lock::Archive).await?;
    if db.engine == Engine::Sqlite {
        sqlx::query("DELETE FROM audit_events_fts WHERE rowid < $1")
            .bind(below)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("DELETE FROM audit_event_actors WHERE seq < $1")
        .bind(below)
        .execute(&mut *tx)
        .await?;
    let deleted = sqlx::query("DELETE FROM audit_events WHERE seq < $1")
        .bind(below)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    // The hour the cutoff falls in is counted again from what is left of it.
    let hour = hour_of(cutoff);
    sqlx::query("DELETE FROM audit_histogram WHERE hour <= $1")
        .bind(hour)
        .execute(&mut *tx)
        .await?;
    let (from, to) = seq_range(hour, hour + 3599);
    sqlx::query(
        "INSERT INTO audit_histogram (hour, type, family, events)
         SELECT $1, type, MIN(family), COUNT(*) FROM audit_events
         WHERE seq BETWEEN $2 AND $3 GROUP BY type",
    )
    .bind(hour)
    .bind(from)
    .bind(to)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE sync_state SET archived_events = archived_events - $1 WHERE id = 1")
        .bind(i64::try_from(deleted).unwrap_or(0))
        .execute(&mut *tx)
        .await?;
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
