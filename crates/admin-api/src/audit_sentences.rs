//! Audit events as plain sentences: "ada@acme.example changed bob@acme.example's role to owner".
//! Shared by the app's timeline and the BFF's exports, so both say the same thing.

use serde_json::Value;

use crate::audit_logs::AuditLog;

/// Every event type the spec lists (`AuditLogEventType`), in its order. Those with a payload
/// schema have a sentence of their own below; the rest read through [`generic`].
pub const KNOWN_TYPES: &[&str] = &[
    "api_key.created",
    "api_key.updated",
    "api_key.deleted",
    "certificate.created",
    "certificate.updated",
    "certificate.deleted",
    "certificates.activated",
    "certificates.deactivated",
    "checkpoint.permission.created",
    "checkpoint.permission.deleted",
    "external_key.registered",
    "external_key.removed",
    "group.created",
    "group.updated",
    "group.deleted",
    "invite.sent",
    "invite.accepted",
    "invite.deleted",
    "ip_allowlist.created",
    "ip_allowlist.updated",
    "ip_allowlist.deleted",
    "ip_allowlist.config.activated",
    "ip_allowlist.config.deactivated",
    "login.succeeded",
    "login.failed",
    "logout.succeeded",
    "logout.failed",
    "organization.updated",
    "project.created",
    "project.updated",
    "project.archived",
    "project.deleted",
    "rate_limit.updated",
    "rate_limit.deleted",
    "resource.deleted",
    "tunnel.created",
    "tunnel.updated",
    "tunnel.deleted",
    "workload_identity_provider.created",
    "workload_identity_provider.updated",
    "workload_identity_provider.deleted",
    "workload_identity_provider_mapping.created",
    "workload_identity_provider_mapping.updated",
    "workload_identity_provider_mapping.deleted",
    "role.created",
    "role.updated",
    "role.deleted",
    "role.assignment.created",
    "role.assignment.deleted",
    "role.bound_to_resource",
    "role.unbound_from_resource",
    "scim.enabled",
    "scim.disabled",
    "service_account.created",
    "service_account.updated",
    "service_account.deleted",
    "user.added",
    "user.updated",
    "user.deleted",
    "tenant.metadata.updated",
    "tenant.microsoft_entra_mapping.upserted",
    "tenant.microsoft_entra_mapping.deleted",
    "tenant.workload_identity.provider.created",
    "tenant.workload_identity.provider.updated",
    "tenant.workload_identity.provider.archived",
    "tenant.workload_identity.mapping.created",
    "tenant.workload_identity.mapping.updated",
    "tenant.workload_identity.mapping.archived",
    "tenant.workload_identity.binding.created",
    "tenant.workload_identity.principal.provisioned",
    "tenant.workload_identity.access_token.issued",
    "tenant.admin_api_key.created",
    "tenant.admin_api_key.updated",
    "tenant.admin_api_key.deleted",
    "tenant.project_api_key.created",
    "tenant.chatgpt_access_token.revoked",
    "tenant.migration.completed",
    "tenant.sso.migrated",
    "tenant.domains.migrated",
    "tenant.sso_connection.created",
    "tenant.sso_connection.updated",
    "tenant.sso_connection.deleted",
    "tenant.sso_connection.setup.started",
    "tenant.policy.created",
    "tenant.policy.updated",
    "tenant.policy.deleted",
    "tenant.policy.attached",
    "tenant.policy.detached",
    "tenant.principal_authentication_policy.resolved",
    "tenant.scim.setup.started",
    "tenant.scim.deletion.requested",
    "tenant.scim.directory.created",
    "tenant.product_access_policy.updated",
    "tenant.resource_share_grant.created",
    "tenant.resource_share_grant.updated",
    "tenant.resource_share_grant.accepted",
    "tenant.resource_share_grant.declined",
    "tenant.resource_share_grant.revoked",
    "tenant.resource_share_grant.deleted",
    "tenant.service_account.updated",
    "tenant.service_account.deleted",
    "tenant.service_account.token.revoked",
    "tenant.billing.overage_limit.updated",
    "tenant.billing.alerts.updated",
    "tenant.billing.info.updated",
    "tenant.usage_limit.workspace.updated",
    "tenant.usage_limit.group.updated",
    "tenant.usage_limit.user.updated",
    "tenant.usage_limit.increase_request.updated",
    "tenant.usage_limit.increase_request.resolved",
    "tenant.group.created",
    "tenant.group.updated",
    "tenant.group.deleted",
    "tenant.group.member.added",
    "tenant.group.member.removed",
    "tenant.migration_rollout.status.updated",
    "tenant.migration_rollout.tier.updated",
    "tenant.role.metadata.updated",
    "tenant.custom_role.created",
    "tenant.custom_role.updated",
    "tenant.custom_role.deleted",
    "tenant.role_assignment.created",
    "tenant.role_assignment.deleted",
    "tenant.resource_role_assignment.created",
    "tenant.resource_role_assignment.deleted",
    "tenant.resource_access.updated",
    "tenant.resource_access.deleted",
    "tenant.ads_account.onboarding.redemption",
    "tenant.session_policy.created",
    "tenant.session_policy.updated",
    "tenant.session_policy.deleted",
    "tenant.session_revocation.started",
    "tenant.third_party_app_policy.updated",
    "tenant.user.added",
    "tenant.user.updated",
    "tenant.user.removed",
    "tenant.user.looked_up",
    "tenant.user.invited",
    "tenant.membership.revoked",
    "tenant.api_organization_invite.upserted",
    "tenant.api_organization_invite.deleted",
    "tenant.chatgpt_workspace_invite.upserted",
    "tenant.membership.accepted",
    "tenant.membership.declined",
    "tenant.workspace_invite_email_settings.updated",
];

