//! Effective access: who can reach what, and why. Not an upstream object: the BFF computes it
//! from upstream's lists (`GET /api/v1/access/users/{user_id}` and
//! `GET /api/v1/access/projects/{project_id}`, `?format=csv` for a spreadsheet). It lives here so
//! that the BFF and the app share one definition.

use serde::{Deserialize, Serialize};

/// How a person reaches a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Path {
    /// An organization owner reaches every project, as its owner.
    Owner,
    /// A member of the project.
    Direct,
    /// A member of a group granted the project.
    Group,
}

impl Path {
    /// Every path, in the order a filter shows them.
    pub const ALL: [Self; 3] = [Self::Direct, Self::Group, Self::Owner];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Direct => "direct",
            Self::Group => "group",
        }
    }

    /// Parses a wire name.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|path| path.as_str() == value)
    }
}

/// One way one person reaches one project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessRow {
    pub user_id: String,
    pub user_name: Option<String>,
    pub user_email: Option<String>,
    pub project_id: String,
    pub project_name: String,
    pub path: Path,
    /// The role this path gives: `owner` or `member` for the first two paths; for a group, the
    /// role id of the grant when Gatehouse's journal recorded it (upstream's lists do not say).
    pub role: Option<String>,
    /// The role's name, when known.
    pub role_name: Option<String>,
    /// The group, for [`Path::Group`].
    pub group_id: Option<String>,
    pub group_name: Option<String>,
}

/// One organization role a person holds, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationRoleRow {
    pub role_id: String,
    pub role_name: String,
    /// `direct` or `group`.
    pub path: Path,
    pub group_id: Option<String>,
    pub group_name: Option<String>,
}

/// Effective access of one user (`object: "access.user"`) or to one project
/// (`object: "access.project"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Access {
    pub object: String,
    /// The user's or the project's id.
    pub id: String,
    /// The user's or the project's name.
    pub name: Option<String>,
    pub rows: Vec<AccessRow>,
    /// For a user: their organization roles, direct and through groups.
    #[serde(default)]
    pub organization_roles: Vec<OrganizationRoleRow>,
    /// The project is archived: nobody can use it, so it has no rows.
    #[serde(default)]
    pub archived: bool,
    /// Upstream lists read whole, of `lists` needed.
    pub lists_read: u32,
    pub lists: u32,
    /// Every list was read whole: nothing is missing from the rows.
    pub complete: bool,
    /// What could not be read, in words.
    #[serde(default)]
    pub failures: Vec<String>,
    /// When upstream was read (Unix seconds); answers are cached briefly.
    pub computed_at: i64,
}
