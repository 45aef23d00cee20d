//! Typed configuration from flags and environment, validated at start: a bad value stops the
//! server with a message that names the flag.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use reqwest::Url;

/// Gatehouse: a portal for the OpenAI organization Admin and Audit Logs API.
#[derive(Debug, Parser)]
#[command(name = "gatehouse", version, about)]
pub struct Cli {
    /// Log lines as human-readable text or as JSON objects.
    #[arg(
        long,
        global = true,
        env = "GATEHOUSE_LOG_FORMAT",
        default_value = "pretty"
    )]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

/// How log lines look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Pretty,
    Json,
}

/// What to run.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the portal (demo mode on the embedded sandbox when no admin key is configured).
    Serve(ServeArgs),
    /// Run the sandbox emulator of the OpenAI organization API on its own.
    Sandbox(SandboxArgs),
    /// Manage portal accounts (passwords are read from stdin or a prompt, never from flags).
    User(UserArgs),
    /// Check the journal's hash chain.
    Journal(JournalArgs),
    /// Manage the tokens scripts use through Gatehouse (`token create` prints only the token).
    Token(TokenArgs),
    /// Copy accounts, the journal and the audit archive from one database to another (an
    /// empty one), such as from the embedded file to PostgreSQL.
    Migrate(MigrateArgs),
}

/// `gatehouse migrate --from URL --to URL`.
#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// The database to copy from, e.g. sqlite://.gatehouse/gatehouse.db.
    #[arg(long)]
    pub from: String,
    /// The database to copy to, e.g. postgres://gatehouse@db.internal/gatehouse. It must hold
    /// no accounts, journal rows or archived events.
    #[arg(long)]
    pub to: String,
}

/// The data directory and database, for the offline commands.
#[derive(Debug, Args)]
pub struct DataDir {
    /// Directory for Gatehouse's own data.
    #[arg(
        long = "data-dir",
        env = "GATEHOUSE_DATA_DIR",
        default_value = "./.gatehouse",
        global = true
    )]
    pub path: PathBuf,
    /// The database: sqlite://PATH or postgres://… (default: gatehouse.db in --data-dir).
    #[arg(long, env = "GATEHOUSE_DATABASE_URL", global = true)]
    pub database: Option<String>,
}

impl DataDir {
    /// Opens the database these flags name.
    pub async fn open(&self) -> anyhow::Result<crate::db::Db> {
        crate::db::Db::open_configured(self.database.as_deref(), &self.path).await
    }
}

/// `gatehouse user ...`.
#[derive(Debug, Args)]
pub struct UserArgs {
    #[command(flatten)]
    pub data: DataDir,
    #[command(subcommand)]
    pub action: UserAction,
}

/// What to do with accounts.
#[derive(Debug, Subcommand)]
pub enum UserAction {
    /// Add an account; the password is read from stdin or a prompt.
    Add {
        /// The user name people sign in with.
        name: String,
        /// `owner` (may change things) or `auditor` (reads only).
        #[arg(long)]
        role: crate::accounts::Role,
    },
    /// List the accounts.
    List,
    /// Remove an account.
    Remove {
        /// The user name.
        name: String,
    },
    /// Set a new password, read from stdin or a prompt.
    Passwd {
        /// The user name.
        name: String,
    },
}

/// `gatehouse token ...`.
#[derive(Debug, Args)]
pub struct TokenArgs {
    #[command(flatten)]
    pub data: DataDir,
    #[command(subcommand)]
    pub action: TokenAction,
}

/// What to do with tokens.
#[derive(Debug, Subcommand)]
pub enum TokenAction {
    /// Make a token for an account; prints only the token, once, on stdout.
    Create {
        /// The account it belongs to.
        #[arg(long)]
        user: String,
        /// What it is for, e.g. ci-onboarding.
        #[arg(long)]
        name: String,
        /// `read`, or `write` (owners only).
        #[arg(long)]
        access: crate::tokens::Access,
        /// How long it lives: 1h to 365d.
        #[arg(long, default_value = "30d", value_parser = parse_duration)]
        expires: Duration,
        /// An address range it may be used from (repeatable); anywhere if none.
        #[arg(long = "allow-from", value_delimiter = ',')]
        allow_from: Vec<ipnet::IpNet>,
    },
    /// List every token (never their values).
    List,
    /// Revoke a token by its id (tok_…).
    Revoke {
        /// The token's id, as `token list` shows it.
        id: String,
    },
}

