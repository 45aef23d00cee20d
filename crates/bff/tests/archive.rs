//! The audit archive: sync completeness, concurrent activity, crash recovery of the real binary,
//! query parity with upstream, full-text search, the histogram, retention and access.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use admin_api::audit_sentences::family;
use axum::http::StatusCode;
use common::Harness;
use gatehouse::archive::{Archive, Retention, Settings};
use sandbox::{Sandbox, SeedOptions};
use serde_json::{Value, json};

/// A harness over a sandbox with `events` seeded audit events.
async fn harness(events: usize) -> Harness {
    let sandbox = Sandbox::seeded(
        common::CANARY_KEY,
        SeedOptions {
            audit_events: events,
            ..SeedOptions::default()
        },
    );
    Harness::around(sandbox, gatehouse::upstream::Policy::default()).await
}

/// Every sandbox event, newest first, as JSON.
fn upstream_events(harness: &Harness) -> Vec<Value> {
    harness.sandbox.read(|org| {
        org.audit_events()
            .map(|e| serde_json::to_value(e).expect("json"))
            .collect()
    })
}

/// Every event a list route returns for `query`, walking its pages with `after`.
async fn walk(harness: &Harness, cookie: &str, path: &str, query: &str) -> Vec<Value> {
    let mut events = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let cursor = after
            .as_ref()
            .map(|a| format!("&after={a}"))
            .unwrap_or_default();
        let answer = harness
            .get(&format!("{path}?limit=100{query}{cursor}"), cookie)
            .await;
        assert_eq!(
            answer.status,
            StatusCode::OK,
            "{path}?{query}: {}",
            answer.text
        );
        let page = answer.json();
        events.extend(page["data"].as_array().expect("data").iter().cloned());
        if page["has_more"] != true {
            return events;
        }
        after = Some(page["last_id"].as_str().expect("last_id").to_owned());
    }
}

/// Every archived event, newest first, through the API.
async fn archived(harness: &Harness, cookie: &str) -> Vec<Value> {
    walk(harness, cookie, "/api/archive/audit_logs", "").await
}

fn ids(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["id"].as_str().expect("id").to_owned())
        .collect()
}

