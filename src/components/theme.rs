//! Light or dark: follows the system unless the person picks one, and the pick is kept in this
//! browser (local storage holds only "light" or "dark").

use leptos::prelude::*;

const KEY: &str = "gatehouse-theme";

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

/// Puts `theme` ("light", "dark" or "" for the system's) on `<html data-theme>`.
fn apply(theme: &str) {
    if let Some(root) = document().document_element() {
        let _ = if theme.is_empty() {
            root.remove_attribute("data-theme")
        } else {
            root.set_attribute("data-theme", theme)
        };
    }
}

/// The stored choice ("" when none), applied to the page.
pub fn restore() -> String {
    let theme = storage()
        .and_then(|s| s.get_item(KEY).ok().flatten())
        .filter(|t| t == "light" || t == "dark")
        .unwrap_or_default();
    apply(&theme);
    theme
}

/// The theme picker in the top bar.
#[component]
pub fn ThemePicker() -> impl IntoView {
    let theme = RwSignal::new(restore());
    let change = move |e: web_sys::Event| {
        let value = event_target_value(&e);
        apply(&value);
        if let Some(s) = storage() {
            let _ = if value.is_empty() {
                s.remove_item(KEY)
            } else {
                s.set_item(KEY, &value)
            };
        }
        theme.set(value);
    };
    view! {
        <div class="theme">
            <select aria-label="Colour theme" prop:value=theme on:change=change>
                <option value="">"System theme"</option>
                <option value="light">"Light"</option>
                <option value="dark">"Dark"</option>
            </select>
        </div>
    }
}
