//! The audit-log page: upstream's events newest first, grouped by day, each as one plain
//! sentence with chips for the actor, project and time, every filter in the URL so a link
//! reproduces the view. Its parts live beside it, one concept a module.

mod chart;
mod event;
mod export;
mod filter_form;
mod filters;
mod live_tail;
mod pickers;
mod timeline;

use std::collections::HashMap;

use admin_api::audit_logs::AuditLog;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

pub use chart::{ActivityChart, HistogramChart, bucket_for, coverage_line};
pub use event::{AuditEventPage, EventBody};
pub use pickers::TypePicker;
pub use timeline::{DAY_ROW, EVENT_ROW, Timeline};

use self::export::ExportLinks;
use self::filter_form::{ActiveFilters, FilterForm, ZoneToggle};
use self::filters::{Filters, RANGES};
use self::live_tail::live_tail;
use crate::api;
use crate::components::ErrorNotice;
use crate::format::ZoneChoice;

/// Where the list stands.
#[derive(Debug, Clone, PartialEq)]
enum Status {
    /// The first page of these filters is on its way.
    Loading,
    /// Loaded; `next` is the cursor of the next (older) page, if upstream has more.
    Ready { next: Option<String> },
    /// Older events are on their way.
    LoadingOlder,
    /// The first page failed.
    Failed(api::ClientError),
    /// An older page failed; what is loaded stays, and the reader can try again.
    OlderFailed {
        next: String,
        error: api::ClientError,
    },
}