#[tokio::test]
async fn backfill_archives_every_upstream_event_exactly_as_upstream_wrote_it() {
    let harness = harness(730).await;
    let (cookie, _) = harness.auditor().await;
    let report = harness.archive.sync_once().await.expect("sync");
    assert_eq!(report.backfilled, 730);
    assert_eq!(
        report.added, 0,
        "the poll after the backfill found nothing new"
    );

    let upstream = upstream_events(&harness);
    let archive = archived(&harness, &cookie).await;
    assert_eq!(ids(&archive), ids(&upstream), "same events, same order");
    assert_eq!(archive, upstream, "same JSON");

    let page = harness
        .get("/api/archive/audit_logs?limit=1", &cookie)
        .await
        .json();
    let coverage = &page["coverage"];
    assert_eq!(coverage["events"], 730);
    assert_eq!(coverage["backfill"]["complete"], true);
    assert_eq!(coverage["backfill"]["events"], 730);
    assert_eq!(coverage["newest"], upstream[0]["effective_at"]);
    assert_eq!(coverage["oldest"], upstream[729]["effective_at"]);
    assert!(coverage["last_sync"].as_i64().is_some(), "{coverage}");
    let again = harness.archive.sync_once().await.expect("sync");
    assert_eq!((again.backfilled, again.added), (0, 0), "nothing twice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_arriving_during_and_after_a_sync_are_picked_up_once() {
    let harness = harness(400).await;
    let (cookie, _) = harness.auditor().await;
    harness.archive.sync_once().await.expect("backfill");
    let newest = upstream_events(&harness)[0]["effective_at"]
        .as_i64()
        .expect("effective_at");

    // Events in the newest archived second, and a burst recorded while a poll runs.
    for n in 0..5 {
        harness.sandbox.record_audit_event(
            newest,
            "project.updated",
            json!({"id": format!("proj_tie{n}")}),
        );
    }
    let writer = {
        let sandbox = harness.sandbox.clone();
        tokio::spawn(async move {
            for n in 0..300 {
                let at = sandbox.read(sandbox::Org::now);
                sandbox.record_audit_event(
                    at,
                    "user.updated",
                    json!({"id": format!("user-burst{n}")}),
                );
                if n % 20 == 0 {
                    tokio::task::yield_now().await;
                }
            }
        })
    };
    harness
        .archive
        .sync_once()
        .await
        .expect("poll during the burst");
    writer.await.expect("writer");
    harness
        .archive
        .sync_once()
        .await
        .expect("poll after the burst");
    // Shown late by upstream, but within the poll's overlap.
    let late = harness.sandbox.read(sandbox::Org::now) - 30;
    for n in 0..3 {
        harness.sandbox.record_audit_event(
            late,
            "project.updated",
            json!({"id": format!("proj_late{n}")}),
        );
    }
    let last = harness.archive.sync_once().await.expect("poll");
    assert_eq!(last.added, 3, "late events within the overlap");

    let upstream = upstream_events(&harness);
    assert_eq!(upstream.len(), 708);
    let archive = archived(&harness, &cookie).await;
    assert_eq!(
        ids(&archive),
        ids(&upstream),
        "every event once, in upstream's order"
    );
    assert_eq!(archive, upstream);
}

/// The queries compared between upstream and the archive.
fn parity_queries(events: &[Value]) -> Vec<String> {
    let session_event = events
        .iter()
        .find(|e| e["actor"]["type"] == "session")
        .expect("a session event");
    let key_event = events
        .iter()
        .find(|e| e["actor"]["type"] == "api_key")
        .expect("an api key event");
    let user_id = session_event["actor"]["session"]["user"]["id"]
        .as_str()
        .expect("user id");
    let email = session_event["actor"]["session"]["user"]["email"]
        .as_str()
        .expect("email");
    let key_id = key_event["actor"]["api_key"]["id"].as_str().expect("key");
    let key_user = key_event["actor"]["api_key"]["user"]["id"]
        .as_str()
        .expect("key user");
    let key_email = key_event["actor"]["api_key"]["user"]["email"]
        .as_str()
        .expect("key email");
    let project = events
        .iter()
        .find_map(|e| e["project"]["id"].as_str())
        .expect("a project");
    let resource = events
        .iter()
        .find_map(|e| {
            e[e["type"].as_str()?]["id"]
                .as_str()
                .filter(|id| id.starts_with("user-"))
        })
        .expect("a user resource");
    let mid = events[events.len() / 2]["effective_at"]
        .as_i64()
        .expect("at");
    let quarter = events[events.len() / 4]["effective_at"]
        .as_i64()
        .expect("at");
    let email = urlencode(email);
    let key_email = urlencode(key_email);
    vec![
        String::new(),
        "&event_types[]=login.succeeded".into(),
        "&event_types[]=login.failed&event_types[]=api_key.created".into(),
        format!("&actor_ids[]={user_id}"),
        format!("&actor_ids[]={key_id}"),
        format!("&actor_ids[]={key_user}"),
        format!("&actor_ids[]={user_id}&actor_ids[]={key_id}"),
        format!("&actor_emails[]={email}"),
        format!("&actor_emails[]={key_email}"),
        format!("&project_ids[]={project}"),
        format!("&resource_ids[]={resource}"),
        format!("&effective_at[gte]={mid}"),
        format!("&effective_at[lte]={mid}"),
        format!("&effective_at[gt]={mid}&effective_at[lt]={quarter}"),
        format!(
            "&effective_at[gte]={mid}&effective_at[lte]={quarter}&event_types[]=login.succeeded"
        ),
        format!("&project_ids[]={project}&event_types[]=project.updated&actor_emails[]={email}"),
        "&event_types[]=no.such.type".into(),
        format!("&effective_at[gte]={quarter}&effective_at[lte]={mid}"),
    ]
}

fn urlencode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

#[tokio::test]
async fn every_filter_returns_the_same_ids_from_the_archive_as_from_upstream() {
    let harness = harness(900).await;
    // Changes made with an admin key give events with an `api_key` actor; a few share a second.
    let now = harness.sandbox.read(sandbox::Org::now);
    for n in 0..12 {
        harness.sandbox.record_audit_event(
            now - 5 + n / 4,
            "user.updated",
            json!({"id": format!("user-keyed{n}")}),
        );
    }
    let (cookie, _) = harness.auditor().await;
    harness.archive.sync_once().await.expect("sync");
    let events = upstream_events(&harness);

    for query in parity_queries(&events) {
        // Small pages, so that page boundaries and cursors are compared too.
        let mut after = String::new();
        for page_number in 0.. {
            let upstream = harness
                .get(
                    &format!("/api/v1/organization/audit_logs?limit=37{query}{after}"),
                    &cookie,
                )
                .await
                .json();
            let archive = harness
                .get(
                    &format!("/api/archive/audit_logs?limit=37{query}{after}"),
                    &cookie,
                )
                .await
                .json();
            for field in ["data", "first_id", "last_id", "has_more", "object"] {
                assert_eq!(
                    archive[field], upstream[field],
                    "{field} of page {page_number} of '{query}'"
                );
            }
            if upstream["has_more"] != true {
                break;
            }
            after = format!("&after={}", upstream["last_id"].as_str().expect("last"));
        }
    }

    // `before` pages towards newer events; both ends and a middle, with filters.
    for (index, query) in [(500, ""), (3, ""), (800, "&event_types[]=login.succeeded")] {
        let id = events[index]["id"].as_str().expect("id");
        let path = format!("?limit=10&before={id}{query}");
        let upstream = harness
            .get(&format!("/api/v1/organization/audit_logs{path}"), &cookie)
            .await
            .json();
        let archive = harness
            .get(&format!("/api/archive/audit_logs{path}"), &cookie)
            .await
            .json();
        assert_eq!(archive["data"], upstream["data"], "before {index}");
        assert_eq!(archive["has_more"], upstream["has_more"], "before {index}");
    }

    // An unknown cursor is upstream's 400.
    for param in ["after", "before"] {
        let answer = harness
            .get(
                &format!("/api/archive/audit_logs?{param}=audit_log-nosuchevent"),
                &cookie,
            )
            .await;
        answer.assert_error(StatusCode::BAD_REQUEST, None);
        assert_eq!(answer.json()["error"]["param"], param);
    }
}

#[tokio::test]
async fn full_text_search_finds_events_by_email_ip_and_id_fragment() {
    let harness = harness(600).await;
    let (cookie, _) = harness.auditor().await;
    harness.archive.sync_once().await.expect("sync");
    if harness.db.engine == gatehouse::db::Engine::Sqlite {
        let fts5: i64 = sqlx::query_scalar("SELECT sqlite_compileoption_used('ENABLE_FTS5')")
            .fetch_one(&harness.db.pool)
            .await
            .expect("compile option");
        assert_eq!(fts5, 1, "the bundled SQLite has FTS5");
    }

    let events = upstream_events(&harness);
    let email = events
        .iter()
        .find_map(|e| e["actor"]["session"]["user"]["email"].as_str())
        .expect("an email")
        .to_owned();
    let key_id = events
        .iter()
        .find_map(|e| e["api_key.created"]["id"].as_str())
        .expect("a created key")
        .to_owned();
    let fragment = key_id[..10].to_owned();
    for term in [
        email.as_str(),
        "203.0.113.24",
        fragment.as_str(),
        "Safari",
        "Berlin",
    ] {
        let found = walk(
            &harness,
            &cookie,
            "/api/archive/audit_logs",
            &format!("&q={}", urlencode(term)),
        )
        .await;
        let expected: BTreeSet<String> = events
            .iter()
            .filter(|e| e.to_string().to_lowercase().contains(&term.to_lowercase()))
            .map(|e| e["id"].as_str().expect("id").to_owned())
            .collect();
        assert!(!expected.is_empty(), "{term} occurs");
        let found_ids: BTreeSet<String> = ids(&found).into_iter().collect();
        assert!(
            expected.is_subset(&found_ids),
            "'{term}': {} expected, {} found",
            expected.len(),
            found_ids.len()
        );
        for event in &found {
            let text = event.to_string().to_lowercase();
            let words = term.to_lowercase();
            let first = words
                .split(|c: char| !c.is_alphanumeric())
                .next()
                .expect("word");
            assert!(text.contains(first), "'{term}' found {event}");
        }
    }
    let by_id = walk(
        &harness,
        &cookie,
        "/api/archive/audit_logs",
        &format!("&q={key_id}"),
    )
    .await;
    assert_eq!(ids(&by_id).len(), 1, "a whole id finds its one event");
    // Search and filters combine.
    let both = walk(
        &harness,
        &cookie,
        "/api/archive/audit_logs",
        &format!("&q={}&event_types[]=login.failed", urlencode(&email)),
    )
    .await;
    assert!(both.iter().all(|e| e["type"] == "login.failed"));

    for hostile in [
        "\"",
        "\"\"\"",
        "*",
        "a*",
        "-",
        "-login",
        "NEAR(a b)",
        "a NEAR b",
        "(",
        ")",
        "a OR b",
        "NOT",
        "AND",
        "^start",
        "col:value",
        "text:x",
        "'",
        "\\",
        "%",
        "key_ -- DROP TABLE",
        "😀",
        "a\"b*c(d)-e",
    ] {
        let answer = harness
            .send(
                "GET",
                &format!("/api/archive/audit_logs?q={}", urlencode(hostile)),
                Some(&cookie),
                None,
                None,
            )
            .await;
        assert_eq!(
            answer.status,
            StatusCode::OK,
            "q={hostile}: {}",
            answer.text
        );
        let histogram = harness
            .send(
                "GET",
                &format!("/api/archive/histogram?q={}", urlencode(hostile)),
                Some(&cookie),
                None,
                None,
            )
            .await;
        assert_eq!(
            histogram.status,
            StatusCode::OK,
            "q={hostile}: {}",
            histogram.text
        );
    }
}

#[tokio::test]
async fn histogram_counts_add_up_to_the_query_total() {
    let harness = harness(800).await;
    let (cookie, _) = harness.auditor().await;
    harness.archive.sync_once().await.expect("sync");
    let events = upstream_events(&harness);
    let mid = events[400]["effective_at"].as_i64().expect("at");
    let late = events[100]["effective_at"].as_i64().expect("at");
    let email = events
        .iter()
        .find_map(|e| e["actor"]["session"]["user"]["email"].as_str())
        .expect("a session actor");
    for (bucket, seconds) in [("day", 86_400), ("hour", 3600)] {
        for query in [
            // From the per-hour table, with the partial hours at either end counted.
            String::new(),
            "&event_types[]=login.succeeded&event_types[]=logout.succeeded".into(),
            format!("&effective_at[gte]={mid}"),
            format!("&effective_at[gt]={mid}&effective_at[lte]={late}&event_types[]=login.failed"),
            // Counted from the events.
            "&q=Berlin".into(),
            format!("&actor_emails[]={}", urlencode(email)),
            format!("&q=Berlin&effective_at[lt]={late}"),
        ] {
            let histogram = harness
                .get(
                    &format!("/api/archive/histogram?bucket={bucket}{query}"),
                    &cookie,
                )
                .await
                .json();
            let listed = walk(&harness, &cookie, "/api/archive/audit_logs", &query).await;
            assert!(!listed.is_empty(), "{query}");
            assert_eq!(histogram["bucket"], bucket);
            assert_eq!(histogram["total"], listed.len(), "{bucket} {query}");
            let mut expected: BTreeMap<i64, BTreeMap<String, i64>> = BTreeMap::new();
            for event in &listed {
                let at = event["effective_at"].as_i64().expect("at");
                let kind = family(event["type"].as_str().expect("type")).to_owned();
                *expected
                    .entry(at - at % seconds)
                    .or_default()
                    .entry(kind)
                    .or_default() += 1;
            }
            let buckets = histogram["buckets"].as_array().expect("buckets");
            assert_eq!(buckets.len(), expected.len(), "only non-empty buckets");
            let mut sum = 0;
            for (row, (start, families)) in buckets.iter().zip(&expected) {
                assert_eq!(row["start"], *start, "aligned, oldest first");
                assert_eq!(row["start"].as_i64().expect("start") % seconds, 0);
                let split: i64 = row["families"]
                    .as_object()
                    .expect("families")
                    .values()
                    .map(|n| n.as_i64().expect("count"))
                    .sum();
                assert_eq!(row["total"], split, "the families add up to the bucket");
                assert_eq!(row["families"], json!(families));
                sum += split;
            }
            assert_eq!(histogram["total"], sum);
            assert_eq!(histogram["complete"], true, "within the budget");
            assert_eq!(histogram["counted_from"], Value::Null);
            assert_eq!(histogram["coverage"]["events"], 800);
        }
    }
    let bad = harness
        .get("/api/archive/histogram?bucket=week", &cookie)
        .await;
    bad.assert_error(StatusCode::BAD_REQUEST, None);
}

/// Past the newest 10,000 events, where PostgreSQL's full-text walk stops checking events one
/// by one and asks its GIN index (SQLite's FTS5 walks all the way): a rare word is found
/// however old, a frequent one pages in order to the end, both as a brute force finds them.
#[tokio::test]
async fn full_text_finds_rare_and_frequent_words_past_the_newest_ten_thousand_events() {
    let harness = harness(12_000).await;
    let (cookie, _) = harness.auditor().await;
    harness.archive.sync_once().await.expect("sync");
    let events = upstream_events(&harness);
    // The oldest event: a rare phrase (its own id), in no newest-10,000 window.
    let oldest = events.last().expect("events")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let found = walk(
        &harness,
        &cookie,
        "/api/archive/audit_logs",
        &format!("&q={}", urlencode(&oldest)),
    )
    .await;
    assert_eq!(ids(&found), [oldest]);
    // A frequent word with a filter, every page: exactly the events whose text has it.
    let email = events
        .iter()
        .find_map(|e| e["actor"]["session"]["user"]["email"].as_str())
        .expect("a session actor")
        .to_owned();
    let expected: Vec<String> = events
        .iter()
        .filter(|e| e["type"] == "login.succeeded")
        .filter(|e| e["actor"]["session"]["user"]["email"] == email.as_str())
        .map(|e| e["id"].as_str().expect("id").to_owned())
        .collect();
    assert!(expected.len() > 100, "{}", expected.len());
    let found = walk(
        &harness,
        &cookie,
        "/api/archive/audit_logs",
        &format!("&q={}&event_types[]=login.succeeded", urlencode(&email)),
    )
    .await;
    assert_eq!(ids(&found), expected);
    // Paging back up with `before` from the oldest: the newer neighbours, in order.
    let page = harness
        .get(
            &format!(
                "/api/archive/audit_logs?limit=3&q={}&event_types[]=login.succeeded&before={}",
                urlencode(&email),
                expected.last().expect("one")
            ),
            &cookie,
        )
        .await
        .json();
    let n = expected.len();
    assert_eq!(
        ids(page["data"].as_array().expect("data")),
        expected[n - 4..n - 1]
    );

    // A frequent word with a filter that is rare among the newest events: on PostgreSQL the
    // rest is read by the filter's walk, checking the word per candidate.
    let mut newest: BTreeMap<&str, usize> = BTreeMap::new();
    let mut all: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, event) in events.iter().enumerate() {
        let kind = event["type"].as_str().expect("type");
        *all.entry(kind).or_default() += 1;
        if i < 10_000 {
            *newest.entry(kind).or_default() += 1;
        }
    }
    let recent = |kind: &str| newest.get(kind).copied().unwrap_or(0);
    let rare = all
        .iter()
        .filter(|(kind, total)| recent(kind) < 100 && **total > recent(kind))
        .max_by_key(|(_, total)| **total)
        .map(|(kind, _)| (*kind).to_owned())
        .expect("a type rare among the newest events");
    let expected: Vec<String> = events
        .iter()
        .filter(|e| e["type"] == rare.as_str())
        .filter(|e| has_token_starting(e, "acme"))
        .map(|e| e["id"].as_str().expect("id").to_owned())
        .collect();
    assert!(!expected.is_empty(), "{rare}");
    let found = walk(
        &harness,
        &cookie,
        "/api/archive/audit_logs",
        &format!("&q=acme&event_types[]={rare}"),
    )
    .await;
    assert_eq!(ids(&found), expected, "{rare}");
}

