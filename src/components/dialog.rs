//! A modal dialog on the native `<dialog>` element: `showModal()` makes the rest of the page
//! inert, so focus stays inside; Esc closes it; focus returns to where it was when it closes.

use std::sync::atomic::{AtomicUsize, Ordering};

use leptos::html;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::JsCast;

static NEXT_ID: AtomicUsize = AtomicUsize::new(0);

/// A modal dialog, open while it is mounted.
#[component]
pub fn Modal(
    /// The heading, which also names the dialog for assistive technology.
    #[prop(into)]
    title: String,
    /// Called when the person dismisses the dialog with Esc.
    on_close: Callback<()>,
    /// The dialog's body and buttons.
    children: Children,
) -> impl IntoView {
    let node = NodeRef::<html::Dialog>::new();
    let title_id = format!("dialog-title-{}", NEXT_ID.fetch_add(1, Ordering::Relaxed));
    let opener = SendWrapper::new(
        document()
            .active_element()
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()),
    );
    Effect::new(move |_| {
        if let Some(dialog) = node.get()
            && !dialog.open()
        {
            let _ = dialog.show_modal();
        }
    });
    on_cleanup(move || {
        if let Some(opener) = opener.take() {
            let _ = opener.focus();
        }
    });
    let dismiss = move |event: web_sys::Event| {
        event.prevent_default();
        on_close.run(());
    };
    let labelled_by = title_id.clone();
    view! {
        <dialog node_ref=node class="modal" aria-labelledby=labelled_by on:cancel=dismiss>
            <h2 id=title_id>{title}</h2>
            {children()}
        </dialog>
    }
}
