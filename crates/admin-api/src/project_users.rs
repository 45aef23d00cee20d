//! Project members: list, add, retrieve, change role, remove.

use serde::{Deserialize, Serialize};

use crate::ApiError;
use crate::validate;

/// `organization.project.user`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectUser {
    pub object: String,
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// `owner` or `member`.
    pub role: String,
    pub added_at: i64,
}

/// The roles a project member can hold.
pub const PROJECT_ROLES: &[&str] = &["owner", "member"];

/// The body of `POST /organization/projects/{id}/users`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectUserCreate {
    pub user_id: String,
    pub role: String,
}

impl ProjectUserCreate {
    /// The fields the portal sends.
    pub const FIELDS: &'static [&'static str] = &["user_id", "role"];

    /// Checks the user id and role.
    pub fn validate(&self) -> Result<(), ApiError> {
        crate::ids::user_id(&self.user_id)?;
        validate::one_of(&self.role, PROJECT_ROLES, "role")
    }
}

/// The body of `POST /organization/projects/{id}/users/{user_id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectUserUpdate {
    pub role: String,
}

impl ProjectUserUpdate {
    /// The fields the portal sends.
    pub const FIELDS: &'static [&'static str] = &["role"];

    /// Checks the role.
    pub fn validate(&self) -> Result<(), ApiError> {
        validate::one_of(&self.role, PROJECT_ROLES, "role")
    }
}