/// The family of an event type (`api_key`, `invite`, `login`, …), for grouping.
pub fn family(event_type: &str) -> &str {
    let first = event_type.split('.').next().unwrap_or(event_type);
    match first {
        "logout" => "login",
        "certificates" => "certificate",
        other => other,
    }
}

/// Who did it: the session's user, the API key (and whose), or the service account.
pub fn actor_phrase(event: &AuditLog) -> String {
    let Some(actor) = &event.actor else {
        return "Someone".into();
    };
    if let Some(user) = actor.session.as_ref().and_then(|s| s.user.as_ref()) {
        return user.email.clone().unwrap_or_else(|| user.id.clone());
    }
    if let Some(key) = &actor.api_key {
        let id = key.id.clone().unwrap_or_else(|| "?".into());
        if let Some(user) = &key.user {
            let owner = user.email.clone().unwrap_or_else(|| user.id.clone());
            return format!("{owner} (API key {id})");
        }
        if let Some(account) = &key.service_account {
            return format!("service account {} (API key {id})", account.id);
        }
        return format!("API key {id}");
    }
    "Someone".into()
}

/// One sentence for `event`; `name_of` turns ids into names where the caller knows them. A type
/// with no sentence falls back to the type, the actor and a compact summary of the payload.
pub fn describe(event: &AuditLog, name_of: &dyn Fn(&str) -> Option<String>) -> String {
    sentence(event, name_of).unwrap_or_else(|| {
        let payload = event.payload();
        format!(
            "{} by {}{}",
            event.event_type,
            actor_phrase(event),
            summary(payload)
        )
    })
}

