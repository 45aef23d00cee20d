//! The controls above the timeline: the filter form (applying it rewrites the URL), the chips of
//! the filters in force, and the UTC / local time-zone toggle.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use super::filters::{Filters, RANGES, from_input, to_input};
use super::pickers::{ProjectPicker, TypePicker};
use crate::format::{Zone, ZoneChoice, zone_name};

/// The filter form; applying it rewrites the URL, and "Clear filters" is one click.
#[component]
pub(super) fn FilterForm(
    /// The filters in the URL.
    filters: Memo<Filters>,
    /// The organization's users, for actor suggestions.
    users: Signal<Option<Vec<admin_api::users::User>>>,
    /// Whether the archive (and so full-text search) is on.
    #[prop(into)]
    archive: Signal<bool>,
) -> impl IntoView {
    let emails = Signal::derive(move || {
        users.get().map(|list| {
            let mut emails: Vec<String> = list.into_iter().filter_map(|u| u.email).collect();
            emails.sort();
            emails
        })
    });
    let all_projects = crate::pages::lookups::projects();
    let projects = Signal::derive(move || {
        all_projects.get().map(|list| {
            list.into_iter()
                .map(|p| (p.id.clone(), p.name.unwrap_or(p.id)))
                .collect::<Vec<_>>()
        })
    });
    let current = filters.get_untracked();
    let event_types = RwSignal::new(current.event_types.clone());
    let resource_id = RwSignal::new(current.resource_id.unwrap_or_default());
    let actor = RwSignal::new(current.actor.unwrap_or_default());
    let project_ids = RwSignal::new(current.project_ids.clone());
    let range = RwSignal::new(current.range.unwrap_or_default());
    let q = RwSignal::new(current.q.unwrap_or_default());
    let zone = expect_context::<ZoneChoice>();
    let from = RwSignal::new(
        current
            .from
            .map(|t| to_input(t, zone.current()))
            .unwrap_or_default(),
    );
    let to = RwSignal::new(
        current
            .to
            .map(|t| to_input(t, zone.current()))
            .unwrap_or_default(),
    );
    // The URL is the truth: a link, Back or "Clear filters" changes it, and the form follows.
    Effect::new(move |_| {
        let current = filters.get();
        event_types.set(current.event_types.clone());
        resource_id.set(current.resource_id.clone().unwrap_or_default());
        actor.set(current.actor.clone().unwrap_or_default());
        project_ids.set(current.project_ids.clone());
        range.set(current.range.clone().unwrap_or_default());
        q.set(current.q.clone().unwrap_or_default());
        let zone = zone.current();
        from.set(current.from.map(|t| to_input(t, zone)).unwrap_or_default());
        to.set(current.to.map(|t| to_input(t, zone)).unwrap_or_default());
    });
    let navigate = use_navigate();
    let apply = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        let some = |s: RwSignal<String>| {
            Some(s.get_untracked().trim().to_owned()).filter(|v| !v.is_empty())
        };
        let next = Filters {
            event_types: event_types.get_untracked(),
            resource_id: some(resource_id),
            actor: some(actor),
            project_ids: project_ids.get_untracked(),
            range: some(range),
            from: from_input(&from.get_untracked(), zone.current()),
            // The field shows minutes; "to" means the end of that minute (a range chosen on
            // the chart ends at :59 seconds and must not shrink when the form is applied).
            to: from_input(&to.get_untracked(), zone.current()).map(|t| t + 59),
            q: some(q),
        };
        navigate(&next.to_href(), Default::default());
    };
    view! {
        <form class="filters audit-filters" on:submit=apply>
            <Show when=move || archive.get()>
                <div class="search-field">
                    <label for="filter-q">"Search events"</label>
                    <input id="filter-q" type="search" placeholder="email, IP, id, user agent, name…" prop:value=q
                        on:input=move |e| q.set(event_target_value(&e))/>
                </div>
            </Show>
            <div>
                <label for="filter-range">"Time"</label>
                <select id="filter-range" prop:value=range on:change=move |e| range.set(event_target_value(&e))>
                    <option value="">"Any time"</option>
                    {RANGES.iter().map(|(value, label, _)| view! { <option value=*value>{*label}</option> }).collect_view()}
                    <option value="custom">"Custom range…"</option>
                </select>
            </div>
            <Show when=move || range.get() == "custom">
                <div>
                    <label for="filter-from">{move || format!("From ({})", zone_name(zone.0.get()))}</label>
                    <input id="filter-from" type="datetime-local" prop:value=from on:input=move |e| from.set(event_target_value(&e))/>
                </div>
                <div>
                    <label for="filter-to">{move || format!("To ({})", zone_name(zone.0.get()))}</label>
                    <input id="filter-to" type="datetime-local" prop:value=to on:input=move |e| to.set(event_target_value(&e))/>
                </div>
            </Show>
            <div>
                <span class="label" id="filter-type-label">"Event types"</span>
                <TypePicker selected=event_types/>
            </div>
            <div>
                <label for="filter-actor">"Actor (email or id)"</label>
                <input id="filter-actor" list="actor-suggestions" autocomplete="off" placeholder="or a portal user" prop:value=actor
                    on:input=move |e| actor.set(event_target_value(&e))/>
                <datalist id="actor-suggestions">
                    {move || emails.get().unwrap_or_default().into_iter().map(|email| view! { <option value=email/> }).collect_view()}
                </datalist>
            </div>
            <div>
                <span class="label" id="filter-project-label">"Projects"</span>
                <ProjectPicker projects=projects selected=project_ids/>
            </div>
            <div>
                <label for="filter-resource">"Resource id"</label>
                <input id="filter-resource" prop:value=resource_id on:input=move |e| resource_id.set(event_target_value(&e))/>
            </div>
            <div class="filter-buttons">
                <button type="submit" class="primary">"Apply"</button>
                <Show when=move || !filters.get().is_empty()>
                    <A href="/audit-log">"Clear filters"</A>
                </Show>
            </div>
        </form>
    }
}

