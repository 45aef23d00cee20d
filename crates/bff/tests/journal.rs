//! The journal: every write recorded before and after, secrets kept out, tampering detected,
//! and acknowledged entries surviving `kill -9`.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use axum::http::StatusCode;
use common::Harness;

fn verify(data_dir: &std::path::Path) -> (bool, String) {
    let out = common::gatehouse_cli(data_dir, &["journal", "verify"], "");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[tokio::test]
async fn each_write_is_journaled_before_and_after_without_secrets() {
    let harness = Harness::new().await;
    let (cookie, csrf) = harness.owner().await;
    let project = harness
        .sandbox
        .read(|org| org.projects()[1].project.id.clone());
    let created = harness
        .send(
            "POST",
            &format!("/api/v1/organization/projects/{project}/service_accounts"),
            Some(&cookie),
            Some(&csrf),
            Some(r#"{"name":"deploy-bot"}"#),
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.text);
    let secret = created.json()["api_key"]["value"]
        .as_str()
        .expect("one-time value")
        .to_owned();
    let account = created.json()["id"].as_str().expect("id").to_owned();

    let (auditor, _) = harness.auditor().await;
    let page = harness.get("/api/journal?limit=10", &auditor).await;
    assert_eq!(
        page.status,
        StatusCode::OK,
        "auditors read the journal: {}",
        page.text
    );
    let rows = page.json()["data"].as_array().cloned().expect("data");
    assert_eq!(rows.len(), 2);
    let (result, request) = (&rows[0], &rows[1]);
    assert_eq!(request["phase"], "request");
    assert_eq!(request["username"], "olive");
    assert_eq!(request["role"], "owner");
    assert_eq!(request["method"], "POST");
    assert!(
        request["body"]
            .as_str()
            .is_some_and(|b| b.contains("deploy-bot"))
    );
    assert_eq!(result["phase"], "result");
    assert_eq!(result["status"], 200);
    assert_eq!(result["object_id"], account.as_str());
    assert!(
        result["upstream_request_id"]
            .as_str()
            .is_some_and(|r| r.starts_with("req_"))
    );
    assert_eq!(result["request_id"], request["request_id"]);
    assert_eq!(result["prev_hash"], request["hash"]);

    // The one-time secret is in neither the journal nor the database (its file, on SQLite).
    assert!(!page.text.contains(&secret));
    let rows: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM journal WHERE body LIKE $1 OR path LIKE $1 OR object_id LIKE $1",
    )
    .bind(format!("%{secret}%"))
    .fetch_one(&harness.db.pool)
    .await
    .expect("count");
    assert_eq!(rows, 0);
    if harness.db.engine == gatehouse::db::Engine::Sqlite {
        let db = std::fs::read(harness.data_dir.join("gatehouse.db")).expect("db");
        let wal = std::fs::read(harness.data_dir.join("gatehouse.db-wal")).unwrap_or_default();
        for bytes in [&db, &wal] {
            assert!(!String::from_utf8_lossy(bytes).contains(&secret));
        }
    }

    // A refused write is journaled with its status; reads are not journaled.
    let refused = harness
        .send(
            "POST",
            "/api/v1/organization/projects/proj_missing",
            Some(&cookie),
            Some(&csrf),
            Some(r#"{"name":"x"}"#),
        )
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    let page = harness.get("/api/journal?user=olive", &auditor).await;
    let rows = page.json()["data"].as_array().cloned().expect("data");
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0]["status"], 404);
    let none = harness.get("/api/journal?user=audrey", &auditor).await;
    assert_eq!(none.json()["data"].as_array().map(Vec::len), Some(0));
    assert_eq!(
        harness
            .send("GET", "/api/journal", None, None, None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn tampering_breaks_verification() {
    let harness = Harness::new().await;
    let (cookie, csrf) = harness.owner().await;
    for n in 0..3 {
        let body = format!(r#"{{"name":"P{n}"}}"#);
        let answer = harness
            .send(
                "POST",
                "/api/v1/organization/projects",
                Some(&cookie),
                Some(&csrf),
                Some(&body),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK);
    }
    let dir = &harness.data_dir;
    let (ok, text) = verify(dir);
    assert!(ok, "{text}");
    assert!(text.contains("6 rows"), "{text}");

    let db = &harness.db.pool;
    sqlx::query("UPDATE journal SET username = 'audrey' WHERE seq = 3")
        .execute(db)
        .await
        .expect("tamper");
    let (ok, text) = verify(dir);
    assert!(!ok && text.contains("row 3 was changed"), "{text}");
    sqlx::query("UPDATE journal SET username = 'olive' WHERE seq = 3")
        .execute(db)
        .await
        .expect("restore");
    assert!(verify(dir).0);

    sqlx::query("DELETE FROM journal WHERE seq = 2")
        .execute(db)
        .await
        .expect("remove");
    let (ok, text) = verify(dir);
    assert!(!ok && text.contains("row 2 is missing"), "{text}");
}

#[tokio::test]
async fn reordered_rows_break_verification() {
    let harness = Harness::new().await;
    let (cookie, csrf) = harness.owner().await;
    for n in 0..2 {
        let body = format!(r#"{{"name":"P{n}"}}"#);
        harness
            .send(
                "POST",
                "/api/v1/organization/projects",
                Some(&cookie),
                Some(&csrf),
                Some(&body),
            )
            .await;
    }
    let db = &harness.db.pool;
    // Swap rows 2 and 3, keeping their own hashes.
    sqlx::query("UPDATE journal SET seq = -2 WHERE seq = 2")
        .execute(db)
        .await
        .expect("swap");
    sqlx::query("UPDATE journal SET seq = 2 WHERE seq = 3")
        .execute(db)
        .await
        .expect("swap");
    sqlx::query("UPDATE journal SET seq = 3 WHERE seq = -2")
        .execute(db)
        .await
        .expect("swap");
    let (ok, text) = verify(&harness.data_dir);
    assert!(!ok, "{text}");
}

/// A real `gatehouse serve`, a burst of writes, `kill -9` in the middle: every write the browser
/// saw acknowledged is in the journal afterwards, and the chain verifies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_entries_survive_kill_9() {
    let data_dir = common::tempdir();
    let static_dir = common::tempdir();
    std::fs::write(
        static_dir.join("index.html"),
        "<!doctype html><title>t</title>",
    )
    .expect("index");
    let mut child = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args(["serve", "--listen", "127.0.0.1:0", "--static-dir"])
        .arg(&static_dir)
        .arg("--data-dir")
        .arg(&data_dir)
        .env_remove("OPENAI_ADMIN_KEY")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve");
    let stdout = child.stdout.take().expect("stdout");
    let url = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find_map(|l| {
            l.strip_prefix("Gatehouse is listening on ")
                .map(str::to_owned)
        })
        .expect("address");

    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::new();
    let signed_in = client
        .post(format!("{url}/api/session"))
        .json(&serde_json::json!({"username": "demo-owner", "password": "demo-owner"}))
        .send()
        .await
        .expect("sign in");
    let cookie = signed_in.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .split(';')
        .next()
        .expect("pair")
        .to_owned();
    let csrf = signed_in.json::<serde_json::Value>().await.expect("json")["csrf_token"]
        .as_str()
        .expect("csrf")
        .to_owned();

    // Four writers in parallel; the server is killed while their requests are in flight.
    let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let mut writers = Vec::new();
    for writer in 0..4 {
        let (client, url, cookie, csrf, acknowledged) = (
            client.clone(),
            url.clone(),
            cookie.clone(),
            csrf.clone(),
            acknowledged.clone(),
        );
        writers.push(tokio::spawn(async move {
            for n in 0.. {
                let sent = client
                    .post(format!("{url}/api/v1/organization/projects"))
                    .header("cookie", &cookie)
                    .header("x-csrf-token", &csrf)
                    .json(&serde_json::json!({"name": format!("Burst {writer}-{n}")}))
                    .send()
                    .await;
                let Ok(response) = sent else { return };
                if !response.status().is_success() {
                    return;
                }
                let Ok(body) = response.json::<serde_json::Value>().await else {
                    return;
                };
                let id = body["id"].as_str().expect("id").to_owned();
                acknowledged.lock().expect("lock").push(id);
            }
        }));
    }
    while acknowledged.lock().expect("lock").len() < 100 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    // SIGKILL: no shutdown, no flush.
    child.kill().expect("kill -9");
    for writer in writers {
        writer.await.expect("writer");
    }
    let acknowledged = acknowledged.lock().expect("lock").clone();
    let _ = child.wait();
    assert!(
        acknowledged.len() >= 100,
        "the burst ran before the kill: {}",
        acknowledged.len()
    );

    let (ok, text) = verify(&data_dir);
    assert!(ok, "{text}");
    let pool = gatehouse::db::Db::open(&data_dir).await.expect("reopen");
    let journaled: Vec<String> = sqlx::query_scalar(
        "SELECT object_id FROM journal WHERE phase = 'result' AND object_id IS NOT NULL",
    )
    .fetch_all(&pool.pool)
    .await
    .expect("query");
    for id in &acknowledged {
        assert!(
            journaled.contains(id),
            "acknowledged project {id} is missing from the journal"
        );
    }
    println!(
        "{} acknowledged writes, all journaled after kill -9",
        acknowledged.len()
    );
}