/// The plain sentence for `event`, or `None` for a type this crate cannot phrase (the caller
/// then shows the fallback).
pub fn sentence(event: &AuditLog, name_of: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let who = actor_phrase(event);
    let payload = event.payload().cloned().unwrap_or(Value::Null);
    let text = |path: &[&str]| -> Option<String> {
        let mut value = &payload;
        for key in path {
            value = value.get(key)?;
        }
        match value {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            other => Some(other.to_string()),
        }
    };
    let id = text(&["id"]).unwrap_or_else(|| "?".into());
    let named = |id: &str| name_of(id).unwrap_or_else(|| id.to_owned());
    let object = named(&id);
    let in_project = event
        .project
        .as_ref()
        .map(|p| {
            format!(
                " in project {}",
                p.name.clone().unwrap_or_else(|| p.id.clone())
            )
        })
        .unwrap_or_default();
    let role = |path: &[&str]| text(path).unwrap_or_else(|| "a new role".into());
    let changes = |field: &str| summary(payload.get(field));
    Some(match event.event_type.as_str() {
        "api_key.created" => format!("{who} created API key {object}{in_project}"),
        "api_key.updated" => format!("{who} changed the scopes of API key {object}{in_project}"),
        "api_key.deleted" => format!("{who} deleted API key {object}{in_project}"),
        "checkpoint.permission.created" => format!(
            "{who} shared checkpoint {} with project {}",
            text(&["data", "fine_tuned_model_checkpoint"]).unwrap_or_default(),
            named(&text(&["data", "project_id"]).unwrap_or_default())
        ),
        "checkpoint.permission.deleted" => format!("{who} removed checkpoint permission {object}"),
        "external_key.registered" => format!("{who} registered external key {object}"),
        "external_key.removed" => format!("{who} removed external key {object}"),
        "group.created" => format!(
            "{who} created group {}",
            text(&["data", "group_name"]).unwrap_or(object)
        ),
        "group.updated" => format!(
            "{who} renamed group {object} to {}",
            text(&["changes_requested", "group_name"]).unwrap_or_default()
        ),
        "group.deleted" => format!("{who} deleted group {object}"),
        "scim.enabled" => format!("{who} turned SCIM on"),
        "scim.disabled" => format!("{who} turned SCIM off"),
        "invite.sent" => format!(
            "{who} invited {} as {}",
            text(&["data", "email"]).unwrap_or_else(|| "someone".into()),
            role(&["data", "role"])
        ),
        "invite.accepted" => format!("{who} accepted invite {object}"),
        "invite.deleted" => format!("{who} withdrew invite {object}"),
        "ip_allowlist.created" => format!(
            "{who} created IP allowlist {}",
            text(&["name"]).unwrap_or(object)
        ),
        "ip_allowlist.updated" => format!("{who} changed the addresses of IP allowlist {object}"),
        "ip_allowlist.deleted" => format!(
            "{who} deleted IP allowlist {}",
            text(&["name"]).unwrap_or(object)
        ),
        "ip_allowlist.config.activated" => format!("{who} turned IP allowlists on"),
        "ip_allowlist.config.deactivated" => format!("{who} turned IP allowlists off"),
        "login.succeeded" => format!("{who} signed in"),
        "login.failed" => format!(
            "{who} failed to sign in ({})",
            text(&["error_message"])
                .or_else(|| text(&["error_code"]))
                .unwrap_or_else(|| "no reason given".into())
        ),
        "logout.succeeded" => format!("{who} signed out"),
        "logout.failed" => format!(
            "{who} failed to sign out ({})",
            text(&["error_message"]).unwrap_or_default()
        ),
        "organization.updated" => format!(
            "{who} changed the organization settings{}",
            changes("changes_requested")
        ),
        "project.created" => format!(
            "{who} created project {}",
            text(&["data", "title"])
                .or_else(|| text(&["data", "name"]))
                .unwrap_or(object)
        ),
        "project.updated" => format!(
            "{who} renamed project {object} to {}",
            text(&["changes_requested", "title"]).unwrap_or_default()
        ),
        "project.archived" => format!("{who} archived project {object}"),
        "project.deleted" => format!("{who} deleted project {object}"),
        "rate_limit.updated" => format!(
            "{who} changed rate limit {object}{in_project}{}",
            changes("changes_requested")
        ),
        "rate_limit.deleted" => format!("{who} removed rate limit {object}{in_project}"),
        "role.created" => format!(
            "{who} created role {}",
            text(&["role_name"]).unwrap_or(object)
        ),
        "role.updated" => format!(
            "{who} changed role {object}{}",
            changes("changes_requested")
        ),
        "role.deleted" => format!("{who} deleted role {object}"),
        "role.assignment.created" => format!(
            "{who} gave {} {} a role on {}",
            text(&["principal_type"]).unwrap_or_default(),
            named(&text(&["principal_id"]).unwrap_or_default()),
            named(&text(&["resource_id"]).unwrap_or_default())
        ),
        "role.assignment.deleted" => format!(
            "{who} took a role from {} {} on {}",
            text(&["principal_type"]).unwrap_or_default(),
            named(&text(&["principal_id"]).unwrap_or_default()),
            named(&text(&["resource_id"]).unwrap_or_default())
        ),
        "role.bound_to_resource" => format!(
            "{who} bound role {} to {}",
            named(&text(&["role_id"]).unwrap_or_default()),
            named(&text(&["resource_id"]).unwrap_or_default())
        ),
        "role.unbound_from_resource" => format!(
            "{who} unbound role {} from {}",
            named(&text(&["role_id"]).unwrap_or_default()),
            named(&text(&["resource_id"]).unwrap_or_default())
        ),
        "service_account.created" => format!("{who} created service account {object}{in_project}"),
        "service_account.updated" => format!(
            "{who} changed service account {object}'s role to {}{in_project}",
            role(&["changes_requested", "role"])
        ),
        "service_account.deleted" => format!("{who} deleted service account {object}{in_project}"),
        "workload_identity_provider.created" => {
            format!("{who} added workload identity provider {object}")
        }
        "workload_identity_provider.updated" => {
            format!("{who} changed workload identity provider {object}")
        }
        "workload_identity_provider.deleted" => format!(
            "{who} removed workload identity provider {}",
            text(&["name"]).unwrap_or(object)
        ),
        "workload_identity_provider_mapping.created" => {
            format!("{who} added workload identity mapping {object}")
        }
        "workload_identity_provider_mapping.updated" => {
            format!("{who} changed workload identity mapping {object}")
        }
        "workload_identity_provider_mapping.deleted" => {
            format!("{who} removed workload identity mapping {object}")
        }
        "user.added" => format!(
            "{who} added {object} as {}{in_project}",
            role(&["data", "role"])
        ),
        "user.updated" => format!(
            "{who} changed {object}'s role to {}{in_project}",
            role(&["changes_requested", "role"])
        ),
        "user.deleted" => format!("{who} removed {object}{in_project}"),
        "certificate.created" => format!(
            "{who} uploaded certificate {}",
            text(&["name"]).unwrap_or(object)
        ),
        "certificate.updated" => format!(
            "{who} renamed certificate {object} to {}",
            text(&["name"]).unwrap_or_default()
        ),
        "certificate.deleted" => format!(
            "{who} deleted certificate {}",
            text(&["name"]).unwrap_or(object)
        ),
        "certificates.activated" => format!(
            "{who} activated {} certificate(s)",
            count(payload.get("certificates"))
        ),
        "certificates.deactivated" => format!(
            "{who} deactivated {} certificate(s)",
            count(payload.get("certificates"))
        ),
        // Listed by the spec but without a payload schema: phrased from the name.
        other if KNOWN_TYPES.contains(&other) => {
            let id = payload.get("id").and_then(Value::as_str).map(named);
            return generic(other, &who, id.as_deref(), &in_project);
        }
        _ => return None,
    })
}

