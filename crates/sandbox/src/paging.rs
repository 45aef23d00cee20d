//! Cursor paging over an ordered collection, shared by every list but the audit log (which has
//! its own time index): `after` names the last object of the previous page.

use admin_api::query::{CursorQuery, Paging};
use admin_api::{ApiError, CursorPage, ListPage};

use crate::Failure;

/// The list conventions of one of the newer (`next`-cursor) operations.
#[derive(Debug, Clone, Copy)]
pub struct CursorList {
    /// The page size when `limit` is not given.
    pub default_limit: u32,
    /// Whether the list runs newest first when `order` is not given.
    pub default_desc: bool,
}

/// One page of a newer list: `items` are in storage (oldest first) order; the query's `order`
/// (or the operation's default) decides the direction, `after` names the last item of the
/// previous page (its `next`), and `limit` may be 0 (an empty page that still says whether
/// anything follows).
pub fn cursor_page<T: Clone>(
    items: impl DoubleEndedIterator<Item = T>,
    query: &CursorQuery,
    list: CursorList,
    id_of: impl Fn(&T) -> &str,
) -> Result<CursorPage<T>, Failure> {
    let mut items: Vec<T> = items.collect();
    if query.descending(list.default_desc) {
        items.reverse();
    }
    let start = match &query.after {
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
    let limit = query.limit.unwrap_or(list.default_limit) as usize;
    let mut rest = items.split_off(start);
    let has_more = rest.len() > limit;
    rest.truncate(limit);
    Ok(CursorPage::new(rest, has_more, id_of))
}

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

/// Reads a newer list's query (`limit` in `0..=max`, `after`, `order`), refusing any other
/// parameter by name.
pub fn cursor_query(raw: Option<&str>, max: u32) -> Result<CursorQuery, Failure> {
    let mut pairs = admin_api::query::QueryPairs::parse(raw);
    let query = CursorQuery::take_from(&mut pairs, max)?;
    pairs.deny_unknown()?;
    Ok(query)
}
