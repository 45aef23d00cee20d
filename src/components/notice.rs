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

/// Where to look for a write whose outcome is unknown, when nothing more precise is known.
pub const RECENT_AUDIT_LOG: &str = "/audit-log?range=1h";

/// The error of a failed write, shown inside its form. A write that was sent but never
/// answered (`outcome_unknown`) may have been made, so it links the audit log to check first.
#[component]
pub fn FormError(
    /// The latest error, if any.
    #[prop(into)]
    error: Signal<Option<ClientError>>,
    /// The audit-log view of what the write changes (see `Write::audit`).
    #[prop(into, optional)]
    audit: Option<Signal<Option<String>>>,
) -> impl IntoView {
    let unknown = move || {
        error.with(|e| {
            matches!(e, Some(ClientError::Api { error, .. }) if error.code.as_deref() == Some("outcome_unknown"))
        })
    };
    let href = move || {
        audit
            .and_then(|a| a.get())
            .unwrap_or_else(|| RECENT_AUDIT_LOG.to_owned())
    };
    view! {
        <Show when=move || error.get().is_some()>
            <p class="form-error" role="alert">
                {move || error.get().map(|e| e.to_string()).unwrap_or_default()}
                <Show when=unknown>
                    " "<a href=href>"Check the audit log"</a>
                </Show>
            </p>
        </Show>
    }
}
