//! A confirmation dialog for writes that deserve a second look: it states the consequences,
//! can ask the person to type a name first, shows the pending state, and keeps upstream's error
//! on screen if the write fails.

use leptos::prelude::*;

use super::{FormError, Modal, SubmitButton, Write};

/// Asks before a write.
#[component]
pub fn ConfirmDialog(
    /// The dialog's title.
    #[prop(into)]
    title: String,
    /// What will happen, in a sentence.
    #[prop(into)]
    message: String,
    /// What follows from it (shown as a hint), if anything.
    #[prop(into, optional)]
    consequence: Option<String>,
    /// A name the person types to confirm, for what cannot be undone.
    #[prop(into, optional)]
    type_to_confirm: Option<String>,
    /// The confirm button's label, and its label while pending.
    #[prop(into)]
    confirm_label: String,
    #[prop(into)] pending_label: String,
    /// `danger` (the default) or `primary`.
    #[prop(default = "danger")]
    class: &'static str,
    /// The write's state.
    write: Write,
    /// Starts the write.
    on_confirm: Callback<()>,
    /// Closes the dialog.
    on_close: Callback<()>,
) -> impl IntoView {
    let typed = RwSignal::new(String::new());
    let expected = type_to_confirm.clone();
    let matches = Signal::derive(move || {
        expected
            .as_ref()
            .is_none_or(|e| typed.with(|t| t.trim() == e.trim()))
    });
    let submit = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        if matches.get_untracked() {
            on_confirm.run(());
        }
    };
    let cancel = move |_| on_close.run(());
    let error = write.error;
    view! {
        <Modal title=title on_close=on_close>
            <form on:submit=submit>
                <p>{message}</p>
                {consequence.map(|c| view! { <p class="hint">{c}</p> })}
                {type_to_confirm.map(|name| view! {
                    <label for="confirm-name">{format!("Type {name} to confirm")}</label>
                    <input id="confirm-name" autocomplete="off" prop:value=typed
                        on:input=move |e| typed.set(event_target_value(&e))/>
                })}
                <FormError error=error audit=write.audit/>
                <div class="buttons">
                    <button type="button" on:click=cancel>"Cancel"</button>
                    <SubmitButton write=write label=confirm_label pending_label=pending_label class=class
                        disabled=Signal::derive(move || !matches.get())/>
                </div>
            </form>
        </Modal>
    }
}

/// Asks for one line of text (a new name), prefilled, validated by `check` before the write.
#[component]
pub fn TextDialog(
    /// The dialog's title.
    #[prop(into)]
    title: String,
    /// The field's label.
    #[prop(into)]
    label: String,
    /// The starting text.
    #[prop(into)]
    initial: String,
    /// The save button's label, and its label while pending.
    #[prop(into)]
    save_label: String,
    #[prop(into)] pending_label: String,
    /// The write's state (its error shows here; the text stays as typed).
    write: Write,
    /// Starts the write with the text.
    on_save: Callback<String>,
    /// Closes the dialog.
    on_close: Callback<()>,
) -> impl IntoView {
    let text = RwSignal::new(initial);
    let submit = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        on_save.run(text.get_untracked().trim().to_owned());
    };
    let cancel = move |_| on_close.run(());
    let error = write.error;
    view! {
        <Modal title=title on_close=on_close>
            <form on:submit=submit>
                <label for="dialog-text">{label}</label>
                <input id="dialog-text" autocomplete="off" prop:value=text on:input=move |e| text.set(event_target_value(&e))/>
                <FormError error=error audit=write.audit/>
                <div class="buttons">
                    <button type="button" on:click=cancel>"Cancel"</button>
                    <SubmitButton write=write label=save_label pending_label=pending_label/>
                </div>
            </form>
        </Modal>
    }
}
