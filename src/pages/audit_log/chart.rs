//! The archive's picture of activity: events per hour or day for the current filters, stacked
//! by event family, drawn as plain SVG (no chart library). Dragging across it selects a time
//! range, which becomes the URL's custom range; a click selects one bar. Above it, one line
//! says what the archive covers and when it last synced.

use admin_api::audit_logs::ListAuditLogsQuery;
use leptos::html::Div;
use leptos::prelude::*;

use crate::api::{self, Coverage, Histogram};
use crate::format::{date_time_utc, date_utc};

/// The chart's drawing box (SVG user units; it scales to the page's width). Coordinates are
/// printed as integers (a fine grid of 10,000 across): printing `f64`s would pull float
/// formatting, some 20 KB, into the bundle.
const WIDTH: f64 = 10_000.0;
const HEIGHT: f64 = 1_200.0;
/// Families drawn in their own colour, the rest as "other".
const COLOURS: usize = 6;

/// `hour` for spans up to three days, else `day`.
pub fn bucket_for(span_seconds: i64) -> &'static str {
    if span_seconds <= 3 * 86_400 {
        "hour"
    } else {
        "day"
    }
}

fn bucket_seconds(bucket: &str) -> i64 {
    if bucket == "hour" { 3_600 } else { 86_400 }
}

/// The families by total, largest first.
fn families(histogram: &Histogram) -> Vec<(String, u64)> {
    let mut totals = std::collections::BTreeMap::<String, u64>::new();
    for bucket in &histogram.buckets {
        for (family, n) in &bucket.families {
            *totals.entry(family.clone()).or_default() += n;
        }
    }
    let mut list: Vec<(String, u64)> = totals.into_iter().collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    list
}

/// "synced 40 s ago, 52,118 events since 2026-08-27", or the backfill's progress.
pub fn coverage_line(coverage: &Coverage, now: i64) -> String {
    let events = thousands(coverage.events);
    let since = coverage
        .oldest
        .map(|t| format!(" since {}", date_utc(t)))
        .unwrap_or_default();
    if !coverage.backfill.complete {
        return format!(
            "Archive: first copy under way, {} events so far{since}. Until it is done the timeline reads OpenAI's log directly; search and the chart cover only what the archive holds.",
            thousands(coverage.backfill.events.max(coverage.events))
        );
    }
    match coverage.last_sync {
        Some(at) => format!(
            "Archive: synced {} ago, {events} events{since}.",
            ago(now.saturating_sub(at))
        ),
        None => format!("Archive: {events} events{since}; not synced yet."),
    }
}

fn ago(seconds: i64) -> String {
    match seconds {
        s if s < 90 => format!("{} s", s.max(0)),
        s if s < 90 * 60 => format!("{} min", s / 60),
        s if s < 36 * 3_600 => format!("{} h", s / 3_600),
        s => format!("{} days", s / 86_400),
    }
}

/// 52118 → "52,118".
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The histogram for `query` (and `q`), with `on_select(from, to)` for a dragged range.
#[component]
pub fn ActivityChart(
    /// Upstream's filters of the current view.
    #[prop(into)]
    query: Signal<ListAuditLogsQuery>,
    /// The archive's own filters (full text, portal user).
    #[prop(into)]
    extra: Signal<api::ArchiveFilters>,
    /// The time span the view covers, for the bucket size.
    #[prop(into)]
    span: Signal<i64>,
    /// Called with a selected range (Unix seconds, `to` inclusive).
    on_select: Callback<(i64, i64)>,
) -> impl IntoView {
    let histogram = RwSignal::new(None::<Result<Histogram, api::ClientError>>);
    Effect::new(move |_| {
        let (query, extra, bucket) = (query.get(), extra.get(), bucket_for(span.get()));
        // Cancelled when the filters change again or the page goes: an older, slower answer
        // never replaces a newer one.
        leptos::task::spawn_local_scoped_with_cancellation(async move {
            let answer = api::archive_histogram(&query, &extra, bucket).await;
            histogram.try_set(Some(answer));
        });
    });
    view! {
        {move || match histogram.get() {
            None => view! { <div class="histogram loading-chart" aria-busy="true"></div> }.into_any(),
            Some(Err(error)) => view! { <crate::components::ErrorNotice error=error/> }.into_any(),
            Some(Ok(h)) => view! { <HistogramChart histogram=h on_select=on_select/> }.into_any(),
        }}
    }
}

