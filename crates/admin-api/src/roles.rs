//! Roles (built-in and custom, each a set of permissions) and their assignment to users and
//! groups.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ApiError;

/// The largest `limit` of the role lists.
pub const ROLES_LIMIT_MAX: u32 = 1000;

/// The most permissions one role may carry here. Upstream documents no bound; a role of
/// thousands is an attack on whoever stores it, not a role.
pub const PERMISSIONS_MAX: usize = 200;

/// The longest role name and description taken here (upstream documents no bound).
pub const ROLE_NAME_MAX: usize = 128;
pub const ROLE_DESCRIPTION_MAX: usize = 1000;

/// `resource_type` of an organization role.
pub const ORGANIZATION_ROLE: &str = "api.organization";
/// `resource_type` of a project role.
pub const PROJECT_ROLE: &str = "api.project";

/// `role`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    pub object: String,
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub permissions: Vec<String>,
    /// `api.organization` or `api.project`.
    pub resource_type: String,
    /// Built in and managed by OpenAI: read-only.
    pub predefined_role: bool,
}

/// `AssignedRoleDetails`: a role as a principal's assignment list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignedRole {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub permissions: Vec<String>,
    #[serde(default)]
    pub resource_type: String,
    #[serde(default)]
    pub predefined_role: bool,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub created_at: Option<i64>,
    #[serde(default)]
    pub updated_at: Option<i64>,
    #[serde(default)]
    pub created_by: Option<String>,
    #[serde(default)]
    pub created_by_user_obj: Option<Value>,
    #[serde(default)]
    pub metadata: Option<Value>,
    /// The principals the assignment is inherited from, when upstream says.
    #[serde(default)]
    pub assignment_sources: Option<Vec<AssignmentSource>>,
}

/// Where an inherited assignment comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentSource {
    pub principal_id: String,
    pub principal_type: String,
}

/// `PublicCreateOrganizationRoleBody`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleCreate {
    pub role_name: String,
    pub permissions: Vec<String>,
    #[serde(default)]
    pub description: Option<String>,
}

impl RoleCreate {
    /// The fields upstream knows.
    pub const FIELDS: &'static [&'static str] = &["role_name", "permissions", "description"];

    /// A name, at least one well-formed permission, none twice, and a short description.
    pub fn validate(&self) -> Result<(), ApiError> {
        role_name(&self.role_name)?;
        permissions(&self.permissions)?;
        description(self.description.as_deref())
    }
}

/// `PublicUpdateOrganizationRoleBody`: any of the three; `permissions` replaces the set.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RoleUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_name: Option<String>,
}

impl RoleUpdate {
    /// The fields upstream knows.
    pub const FIELDS: &'static [&'static str] = &["permissions", "description", "role_name"];

    /// Whatever is given is checked as on creation.
    pub fn validate(&self) -> Result<(), ApiError> {
        if let Some(name) = &self.role_name {
            role_name(name)?;
        }
        if let Some(permissions) = &self.permissions {
            self::permissions(permissions)?;
        }
        description(self.description.as_deref())
    }
}

/// `role.deleted`.
pub type RoleDeleted = crate::deleted::Deleted;

/// `PublicAssignOrganizationGroupRoleBody`: the role to assign to a user or a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleAssign {
    pub role_id: String,
}

impl RoleAssign {
    /// The fields upstream knows.
    pub const FIELDS: &'static [&'static str] = &["role_id"];

    /// A role id.
    pub fn validate(&self) -> Result<(), ApiError> {
        crate::ids::role_id(&self.role_id)
    }
}

/// `group.role`: what assigning a role to a group answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRoleAssignment {
    pub object: String,
    pub group: crate::groups::GroupSummary,
    pub role: Role,
}

/// `user.role`: what assigning a role to a user answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRoleAssignment {
    pub object: String,
    pub user: crate::users::User,
    pub role: Role,
}

/// `group.role.deleted` or `user.role.deleted`.
pub type RoleUnassigned = crate::groups::Removed;

fn role_name(name: &str) -> Result<(), ApiError> {
    if name.trim().is_empty() {
        return Err(ApiError::invalid_request(
            "'role_name' must not be empty.",
            Some("role_name"),
        ));
    }
    if name.chars().count() > ROLE_NAME_MAX {
        return Err(ApiError::invalid_request(
            format!("'role_name' is too long: at most {ROLE_NAME_MAX} characters."),
            Some("role_name"),
        ));
    }
    Ok(())
}

/// A permission looks like upstream's (`api.groups.read`): dot-separated lowercase words.
fn permissions(permissions: &[String]) -> Result<(), ApiError> {
    let fail = |message: String| Err(ApiError::invalid_request(message, Some("permissions")));
    if permissions.is_empty() {
        return fail("A role needs at least one permission.".into());
    }
    if permissions.len() > PERMISSIONS_MAX {
        return fail(format!(
            "Too many permissions: {}. At most {PERMISSIONS_MAX} are allowed.",
            permissions.len()
        ));
    }
    for (i, permission) in permissions.iter().enumerate() {
        let well_formed = (1..=128).contains(&permission.len())
            && permission.split('.').all(|word| {
                !word.is_empty()
                    && word
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            });
        if !well_formed {
            let shown: String = permission.chars().take(80).collect();
            return fail(format!("Invalid permission: '{shown}'."));
        }
        if permissions[..i].contains(permission) {
            return fail(format!("Permission '{permission}' is listed twice."));
        }
    }
    Ok(())
}

fn description(description: Option<&str>) -> Result<(), ApiError> {
    match description {
        Some(text) if text.chars().count() > ROLE_DESCRIPTION_MAX => {
            Err(ApiError::invalid_request(
                format!("'description' is too long: at most {ROLE_DESCRIPTION_MAX} characters."),
                Some("description"),
            ))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permissions_must_be_well_formed_and_distinct() {
        let body = |permissions: &[&str]| RoleCreate {
            role_name: "Auditors".into(),
            permissions: permissions.iter().map(|p| (*p).to_owned()).collect(),
            description: None,
        };
        assert!(
            body(&["api.groups.read", "api.groups.write"])
                .validate()
                .is_ok()
        );
        for bad in [
            &[][..],
            &["api.groups.read", "api.groups.read"],
            &["API.groups"],
            &["api..groups"],
            &["api.groups read"],
        ] {
            let error = body(bad).validate().expect_err("refused");
            assert_eq!(error.param.as_deref(), Some("permissions"), "{bad:?}");
        }
    }

    #[test]
    fn an_update_checks_only_what_it_gives() {
        assert!(RoleUpdate::default().validate().is_ok());
        let blank = RoleUpdate {
            role_name: Some(" ".into()),
            ..RoleUpdate::default()
        };
        assert_eq!(
            blank.validate().expect_err("blank").param.as_deref(),
            Some("role_name")
        );
    }
}
