//! Audit-log export: every matching event, across upstream's pages, as CSV or NDJSON.

mod common;

use axum::http::StatusCode;
use common::{CANARY_KEY, Harness};
use gatehouse::upstream::Policy;
use sandbox::{Sandbox, SeedOptions};

async fn harness() -> Harness {
    let sandbox = Sandbox::seeded(
        CANARY_KEY,
        SeedOptions {
            audit_events: 260,
            ..SeedOptions::default()
        },
    );
    Harness::around(sandbox, Policy::default()).await
}

/// The sandbox's own ids for events of `event_type` (all of them when `None`), newest first.
fn expected(harness: &Harness, event_type: Option<&str>) -> Vec<String> {
    harness.sandbox.read(|org| {
        org.audit_events()
            .filter(|e| event_type.is_none_or(|t| e.event_type == t))
            .map(|e| e.id.clone())
            .collect()
    })
}

#[tokio::test]
async fn ndjson_has_every_event_across_pages() {
    let harness = harness().await;
    let (cookie, _) = harness.auditor().await;
    let answer = harness
        .get("/api/audit_logs/export?format=ndjson", &cookie)
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.headers["content-type"], "application/x-ndjson");
    assert!(
        answer.headers["content-disposition"]
            .to_str()
            .expect("ascii")
            .contains("audit-log.ndjson")
    );
    let ids: Vec<String> = answer
        .text
        .lines()
        .map(|line| {
            let event: admin_api::audit_logs::AuditLog =
                serde_json::from_str(line).expect("an event per line");
            event.id
        })
        .collect();
    let all = expected(&harness, None);
    assert!(all.len() > 250, "more than two upstream pages");
    assert_eq!(ids, all);
}

#[tokio::test]
async fn csv_is_filtered_quoted_and_complete() {
    let harness = harness().await;
    let (cookie, _) = harness.auditor().await;
    let answer = harness
        .get(
            "/api/audit_logs/export?format=csv&event_types[]=login.succeeded",
            &cookie,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.headers["content-type"], "text/csv; charset=utf-8");
    let mut reader = csv::Reader::from_reader(answer.text.as_bytes());
    let headers = reader.headers().expect("header row").clone();
    assert_eq!(&headers[0], "id");
    assert_eq!(&headers[4], "sentence");
    let rows: Vec<csv::StringRecord> = reader
        .records()
        .map(|r| r.expect("a valid CSV record"))
        .collect();
    let ids: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    assert_eq!(ids, expected(&harness, Some("login.succeeded")));
    let first = &rows[0];
    assert_eq!(&first[3], "login.succeeded");
    assert!(first[4].ends_with(" signed in"), "{}", &first[4]);
    assert!(
        first[11].contains(", like Gecko") || first[11].contains("Gecko/"),
        "user agents keep their commas: {}",
        &first[11]
    );
    assert!(first[2].ends_with('Z'), "RFC 3339 UTC time: {}", &first[2]);
}

#[tokio::test]
async fn bad_requests_and_no_session() {
    let harness = harness().await;
    let (cookie, _) = harness.auditor().await;
    let answer = harness
        .get("/api/audit_logs/export?format=xlsx", &cookie)
        .await;
    answer.assert_error(StatusCode::BAD_REQUEST, None);
    assert_eq!(answer.json()["error"]["param"], "format");
    let answer = harness
        .get("/api/audit_logs/export?limit=5&x=1", &cookie)
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    harness
        .send("GET", "/api/audit_logs/export", None, None, None)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, None);
}