/// Whether any string in `value` has a token (a run of letters and digits) starting with
/// `prefix`, as the full-text rules match a one-word query.
fn has_token_starting(value: &Value, prefix: &str) -> bool {
    match value {
        Value::String(text) => text
            .split(|c: char| !c.is_alphanumeric())
            .any(|token| token.to_lowercase().starts_with(prefix)),
        Value::Array(items) => items.iter().any(|v| has_token_starting(v, prefix)),
        Value::Object(map) => map.values().any(|v| has_token_starting(v, prefix)),
        _ => false,
    }
}

/// The histogram of a search that must count events one by one stops at its budget: with
/// none, it counts one window (the newest day), says so, and what it did count is exact.
#[tokio::test]
async fn a_histogram_past_its_budget_answers_with_what_it_counted_and_says_so() {
    let mut harness = harness(800).await;
    let (cookie, _) = harness.auditor().await;
    let hurried = std::sync::Arc::new(Archive::new(
        harness.db.clone(),
        harness.upstream.clone(),
        Some(harness.journal.clone()),
        Settings {
            count_budget: std::time::Duration::ZERO,
            ..Settings::default()
        },
    ));
    hurried.sync_once().await.expect("sync");
    harness.reconfigure(|state| state.archive = Some(hurried));
    let histogram = harness
        .get("/api/archive/histogram?bucket=hour&q=Berlin", &cookie)
        .await
        .json();
    assert_eq!(histogram["complete"], false);
    let from = histogram["counted_from"].as_i64().expect("counted_from");
    let newest = upstream_events(&harness)[0]["effective_at"]
        .as_i64()
        .expect("at");
    assert!(newest - from < 86_400, "one day counted: {from} {newest}");
    let counted = walk(
        &harness,
        &cookie,
        "/api/archive/audit_logs",
        &format!("&q=Berlin&effective_at[gte]={from}"),
    )
    .await;
    let everything = walk(&harness, &cookie, "/api/archive/audit_logs", "&q=Berlin").await;
    assert_eq!(
        histogram["total"],
        counted.len(),
        "exact from counted_from on"
    );
    assert!(counted.len() < everything.len(), "and not more");
    // Time and type come from the per-hour table, which has no budget to run out of.
    let table = harness
        .get(
            "/api/archive/histogram?bucket=day&event_types[]=login.failed",
            &cookie,
        )
        .await
        .json();
    assert_eq!(table["complete"], true);
}

