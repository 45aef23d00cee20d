//! The archive's activity chart in headless Chromium: stacked bars by family with a legend, and
//! a drag across it selecting whole buckets.

#![cfg(target_arch = "wasm32")]

mod common;

use common::root;
use gatehouse_app::api::Histogram;
use gatehouse_app::pages::HistogramChart;
use leptos::prelude::*;
use serde_json::json;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const DAY: i64 = 86_400;
/// 2026-09-18 00:00 UTC.
const START: i64 = 1_789_689_600;

fn histogram() -> Histogram {
    serde_json::from_value(json!({
        "bucket": "day",
        "total": 10,
        "buckets": [
            {"start": START, "total": 4, "families": {"login": 3, "project": 1}},
            {"start": START + DAY, "total": 1, "families": {"login": 1}},
            {"start": START + 3 * DAY, "total": 5, "families": {"user": 2, "login": 3}}
        ]
    }))
    .expect("histogram")
}

/// The chart's accessible name.
fn chart_label(root: &web_sys::HtmlElement) -> String {
    root.query_selector("svg")
        .expect("selector")
        .expect("svg")
        .get_attribute("aria-label")
        .unwrap_or_default()
}

fn pointer(kind: &str, x: f64) -> web_sys::PointerEvent {
    let init = web_sys::PointerEventInit::new();
    init.set_bubbles(true);
    init.set_client_x(x as i32);
    init.set_client_y(10);
    web_sys::PointerEvent::new_with_event_init_dict(kind, &init).expect("pointer event")
}

#[wasm_bindgen_test]
async fn bars_stack_by_family_and_a_drag_selects_whole_days() {
    let root = root();
    let selected = RwSignal::new(None::<(i64, i64)>);
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! { <HistogramChart histogram=histogram() on_select=Callback::new(move |r| selected.set(Some(r)))/> }
    });
    leptos::task::tick().await;
    // One rect per family per bucket: 2 + 1 + 2.
    assert_eq!(
        root.query_selector_all("svg g rect")
            .expect("rects")
            .length(),
        5
    );
    let legend: Vec<String> = {
        let items = root.query_selector_all(".legend li").expect("legend");
        (0..items.length())
            .filter_map(|i| items.item(i))
            .map(|n| n.text_content().unwrap_or_default())
            .collect()
    };
    assert_eq!(legend, ["login 7", "user 2", "project 1"]);
    let label = chart_label(&root);
    assert!(
        label.starts_with("10 events from 2026-09-18 to 2026-09-21, per day."),
        "{label}"
    );
    assert!(
        root.query_selector(".partial-count")
            .expect("selector")
            .is_none(),
        "a complete count has no note"
    );

    // The chart spans four days: a drag from 30% to 60% of its width covers days 2 and 3.
    let area: web_sys::HtmlElement = root
        .query_selector(".chart-area")
        .expect("selector")
        .expect("area")
        .unchecked_into();
    let rect = area.get_bounding_client_rect();
    let at = |f: f64| rect.left() + f * rect.width();
    area.dispatch_event(&pointer("pointerdown", at(0.3)))
        .expect("down");
    area.dispatch_event(&pointer("pointermove", at(0.6)))
        .expect("move");
    leptos::task::tick().await;
    assert!(
        root.query_selector("svg rect.selection")
            .expect("selector")
            .is_some(),
        "the selection shows while dragging"
    );
    area.dispatch_event(&pointer("pointerup", at(0.6)))
        .expect("up");
    leptos::task::tick().await;
    assert_eq!(
        selected.get_untracked(),
        Some((START + DAY, START + 3 * DAY - 1))
    );
}

#[wasm_bindgen_test]
async fn an_empty_histogram_says_so() {
    let root = root();
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        let empty: Histogram =
            serde_json::from_value(json!({"bucket": "hour", "total": 0, "buckets": []}))
                .expect("h");
        view! { <HistogramChart histogram=empty on_select=Callback::new(|_| {})/> }
    });
    leptos::task::tick().await;
    assert_eq!(
        root.text_content().unwrap_or_default(),
        "No events to chart for these filters."
    );
}

#[wasm_bindgen_test]
async fn a_histogram_counted_only_back_to_a_time_says_so() {
    let root = root();
    let mut partial = histogram();
    partial.complete = false;
    partial.counted_from = Some(START + DAY);
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! { <HistogramChart histogram=partial.clone() on_select=Callback::new(|_| ())/> }
    });
    leptos::task::tick().await;
    let note = root
        .query_selector(".partial-count[role=status]")
        .expect("selector")
        .expect("a note on the partial count")
        .text_content()
        .unwrap_or_default();
    assert!(note.starts_with("Counted back to 2026-09-19"), "{note}");
    let label = chart_label(&root);
    assert!(label.starts_with("At least 10 events"), "{label}");
}
