//! Every list, walked with `limit=1` and with `limit=100`, yields the same items once each.

mod common;

use std::collections::HashSet;

use axum::http::StatusCode;
use common::{assert_error, call, project_id, sandbox};

async fn walk(sandbox: &sandbox::Sandbox, base: &str, limit: usize) -> Vec<String> {
    let mut ids = Vec::new();
    let mut cursor = String::new();
    let separator = if base.contains('?') { '&' } else { '?' };
    loop {
        let uri = format!("{base}{separator}limit={limit}{cursor}");
        let (status, page) = call(sandbox, "GET", &uri, None).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {page}");
        assert_eq!(page["object"], "list");
        let data = page["data"].as_array().expect("data");
        assert!(data.len() <= limit, "{uri}");
        ids.extend(
            data.iter()
                .map(|item| item["id"].as_str().expect("id").to_owned()),
        );
        if page["has_more"] != true {
            return ids;
        }
        assert_eq!(
            data.len(),
            limit,
            "{uri}: a page with more after it is full"
        );
        cursor = format!("&after={}", page["last_id"].as_str().expect("last_id"));
    }
}

#[tokio::test]
async fn every_list_walks_the_same_by_1_and_by_100() {
    let sandbox = sandbox();
    let project = project_id(&sandbox, false);
    let lists = [
        "/v1/organization/users".to_owned(),
        "/v1/organization/invites".to_owned(),
        "/v1/organization/projects?include_archived=true".to_owned(),
        "/v1/organization/admin_api_keys".to_owned(),
        format!("/v1/organization/projects/{project}/users"),
        format!("/v1/organization/projects/{project}/service_accounts"),
        format!("/v1/organization/projects/{project}/api_keys"),
        format!("/v1/organization/projects/{project}/rate_limits"),
    ];
    for list in &lists {
        let by_one = walk(&sandbox, list, 1).await;
        let by_hundred = walk(&sandbox, list, 100).await;
        assert!(!by_one.is_empty(), "{list} is empty in the seed");
        assert_eq!(by_one, by_hundred, "{list}");
        assert_eq!(
            by_one.iter().collect::<HashSet<_>>().len(),
            by_one.len(),
            "{list}: duplicates"
        );
        let (status, error) = call(
            &sandbox,
            "GET",
            &format!(
                "{list}{}limit=101",
                if list.contains('?') { '&' } else { '?' }
            ),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{list}");
        assert_error(&error, Some("limit"));
    }
}