#[tokio::test]
async fn retention_prunes_old_events_and_journals_it() {
    let harness = harness(300).await;
    let (cookie, _) = harness.auditor().await;
    let keeping = Archive::new(
        harness.db.clone(),
        harness.upstream.clone(),
        Some(harness.journal.clone()),
        Settings {
            retention: "30d".parse::<Retention>().expect("retention"),
            ..Settings::default()
        },
    );
    let report = keeping.sync_once().await.expect("sync");
    let cutoff = gatehouse::journal::now() - 30 * 86_400;
    let old = upstream_events(&harness)
        .iter()
        .filter(|e| e["effective_at"].as_i64().expect("at") < cutoff)
        .count();
    assert!(old > 50, "{old}");
    assert_eq!(report.pruned as usize, old);
    let archive = archived(&harness, &cookie).await;
    assert_eq!(archive.len(), 300 - old);
    assert!(
        archive
            .iter()
            .all(|e| e["effective_at"].as_i64().expect("at") >= cutoff)
    );
    let again = keeping.sync_once().await.expect("sync");
    assert_eq!(
        (again.added, again.pruned),
        (0, 0),
        "pruned events are not fetched again"
    );
    // The kept counts lose the pruned events too, down to the hour the cutoff fell in.
    for bucket in ["day", "hour"] {
        let histogram = harness
            .get(&format!("/api/archive/histogram?bucket={bucket}"), &cookie)
            .await
            .json();
        assert_eq!(histogram["total"], 300 - old, "{bucket}");
        assert_eq!(histogram["coverage"]["events"], 300 - old);
    }

    let (rows, _) = harness
        .journal
        .list(&gatehouse::journal::Filter {
            limit: 10,
            ..Default::default()
        })
        .await
        .expect("journal");
    let row = rows
        .iter()
        .find(|r| r.path == "/api/archive/audit_logs")
        .expect("a pruning row");
    assert_eq!(
        (row.username.as_str(), row.role.as_str()),
        ("gatehouse", "system")
    );
    let body: Value = serde_json::from_str(row.body.as_deref().expect("body")).expect("json");
    assert_eq!(body["pruned"], old);
    assert!(harness.journal.verify().await.expect("verify").is_ok());
}

