//! Admin API keys: list, create (value returned once), retrieve, delete.

use serde::{Deserialize, Serialize};

use crate::ApiError;
use crate::validate;

/// `organization.admin_api_key`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminApiKey {
    pub object: String,
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    pub redacted_value: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    #[serde(default)]
    pub last_used_at: Option<i64>,
    pub owner: AdminApiKeyOwner,
}

/// The owner of an admin key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminApiKeyOwner {
    #[serde(rename = "type")]
    pub kind: String,
    pub object: String,
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub role: String,
}

/// What creating an admin key answers: the key and, exactly once, its `value`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminApiKeyCreated {
    #[serde(flatten)]
    pub key: AdminApiKey,
    pub value: String,
}

impl std::fmt::Debug for AdminApiKeyCreated {
    /// Never prints the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminApiKeyCreated")
            .field("key", &self.key)
            .field("value", &"<redacted>")
            .finish()
    }
}

/// Longest lifetime upstream allows for an admin key: one year.
pub const EXPIRES_IN_MAX: i64 = 31_536_000;

/// The body of `POST /organization/admin_api_keys`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminApiKeyCreate {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in_seconds: Option<i64>,
}

impl AdminApiKeyCreate {
    /// The fields upstream knows.
    pub const FIELDS: &'static [&'static str] = &["name", "expires_in_seconds"];

    /// Checks the name and the lifetime.
    pub fn validate(&self) -> Result<(), ApiError> {
        validate::name(&self.name, "name")?;
        match self.expires_in_seconds {
            Some(s) if !(1..=EXPIRES_IN_MAX).contains(&s) => Err(ApiError::invalid_request(
                format!("'expires_in_seconds' must be between 1 and {EXPIRES_IN_MAX}."),
                Some("expires_in_seconds"),
            )),
            _ => Ok(()),
        }
    }
}

/// The query of `GET /organization/admin_api_keys`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListAdminKeysQuery {
    pub paging: crate::query::Paging,
    /// Newest first (`order=desc`) instead of oldest first.
    pub descending: bool,
}

impl ListAdminKeysQuery {
    /// Reads the query, leaving unknown parameters in `pairs`.
    pub fn take_from(pairs: &mut crate::query::QueryPairs) -> Result<Self, ApiError> {
        let paging = crate::query::Paging::take_from(pairs)?;
        let descending = match pairs.one("order")?.as_deref() {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(other) => {
                return Err(ApiError::invalid_request(
                    format!("Invalid 'order': '{other}'. Use asc or desc."),
                    Some("order"),
                ));
            }
        };
        Ok(Self { paging, descending })
    }

    /// The query string upstream expects.
    pub fn to_query_string(&self) -> String {
        let mut pairs = Vec::new();
        self.paging.push_pairs(&mut pairs);
        if self.descending {
            pairs.push(("order", "desc".to_owned()));
        }
        crate::query::encode(pairs)
    }
}
