//! The audit-log timeline: upstream's events newest first, grouped by UTC day, each as one plain
//! sentence with chips for the actor, project and time. Every filter runs upstream and lives in
//! the URL, so a link reproduces the view. (Time zones, the detail drawer, live tail and export
//! build on this page.)

use std::collections::HashMap;

use admin_api::audit_logs::{AuditLog, EffectiveAt, ListAuditLogsQuery};
use admin_api::audit_sentences::{KNOWN_TYPES, describe, family};
use admin_api::query::Paging;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::params::ParamsMap;

use super::Timeline;
use super::histogram::{ActivityChart, coverage_line};
use crate::api;
use crate::components::{ErrorNotice, Modal};
use crate::format::{Zone, ZoneChoice, day_key, time_of_day, zone_name};

/// The time-range presets: query value, label, seconds back from now.
const RANGES: &[(&str, &str, i64)] = &[
    ("1h", "Last hour", 3_600),
    ("24h", "Last 24 hours", 86_400),
    ("7d", "Last 7 days", 7 * 86_400),
    ("30d", "Last 30 days", 30 * 86_400),
];

/// How upstream's actor ids begin (users, API keys, service accounts).
const ACTOR_ID_PREFIXES: &[&str] = &["user-", "key_", "svc_acct"];

/// The filters a URL carries.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Filters {
    event_types: Vec<String>,
    resource_id: Option<String>,
    /// An actor id (user, API key or service account), an email, or a portal user's name.
    /// In the archive, anything but an id means everything that person did: their own
    /// sessions' events and the portal-key events attributed to them.
    actor: Option<String>,
    /// Any of these projects.
    project_ids: Vec<String>,
    range: Option<String>,
    /// A custom range (`range=custom`), in Unix seconds.
    from: Option<i64>,
    to: Option<i64>,
    /// Full-text search (the archive only).
    q: Option<String>,
}

impl Filters {
    fn from_query(query: &ParamsMap) -> Self {
        let get = |k: &str| query.get(k).filter(|v| !v.trim().is_empty());
        Self {
            event_types: query
                .get_all("event_type")
                .unwrap_or_default()
                .into_iter()
                .filter(|t| !t.trim().is_empty())
                .collect(),
            resource_id: get("resource_id"),
            actor: get("actor"),
            project_ids: query
                .get_all("project_id")
                .unwrap_or_default()
                .into_iter()
                .filter(|p| !p.trim().is_empty())
                .collect(),
            range: get("range").filter(|r| r == "custom" || RANGES.iter().any(|(v, _, _)| v == r)),
            from: get("from").and_then(|v| v.parse().ok()),
            to: get("to").and_then(|v| v.parse().ok()),
            q: get("q"),
        }
    }

    fn to_href(&self) -> String {
        let mut pairs: Vec<(&str, String)> = self
            .event_types
            .iter()
            .map(|t| ("event_type", t.clone()))
            .collect();
        pairs.extend(self.project_ids.iter().map(|p| ("project_id", p.clone())));
        pairs.extend(
            [
                ("q", &self.q),
                ("resource_id", &self.resource_id),
                ("actor", &self.actor),
                ("range", &self.range),
            ]
            .into_iter()
            .filter_map(|(k, v)| Some((k, v.clone()?))),
        );
        if self.range.as_deref() == Some("custom") {
            pairs.extend(self.from.map(|f| ("from", f.to_string())));
            pairs.extend(self.to.map(|t| ("to", t.to_string())));
        }
        if pairs.is_empty() {
            "/audit-log".to_owned()
        } else {
            format!("/audit-log?{}", admin_api::query::encode(pairs))
        }
    }

    /// The actor, if it is an id (`user-…`, `key_…`, `svc_acct_…`) rather than a person.
    fn actor_id(&self) -> Option<String> {
        self.actor
            .clone()
            .filter(|a| ACTOR_ID_PREFIXES.iter().any(|p| a.starts_with(p)))
    }

    /// The actor as a portal user (a name or an email), for the archive's `portal_user`.
    fn portal_user(&self) -> Option<String> {
        self.actor.clone().filter(|_| self.actor_id().is_none())
    }

    /// Whether only the archive can answer these filters: a search, or a portal user's name
    /// (upstream knows emails and ids only).
    fn needs_archive(&self) -> bool {
        self.q.is_some() || self.portal_user().is_some_and(|u| !u.contains('@'))
    }

    /// The archive's own filters.
    fn archive_filters(&self) -> api::ArchiveFilters {
        api::ArchiveFilters {
            q: self.q.clone(),
            portal_user: self.portal_user(),
        }
    }

