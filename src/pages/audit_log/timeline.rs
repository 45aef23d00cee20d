//! The timeline itself: events newest first, grouped by day in the chosen zone, one sentence
//! each. It renders only the rows near the viewport, so 5,000 loaded events cost as much DOM
//! as 30: every row has a fixed height (set here, from [`DAY_ROW`] and [`EVENT_ROW`]), which
//! turns "which rows are visible" into a binary search over their offsets. Spacers above and
//! below keep the page's scroll height true, and a sticky bar names the day at the top.
//!
//! Written by hand: the virtual-list crates for Leptos (leptos-use's `use_virtual_list`, say)
//! bring a large dependency into a bundle with a 160 KB budget, for some sixty lines here.

use std::collections::HashMap;
use std::sync::Arc;

use admin_api::audit_logs::AuditLog;
use admin_api::audit_sentences::describe;
use leptos::ev;
use leptos::html::Div;
use leptos::prelude::*;

use super::event::EventDetails;
use crate::api;
use crate::format::{Zone, day_heading, day_key, time_of_day, zone_name};

/// Height of a day heading row, in CSS pixels.
pub const DAY_ROW: f64 = 40.0;
/// Height of an event row, in CSS pixels (a one-line sentence and a line of chips).
pub const EVENT_ROW: f64 = 66.0;
/// Rows rendered beyond each edge of the viewport, so fast scrolling shows no gaps.
const OVERSCAN: f64 = 600.0;
/// How close to the end of the loaded rows (in pixels) the reader is when older events load.
const NEAR_END: f64 = 1_200.0;

/// `"66px"` for 66.0. Heights here are whole pixels, printed as integers: formatting an `f64`
/// would pull float printing (some 20 KB) into the bundle.
fn px(height: f64) -> String {
    format!("{}px", height as i64)
}

/// One row of the flattened timeline.
#[derive(Debug, Clone, PartialEq)]
enum Row {
    /// A day's heading.
    Day { key: String, heading: String },
    /// The event at this index of the loaded events, under the heading of day row `day`.
    Event { index: usize, day: usize },
}

/// The rows and where each one starts.
#[derive(Debug, Clone, PartialEq, Default)]
struct Layout {
    rows: Vec<Row>,
    /// `offsets[i]` is the top of row `i`; the last entry is the total height.
    offsets: Vec<f64>,
}

impl Layout {
    fn new(events: &[AuditLog], zone: Zone) -> Self {
        let zone_label = zone_name(zone);
        let mut rows = Vec::with_capacity(events.len() + events.len() / 20 + 1);
        let mut offsets = Vec::with_capacity(rows.capacity() + 1);
        let mut top = 0.0;
        let mut current: Option<(String, usize)> = None;
        for (index, event) in events.iter().enumerate() {
            let key = day_key(event.effective_at, zone);
            let day = match &current {
                Some((k, row)) if *k == key => *row,
                _ => {
                    let heading =
                        format!("{} ({zone_label})", day_heading(event.effective_at, zone));
                    offsets.push(top);
                    top += DAY_ROW;
                    rows.push(Row::Day {
                        key: key.clone(),
                        heading,
                    });
                    current = Some((key, rows.len() - 1));
                    rows.len() - 1
                }
            };
            offsets.push(top);
            top += EVENT_ROW;
            rows.push(Row::Event { index, day });
        }
        offsets.push(top);
        Self { rows, offsets }
    }

    fn height(&self) -> f64 {
        self.offsets.last().copied().unwrap_or(0.0)
    }

    /// The rows overlapping `from..to` (pixels from the top of the list).
    fn range(&self, from: f64, to: f64) -> std::ops::Range<usize> {
        let n = self.rows.len();
        // The first row whose bottom is below `from`, and the first row starting at or after `to`.
        let start = self.offsets[1..].partition_point(|bottom| *bottom <= from);
        let end = self.offsets[..n].partition_point(|top| *top < to);
        start.min(n)..end.max(start.min(n))
    }
}

