//! The filter form's two multi-selects: every event type grouped by family (searchable), and the
//! organization's projects by name.

use admin_api::audit_sentences::{KNOWN_TYPES, family};
use leptos::prelude::*;

/// A searchable multi-select of every event type, grouped by family.
#[component]
pub fn TypePicker(
    /// The chosen types.
    selected: RwSignal<Vec<String>>,
) -> impl IntoView {
    let search = RwSignal::new(String::new());
    let mut families: Vec<&'static str> = Vec::new();
    for t in KNOWN_TYPES {
        if !families.contains(&family(t)) {
            families.push(family(t));
        }
    }
    let summary = move || match selected.with(Vec::len) {
        0 => "All types".to_owned(),
        1 => selected.with(|s| s[0].clone()),
        n => format!("{n} types"),
    };
    let visible = move |t: &str| search.with(|q| q.trim().is_empty() || t.contains(q.trim()));
    view! {
        <details class="type-picker">
            <summary aria-describedby="filter-type-label">{summary}</summary>
            <div class="picker-body">
                <input type="search" placeholder="Search types" aria-label="Search event types"
                    prop:value=search on:input=move |e| search.set(event_target_value(&e))/>
                <button type="button" class="link" on:click=move |_| selected.set(Vec::new())>"Clear"</button>
                {families.into_iter().map(|f| {
                    let types: Vec<&'static str> = KNOWN_TYPES.iter().copied().filter(|t| family(t) == f).collect();
                    let any_visible = move || types.iter().any(|t| visible(t));
                    view! {
                        <fieldset class="family" class:hidden=move || !any_visible()>
                            <legend>{f}</legend>
                            {KNOWN_TYPES.iter().copied().filter(|t| family(t) == f).map(|t| {
                                let toggle = move |_| selected.update(|s| {
                                    if let Some(i) = s.iter().position(|x| x == t) { s.remove(i); } else { s.push(t.to_owned()); }
                                });
                                view! {
                                    <label class="check" class:hidden=move || !visible(t)>
                                        <input type="checkbox" prop:checked=move || selected.with(|s| s.iter().any(|x| x == t)) on:change=toggle/>
                                        {t}
                                    </label>
                                }
                            }).collect_view()}
                        </fieldset>
                    }
                }).collect_view()}
            </div>
        </details>
    }
}

/// A multi-select of the organization's projects by name (archived ones too: their events stay).
#[component]
pub(super) fn ProjectPicker(
    /// The projects as (id, name).
    projects: Signal<Option<Vec<(String, String)>>>,
    /// The chosen project ids.
    selected: RwSignal<Vec<String>>,
) -> impl IntoView {
    let summary = move || match selected.with(Vec::len) {
        0 => "All projects".to_owned(),
        1 => {
            let id = selected.with(|s| s[0].clone());
            projects
                .get()
                .unwrap_or_default()
                .into_iter()
                .find(|(p, _)| *p == id)
                .map_or(id, |(_, name)| name)
        }
        n => format!("{n} projects"),
    };
    view! {
        <details class="type-picker project-picker">
            <summary aria-describedby="filter-project-label">{summary}</summary>
            <div class="picker-body">
                <button type="button" class="link" on:click=move |_| selected.set(Vec::new())>"Clear"</button>
                {move || match projects.get() {
                    None => view! { <p class="loading">"Loading projects…"</p> }.into_any(),
                    Some(list) => list.into_iter().map(|(id, name)| {
                        let value = id.clone();
                        let toggle = move |_| selected.update(|s| {
                            if let Some(i) = s.iter().position(|x| *x == value) { s.remove(i); } else { s.push(value.clone()); }
                        });
                        let checked = move || selected.with(|s| s.contains(&id));
                        view! {
                            <label class="check">
                                <input type="checkbox" prop:checked=checked on:change=toggle/>
                                {name}
                            </label>
                        }
                    }).collect_view().into_any(),
                }}
            </div>
        </details>
    }
}
