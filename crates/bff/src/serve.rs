//! `gatehouse serve` and `gatehouse sandbox`: turn validated flags into a running server.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use anyhow::{Context, bail};
use reqwest::Url;
use tokio::net::TcpListener;

use crate::archive::{self, Archive};
use crate::config::{DEFAULT_UPSTREAM, SandboxArgs, ServeArgs, Switch};
use std::sync::Arc;

use crate::journal::Journal;
use crate::session::{Accounts, Clock, SessionLimits, SessionStore, random_token};
use crate::throttle::Throttle;
use crate::trusted_header::{RoleMap, TrustedHeader};
use crate::upstream::{AdminKey, Policy, Upstream};
use crate::{AppState, app, http_server};

/// Runs the portal until Ctrl-C or SIGTERM.
pub async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let admin_key = admin_key(&args)?;
    let demo = admin_key.is_none();
    if demo && !args.listen.ip().is_loopback() {
        bail!(
            "demo mode (no admin key configured) listens only on loopback, not on {}: \
             set OPENAI_ADMIN_KEY or --admin-key-file to serve a real organization",
            args.listen
        );
    }
    if demo && args.upstream.as_str().trim_end_matches('/') != DEFAULT_UPSTREAM {
        bail!(
            "--upstream {} needs an admin key (OPENAI_ADMIN_KEY or --admin-key-file)",
            args.upstream
        );
    }
    let static_dir = static_dir(args.static_dir)?;

    let policy = Policy {
        connect_timeout: args.upstream_connect_timeout,
        timeout: args.upstream_timeout,
        ..Policy::default()
    };
    let upstream = match admin_key {
        Some(key) => Upstream::with_policy(&args.upstream, key, policy)?,
        None => start_embedded_sandbox(policy).await?,
    };
    let trusted_header = match (&args.auth_header, &args.role_map) {
        (Some(header), Some(map)) => Some(Arc::new(TrustedHeader {
            header: header.to_ascii_lowercase(),
            roles: RoleMap::load(map)?,
        })),
        _ => None,
    };
    let db = crate::db::Db::open_configured(args.database.as_deref(), &args.data_dir).await?;
    let accounts = if demo {
        Accounts::demo()?.and_database(db.clone())
    } else {
        Accounts::default().and_database(db.clone())
    };
    let journal = Arc::new(Journal::new(db.clone()));
    let archive = match args.archive {
        Switch::On => {
            let settings = archive::Settings {
                interval: args.archive_interval,
                retention: args.archive_retention,
                ..archive::Settings::default()
            };
            Some(Arc::new(Archive::new(
                db.clone(),
                upstream.clone(),
                Some(journal.clone()),
                settings,
            )))
        }
        Switch::Off => None,
    };
    let listener = TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("--listen {}: cannot bind", args.listen))?;
    let address = listener.local_addr()?;
    let clock = Clock::default();
    let state = AppState {
        accounts: accounts.into(),
        sessions: SessionStore::new(
            db.clone(),
            SessionLimits {
                idle: args.session_idle,
                absolute: args.session_max,
            },
            clock.clone(),
        ),
        throttle: Arc::new(Throttle::new(db.clone(), clock.clone())),
        tokens: Arc::new(crate::tokens::Tokens::new(
            db.clone(),
            clock,
            args.token_rate_limit,
        )),
        journal: Some(journal),
        archive: archive.clone(),
        allowed_origins: allowed_origins(address, args.public_url.as_ref()).into(),
        upstream,
        demo,
        static_dir: Some(static_dir),
        secure_cookies: args
            .public_url
            .as_ref()
            .is_some_and(|u| u.scheme() == "https"),
        trusted_header,
        trusted_proxies: args.trusted_proxy.clone().into(),
        sign_in_permits: crate::sign_in_permits(),
        reports: crate::report_permits(),
        access: Default::default(),
    };
    let journal = state.journal.clone();
    say(&format!("Gatehouse is listening on http://{address}"));
    if let Some(archive) = archive {
        say(&format!(
            "Audit archive: polling every {}, keeping events {}.",
            humantime::format_duration(args.archive_interval),
            match args.archive_retention {
                archive::Retention::Forever => "forever".to_owned(),
                retention => format!("for {retention}"),
            }
        ));
        let _sync = archive.clone().spawn();
    }
    if demo {
        say("Demo mode: the upstream is the embedded sandbox.");
        say("Sign in as demo-owner / demo-owner (owner) or demo-auditor / demo-auditor (auditor).");
    }
    let limits = http_server::Limits {
        header_timeout: args.header_timeout,
        body_timeout: args.body_timeout,
        max_connections: usize::try_from(args.max_connections).unwrap_or(usize::MAX),
        max_per_client: usize::try_from(args.max_connections_per_client).unwrap_or(usize::MAX),
    };
    let proxies = state.trusted_proxies.clone();
    let archive = state.archive.clone();
    http_server::run(listener, app(state), limits, proxies, shutdown_signal()).await;
    if let Some(archive) = archive {
        archive.release().await;
    }
    // Writes whose browser went away may still be under way: let them finish and be journaled
    // (an upstream request takes at most --upstream-timeout).
    if let Some(journal) = &journal
        && !journal
            .writes_finished(args.upstream_timeout + WRITE_DRAIN_MARGIN)
            .await
    {
        tracing::error!("stopping with writes still under way: their results are not journaled");
    }
    if let Some(journal) = journal
        && journal.flush_pending().await > 0
    {
        tracing::error!(
            waiting = journal.pending(),
            "STOPPING WITH JOURNAL RESULT ROWS UNWRITTEN: the journal still refuses them; the writes they describe are in the log above and in OpenAI's audit log"
        );
    }
    Ok(())
}