/// The audit-log page.
#[component]
pub fn AuditLogPage() -> impl IntoView {
    let query = use_query_map();
    let filters = Memo::new(move |_| query.with(Filters::from_query));
    let zone = expect_context::<ZoneChoice>();
    let events = RwSignal::new(Vec::<AuditLog>::new());
    // Who made the loaded events through the portal, as the BFF joined them to its journal.
    let attributions = RwSignal::new(api::Attributions::new());
    let status = RwSignal::new(Status::Loading);
    let reload = RwSignal::new(0_u32);
    // Whether the BFF's archive is on (search, the chart): `None` until the first load has
    // asked. Each load asks again, since the archive's coverage decides where it reads.
    let archive = RwSignal::new(None::<bool>);
    let coverage = RwSignal::new(None::<api::Coverage>);
    // While the archive's first copy is made, its progress line moves on its own.
    if let Ok(handle) = set_interval_with_handle(
        move || {
            let copying = archive.get_untracked() == Some(true)
                && coverage.with_untracked(|c| c.as_ref().is_some_and(|c| !c.backfill.complete));
            if copying {
                leptos::task::spawn_local(async move {
                    if let Ok(now) = api::archive_status().await {
                        coverage.try_set(Some(now.coverage));
                    }
                });
            }
        },
        std::time::Duration::from_secs(5),
    ) {
        on_cleanup(move || handle.clear());
    }
    // The one reader that appends pages (infinite scroll), so it keeps its own state rather
    // than `Load`'s single answer. Each load belongs to one filter set; an answer for an older
    // one is dropped (an older page asked before a filter change, too).
    let generation = StoredValue::new(0_u32);
    // Whether the loaded list came from the archive (older pages and the tail ask the same).
    let source = StoredValue::new(false);
    Effect::new(move |_| {
        reload.track();
        let filters = filters.get();
        let current = generation.get_value().wrapping_add(1);
        generation.set_value(current);
        status.set(Status::Loading);
        // Scoped to the effect: a newer filter set, or leaving the page, aborts this request.
        leptos::task::spawn_local_scoped_with_cancellation(async move {
            // Until the archive's first copy is complete, the timeline reads upstream, which
            // has everything; a search can only be answered by the archive, so it reads what
            // the archive holds (and the coverage line says how much that is).
            let now = api::archive_status().await.ok().filter(|s| s.enabled);
            if generation.try_get_value() != Some(current) {
                return;
            }
            let enabled = now.is_some();
            // Set only on a change: the search box and the chart are rebuilt when it changes.
            if archive.try_get_untracked() != Some(Some(enabled)) {
                archive.try_set(Some(enabled));
            }
            let from_archive = now.is_some_and(|now| {
                let complete = now.coverage.backfill.complete;
                coverage.try_set(Some(now.coverage));
                filters.needs_archive() || complete
            });
            source.set_value(from_archive);
            let result = fetch_events(from_archive, &filters, None, coverage).await;
            if generation.try_get_value() != Some(current) {
                return;
            }
            match result {
                Ok((data, next, by)) => {
                    attributions.set(by);
                    events.set(data);
                    status.set(Status::Ready { next });
                }
                Err(error) => {
                    events.set(Vec::new());
                    status.set(Status::Failed(error));
                }
            }
        });
    });
    let load_older = move || {
        let next = match status.get_untracked() {
            Status::Ready { next: Some(next) } | Status::OlderFailed { next, .. } => next,
            _ => return,
        };
        let filters = filters.get_untracked();
        let from_archive = source.get_value();
        let current = generation.get_value();
        status.set(Status::LoadingOlder);
        leptos::task::spawn_local(async move {
            let result = fetch_events(from_archive, &filters, Some(next.clone()), coverage).await;
            if generation.try_get_value() != Some(current) {
                return;
            }
            match result {
                Ok((data, later, by)) => {
                    attributions.update(|a| a.extend(by));
                    events.update(|e| e.extend(data));
                    status.set(Status::Ready { next: later });
                }
                Err(error) => status.set(Status::OlderFailed { next, error }),
            }
        });
    };
    // Infinite scroll loads on its own only while nothing has failed; after a failure the
    // reader retries with the button, so a broken upstream is not hammered.
    let near_end = Callback::new(move |()| {
        if matches!(status.get_untracked(), Status::Ready { next: Some(_) }) {
            load_older();
        }
    });
    let new_events = live_tail(filters, events, source, coverage);
    // Users' emails turn ids in sentences into names; without them the ids still read.
    let users = super::lookups::users();
    let names = Signal::derive(move || {
        users
            .get()
            .unwrap_or_default()
            .into_iter()
            .filter_map(|u| Some((u.id, u.email?)))
            .collect::<HashMap<_, _>>()
    });
    let loaded_once = move || !matches!(status.get(), Status::Loading | Status::Failed(_));
    view! {
        <section aria-labelledby="audit-heading">
            <h1 id="audit-heading">"Audit log"</h1>
            <ZoneToggle/>
            <FilterForm filters=filters users=users archive=Signal::derive(move || archive.get() == Some(true))/>
            <ActiveFilters filters=filters/>
            {move || match archive.get() {
                Some(true) => {
                    // The line reads `coverage` in a closure of its own: coverage changes with
                    // every load and tick, and must not rebuild (and refetch) the chart.
                    let line = move || {
                        let now = (js_sys::Date::now() / 1000.0) as i64;
                        coverage.get().map(|c| coverage_line(&c, now)).unwrap_or_default()
                    };
                    let navigate = use_navigate();
                    let select = Callback::new(move |(from, to): (i64, i64)| {
                        let next = Filters {
                            range: Some("custom".into()),
                            from: Some(from),
                            to: Some(to),
                            ..filters.get_untracked()
                        };
                        navigate(&next.to_href(), Default::default());
                    });
                    let query = Signal::derive(move || filters.get().to_archive_query(None));
                    let extra = Signal::derive(move || filters.get().archive_filters());
                    let span = Signal::derive(move || {
                        let f = filters.get();
                        let now = (js_sys::Date::now() / 1000.0) as i64;
                        match (f.range.as_deref(), f.from, f.to) {
                            (Some("custom"), Some(from), to) => to.unwrap_or(now) - from,
                            (Some(r), _, _) => RANGES.iter().find(|(v, _, _)| *v == r).map_or(30 * 86_400, |(_, _, s)| *s),
                            _ => coverage.with_untracked(|c| {
                                c.as_ref().and_then(|c| Some(c.newest? - c.oldest?)).unwrap_or(30 * 86_400)
                            }),
                        }
                    });
                    view! {
                        <p class="archive-line" role="status">{line}</p>
                        <ActivityChart query=query extra=extra span=span on_select=select/>
                    }.into_any()
                }
                Some(false) => view! {
                    <p class="archive-line">"Reading OpenAI's audit log directly: Gatehouse's archive is off, so there is no search or chart."</p>
                }.into_any(),
                None => ().into_any(),
            }}
            <ExportLinks filters=filters/>
            <div class="live" aria-live="polite">
                <Show when=move || { new_events.get() > 0 }>
                    <button type="button" class="primary" on:click=move |_| reload.update(|n| *n += 1)>
                        {move || match new_events.get() {
                            1 => "1 new event: show it".to_owned(),
                            n if n > 100 => "More than 100 new events: show them".to_owned(),
                            n => format!("{n} new events: show them"),
                        }}
                    </button>
                </Show>
            </div>
            {move || match status.get() {
                Status::Loading => view! { <p class="loading" aria-busy="true">"Loading events…"</p> }.into_any(),
                Status::Failed(error) => view! { <ErrorNotice error=error/> }.into_any(),
                _ => ().into_any(),
            }}
            <Show when=loaded_once>
                {move || {
                    // Rebuilt when the zone or the names change; loading more only grows `events`.
                    let zone = zone.0.get();
                    let names = names.get();
                    view! {
                        <Timeline events=events names=names filtered=!filters.get_untracked().is_empty()
                            zone=zone on_near_end=near_end attributions=attributions/>
                    }
                }}
                <div class="older" aria-live="polite">
                    {move || match status.get() {
                        Status::Ready { next: Some(_) } => view! {
                            <button type="button" on:click=move |_| load_older()>"Load older events"</button>
                            <span class="count">{format!("{} events loaded", events.with(Vec::len))}</span>
                        }.into_any(),
                        Status::LoadingOlder => view! {
                            <button type="button" disabled=true aria-busy="true"><span class="spinner" aria-hidden="true"></span>"Loading older events…"</button>
                            <span class="count">{format!("{} events loaded", events.with(Vec::len))}</span>
                        }.into_any(),
                        Status::OlderFailed { error, .. } => view! {
                            <ErrorNotice error=error/>
                            <button type="button" on:click=move |_| load_older()>"Try again"</button>
                        }.into_any(),
                        Status::Ready { next: None } if events.with(|e| !e.is_empty()) => view! {
                            <p class="count">{move || format!(
                                "All {} events these filters match are loaded; upstream has none older.",
                                events.with(Vec::len)
                            )}</p>
                        }.into_any(),
                        _ => ().into_any(),
                    }}
                </div>
            </Show>
        </section>
    }
}