/// One histogram, drawn: stacked bars by family, a legend, and drag (or click) to select.
#[component]
pub fn HistogramChart(
    /// The counts to draw.
    histogram: Histogram,
    /// Called with a selected range (Unix seconds, `to` inclusive), aligned to whole buckets.
    on_select: Callback<(i64, i64)>,
) -> impl IntoView {
    let h = histogram;
    let area = NodeRef::<Div>::new();
    // The drag, as fractions of the width: where it started and where it is.
    let drag = RwSignal::new(None::<(f64, f64)>);
    let fraction = move |client_x: i32| {
        area.get_untracked().map_or(0.0, |el| {
            let rect = el.get_bounding_client_rect();
            ((f64::from(client_x) - rect.left()) / rect.width().max(1.0)).clamp(0.0, 1.0)
        })
    };
    if h.buckets.is_empty() {
        return view! { <p class="empty">"No events to chart for these filters."</p> }.into_any();
    }

    let size = bucket_seconds(&h.bucket);
    let start = h.buckets.iter().map(|b| b.start).min().unwrap_or(0);
    let end = h
        .buckets
        .iter()
        .map(|b| b.start + size)
        .max()
        .unwrap_or(start + size);
    let span = (end - start).max(size) as f64;
    let peak = h.buckets.iter().map(|b| b.total).max().unwrap_or(0).max(1) as f64;
    let fams = families(&h);
    let colour = {
        let fams = fams.clone();
        move |family: &str| {
            fams.iter()
                .position(|(f, _)| f == family)
                .filter(|i| *i < COLOURS)
                .unwrap_or(COLOURS)
        }
    };
    let x_of = move |t: i64| (t - start) as f64 / span * WIDTH;
    let time_of = move |f: f64| start + (f * span) as i64;
    let bars = h.buckets.iter().map(|b| {
        let x = x_of(b.start);
        let w = (size as f64 / span * WIDTH - 10.0).max(10.0);
        let mut y = HEIGHT;
        let mut parts: Vec<(String, u64)> = b.families.iter().map(|(f, n)| (f.clone(), *n)).collect();
        parts.sort_by_key(|(f, _)| colour(f));
        let title = format!(
            "{} ({}): {} events — {}",
            date_time_utc(b.start), h.bucket, b.total,
            parts.iter().map(|(f, n)| format!("{f} {n}")).collect::<Vec<_>>().join(", ")
        );
        let rects = parts.into_iter().map(|(family, n)| {
            let height = n as f64 / peak * (HEIGHT - 40.0);
            y -= height;
            view! { <rect x=x as i64 y=y as i64 width=w as i64 height=height.max(1.0) as i64 class=format!("fam-{}", colour(&family))></rect> }
        }).collect_view();
        view! { <g><title>{title}</title>{rects}</g> }
    }).collect_view();
    // A search the BFF stopped counting at its budget: say how far back the bars go.
    let partial = (!h.complete).then(|| {
        let from = h
            .counted_from
            .map_or_else(|| "a recent time".to_owned(), date_time_utc);
        format!(
            "Counted back to {from} only: this search matches too many events to count \
             them all quickly, so older ones are not in the chart. The list below is complete."
        )
    });
    let summary = format!(
        "{}{} events from {} to {}, per {}. Drag across the chart to choose a time range.",
        if h.complete { "" } else { "At least " },
        thousands(h.total),
        date_utc(start),
        date_utc(end - 1),
        h.bucket
    );
    let legend = fams.iter().enumerate().map(|(i, (f, n))| {
        let class = format!("swatch fam-{}", i.min(COLOURS));
        view! { <li><span class=class aria-hidden="true"></span>{format!("{f} {}", thousands(*n))}</li> }
    }).collect_view();
    let down = move |e: web_sys::PointerEvent| {
        let f = fraction(e.client_x());
        drag.set(Some((f, f)));
    };
    let moved = move |e: web_sys::PointerEvent| {
        if drag.with_untracked(Option::is_some) {
            let f = fraction(e.client_x());
            drag.update(|d| {
                if let Some(d) = d {
                    d.1 = f;
                }
            });
        }
    };
    let up = move |_: web_sys::PointerEvent| {
        let Some((a, b)) = drag.get_untracked() else {
            return;
        };
        drag.set(None);
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        // A click selects its bar; a drag its span, widened to whole buckets.
        let from = time_of(lo).div_euclid(size) * size;
        let to = (time_of(hi).div_euclid(size) + 1) * size - 1;
        on_select.run((from.max(start), to.min(end - 1)));
    };
    let selection = move || {
        drag.get().map(|(a, b)| {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        view! { <rect class="selection" x=(lo * WIDTH) as i64 y=0 width=((hi - lo) * WIDTH).max(10.0) as i64 height=HEIGHT as i64></rect> }
    })
    };
    view! {
        <figure class="histogram">
            <figcaption class="visually-hidden">{summary.clone()}</figcaption>
            {partial.map(|note| view! { <p class="notice partial-count" role="status">{note}</p> })}
            <div class="chart-area" node_ref=area on:pointerdown=down on:pointermove=moved on:pointerup=up
                on:pointerleave=move |_| drag.set(None)>
                <svg viewBox="0 0 10000 1200" preserveAspectRatio="none" role="img" aria-label=summary>
                    {bars}
                    {selection}
                </svg>
            </div>
            <div class="chart-axis"><span>{date_utc(start)}</span><span>{format!("per {} · UTC", h.bucket)}</span><span>{date_utc(end - 1)}</span></div>
            <ul class="legend" aria-label="Event families">{legend}</ul>
        </figure>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    use super::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn the_coverage_line_is_honest_about_a_backfill_under_way() {
        let mut coverage = Coverage {
            oldest: Some(1_787_788_800),
            newest: Some(1_790_000_000),
            events: 52_118,
            last_sync: Some(1_790_000_000),
            backfill: api::Backfill {
                complete: true,
                events: 52_118,
            },
        };
        assert_eq!(
            coverage_line(&coverage, 1_790_000_040),
            "Archive: synced 40 s ago, 52,118 events since 2026-08-27."
        );
        coverage.backfill.complete = false;
        coverage.backfill.events = 1_200;
        coverage.events = 1_200;
        assert_eq!(
            coverage_line(&coverage, 1_790_000_040),
            "Archive: first copy under way, 1,200 events so far since 2026-08-27. Until it is done the timeline reads OpenAI's log directly; search and the chart cover only what the archive holds."
        );
        assert_eq!(bucket_for(86_400), "hour");
        assert_eq!(bucket_for(30 * 86_400), "day");
    }
}
