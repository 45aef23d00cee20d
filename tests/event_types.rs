//! Every event type in the spec renders as a sentence, not as the fallback. The cases are built
//! from the contract itself (`../shared/openai/admin-openapi.yaml`, read at compile time): the
//! type list is `AuditLogEventType`'s enum, and each event's payload and actor are generated
//! from the `AuditLog` schema's properties, so a new type or field in the spec is a new case.

#![cfg(target_arch = "wasm32")]

mod common;

use admin_api::audit_logs::AuditLog;
use gatehouse_app::pages::Timeline;
use leptos::prelude::*;
use serde_json::{Map, Value, json};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const SPEC: &str = include_str!("../../shared/openai/admin-openapi.yaml");

fn spec() -> Value {
    serde_norway::from_str(SPEC).expect("the spec is YAML")
}

/// Follows a `$ref` to its schema.
fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let name = reference.rsplit('/').next().expect("a ref");
            resolve(spec, &spec["components"]["schemas"][name])
        }
        None => schema,
    }
}

/// A value that satisfies `schema`: every documented property filled, strings named after their
/// field (`email` fields get an address), the first enum value where there is one.
fn sample(spec: &Value, schema: &Value, field: &str, depth: usize) -> Value {
    let schema = resolve(spec, schema);
    if let Some(first) = schema.get("enum").and_then(|e| e.get(0)) {
        return first.clone();
    }
    if let Some(options) = schema.get("anyOf").or_else(|| schema.get("oneOf")) {
        return sample(spec, &options[0], field, depth);
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("object") | None if depth < 6 => {
            let mut object = Map::new();
            if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
                for (name, property) in properties {
                    object.insert(name.clone(), sample(spec, property, name, depth + 1));
                }
            }
            Value::Object(object)
        }
        Some("array") => json!([sample(spec, &schema["items"], field, depth + 1)]),
        Some("integer" | "number") => json!(1_790_000_000),
        Some("boolean") => json!(true),
        Some("string") if field.contains("email") => json!("ada@acme.example"),
        Some("string") => json!(format!("{field}-1")),
        _ => Value::Null,
    }
}

fn event_for(spec: &Value, event_type: &str) -> AuditLog {
    let properties = &spec["components"]["schemas"]["AuditLog"]["properties"];
    let payload = properties.get(event_type).map_or_else(
        || json!({"id": "resource-1"}),
        |s| sample(spec, s, "payload", 0),
    );
    let mut actor = sample(spec, &properties["actor"], "actor", 0);
    actor["type"] = json!("session");
    let project = sample(spec, &properties["project"], "project", 0);
    serde_json::from_value(json!({
        "id": format!("audit_log-{event_type}"),
        "type": event_type,
        "effective_at": 1_790_000_000,
        "actor": actor,
        "project": project,
        event_type: payload,
    }))
    .unwrap_or_else(|e| panic!("{event_type}: the generated event does not parse: {e}"))
}

#[wasm_bindgen_test]
async fn every_event_type_in_the_spec_renders_as_a_sentence() {
    let spec = spec();
    let types: Vec<String> = spec["components"]["schemas"]["AuditLogEventType"]["enum"]
        .as_array()
        .expect("the enum of event types")
        .iter()
        .filter_map(|t| t.as_str().map(str::to_owned))
        .collect();
    assert!(types.len() > 100, "the spec lists {} types", types.len());
    let mut failures = Vec::new();
    for event_type in &types {
        let root = common::root();
        let event = event_for(&spec, event_type);
        let handle = leptos::mount::mount_to(
            root.clone(),
            move || view! { <Timeline events=vec![event.clone()]/> },
        );
        leptos::task::tick().await;
        let item = root
            .query_selector("li.event")
            .expect("selector")
            .unwrap_or_else(|| panic!("{event_type}: no event rendered"));
        let sentence = item
            .query_selector(".sentence")
            .expect("selector")
            .and_then(|s| s.text_content())
            .unwrap_or_default();
        if item.get_attribute("data-fallback").as_deref() != Some("false")
            || sentence.contains(event_type.as_str())
            || !sentence.starts_with("ada@acme.example ")
        {
            failures.push(format!("{event_type}: {sentence}"));
        }
        drop(handle);
        root.remove();
    }
    assert!(
        failures.is_empty(),
        "fell back or misread:\n{}",
        failures.join("\n")
    );
}

#[wasm_bindgen_test]
async fn a_type_the_spec_does_not_list_falls_back_to_its_name_and_payload() {
    let root = common::root();
    let event: AuditLog = serde_json::from_value(json!({
        "id": "audit_log-new", "type": "vector_store.created", "effective_at": 1_790_000_000,
        "vector_store.created": {"id": "vs_1", "name": "docs"}
    }))
    .expect("event");
    let _handle = leptos::mount::mount_to(
        root.clone(),
        move || view! { <Timeline events=vec![event.clone()]/> },
    );
    leptos::task::tick().await;
    let item = root
        .query_selector("li.event")
        .expect("selector")
        .expect("rendered");
    assert_eq!(item.get_attribute("data-fallback").as_deref(), Some("true"));
    assert_eq!(
        item.query_selector(".sentence")
            .expect("selector")
            .and_then(|s| s.text_content())
            .as_deref(),
        Some("vector_store.created by Someone: id = vs_1, name = docs")
    );
}
