//! Groups of users: list, create, retrieve, rename, delete; members: list, add, retrieve,
//! remove.

use serde::{Deserialize, Serialize};

use crate::ApiError;

/// The longest group name upstream takes (`CreateGroupBody.name.maxLength`).
pub const GROUP_NAME_MAX: usize = 255;

/// The largest `limit` of the group lists (groups, and a group's users).
pub const GROUPS_LIMIT_MAX: u32 = 1000;

/// `GroupResponse`: a group as listed and retrieved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub id: String,
    pub name: String,
    pub created_at: i64,
    /// Managed through SCIM by the identity provider: upstream refuses changes made here.
    pub is_scim_managed: bool,
    /// `group` or `tenant_group` (upstream's list example leaves it out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_type: Option<String>,
}

/// `GroupResourceWithSuccess`: what a rename answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupUpdated {
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub is_scim_managed: bool,
}

/// `Group`: the summary of a group inside a role assignment (note `scim_managed`, not
/// `is_scim_managed`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupSummary {
    pub object: String,
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub scim_managed: bool,
}

/// `CreateGroupBody` and `UpdateGroupBody`: only a name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupBody {
    pub name: String,
}

impl GroupBody {
    /// The fields upstream knows.
    pub const FIELDS: &'static [&'static str] = &["name"];

    /// A name of 1 to 255 characters, not blank.
    pub fn validate(&self) -> Result<(), ApiError> {
        if self.name.trim().is_empty() {
            return Err(ApiError::invalid_request(
                "'name' must not be empty.",
                Some("name"),
            ));
        }
        if self.name.chars().count() > GROUP_NAME_MAX {
            return Err(ApiError::invalid_request(
                format!("'name' is too long: at most {GROUP_NAME_MAX} characters."),
                Some("name"),
            ));
        }
        Ok(())
    }
}

/// `group.deleted`.
pub type GroupDeleted = crate::deleted::Deleted;

/// `GroupUser`: a member as a group's user list shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupUser {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
}

/// `GroupMemberUser`: one member, retrieved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupMemberUser {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub picture: Option<String>,
    pub is_service_account: Option<bool>,
    /// `user` or `tenant_user`.
    pub user_type: String,
}

/// `CreateGroupUserBody`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupUserBody {
    pub user_id: String,
}

impl GroupUserBody {
    /// The fields upstream knows.
    pub const FIELDS: &'static [&'static str] = &["user_id"];

    /// A user id.
    pub fn validate(&self) -> Result<(), ApiError> {
        crate::ids::user_id(&self.user_id)
    }
}

/// `GroupUserAssignment`: what adding a member answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupUserAssignment {
    pub object: String,
    pub user_id: String,
    pub group_id: String,
}

/// A confirmation without an id (`group.user.deleted`, `group.role.deleted`,
/// `user.role.deleted`, `project.group.deleted`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Removed {
    pub object: String,
    pub deleted: bool,
}

impl Removed {
    /// A confirmation of kind `object`.
    pub fn new(object: &str) -> Self {
        Self {
            object: object.to_owned(),
            deleted: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked_like_upstream() {
        assert!(
            GroupBody {
                name: "Support".into()
            }
            .validate()
            .is_ok()
        );
        let blank = GroupBody { name: "  ".into() }
            .validate()
            .expect_err("blank");
        assert_eq!(blank.param.as_deref(), Some("name"));
        let long = GroupBody {
            name: "x".repeat(GROUP_NAME_MAX + 1),
        };
        assert!(long.validate().is_err());
        let longest = GroupBody {
            name: "é".repeat(GROUP_NAME_MAX),
        };
        assert!(longest.validate().is_ok());
    }
}
