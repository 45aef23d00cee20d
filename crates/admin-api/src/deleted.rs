//! The confirmation every delete answers with.

use serde::{Deserialize, Serialize};

/// A deletion confirmation: `{"object": "...deleted", "id", "deleted": true}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deleted {
    pub object: String,
    pub id: String,
    pub deleted: bool,
}

impl Deleted {
    /// A confirmation of kind `object` for `id`.
    pub fn new(object: &str, id: &str) -> Self {
        Self {
            object: object.to_owned(),
            id: id.to_owned(),
            deleted: true,
        }
    }
}