/// One page of events for `filters`, after `after`, with who made them through the portal:
/// from the archive (which also says what it covers) when it is on, else from upstream.
/// Full-text search and a portal user's name exist only in the archive; asked of upstream they
/// are an error, never a silently unfiltered list.
async fn fetch_events(
    from_archive: bool,
    filters: &Filters,
    after: Option<String>,
    coverage: RwSignal<Option<api::Coverage>>,
) -> Result<(Vec<AuditLog>, Option<String>, api::Attributions), api::ClientError> {
    if from_archive {
        let request = filters.to_archive_query(after);
        let page = api::list_archived(&request, &filters.archive_filters()).await?;
        coverage.try_set(Some(page.coverage));
        let next = page.has_more.then_some(page.last_id).flatten();
        return Ok((page.data, next, page.attributions));
    }
    let needs = match (&filters.q, filters.needs_archive()) {
        (Some(_), _) => Some(("Full-text search", "q", "Remove the search")),
        (None, true) => Some((
            "Filtering by a portal user",
            "actor",
            "Filter by an email or an actor id instead",
        )),
        (None, false) => None,
    };
    if let Some((what, param, instead)) = needs {
        return Err(api::ClientError::Api {
            status: 400,
            error: admin_api::ApiError::invalid_request(
                format!(
                    "{what} needs Gatehouse's audit archive, which is switched off (gatehouse serve --archive on). {instead} to read OpenAI's log directly."
                ),
                Some(param),
            ),
        });
    }
    let answer = api::list_audit_logs(&filters.to_query(after)).await?;
    let next = answer
        .page
        .has_more
        .then_some(answer.page.last_id)
        .flatten();
    Ok((answer.page.data, next, answer.attributions))
}