/// Events grouped by day, newest first, one sentence each, rendered as a window of rows.
#[component]
pub fn Timeline(
    /// The loaded events, newest first.
    #[prop(into)]
    events: Signal<Vec<AuditLog>>,
    /// Known names of ids (users' emails).
    #[prop(default = HashMap::new())]
    names: HashMap<String, String>,
    /// Whether filters are applied (changes what an empty page says).
    #[prop(default = false)]
    filtered: bool,
    /// The zone days and times are shown in.
    #[prop(default = Zone::Utc)]
    zone: Zone,
    /// Called when the reader scrolls near the end of what is loaded.
    #[prop(optional)]
    on_near_end: Option<Callback<()>>,
    /// Who made the events through the portal, by event id.
    #[prop(into, optional)]
    attributions: Option<Signal<api::Attributions>>,
) -> impl IntoView {
    let layout = Memo::new(move |_| events.with(|e| Layout::new(e, zone)));
    let list = NodeRef::<Div>::new();
    // The part of the list inside the browser's viewport: (top, bottom) in list pixels. Before
    // the first measurement, assume the list starts at the top of a tall window.
    let viewport = RwSignal::new((0.0_f64, 1_200.0_f64));
    let measure = move || {
        if let Some(el) = list.get_untracked() {
            let top = -el.get_bounding_client_rect().top();
            let height = window()
                .inner_height()
                .ok()
                .and_then(|h| h.as_f64())
                .unwrap_or(1_200.0);
            viewport.set((top, top + height));
        }
    };
    let on_scroll = window_event_listener(ev::scroll, move |_| measure());
    let on_resize = window_event_listener(ev::resize, move |_| measure());
    on_cleanup(move || {
        on_scroll.remove();
        on_resize.remove();
    });
    Effect::new(move |_| {
        // Measure once the list is in the page, and again whenever its length changes.
        layout.track();
        if list.get().is_some() {
            measure();
        }
    });
    let window_rows = Memo::new(move |_| {
        let (top, bottom) = viewport.get();
        layout.with(|l| l.range(top - OVERSCAN, bottom + OVERSCAN))
    });
    if let Some(on_near_end) = on_near_end {
        Effect::new(move |_| {
            let (_, bottom) = viewport.get();
            let height = layout.with(Layout::height);
            if height > 0.0 && bottom + NEAR_END >= height {
                on_near_end.run(());
            }
        });
    }
    let names = Arc::new(names);
    let spacer_above = move || {
        let range = window_rows.get();
        layout.with(|l| l.offsets.get(range.start).copied().unwrap_or(0.0))
    };
    let spacer_below = move || {
        let range = window_rows.get();
        layout.with(|l| l.height() - l.offsets.get(range.end).copied().unwrap_or(0.0))
    };
    // The day of the row at the top of the viewport, once the reader has scrolled into the list.
    let current_day = move || {
        let (top, _) = viewport.get();
        if top <= 0.0 {
            return None;
        }
        layout.with(|l| {
            let row = l.range(top, top + 1.0).start;
            let day = match l.rows.get(row)? {
                Row::Day { .. } => row,
                Row::Event { day, .. } => *day,
            };
            match &l.rows[day] {
                Row::Day { heading, .. } => Some(heading.clone()),
                Row::Event { .. } => None,
            }
        })
    };
    let total = move || events.with(Vec::len);
    let rendered = move || {
        let range = window_rows.get();
        let keyed: Vec<(String, Row)> = layout.with(|l| {
            l.rows[range]
                .iter()
                .map(|row| {
                    let key = match row {
                        Row::Day { key, .. } => format!("day {key}"),
                        Row::Event { index, .. } => {
                            events.with(|e| e.get(*index).map(|e| e.id.clone()).unwrap_or_default())
                        }
                    };
                    (key, row.clone())
                })
                .collect()
        });
        keyed
    };
    let names_for_rows = names.clone();
    let row_view = move |(_, row): (String, Row)| match row {
        Row::Day { key, heading } => view! {
            <li class="day-row" data-day=key style:height=px(DAY_ROW)>
                <h2 class="day-heading">{heading}</h2>
            </li>
        }
        .into_any(),
        Row::Event { index, .. } => {
            let event = events.with_untracked(|e| e.get(index).cloned());
            match event {
                Some(event) => {
                    let by =
                        attributions.and_then(|a| a.with_untracked(|a| a.get(&event.id).cloned()));
                    view! {
                        <EventItem event=event by=by names=names_for_rows.clone() zone=zone
                            position=index + 1 set_size=Signal::derive(total)/>
                    }
                }
                .into_any(),
                None => ().into_any(),
            }
        }
    };
    view! {
        <Show when=move || { total() > 0 } fallback=move || {
            let message = if filtered {
                "No events match these filters in this range."
            } else {
                "No events yet. If your organization has audit logging switched off, turn it on under Data controls in OpenAI's settings (it cannot be switched off again); until then nothing is recorded."
            };
            view! { <p class="empty">{message}</p> }
        }>
            <div class="timeline" node_ref=list>
                <div class="current-day" aria-hidden="true">
                    {move || current_day().map(|heading| view! { <p class="day-heading">{heading}</p> })}
                </div>
                <ol class="events" aria-label="Events, newest first">
                    <li class="spacer" aria-hidden="true" style:height=move || px(spacer_above())></li>
                    <For each=rendered key=|(key, _)| key.clone() children=row_view.clone()/>
                    <li class="spacer" aria-hidden="true" style:height=move || px(spacer_below())></li>
                </ol>
            </div>
        </Show>
    }
}

