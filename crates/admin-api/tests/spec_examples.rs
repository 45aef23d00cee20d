//! Every example payload the spec prints for users and audit logs parses into the types crate.

use admin_api::ListPage;
use admin_api::audit_logs::AuditLog;
use admin_api::users::{User, UserDeleted};
use serde_json::Value;

/// The contract: `../shared/openai/admin-openapi.yaml` beside the repository (or `GATEHOUSE_SPEC`).
fn spec() -> Value {
    let path = std::env::var("GATEHOUSE_SPEC").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/openai/admin-openapi.yaml"
        )
        .into()
    });
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    serde_norway::from_str(&text).unwrap_or_else(|e| panic!("parse {path}: {e}"))
}

/// The spec's examples are hand-written and some carry trailing commas (`{"a": 1,}`), which
/// JSON forbids; drop a comma that only white space separates from a closing bracket.
fn lenient_json(example: &str) -> Value {
    let mut cleaned = String::with_capacity(example.len());
    let mut chars = example.chars().peekable();
    let mut in_string = false;
    let mut escaped = false;
    while let Some(c) = chars.next() {
        if in_string {
            in_string = c != '"' || escaped;
            escaped = c == '\\' && !escaped;
        } else if c == '"' {
            in_string = true;
        } else if c == ',' {
            let rest: String = chars.clone().take_while(|n| n.is_whitespace()).collect();
            let after = chars.clone().nth(rest.chars().count());
            if matches!(after, Some('}' | ']')) {
                continue;
            }
        }
        cleaned.push(c);
    }
    serde_json::from_str(&cleaned)
        .unwrap_or_else(|e| panic!("example is not JSON ({e}):\n{example}"))
}

fn operation_example(spec: &Value, path: &str, method: &str) -> Value {
    let example = spec["paths"][path][method]["x-oaiMeta"]["examples"]["response"]
        .as_str()
        .unwrap_or_else(|| panic!("no response example for {method} {path}"));
    lenient_json(example)
}

fn schema_example(spec: &Value, schema: &str) -> Value {
    let example = spec["components"]["schemas"][schema]["x-oaiMeta"]["example"]
        .as_str()
        .unwrap_or_else(|| panic!("no example for schema {schema}"));
    lenient_json(example)
}

fn parse<T: serde::de::DeserializeOwned>(value: Value, what: &str) -> T {
    serde_json::from_value(value).unwrap_or_else(|e| panic!("{what}: {e}"))
}

#[test]
fn user_examples_parse() {
    let spec = spec();
    let list: ListPage<User> = parse(
        operation_example(&spec, "/organization/users", "get"),
        "list users",
    );
    assert_eq!(list.data[0].email.as_deref(), Some("user@example.com"));
    for method in ["get", "post"] {
        let user: User = parse(
            operation_example(&spec, "/organization/users/{user_id}", method),
            method,
        );
        assert_eq!(user.role.as_deref(), Some("owner"));
    }
    let deleted: UserDeleted = parse(
        operation_example(&spec, "/organization/users/{user_id}", "delete"),
        "delete user",
    );
    assert!(deleted.deleted);
    let user: User = parse(schema_example(&spec, "User"), "User object");
    assert_eq!(user.added_at, 1_711_471_533);
}

#[test]
fn audit_log_examples_parse() {
    let spec = spec();
    let list: ListPage<AuditLog> = parse(
        operation_example(&spec, "/organization/audit_logs", "get"),
        "list audit logs",
    );
    assert_eq!(list.data.len(), 2);
    assert_eq!(list.data[0].resource_id(), Some("proj_abc"));
    let session = list.data[1]
        .actor
        .as_ref()
        .and_then(|a| a.session.as_ref())
        .expect("the second example event has a session actor");
    assert_eq!(
        session
            .ip_address_details
            .as_ref()
            .and_then(|d| d.country.as_deref()),
        Some("US")
    );
    let event: AuditLog = parse(schema_example(&spec, "AuditLog"), "AuditLog object");
    assert_eq!(event.event_type, "api_key.created");
    assert!(
        event.payload().is_some(),
        "the payload sits under the type's key"
    );
}

