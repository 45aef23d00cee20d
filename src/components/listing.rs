//! One page of a cursor-paged upstream list, loaded from a path that follows the URL. While the
//! next page loads, the last one stays on screen (dimmed, `aria-busy`), so the layout does not
//! jump; a write bumps [`Listing::reload`].

use admin_api::ListPage;
use leptos::prelude::*;
use serde::de::DeserializeOwned;

use crate::api::{self, ClientError};

/// A list page and its loading state.
#[derive(Debug)]
pub struct Listing<T: Send + Sync + 'static> {
    /// The latest answer; `None` before the first one.
    pub page: RwSignal<Option<Result<ListPage<T>, ClientError>>>,
    pub loading: RwSignal<bool>,
    version: RwSignal<u32>,
}

impl<T: Send + Sync + 'static> Clone for Listing<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Listing<T> {}

impl<T: DeserializeOwned + Clone + Send + Sync + 'static> Listing<T> {
    /// Loads `path()` (under `/api/v1`, with its query) now and whenever what it reads changes.
    pub fn new(path: impl Fn() -> String + 'static) -> Self {
        let page = RwSignal::new(None);
        let loading = RwSignal::new(true);
        let version = RwSignal::new(0_u32);
        // Only the answer to the latest request is kept.
        let latest = StoredValue::new(0_u32);
        Effect::new(move |_| {
            version.track();
            let path = path();
            let ticket = latest.get_value().wrapping_add(1);
            latest.set_value(ticket);
            loading.set(true);
            // Scoped and cancelled with the effect: a newer path, or leaving the page, aborts
            // this request; and an answer never lands in a page that is gone.
            leptos::task::spawn_local_scoped_with_cancellation(async move {
                let answer = api::get::<ListPage<T>>(&path).await;
                if latest.try_get_value() == Some(ticket) {
                    page.set(Some(answer));
                    loading.set(false);
                }
            });
        });
        Self {
            page,
            loading,
            version,
        }
    }

    /// Loads the page again (after a write).
    pub fn reload(&self) {
        self.version.update(|v| *v = v.wrapping_add(1));
    }

    /// Whether the first answer is still awaited.
    pub fn first_load(&self) -> Signal<bool> {
        let page = self.page;
        Signal::derive(move || page.with(Option::is_none))
    }

    /// The last answer's error, if it failed.
    pub fn error(&self) -> Signal<Option<ClientError>> {
        let page = self.page;
        Signal::derive(move || page.with(|p| p.as_ref().and_then(|r| r.as_ref().err().cloned())))
    }

    /// Upstream's `has_more` and `last_id` for the loaded page.
    pub fn more(&self) -> (bool, Option<String>) {
        self.page.with(|p| match p {
            Some(Ok(page)) => (page.has_more, page.last_id.clone()),
            _ => (false, None),
        })
    }

    /// The loaded items (empty while loading the first time or after an error).
    pub fn items(&self) -> Vec<T> {
        self.page.with(|p| match p {
            Some(Ok(page)) => page.data.clone(),
            _ => Vec::new(),
        })
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
