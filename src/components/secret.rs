//! The one-time secret: a new key's value, shown exactly once. It cannot be dismissed (not by
//! Esc either) until the person confirms they have copied it. The value lives only in this
//! dialog's DOM and closures and in the parent's one signal, which the parent clears on close;
//! it is never put in the URL, in storage or in a log.

use leptos::prelude::*;

use super::Modal;

/// The one place a new secret waits to be shown: provided by the shell, above the pages, so a
/// key created just as the person leaves its page is still shown (and not lost). Closing the
/// dialog empties it.
#[derive(Debug, Clone, Copy)]
pub struct SecretSlot(pub RwSignal<Option<Secret>>);

impl SecretSlot {
    /// An empty slot.
    pub fn new() -> Self {
        Self(RwSignal::new(None))
    }

    /// Shows `secret` once.
    pub fn show(&self, secret: Secret) {
        self.0.set(Some(secret));
    }
}

impl Default for SecretSlot {
    fn default() -> Self {
        Self::new()
    }
}

/// Where the slot's secret is shown, in the shell.
#[component]
pub fn SecretRegion() -> impl IntoView {
    let slot = expect_context::<SecretSlot>();
    view! {
        {move || slot.0.get().map(|s| view! {
            <SecretDialog secret=s on_done=Callback::new(move |()| slot.0.set(None))/>
        })}
    }
}

/// A secret to show once.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret {
    /// What it is, e.g. "API key of service account ci-bot".
    pub what: String,
    /// The value.
    pub value: String,
}

// Written by hand so that a stray `{:?}` can never print the value.
impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secret")
            .field("what", &self.what)
            .finish_non_exhaustive()
    }
}

/// Shows `secret` once; `on_done` runs only after "I have copied it" is confirmed.
#[component]
pub fn SecretDialog(
    /// The secret.
    secret: Secret,
    /// Closes the dialog; the caller drops the secret.
    on_done: Callback<()>,
) -> impl IntoView {
    let confirmed = RwSignal::new(false);
    let copied = RwSignal::new(false);
    let nudged = RwSignal::new(false);
    let Secret { what, value } = secret;
    let to_copy = value.clone();
    let copy = move |_| {
        let _ = window().navigator().clipboard().write_text(&to_copy);
        copied.set(true);
    };
    let attempt_close = Callback::new(move |()| {
        if confirmed.get_untracked() {
            on_done.run(());
        } else {
            nudged.set(true);
        }
    });
    let done = move |_| attempt_close.run(());
    let select_all = move |event: web_sys::FocusEvent| {
        if let Some(input) = event
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(t).ok())
        {
            input.select();
        }
    };
    view! {
        <Modal title="Copy the secret now" on_close=attempt_close>
            <p>"This is the only time the value is shown. Gatehouse does not keep it, and OpenAI will only ever show it redacted."</p>
            <label for="secret-value">{what}</label>
            <div class="secret-row">
                <input id="secret-value" class="secret" readonly=true prop:value=value on:focus=select_all/>
                <button type="button" on:click=copy>"Copy"</button>
            </div>
            <p role="status" class="hint">{move || if copied.get() { "Copied to the clipboard." } else { "" }}</p>
            <label class="check">
                <input type="checkbox" prop:checked=confirmed on:change=move |e| {
                    confirmed.set(event_target_checked(&e));
                    nudged.set(false);
                }/>
                "I have copied it"
            </label>
            <Show when=move || nudged.get()>
                <p class="form-error" role="alert">"Confirm that you have copied the value first: it cannot be shown again."</p>
            </Show>
            <div class="buttons">
                <button type="button" class="primary" disabled=move || !confirmed.get() on:click=done>"Done"</button>
            </div>
        </Modal>
    }
}