#[tokio::test]
async fn a_permalink_finds_its_event_in_its_second() {
    let harness = harness().await;
    let (cookie, _) = harness.auditor().await;
    let (id, at) = harness.sandbox.read(|org| {
        let event = org.audit_events().nth(17).expect("event");
        (event.id.clone(), event.effective_at)
    });
    let answer = harness
        .get(
            &format!("/api/audit_logs/event/{id}?effective_at={at}"),
            &cookie,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.json()["id"], id.as_str());
    let wrong_second = harness
        .get(
            &format!("/api/audit_logs/event/{id}?effective_at={}", at + 1),
            &cookie,
        )
        .await;
    wrong_second.assert_error(StatusCode::NOT_FOUND, None);
    let no_time = harness
        .get(&format!("/api/audit_logs/event/{id}"), &cookie)
        .await;
    no_time.assert_error(StatusCode::BAD_REQUEST, None);
    assert_eq!(no_time.json()["error"]["param"], "effective_at");
    let bad_id = harness
        .get("/api/audit_logs/event/..%2Fx?effective_at=1", &cookie)
        .await;
    bad_id.assert_error(StatusCode::BAD_REQUEST, None);
}

/// SHA-256 of `bytes`, hex.
fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The export's id from its response header.
fn export_id(answer: &common::Answer) -> String {
    answer.headers["x-gatehouse-export-id"]
        .to_str()
        .expect("ascii")
        .to_owned()
}

/// The journal rows of exports, newest first, as `cookie` reads them.
async fn export_rows(harness: &Harness, cookie: &str) -> Vec<serde_json::Value> {
    let page = harness.get("/api/journal?limit=100", cookie).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    page.json()["data"]
        .as_array()
        .expect("data")
        .iter()
        .filter(|row| row["path"] == "/api/audit_logs/export")
        .cloned()
        .collect()
}

#[tokio::test]
async fn each_export_has_a_manifest_matching_its_file_and_a_journal_row() {
    let harness = harness().await;
    let (auditor, _) = harness.auditor().await;
    let (owner, _) = harness.owner().await;
    let cases = [
        (
            "format=csv&event_types[]=login.succeeded&effective_at[gte]=1",
            "csv",
            vec![
                ["effective_at[gte]", "1"],
                ["event_types[]", "login.succeeded"],
            ],
        ),
        ("format=ndjson", "ndjson", vec![]),
    ];
    for (query, format, filters) in cases {
        let answer = harness
            .get(&format!("/api/audit_logs/export?{query}"), &auditor)
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        let id = export_id(&answer);
        assert_eq!(id.len(), 32, "128 bits in hex: {id}");
        let events = match format {
            "csv" => csv::Reader::from_reader(answer.text.as_bytes())
                .records()
                .count(),
            _ => answer.text.lines().count(),
        };
        assert!(events > 0);

        // Owners and auditors alike read it, as a download.
        for cookie in [&auditor, &owner] {
            let manifest = harness
                .get(&format!("/api/audit_logs/export/{id}/manifest"), cookie)
                .await;
            assert_eq!(manifest.status, StatusCode::OK, "{}", manifest.text);
            assert_eq!(manifest.headers["content-type"], "application/json");
            assert_eq!(
                manifest.headers["content-disposition"],
                format!("attachment; filename=\"audit-log-{id}.manifest.json\"").as_str()
            );
            let body = manifest.json();
            assert_eq!(body["id"], id.as_str());
            assert_eq!(body["sha256"], sha256_hex(answer.text.as_bytes()));
            assert_eq!(body["bytes"], answer.text.len());
            assert_eq!(body["event_count"], events);
            assert_eq!(body["format"], format);
            assert_eq!(body["filters"], serde_json::json!(filters));
            assert_eq!(body["status"], "complete");
            assert!(body.get("message").is_none(), "{body}");
            assert_eq!(
                body["exported_by"],
                serde_json::json!({"username": "audrey", "role": "auditor"})
            );
            let (started, finished) = (body["started_at"].as_i64(), body["finished_at"].as_i64());
            assert!(started.is_some_and(|s| s > 1_700_000_000), "{body}");
            assert!(started <= finished, "{body}");
        }

        // The journal has the export, with the same manifest.
        let rows = export_rows(&harness, &owner).await;
        let row = rows
            .iter()
            .find(|r| r["object_id"] == id.as_str())
            .expect("a journal row for the export");
        assert_eq!(row["phase"], "result");
        assert_eq!(row["username"], "audrey");
        assert_eq!(row["role"], "auditor");
        assert_eq!(row["method"], "GET");
        assert_eq!(row["status"], 200);
        let journaled: serde_json::Value =
            serde_json::from_str(row["body"].as_str().expect("manifest")).expect("JSON");
        assert_eq!(journaled["sha256"], sha256_hex(answer.text.as_bytes()));
    }
    assert_eq!(export_rows(&harness, &owner).await.len(), 2, "one row each");
    let verified = harness.journal.verify().await.expect("journal readable");
    assert!(verified.is_ok(), "the hash chain holds: {verified:?}");
}

