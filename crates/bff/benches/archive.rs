//! What the audit archive costs as it grows, with a sandbox seeded on loopback and the BFF in
//! process, at 50,000, 250,000 and 1,000,000 events: the backfill of all of them (events per
//! second overall, over the first 100,000 and over the last 100,000), the bytes stored per
//! event, an incremental sync of 1,000 new events, and p50/p95 of filtered queries, full-text
//! queries (first and second pages of each) and histograms, one request at a time over real
//! loopback HTTP, with the goals beside the figures and a table of every size at the end.
//! Printed, never asserted: `cargo bench -p gatehouse --bench archive` (or `make bench`).
//!
//! `GATEHOUSE_BENCH_EVENTS=N[,N…]` sets the sizes, `GATEHOUSE_BENCH_ROUNDS=N` the requests per
//! query kind (300); `GATEHOUSE_BENCH_POSTGRES=postgres://…` (a server URL) runs it on fresh
//! PostgreSQL databases instead of SQLite.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::KEY;
use gatehouse::archive::{Archive, Settings};
use gatehouse::journal::Journal;
use sandbox::{Sandbox, SeedOptions};
use serde_json::{Value, json};

/// Events seeded, unless `GATEHOUSE_BENCH_EVENTS` says otherwise.
const DEFAULT_EVENTS: &str = "50000,250000,1000000";
/// The backfill's pace is compared over its first and its last this many events.
const PACE_WINDOW: i64 = 100_000;
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

/// `queries`, each followed by its second page (`after` its first page's `last_id`), as a
/// reader paging on asks for it.
async fn with_second_pages(
    client: &reqwest::Client,
    base: &str,
    cookie: &str,
    queries: Vec<String>,
) -> Vec<String> {
    let mut all = Vec::with_capacity(queries.len() * 2);
    for query in queries {
        let page: Value = client
            .get(format!("{base}{query}"))
            .header("cookie", cookie)
            .send()
            .await
            .expect("first page")
            .json()
            .await
            .expect("a page");
        let next = page["has_more"]
            .as_bool()
            .unwrap_or(false)
            .then(|| {
                page["last_id"]
                    .as_str()
                    .map(|id| format!("{query}&after={id}"))
            })
            .flatten();
        all.push(query);
        all.extend(next);
    }
    all
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
    // The slowest query, for whoever wonders what the p95 is made of.
    if let Some((round, slowest)) = latencies.iter().enumerate().max_by_key(|(_, d)| **d) {
        println!(
            "  slowest: {:.1} ms for {}",
            slowest.as_secs_f64() * 1e3,
            queries[round % queries.len()]
        );
    }
    percentiles(latencies)
}

fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// What one size measured.
struct Figures {
    events: usize,
    engine: gatehouse::db::Engine,
    backfill: Duration,
    first_pace: f64,
    last_pace: f64,
    bytes: u64,
    incremental: Duration,
    /// p50 and p95 per query family, in [`FAMILIES`] order.
    queries: Vec<(Duration, Duration)>,
}

/// The query families, with their goals.
const FAMILIES: [(&str, &str); 4] = [
    ("filtered (5 kinds), 1st and 2nd pages", "p95 <= 50 ms"),
    (
        "full-text (email, IP, id, word+type), 1st+2nd",
        "p95 <= 100 ms",
    ),
    ("histogram, 90 days by day", "p95 <= 100 ms"),
    (
        "histogram, mixed (one type, 7 days by hour)",
        "p95 <= 100 ms",
    ),
];

/// A fresh store: SQLite in `dir`, or a new database on the PostgreSQL server that
/// GATEHOUSE_BENCH_POSTGRES names.
async fn fresh_store(dir: &std::path::Path, events: usize) -> gatehouse::db::Db {
    match std::env::var("GATEHOUSE_BENCH_POSTGRES")
        .ok()
        .filter(|u| !u.is_empty())
    {
        Some(server) => {
            use sqlx::Connection;
            let server = server.trim_end_matches('/');
            let name = format!("bench_{}_{events}", std::process::id());
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
        None => gatehouse::db::Db::open(dir).await.expect("database"),
    }
}

/// The bytes the store takes: the SQLite files, or the PostgreSQL database.
async fn store_bytes(db: &gatehouse::db::Db, dir: &std::path::Path) -> u64 {
    match db.engine {
        gatehouse::db::Engine::Postgres => {
            let bytes: i64 = sqlx::query_scalar("SELECT pg_database_size(current_database())")
                .fetch_one(&db.pool)
                .await
                .expect("database size");
            u64::try_from(bytes).unwrap_or(0)
        }
        gatehouse::db::Engine::Sqlite => {
            // What stays once the write-ahead log is folded in.
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&db.pool)
                .await
                .expect("checkpoint");
            std::fs::read_dir(dir)
                .expect("data dir")
                .filter_map(|entry| entry.ok()?.metadata().ok())
                .map(|meta| meta.len())
                .sum()
        }
    }
}

/// When the backfill passed each count of events, sampled every 100 ms.
async fn watch_backfill(
    archive: Arc<Archive>,
    done: Arc<std::sync::atomic::AtomicBool>,
) -> Vec<(Duration, i64)> {
    let started = Instant::now();
    let mut samples = vec![(Duration::ZERO, 0)];
    while !done.load(std::sync::atomic::Ordering::SeqCst) {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if let Ok(coverage) = archive.coverage().await {
            samples.push((started.elapsed(), coverage.backfill.events));
        }
    }
    samples
}