#[test]
fn lenient_json_keeps_commas_inside_strings() {
    assert_eq!(
        lenient_json(r#"{"a": "x,}", "b": [1, 2,],}"#),
        serde_json::json!({"a": "x,}", "b": [1, 2]})
    );
}

/// Parses the example response of `method path` as `T`, returning a failure message if any.
fn check<T: serde::de::DeserializeOwned>(spec: &Value, path: &str, method: &str) -> Option<String> {
    let Some(example) = spec["paths"][path][method]["x-oaiMeta"]["examples"]["response"].as_str()
    else {
        return Some(format!("{method} {path}: no example in the spec"));
    };
    let value = lenient_json(example);
    serde_json::from_value::<T>(value)
        .err()
        .map(|e| format!("{method} {path}: {e}"))
}

#[test]
fn every_resource_example_parses() {
    use admin_api::Deleted;
    use admin_api::admin_api_keys::{AdminApiKey, AdminApiKeyCreated};
    use admin_api::api_keys::ProjectApiKey;
    use admin_api::invites::Invite;
    use admin_api::project_users::ProjectUser;
    use admin_api::projects::Project;
    use admin_api::rate_limits::ProjectRateLimit;
    use admin_api::service_accounts::{
        ServiceAccount, ServiceAccountApiKey, ServiceAccountCreated,
    };

    let spec = spec();
    let p = "/organization/projects/{project_id}";
    let sa = format!("{p}/service_accounts/{{service_account_id}}");
    let failures: Vec<String> = [
        check::<ListPage<Invite>>(&spec, "/organization/invites", "get"),
        check::<Invite>(&spec, "/organization/invites", "post"),
        check::<Invite>(&spec, "/organization/invites/{invite_id}", "get"),
        check::<Deleted>(&spec, "/organization/invites/{invite_id}", "delete"),
        check::<ListPage<Project>>(&spec, "/organization/projects", "get"),
        check::<Project>(&spec, "/organization/projects", "post"),
        check::<Project>(&spec, p, "get"),
        // POST {p} (rename) prints no example in the spec.
        check::<Project>(&spec, &format!("{p}/archive"), "post"),
        check::<ListPage<ProjectUser>>(&spec, &format!("{p}/users"), "get"),
        check::<ProjectUser>(&spec, &format!("{p}/users"), "post"),
        check::<ProjectUser>(&spec, &format!("{p}/users/{{user_id}}"), "get"),
        check::<ProjectUser>(&spec, &format!("{p}/users/{{user_id}}"), "post"),
        check::<Deleted>(&spec, &format!("{p}/users/{{user_id}}"), "delete"),
        check::<ListPage<ServiceAccount>>(&spec, &format!("{p}/service_accounts"), "get"),
        check::<ServiceAccountCreated>(&spec, &format!("{p}/service_accounts"), "post"),
        check::<ServiceAccount>(&spec, &sa, "get"),
        check::<ServiceAccount>(&spec, &sa, "post"),
        check::<Deleted>(&spec, &sa, "delete"),
        check::<ServiceAccountApiKey>(&spec, &format!("{sa}/api_keys"), "post"),
        check::<ListPage<ProjectApiKey>>(&spec, &format!("{p}/api_keys"), "get"),
        check::<ProjectApiKey>(&spec, &format!("{p}/api_keys/{{api_key_id}}"), "get"),
        check::<Deleted>(&spec, &format!("{p}/api_keys/{{api_key_id}}"), "delete"),
        check::<ListPage<AdminApiKey>>(&spec, "/organization/admin_api_keys", "get"),
        check::<AdminApiKeyCreated>(&spec, "/organization/admin_api_keys", "post"),
        check::<AdminApiKey>(&spec, "/organization/admin_api_keys/{key_id}", "get"),
        check::<Deleted>(&spec, "/organization/admin_api_keys/{key_id}", "delete"),
        check::<ListPage<ProjectRateLimit>>(&spec, &format!("{p}/rate_limits"), "get"),
        check::<ProjectRateLimit>(&spec, &format!("{p}/rate_limits/{{rate_limit_id}}"), "post"),
    ]
    .into_iter()
    .flatten()
    .collect();
    assert!(
        failures.is_empty(),
        "examples that do not parse:\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_event_type_in_the_spec_has_its_own_sentence() {
    let spec = spec();
    let listed: Vec<&str> = spec["components"]["schemas"]["AuditLogEventType"]["enum"]
        .as_array()
        .expect("AuditLogEventType enum")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(
        admin_api::audit_sentences::KNOWN_TYPES,
        listed.as_slice(),
        "KNOWN_TYPES is the spec's list"
    );
    let with_schema: Vec<String> = spec["components"]["schemas"]["AuditLog"]["properties"]
        .as_object()
        .expect("AuditLog properties")
        .keys()
        .filter(|k| k.contains('.'))
        .cloned()
        .collect();
    assert!(with_schema.len() > 40, "{with_schema:?}");
    assert!(with_schema.iter().all(|t| listed.contains(&t.as_str())));
    for event_type in &listed {
        let event: AuditLog = serde_json::from_value(serde_json::json!({
            "id": "audit_log-x", "type": event_type, "effective_at": 1, *event_type: {"id": "x"}
        }))
        .expect("event");
        let sentence = admin_api::audit_sentences::sentence(&event, &|_| None)
            .unwrap_or_else(|| panic!("{event_type} has no sentence"));
        assert!(
            !sentence.contains(event_type),
            "{event_type} reads as its raw name: {sentence}"
        );
    }
}
