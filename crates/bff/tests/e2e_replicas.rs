//! Two real `gatehouse serve` replicas on one PostgreSQL behind a real nginx (Debian's, round
//! robin, `X-Forwarded-For` set, Gatehouse told to trust it), in front of a real `gatehouse
//! sandbox` that a second nginx server logs every request to, so polls are counted at the
//! upstream's door.
//!
//! Needs nginx and `GATEHOUSE_TEST_POSTGRES` (a server URL): `scripts/test.sh` provides both and
//! runs it with `--ignored`.

#[path = "common/process.rs"]
mod process;

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use process::{Killed, spawn_logged, wait_for_line};
use serde_json::{Value, json};

const KEY: &str = "sk-admin-replicas-e2e-0123456789abcdefghij";
/// How often the lease holder polls upstream in this test.
const INTERVAL_SECS: u64 = 2;

fn tempdir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("gatehouse-replicas-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// A free loopback port (bound and released; nginx and the replicas bind it again).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// nginx with its own prefix, stopped when dropped.
struct Nginx(Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGTERM: the master stops its workers too (SIGKILL would leave them holding the ports).
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let _ = self.0.wait();
    }
}

fn nginx(dir: &Path, front: u16, replicas: [u16; 2], upstream: u16, sandbox: u16) -> Nginx {
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
struct Replica {
    port: u16,
    dir: PathBuf,
    database: String,
    upstream: String,
    static_dir: PathBuf,
}

impl Replica {
    fn start(&self, name: &str) -> (Killed, PathBuf) {
        let listen = format!("127.0.0.1:{}", self.port);
        let interval = format!("{INTERVAL_SECS}s");
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
fn polls(dir: &Path) -> usize {
    std::fs::read_to_string(dir.join("upstream.log"))
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains("/organization/audit_logs") && !l.contains("after="))
        .count()
}

fn verify(database: &str) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args(["journal", "verify", "--database", database])
        .output()
        .expect("gatehouse journal verify");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

/// A signed-in owner's client, through nginx.
#[derive(Clone)]
struct Owner {
    client: reqwest::Client,
    portal: String,
    cookie: String,
    csrf: String,
}

impl Owner {
    /// Creates a project: its id and the replica that answered, or `None` if it failed.
    async fn create(self, name: String) -> Option<(String, String)> {
        let answer = self
            .client
            .post(format!("{}/api/v1/organization/projects", self.portal))
            .header("cookie", &self.cookie)
            .header("x-csrf-token", &self.csrf)
            .json(&json!({ "name": name }))
            .send()
            .await
            .ok()?;
        let replica = answer.headers().get("x-replica")?.to_str().ok()?.to_owned();
        if !answer.status().is_success() {
            return None;
        }
        let body: Value = answer.json().await.ok()?;
        Some((body["id"].as_str()?.to_owned(), replica))
    }
}

/// The object ids of the journal's result rows.
async fn journaled(database: &str) -> Vec<String> {
    use sqlx::Connection;
    let mut conn = sqlx::postgres::PgConnection::connect(database)
        .await
        .expect("connect");
    sqlx::query_scalar(
        "SELECT object_id FROM journal WHERE phase = 'result' AND object_id IS NOT NULL",
    )
    .fetch_all(&mut conn)
    .await
    .expect("journal")
}

/// Creates a database on the test server; its URL.
async fn fresh_database() -> String {
    use sqlx::Connection;
    let server = std::env::var("GATEHOUSE_TEST_POSTGRES")
        .expect("GATEHOUSE_TEST_POSTGRES: a PostgreSQL server URL (scripts/test.sh starts one)");
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs nginx and PostgreSQL: run by scripts/test.sh"]
async fn two_replicas_behind_nginx_share_one_store() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempdir("nginx");
    let static_dir = tempdir("dist");
    std::fs::write(
        static_dir.join("index.html"),
        "<!doctype html><title>t</title>",
    )
    .expect("index");
    let database = fresh_database().await;

    let (_sandbox, sandbox_url) = {
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
            dir: tempdir(&format!("replica{n}")),
            database: database.clone(),
            upstream: format!("http://127.0.0.1:{upstream_port}/v1"),
            static_dir: static_dir.clone(),
        })
        .collect();
    let _nginx = nginx(
        &dir,
        front,
        [replicas[0].port, replicas[1].port],
        upstream_port,
        sandbox_port,
    );
    let mut running: Vec<Option<(Killed, PathBuf)>> = vec![
        Some(replicas[0].start("serve0")),
        Some(replicas[1].start("serve1")),
    ];

    // An owner account, added with the CLI on the shared database.
    let mut add = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args([
            "user",
            "add",
            "olive",
            "--role",
            "owner",
            "--database",
            &database,
        ])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("user add");
    std::io::Write::write_all(add.stdin.as_mut().expect("stdin"), b"olive-password-long\n")
        .expect("password");
    assert!(add.wait().expect("wait").success());

    let portal = format!("http://127.0.0.1:{front}");
    let client = reqwest::Client::new();

    // 1. Sign in through nginx; the next requests land on both replicas and stay signed in.
    let signed_in = client
        .post(format!("{portal}/api/session"))
        .json(&json!({"username": "olive", "password": "olive-password-long"}))
        .send()
        .await
        .expect("sign in");
    assert_eq!(signed_in.status(), 200);
    let cookie = signed_in.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .split(';')
        .next()
        .expect("pair")
        .to_owned();
    let csrf = signed_in.json::<Value>().await.expect("json")["csrf_token"]
        .as_str()
        .expect("csrf")
        .to_owned();
    let mut served_by = std::collections::BTreeSet::new();
    for _ in 0..10 {
        let answer = client
            .get(format!("{portal}/api/session"))
            .header("cookie", &cookie)
            .send()
            .await
            .expect("session");
        assert_eq!(answer.status(), 200);
        served_by.insert(
            answer.headers()["x-replica"]
                .to_str()
                .expect("replica")
                .to_owned(),
        );
    }
    assert_eq!(
        served_by.len(),
        2,
        "round robin reached both replicas: {served_by:?}"
    );

    // 2. A write through one replica is in the journal read from the other, and the chain verifies.
    let owner = Owner {
        client: client.clone(),
        portal: portal.clone(),
        cookie: cookie.clone(),
        csrf,
    };
    let (project, made_on) = owner
        .clone()
        .create("Made on one replica".into())
        .await
        .expect("write");
    let other = replicas
        .iter()
        .find(|r| !made_on.ends_with(&format!(":{}", r.port)))
        .expect("the other replica");
    let journal: Value = client
        .get(format!(
            "http://127.0.0.1:{}/api/journal?limit=10",
            other.port
        ))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("journal")
        .json()
        .await
        .expect("json");
    assert!(
        journal["data"]
            .as_array()
            .expect("rows")
            .iter()
            .any(|r| r["object_id"] == project.as_str()),
        "the other replica reads the write: {journal}"
    );
    let (ok, text) = verify(&database);
    assert!(ok, "{text}");

    // 3. 50 concurrent writes spread over both replicas leave one unbroken chain.
    let burst =
        futures_util::future::join_all((0..50).map(|n| owner.clone().create(format!("Burst {n}"))))
            .await;
    let made: Vec<(String, String)> = burst
        .into_iter()
        .map(|w| w.expect("every write of the burst"))
        .collect();
    let replicas_used: std::collections::BTreeSet<&String> = made.iter().map(|(_, r)| r).collect();
    assert_eq!(replicas_used.len(), 2, "the burst reached both replicas");
    let (ok, text) = verify(&database);
    assert!(ok && text.contains(&format!("{} rows", 2 * 51)), "{text}");

    // 4. kill -9 of the replica holding the archive's lease, in the middle of writes.
    let holder = running
        .iter()
        .position(|r| {
            let (_, log) = r.as_ref().expect("running");
            std::fs::read_to_string(log)
                .unwrap_or_default()
                .contains("this replica took the lease")
        })
        .expect("one replica holds the archive's lease");
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (owner, acknowledged) = (owner.clone(), acknowledged.clone());
            tokio::spawn(async move {
                for n in 0..40 {
                    if let Some((id, _)) = owner
                        .clone()
                        .create(format!("During the kill {w}-{n}"))
                        .await
                    {
                        acknowledged.lock().expect("lock").push(id);
                    }
                }
            })
        })
        .collect();
    while acknowledged.lock().expect("lock").len() < 20 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let (mut killed, _) = running[holder].take().expect("holder");
    killed.0.kill().expect("kill -9");
    let _ = killed.0.wait();
    for writer in writers {
        writer.await.expect("writer");
    }
    let acknowledged = acknowledged.lock().expect("lock").clone();
    assert!(
        acknowledged.len() > 20,
        "writes went on after the kill: {}",
        acknowledged.len()
    );
    let survivor = 1 - holder;
    let rows = journaled(&database).await;
    for id in &acknowledged {
        assert!(
            rows.contains(id),
            "acknowledged write {id} is in the journal"
        );
    }
    let (ok, text) = verify(&database);
    assert!(ok, "{text}");
    let answer = client
        .get(format!("{portal}/api/session"))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("session");
    assert_eq!(answer.status(), 200, "the other replica keeps serving");
    // The archive's poller moves to the survivor within a minute.
    let log = running[survivor].as_ref().expect("survivor").1.clone();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !std::fs::read_to_string(&log)
        .unwrap_or_default()
        .contains("this replica took the lease")
    {
        assert!(
            Instant::now() < deadline,
            "the survivor never took the archive's lease"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let before = polls(&dir);
    tokio::time::sleep(Duration::from_secs(3 * INTERVAL_SECS)).await;
    assert!(polls(&dir) > before, "the survivor polls upstream");

    // 5. A restart of both replicas keeps the session.
    running.clear();
    let mut running = vec![
        replicas[0].start("serve0-again"),
        replicas[1].start("serve1-again"),
    ];
    let mut served_by = std::collections::BTreeSet::new();
    for _ in 0..6 {
        let answer = client
            .get(format!("{portal}/api/session"))
            .header("cookie", &cookie)
            .send()
            .await
            .expect("session");
        assert_eq!(answer.status(), 200, "signed in after the restart");
        served_by.insert(
            answer.headers()["x-replica"]
                .to_str()
                .expect("replica")
                .to_owned(),
        );
    }
    assert_eq!(served_by.len(), 2);

    // 6. Exactly one replica polls upstream's audit log per interval.
    let deadline = Instant::now() + Duration::from_secs(60);
    while !running.iter().any(|(_, log)| {
        std::fs::read_to_string(log)
            .unwrap_or_default()
            .contains("this replica took the lease")
    }) {
        assert!(
            Instant::now() < deadline,
            "nobody took the archive's lease after the restart"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_secs(INTERVAL_SECS)).await;
    let window = 8 * INTERVAL_SECS;
    let before = polls(&dir);
    tokio::time::sleep(Duration::from_secs(window)).await;
    let counted = polls(&dir) - before;
    // One poller makes about window / interval polls (8); two would make about 16.
    assert!(
        (6..=10).contains(&counted),
        "{counted} polls of the audit log in {window} s at one per {INTERVAL_SECS} s"
    );
    let holders = running
        .iter()
        .filter(|(_, log)| {
            std::fs::read_to_string(log)
                .unwrap_or_default()
                .contains("this replica took the lease")
        })
        .count();
    assert_eq!(holders, 1, "one replica holds the archive's lease");
    running.clear();
}
