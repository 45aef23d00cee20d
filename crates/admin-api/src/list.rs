//! The cursor-paged list envelope every list endpoint returns.

use serde::{Deserialize, Serialize};

/// One page of a list: `object` is always `"list"`; upstream gives no totals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListPage<T> {
    pub object: String,
    pub data: Vec<T>,
    #[serde(default)]
    pub first_id: Option<String>,
    #[serde(default)]
    pub last_id: Option<String>,
    pub has_more: bool,
}

impl<T> ListPage<T> {
    /// Builds a page, deriving `first_id`/`last_id` from the items.
    pub fn new(data: Vec<T>, has_more: bool, id_of: impl Fn(&T) -> &str) -> Self {
        let first_id = data.first().map(|item| id_of(item).to_owned());
        let last_id = data.last().map(|item| id_of(item).to_owned());
        Self {
            object: "list".into(),
            data,
            first_id,
            last_id,
            has_more,
        }
    }
}

/// One page of the newer lists (groups, roles, role assignments, project groups): the cursor of
/// the next page is `next`, not the last item's id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CursorPage<T> {
    pub object: String,
    pub data: Vec<T>,
    pub has_more: bool,
    #[serde(default)]
    pub next: Option<String>,
}

impl<T> CursorPage<T> {
    /// Builds a page whose `next` is the last item's id when more follow.
    pub fn new(data: Vec<T>, has_more: bool, id_of: impl Fn(&T) -> &str) -> Self {
        let next = has_more
            .then(|| data.last().map(|item| id_of(item).to_owned()))
            .flatten();
        Self {
            object: "list".into(),
            data,
            has_more,
            next,
        }
    }
}
