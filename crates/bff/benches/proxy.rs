//! What the BFF costs: an authenticated list of users through the BFF and directly against the
//! sandbox, under the same load in the same run, over real loopback HTTP. Prints requests per
//! second, p50 and p99, and the BFF/direct ratios. Printed, never asserted:
//! `cargo bench -p gatehouse --bench proxy` (or `make bench`).

mod common;

use std::time::{Duration, Instant};

use common::KEY;
use sandbox::{Sandbox, SeedOptions};

const CONCURRENCY: usize = 8;

struct Figures {
    rps: f64,
    p50: Duration,
    p99: Duration,
}

async fn load(
    client: &reqwest::Client,
    url: &str,
    headers: &[(&str, String)],
    per_client: usize,
) -> Figures {
    // Warm up connections and caches.
    for _ in 0..20 {
        let mut request = client.get(url);
        for (k, v) in headers {
            request = request.header(*k, v);
        }
        let _ = request.send().await.expect("warm-up").bytes().await;
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CONCURRENCY {
        let (client, url) = (client.clone(), url.to_owned());
        let headers: Vec<(String, String)> = headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(per_client);
            for _ in 0..per_client {
                let mut request = client.get(&url);
                for (k, v) in &headers {
                    request = request.header(k, v);
                }
                let sent = Instant::now();
                let response = request.send().await.expect("request");
                assert!(response.status().is_success(), "{}", response.status());
                response.bytes().await.expect("body");
                latencies.push(sent.elapsed());
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.expect("task"));
    }
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    let at = |p: f64| common::percentile(&latencies, p);
    #[allow(clippy::cast_precision_loss)]
    let rps = latencies.len() as f64 / elapsed.as_secs_f64();
    Figures {
        rps,
        p50: at(0.50),
        p99: at(0.99),
    }
}

/// One scenario: a sandbox (with `faults`, if any) and a BFF in front of it, both loaded alike.
async fn scenario(label: &str, faults: Option<&str>, per_client: usize) {
    let mut sandbox = Sandbox::seeded(
        KEY,
        SeedOptions {
            audit_events: 1_000,
            ..SeedOptions::default()
        },
    );
    if let Some(faults) = faults {
        sandbox = sandbox.with_faults(faults.parse().expect("faults"));
    }
    let (upstream, sandbox_base) = common::serve_sandbox(sandbox).await;
    let bff = common::serve_bff(upstream, None, None).await;

    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONCURRENCY * 2)
        .build()
        .expect("client");
    let cookie = common::sign_in(&client, &bff).await;

    let direct_url = format!("{sandbox_base}/organization/users?limit=20");
    let bearer = [("authorization", format!("Bearer {KEY}"))];
    let direct = load(&client, &direct_url, &bearer, per_client).await;
    let through = load(
        &client,
        &format!("{bff}/api/v1/organization/users?limit=20"),
        &[("cookie", cookie)],
        per_client,
    )
    .await;
    let direct_again = load(&client, &direct_url, &bearer, per_client).await;
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{label}: GET users?limit=20, {CONCURRENCY} concurrent clients x {per_client} requests, loopback HTTP/1.1"
    );
    for (name, f) in [
        ("sandbox direct", &direct),
        ("through the BFF", &through),
        ("sandbox direct, again", &direct_again),
    ] {
        println!(
            "  {name:<22} {:>8.0} req/s   p50 {:>7.3} ms   p99 {:>7.3} ms",
            f.rps,
            ms(f.p50),
            ms(f.p99)
        );
    }
    let base_p50 = (ms(direct.p50) + ms(direct_again.p50)) / 2.0;
    let base_p99 = (ms(direct.p99) + ms(direct_again.p99)) / 2.0;
    println!(
        "  ratio BFF/direct: p50 {:.2}, p99 {:.2}, throughput {:.2}; BFF adds {:.3} ms at p50 (goal: p50 ratio <= 1.10)",
        ms(through.p50) / base_p50,
        ms(through.p99) / base_p99,
        through.rps / ((direct.rps + direct_again.rps) / 2.0),
        ms(through.p50) - base_p50,
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let _ = rustls::crypto::ring::default_provider().install_default();
        // An instant upstream shows the BFF's own cost; a 20 ms upstream is closer to OpenAI's.
        scenario("instant upstream", None, 500).await;
        scenario("upstream with 20 ms latency", Some("latency=20ms"), 60).await;
    });
}
