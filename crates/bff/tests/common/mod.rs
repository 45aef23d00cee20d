//! Test harness of the BFF: the sandbox as a real upstream on a loopback port (counting what
//! reaches it), and the BFF router driven with `oneshot`.

#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use gatehouse::archive::{Archive, Settings};
use gatehouse::journal::Journal;
use gatehouse::session::{Accounts, Clock, Role, SessionLimits, SessionStore};
use gatehouse::throttle::Throttle;
use gatehouse::upstream::{AdminKey, Policy, Upstream};
use gatehouse::{AppState, SESSION_COOKIE};
use http_body_util::BodyExt;
use sandbox::{Sandbox, SeedOptions};
use serde_json::Value;
use tower::ServiceExt;

/// The admin key in these tests: if it ever shows up in a response, a test fails.
pub const CANARY_KEY: &str = "test-admin-key-CANARYcanary0123456789TAIL";

/// A BFF in front of a sandbox, and the count of requests that reached the sandbox.
pub struct Harness {
    pub app: Router,
    pub sandbox: Sandbox,
    pub upstream_hits: Arc<AtomicUsize>,
    /// The clock of sessions and throttling, to move forward.
    pub clock: Clock,
    pub journal: Arc<Journal>,
    /// The store: SQLite in `data_dir`, or a fresh PostgreSQL database (see [`test_db`]).
    pub db: gatehouse::db::Db,
    pub data_dir: std::path::PathBuf,
    /// The audit archive, never synced unless a test calls `sync_once`.
    pub archive: Arc<Archive>,
    /// The BFF's upstream client, for archives with other settings.
    pub upstream: Upstream,
    /// What the router was built with.
    pub state: AppState,
}

/// The portal's own origin in these tests.
pub const ORIGIN: &str = "http://portal.test";

/// A fresh, empty directory under the system's temp dir.
pub fn tempdir() -> std::path::PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "gatehouse-test-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// The PostgreSQL server the suite runs against instead of SQLite, when set: the same tests,
/// the other engine (`scripts/test.sh` runs the store's tests both ways).
pub const POSTGRES_ENV: &str = "GATEHOUSE_TEST_POSTGRES";

/// Whether this run is against PostgreSQL.
pub fn on_postgres() -> bool {
    std::env::var(POSTGRES_ENV).is_ok_and(|url| !url.is_empty())
}

/// Where a test's data dir notes the PostgreSQL database it uses, for [`gatehouse_cli`].
const DATABASE_NOTE: &str = "database-url";

/// A fresh, empty store for one test: a new database on the PostgreSQL server that
/// [`POSTGRES_ENV`] names (noted in `data_dir`, so the CLI run on that dir uses it too), or
/// the SQLite file in `data_dir`.
pub async fn test_db(data_dir: &std::path::Path) -> gatehouse::db::Db {
    match std::env::var(POSTGRES_ENV)
        .ok()
        .filter(|url| !url.is_empty())
    {
        Some(server) => {
            let url = fresh_postgres_database(&server).await;
            std::fs::write(data_dir.join(DATABASE_NOTE), &url).expect("note the database");
            gatehouse::db::Db::connect(&url).await.expect("database")
        }
        None => gatehouse::db::Db::open(data_dir).await.expect("database"),
    }
}

