//! Groups granted access to a project: list, grant, retrieve, revoke.

use serde::{Deserialize, Serialize};

use crate::ApiError;

/// The largest `limit` of a project's group list.
pub const PROJECT_GROUPS_LIMIT_MAX: u32 = 100;

/// `project.group`: a group's access to a project. Upstream does not say which role the grant
/// gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectGroup {
    pub object: String,
    pub project_id: String,
    pub group_id: String,
    pub group_name: String,
    /// `group` or `tenant_group` (upstream's list example leaves it out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_type: Option<String>,
    pub created_at: i64,
}

/// `InviteProjectGroupBody`: the group, and the id of the project role it gets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectGroupGrant {
    pub group_id: String,
    /// A role id (`role_…`) of a project role.
    pub role: String,
}

impl ProjectGroupGrant {
    /// The fields upstream knows.
    pub const FIELDS: &'static [&'static str] = &["group_id", "role"];

    /// A group id and a role id.
    pub fn validate(&self) -> Result<(), ApiError> {
        crate::ids::group_id(&self.group_id)?;
        crate::ids::check(&self.role, &["role_"], "role")
    }
}

/// `project.group.deleted`.
pub type ProjectGroupRevoked = crate::groups::Removed;
