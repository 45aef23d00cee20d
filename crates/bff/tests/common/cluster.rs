//! A real deployment of several replicas for the end-to-end test and the load benchmark: a
//! `gatehouse sandbox` as upstream behind an nginx server that logs every request to it, two
//! `gatehouse serve` replicas on one PostgreSQL database, and nginx in front of them (round
//! robin, `X-Forwarded-For` set, Gatehouse told to trust it), with one owner account.
//!
//! Used through `#[path]` beside `process.rs`, which must be the sibling module `process`.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use super::process::{Killed, spawn_logged, wait_for_line};

/// The admin key the sandbox accepts and the replicas hold.
pub const KEY: &str = "test-admin-key-replicas-e2e-not-a-real-one";

pub fn tempdir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("gatehouse-replicas-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// A free loopback port (bound and released; nginx and the replicas bind it again).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// nginx with its own prefix, stopped when dropped.
pub struct Nginx(pub Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGTERM: the master stops its workers too (SIGKILL would leave them holding the ports).
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let _ = self.0.wait();
    }
}

pub fn nginx(dir: &Path, front: u16, replicas: [u16; 2], upstream: u16, sandbox: u16) -> Nginx {
    let d = dir.display();
    let config = format!(
        "worker_processes 1;
daemon off;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {d}/body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    log_format polls '$request_method $request_uri';

    upstream gatehouse {{
        server 127.0.0.1:{r0} max_fails=1 fail_timeout=5s;
        server 127.0.0.1:{r1} max_fails=1 fail_timeout=5s;
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{front};
        location / {{
            proxy_pass http://gatehouse;
            proxy_http_version 1.1;
            proxy_set_header Connection \"\";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            # Only what cannot have reached a replica is retried: never a write it may have made.
            proxy_next_upstream error;
            add_header X-Replica $upstream_addr always;
        }}
    }}
    server {{
        listen 127.0.0.1:{upstream};
        access_log {d}/upstream.log polls;
        location / {{ proxy_pass http://127.0.0.1:{sandbox}; }}
    }}
}}
",
        r0 = replicas[0],
        r1 = replicas[1],
    );
    let path = dir.join("nginx.conf");
    std::fs::write(&path, config).expect("nginx.conf");
    let child = Command::new("nginx")
        .arg("-p")
        .arg(dir)
        .arg("-c")
        .arg(&path)
        .spawn()
        .expect("nginx (Debian's nginx-light)");
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", front)).is_err() {
        assert!(
            Instant::now() < deadline,
            "nginx did not start: {}",
            std::fs::read_to_string(dir.join("error.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Nginx(child)
}

/// One replica's command line.
pub struct Replica {
    pub port: u16,
    pub dir: PathBuf,
    pub database: String,
    pub upstream: String,
    pub static_dir: PathBuf,
    pub interval_secs: u64,
}

impl Replica {
    pub fn start(&self, name: &str) -> (Killed, PathBuf) {
        let listen = format!("127.0.0.1:{}", self.port);
        let interval = format!("{}s", self.interval_secs);
        let args = [
            "serve",
            "--listen",
            &listen,
            "--upstream",
            &self.upstream,
            "--database",
            &self.database,
            "--data-dir",
            self.dir.to_str().expect("path"),
            "--static-dir",
            self.static_dir.to_str().expect("path"),
            "--trusted-proxy",
            "127.0.0.1/32",
            "--archive-interval",
            &interval,
        ];
        let (child, log) = spawn_logged(&self.dir, name, &args, &[("OPENAI_ADMIN_KEY", KEY)]);
        wait_for_line(&log, "Gatehouse is listening on ");
        (child, log)
    }
}

/// How many polls of upstream's audit log began so far: requests for its first page (a poll
/// that pages on asks again with `after`).
pub fn polls(dir: &Path) -> usize {
    std::fs::read_to_string(dir.join("upstream.log"))
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains("/organization/audit_logs") && !l.contains("after="))
        .count()
}

pub fn verify(database: &str) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args(["journal", "verify", "--database", database])
        .output()
        .expect("gatehouse journal verify");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

/// Creates an empty database on `server` (a PostgreSQL URL without a database); its URL.
pub async fn fresh_database(server: &str) -> String {
    use sqlx::Connection;
    let server = server.trim_end_matches('/');
    let name = format!("replicas_{}", std::process::id());
    let mut admin = sqlx::postgres::PgConnection::connect(&format!("{server}/postgres"))
        .await
        .expect("connect");
    sqlx::Executor::execute(
        &mut admin,
        format!("DROP DATABASE IF EXISTS {name}").as_str(),
    )
    .await
    .expect("drop");
    sqlx::Executor::execute(&mut admin, format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("create");
    format!("{server}/{name}")
}

/// The whole deployment; dropped, it stops.
pub struct Cluster {
    /// nginx's prefix: its config and the upstream's request log (see [`polls`]).
    pub dir: PathBuf,
    pub database: String,
    /// The portal's URL, through nginx.
    pub portal: String,
    pub replicas: Vec<Replica>,
    /// The running replicas' processes and logs.
    pub running: Vec<Option<(Killed, PathBuf)>>,
    pub nginx: Nginx,
    pub sandbox: Killed,
}

/// The owner account every cluster has.
pub const OWNER: (&str, &str) = ("olive", "olive-password-long");

impl Cluster {
    /// Starts it all, the lease holder polling upstream every `interval_secs`; `name` keeps
    /// its temporary directories apart from another cluster's.
    pub async fn start(name: &str, interval_secs: u64, server: &str) -> Self {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let dir = tempdir(&format!("{name}-nginx"));
        let static_dir = tempdir(&format!("{name}-dist"));
        std::fs::write(
            static_dir.join("index.html"),
            "<!doctype html><title>t</title>",
        )
        .expect("index");
        let database = fresh_database(server).await;

        let (sandbox, sandbox_url) = {
            let args = ["sandbox", "--listen", "127.0.0.1:0", "--admin-key", KEY];
            let (child, log) = spawn_logged(&dir, "sandbox", &args, &[]);
            (child, wait_for_line(&log, "Sandbox listening on "))
        };
        let sandbox_port: u16 = sandbox_url
            .trim_start_matches("http://127.0.0.1:")
            .trim_end_matches("/v1")
            .parse()
            .expect("sandbox port");
        let (front, upstream_port) = (free_port(), free_port());
        let replicas: Vec<Replica> = (0..2)
            .map(|n| Replica {
                port: free_port(),
                dir: tempdir(&format!("{name}-replica{n}")),
                database: database.clone(),
                upstream: format!("http://127.0.0.1:{upstream_port}/v1"),
                static_dir: static_dir.clone(),
                interval_secs,
            })
            .collect();
        let nginx = nginx(
            &dir,
            front,
            [replicas[0].port, replicas[1].port],
            upstream_port,
            sandbox_port,
        );
        let running: Vec<Option<(Killed, PathBuf)>> = vec![
            Some(replicas[0].start("serve0")),
            Some(replicas[1].start("serve1")),
        ];

        // An owner account, added with the CLI on the shared database.
        let mut add = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
            .args([
                "user",
                "add",
                OWNER.0,
                "--role",
                "owner",
                "--database",
                &database,
            ])
            .stdin(std::process::Stdio::piped())
            .spawn()
            .expect("user add");
        std::io::Write::write_all(
            add.stdin.as_mut().expect("stdin"),
            format!("{}\n", OWNER.1).as_bytes(),
        )
        .expect("password");
        assert!(add.wait().expect("wait").success());

        Self {
            dir,
            database,
            portal: format!("http://127.0.0.1:{front}"),
            replicas,
            running,
            nginx,
            sandbox,
        }
    }
}

/// Signs the owner in through `portal`: the cookie pair and the CSRF token.
pub async fn sign_in(client: &reqwest::Client, portal: &str) -> (String, String) {
    let answer = client
        .post(format!("{portal}/api/session"))
        .json(&serde_json::json!({"username": OWNER.0, "password": OWNER.1}))
        .send()
        .await
        .expect("sign in");
    assert_eq!(answer.status(), 200, "sign in");
    let cookie = answer.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .split(';')
        .next()
        .expect("pair")
        .to_owned();
    let body: serde_json::Value = answer.json().await.expect("json");
    let csrf = body["csrf_token"].as_str().expect("csrf").to_owned();
    (cookie, csrf)
}

/// Asks for the session `n` times through `portal`, each answered signed in; the replicas
/// that answered (nginx's `X-Replica`).
pub async fn served_by(
    client: &reqwest::Client,
    portal: &str,
    cookie: &str,
    n: usize,
) -> std::collections::BTreeSet<String> {
    let mut replicas = std::collections::BTreeSet::new();
    for _ in 0..n {
        let answer = client
            .get(format!("{portal}/api/session"))
            .header("cookie", cookie)
            .send()
            .await
            .expect("session");
        assert_eq!(answer.status(), 200, "signed in");
        replicas.insert(
            answer.headers()["x-replica"]
                .to_str()
                .expect("replica")
                .to_owned(),
        );
    }
    replicas
}
