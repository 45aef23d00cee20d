//! Organization users: list, retrieve, change role, delete.

use serde::{Deserialize, Serialize};

use crate::ApiError;
use crate::query::{Paging, QueryPairs};

/// `organization.user`: a member of the organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub object: String,
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// `owner` or `reader`.
    #[serde(default)]
    pub role: Option<String>,
    pub added_at: i64,
}

/// The organization roles a user can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UserRole {
    Owner,
    Reader,
}

impl UserRole {
    /// Every role, in the order a picker shows them.
    pub const ALL: [Self; 2] = [Self::Owner, Self::Reader];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Reader => "reader",
        }
    }

    /// Parses a wire name, with upstream's error on anything else.
    pub fn parse(value: &str) -> Result<Self, ApiError> {
        match value {
            "owner" => Ok(Self::Owner),
            "reader" => Ok(Self::Reader),
            other => Err(ApiError::invalid_request(
                format!("Invalid role '{other}': must be one of 'owner' or 'reader'."),
                Some("role"),
            )),
        }
    }
}

/// The body of a role change as the portal sends it: only `role`, nothing else is forwarded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserRoleUpdate {
    pub role: UserRole,
}

/// `organization.user.deleted`.
pub type UserDeleted = crate::deleted::Deleted;

/// The query of `GET /organization/users`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListUsersQuery {
    pub paging: Paging,
    pub emails: Vec<String>,
}

impl ListUsersQuery {
    /// Reads the query, leaving unknown parameters in `pairs` for the caller to judge.
    pub fn take_from(pairs: &mut QueryPairs) -> Result<Self, ApiError> {
        Ok(Self {
            paging: Paging::take_from(pairs)?,
            emails: pairs.many("emails")?,
        })
    }

    /// The query string upstream expects, without the `?`.
    pub fn to_query_string(&self) -> String {
        let mut pairs = Vec::new();
        self.paging.push_pairs(&mut pairs);
        pairs.extend(self.emails.iter().map(|e| ("emails[]", e.clone())));
        crate::query::encode(pairs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_update_rejects_unknown_fields_and_roles() {
        let ok: UserRoleUpdate = serde_json::from_str(r#"{"role":"reader"}"#).expect("valid body");
        assert_eq!(ok.role, UserRole::Reader);
        assert!(serde_json::from_str::<UserRoleUpdate>(r#"{"role":"admin"}"#).is_err());
        assert!(serde_json::from_str::<UserRoleUpdate>(r#"{"role":"owner","x":1}"#).is_err());
    }

    #[test]
    fn list_query_round_trips() {
        let mut pairs = QueryPairs::parse(Some("limit=5&after=user-a&emails[]=a%40x.com"));
        let query = ListUsersQuery::take_from(&mut pairs).expect("valid query");
        assert_eq!(query.paging.limit, Some(5));
        assert_eq!(
            query.to_query_string(),
            "limit=5&after=user-a&emails%5B%5D=a%40x.com"
        );
    }
}