/// Events per second between the samples nearest to `from` and `to` events.
#[allow(clippy::cast_precision_loss)]
fn pace(samples: &[(Duration, i64)], from: i64, to: i64) -> f64 {
    let at = |n: i64| {
        samples
            .iter()
            .find(|(_, events)| *events >= n)
            .or(samples.last())
            .copied()
            .unwrap_or_default()
    };
    let ((t0, n0), (t1, n1)) = (at(from), at(to));
    (n1 - n0) as f64 / (t1 - t0).as_secs_f64().max(1e-9)
}

async fn bench(events_wanted: usize) -> Figures {
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
    let dir = std::env::temp_dir().join(format!(
        "gatehouse-bench-archive-{}-{events_wanted}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let db = fresh_store(&dir, events_wanted).await;
    let engine = db.engine;
    let journal = Arc::new(Journal::new(db.clone()));
    let archive = Arc::new(Archive::new(
        db.clone(),
        upstream.clone(),
        Some(journal.clone()),
        Settings::default(),
    ));
    let bff = common::serve_bff(upstream, Some(journal), Some(archive.clone())).await;

    // Backfill: everything upstream has, 100 events a page, its progress sampled.
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watcher = tokio::spawn(watch_backfill(archive.clone(), done.clone()));
    let started = Instant::now();
    let report = archive.sync_once().await.expect("backfill");
    let backfill = started.elapsed();
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let mut samples = watcher.await.expect("watcher");
    samples.push((backfill, i64::try_from(report.backfilled).unwrap_or(0)));
    assert_eq!(report.backfilled as usize, events_wanted);
    let total = i64::try_from(events_wanted).unwrap_or(i64::MAX);
    let window = PACE_WINDOW.min(total);
    let (first_pace, last_pace) = (
        pace(&samples, 0, window),
        pace(&samples, total - window, total),
    );
    let bytes = store_bytes(&db, &dir).await;

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
    let histograms = [
        format!("?bucket=day&effective_at[gte]={quarter_ago}"),
        format!("?bucket=day&effective_at[gte]={quarter_ago}&event_types[]=login.failed"),
        format!("?bucket=hour&effective_at[gte]={}", now - 7 * 86_400),
    ];

    let list = format!("{bff}/api/archive/audit_logs");
    let filtered = with_second_pages(&client, &list, &cookie, filtered).await;
    let full_text = with_second_pages(&client, &list, &cookie, full_text).await;
    let histogram = format!("{bff}/api/archive/histogram");
    let queries = vec![
        measure(&client, &list, &cookie, &filtered).await,
        measure(&client, &list, &cookie, &full_text).await,
        measure(&client, &histogram, &cookie, &histograms[..1]).await,
        measure(&client, &histogram, &cookie, &histograms[1..]).await,
    ];
    let _ = std::fs::remove_dir_all(&dir);
    let figures = Figures {
        events: events_wanted,
        engine,
        backfill,
        first_pace,
        last_pace,
        bytes,
        incremental,
        queries,
    };
    print_one(&figures);
    figures
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

#[allow(clippy::cast_precision_loss)]
fn print_one(f: &Figures) {
    let rate = f.events as f64 / f.backfill.as_secs_f64();
    println!(
        "audit archive on {:?}, {} events, BFF in process, loopback HTTP/1.1, one request at a time",
        f.engine, f.events
    );
    println!("  {:<48} {:>30}   goal", "measure", "figure");
    println!(
        "  {:<48} {:>30}   >= 5,000 events/s",
        format!("backfill of {} events", f.events),
        format!("{:.1} s, {rate:.0} events/s", f.backfill.as_secs_f64())
    );
    println!(
        "  {:<48} {:>30}   last >= 2/3 of first",
        "backfill pace, first and last 100,000",
        format!("{:.0} and {:.0} events/s", f.first_pace, f.last_pace)
    );
    println!(
        "  {:<48} {:>30}   reported",
        "stored",
        format!(
            "{:.1} MB, {:.0} bytes/event",
            f.bytes as f64 / 1e6,
            f.bytes as f64 / f.events as f64
        )
    );
    println!(
        "  {:<48} {:>30}   <= 1 s",
        "incremental sync of 1,000 new events",
        format!("{:.3} s", f.incremental.as_secs_f64())
    );
    for ((name, goal), (p50, p95)) in FAMILIES.iter().zip(&f.queries) {
        println!(
            "  {name:<48} {:>30}   {goal}",
            format!("p50 {:.1} ms, p95 {:.1} ms", ms(*p50), ms(*p95))
        );
    }
}

/// Every size in one Markdown table, as README shows it.
#[allow(clippy::cast_precision_loss)]
fn print_table(all: &[Figures]) {
    println!();
    println!(
        "| engine | events | backfill events/s (first, last 100k) | bytes/event | filtered p50/p95 ms | full-text p50/p95 ms | histogram 90 d p50/p95 ms | histogram mixed p50/p95 ms |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for f in all {
        let queries: Vec<String> = f
            .queries
            .iter()
            .map(|(p50, p95)| format!("{:.1} / {:.1}", ms(*p50), ms(*p95)))
            .collect();
        println!(
            "| {:?} | {} | {:.0} ({:.0}, {:.0}) | {:.0} | {} |",
            f.engine,
            f.events,
            f.events as f64 / f.backfill.as_secs_f64(),
            f.first_pace,
            f.last_pace,
            f.bytes as f64 / f.events as f64,
            queries.join(" | ")
        );
    }
}

fn main() {
    let sizes: Vec<usize> = std::env::var("GATEHOUSE_BENCH_EVENTS")
        .unwrap_or_else(|_| DEFAULT_EVENTS.to_owned())
        .split(',')
        .filter_map(|n| n.trim().replace('_', "").parse().ok())
        .collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut all = Vec::new();
        for size in sizes {
            all.push(bench(size).await);
        }
        print_table(&all);
    });
}
