//! Honest placeholders: pages that are not built yet say so, and unknown paths say so too.

use leptos::prelude::*;
use leptos_router::components::A;

/// A resource page that is planned but not built yet.
#[component]
pub fn NotBuilt(
    /// The page's title.
    title: &'static str,
) -> impl IntoView {
    view! {
        <section>
            <h1>{title}</h1>
            <p class="notice">"This page is not built yet. Gatehouse does not manage this resource so far."</p>
        </section>
    }
}

/// Any path the app does not have.
#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section>
            <h1>"Page not found"</h1>
            <p>"There is no such page. " <A href="/users">"Go to Users"</A></p>
        </section>
    }
}