/// A sentence from the type's name alone, for the types the spec lists without a payload schema
/// (`tenant.sso_connection.created` → "ada@acme.example created SSO connection sso_1 (tenant)").
/// The last segment is the verb; `None` if it is not one this knows.
fn generic(event_type: &str, who: &str, id: Option<&str>, in_project: &str) -> Option<String> {
    let (object, verb) = event_type.rsplit_once('.')?;
    let verb = match verb {
        "created" | "updated" | "deleted" | "added" | "removed" | "revoked" | "accepted"
        | "declined" | "started" | "completed" | "migrated" | "issued" | "provisioned"
        | "attached" | "detached" | "resolved" | "requested" | "archived" | "activated"
        | "deactivated" | "registered" | "invited" | "enabled" | "disabled" => verb,
        "upserted" => "created or updated",
        "looked_up" => "looked up",
        "redemption" => "redeemed",
        _ => return None,
    };
    let (object, scope) = match object.strip_prefix("tenant.") {
        Some(rest) => (rest, " (tenant)"),
        None => (object, ""),
    };
    let noun: Vec<String> = object
        .split(['.', '_'])
        .map(|word| match word {
            "api" | "sso" | "scim" | "ip" => word.to_uppercase(),
            "chatgpt" => "ChatGPT".to_owned(),
            "microsoft" => "Microsoft".to_owned(),
            "entra" => "Entra".to_owned(),
            other => other.to_owned(),
        })
        .collect();
    let id = id.map(|id| format!(" {id}")).unwrap_or_default();
    Some(format!(
        "{who} {verb} {}{id}{scope}{in_project}",
        noun.join(" ")
    ))
}

