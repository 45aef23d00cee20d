//! What the in-process benchmarks share: the sandbox and the BFF on loopback, and the bench
//! account's sign-in, and percentiles. Each bench uses some of it.

#![allow(dead_code)]

use std::sync::Arc;

use gatehouse::AppState;
use gatehouse::archive::Archive;
use gatehouse::journal::Journal;
use gatehouse::session::{Accounts, Clock, Role, SessionLimits, SessionStore};
use gatehouse::throttle::Throttle;
use gatehouse::upstream::{AdminKey, Upstream};
use sandbox::Sandbox;

/// The admin key the benchmarks' sandbox accepts (not a real key's shape).
pub const KEY: &str = "sk-admin-bench-key";

/// Serves `sandbox` on a loopback port; an upstream client for it holding [`KEY`], and its base
/// URL (`http://…/v1`).
pub async fn serve_sandbox(sandbox: Sandbox) -> (Upstream, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}/v1", listener.local_addr().expect("addr"));
    tokio::spawn(sandbox::serve(listener, sandbox));
    let upstream = Upstream::new(
        &base.parse().expect("url"),
        AdminKey::new(KEY).expect("key"),
    )
    .expect("client");
    (upstream, base)
}

/// Serves the BFF in front of `upstream` on a loopback port, with one auditor account
/// (`bench` / `bench-password`); its base URL.
pub async fn serve_bff(
    upstream: Upstream,
    journal: Option<Arc<Journal>>,
    archive: Option<Arc<Archive>>,
) -> String {
    let clock = Clock::default();
    let dir = std::env::temp_dir().join(format!("gatehouse-bench-sessions-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let db = gatehouse::db::Db::open(&dir).await.expect("database");
    let state = AppState {
        accounts: Accounts::with_passwords(&[("bench", "bench-password", Role::Auditor)])
            .expect("accounts")
            .into(),
        sessions: SessionStore::new(db.clone(), SessionLimits::default(), clock.clone()),
        throttle: Arc::new(Throttle::new(db.clone(), clock.clone())),
        tokens: Arc::new(gatehouse::tokens::Tokens::new(
            db,
            clock,
            gatehouse::tokens::DEFAULT_RATE,
        )),
        journal,
        archive,
        allowed_origins: Vec::new().into(),
        upstream,
        demo: false,
        static_dir: None,
        secure_cookies: false,
        trusted_header: None,
        trusted_proxies: Vec::new().into(),
        sign_in_permits: gatehouse::sign_in_permits(),
        reports: gatehouse::report_permits(),
        access: Default::default(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let bff = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, gatehouse::app(state)).await });
    bff
}

/// Signs the bench account in at `bff`; the `name=value` of its session cookie.
pub async fn sign_in(client: &reqwest::Client, bff: &str) -> String {
    let signed_in = client
        .post(format!("{bff}/api/session"))
        .json(&serde_json::json!({"username": "bench", "password": "bench-password"}))
        .send()
        .await
        .expect("sign in");
    signed_in.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .split(';')
        .next()
        .expect("pair")
        .to_owned()
}

/// The `p` quantile (0 to 1) of `sorted` latencies, nearest rank.
pub fn percentile(sorted: &[std::time::Duration], p: f64) -> std::time::Duration {
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}
