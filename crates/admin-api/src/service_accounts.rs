//! Project service accounts: list, create (with its one-time key), retrieve, update, delete,
//! and new API keys for a service account.

use serde::{Deserialize, Serialize};

use crate::ApiError;
use crate::validate;

/// `organization.project.service_account`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceAccount {
    pub object: String,
    pub id: String,
    pub name: String,
    /// `owner`, `member` or `none`.
    pub role: String,
    pub created_at: i64,
}

/// What creating a service account answers: the account and, exactly once, its key's value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceAccountCreated {
    pub object: String,
    pub id: String,
    pub name: String,
    pub role: String,
    pub created_at: i64,
    pub api_key: Option<ServiceAccountApiKey>,
}

/// `organization.project.service_account.api_key`: a new key, with its secret `value`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceAccountApiKey {
    pub object: String,
    pub value: String,
    pub name: String,
    pub created_at: i64,
    pub id: String,
}

impl std::fmt::Debug for ServiceAccountApiKey {
    /// Never prints the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceAccountApiKey")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("value", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// The body of `POST .../service_accounts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceAccountCreate {
    pub name: String,
}

impl ServiceAccountCreate {
    /// The fields the portal sends.
    pub const FIELDS: &'static [&'static str] = &["name"];

    /// Checks the name.
    pub fn validate(&self) -> Result<(), ApiError> {
        validate::name(&self.name, "name")
    }
}

/// The body of `POST .../service_accounts/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ServiceAccountUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

impl ServiceAccountUpdate {
    /// The fields upstream knows.
    pub const FIELDS: &'static [&'static str] = &["name", "role"];

    /// Checks whichever fields are present; at least one must be.
    pub fn validate(&self) -> Result<(), ApiError> {
        if self.name.is_none() && self.role.is_none() {
            return Err(ApiError::invalid_request(
                "Give a 'name' or a 'role' to change.",
                Some("name"),
            ));
        }
        if let Some(name) = &self.name {
            validate::name(name, "name")?;
        }
        if let Some(role) = &self.role {
            validate::one_of(role, &["member", "owner"], "role")?;
        }
        Ok(())
    }
}

/// The body of `POST .../service_accounts/{id}/api_keys`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ServiceAccountApiKeyCreate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
}

impl ServiceAccountApiKeyCreate {
    /// The fields upstream knows.
    pub const FIELDS: &'static [&'static str] = &["name", "scopes"];

    /// Checks the name, if given.
    pub fn validate(&self) -> Result<(), ApiError> {
        self.name
            .as_deref()
            .map_or(Ok(()), |name| validate::name(name, "name"))
    }
}
