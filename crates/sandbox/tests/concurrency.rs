//! Concurrent writes leave the organization consistent: every change applied and audited once.

mod common;

use axum::http::StatusCode;
use common::{call, sandbox};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_creates_and_reads_stay_consistent() {
    let sandbox = sandbox();
    let events_before = sandbox.read(|org| org.audit_len());
    let projects_before = sandbox.read(|org| org.projects().len());
    let mut tasks = Vec::new();
    for n in 0..40 {
        let sandbox = sandbox.clone();
        tasks.push(tokio::spawn(async move {
            let (status, _) = call(
                &sandbox,
                "POST",
                "/v1/organization/projects",
                Some(json!({"name": format!("P{n}")})),
            )
            .await;
            assert_eq!(status, StatusCode::OK);
            let (status, page) =
                call(&sandbox, "GET", "/v1/organization/audit_logs?limit=5", None).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(page["data"].as_array().map(Vec::len), Some(5));
        }));
    }
    for task in tasks {
        task.await.expect("task");
    }
    sandbox.read(|org| {
        assert_eq!(org.projects().len(), projects_before + 40);
        assert_eq!(org.audit_len(), events_before + 40);
        let mut names: Vec<_> = org
            .projects()
            .iter()
            .filter_map(|p| p.project.name.clone())
            .filter(|n| n.starts_with('P') && n.len() <= 3)
            .collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), 40);
    });
}
