//! How long a key-hygiene report takes over many projects, read one project at a time and
//! several at once, against the sandbox with a fixed upstream latency (each call waits, as over
//! the internet). Prints the time per report and per project. Printed, never asserted:
//! `cargo bench -p gatehouse --bench hygiene` (or `make bench`).

mod common;

use std::time::Instant;

use common::KEY;
use futures_util::StreamExt;
use gatehouse::hygiene::{self, Rules};
use sandbox::{Sandbox, SeedOptions};

/// Upstream's latency per call, and the projects the organization gets on top of the seed's.
const LATENCY_MS: u64 = 25;
const EXTRA_PROJECTS: usize = 54;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let sandbox = Sandbox::seeded(
            KEY,
            SeedOptions {
                audit_events: 100,
                ..SeedOptions::default()
            },
        );
        let (upstream, base) = common::serve_sandbox(sandbox.clone()).await;
        let client = reqwest::Client::new();
        for n in 0..EXTRA_PROJECTS {
            let made = client
                .post(format!("{base}/organization/projects"))
                .bearer_auth(KEY)
                .json(&serde_json::json!({ "name": format!("Bench {n}") }))
                .send()
                .await
                .expect("create a project");
            assert!(made.status().is_success(), "{}", made.status());
        }
        // The same organization, served again with the latency (the projects were made fast).
        let slow = sandbox.with_faults(format!("latency={LATENCY_MS}ms").parse().expect("faults"));
        let (upstream_slow, _) = common::serve_sandbox(slow).await;
        drop(upstream);
        let rules = Rules {
            days: hygiene::DEFAULT_DAYS,
            now: gatehouse::journal::now(),
        };
        let org = hygiene::read_org(&upstream_slow).await.expect("organization");
        println!(
            "key-hygiene report: {} active projects, {LATENCY_MS} ms upstream latency per call (3 paged lists per project)",
            org.projects.len()
        );
        for at_once in [1, hygiene::PROJECTS_AT_ONCE, 8] {
            let started = Instant::now();
            let mut findings = hygiene::read_admin_keys(&upstream_slow, &rules).await.expect("admin keys");
            findings.extend(hygiene::read_invites(&upstream_slow, &rules).await.expect("invites"));
            let projects = hygiene::read_projects(&upstream_slow, &rules, &org.projects, &org.users, at_once);
            futures_util::pin_mut!(projects);
            while let Some((_, result)) = projects.next().await {
                findings.extend(result.expect("project"));
            }
            let elapsed = started.elapsed();
            #[allow(clippy::cast_precision_loss)]
            let per_project = elapsed.as_secs_f64() * 1e3 / org.projects.len() as f64;
            println!(
                "  {at_once} project(s) at once: {:>7.0} ms per report, {per_project:>5.1} ms per project, {} findings{}",
                elapsed.as_secs_f64() * 1e3,
                findings.len(),
                if at_once == hygiene::PROJECTS_AT_ONCE { "  (what the BFF uses)" } else { "" }
            );
        }
    });
}
