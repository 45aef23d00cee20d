//! The app's one way to read: [`Load`] runs a request now and again whenever what it reads
//! changes (or on [`Load::reload`]), keeps only the answer to the latest request, aborts the
//! superseded one, and keeps the last answer on screen while the next loads.
//!
//! Written here rather than taken from Leptos's `LocalResource`: pages need the previous answer
//! while a reload runs (a list dims instead of jumping), an explicit reload after a write, and a
//! request that is aborted (not just ignored) when a newer one starts or the page goes away,
//! which the client's `AbortController` does when the task's scope is cleaned up.

use std::future::Future;

use leptos::prelude::*;

use crate::api::ClientError;

/// A value read from the BFF and its loading state.
#[derive(Debug)]
pub struct Load<T: Send + Sync + 'static> {
    /// The latest answer; `None` before the first one.
    pub value: RwSignal<Option<Result<T, ClientError>>>,
    /// Whether a request is under way (the first or a reload).
    pub loading: RwSignal<bool>,
    version: RwSignal<u32>,
}

impl<T: Send + Sync + 'static> Clone for Load<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Load<T> {}

impl<T: Clone + Send + Sync + 'static> Load<T> {
    /// Runs `fetch()` now and whenever a signal it reads (before its first `.await`) changes.
    pub fn new<F>(fetch: impl Fn() -> F + 'static) -> Self
    where
        F: Future<Output = Result<T, ClientError>> + 'static,
    {
        let value = RwSignal::new(None);
        let loading = RwSignal::new(true);
        let version = RwSignal::new(0_u32);
        // Only the answer to the latest request is kept.
        let latest = StoredValue::new(0_u32);
        Effect::new(move |_| {
            version.track();
            let request = fetch();
            let ticket = latest.get_value().wrapping_add(1);
            latest.set_value(ticket);
            loading.set(true);
            // Scoped and cancelled with the effect: a newer request, or leaving the page, aborts
            // this one; and an answer never lands in a page that is gone.
            leptos::task::spawn_local_scoped_with_cancellation(async move {
                let answer = request.await;
                if latest.try_get_value() == Some(ticket) {
                    value.try_set(Some(answer));
                    loading.try_set(false);
                }
            });
        });
        Self {
            value,
            loading,
            version,
        }
    }

    /// Reads again (after a write).
    pub fn reload(&self) {
        self.version.update(|v| *v = v.wrapping_add(1));
    }

    /// Whether the first answer is still awaited.
    pub fn first_load(&self) -> Signal<bool> {
        let value = self.value;
        Signal::derive(move || value.with(Option::is_none))
    }

    /// The last answer's error, if it failed.
    pub fn error(&self) -> Signal<Option<ClientError>> {
        let value = self.value;
        Signal::derive(move || value.with(|v| v.as_ref().and_then(|r| r.as_ref().err().cloned())))
    }

    /// The last answer, if it succeeded.
    pub fn ok(&self) -> Option<T> {
        self.value
            .with(|v| v.as_ref().and_then(|r| r.as_ref().ok().cloned()))
    }
}
