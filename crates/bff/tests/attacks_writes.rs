//! Attacks on, and accidents of, the write path, each asserting what the person sees: a journal
//! that cannot record, an upstream that never answers, a browser that goes away, a forged
//! request id, a query string smuggled onto a write, and caches keeping secrets.

mod common;

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use common::{CANARY_KEY, Harness, OUTSIDER, PROXY, addr, small_sandbox};
use gatehouse::upstream::Policy;

/// A trigger that makes every insert of a result row fail, as a full disk or a locked
/// database would, in each engine's dialect.
fn break_results(engine: gatehouse::db::Engine) -> &'static str {
    match engine {
        gatehouse::db::Engine::Sqlite => {
            "CREATE TRIGGER no_results BEFORE INSERT ON journal
             WHEN NEW.phase = 'result' BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        }
        gatehouse::db::Engine::Postgres => {
            "CREATE FUNCTION disk_full() RETURNS trigger LANGUAGE plpgsql AS
                 $$ BEGIN RAISE EXCEPTION 'disk full'; END $$;
             CREATE TRIGGER no_results BEFORE INSERT ON journal
                 FOR EACH ROW WHEN (NEW.phase = 'result') EXECUTE FUNCTION disk_full()"
        }
    }
}

/// Drops it again.
fn mend_results(engine: gatehouse::db::Engine) -> &'static str {
    match engine {
        gatehouse::db::Engine::Sqlite => "DROP TRIGGER no_results",
        gatehouse::db::Engine::Postgres => "DROP TRIGGER no_results ON journal",
    }
}

#[tokio::test]
async fn a_new_admin_key_reaches_its_owner_even_when_the_journal_cannot_record_it() {
    let harness = Harness::new().await;
    let (cookie, csrf) = harness.owner().await;
    sqlx::raw_sql(break_results(harness.db.engine))
        .execute(&harness.db.pool)
        .await
        .expect("trigger");
    let created = harness
        .send(
            "POST",
            "/api/v1/organization/admin_api_keys",
            Some(&cookie),
            Some(&csrf),
            Some(r#"{"name":"ci-key"}"#),
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.text);
    let body = created.json();
    assert!(
        body["value"].as_str().is_some_and(|v| !v.is_empty()),
        "the one-time value is there: {body}"
    );
    let key_id = body["id"].as_str().expect("id").to_owned();

    sqlx::raw_sql(mend_results(harness.db.engine))
        .execute(&harness.db.pool)
        .await
        .expect("drop");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let rows = harness.journal_rows(5).await;
        if rows
            .iter()
            .any(|r| r.phase == "result" && r.object_id.as_deref() == Some(key_id.as_str()))
        {
            break;
        }
        assert!(Instant::now() < deadline, "no result row within 10 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args(["journal", "verify", "--data-dir"])
        .arg(&harness.data_dir)
        .output()
        .expect("journal verify");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The owner creates a project.
async fn create_project(harness: &Harness, cookie: &str, csrf: &str) -> common::Answer {
    harness
        .send(
            "POST",
            "/api/v1/organization/projects",
            Some(cookie),
            Some(csrf),
            Some(r#"{"name":"Maybe made"}"#),
        )
        .await
}

/// The newest journal row as `GET /api/journal` shows it.
async fn newest_journal_row(harness: &Harness, cookie: &str) -> serde_json::Value {
    let page = harness.get("/api/journal?limit=1", cookie).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    page.json()["data"][0].clone()
}

#[tokio::test]
async fn a_write_whose_answer_never_came_is_reported_as_unknown() {
    let policy = Policy {
        timeout: Duration::from_millis(300),
        ..Policy::default()
    };
    let slow = small_sandbox(CANARY_KEY).with_faults("latency=1500ms".parse().expect("faults"));
    let harness = Harness::around(slow, policy).await;
    let (cookie, csrf) = harness.owner().await;
    let answer = create_project(&harness, &cookie, &csrf).await;
    answer.assert_error(StatusCode::GATEWAY_TIMEOUT, Some("outcome_unknown"));
    let message = answer.json()["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(message.contains("audit log"), "{message}");
    let row = newest_journal_row(&harness, &cookie).await;
    assert_eq!(row["phase"], "result", "{row}");
    assert_eq!(row["outcome"], "unknown", "{row}");
    assert_ne!(row["status"], 502, "{row}");
}

#[tokio::test]
async fn a_connection_reset_after_sending_is_an_unknown_outcome() {
    // An upstream that reads the request and hangs up without answering.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}/v1", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let mut buffer = [0_u8; 4096];
            let _ = tokio::io::AsyncReadExt::read(&mut socket, &mut buffer).await;
            drop(socket);
        }
    });
    let mut harness = Harness::new().await;
    let (cookie, csrf) = harness.owner().await;
    harness.upstream_at(&base);
    create_project(&harness, &cookie, &csrf)
        .await
        .assert_error(StatusCode::GATEWAY_TIMEOUT, Some("outcome_unknown"));
    assert_eq!(
        newest_journal_row(&harness, &cookie).await["outcome"],
        "unknown"
    );
}

#[tokio::test]
async fn a_refused_connection_is_a_write_not_sent() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}/v1", closed.local_addr().expect("addr"));
    drop(closed);
    let mut harness = Harness::new().await;
    let (cookie, csrf) = harness.owner().await;
    harness.upstream_at(&base);
    create_project(&harness, &cookie, &csrf)
        .await
        .assert_error(StatusCode::BAD_GATEWAY, Some("upstream_unreachable"));
    let row = newest_journal_row(&harness, &cookie).await;
    assert_eq!(row["outcome"], "not_sent", "{row}");
}