/// One event: its sentence and chips.
#[component]
fn EventItem(
    /// The event.
    event: AuditLog,
    /// Who made it through the portal, if the journal says.
    by: Option<api::Attribution>,
    /// Known names of ids.
    names: Arc<HashMap<String, String>>,
    /// The zone times are shown in.
    zone: Zone,
    /// Its place among the loaded events, from 1.
    position: usize,
    /// How many events are loaded.
    set_size: Signal<usize>,
) -> impl IntoView {
    let name_of = |id: &str| names.get(id).cloned();
    let phrased = admin_api::audit_sentences::sentence(&event, &name_of);
    // A type this app cannot phrase reads as its name and payload, and is marked as such.
    let fallback = phrased.is_none();
    let sentence = phrased.unwrap_or_else(|| describe(&event, &name_of));
    let session = event.actor.as_ref().and_then(|a| a.session.as_ref());
    let actor_chip = match (
        session,
        event.actor.as_ref().and_then(|a| a.api_key.as_ref()),
    ) {
        (Some(s), _) => {
            let country = s
                .ip_address_details
                .as_ref()
                .and_then(|d| d.country.clone())
                .unwrap_or_default();
            format!(
                "session · {} {country}",
                s.ip_address.clone().unwrap_or_default()
            )
            .trim()
            .to_owned()
        }
        (None, Some(key)) => format!("API key · {}", key.id.clone().unwrap_or_default()),
        (None, None) => "unknown actor".to_owned(),
    };
    let project = event
        .project
        .as_ref()
        .map(|p| p.name.clone().unwrap_or_else(|| p.id.clone()));
    let open = RwSignal::new(false);
    let show_details = move |_| open.set(true);
    let details = event.clone();
    let title = sentence.clone();
    let hover = sentence.clone();
    let label = format!("Details: {sentence}");
    let by_details = by.clone();
    view! {
        <li class="event" data-type=event.event_type.clone() data-id=event.id.clone()
            data-fallback=fallback.to_string() aria-posinset=position aria-setsize=move || set_size.get()
            style:height=px(EVENT_ROW)>
            <p class="sentence" title=hover>
                <button type="button" class="link sentence-button" on:click=show_details aria-label=label>
                    {sentence}
                </button>
            </p>
            {move || open.get().then(|| view! {
                <EventDetails event=details.clone() by=by_details.clone() title=title.clone() on_close=Callback::new(move |()| open.set(false))/>
            })}
            <p class="chips">
                <span class="chip time">{format!("{} {}", time_of_day(event.effective_at, zone), if zone == Zone::Utc { "UTC" } else { "local" })}</span>
                <span class="chip actor">{actor_chip}</span>
                {by.map(|by| view! {
                    <a href=by.journal_href() class="chip portal-user"
                        aria-label=format!("{}: its journal row", by.label())>{by.label()}</a>
                })}
                {project.map(|p| view! { <span class="chip project">{format!("project · {p}")}</span> })}
                <code class="chip type">{event.event_type.clone()}</code>
            </p>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    use super::*;

    wasm_bindgen_test_configure!(run_in_browser);

    fn event(id: usize, at: i64) -> AuditLog {
        serde_json::from_value(serde_json::json!({
            "id": format!("audit_log-{id}"), "type": "login.succeeded", "effective_at": at,
        }))
        .expect("event")
    }

    #[wasm_bindgen_test]
    fn the_layout_finds_the_rows_in_a_pixel_range() {
        // Two events on one day, one on the day before: day, event, event, day, event.
        let events = [
            event(3, 1_790_000_000),
            event(2, 1_789_999_000),
            event(1, 1_789_900_000),
        ];
        let layout = Layout::new(&events, Zone::Utc);
        assert_eq!(layout.rows.len(), 5);
        assert_eq!(
            layout.offsets,
            vec![
                0.0,
                DAY_ROW,
                DAY_ROW + EVENT_ROW,
                DAY_ROW + 2.0 * EVENT_ROW,
                2.0 * DAY_ROW + 2.0 * EVENT_ROW,
                2.0 * DAY_ROW + 3.0 * EVENT_ROW,
            ]
        );
        assert_eq!(layout.range(0.0, 1.0), 0..1);
        assert_eq!(layout.range(DAY_ROW, DAY_ROW + 1.0), 1..2);
        assert_eq!(layout.range(-500.0, 10_000.0), 0..5);
        assert_eq!(layout.range(10_000.0, 20_000.0), 5..5);
        assert_eq!(
            layout.rows[4],
            Row::Event { index: 2, day: 3 },
            "the last event sits under the second day"
        );
    }
}
