//! Audit log events: the actor, the project scope and the per-type payload.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::ApiError;
use crate::query::{Paging, QueryPairs};

/// One audit log event. The payload sits under a key named like the event type
/// (`"user.updated": {...}`), so it is kept as the remaining fields of the object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditLog {
    pub id: String,
    #[serde(rename = "type")]
    pub event_type: String,
    pub effective_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<AuditLogProject>,
    #[serde(default)]
    pub actor: Option<AuditLogActor>,
    #[serde(flatten)]
    pub details: Map<String, Value>,
}

impl AuditLog {
    /// The payload for this event's type, if present.
    pub fn payload(&self) -> Option<&Value> {
        self.details.get(&self.event_type)
    }

    /// The id of the resource the event is about: the payload's `id`, except for a role
    /// assignment (`role.assignment.created` / `.deleted`), whose `id` names the assignment,
    /// which no answer ever shows: there it is the user or group that gained or lost the role
    /// (`principal_id`), so that "everything about group G" finds its roles and grants, and
    /// the portal's write is joined to its event.
    pub fn resource_id(&self) -> Option<&str> {
        let payload = self.payload()?;
        if self.event_type.starts_with("role.assignment.")
            && let Some(principal) = payload.get("principal_id").and_then(Value::as_str)
        {
            return Some(principal);
        }
        payload.get("id")?.as_str()
    }

    /// The ids the `actor_ids` filter matches: the session's user, the API key, and the key's
    /// user or service account.
    pub fn actor_ids(&self) -> Vec<&str> {
        let actor = self.actor.as_ref();
        let session_user = actor.and_then(|a| a.session.as_ref()?.user.as_ref());
        let api_key = actor.and_then(|a| a.api_key.as_ref());
        [
            session_user.map(|u| u.id.as_str()),
            api_key.and_then(|k| k.id.as_deref()),
            api_key.and_then(|k| Some(k.user.as_ref()?.id.as_str())),
            api_key.and_then(|k| Some(k.service_account.as_ref()?.id.as_str())),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    /// The emails the `actor_emails` filter matches: the session's user's and the key's user's.
    pub fn actor_emails(&self) -> Vec<&str> {
        let actor = self.actor.as_ref();
        [
            actor.and_then(|a| a.session.as_ref()?.user.as_ref()?.email.as_deref()),
            actor.and_then(|a| a.api_key.as_ref()?.user.as_ref()?.email.as_deref()),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

/// The project an action was scoped to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLogProject {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Who performed the action: a browser `session` or an `api_key`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLogActor {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<AuditLogActorSession>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key: Option<AuditLogActorApiKey>,
}

/// The session an action was performed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLogActorSession {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<AuditLogActorUser>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ja3: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ja4: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_address_details: Option<IpAddressDetails>,
}

/// Where a session's address is, as upstream resolves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct IpAddressDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latitude: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub longitude: Option<String>,
}

/// The API key an action was performed with, and whom it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLogActorApiKey {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `user` or `service_account`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<AuditLogActorUser>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account: Option<AuditLogActorServiceAccount>,
}

/// A user as the audit log names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLogActorUser {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// A service account as the audit log names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLogActorServiceAccount {
    pub id: String,
}

/// The `effective_at[gt|gte|lt|lte]` bounds, in Unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EffectiveAt {
    pub gt: Option<i64>,
    pub gte: Option<i64>,
    pub lt: Option<i64>,
    pub lte: Option<i64>,
}

impl EffectiveAt {
    /// The inclusive range these bounds allow.
    pub fn inclusive_range(&self) -> (i64, i64) {
        let low = [self.gt.map(|v| v.saturating_add(1)), self.gte]
            .into_iter()
            .flatten()
            .max()
            .unwrap_or(i64::MIN);
        let high = [self.lt.map(|v| v.saturating_sub(1)), self.lte]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(i64::MAX);
        (low, high)
    }
}

/// The query of `GET /organization/audit_logs`, with every filter the spec gives.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListAuditLogsQuery {
    pub paging: Paging,
    pub before: Option<String>,
    pub effective_at: EffectiveAt,
    pub project_ids: Vec<String>,
    pub event_types: Vec<String>,
    pub actor_ids: Vec<String>,
    pub actor_emails: Vec<String>,
    pub resource_ids: Vec<String>,
}

impl ListAuditLogsQuery {
    /// Reads the query, leaving unknown parameters in `pairs` for the caller to judge.
    pub fn take_from(pairs: &mut QueryPairs) -> Result<Self, ApiError> {
        Ok(Self {
            paging: Paging::take_from(pairs)?,
            before: pairs.one("before")?,
            effective_at: EffectiveAt {
                gt: pairs.integer("effective_at[gt]")?,
                gte: pairs.integer("effective_at[gte]")?,
                lt: pairs.integer("effective_at[lt]")?,
                lte: pairs.integer("effective_at[lte]")?,
            },
            project_ids: pairs.many("project_ids")?,
            event_types: pairs.many("event_types")?,
            actor_ids: pairs.many("actor_ids")?,
            actor_emails: pairs.many("actor_emails")?,
            resource_ids: pairs.many("resource_ids")?,
        })
    }

    /// The query string upstream expects, without the `?`.
    pub fn to_query_string(&self) -> String {
        let mut pairs = Vec::new();
        self.paging.push_pairs(&mut pairs);
        if let Some(before) = &self.before {
            pairs.push(("before", before.clone()));
        }
        let bounds = [
            ("effective_at[gt]", self.effective_at.gt),
            ("effective_at[gte]", self.effective_at.gte),
            ("effective_at[lt]", self.effective_at.lt),
            ("effective_at[lte]", self.effective_at.lte),
        ];
        pairs.extend(
            bounds
                .into_iter()
                .filter_map(|(k, v)| Some((k, v?.to_string()))),
        );
        let arrays = [
            ("project_ids[]", &self.project_ids),
            ("event_types[]", &self.event_types),
            ("actor_ids[]", &self.actor_ids),
            ("actor_emails[]", &self.actor_emails),
            ("resource_ids[]", &self.resource_ids),
        ];
        for (key, values) in arrays {
            pairs.extend(values.iter().map(|v| (key, v.clone())));
        }
        crate::query::encode(pairs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_combine_into_one_inclusive_range() {
        let bounds = EffectiveAt {
            gt: Some(10),
            gte: Some(5),
            lt: Some(20),
            lte: Some(30),
        };
        assert_eq!(bounds.inclusive_range(), (11, 19));
        assert_eq!(
            EffectiveAt::default().inclusive_range(),
            (i64::MIN, i64::MAX)
        );
    }

    #[test]
    fn query_round_trips() {
        let raw = "limit=50&before=audit_log-b&effective_at%5Bgte%5D=100&event_types%5B%5D=user.updated&actor_emails%5B%5D=a%40x.com";
        let query =
            ListAuditLogsQuery::take_from(&mut QueryPairs::parse(Some(raw))).expect("valid query");
        assert_eq!(query.effective_at.gte, Some(100));
        assert_eq!(query.event_types, vec!["user.updated"]);
        assert_eq!(query.to_query_string(), raw);
    }
}
