//! Unknown paths say so.

use leptos::prelude::*;
use leptos_router::components::A;

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
