//! What the audit archive costs, with a sandbox seeded with 50,000 events on loopback and the
//! BFF in process: the backfill of all of them (events per second), an incremental sync of
//! 1,000 new events, and p50/p95 of filtered queries, full-text queries and a 90-day histogram,
//! one request at a time over real loopback HTTP, with the goals beside the figures. Printed,
//! never asserted: `cargo bench -p gatehouse --bench archive` (or `make bench`).
//!
//! `GATEHOUSE_BENCH_EVENTS=N` seeds N events instead, `GATEHOUSE_BENCH_ROUNDS=N` sends N
//! requests per query kind (300); `GATEHOUSE_BENCH_POSTGRES=postgres://…`
//! (a server URL) runs it on a fresh PostgreSQL database instead of SQLite.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::KEY;
use gatehouse::archive::{Archive, Settings};
use gatehouse::journal::Journal;
use sandbox::{Sandbox, SeedOptions};
use serde_json::{Value, json};

/// Events seeded, unless `GATEHOUSE_BENCH_EVENTS` says otherwise.
const DEFAULT_EVENTS: usize = 50_000;
const NEW_EVENTS: i64 = 1_000;
/// Requests per query kind, unless `GATEHOUSE_BENCH_ROUNDS` says otherwise.
const DEFAULT_ROUNDS: usize = 300;

fn rounds() -> usize {
    std::env::var("GATEHOUSE_BENCH_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(DEFAULT_ROUNDS)
}

/// p50 and p95 of `latencies`.
fn percentiles(mut latencies: Vec<Duration>) -> (Duration, Duration) {
    latencies.sort_unstable();
    let at = |p: f64| common::percentile(&latencies, p);
    (at(0.50), at(0.95))
}

/// Sends each of `queries` in turn, [`rounds`] requests in all, after a warm-up round.
async fn measure(
    client: &reqwest::Client,
    base: &str,
    cookie: &str,
    queries: &[String],
) -> (Duration, Duration) {
    let get = |query: &String| {
        client
            .get(format!("{base}{query}"))
            .header("cookie", cookie)
            .send()
    };
    for query in queries {
        let response = get(query).await.expect("warm-up");
        assert!(
            response.status().is_success(),
            "{query}: {}",
            response.status()
        );
        let _ = response.bytes().await;
    }
    let rounds = rounds();
    let mut latencies = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let query = &queries[round % queries.len()];
        let sent = Instant::now();
        let response = get(query).await.expect("request");
        assert!(
            response.status().is_success(),
            "{query}: {}",
            response.status()
        );
        response.bytes().await.expect("body");
        latencies.push(sent.elapsed());
    }
    percentiles(latencies)
}

fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

