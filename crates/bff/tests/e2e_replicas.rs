//! Two real `gatehouse serve` replicas on one PostgreSQL behind a real nginx (Debian's, round
//! robin, `X-Forwarded-For` set, Gatehouse told to trust it), in front of a real `gatehouse
//! sandbox` that a second nginx server logs every request to, so polls are counted at the
//! upstream's door.
//!
//! Needs nginx and `GATEHOUSE_TEST_POSTGRES` (a server URL): `scripts/test.sh` provides both and
//! runs it with `--ignored`.

#[path = "common/cluster.rs"]
mod cluster;
#[path = "common/process.rs"]
mod process;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cluster::{Cluster, polls, verify};
use serde_json::{Value, json};

/// How often the lease holder polls upstream in this test.
const INTERVAL_SECS: u64 = 2;

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs nginx and PostgreSQL: run by scripts/test.sh"]
async fn two_replicas_behind_nginx_share_one_store() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let server = std::env::var("GATEHOUSE_TEST_POSTGRES")
        .expect("GATEHOUSE_TEST_POSTGRES: a PostgreSQL server URL (scripts/test.sh starts one)");
    let cluster = Cluster::start("e2e", INTERVAL_SECS, &server).await;
    let (dir, database, replicas) = (&cluster.dir, &cluster.database, &cluster.replicas);
    let mut running = cluster.running;
    let portal = cluster.portal.clone();
    let client = reqwest::Client::new();

    // 1. Sign in through nginx; the next requests land on both replicas and stay signed in.
    let (cookie, csrf) = cluster::sign_in(&client, &portal).await;
    let served_by = cluster::served_by(&client, &portal, &cookie, 10).await;
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
    let (ok, text) = verify(database);
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
    let (ok, text) = verify(database);
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
    let rows = journaled(database).await;
    for id in &acknowledged {
        assert!(
            rows.contains(id),
            "acknowledged write {id} is in the journal"
        );
    }
    let (ok, text) = verify(database);
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
    let before = polls(dir);
    tokio::time::sleep(Duration::from_secs(3 * INTERVAL_SECS)).await;
    assert!(polls(dir) > before, "the survivor polls upstream");

    // 5. A restart of both replicas keeps the session.
    running.clear();
    let mut running = vec![
        replicas[0].start("serve0-again"),
        replicas[1].start("serve1-again"),
    ];
    let served_by = cluster::served_by(&client, &portal, &cookie, 6).await;
    assert_eq!(served_by.len(), 2, "both replicas, still signed in");

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
    let before = polls(dir);
    tokio::time::sleep(Duration::from_secs(window)).await;
    let counted = polls(dir) - before;
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