/// `gatehouse journal ...`.
#[derive(Debug, Args)]
pub struct JournalArgs {
    #[command(flatten)]
    pub data: DataDir,
    #[command(subcommand)]
    pub action: JournalAction,
}

/// What to do with the journal.
#[derive(Debug, Subcommand)]
pub enum JournalAction {
    /// Exit non-zero if any row was changed, removed or reordered.
    Verify,
}

/// `gatehouse serve`. The admin key is read from `OPENAI_ADMIN_KEY` or `--admin-key-file`, never
/// from a flag, so that it does not show in the process list.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on. Demo mode accepts only loopback addresses.
    #[arg(long, env = "GATEHOUSE_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Base URL of the OpenAI API.
    #[arg(long, env = "GATEHOUSE_UPSTREAM", default_value = DEFAULT_UPSTREAM, value_parser = parse_upstream)]
    pub upstream: Url,
    /// File holding the OpenAI admin key (instead of the OPENAI_ADMIN_KEY variable).
    #[arg(long, env = "GATEHOUSE_ADMIN_KEY_FILE")]
    pub admin_key_file: Option<PathBuf>,
    /// Directory for Gatehouse's own data.
    #[arg(long, env = "GATEHOUSE_DATA_DIR", default_value = "./.gatehouse")]
    pub data_dir: PathBuf,
    /// The database: sqlite://PATH (default: gatehouse.db in --data-dir) or postgres://…,
    /// which several replicas share.
    #[arg(long, env = "GATEHOUSE_DATABASE_URL")]
    pub database: Option<String>,
    /// The built app (trunk's dist/ directory).
    #[arg(long, env = "GATEHOUSE_STATIC_DIR", default_value = "dist")]
    pub static_dir: PathBuf,
    /// The URL people use to reach the portal; https turns on Secure cookies and HSTS.
    #[arg(long, env = "GATEHOUSE_PUBLIC_URL", value_parser = parse_public_url)]
    pub public_url: Option<Url>,
    /// How long connecting to upstream may take.
    #[arg(long, env = "GATEHOUSE_UPSTREAM_CONNECT_TIMEOUT", default_value = "5s", value_parser = parse_duration)]
    pub upstream_connect_timeout: Duration,
    /// How long a whole upstream request may take.
    #[arg(long, env = "GATEHOUSE_UPSTREAM_TIMEOUT", default_value = "30s", value_parser = parse_duration)]
    pub upstream_timeout: Duration,
    /// A session ends after this long without a request.
    #[arg(long, env = "GATEHOUSE_SESSION_IDLE", default_value = "30m", value_parser = parse_duration)]
    pub session_idle: Duration,
    /// A session ends this long after sign-in, however active.
    #[arg(long, env = "GATEHOUSE_SESSION_MAX", default_value = "12h", value_parser = parse_duration)]
    pub session_max: Duration,
    /// Behind an SSO proxy: the header naming the signed-in person, e.g. X-Forwarded-Email.
    #[arg(long, env = "GATEHOUSE_AUTH_HEADER", requires_all = ["trusted_proxy", "role_map"])]
    pub auth_header: Option<String>,
    /// An address range of the proxies in front of Gatehouse (repeatable): their
    /// X-Forwarded-For, X-Request-Id and --auth-header are believed; nobody else's are.
    #[arg(long, env = "GATEHOUSE_TRUSTED_PROXY", value_delimiter = ',')]
    pub trusted_proxy: Vec<ipnet::IpNet>,
    /// JSON file mapping emails or @domains to roles: {"owner": [...], "auditor": [...]}.
    #[arg(long, env = "GATEHOUSE_ROLE_MAP")]
    pub role_map: Option<PathBuf>,
    /// How long a client may take to send a request's headers, and how long a kept-alive
    /// connection may sit idle between requests.
    #[arg(long, env = "GATEHOUSE_HEADER_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    pub header_timeout: Duration,
    /// How long a client may take to send a request's body.
    #[arg(long, env = "GATEHOUSE_BODY_TIMEOUT", default_value = "30s", value_parser = parse_duration)]
    pub body_timeout: Duration,
    /// Connections served at once; further ones wait until one closes.
    #[arg(long, env = "GATEHOUSE_MAX_CONNECTIONS", default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: u32,
    /// Connections one client address may hold open (trusted proxies are exempt).
    #[arg(long, env = "GATEHOUSE_MAX_CONNECTIONS_PER_CLIENT", default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections_per_client: u32,
    /// Keep a copy of upstream's audit log for search, a histogram and longer retention.
    #[arg(long, env = "GATEHOUSE_ARCHIVE", default_value = "on")]
    pub archive: Switch,
    /// The pause between the archive's polls of upstream.
    #[arg(long, env = "GATEHOUSE_ARCHIVE_INTERVAL", default_value = "60s", value_parser = parse_duration)]
    pub archive_interval: Duration,
    /// How long the archive keeps events: `forever`, or a duration such as 400d.
    #[arg(long, env = "GATEHOUSE_ARCHIVE_RETENTION", default_value = "forever")]
    pub archive_retention: crate::archive::Retention,
    /// Requests per second one Gatehouse token may make, on all replicas together.
    #[arg(long, env = "GATEHOUSE_TOKEN_RATE_LIMIT", default_value_t = crate::tokens::DEFAULT_RATE, value_parser = clap::value_parser!(u32).range(1..))]
    pub token_rate_limit: u32,
}

