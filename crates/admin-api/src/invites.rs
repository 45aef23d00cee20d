//! Invites: list, create, retrieve, delete.

use serde::{Deserialize, Serialize};

use crate::ApiError;
use crate::validate;

/// `organization.invite`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invite {
    pub object: String,
    pub id: String,
    pub email: String,
    /// `owner` or `reader`.
    pub role: String,
    /// `pending`, `accepted` or `expired`.
    pub status: String,
    pub created_at: i64,
    #[serde(default)]
    pub expires_at: Option<i64>,
    #[serde(default)]
    pub accepted_at: Option<i64>,
    #[serde(default)]
    pub projects: Vec<InviteProject>,
}

/// A project the invited person joins on acceptance, with their role there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InviteProject {
    pub id: String,
    /// `member` or `owner`.
    pub role: String,
}

/// The body of `POST /organization/invites`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteRequest {
    pub email: String,
    /// `reader` or `owner`.
    pub role: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub projects: Vec<InviteProject>,
}

impl InviteRequest {
    /// The fields upstream knows.
    pub const FIELDS: &'static [&'static str] = &["email", "role", "projects"];

    /// Checks email, role and each project entry.
    pub fn validate(&self) -> Result<(), ApiError> {
        validate::email(&self.email, "email")?;
        validate::one_of(&self.role, &["reader", "owner"], "role")?;
        for project in &self.projects {
            crate::ids::project_id(&project.id).map_err(|e| ApiError {
                param: Some("projects".into()),
                ..e
            })?;
            validate::one_of(&project.role, &["member", "owner"], "projects")?;
        }
        Ok(())
    }
}

/// `organization.invite.deleted`.
pub type InviteDeleted = crate::deleted::Deleted;
