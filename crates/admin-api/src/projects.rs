//! Projects: list (optionally with archived ones), create, retrieve, rename, archive.

use serde::{Deserialize, Serialize};

use crate::ApiError;
use crate::query::{Paging, QueryPairs};
use crate::validate;

/// `organization.project`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Project {
    pub id: String,
    pub object: String,
    #[serde(default)]
    pub name: Option<String>,
    pub created_at: i64,
    #[serde(default)]
    pub archived_at: Option<i64>,
    /// `active` or `archived`.
    #[serde(default)]
    pub status: Option<String>,
}

impl Project {
    /// Whether the project is archived (it then refuses new members and keys).
    pub fn is_archived(&self) -> bool {
        self.archived_at.is_some()
    }
}

/// The body of `POST /organization/projects` and `POST /organization/projects/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectName {
    pub name: String,
}

impl ProjectName {
    /// The fields the portal sends.
    pub const FIELDS: &'static [&'static str] = &["name"];

    /// Checks the name.
    pub fn validate(&self) -> Result<(), ApiError> {
        validate::name(&self.name, "name")
    }
}

/// The query of `GET /organization/projects`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListProjectsQuery {
    pub paging: Paging,
    pub include_archived: bool,
}

impl ListProjectsQuery {
    /// Reads the query, leaving unknown parameters in `pairs`.
    pub fn take_from(pairs: &mut QueryPairs) -> Result<Self, ApiError> {
        let paging = Paging::take_from(pairs)?;
        let include_archived = pairs.flag("include_archived")?;
        Ok(Self {
            paging,
            include_archived,
        })
    }

    /// The query string upstream expects.
    pub fn to_query_string(&self) -> String {
        let mut pairs = Vec::new();
        self.paging.push_pairs(&mut pairs);
        if self.include_archived {
            pairs.push(("include_archived", "true".to_owned()));
        }
        crate::query::encode(pairs)
    }
}