#[tokio::test]
async fn a_write_finishes_and_is_journaled_when_the_browser_goes_away() {
    let slow = small_sandbox(CANARY_KEY).with_faults("latency=600ms".parse().expect("faults"));
    let harness = Harness::around(slow, Policy::default()).await;
    let (cookie, csrf) = harness.owner().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let portal = listener.local_addr().expect("addr");
    let app = harness.app.clone();
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
    });
    let body = r#"{"name":"Made after the tab closed"}"#;
    let request = format!(
        "POST /api/v1/organization/projects HTTP/1.1\r\nhost: {portal}\r\n\
         cookie: {}={cookie}\r\nx-csrf-token: {csrf}\r\ncontent-type: application/json\r\n\
         content-length: {}\r\n\r\n{body}",
        gatehouse::SESSION_COOKIE,
        body.len()
    );
    let mut socket = tokio::net::TcpStream::connect(portal)
        .await
        .expect("connect");
    tokio::io::AsyncWriteExt::write_all(&mut socket, request.as_bytes())
        .await
        .expect("send");
    tokio::time::sleep(Duration::from_millis(150)).await;
    drop(socket);

    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let made = harness.sandbox.read(|org| {
            org.projects()
                .iter()
                .any(|p| p.project.name.as_deref() == Some("Made after the tab closed"))
        });
        let rows = harness.journal_rows(2).await;
        if made && rows[0].phase == "result" && rows[0].status == Some(200) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "made upstream: {made}; newest rows: {rows:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_request_id_from_an_untrusted_client_is_replaced() {
    let harness = Harness::new().await;
    let write = harness
        .owner_writes_from(&[("x-request-id", "dup")], addr(OUTSIDER))
        .await;
    assert_eq!(write.status, StatusCode::OK, "{}", write.text);
    assert_ne!(write.headers["x-request-id"], "dup");
    let rows = harness.journal_rows(2).await;
    assert!(rows.iter().all(|r| r.request_id != "dup"), "{rows:?}");
    assert_eq!(
        rows[0].request_id, rows[1].request_id,
        "both rows of the write share the id Gatehouse made"
    );
}

#[tokio::test]
async fn a_request_id_from_the_trusted_proxy_is_kept() {
    let harness = common::behind_proxy().await;
    let write = harness
        .owner_writes_from(&[("x-request-id", "edge-7f3a")], addr(PROXY))
        .await;
    assert_eq!(write.status, StatusCode::OK, "{}", write.text);
    assert_eq!(write.headers["x-request-id"], "edge-7f3a");
    assert!(
        harness
            .journal_rows(2)
            .await
            .iter()
            .all(|r| r.request_id == "edge-7f3a")
    );
}

#[tokio::test]
async fn a_query_string_smuggled_onto_a_write_is_refused() {
    let harness = Harness::new().await;
    let (cookie, csrf) = harness.owner().await;
    let invites_before = harness.sandbox.read(|org| org.invites().len());
    let hits = harness.hits();
    let answer = harness
        .send(
            "POST",
            "/api/v1/organization/invites?x=1",
            Some(&cookie),
            Some(&csrf),
            Some(r#"{"email":"new@acme.example","role":"reader"}"#),
        )
        .await;
    answer.assert_error(StatusCode::BAD_REQUEST, None);
    assert_eq!(answer.json()["error"]["param"], "x");
    assert_eq!(harness.hits(), hits, "nothing reached upstream");
    assert_eq!(
        harness.sandbox.read(|org| org.invites().len()),
        invites_before
    );
    let id = harness.sandbox.read(|org| org.users()[4].id.clone());
    harness
        .send(
            "DELETE",
            &format!("/api/v1/organization/users/{id}?force=true"),
            Some(&cookie),
            Some(&csrf),
            None,
        )
        .await
        .assert_error(StatusCode::BAD_REQUEST, None);
    assert_eq!(harness.hits(), hits, "nothing reached upstream");
}

#[tokio::test]
async fn no_api_answer_may_be_cached() {
    let harness = Harness::new().await;
    let (cookie, csrf) = harness.owner().await;
    let signed_in = harness
        .send(
            "POST",
            "/api/session",
            None,
            None,
            Some(r#"{"username":"olive","password":"olive-password"}"#),
        )
        .await;
    let answers = [
        signed_in,
        harness.get("/api/session", &cookie).await,
        harness
            .send(
                "POST",
                "/api/v1/organization/admin_api_keys",
                Some(&cookie),
                Some(&csrf),
                Some(r#"{"name":"cached?"}"#),
            )
            .await,
        harness.get("/api/v1/organization/users", &cookie).await,
        harness.send("GET", "/api/session", None, None, None).await,
        harness.get("/api/unknown", &cookie).await,
        harness.get("/api/journal", &cookie).await,
    ];
    for answer in answers {
        assert_eq!(
            answer
                .headers
                .get("cache-control")
                .map(|v| v.to_str().unwrap_or_default()),
            Some("no-store"),
            "{} {}",
            answer.status,
            answer.text
        );
    }
}