async fn bench() {
    let events_wanted: usize = std::env::var("GATEHOUSE_BENCH_EVENTS")
        .ok()
        .and_then(|n| n.replace('_', "").parse().ok())
        .unwrap_or(DEFAULT_EVENTS);
    let seeding = Instant::now();
    let sandbox = Sandbox::seeded(
        KEY,
        SeedOptions {
            audit_events: events_wanted,
            ..SeedOptions::default()
        },
    );
    println!(
        "seeded {events_wanted} events in {:.1} s",
        seeding.elapsed().as_secs_f64()
    );
    let (upstream, _) = common::serve_sandbox(sandbox.clone()).await;
    let dir = std::env::temp_dir().join(format!("gatehouse-bench-archive-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    // The store: SQLite in a temp dir, or a fresh database on the PostgreSQL server that
    // GATEHOUSE_BENCH_POSTGRES names.
    let db = match std::env::var("GATEHOUSE_BENCH_POSTGRES")
        .ok()
        .filter(|u| !u.is_empty())
    {
        Some(server) => {
            use sqlx::Connection;
            let server = server.trim_end_matches('/');
            let name = format!("bench_{}", std::process::id());
            let mut admin = sqlx::postgres::PgConnection::connect(&format!("{server}/postgres"))
                .await
                .expect("the PostgreSQL server of GATEHOUSE_BENCH_POSTGRES");
            sqlx::Executor::execute(&mut admin, format!("CREATE DATABASE {name}").as_str())
                .await
                .expect("create database");
            gatehouse::db::Db::connect(&format!("{server}/{name}"))
                .await
                .expect("database")
        }
        None => gatehouse::db::Db::open(&dir).await.expect("database"),
    };
    let engine = db.engine;
    let journal = Arc::new(Journal::new(db.clone()));
    let archive = Arc::new(Archive::new(
        db.clone(),
        upstream.clone(),
        Some(journal.clone()),
        Settings::default(),
    ));
    let bff = common::serve_bff(upstream, Some(journal), Some(archive.clone())).await;

    // Backfill: everything upstream has, 100 events a page.
    let started = Instant::now();
    let report = archive.sync_once().await.expect("backfill");
    let backfill = started.elapsed();
    assert_eq!(report.backfilled as usize, events_wanted);

    // Incremental: 1,000 new events over the last few seconds.
    let now = sandbox.read(sandbox::Org::now);
    for n in 0..NEW_EVENTS {
        sandbox.record_audit_event(
            now - 4 + n % 5,
            "project.updated",
            json!({"id": format!("proj_new{n}")}),
        );
    }
    let started = Instant::now();
    let report = archive.sync_once().await.expect("poll");
    let incremental = started.elapsed();
    assert_eq!(report.added, 1_000);

    let client = reqwest::Client::new();
    let cookie = common::sign_in(&client, &bff).await;

    // Realistic values, taken from the seeded log.
    let events: Vec<Value> = sandbox.read(|org| {
        org.audit_events()
            .step_by(997)
            .map(|e| serde_json::to_value(e).expect("json"))
            .collect()
    });
    let pick = |path: &str| -> Vec<String> {
        events
            .iter()
            .filter_map(|e| {
                let mut value = e;
                for key in path.split('/') {
                    value = value.get(key)?;
                }
                value.as_str().map(str::to_owned)
            })
            .collect()
    };
    let emails = pick("actor/session/user/email");
    let users = pick("actor/session/user/id");
    let projects = pick("project/id");
    let month_ago = now - 30 * 86_400;
    let filtered: Vec<String> = (0..8)
        .flat_map(|n| {
            [
                format!("?event_types[]=login.failed&limit=50&effective_at[gte]={month_ago}"),
                format!(
                    "?actor_emails[]={}&limit=50",
                    encode(&emails[n % emails.len()])
                ),
                format!(
                    "?actor_ids[]={}&event_types[]=login.succeeded",
                    users[n % users.len()]
                ),
                format!(
                    "?project_ids[]={}&effective_at[gte]={month_ago}&limit=100",
                    projects[n % projects.len()]
                ),
                "?event_types[]=api_key.created&event_types[]=api_key.deleted&limit=100".to_owned(),
            ]
        })
        .collect();
    let key_fragments: Vec<String> = pick("api_key.created/id")
        .iter()
        .map(|id| id[..10].to_owned())
        .collect();
    let full_text: Vec<String> = (0..8)
        .flat_map(|n| {
            [
                format!("?q={}", encode(&emails[n % emails.len()])),
                "?q=203.0.113.24".to_owned(),
                format!("?q={}", key_fragments[n % key_fragments.len()]),
                "?q=Berlin&event_types[]=login.failed&limit=50".to_owned(),
            ]
        })
        .collect();
    let quarter_ago = now - 90 * 86_400;
    let histograms = vec![
        format!("?bucket=day&effective_at[gte]={quarter_ago}"),
        format!("?bucket=day&effective_at[gte]={quarter_ago}&event_types[]=login.failed"),
        format!("?bucket=hour&effective_at[gte]={}", now - 7 * 86_400),
    ];

    let list = format!("{bff}/api/archive/audit_logs");
    let (filtered_p50, filtered_p95) = measure(&client, &list, &cookie, &filtered).await;
    let (text_p50, text_p95) = measure(&client, &list, &cookie, &full_text).await;
    let histogram = format!("{bff}/api/archive/histogram");
    let (histogram_p50, histogram_p95) =
        measure(&client, &histogram, &cookie, &histograms[..1]).await;
    let (mixed_p50, mixed_p95) = measure(&client, &histogram, &cookie, &histograms).await;

    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    #[allow(clippy::cast_precision_loss)]
    let rate = events_wanted as f64 / backfill.as_secs_f64();
    println!(
        "audit archive on {:?}, sandbox seeded with {events_wanted} events, BFF in process, loopback HTTP/1.1, one request at a time",
        engine
    );
    println!("  {:<44} {:>22}   goal", "measure", "figure");
    println!(
        "  {:<44} {:>22}   reported",
        format!("backfill of {events_wanted} events"),
        format!("{:.1} s, {rate:.0} events/s", backfill.as_secs_f64())
    );
    println!(
        "  {:<44} {:>22}   <= 1 s",
        "incremental sync of 1,000 new events",
        format!("{:.3} s", incremental.as_secs_f64())
    );
    for (name, p50, p95, goal) in [
        (
            "filtered query (5 kinds)",
            filtered_p50,
            filtered_p95,
            "p95 <= 50 ms",
        ),
        (
            "full-text query (email, IP, id, word+filter)",
            text_p50,
            text_p95,
            "p95 <= 50 ms",
        ),
        (
            "histogram, 90 days by day",
            histogram_p50,
            histogram_p95,
            "p95 <= 50 ms",
        ),
        (
            "histogram, mixed (filtered, 7 days by hour)",
            mixed_p50,
            mixed_p95,
            "p95 <= 50 ms",
        ),
    ] {
        println!(
            "  {name:<44} {:>22}   {goal}",
            format!("p50 {:.1} ms, p95 {:.1} ms", ms(p50), ms(p95))
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let _ = rustls::crypto::ring::default_provider().install_default();
        bench().await;
    });
}
