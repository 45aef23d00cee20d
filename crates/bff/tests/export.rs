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
        .send(
            "GET",
            "/api/audit_logs/export?format=ndjson",
            Some(&cookie),
            None,
            None,
        )
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
        .send(
            "GET",
            "/api/audit_logs/export?format=csv&event_types[]=login.succeeded",
            Some(&cookie),
            None,
            None,
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
        .send(
            "GET",
            "/api/audit_logs/export?format=xlsx",
            Some(&cookie),
            None,
            None,
        )
        .await;
    answer.assert_error(StatusCode::BAD_REQUEST, None);
    assert_eq!(answer.json()["error"]["param"], "format");
    let answer = harness
        .send(
            "GET",
            "/api/audit_logs/export?limit=5&x=1",
            Some(&cookie),
            None,
            None,
        )
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
        .send(
            "GET",
            &format!("/api/audit_logs/event/{id}?effective_at={at}"),
            Some(&cookie),
            None,
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.json()["id"], id.as_str());
    let wrong_second = harness
        .send(
            "GET",
            &format!("/api/audit_logs/event/{id}?effective_at={}", at + 1),
            Some(&cookie),
            None,
            None,
        )
        .await;
    wrong_second.assert_error(StatusCode::NOT_FOUND, None);
    let no_time = harness
        .send(
            "GET",
            &format!("/api/audit_logs/event/{id}"),
            Some(&cookie),
            None,
            None,
        )
        .await;
    no_time.assert_error(StatusCode::BAD_REQUEST, None);
    assert_eq!(no_time.json()["error"]["param"], "effective_at");
    let bad_id = harness
        .send(
            "GET",
            "/api/audit_logs/event/..%2Fx?effective_at=1",
            Some(&cookie),
            None,
            None,
        )
        .await;
    bad_id.assert_error(StatusCode::BAD_REQUEST, None);
}
