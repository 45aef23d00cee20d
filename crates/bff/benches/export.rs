//! What exporting the whole audit log costs: 100,000 events through the BFF as CSV and as
//! NDJSON, each with a fresh BFF (the release `gatehouse` binary, in its own process so that its
//! memory can be read from `/proc`) in front of a seeded sandbox on loopback. Prints events,
//! seconds, events per second, MB/s and the BFF's extra peak memory (`VmHWM` after the export
//! minus `VmRSS` before it, the peak reset in between) beside the goals. The manifest's digest
//! and count are checked against the file received. Printed, never asserted:
//! `cargo bench -p gatehouse --bench export` (or `make bench`).

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use sandbox::{Sandbox, SeedOptions};
use sha2::{Digest, Sha256};

const KEY: &str = "sk-admin-bench-key";
const EVENTS: usize = 100_000;
const USER: &str = "bench";
const PASSWORD: &str = "bench-password-export";

/// One BFF process and where it listens.
struct Bff {
    child: Child,
    base: String,
    dir: PathBuf,
}

impl Bff {
    /// Starts `gatehouse serve` with an auditor account, in front of `upstream`.
    fn start(upstream: &str, label: &str) -> Self {
        let exe = env!("CARGO_BIN_EXE_gatehouse");
        let dir = std::env::temp_dir().join(format!(
            "gatehouse-bench-export-{}-{label}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        let (data, dist) = (dir.join("data"), dir.join("dist"));
        std::fs::create_dir_all(&dist).expect("temp dir");
        std::fs::write(
            dist.join("index.html"),
            "<!doctype html><title>bench</title>",
        )
        .expect("index.html");
        let mut add = Command::new(exe)
            .args(["user", "add", USER, "--role", "auditor", "--data-dir"])
            .arg(&data)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("gatehouse user add");
        writeln!(add.stdin.take().expect("stdin"), "{PASSWORD}").expect("password");
        assert!(add.wait().expect("user add").success(), "user add failed");

        let mut child = Command::new(exe)
            .args(["serve", "--listen", "127.0.0.1:0", "--upstream", upstream])
            // The archive would backfill the same log meanwhile and skew the figures.
            .args(["--archive", "off"])
            .arg("--data-dir")
            .arg(&data)
            .arg("--static-dir")
            .arg(&dist)
            .env("OPENAI_ADMIN_KEY", KEY)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .spawn()
            .expect("gatehouse serve");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let base = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|line| {
                line.strip_prefix("Gatehouse is listening on ")
                    .map(str::to_owned)
            })
            .expect("the BFF says where it listens");
        // Keep reading, so a chatty stdout never blocks the server.
        std::thread::spawn(move || lines.for_each(drop));
        Self { child, base, dir }
    }

    /// A `kB` figure from `/proc/<pid>/status` (`VmRSS`, `VmHWM`), in bytes.
    fn memory(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("/proc/<pid>/status (Linux only)");
        status
            .lines()
            .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|rest| rest.trim().trim_end_matches(" kB").parse::<u64>().ok())
            .map(|kb| kb * 1024)
            .unwrap_or_else(|| panic!("{field} in /proc/<pid>/status"))
    }
}

impl Drop for Bff {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Exports everything as `format` from a fresh BFF and prints the figures.
async fn export(upstream: &str, format: &str) {
    let bff = Bff::start(upstream, format);
    let client = reqwest::Client::new();
    let signed_in = client
        .post(format!("{}/api/session", bff.base))
        .json(&serde_json::json!({"username": USER, "password": PASSWORD}))
        .send()
        .await
        .expect("sign in");
    assert!(signed_in.status().is_success(), "{}", signed_in.status());
    let cookie = signed_in.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .split(';')
        .next()
        .expect("pair")
        .to_owned();

    // Signing in hashes the password with argon2 (19 MiB), which already set the high-water
    // mark; reset it (Linux's clear_refs "5") so that the peak read afterwards is the export's.
    let sign_in_peak = bff.memory("VmHWM");
    let reset = std::fs::write(format!("/proc/{}/clear_refs", bff.child.id()), "5").is_ok();
    let rss_before = bff.memory("VmRSS");
    let started = Instant::now();
    let mut response = client
        .get(format!(
            "{}/api/audit_logs/export?format={format}",
            bff.base
        ))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("export");
    assert!(response.status().is_success(), "{}", response.status());
    let id = response.headers()["x-gatehouse-export-id"]
        .to_str()
        .expect("id")
        .to_owned();
    let (mut bytes, mut digest) = (0_u64, Sha256::new());
    while let Some(chunk) = response.chunk().await.expect("a chunk") {
        bytes += chunk.len() as u64;
        digest.update(&chunk);
    }
    let seconds = started.elapsed().as_secs_f64();
    let peak = bff.memory("VmHWM");

    let manifest: serde_json::Value = client
        .get(format!("{}/api/audit_logs/export/{id}/manifest", bff.base))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("manifest")
        .json()
        .await
        .expect("manifest JSON");
    let sha256: String = digest
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(manifest["status"], "complete", "{manifest}");
    assert_eq!(manifest["sha256"], sha256, "the manifest matches the file");
    let events = manifest["event_count"].as_u64().expect("event_count");
    assert_eq!(events, EVENTS as u64, "every event exported");

    #[allow(clippy::cast_precision_loss)]
    let (events_f, bytes_f) = (events as f64, bytes as f64);
    #[allow(clippy::cast_precision_loss)]
    let extra_mb = peak.saturating_sub(rss_before) as f64 / 1e6;
    #[allow(clippy::cast_precision_loss)]
    let (before_mb, peak_mb) = (rss_before as f64 / 1e6, peak as f64 / 1e6);
    #[allow(clippy::cast_precision_loss)]
    let sign_in_mb = sign_in_peak as f64 / 1e6;
    println!(
        "  {format:<6} {events} events in {seconds:.2} s (goal <= 2 s), {:.0} events/s, {:.1} MB/s ({:.1} MB file)",
        events_f / seconds,
        bytes_f / 1e6 / seconds,
        bytes_f / 1e6,
    );
    println!(
        "         extra peak memory {extra_mb:.1} MB (goal <= 20 MB): VmHWM {peak_mb:.1} MB after - VmRSS {before_mb:.1} MB before"
    );
    if reset {
        println!(
            "         (peak reset after sign-in, whose argon2 hash had taken VmHWM to {sign_in_mb:.1} MB)"
        );
    } else {
        println!(
            "         (the peak could not be reset, so it includes sign-in's argon2 hash: VmHWM {sign_in_mb:.1} MB before the export)"
        );
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let seeding = Instant::now();
        let sandbox = Sandbox::seeded(
            KEY,
            SeedOptions {
                audit_events: EVENTS,
                ..SeedOptions::default()
            },
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let upstream = format!("http://{}/v1", listener.local_addr().expect("addr"));
        tokio::spawn(sandbox::serve(listener, sandbox));
        println!(
            "Audit-log export of {EVENTS} events (sandbox seeded in {:.1} s, in this process, on loopback; \
             a fresh release BFF process per format; MB = 10^6 bytes)",
            seeding.elapsed().as_secs_f64()
        );
        for format in ["csv", "ndjson"] {
            export(&upstream, format).await;
        }
    });
}