    /// The query for the archive: as upstream's, but a person is asked as `portal_user`.
    fn to_archive_query(&self, after: Option<String>) -> ListAuditLogsQuery {
        ListAuditLogsQuery {
            actor_emails: Vec::new(),
            ..self.to_query(after)
        }
    }

    fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The upstream query for this view.
    fn to_query(&self, after: Option<String>) -> ListAuditLogsQuery {
        let now = (js_sys::Date::now() / 1000.0) as i64;
        let custom = self.range.as_deref() == Some("custom");
        let gte = if custom {
            self.from
        } else {
            self.range
                .as_ref()
                .and_then(|r| RANGES.iter().find(|(v, _, _)| v == r))
                .map(|(_, _, secs)| now - secs)
        };
        let lte = if custom { self.to } else { None };
        ListAuditLogsQuery {
            paging: Paging {
                limit: Some(admin_api::query::LIMIT_MAX),
                after,
            },
            effective_at: EffectiveAt {
                gte,
                lte,
                ..EffectiveAt::default()
            },
            event_types: self.event_types.clone(),
            resource_ids: self.resource_id.clone().into_iter().collect(),
            actor_emails: self
                .portal_user()
                .filter(|a| a.contains('@'))
                .into_iter()
                .collect(),
            actor_ids: self.actor_id().into_iter().collect(),
            project_ids: self.project_ids.clone(),
            ..ListAuditLogsQuery::default()
        }
    }
}

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
    // Each load belongs to one filter set; an answer for an older one is dropped.
    let generation = StoredValue::new(0_u32);
    // Whether the loaded list came from the archive (older pages and the tail ask the same).
    let source = StoredValue::new(false);
    Effect::new(move |_| {
        reload.track();
        let filters = filters.get();
        let current = generation.get_value().wrapping_add(1);
        generation.set_value(current);
        status.set(Status::Loading);
        leptos::task::spawn_local(async move {
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

/// How often the first page looks for newer events.
const TAIL_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

/// While the reader is at the top of an open-ended range, asks every [`TAIL_EVERY`] how many
/// events are newer than the top one (same filters, same source). The count waits behind a
/// button, so the list never moves under the reader's eyes; showing them reloads the list.
fn live_tail(
    filters: Memo<Filters>,
    events: RwSignal<Vec<AuditLog>>,
    source: StoredValue<bool>,
    coverage: RwSignal<Option<api::Coverage>>,
) -> RwSignal<usize> {
    let count = RwSignal::new(0_usize);
    Effect::new(move |_| {
        events.with(|_| count.set(0));
    });
    let poll = move || {
        let filters = filters.get_untracked();
        // A range with an end has nothing new to show.
        if filters.range.as_deref() == Some("custom") && filters.to.is_some() {
            return;
        }
        // Only at the top: further down, the reader is reading, not waiting.
        if window().scroll_y().unwrap_or(0.0) > 200.0 {
            return;
        }
        let Some(first) = events.with_untracked(|e| e.first().map(|e| e.id.clone())) else {
            return;
        };
        let from_archive = source.get_value();
        let mut query = if from_archive {
            filters.to_archive_query(None)
        } else {
            filters.to_query(None)
        };
        let first_seen = first.clone();
        query.before = Some(first);
        query.paging.limit = Some(admin_api::query::LIMIT_MAX);
        leptos::task::spawn_local(async move {
            let newer = if from_archive {
                api::list_archived(&query, &filters.archive_filters())
                    .await
                    .map(|page| {
                        coverage.try_set(Some(page.coverage));
                        (page.data.len(), page.has_more)
                    })
            } else {
                api::list_audit_logs(&query)
                    .await
                    .map(|answer| (answer.page.data.len(), answer.page.has_more))
            };
            // Only if the list is still the one asked about (a reload may have come between).
            let same = events.try_with_untracked(|e| e.first().map(|e| e.id.clone()))
                == Some(Some(first_seen));
            if let (Ok((n, more)), true) = (newer, same) {
                count.try_set(n + usize::from(more));
            }
        });
    };
    if let Ok(handle) = set_interval_with_handle(poll, TAIL_EVERY) {
        on_cleanup(move || handle.clear());
    }
    count
}

/// `2026-11-25T18:12` (a `datetime-local` value) for a Unix time, in `zone`.
fn to_input(unix_seconds: i64, zone: Zone) -> String {
    format!(
        "{}T{}",
        day_key(unix_seconds, zone),
        &time_of_day(unix_seconds, zone)[..5]
    )
}

/// The Unix time of a `datetime-local` value read in `zone`.
fn from_input(value: &str, zone: Zone) -> Option<i64> {
    let (date, time) = value.split_once('T')?;
    // Integers, not `f64`: parsing and printing floats costs the bundle some 20 KB.
    let mut d = date
        .split('-')
        .map(|p| p.parse::<u16>().ok().map(f64::from));
    let (year, month, day) = (d.next()??, d.next()??, d.next()??);
    let mut t = time
        .split(':')
        .map(|p| p.parse::<u16>().ok().map(f64::from));
    let (hour, minute) = (t.next()??, t.next()??);
    let millis = match zone {
        Zone::Utc => {
            js_sys::Date::utc(year, month - 1.0)
                + ((day - 1.0) * 86_400.0 + hour * 3_600.0 + minute * 60.0) * 1000.0
        }
        Zone::Local => js_sys::Date::new_with_year_month_day_hr_min(
            year as u32,
            month as i32 - 1,
            day as i32,
            hour as i32,
            minute as i32,
        )
        .get_time(),
    };
    millis.is_finite().then(|| (millis / 1000.0) as i64)
}

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

/// The filters in force, each with a one-click link that drops just that one.
#[component]
fn ActiveFilters(
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

/// A multi-select of the organization's projects by name (archived ones too: their events stay).
#[component]
fn ProjectPicker(
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

/// Shows times in UTC or in the browser's zone; the choice is kept in this browser.
#[component]
fn ZoneToggle() -> impl IntoView {
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

/// The filter form; applying it rewrites the URL, and "Clear filters" is one click.
#[component]
fn FilterForm(
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
    let all_projects = super::lookups::projects();
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

/// Export of everything the current filters match. The BFF streams the file; the page reads the
/// stream to count events as they arrive, can cancel, and saves the file when it is complete.
#[component]
fn ExportLinks(
    /// The filters in the URL.
    filters: Memo<Filters>,
) -> impl IntoView {
    let progress = RwSignal::new(None::<(String, usize)>);
    let outcome = RwSignal::new(None::<String>);
    // The finished export's manifest: its id, and its SHA-256 once the BFF has it.
    let manifest = RwSignal::new(None::<(String, Option<String>)>);
    let controller = StoredValue::new_local(None::<web_sys::AbortController>);
    let start = move |format: &'static str| {
        let current = filters.get_untracked();
        let mut query = current.to_query(None);
        // The export walks every page itself; the page size is not the file's length.
        query.paging.limit = None;
        // A person is matched by the export itself (their sessions and attributed events).
        query.actor_emails.clear();
        let mut query_string = query.to_query_string();
        if let Some(user) = current.portal_user() {
            if !query_string.is_empty() {
                query_string.push('&');
            }
            query_string.push_str(&admin_api::query::encode([("portal_user", user)]));
        }
        let sep = if query_string.is_empty() { "" } else { "&" };
        let url = format!("/api/audit_logs/export?format={format}{sep}{query_string}");
        let abort = web_sys::AbortController::new().ok();
        let signal = abort.as_ref().map(web_sys::AbortController::signal);
        controller.set_value(abort);
        progress.set(Some((format.to_owned(), 0)));
        outcome.set(None);
        manifest.set(None);
        leptos::task::spawn_local(async move {
            let result = crate::export::download(&url, format, signal.as_ref(), move |events| {
                progress.set(Some((format.to_owned(), events)));
            })
            .await;
            progress.set(None);
            outcome.set(Some(match &result {
                Ok(saved) => format!(
                    "Exported {} events as {}.",
                    saved.events,
                    format.to_ascii_uppercase()
                ),
                Err(error) => format!("The export did not finish: {error}"),
            }));
            if let Some(id) = result.ok().and_then(|saved| saved.export_id) {
                manifest.set(Some((id.clone(), None)));
                if let Ok(found) = api::export_manifest(&id).await {
                    manifest.set(Some((id, Some(found.sha256))));
                }
            }
        });
    };
    let cancel = move |_| {
        controller.with_value(|c| {
            if let Some(c) = c {
                c.abort();
            }
        });
    };
    let searching = move || filters.with(|f| f.q.is_some());
    view! {
        <Show when=searching>
            <p class="export hint">"Export reads OpenAI's own log, which has no full-text search: remove the search to export what the other filters match."</p>
        </Show>
        <div class="export" class:hidden=searching>
            <span>"Export everything these filters match: "</span>
            <button type="button" class="link" disabled=move || progress.with(Option::is_some) on:click=move |_| start("csv")>"CSV"</button>
            " · "
            <button type="button" class="link" disabled=move || progress.with(Option::is_some) on:click=move |_| start("ndjson")>"NDJSON"</button>
            <span role="status" class="export-status">
                {move || progress.get().map(|(format, events)| view! {
                    <span>{format!("Exporting {}: {events} events so far… ", format.to_ascii_uppercase())}</span>
                    <button type="button" on:click=cancel>"Cancel export"</button>
                })}
                {move || outcome.get()}
            </span>
            {move || manifest.get().map(|(id, sha256)| view! {
                <span class="manifest">
                    " "
                    <a href=format!("/api/audit_logs/export/{id}/manifest") download="">"Download the manifest"</a>
                    {sha256.map(|hash| view! { " · SHA-256 " <code class="sha256">{hash}</code> })}
                </span>
            })}
        </div>
    }
}

/// The event in a dialog, opened from the timeline.
#[component]
pub(super) fn EventDetails(
    /// The event.
    event: AuditLog,
    /// Who made it through the portal, if the journal says.
    by: Option<api::Attribution>,
    /// Its sentence, as the dialog's title.
    title: String,
    /// Closes the dialog.
    on_close: Callback<()>,
) -> impl IntoView {
    let close = move |_| on_close.run(());
    view! {
        <Modal title=title on_close=on_close>
            {by.map(|by| view! { <JournalWrite by=by on_leave=on_close/> })}
            <EventBody event=event on_leave=on_close/>
            <div class="buttons">
                <button type="button" class="primary" on:click=close>"Close"</button>
            </div>
        </Modal>
    }
}

/// The journal's side of an attributed event: the person, and the write as the journal
/// recorded it (fetched when shown), linking to its row.
#[component]
fn JournalWrite(
    /// Who made the event through the portal.
    by: api::Attribution,
    /// Called when the link is followed (the dialog closes itself).
    on_leave: Callback<()>,
) -> impl IntoView {
    let row = RwSignal::new(None::<api::JournalEntry>);
    let seq = by.journal_seq;
    leptos::task::spawn_local_scoped_with_cancellation(async move {
        if let Ok(found) = api::journal_row(seq).await {
            row.try_set(found);
        }
    });
    let leave = move |_| on_leave.run(());
    view! {
        <dl class="details through-gatehouse">
            <dt>"Through Gatehouse"</dt>
            <dd>
                {by.label()} " · "
                <A href=by.journal_href() on:click=leave>{format!("journal row {seq}")}</A>
            </dd>
            {move || row.get().map(|r| view! {
                <dt>"Journal"</dt>
                <dd>{format!(
                    "{} {} from {} · {} · answered {}",
                    r.method,
                    r.path,
                    r.client,
                    crate::format::date_time_utc(r.at),
                    r.status.map(|s| s.to_string()).unwrap_or_else(|| "—".to_owned())
                )}</dd>
            })}
        </dl>
    }
}

/// The full event: when, who, the actor's session, links to related events and to itself, and
/// its JSON with a copy button.
#[component]
pub fn EventBody(
    /// The event.
    event: AuditLog,
    /// Called when one of the links is followed (a dialog closes itself).
    #[prop(optional)]
    on_leave: Option<Callback<()>>,
) -> impl IntoView {
    let json = serde_json::to_string_pretty(&event).unwrap_or_default();
    let copied = RwSignal::new(false);
    let to_copy = json.clone();
    let copy = move |_| {
        let _ = window().navigator().clipboard().write_text(&to_copy);
        copied.set(true);
    };
    let link = |key: &str, value: String| {
        format!("/audit-log?{}", admin_api::query::encode([(key, value)]))
    };
    let session = event.actor.as_ref().and_then(|a| a.session.clone());
    let actor = event.actor.as_ref();
    let actor_email = session
        .as_ref()
        .and_then(|s| s.user.as_ref()?.email.clone())
        .or_else(|| actor?.api_key.as_ref()?.user.as_ref()?.email.clone());
    let mut related: Vec<(&'static str, String)> = Vec::new();
    related.extend(actor_email.map(|email| ("All events by this actor", link("actor", email))));
    related.extend(event.resource_id().map(|id| {
        (
            "All events on this resource",
            link("resource_id", id.to_owned()),
        )
    }));
    related.extend(event.project.as_ref().map(|p| {
        (
            "All events in this project",
            link("project_id", p.id.clone()),
        )
    }));
    related.push((
        "Permalink",
        format!(
            "/audit-log/event/{}?{}",
            event.id,
            admin_api::query::encode([("at", event.effective_at.to_string())])
        ),
    ));
    let leave = move |_| {
        if let Some(on_leave) = on_leave {
            on_leave.run(());
        }
    };
    view! {
        <dl class="details">
            <dt>"When"</dt><dd>{crate::format::date_time_utc(event.effective_at)}</dd>
            <dt>"Event id"</dt><dd><code>{event.id.clone()}</code></dd>
            {session.map(|s| view! {
                <dt>"Session"</dt>
                <dd>{format!(
                    "{} · {} · {}",
                    s.ip_address.unwrap_or_default(),
                    s.ip_address_details.and_then(|d| Some(format!("{}, {}", d.city?, d.country?))).unwrap_or_default(),
                    s.user_agent.unwrap_or_default()
                )}</dd>
            })}
        </dl>
        <nav class="related" aria-label="Related events">
            {related.into_iter().map(|(label, href)| view! { <A href=href on:click=leave>{label}</A> }).collect_view()}
        </nav>
        <pre class="json" tabindex="0" aria-label="The event as JSON">{json}</pre>
        <p class="copy-row">
            <button type="button" on:click=copy>"Copy JSON"</button>
            <span role="status">{move || if copied.get() { "Copied." } else { "" }}</span>
        </p>
    }
}

/// `/audit-log/event/{id}?at=T`: one event by permalink. Upstream cannot fetch an event by id,
/// so the BFF looks in the second it happened.
#[component]
pub fn AuditEventPage() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let query = use_query_map();
    let event = RwSignal::new(None::<Result<AuditLog, api::ClientError>>);
    Effect::new(move |_| {
        let id = params.with(|p| p.get("id")).unwrap_or_default();
        let at = query
            .with(|q| q.get("at"))
            .and_then(|a| a.parse::<i64>().ok());
        event.set(None);
        leptos::task::spawn_local(async move {
            event.try_set(Some(api::find_audit_event(&id, at).await));
        });
    });
    view! {
        <section aria-labelledby="event-heading">
            <p><A href="/audit-log">"← Audit log"</A></p>
            {move || match event.get() {
                None => view! { <h1 id="event-heading">"Audit event"</h1><p class="loading" aria-busy="true">"Finding the event…"</p> }.into_any(),
                Some(Ok(event)) => {
                    let sentence = describe(&event, &|_| None);
                    view! {
                        <h1 id="event-heading">{sentence}</h1>
                        <EventBody event=event/>
                    }.into_any()
                }
                Some(Err(error)) => view! { <h1 id="event-heading">"Audit event"</h1><ErrorNotice error=error/> }.into_any(),
            }}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    use super::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn an_actor_is_an_id_an_email_or_a_portal_user() {
        let with = |actor: &str| Filters {
            actor: Some(actor.into()),
            ..Filters::default()
        };
        let id = with("user-abc");
        assert_eq!(id.to_query(None).actor_ids, ["user-abc"]);
        assert_eq!(id.archive_filters().portal_user, None);
        assert!(!id.needs_archive());
        // An email: upstream matches its sessions; the archive also its attributed events.
        let email = with("ada@acme.example");
        assert_eq!(email.to_query(None).actor_emails, ["ada@acme.example"]);
        assert!(email.to_archive_query(None).actor_emails.is_empty());
        assert_eq!(
            email.archive_filters().portal_user.as_deref(),
            Some("ada@acme.example")
        );
        assert!(!email.needs_archive());
        // A portal user's name: only the archive knows it.
        let name = with("demo-owner");
        assert!(name.to_query(None).actor_emails.is_empty());
        assert!(name.to_query(None).actor_ids.is_empty());
        assert_eq!(
            name.archive_filters().portal_user.as_deref(),
            Some("demo-owner")
        );
        assert!(name.needs_archive());
    }

    #[wasm_bindgen_test]
    fn a_custom_range_round_trips_through_the_url_and_the_inputs() {
        assert_eq!(
            from_input("2026-09-21T14:13", Zone::Utc),
            Some(1_789_999_980)
        );
        assert_eq!(to_input(1_790_000_000, Zone::Utc), "2026-09-21T14:13");
        assert_eq!(from_input("yesterday", Zone::Utc), None);
        let filters = Filters {
            range: Some("custom".into()),
            from: Some(10),
            to: Some(20),
            event_types: vec!["login.failed".into(), "logout.failed".into()],
            ..Filters::default()
        };
        let query = filters.to_query(None);
        assert_eq!(
            (query.effective_at.gte, query.effective_at.lte),
            (Some(10), Some(20))
        );
        assert_eq!(query.event_types.len(), 2);
        assert_eq!(
            filters.to_href(),
            "/audit-log?event_type=login.failed&event_type=logout.failed&range=custom&from=10&to=20"
        );
    }
}