fn count(value: Option<&Value>) -> usize {
    value.and_then(Value::as_array).map_or(0, Vec::len)
}

/// `: a=1, b=x` for the fields of an object, or nothing.
fn summary(value: Option<&Value>) -> String {
    let Some(Value::Object(fields)) = value else {
        return String::new();
    };
    let parts: Vec<String> = fields
        .iter()
        .filter(|(_, v)| !v.is_null())
        .take(4)
        .map(|(k, v)| match v {
            Value::String(s) => format!("{k} = {s}"),
            other => format!("{k} = {other}"),
        })
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(": {}", parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(value: serde_json::Value) -> AuditLog {
        serde_json::from_value(value).expect("event")
    }

    #[test]
    fn role_change_reads_as_a_sentence() {
        let e = event(serde_json::json!({
            "id": "audit_log-1", "type": "user.updated", "effective_at": 1,
            "actor": {"type": "session", "session": {"user": {"id": "user-a", "email": "ada@acme.example"}}},
            "user.updated": {"id": "user-b", "changes_requested": {"role": "owner"}}
        }));
        let names = |id: &str| (id == "user-b").then(|| "bob@acme.example".to_owned());
        assert_eq!(
            describe(&e, &names),
            "ada@acme.example changed bob@acme.example's role to owner"
        );
    }

    #[test]
    fn key_deletion_names_the_project_and_unknown_types_fall_back() {
        let e = event(serde_json::json!({
            "id": "audit_log-2", "type": "api_key.deleted", "effective_at": 1,
            "project": {"id": "proj_a", "name": "Alpha"},
            "actor": {"type": "api_key", "api_key": {"id": "key_x", "type": "user", "user": {"id": "user-a", "email": "ada@acme.example"}}},
            "api_key.deleted": {"id": "key_ci"}
        }));
        let names = |id: &str| (id == "key_ci").then(|| "ci-bot".to_owned());
        assert_eq!(
            describe(&e, &names),
            "ada@acme.example (API key key_x) deleted API key ci-bot in project Alpha"
        );
        let unknown = event(serde_json::json!({
            "id": "audit_log-3", "type": "vector_store.created", "effective_at": 1,
            "vector_store.created": {"id": "vs_1", "name": "docs"}
        }));
        assert_eq!(
            describe(&unknown, &|_| None),
            "vector_store.created by Someone: id = vs_1, name = docs"
        );
    }

    #[test]
    fn types_without_a_payload_schema_read_from_their_names() {
        let e = event(serde_json::json!({
            "id": "audit_log-4", "type": "tenant.sso_connection.created", "effective_at": 1,
            "actor": {"type": "session", "session": {"user": {"id": "user-a", "email": "ada@acme.example"}}},
            "tenant.sso_connection.created": {"id": "sso_1"}
        }));
        assert_eq!(
            sentence(&e, &|_| None).as_deref(),
            Some("ada@acme.example created SSO connection sso_1 (tenant)")
        );
        let e = event(serde_json::json!({
            "id": "audit_log-5", "type": "tenant.api_organization_invite.upserted", "effective_at": 1
        }));
        assert_eq!(
            describe(&e, &|_| None),
            "Someone created or updated API organization invite (tenant)"
        );
    }

    #[test]
    fn families_group_related_types() {
        assert_eq!(family("logout.succeeded"), "login");
        assert_eq!(family("ip_allowlist.config.activated"), "ip_allowlist");
        assert_eq!(family("certificates.activated"), "certificate");
    }
}
