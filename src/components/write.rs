//! The state of one write (a form or a dialog): pending while it runs, then its error if it
//! failed. A second submit while one is pending is ignored, so a double click or an impatient
//! Enter never sends a change twice.

use std::future::Future;

use leptos::prelude::*;

use crate::api::ClientError;

/// A write's pending flag and last error.
#[derive(Debug, Clone, Copy)]
pub struct Write {
    pub pending: RwSignal<bool>,
    pub error: RwSignal<Option<ClientError>>,
    /// The audit-log view of what the write is about, for when its outcome is unknown (see
    /// [`Write::about`]); `None` points the person at the last hour instead.
    pub audit: RwSignal<Option<String>>,
}

impl Write {
    /// Idle, no error.
    pub fn new() -> Self {
        Self {
            pending: RwSignal::new(false),
            error: RwSignal::new(None),
            audit: RwSignal::new(None),
        }
    }

    /// Says which audit-log view shows what this write changes (an `audit_link`), so that an
    /// unknown outcome links straight to it.
    pub fn about(self, audit_href: String) -> Self {
        self.audit.set(Some(audit_href));
        self
    }

    /// Runs `call` unless one is already pending; `on_ok` gets its answer, an error stays in
    /// [`Write::error`] (the form keeps what the person typed).
    pub fn run<T: 'static>(
        self,
        call: impl Future<Output = Result<T, ClientError>> + 'static,
        on_ok: impl FnOnce(T) + 'static,
    ) {
        if self.pending.get_untracked() {
            return;
        }
        self.pending.set(true);
        self.error.set(None);
        leptos::task::spawn_local(async move {
            let result = call.await;
            self.pending.set(false);
            match result {
                Ok(answer) => on_ok(answer),
                Err(error) => self.error.set(Some(error)),
            }
        });
    }

    /// Shows a check that failed before anything was sent, as upstream would have answered it
    /// (a 400 in its error shape); the form keeps what was typed.
    pub fn refuse(self, error: admin_api::ApiError) {
        self.error
            .set(Some(ClientError::Api { status: 400, error }));
    }

    /// Forgets the last error (a dialog opened afresh).
    pub fn reset(self) {
        self.error.set(None);
    }
}

impl Default for Write {
    fn default() -> Self {
        Self::new()
    }
}

/// A submit button that shows the write's pending state: disabled, busy, with a spinner.
#[component]
pub fn SubmitButton(
    /// The write it starts.
    write: Write,
    /// Its label.
    #[prop(into)]
    label: String,
    /// Its label while the write runs.
    #[prop(into)]
    pending_label: String,
    /// `primary` or `danger`.
    #[prop(default = "primary")]
    class: &'static str,
    /// Further reasons to disable it.
    #[prop(into, optional)]
    disabled: Option<Signal<bool>>,
) -> impl IntoView {
    let pending = write.pending;
    let off = move || pending.get() || disabled.is_some_and(|d| d.get());
    view! {
        <button type="submit" class=class disabled=off aria-busy=move || pending.get().to_string()>
            {move || if pending.get() {
                view! { <span class="spinner" aria-hidden="true"></span>{pending_label.clone()} }.into_any()
            } else {
                view! { {label.clone()} }.into_any()
            }}
        </button>
    }
}