/// How much longer than the upstream timeout shutdown waits for writes under way.
const WRITE_DRAIN_MARGIN: std::time::Duration = std::time::Duration::from_secs(5);

/// Prints a start-up line. A closed stdout (a supervisor that stopped reading) must not take
/// the server down, so write errors are ignored.
fn say(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout(), "{line}");
}

/// The origins a write may come from: the public URL's, and the address served on (with both
/// loopback spellings, since people type either).
fn allowed_origins(address: SocketAddr, public_url: Option<&Url>) -> Vec<String> {
    let mut origins = vec![format!("http://{address}")];
    if address.ip().is_loopback() {
        origins.push(format!("http://localhost:{}", address.port()));
        origins.push(format!("http://127.0.0.1:{}", address.port()));
    }
    if let Some(url) = public_url {
        origins.push(url.origin().ascii_serialization());
    }
    origins
}

/// Runs the sandbox alone until Ctrl-C or SIGTERM.
pub async fn sandbox(args: SandboxArgs) -> anyhow::Result<()> {
    if args.admin_key.trim().is_empty() {
        bail!("--admin-key must not be empty");
    }
    let options = sandbox::SeedOptions {
        seed: args.seed,
        audit_events: args.audit_events,
        ..sandbox::SeedOptions::default()
    };
    let mut sandbox = sandbox::Sandbox::seeded(args.admin_key.trim(), options);
    if let Some(faults) = args.faults {
        say(&format!("Injecting faults: {faults:?}"));
        sandbox = sandbox.with_faults(faults);
    }
    let listener = TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("--listen {}: cannot bind", args.listen))?;
    say(&format!(
        "Sandbox listening on http://{}/v1",
        listener.local_addr()?
    ));
    axum::serve(listener, sandbox::app(sandbox))
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    Ok(())
}

/// The key from `OPENAI_ADMIN_KEY` or `--admin-key-file`; `None` means demo mode.
fn admin_key(args: &ServeArgs) -> anyhow::Result<Option<AdminKey>> {
    let from_env = std::env::var("OPENAI_ADMIN_KEY")
        .ok()
        .filter(|k| !k.trim().is_empty());
    match (from_env, &args.admin_key_file) {
        (Some(_), Some(_)) => {
            bail!("both OPENAI_ADMIN_KEY and --admin-key-file are set: give the key one way only")
        }
        (Some(key), None) => AdminKey::new(&key).map(Some).context("OPENAI_ADMIN_KEY"),
        (None, Some(path)) => {
            let key = std::fs::read_to_string(path)
                .with_context(|| format!("--admin-key-file {}: cannot read it", path.display()))?;
            AdminKey::new(&key)
                .map(Some)
                .with_context(|| format!("--admin-key-file {}", path.display()))
        }
        (None, None) => Ok(None),
    }
}

fn static_dir(dir: PathBuf) -> anyhow::Result<PathBuf> {
    if !dir.join("index.html").is_file() {
        bail!(
            "--static-dir {}: no index.html there. Build the app first with `trunk build --release` \
             (`make run` does it)",
            dir.display()
        );
    }
    Ok(dir)
}

/// Demo mode: the sandbox on a loopback port, used over real HTTP like any upstream, so demo and
/// tests exercise the same code path as production.
async fn start_embedded_sandbox(policy: Policy) -> anyhow::Result<Upstream> {
    let key = format!("sk-admin-sandbox-{}", &random_token()[..32]);
    let sandbox = sandbox::Sandbox::seeded(&key, sandbox::SeedOptions::default());
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await?;
    let base = Url::parse(&format!("http://{}/v1", listener.local_addr()?))?;
    tokio::spawn(async move {
        if let Err(e) = sandbox::serve(listener, sandbox).await {
            tracing::error!(error = %e, "the embedded sandbox stopped");
        }
    });
    Upstream::with_policy(&base, AdminKey::new(&key)?, policy)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
