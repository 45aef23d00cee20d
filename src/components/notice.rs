//! How errors are shown: in the upstream's words, announced to screen readers.

use leptos::prelude::*;

use crate::api::ClientError;

/// A page-level error, such as a list that failed to load.
#[component]
pub fn ErrorNotice(
    /// The error to show.
    error: ClientError,
) -> impl IntoView {
    let hint = match error.status() {
        Some(401) => "Your session has ended. Sign in again.",
        Some(403) => "Your role does not allow this.",
        Some(429) => "OpenAI is rate limiting the portal. Wait a moment and retry.",
        Some(502..=504) => "OpenAI could not be used just now. Retry in a moment.",
        _ => "",
    };
    view! {
        <div class="notice error" role="alert">
            <p>{error.to_string()}</p>
            <Show when=move || !hint.is_empty()>
                <p class="hint">{hint}</p>
            </Show>
        </div>
    }
}

/// The error of a failed write, shown inside its form.
#[component]
pub fn FormError(
    /// The latest error, if any.
    #[prop(into)]
    error: Signal<Option<ClientError>>,
) -> impl IntoView {
    view! {
        <Show when=move || error.get().is_some()>
            <p class="form-error" role="alert">
                {move || error.get().map(|e| e.to_string()).unwrap_or_default()}
            </p>
        </Show>
    }
}
