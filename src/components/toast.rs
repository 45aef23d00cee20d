//! Toasts: short confirmations after a write, announced politely, each with a link to the audit
//! events it caused.

use leptos::prelude::*;
use leptos_router::components::A;

/// One confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    pub message: String,
    /// Where "View in audit log" leads.
    pub audit_link: Option<String>,
}

/// The toast queue, provided as context by the shell.
#[derive(Debug, Clone, Copy)]
pub struct Toasts(RwSignal<Vec<(usize, Toast)>>);

impl Toasts {
    /// An empty queue.
    pub fn new() -> Self {
        Self(RwSignal::new(Vec::new()))
    }

    /// Shows a toast.
    pub fn push(&self, toast: Toast) {
        self.0.update(|list| {
            let id = list.last().map_or(0, |(id, _)| id + 1);
            list.push((id, toast));
            // Keep the region short: only the three newest stay.
            let excess = list.len().saturating_sub(3);
            list.drain(..excess);
        });
    }

    fn dismiss(&self, id: usize) {
        self.0.update(|list| list.retain(|(i, _)| *i != id));
    }
}

impl Default for Toasts {
    fn default() -> Self {
        Self::new()
    }
}

/// Where toasts appear; a live region so screen readers announce them.
#[component]
pub fn ToastRegion() -> impl IntoView {
    let toasts = expect_context::<Toasts>();
    view! {
        <div class="toasts" role="status" aria-live="polite">
            <For each=move || toasts.0.get() key=|(id, _)| *id let:item>
                {
                    let (id, toast) = item;
                    let dismiss = move |_| toasts.dismiss(id);
                    view! {
                        <div class="toast">
                            <span>{toast.message}</span>
                            {toast.audit_link.map(|href| view! { <A href=href>"View in audit log"</A> })}
                            <button type="button" class="link" aria-label="Dismiss" on:click=dismiss>"×"</button>
                        </div>
                    }
                }
            </For>
        </div>
    }
}