#[tokio::test]
async fn owners_and_auditors_read_the_archive_and_nobody_else() {
    let harness = harness(30).await;
    harness.archive.sync_once().await.expect("sync");
    for path in [
        "/api/archive/audit_logs",
        "/api/archive/histogram",
        "/api/archive/status",
    ] {
        harness
            .send("GET", path, None, None, None)
            .await
            .assert_error(StatusCode::UNAUTHORIZED, Some("unauthenticated"));
        for (cookie, _) in [harness.auditor().await, harness.owner().await] {
            let answer = harness.get(path, &cookie).await;
            assert_eq!(answer.status, StatusCode::OK, "{path}: {}", answer.text);
            assert_eq!(answer.json()["coverage"]["events"], 30, "{path}");
        }
    }
    let (cookie, _) = harness.auditor().await;
    let status = harness.get("/api/archive/status", &cookie).await.json();
    assert_eq!(status["enabled"], true);
    assert_eq!(status["coverage"]["backfill"]["complete"], true);
    let unknown = harness
        .get("/api/archive/audit_logs?colour=red", &cookie)
        .await;
    unknown.assert_error(StatusCode::BAD_REQUEST, None);
}

#[tokio::test]
async fn a_change_made_through_the_portal_is_on_the_first_page_at_once() {
    let harness = harness(30).await;
    harness.archive.sync_once().await.expect("backfill");
    // The last cycle was a minute ago: longer than a reader's first page waits for.
    sqlx::query("UPDATE sync_state SET last_sync = last_sync - 60 WHERE id = 1")
        .execute(&harness.db.pool)
        .await
        .expect("age the last sync");
    let (cookie, csrf) = harness.owner().await;
    let created = harness
        .send(
            "POST",
            "/api/v1/organization/projects",
            Some(&cookie),
            Some(&csrf),
            Some(r#"{"name":"Fresh"}"#),
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.text);
    let first = harness
        .get("/api/archive/audit_logs?limit=5", &cookie)
        .await
        .json();
    assert_eq!(first["data"][0]["type"], "project.created", "{first}");
    assert_eq!(
        first["data"][0]["project.created"]["id"],
        created.json()["id"]
    );
    let now = gatehouse::journal::now();
    let last_sync = first["coverage"]["last_sync"].as_i64().expect("last sync");
    assert!(now - last_sync < 5, "the coverage says it just synced");
    // An older page does not wait for a sync.
    let cursor = first["last_id"].as_str().expect("cursor");
    let older = harness
        .get(
            &format!("/api/archive/audit_logs?limit=5&after={cursor}"),
            &cookie,
        )
        .await;
    assert_eq!(older.status, StatusCode::OK, "{}", older.text);
}

#[tokio::test]
async fn readers_arriving_together_share_one_catch_up() {
    let harness = harness(30).await;
    harness.archive.sync_once().await.expect("backfill");
    sqlx::query("UPDATE sync_state SET last_sync = last_sync - 60 WHERE id = 1")
        .execute(&harness.db.pool)
        .await
        .expect("age the last sync");
    let (cookie, _) = harness.auditor().await;
    // The last attempt must look old too (it is kept in memory): wait out the freshness.
    tokio::time::sleep(gatehouse::archive::FRESH).await;
    let before = harness.hits();
    let readers = (0..6).map(|_| harness.get("/api/archive/audit_logs?limit=5", &cookie));
    for answer in futures_util::future::join_all(readers).await {
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    }
    let polls = harness.hits() - before;
    assert!(
        (1..=2).contains(&polls),
        "six readers caused {polls} upstream requests; one catch-up cycle needs one"
    );
}

#[tokio::test]
async fn a_disabled_archive_says_so() {
    let harness = Harness::without_archive(common::small_sandbox(common::CANARY_KEY)).await;
    let (cookie, _) = harness.auditor().await;
    let status = harness.get("/api/archive/status", &cookie).await.json();
    assert_eq!(status["enabled"], false);
    assert_eq!(status["coverage"]["events"], 0);
    for path in ["/api/archive/audit_logs", "/api/archive/histogram"] {
        harness
            .get(path, &cookie)
            .await
            .assert_error(StatusCode::NOT_FOUND, Some("archive_disabled"));
    }
}

/// A child process killed (SIGKILL) when dropped.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs `gatehouse` with `args`; returns it and the rest of the first stdout line starting
/// with `prefix`.
fn spawn(args: &[&str], env: &[(&str, &str)], prefix: &str) -> (Killed, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gatehouse"));
    command
        .args(args)
        .env_remove("OPENAI_ADMIN_KEY")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = Killed(command.spawn().expect("spawn gatehouse"));
    let mut lines = BufReader::new(child.0.stdout.take().expect("stdout")).lines();
    let line = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| l.strip_prefix(prefix).map(str::to_owned))
        .unwrap_or_else(|| panic!("no line starting with '{prefix}'"));
    std::thread::spawn(move || lines.for_each(drop));
    (child, line)
}

