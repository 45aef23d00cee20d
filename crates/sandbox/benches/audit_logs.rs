//! Audit-log list throughput with 100,000 events: requests per second and latency percentiles
//! for an unfiltered page and for filtered ones, through the sandbox's router in-process.
//! Printed, never asserted: `cargo bench -p sandbox --bench audit_logs` (or `make bench`).

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use sandbox::{Sandbox, SeedOptions};
use tower::ServiceExt;

const KEY: &str = "sk-admin-bench";
const EVENTS: usize = 100_000;
const REQUESTS: usize = 2_000;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

async fn measure(app: &axum::Router, label: &str, uri: &str) {
    let mut latencies = Vec::with_capacity(REQUESTS);
    let mut returned = 0;
    let started = Instant::now();
    for _ in 0..REQUESTS {
        let request = Request::get(uri)
            .header("authorization", format!("Bearer {KEY}"))
            .body(Body::empty())
            .expect("request");
        let sent = Instant::now();
        let response = app.clone().oneshot(request).await.expect("infallible");
        assert!(
            response.status().is_success(),
            "{uri}: {}",
            response.status()
        );
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        latencies.push(sent.elapsed());
        returned = bytes.len();
    }
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    #[allow(clippy::cast_precision_loss)]
    let rps = REQUESTS as f64 / elapsed.as_secs_f64();
    println!(
        "{label:<44} {rps:>9.0} req/s   p50 {:>8.3} ms   p99 {:>8.3} ms   ({returned} bytes/page)",
        percentile(&latencies, 0.50).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3,
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let seeding = Instant::now();
    let sandbox = Sandbox::seeded(
        KEY,
        SeedOptions {
            audit_events: EVENTS,
            ..SeedOptions::default()
        },
    );
    let (email, project, now) = sandbox.read(|org| {
        let event = org.audit_events().nth(500).expect("events");
        let email = event
            .actor
            .as_ref()
            .and_then(|a| a.session.as_ref()?.user.as_ref()?.email.clone())
            .expect("a session actor");
        let project = org.projects()[2].project.id.clone();
        (email, project, org.now())
    });
    println!(
        "sandbox audit log: {EVENTS} events seeded in {:.2} s; {REQUESTS} sequential requests per line",
        seeding.elapsed().as_secs_f64()
    );
    let app = sandbox::app(sandbox);
    let week_ago = now - 7 * 86_400;
    runtime.block_on(async {
        measure(&app, "unfiltered, limit=20", "/v1/organization/audit_logs").await;
        measure(
            &app,
            "unfiltered, limit=100",
            "/v1/organization/audit_logs?limit=100",
        )
        .await;
        measure(
            &app,
            "event_types[]=login.failed, limit=100",
            "/v1/organization/audit_logs?limit=100&event_types[]=login.failed",
        )
        .await;
        measure(
            &app,
            "actor_emails[] + event type, limit=20",
            &format!(
                "/v1/organization/audit_logs?actor_emails[]={email}&event_types[]=login.succeeded"
            ),
        )
        .await;
        measure(
            &app,
            "project_ids[] + last 7 days, limit=20",
            &format!(
                "/v1/organization/audit_logs?project_ids[]={project}&effective_at[gte]={week_ago}"
            ),
        )
        .await;
        measure(
            &app,
            "rare type (organization.updated), limit=20",
            "/v1/organization/audit_logs?event_types[]=organization.updated",
        )
        .await;
    });
}