/// The filters in force, each with a one-click link that drops just that one.
#[component]
pub(super) fn ActiveFilters(
    /// The filters in the URL.
    filters: Memo<Filters>,
) -> impl IntoView {
    let chips = move || {
        let f = filters.get();
        let mut chips: Vec<(String, Filters)> = Vec::new();
        for (i, t) in f.event_types.iter().enumerate() {
            let mut without = f.clone();
            without.event_types.remove(i);
            chips.push((format!("Type: {t}"), without));
        }
        if let Some(q) = &f.q {
            chips.push((
                format!("Search: {q}"),
                Filters {
                    q: None,
                    ..f.clone()
                },
            ));
        }
        if let Some(actor) = &f.actor {
            chips.push((
                format!("Actor: {actor}"),
                Filters {
                    actor: None,
                    ..f.clone()
                },
            ));
        }
        for (i, p) in f.project_ids.iter().enumerate() {
            let mut without = f.clone();
            without.project_ids.remove(i);
            chips.push((format!("Project: {p}"), without));
        }
        if let Some(id) = &f.resource_id {
            chips.push((
                format!("Resource: {id}"),
                Filters {
                    resource_id: None,
                    ..f.clone()
                },
            ));
        }
        if let Some(range) = &f.range {
            let label = RANGES
                .iter()
                .find(|(v, _, _)| v == range)
                .map_or_else(|| "Custom range".to_owned(), |(_, l, _)| (*l).to_owned());
            chips.push((
                format!("Time: {label}"),
                Filters {
                    range: None,
                    from: None,
                    to: None,
                    ..f.clone()
                },
            ));
        }
        chips
    };
    view! {
        <Show when=move || !filters.get().is_empty()>
            <ul class="active-filters" aria-label="Filters in force">
                {move || chips().into_iter().map(|(label, without)| view! {
                    <li class="chip">
                        {label.clone()}
                        " "
                        <A href=without.to_href() attr:aria-label=format!("Remove filter {label}")>"×"</A>
                    </li>
                }).collect_view()}
            </ul>
        </Show>
    }
}

/// Shows times in UTC or in the browser's zone; the choice is kept in this browser.
#[component]
pub(super) fn ZoneToggle() -> impl IntoView {
    let choice = expect_context::<ZoneChoice>();
    let local = zone_name(Zone::Local);
    let pressed = move |zone: Zone| (choice.0.get() == zone).to_string();
    view! {
        <div class="zone-toggle" role="group" aria-label="Time zone">
            <button type="button" aria-pressed=move || pressed(Zone::Utc) on:click=move |_| choice.set(Zone::Utc)>"UTC"</button>
            <button type="button" aria-pressed=move || pressed(Zone::Local) on:click=move |_| choice.set(Zone::Local)>
                {format!("Local ({local})")}
            </button>
        </div>
    }
}
