//! One page of a cursor-paged upstream list that follows the URL (`after`, `back`), read with
//! the app's one loader ([`Load`]), and [`PagedList`], the frame every resource list shares:
//! the loading line or error, the items, an honest count, and the pager. While the next page
//! loads, the last one stays on screen (dimmed, `aria-busy`), so the layout does not jump; a
//! write calls [`Listing::reload`]. Upstream pages two ways: the older lists continue after
//! their `last_id`, the newer ones (groups, roles, role assignments) after their `next`; a
//! [`Paged`] page says which, so one `Listing` serves both.

use admin_api::{CursorPage, ListPage};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::de::DeserializeOwned;

use super::load::Load;
use super::pager::{CursorTrail, Pager, page_summary};
use crate::api::{self, ClientError};

/// One page of an upstream list, whichever way it pages.
pub trait Paged: DeserializeOwned + Clone + Send + Sync + 'static {
    /// What the list holds.
    type Item: Clone + Send + Sync + 'static;
    /// The items of this page.
    fn items(&self) -> &[Self::Item];
    /// Whether upstream says more follow.
    fn has_more(&self) -> bool;
    /// The `after` of the next page, if upstream gave one.
    fn cursor(&self) -> Option<String>;
}

impl<T: DeserializeOwned + Clone + Send + Sync + 'static> Paged for ListPage<T> {
    type Item = T;
    fn items(&self) -> &[T] {
        &self.data
    }
    fn has_more(&self) -> bool {
        self.has_more
    }
    fn cursor(&self) -> Option<String> {
        self.last_id.clone()
    }
}

impl<T: DeserializeOwned + Clone + Send + Sync + 'static> Paged for CursorPage<T> {
    type Item = T;
    fn items(&self) -> &[T] {
        &self.data
    }
    fn has_more(&self) -> bool {
        self.has_more
    }
    fn cursor(&self) -> Option<String> {
        self.next.clone()
    }
}

/// A list page, where the reader is in the list, and its loading state. `P` is the page's
/// shape: upstream's older `ListPage` unless said otherwise.
#[derive(Debug)]
pub struct Listing<T: Send + Sync + 'static, P: Send + Sync + 'static = ListPage<T>> {
    load: Load<P>,
    /// The page's cursors, from the URL.
    pub trail: Memo<CursorTrail>,
    item: std::marker::PhantomData<fn() -> T>,
}

impl<T: Send + Sync + 'static, P: Send + Sync + 'static> Clone for Listing<T, P> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static, P: Send + Sync + 'static> Copy for Listing<T, P> {}

impl<T, P> Listing<T, P>
where
    T: Clone + Send + Sync + 'static,
    P: Paged<Item = T>,
{
    /// Reads `base()` (a path under `/api/v1`, with any filter query of its own) at the URL's
    /// cursor, now and whenever either changes.
    pub fn new(base: impl Fn() -> String + 'static) -> Self {
        let query = use_query_map();
        let trail = Memo::new(move |_| query.with(CursorTrail::from_query));
        let load = Load::new(move || {
            let base = base();
            let path = match trail.get().after {
                Some(after) => {
                    let join = if base.contains('?') { '&' } else { '?' };
                    format!(
                        "{base}{join}{}",
                        admin_api::query::encode([("after", after)])
                    )
                }
                None => base,
            };
            async move { api::get::<P>(&path).await }
        });
        Self {
            load,
            trail,
            item: std::marker::PhantomData,
        }
    }

    /// Whether a request is under way.
    pub fn loading(&self) -> Signal<bool> {
        self.load.loading.into()
    }

    /// Loads the page again (after a write).
    pub fn reload(&self) {
        self.load.reload();
    }

    /// Whether the first answer is still awaited.
    pub fn first_load(&self) -> Signal<bool> {
        self.load.first_load()
    }

    /// The last answer's error, if it failed.
    pub fn error(&self) -> Signal<Option<ClientError>> {
        self.load.error()
    }

    /// Whether the last answer is a page (not an error, not still awaited).
    pub fn loaded(&self) -> bool {
        self.load.value.with(|p| matches!(p, Some(Ok(_))))
    }

    /// Upstream's `has_more` and the next page's cursor for the loaded page.
    pub fn more(&self) -> (bool, Option<String>) {
        self.load.value.with(|p| match p {
            Some(Ok(page)) => (page.has_more(), page.cursor()),
            _ => (false, None),
        })
    }

    /// The loaded items (empty while loading the first time or after an error).
    pub fn items(&self) -> Vec<T> {
        self.load.value.with(|p| match p {
            Some(Ok(page)) => page.items().to_vec(),
            _ => Vec::new(),
        })
    }
}

/// The frame of every resource list: [`ListingStatus`], then the loaded page drawn by `rows`
/// (a table, or its "none on this page" line), its count ("Page 2: 20 invites; more on the next
/// page.") and the pager.
#[component]
pub fn PagedList<T, P, R, V>(
    /// The list.
    listing: Listing<T, P>,
    /// The path the pager links to, with any filter query the list needs.
    #[prop(into)]
    here: Signal<String>,
    /// What is listed, plural ("members"), for the loading line and the count.
    noun: &'static str,
    /// What the count calls the items, where it differs from `noun` ("models").
    #[prop(optional)]
    count_noun: Option<&'static str>,
    /// Draws the items of the loaded page.
    rows: R,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    P: Paged<Item = T>,
    R: Fn(Vec<T>) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let trail = listing.trail;
    let loading = listing.loading();
    view! {
        <ListingStatus first_load=listing.first_load() error=listing.error() noun=noun/>
        <div class="listing" aria-busy=move || loading.get().to_string()>
            {move || listing.loaded().then(|| {
                let (has_more, last_id) = listing.more();
                let items = listing.items();
                let summary = page_summary(items.len(), count_noun.unwrap_or(noun), &trail.get(), has_more);
                view! {
                    {rows(items)}
                    <p class="count">{summary}</p>
                    <Pager path=here.get() trail=trail.get() last_id=last_id has_more=has_more/>
                }
            })}
        </div>
    }
}

/// Where a listing stands: the loading line the first time, the error, or nothing.
#[component]
pub fn ListingStatus(
    /// Whether the first answer is still awaited.
    #[prop(into)]
    first_load: Signal<bool>,
    /// The error of the last answer.
    #[prop(into)]
    error: Signal<Option<ClientError>>,
    /// What is loading ("projects").
    noun: &'static str,
) -> impl IntoView {
    view! {
        {move || first_load.get().then(|| view! {
            <p class="loading" aria-busy="true"><span class="spinner" aria-hidden="true"></span>{format!("Loading {noun}…")}</p>
        })}
        {move || error.get().map(|error| view! { <super::ErrorNotice error=error/> })}
    }
}
