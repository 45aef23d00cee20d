//! Test harness of the sandbox: a seeded sandbox behind `oneshot`, and the spec's JSON schemas.

// Each test file uses a different part of the harness.
#![allow(dead_code)]

use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use sandbox::{Sandbox, SeedOptions};
use serde_json::Value;
use tower::ServiceExt;

pub const KEY: &str = "test-admin-key-0123456789abcdef";
/// A fixed "now" so the seeded organization is the same in every run.
pub const NOW: i64 = 1_790_000_000;

/// A freshly seeded sandbox (small history, so each test is fast).
pub fn sandbox() -> Sandbox {
    Sandbox::seeded(
        KEY,
        SeedOptions {
            now: NOW,
            audit_events: 300,
            ..SeedOptions::default()
        },
    )
}

/// One request to the sandbox with the admin key; the status and the JSON body.
pub async fn call(
    sandbox: &Sandbox,
    method: &str,
    uri: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    call_with_key(sandbox, method, uri, body, Some(KEY)).await
}

/// One request with the given bearer key (or none).
pub async fn call_with_key(
    sandbox: &Sandbox,
    method: &str,
    uri: &str,
    body: Option<Value>,
    key: Option<&str>,
) -> (StatusCode, Value) {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(key) = key {
        request = request.header("authorization", format!("Bearer {key}"));
    }
    let request = match body {
        Some(body) => request
            .header("content-type", "application/json")
            .body(Body::from(body.to_string())),
        None => request.body(Body::empty()),
    }
    .expect("valid request");
    let response = sandbox::app(sandbox.clone())
        .oneshot(request)
        .await
        .expect("the router is infallible");
    let status = response.status();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    let json = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("{method} {uri}: body is not JSON ({e}): {bytes:?}"));
    (status, json)
}

fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = std::env::var("GATEHOUSE_SPEC").unwrap_or_else(|_| {
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/openai/admin-openapi.yaml"
            )
            .into()
        });
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"));
        serde_norway::from_str(&text).unwrap_or_else(|e| panic!("parse {path}: {e}"))
    })
}

/// Fails the test unless `value` is valid against `components.schemas.<schema>` of the spec.
///
/// The spec is OpenAPI 3.1, whose schemas are JSON Schema 2020-12, so the whole document is
/// the root resource and the check starts from a `$ref` into it.
pub fn assert_schema(schema: &str, value: &Value) {
    assert!(
        spec()["components"]["schemas"].get(schema).is_some(),
        "the spec has no schema {schema}"
    );
    let mut root = spec().clone();
    root["$ref"] = Value::String(format!("#/components/schemas/{schema}"));
    let validator = jsonschema::draft202012::new(&root)
        .unwrap_or_else(|e| panic!("schema {schema} does not compile: {e}"));
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "not a valid {schema}: {errors:#?}\n{value:#}"
    );
}

/// Fails unless `value` is an error in upstream's shape naming `param`.
pub fn assert_error(value: &Value, param: Option<&str>) {
    assert_schema("ErrorResponse", value);
    assert_eq!(value["error"]["param"].as_str(), param, "{value}");
}

/// The id of the first project matching `archived`.
pub fn project_id(sandbox: &Sandbox, archived: bool) -> String {
    sandbox.read(|org| {
        org.projects()
            .iter()
            .find(|p| p.project.is_archived() == archived)
            .map(|p| p.project.id.clone())
            .expect("the seed has active and archived projects")
    })
}

/// The newest audit event, as JSON.
pub fn newest_event(sandbox: &Sandbox) -> Value {
    sandbox.read(|org| {
        serde_json::to_value(org.audit_events().next().expect("an event")).expect("json")
    })
}

/// Fails unless the newest audit event is `event_type` about `resource_id`, logged with an
/// `api_key` actor and scoped to `project_id`; the event must also be spec-shaped.
pub fn assert_audited(
    sandbox: &Sandbox,
    event_type: &str,
    resource_id: &str,
    project_id: Option<&str>,
) -> Value {
    let event = newest_event(sandbox);
    assert_schema("AuditLog", &event);
    assert_eq!(event["type"], event_type, "{event:#}");
    assert_eq!(event[event_type]["id"], resource_id, "{event:#}");
    assert_eq!(event["actor"]["type"], "api_key", "{event:#}");
    assert!(
        event["actor"]["api_key"]["id"]
            .as_str()
            .is_some_and(|k| k.starts_with("key_"))
    );
    if let Some(project_id) = project_id {
        assert_eq!(event["project"]["id"], project_id, "{event:#}");
    }
    event
}