#[tokio::test]
async fn manifests_need_a_session_and_a_known_finished_export() {
    let harness = harness().await;
    let (cookie, _) = harness.auditor().await;
    let answer = harness
        .get("/api/audit_logs/export?format=ndjson", &cookie)
        .await;
    let id = export_id(&answer);
    harness
        .send(
            "GET",
            &format!("/api/audit_logs/export/{id}/manifest"),
            None,
            None,
            None,
        )
        .await
        .assert_error(StatusCode::UNAUTHORIZED, None);
    for unknown in ["0123456789abcdef0123456789abcdef", "not-an-id", "%27%3B"] {
        let answer = harness
            .get(
                &format!("/api/audit_logs/export/{unknown}/manifest"),
                &cookie,
            )
            .await;
        answer.assert_error(StatusCode::NOT_FOUND, None);
        assert_eq!(answer.json()["error"]["type"], "invalid_request_error");
        assert_eq!(answer.json()["error"]["param"], "export_id");
    }
}

#[tokio::test]
async fn an_export_abandoned_mid_file_is_journaled_as_cancelled() {
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    let harness = harness().await;
    let (cookie, _) = harness.auditor().await;
    // 260 events: three upstream pages, of which only the first is read.
    let request = axum::http::Request::get("/api/audit_logs/export?format=ndjson")
        .header("cookie", format!("{}={cookie}", gatehouse::SESSION_COOKIE))
        .body(axum::body::Body::empty())
        .expect("request");
    let response = harness
        .app
        .clone()
        .oneshot(request)
        .await
        .expect("infallible");
    assert_eq!(response.status(), StatusCode::OK);
    let id = response.headers()["x-gatehouse-export-id"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let mut body = response.into_body();
    let first = body
        .frame()
        .await
        .expect("a first chunk")
        .expect("readable")
        .into_data()
        .expect("data");
    drop(body);

    let mut manifest = None;
    for _ in 0..50 {
        let answer = harness
            .get(&format!("/api/audit_logs/export/{id}/manifest"), &cookie)
            .await;
        if answer.status == StatusCode::OK {
            manifest = Some(answer.json());
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let manifest = manifest.expect("the cancelled export is journaled");
    assert_eq!(manifest["status"], "cancelled");
    assert_eq!(manifest["event_count"], 100, "the first page only");
    assert_eq!(manifest["sha256"], sha256_hex(&first));
    let rows = export_rows(&harness, &cookie).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["object_id"], id.as_str());
    assert_eq!(rows[0]["status"], 499);
}

#[tokio::test]
async fn an_export_upstream_refuses_is_journaled_as_failed() {
    let harness = Harness::with_keys("test-admin-key-the-sandbox-knows-another").await;
    let (cookie, _) = harness.auditor().await;
    let answer = harness
        .get("/api/audit_logs/export?format=csv", &cookie)
        .await;
    answer.assert_error(StatusCode::BAD_GATEWAY, None);
    let id = export_id(&answer);
    let manifest = harness
        .get(&format!("/api/audit_logs/export/{id}/manifest"), &cookie)
        .await;
    assert_eq!(manifest.status, StatusCode::OK, "{}", manifest.text);
    let manifest = manifest.json();
    assert_eq!(manifest["status"], "failed");
    assert!(
        manifest["message"]
            .as_str()
            .is_some_and(|m| m.contains("Admin key rejected")),
        "{manifest}"
    );
    assert_eq!(manifest["event_count"], 0);
    let rows = export_rows(&harness, &cookie).await;
    assert_eq!(rows[0]["status"], 502);
}
