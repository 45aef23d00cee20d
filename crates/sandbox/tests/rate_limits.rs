//! Rate limits: listed in both cursor directions, updated with positive integers only.

mod common;

use axum::http::StatusCode;
use common::{assert_audited, assert_error, assert_schema, call, project_id, sandbox};
use serde_json::json;

#[tokio::test]
async fn limits_page_both_ways_and_update() {
    let sandbox = sandbox();
    let project = project_id(&sandbox, false);
    let base = format!("/v1/organization/projects/{project}/rate_limits");
    let (status, all) = call(&sandbox, "GET", &format!("{base}?limit=100"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_schema("ProjectRateLimitListResponse", &all);
    let ids: Vec<String> = all["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|l| l["id"].as_str().expect("id").to_owned())
        .collect();
    assert!(ids.len() >= 4);
    let (_, after) = call(
        &sandbox,
        "GET",
        &format!("{base}?limit=2&after={}", ids[1]),
        None,
    )
    .await;
    assert_eq!(after["data"][0]["id"], ids[2].as_str());
    let (_, before) = call(
        &sandbox,
        "GET",
        &format!("{base}?limit=2&before={}", ids[3]),
        None,
    )
    .await;
    assert_eq!(before["first_id"], ids[1].as_str());
    assert_eq!(before["last_id"], ids[2].as_str());
    assert_eq!(before["has_more"], true);

    let id = &ids[0];
    let (status, updated) = call(
        &sandbox,
        "POST",
        &format!("{base}/{id}"),
        Some(json!({"max_requests_per_1_minute": 42, "max_tokens_per_1_minute": 4200})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_schema("ProjectRateLimit", &updated);
    assert_eq!(updated["max_requests_per_1_minute"], 42);
    let event = assert_audited(&sandbox, "rate_limit.updated", id, Some(&project));
    assert_eq!(
        event["rate_limit.updated"]["changes_requested"]["max_tokens_per_1_minute"],
        4200
    );
}

#[tokio::test]
async fn only_positive_integers_are_accepted() {
    let sandbox = sandbox();
    let project = project_id(&sandbox, false);
    let uri = format!("/v1/organization/projects/{project}/rate_limits/rl-gpt-4o");
    for (body, param) in [
        (
            json!({"max_requests_per_1_minute": 0}),
            "max_requests_per_1_minute",
        ),
        (
            json!({"max_tokens_per_1_minute": -5}),
            "max_tokens_per_1_minute",
        ),
        (
            json!({"max_requests_per_1_minute": 1.5}),
            "max_requests_per_1_minute",
        ),
        (
            json!({"max_requests_per_1_minute": "10"}),
            "max_requests_per_1_minute",
        ),
        (json!({}), "max_requests_per_1_minute"),
        (json!({"max_cats": 3}), "max_cats"),
    ] {
        let (status, error) = call(&sandbox, "POST", &uri, Some(body.clone())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_error(&error, Some(param));
    }
    let (status, error) = call(
        &sandbox,
        "POST",
        &format!("/v1/organization/projects/{project}/rate_limits/rl-nothing"),
        Some(json!({"max_requests_per_1_minute": 5})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&error, Some("rate_limit_id"));
}