/// Reads the archive's database file while `gatehouse serve` writes it.
async fn read_only(data_dir: &std::path::Path) -> sqlx::SqlitePool {
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(data_dir.join("gatehouse.db"))
        .read_only(true);
    sqlx::SqlitePool::connect_with(options)
        .await
        .expect("open read-only")
}

/// `(events archived, backfill complete)`, or zeros before the schema exists.
async fn progress(pool: &sqlx::SqlitePool) -> (i64, bool) {
    // One statement, so one snapshot: read apart, the last batch could commit between the
    // count and the flag (seen: 4000 counted, then "complete").
    let row: (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM audit_events), backfill_complete FROM sync_state",
    )
    .fetch_one(pool)
    .await
    .unwrap_or((0, 0));
    (row.0, row.1 == 1)
}

/// A real `gatehouse serve` against a separate, slow `gatehouse sandbox`: killed (SIGKILL) in the
/// middle of its backfill, then restarted; the final archive is upstream's log, whole, in order,
/// each event once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_backfill_then_restart_gives_the_same_archive() {
    const KEY: &str = "test-admin-key-archive-crash-0123456789";
    const EVENTS: i64 = 6000;
    let (_sandbox, upstream) = spawn(
        &[
            "sandbox",
            "--listen",
            "127.0.0.1:0",
            "--admin-key",
            KEY,
            "--audit-events",
            &EVENTS.to_string(),
            "--faults",
            "latency=15ms",
        ],
        &[],
        "Sandbox listening on ",
    );
    let data_dir = common::tempdir();
    let static_dir = common::tempdir();
    std::fs::write(static_dir.join("index.html"), "<!doctype html>").expect("index");
    let data = data_dir.to_str().expect("path");
    let dist = static_dir.to_str().expect("path");
    let args = [
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--upstream",
        &upstream,
        "--data-dir",
        data,
        "--static-dir",
        dist,
        "--archive-interval",
        "1s",
    ];
    let env = [("OPENAI_ADMIN_KEY", KEY)];

    let (serve, _) = spawn(&args, &env, "Gatehouse is listening on ");
    let deadline = Instant::now() + Duration::from_secs(60);
    let pool = loop {
        if data_dir.join("gatehouse.db").exists() {
            break read_only(&data_dir).await;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    loop {
        let (events, _) = progress(&pool).await;
        if events >= 1000 {
            break;
        }
        assert!(Instant::now() < deadline, "the backfill never got going");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    drop(serve); // SIGKILL: no shutdown, no flush.
    let (at_kill, complete) = progress(&pool).await;
    assert!(
        !complete && at_kill < EVENTS,
        "killed mid-backfill at {at_kill}"
    );

    let (_serve, _) = spawn(&args, &env, "Gatehouse is listening on ");
    loop {
        let (events, complete) = progress(&pool).await;
        if complete {
            assert_eq!(events, EVENTS);
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the backfill never finished: {events}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::new();
    let mut upstream_events: Vec<Value> = Vec::new();
    let mut after = String::new();
    loop {
        let page: Value = client
            .get(format!(
                "{upstream}/organization/audit_logs?limit=100{after}"
            ))
            .bearer_auth(KEY)
            .send()
            .await
            .expect("upstream")
            .json()
            .await
            .expect("page");
        upstream_events.extend(page["data"].as_array().expect("data").iter().cloned());
        if page["has_more"] != true {
            break;
        }
        after = format!("&after={}", page["last_id"].as_str().expect("last"));
    }
    let archived: Vec<String> =
        sqlx::query_scalar("SELECT json FROM audit_events ORDER BY effective_at DESC, seq DESC")
            .fetch_all(&pool)
            .await
            .expect("archive");
    let archived: Vec<Value> = archived
        .iter()
        .map(|j| serde_json::from_str(j).expect("json"))
        .collect();
    assert_eq!(ids(&archived), ids(&upstream_events));
    assert_eq!(archived, upstream_events);
    let backfilled: i64 = sqlx::query_scalar("SELECT backfill_events FROM sync_state")
        .fetch_one(&pool)
        .await
        .expect("state");
    assert_eq!(backfilled, EVENTS, "each event stored once");
    println!("killed at {at_kill} of {EVENTS} events; the restart completed the archive");
}
