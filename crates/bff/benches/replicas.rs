//! Two replicas through nginx under load: 200 signed-in clients at once for 60 s against the
//! deployment of the replicas' end-to-end test (two release `gatehouse serve` on one
//! PostgreSQL behind nginx, a `gatehouse sandbox` upstream). Each client has its own session
//! and asks, in turn, for its session, a page of the organization's users (proxied upstream)
//! and a page of the archive. Prints requests per second, p50/p99 and errors. Printed, never
//! asserted.
//!
//! Needs nginx and `GATEHOUSE_BENCH_POSTGRES` (a server URL; `make bench` starts a throwaway
//! cluster). `GATEHOUSE_BENCH_CLIENTS` and `GATEHOUSE_BENCH_SECONDS` change the load.

#[path = "../tests/common/cluster.rs"]
mod cluster;
mod common;
#[path = "../tests/common/process.rs"]
mod process;

use std::time::{Duration, Instant};

use cluster::Cluster;

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let Ok(server) = std::env::var("GATEHOUSE_BENCH_POSTGRES") else {
        println!("replicas: skipped (set GATEHOUSE_BENCH_POSTGRES to a PostgreSQL server URL)");
        return;
    };
    let clients = setting("GATEHOUSE_BENCH_CLIENTS", 200);
    let seconds = setting("GATEHOUSE_BENCH_SECONDS", 60);
    let cluster = Cluster::start("bench", 60, &server).await;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()
        .expect("client");

    // One session per client, signed in through nginx.
    let mut cookies = Vec::with_capacity(clients);
    for _ in 0..clients {
        let (cookie, _) = cluster::sign_in(&http, &cluster.portal).await;
        cookies.push(cookie);
    }
    // Let the archive's first backfill finish before measuring.
    tokio::time::sleep(Duration::from_secs(3)).await;

    let paths = [
        "/api/session",
        "/api/v1/organization/users?limit=20",
        "/api/archive/audit_logs?limit=20",
    ];
    let deadline = Instant::now() + Duration::from_secs(seconds as u64);
    let started = Instant::now();
    let tasks: Vec<_> = cookies
        .into_iter()
        .enumerate()
        .map(|(n, cookie)| {
            let (http, portal) = (http.clone(), cluster.portal.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut errors = 0_usize;
                let mut i = n;
                while Instant::now() < deadline {
                    let path = paths[i % paths.len()];
                    i += 1;
                    let sent = Instant::now();
                    match http
                        .get(format!("{portal}{path}"))
                        .header("cookie", &cookie)
                        .send()
                        .await
                    {
                        Ok(answer) if answer.status().is_success() => {
                            let _ = answer.bytes().await;
                            latencies.push(sent.elapsed());
                        }
                        _ => errors += 1,
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut errors = 0;
    for task in tasks {
        let (mine, failed) = task.await.expect("client");
        latencies.extend(mine);
        errors += failed;
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let at = |p: f64| common::percentile(&latencies, p).as_secs_f64() * 1000.0;
    #[allow(clippy::cast_precision_loss)]
    let rate = latencies.len() as f64 / elapsed;
    println!(
        "two replicas on PostgreSQL behind nginx, {clients} signed-in clients for {seconds} s \
         (session, users page proxied upstream, archive page, in turn)"
    );
    println!(
        "  requests/s {rate:.0}   p50 {:.1} ms   p99 {:.1} ms   errors {errors} (goal: 0)",
        at(0.50),
        at(0.99)
    );
    drop(cluster);
}