/// A feature turned on or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Switch {
    On,
    Off,
}

/// `gatehouse sandbox`.
#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// Address to listen on.
    #[arg(
        long,
        env = "GATEHOUSE_SANDBOX_LISTEN",
        default_value = "127.0.0.1:8081"
    )]
    pub listen: SocketAddr,
    /// The admin key the sandbox answers to (any other key gets a 401).
    #[arg(long, env = "GATEHOUSE_SANDBOX_ADMIN_KEY")]
    pub admin_key: String,
    /// Seed of the generated organization.
    #[arg(long, env = "GATEHOUSE_SANDBOX_SEED", default_value_t = sandbox::SeedOptions::default().seed)]
    pub seed: u64,
    /// How many historic audit events to generate, over the 90 days before now.
    #[arg(long, env = "GATEHOUSE_SANDBOX_AUDIT_EVENTS", default_value_t = sandbox::SeedOptions::default().audit_events)]
    pub audit_events: usize,
    /// Faults to inject, e.g. `latency=200ms,error_rate=0.1,rate_limit=20/s,seed=7`.
    #[arg(long, env = "GATEHOUSE_SANDBOX_FAULTS")]
    pub faults: Option<sandbox::Faults>,
}

/// OpenAI's API.
pub const DEFAULT_UPSTREAM: &str = "https://api.openai.com/v1";

fn parse_upstream(value: &str) -> Result<Url, String> {
    let url = Url::parse(value).map_err(|e| format!("not a URL: {e}"))?;
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => return Err("plain http is allowed only for a loopback upstream".into()),
        other => return Err(format!("unsupported scheme '{other}'")),
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err("the upstream URL must not carry a query, fragment or credentials".into());
    }
    Ok(url)
}

fn parse_duration(value: &str) -> Result<Duration, String> {
    let duration = humantime::parse_duration(value)
        .map_err(|e| format!("{e}; write durations like 500ms, 30s, 30m or 12h"))?;
    if duration.is_zero() {
        return Err("must be longer than zero".into());
    }
    Ok(duration)
}

fn parse_public_url(value: &str) -> Result<Url, String> {
    let url = Url::parse(value).map_err(|e| format!("not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err("expected an http(s) URL such as https://gatehouse.example.com".into());
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstream_must_be_https_unless_loopback() {
        assert!(parse_upstream("https://api.openai.com/v1").is_ok());
        assert!(parse_upstream("http://127.0.0.1:9000/v1").is_ok());
        assert!(parse_upstream("http://api.openai.com/v1").is_err());
        assert!(parse_upstream("ftp://x/v1").is_err());
        assert!(parse_upstream("https://x/v1?a=b").is_err());
        assert!(parse_upstream("not a url").is_err());
    }

    #[test]
    fn bad_flags_stop_with_a_message() {
        let err = Cli::try_parse_from(["gatehouse", "serve", "--listen", "nowhere"])
            .expect_err("bad address");
        assert!(err.to_string().contains("--listen"), "{err}");
        let err = Cli::try_parse_from([
            "gatehouse",
            "sandbox",
            "--admin-key",
            "k",
            "--faults",
            "boom=1",
        ])
        .expect_err("bad faults");
        assert!(err.to_string().contains("--faults"), "{err}");
        let err = Cli::try_parse_from(["gatehouse", "serve", "--archive-retention", "soon"])
            .expect_err("bad retention");
        assert!(err.to_string().contains("--archive-retention"), "{err}");
        let err = Cli::try_parse_from(["gatehouse", "serve", "--archive", "maybe"])
            .expect_err("bad switch");
        assert!(err.to_string().contains("--archive"), "{err}");
    }
}