/// Creates an empty database on `server` (a URL without a database name) and returns its URL.
pub async fn fresh_postgres_database(server: &str) -> String {
    use sqlx::Connection;
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let name = format!(
        "test_{}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst),
        fastrand::u32(..)
    );
    let server = server.trim_end_matches('/');
    let mut admin = sqlx::postgres::PgConnection::connect(&format!("{server}/postgres"))
        .await
        .expect("the PostgreSQL server of GATEHOUSE_TEST_POSTGRES");
    sqlx::Executor::execute(&mut admin, format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("create database");
    format!("{server}/{name}")
}

impl Harness {
    /// A BFF holding `CANARY_KEY`, in front of a sandbox that accepts `sandbox_key`.
    pub async fn with_keys(sandbox_key: &str) -> Self {
        Self::around(small_sandbox(sandbox_key), Policy::default()).await
    }

    /// A BFF holding `CANARY_KEY` with the given upstream policy, in front of `sandbox`.
    pub async fn around(sandbox: Sandbox, policy: Policy) -> Self {
        Self::around_with(sandbox, policy, None).await
    }

    /// The same, with trusted-header sign-in configured.
    pub async fn around_with(
        sandbox: Sandbox,
        policy: Policy,
        trusted_header: Option<gatehouse::trusted_header::TrustedHeader>,
    ) -> Self {
        Self::build(sandbox, policy, trusted_header, false).await
    }

    /// A BFF in front of `sandbox` with the audit archive turned off (`--archive off`).
    pub async fn without_archive(sandbox: Sandbox) -> Self {
        let mut harness = Self::build(sandbox, Policy::default(), None, false).await;
        let mut state = harness.state.clone();
        state.archive = None;
        harness.app = gatehouse::app(state);
        harness
    }

    /// A BFF in demo mode (its upstream is the sandbox, and the sandbox controls are open).
    pub async fn demo() -> Self {
        Self::build(small_sandbox(CANARY_KEY), Policy::default(), None, true).await
    }

    async fn build(
        sandbox: Sandbox,
        policy: Policy,
        trusted_header: Option<gatehouse::trusted_header::TrustedHeader>,
        demo: bool,
    ) -> Self {
        let upstream_hits = Arc::new(AtomicUsize::new(0));
        let hits = upstream_hits.clone();
        let counted = sandbox::app(sandbox.clone()).layer(axum::middleware::from_fn(
            move |request: Request, next: Next| {
                let hits = hits.clone();
                async move {
                    hits.fetch_add(1, Ordering::SeqCst);
                    next.run(request).await
                }
            },
        ));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}/v1", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, counted).await });
        let upstream = Upstream::with_policy(
            &base.parse().expect("url"),
            AdminKey::new(CANARY_KEY).expect("key"),
            policy,
        )
        .expect("client");
        let accounts = Accounts::with_passwords(&[
            ("olive", "olive-password", Role::Owner),
            ("audrey", "audrey-password", Role::Auditor),
        ])
        .expect("accounts");
        let data_dir = tempdir();
        let db = test_db(&data_dir).await;
        let journal = Arc::new(Journal::new(db.clone()));
        let archive = Arc::new(Archive::new(
            db.clone(),
            upstream.clone(),
            Some(journal.clone()),
            Settings::default(),
        ));
        let clock = Clock::default();
        let state = AppState {
            accounts: accounts.and_database(db.clone()).into(),
            sessions: SessionStore::new(db.clone(), SessionLimits::default(), clock.clone()),
            throttle: Arc::new(Throttle::new(db.clone(), clock.clone())),
            tokens: Arc::new(gatehouse::tokens::Tokens::new(
                db.clone(),
                clock.clone(),
                gatehouse::tokens::DEFAULT_RATE,
            )),
            journal: Some(journal.clone()),
            archive: Some(archive.clone()),
            allowed_origins: vec![ORIGIN.to_owned()].into(),
            upstream: upstream.clone(),
            demo,
            static_dir: None,
            secure_cookies: false,
            trusted_header: trusted_header.map(Arc::new),
            trusted_proxies: Vec::new().into(),
            sign_in_permits: gatehouse::sign_in_permits(),
            reports: gatehouse::report_permits(),
            access: Default::default(),
        };
        Self {
            app: gatehouse::app(state.clone()),
            sandbox,
            upstream_hits,
            clock,
            journal,
            db,
            data_dir,
            archive,
            upstream,
            state,
        }
    }

    /// A BFF whose key the sandbox accepts.
    pub async fn new() -> Self {
        Self::with_keys(CANARY_KEY).await
    }

    /// How many requests reached the upstream so far.
    pub fn hits(&self) -> usize {
        self.upstream_hits.load(Ordering::SeqCst)
    }

    /// Sends one request with the session cookie and CSRF header, each only if `Some`.
    pub async fn send(
        &self,
        method: &str,
        uri: &str,
        cookie: Option<&str>,
        csrf: Option<&str>,
        body: Option<&str>,
    ) -> Answer {
        let cookie = cookie.map(|c| format!("{SESSION_COOKIE}={c}"));
        let headers: Vec<(&str, &str)> = [("cookie", cookie.as_deref()), ("x-csrf-token", csrf)]
            .into_iter()
            .filter_map(|(name, value)| Some((name, value?)))
            .collect();
        self.send_with(method, uri, &headers, None, body).await
    }

    /// A read with the session cookie `cookie` (no CSRF token: reads need none).
    pub async fn get(&self, uri: &str, cookie: &str) -> Answer {
        self.send("GET", uri, Some(cookie), None, None).await
    }

    /// Sends one request with extra headers and, optionally, the client's address.
    pub async fn send_with(
        &self,
        method: &str,
        uri: &str,
        headers: &[(&str, &str)],
        client: Option<std::net::SocketAddr>,
        body: Option<&str>,
    ) -> Answer {
        let mut request = Request::builder().method(method).uri(uri);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if body.is_some() {
            request = request.header("content-type", "application/json");
        }
        let mut request = request
            .body(body.map_or_else(Body::empty, |b| Body::from(b.to_owned())))
            .expect("request");
        if let Some(client) = client {
            request
                .extensions_mut()
                .insert(axum::extract::ConnectInfo(client));
        }
        let response = self.app.clone().oneshot(request).await.expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        Answer {
            status,
            headers,
            text: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// Signs in; returns the session cookie value and the CSRF token.
    pub async fn sign_in(&self, username: &str, password: &str) -> (String, String) {
        let body = sign_in_body(username, password);
        let answer = self
            .send("POST", "/api/session", None, None, Some(&body))
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        let cookie = answer.set_cookie().expect("a session cookie");
        let value = cookie
            .split(';')
            .next()
            .and_then(|pair| pair.split_once('='))
            .map(|(_, v)| v.to_owned())
            .expect("cookie value");
        let csrf = answer.json()["csrf_token"]
            .as_str()
            .expect("csrf")
            .to_owned();
        (value, csrf)
    }

    /// The owner's session.
    pub async fn owner(&self) -> (String, String) {
        self.sign_in("olive", "olive-password").await
    }

    /// The auditor's session.
    pub async fn auditor(&self) -> (String, String) {
        self.sign_in("audrey", "audrey-password").await
    }

    /// A second replica: the same accounts, upstream and clock, on the same store through a
    /// pool of its own, with its own journal, archive, sessions and throttle objects, so that
    /// whatever it shares with this one comes through the database.
    pub async fn replica(&self) -> Self {
        let db = self.db.reopen().await.expect("reopen the store");
        let journal = Arc::new(Journal::new(db.clone()));
        let archive = Arc::new(Archive::new(
            db.clone(),
            self.upstream.clone(),
            Some(journal.clone()),
            Settings::default(),
        ));
        let mut state = self.state.clone();
        state.sessions =
            SessionStore::new(db.clone(), SessionLimits::default(), self.clock.clone());
        state.throttle = Arc::new(Throttle::new(db.clone(), self.clock.clone()));
        state.tokens = Arc::new(gatehouse::tokens::Tokens::new(
            db.clone(),
            self.clock.clone(),
            self.state.tokens.rate,
        ));
        state.journal = Some(journal.clone());
        state.archive = Some(archive.clone());
        Self {
            app: gatehouse::app(state.clone()),
            sandbox: self.sandbox.clone(),
            upstream_hits: self.upstream_hits.clone(),
            clock: self.clock.clone(),
            journal,
            db,
            data_dir: self.data_dir.clone(),
            archive,
            upstream: self.upstream.clone(),
            state,
        }
    }
}

/// A seeded sandbox with a short history, accepting `key`.
pub fn small_sandbox(key: &str) -> Sandbox {
    Sandbox::seeded(
        key,
        SeedOptions {
            audit_events: 50,
            ..SeedOptions::default()
        },
    )
}

/// One response, read whole.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

impl Answer {
    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    /// The `Set-Cookie` header, if any.
    pub fn set_cookie(&self) -> Option<String> {
        self.headers
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    /// Fails unless this is an error in upstream's shape with this status and code.
    pub fn assert_error(&self, status: StatusCode, code: Option<&str>) {
        assert_eq!(self.status, status, "{}", self.text);
        let body = self.json();
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{body}"
        );
        assert!(body["error"]["type"].is_string(), "{body}");
        if let Some(code) = code {
            assert_eq!(body["error"]["code"], code, "{body}");
        }
    }
}

/// In the SSO tests: the proxy's range, an address in it, and an outsider.
pub const PROXY_RANGE: &str = "10.0.0.0/8";
pub const PROXY: &str = "10.1.2.3:4000";
pub const OUTSIDER: &str = "192.0.2.50:4000";

/// A BFF behind an SSO proxy in [`PROXY_RANGE`] that names people in `X-Forwarded-Email`;
/// alice@acme.example is an owner, the rest of @acme.example auditors.
pub async fn sso() -> Harness {
    use gatehouse::trusted_header::{RoleMap, TrustedHeader};
    let trusted = TrustedHeader {
        header: "x-forwarded-email".into(),
        roles: RoleMap {
            owner: vec!["alice@acme.example".into()],
            auditor: vec!["@acme.example".into()],
        },
    };
    let mut harness =
        Harness::around_with(small_sandbox(CANARY_KEY), Policy::default(), Some(trusted)).await;
    harness.reconfigure(|state| {
        state.trusted_proxies = vec![PROXY_RANGE.parse().expect("cidr")].into();
    });
    harness
}

/// The body of `POST /api/session`.
pub fn sign_in_body(user: &str, password: &str) -> String {
    format!(r#"{{"username":"{user}","password":"{password}"}}"#)
}

/// A BFF behind a TLS proxy in [`PROXY_RANGE`] (`--trusted-proxy` alone).
pub async fn behind_proxy() -> Harness {
    let mut harness = Harness::new().await;
    harness.reconfigure(|state| {
        state.trusted_proxies = vec![PROXY_RANGE.parse().expect("cidr")].into();
    });
    harness
}

/// Runs `gatehouse ARGS --data-dir DIR` with `stdin` as its input.
pub fn gatehouse_cli(
    data_dir: &std::path::Path,
    args: &[&str],
    stdin: &str,
) -> std::process::Output {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut command = Command::new(env!("CARGO_BIN_EXE_gatehouse"));
    command.args(args).arg("--data-dir").arg(data_dir);
    if let Ok(url) = std::fs::read_to_string(data_dir.join(DATABASE_NOTE)) {
        command.arg("--database").arg(url);
    }
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run gatehouse");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("wait")
}

/// A socket address from text.
pub fn addr(text: &str) -> std::net::SocketAddr {
    text.parse().expect("a socket address")
}

impl Harness {
    /// Rebuilds the router after `change` to its state (other flags, another upstream).
    pub fn reconfigure(&mut self, change: impl FnOnce(&mut AppState)) {
        change(&mut self.state);
        self.app = gatehouse::app(self.state.clone());
    }

    /// Points the BFF at another upstream base URL (one that refuses or hangs up).
    pub fn upstream_at(&mut self, base: &str) {
        let upstream = Upstream::new(
            &base.parse().expect("url"),
            AdminKey::new(CANARY_KEY).expect("key"),
        )
        .expect("client");
        self.reconfigure(|state| state.upstream = upstream);
    }

    /// The owner makes a user an owner, sending `extra` headers from `from`.
    pub async fn owner_writes_from(
        &self,
        extra: &[(&str, &str)],
        from: std::net::SocketAddr,
    ) -> Answer {
        let (cookie, csrf) = self.owner().await;
        let cookie = format!("{SESSION_COOKIE}={cookie}");
        let id = self.sandbox.read(|org| org.users()[4].id.clone());
        let mut headers = vec![("cookie", cookie.as_str()), ("x-csrf-token", csrf.as_str())];
        headers.extend_from_slice(extra);
        self.send_with(
            "POST",
            &format!("/api/v1/organization/users/{id}"),
            &headers,
            Some(from),
            Some(r#"{"role":"owner"}"#),
        )
        .await
    }

    /// The journal's newest `n` rows, newest first.
    pub async fn journal_rows(&self, n: u32) -> Vec<gatehouse::journal::Entry> {
        self.journal
            .list(&gatehouse::journal::Filter {
                limit: n,
                ..Default::default()
            })
            .await
            .expect("journal")
            .0
    }
}

/// Ids of real objects in the seeded sandbox.
pub struct Ids {
    pub user: String,
    /// Someone in the organization but not in `project`.
    pub newcomer: String,
    pub project: String,
    pub member: String,
    pub account: String,
    pub user_key: String,
    pub invite: String,
    pub admin_key: String,
    /// Not in the Platform Engineering group (seed user 0).
    pub outsider: String,
    /// In Platform Engineering (seed user 2).
    pub platform_member: String,
    /// Holds Audit Reader directly (seed user 3).
    pub audit_reader: String,
}

pub fn ids(harness: &Harness) -> Ids {
    harness.sandbox.read(|org| {
        // Not the default project (the first), which cannot be archived.
        let project = org
            .projects()
            .iter()
            .skip(1)
            .find(|p| !p.service_accounts.is_empty())
            .expect("project");
        let user = org.users()[5].id.clone();
        let newcomer = org
            .users()
            .iter()
            .find(|u| u.id != user && !project.members.iter().any(|m| m.id == u.id))
            .expect("someone outside the project")
            .id
            .clone();
        Ids {
            user,
            newcomer,
            project: project.project.id.clone(),
            member: project.members[1].id.clone(),
            account: project.service_accounts[0].id.clone(),
            user_key: project
                .api_keys
                .iter()
                .find(|k| k.owner.kind == "user")
                .expect("key")
                .id
                .clone(),
            invite: org.invites()[0].id.clone(),
            admin_key: org.admin_keys()[1].id.clone(),
            outsider: org.users()[0].id.clone(),
            platform_member: org.users()[2].id.clone(),
            audit_reader: org.users()[3].id.clone(),
        }
    })
}

/// Every mutating operation the portal offers: method, path, body.
pub fn writes(ids: &Ids) -> Vec<(&'static str, String, Option<String>)> {
    let p = format!("/api/v1/organization/projects/{}", ids.project);
    let mut writes = vec![
        (
            "POST",
            format!("/api/v1/organization/users/{}", ids.user),
            Some(r#"{"role":"owner"}"#.into()),
        ),
        (
            "DELETE",
            format!("/api/v1/organization/users/{}", ids.user),
            None,
        ),
        (
            "POST",
            "/api/v1/organization/invites".into(),
            Some(r#"{"email":"a@b.example","role":"reader"}"#.into()),
        ),
        (
            "DELETE",
            format!("/api/v1/organization/invites/{}", ids.invite),
            None,
        ),
        (
            "POST",
            "/api/v1/organization/projects".into(),
            Some(r#"{"name":"New"}"#.into()),
        ),
        ("POST", p.clone(), Some(r#"{"name":"Renamed"}"#.into())),
        ("POST", format!("{p}/archive"), None),
        (
            "POST",
            format!("{p}/users"),
            Some(format!(
                r#"{{"user_id":"{}","role":"member"}}"#,
                ids.newcomer
            )),
        ),
        (
            "POST",
            format!("{p}/users/{}", ids.member),
            Some(r#"{"role":"owner"}"#.into()),
        ),
        ("DELETE", format!("{p}/users/{}", ids.member), None),
        (
            "POST",
            format!("{p}/service_accounts"),
            Some(r#"{"name":"bot"}"#.into()),
        ),
        (
            "POST",
            format!("{p}/service_accounts/{}", ids.account),
            Some(r#"{"name":"bot2"}"#.into()),
        ),
        (
            "POST",
            format!("{p}/service_accounts/{}/api_keys", ids.account),
            Some(r#"{"name":"k"}"#.into()),
        ),
        (
            "DELETE",
            format!("{p}/service_accounts/{}", ids.account),
            None,
        ),
        ("DELETE", format!("{p}/api_keys/{}", ids.user_key), None),
        (
            "POST",
            "/api/v1/organization/admin_api_keys".into(),
            Some(r#"{"name":"k"}"#.into()),
        ),
        (
            "DELETE",
            format!("/api/v1/organization/admin_api_keys/{}", ids.admin_key),
            None,
        ),
        (
            "POST",
            format!("{p}/rate_limits/rl-gpt-4o"),
            Some(r#"{"max_requests_per_1_minute":10}"#.into()),
        ),
    ];
    writes.extend(access_writes(ids));
    writes
}

/// The access-management writes (#16), in an order in which each succeeds on the seed. No
/// principal loses two roles here: two such deletes of one group in one second would fit each
/// other's events equally, and stay unattributed (see `attribution`).
fn access_writes(ids: &Ids) -> Vec<(&'static str, String, Option<String>)> {
    use sandbox::seeded as seed;
    let g = format!("/api/v1/organization/groups/{}", seed::PLATFORM);
    let support = format!("/api/v1/organization/groups/{}", seed::SUPPORT);
    let roles = "/api/v1/organization/roles";
    let users = "/api/v1/organization/users";
    let p = format!("/api/v1/organization/projects/{}", ids.project);
    let role = |id: &str| Some(format!(r#"{{"role_id":"{id}"}}"#));
    vec![
        (
            "POST",
            "/api/v1/organization/groups".into(),
            Some(r#"{"name":"Reviewers"}"#.into()),
        ),
        ("POST", g.clone(), Some(r#"{"name":"Platform"}"#.into())),
        (
            "POST",
            format!("{g}/users"),
            Some(format!(r#"{{"user_id":"{}"}}"#, ids.outsider)),
        ),
        ("DELETE", format!("{g}/users/{}", ids.platform_member), None),
        ("POST", format!("{g}/roles"), role(seed::AUDIT_READER)),
        (
            "DELETE",
            format!("{support}/roles/{}", seed::GROUP_MANAGER),
            None,
        ),
        (
            "POST",
            format!("{users}/{}/roles", ids.platform_member),
            role(seed::GROUP_MANAGER),
        ),
        (
            "DELETE",
            format!("{users}/{}/roles/{}", ids.audit_reader, seed::AUDIT_READER),
            None,
        ),
        (
            "POST",
            roles.into(),
            Some(r#"{"role_name":"Reviewers","permissions":["api.audit_logs.read"]}"#.into()),
        ),
        (
            "POST",
            format!("{roles}/{}", seed::AUDIT_READER),
            Some(r#"{"description":"Reads the audit log"}"#.into()),
        ),
        (
            "POST",
            format!("{p}/groups"),
            Some(format!(
                r#"{{"group_id":"{}","role":"{}"}}"#,
                seed::OKTA_FINANCE,
                seed::PROJECT_MEMBER
            )),
        ),
        ("DELETE", format!("{p}/groups/{}", seed::OKTA_FINANCE), None),
        ("DELETE", format!("{roles}/{}", seed::GROUP_MANAGER), None),
        ("DELETE", g, None),
    ]
}
