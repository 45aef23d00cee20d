//! Cursor paging over an ordered collection, shared by every list but the audit log (which has
//! its own time index): `after` names the last object of the previous page.

use admin_api::query::Paging;
use admin_api::{ApiError, ListPage};

use crate::Failure;

/// One page of `items` (already filtered and in list order) after the cursor.
pub fn page<'a, T: Clone + 'a>(
    items: impl Iterator<Item = &'a T>,
    paging: &Paging,
    id_of: impl Fn(&T) -> &str,
) -> Result<ListPage<T>, Failure> {
    let items: Vec<&T> = items.collect();
    let start = match &paging.after {
        None => 0,
        Some(after) => {
            items
                .iter()
                .position(|item| id_of(item) == after)
                .ok_or_else(|| {
                    Failure::bad_request(ApiError::invalid_request(
                        format!("Invalid 'after': '{after}' is not in this list."),
                        Some("after"),
                    ))
                })?
                + 1
        }
    };
    let limit = paging.limit_or_default();
    let rest = &items[start..];
    let data: Vec<T> = rest
        .iter()
        .take(limit)
        .map(|item| (*item).clone())
        .collect();
    Ok(ListPage::new(data, rest.len() > limit, id_of))
}
