//! The audit log: shape, newest-first order, cursors in both directions, and filters.

mod common;

use std::collections::HashSet;

use axum::http::StatusCode;
use common::{NOW, assert_error, assert_schema, call, sandbox};
use serde_json::Value;

fn ids(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|e| e["id"].as_str().expect("id").to_owned())
        .collect()
}

/// Every id matching `filter`, walking `after` cursors from the newest.
async fn walk_older(sandbox: &sandbox::Sandbox, filter: &str, limit: usize) -> Vec<String> {
    let mut all = Vec::new();
    let mut after = String::new();
    loop {
        let uri = format!("/v1/organization/audit_logs?limit={limit}{filter}{after}");
        let (status, page) = call(sandbox, "GET", &uri, None).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {page}");
        all.extend(ids(&page));
        if page["has_more"] != true {
            return all;
        }
        after = format!("&after={}", page["last_id"].as_str().expect("last_id"));
    }
}

#[tokio::test]
async fn pages_are_spec_shaped_and_newest_first() {
    let sandbox = sandbox();
    let (status, page) = call(
        &sandbox,
        "GET",
        "/v1/organization/audit_logs?limit=100",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_schema("ListAuditLogsResponse", &page);
    let times: Vec<i64> = page["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|e| e["effective_at"].as_i64().expect("time"))
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
    assert!(
        times.iter().all(|t| *t < NOW && *t >= NOW - 90 * 86_400),
        "within the 90 seeded days"
    );
}

#[tokio::test]
async fn walking_by_1_and_by_100_gives_every_event_once() {
    let sandbox = sandbox();
    let by_one = walk_older(&sandbox, "", 1).await;
    let by_hundred = walk_older(&sandbox, "", 100).await;
    assert_eq!(by_one.len(), 300);
    assert_eq!(by_one, by_hundred);
    assert_eq!(by_one.iter().collect::<HashSet<_>>().len(), 300);
}

#[tokio::test]
async fn before_walks_back_towards_newer_events() {
    let sandbox = sandbox();
    // Unfiltered (a range walk) and filtered by a rare type (an index walk).
    for filter in ["", "&event_types[]=login.failed"] {
        let all = walk_older(&sandbox, filter, 100).await;
        assert!(all.len() > 7, "{filter}: enough events for several pages");
        // From the oldest event, page towards the newest with `before`.
        let mut newer = Vec::new();
        let mut cursor = all.last().expect("events").clone();
        loop {
            let uri = format!("/v1/organization/audit_logs?limit=7&before={cursor}{filter}");
            let (_, page) = call(&sandbox, "GET", &uri, None).await;
            let page_ids = ids(&page);
            // Each page is itself newest first.
            newer.splice(0..0, page_ids.iter().cloned());
            if page["has_more"] != true {
                break;
            }
            cursor = page["first_id"].as_str().expect("first_id").to_owned();
        }
        assert_eq!(newer, all[..all.len() - 1], "{filter}");
    }
}

#[tokio::test]
async fn filters_return_exactly_the_matching_events() {
    let sandbox = sandbox();
    let events: Vec<Value> = sandbox.read(|org| {
        org.audit_events()
            .map(|e| serde_json::to_value(e).expect("json"))
            .collect()
    });
    let expect = |pred: &dyn Fn(&Value) -> bool| -> Vec<String> {
        events
            .iter()
            .filter(|e| pred(e))
            .map(|e| e["id"].as_str().expect("id").to_owned())
            .collect()
    };
    let (from, to) = (NOW - 30 * 86_400, NOW - 20 * 86_400);
    // Someone who signed in after `from`, so the combined filter below matches something.
    let email = events
        .iter()
        .find(|e| e["type"] == "login.succeeded" && e["effective_at"].as_i64() > Some(from))
        .and_then(|e| e["actor"]["session"]["user"]["email"].as_str())
        .expect("a recent sign-in")
        .to_owned();
    let project = events
        .iter()
        .find_map(|e| e["project"]["id"].as_str())
        .expect("a project-scoped event")
        .to_owned();

    let cases: Vec<(String, Vec<String>)> = vec![
        (
            "&event_types[]=login.failed".into(),
            expect(&|e| e["type"] == "login.failed"),
        ),
        (
            "&event_types[]=login.failed&event_types[]=logout.succeeded".into(),
            expect(&|e| e["type"] == "login.failed" || e["type"] == "logout.succeeded"),
        ),
        (
            format!("&actor_emails[]={email}"),
            expect(&|e| e["actor"]["session"]["user"]["email"] == email.as_str()),
        ),
        (
            format!("&project_ids[]={project}"),
            expect(&|e| e["project"]["id"] == project.as_str()),
        ),
        (
            format!("&effective_at[gte]={from}&effective_at[lt]={to}"),
            expect(&|e| {
                e["effective_at"]
                    .as_i64()
                    .is_some_and(|t| t >= from && t < to)
            }),
        ),
        (
            format!(
                "&event_types[]=login.succeeded&actor_emails[]={email}&effective_at[gt]={from}"
            ),
            expect(&|e| {
                e["type"] == "login.succeeded"
                    && e["actor"]["session"]["user"]["email"] == email.as_str()
                    && e["effective_at"].as_i64().is_some_and(|t| t > from)
            }),
        ),
    ];
    for (filter, expected) in cases {
        assert!(
            !expected.is_empty(),
            "{filter} should match something in the seed"
        );
        assert_eq!(
            walk_older(&sandbox, &filter, 13).await,
            expected,
            "{filter}"
        );
    }
}

#[tokio::test]
async fn an_unknown_cursor_names_the_param() {
    let (status, body) = call(
        &sandbox(),
        "GET",
        "/v1/organization/audit_logs?after=audit_log-nope",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, Some("after"));
}
