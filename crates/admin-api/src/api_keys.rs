//! Project API keys: list, retrieve, delete. A key is owned by a user or a service account.

use serde::{Deserialize, Serialize};

use crate::ApiError;
use crate::query::{Paging, QueryPairs};

/// `organization.project.api_key`. Only the redacted value is ever listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectApiKey {
    pub object: String,
    pub redacted_value: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub id: String,
    /// `active` or `inactive`.
    pub owner_project_access: String,
    pub owner: ApiKeyOwner,
}

/// Who owns a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyOwner {
    /// `user` or `service_account`.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<ApiKeyOwnerUser>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account: Option<ApiKeyOwnerServiceAccount>,
}

/// A user owning a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyOwnerUser {
    pub id: String,
    pub email: String,
    pub name: String,
    pub created_at: i64,
    pub role: String,
}

/// A service account owning a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyOwnerServiceAccount {
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub role: String,
}

/// The query of `GET .../api_keys`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListApiKeysQuery {
    pub paging: Paging,
    /// `active` or `inactive`.
    pub owner_project_access: Option<String>,
}

impl ListApiKeysQuery {
    /// Reads the query, leaving unknown parameters in `pairs`.
    pub fn take_from(pairs: &mut QueryPairs) -> Result<Self, ApiError> {
        let paging = Paging::take_from(pairs)?;
        let access = pairs.one("owner_project_access")?;
        if let Some(access) = &access {
            crate::validate::one_of(access, &["active", "inactive"], "owner_project_access")?;
        }
        Ok(Self {
            paging,
            owner_project_access: access,
        })
    }

    /// The query string upstream expects.
    pub fn to_query_string(&self) -> String {
        let mut pairs = Vec::new();
        self.paging.push_pairs(&mut pairs);
        if let Some(access) = &self.owner_project_access {
            pairs.push(("owner_project_access", access.clone()));
        }
        crate::query::encode(pairs)
    }
}

/// Upstream's redacted form of a key: its prefix, `...`, and its last four characters.
pub fn redact(prefix: &str, value: &str) -> String {
    let tail: String = value
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("{prefix}...{tail}")
}
