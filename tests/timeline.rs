//! The audit-log timeline in headless Chromium: grouped by UTC day, newest first, one sentence
//! per event with its chips, an honest empty state, and a window of rows over 5,000 events.

#![cfg(target_arch = "wasm32")]

mod common;

use std::collections::HashMap;

use admin_api::audit_logs::AuditLog;
use common::{root, texts};
use gatehouse_app::pages::Timeline;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn events() -> Vec<AuditLog> {
    serde_json::from_value(serde_json::json!([
        {"id": "audit_log-3", "type": "user.updated", "effective_at": 1_790_000_000,
         "actor": {"type": "session", "session": {"user": {"id": "user-a", "email": "ada@acme.example"},
                   "ip_address": "203.0.113.9", "ip_address_details": {"country": "DE"}}},
         "user.updated": {"id": "user-b", "changes_requested": {"role": "owner"}}},
        {"id": "audit_log-2", "type": "login.succeeded", "effective_at": 1_789_990_000,
         "actor": {"type": "session", "session": {"user": {"id": "user-b", "email": "bob@acme.example"}}},
         "login.succeeded": {}},
        {"id": "audit_log-1", "type": "api_key.deleted", "effective_at": 1_789_900_000,
         "project": {"id": "proj_a", "name": "Alpha"},
         "actor": {"type": "api_key", "api_key": {"id": "key_admin", "type": "user"}},
         "api_key.deleted": {"id": "key_ci"}}
    ]))
    .expect("events")
}

#[wasm_bindgen_test]
async fn events_are_grouped_by_day_and_read_as_sentences() {
    let root = root();
    let names: HashMap<String, String> =
        [("user-b".to_owned(), "bob@acme.example".to_owned())].into();
    let _handle = leptos::mount::mount_to(
        root.clone(),
        move || view! { <Timeline events=events() names=names.clone()/> },
    );
    leptos::task::tick().await;
    assert_eq!(
        texts(&root, ".events .day-heading"),
        vec![
            "Monday, 21 September 2026 (UTC)",
            "Sunday, 20 September 2026 (UTC)"
        ]
    );
    assert_eq!(
        texts(&root, ".sentence"),
        vec![
            "ada@acme.example changed bob@acme.example's role to owner",
            "bob@acme.example signed in",
            "API key key_admin deleted API key key_ci in project Alpha",
        ]
    );
    let first_chips = texts(&root, "li.event[data-id='audit_log-3'] .chip");
    assert_eq!(
        first_chips,
        vec!["14:13:20 UTC", "session · 203.0.113.9 DE", "user.updated"]
    );
    assert_eq!(
        texts(&root, "li.event[data-id='audit_log-1'] .chip.project"),
        vec!["project · Alpha"]
    );
}

#[wasm_bindgen_test]
async fn an_empty_log_never_looks_like_a_quiet_one() {
    let root = root();
    let _handle = leptos::mount::mount_to(
        root.clone(),
        move || view! { <Timeline events=Vec::new()/> },
    );
    leptos::task::tick().await;
    let text = root.text_content().unwrap_or_default();
    assert!(text.contains("Data controls"), "{text}");
    let filtered = self::root();
    let _other = leptos::mount::mount_to(
        filtered.clone(),
        move || view! { <Timeline events=Vec::new() filtered=true/> },
    );
    leptos::task::tick().await;
    assert_eq!(
        filtered.text_content().unwrap_or_default(),
        "No events match these filters in this range."
    );
}

#[wasm_bindgen_test]
async fn an_event_opens_its_details_with_related_links_and_closes_on_cancel() {
    let root = root();
    // The related links are router links.
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! { <leptos_router::components::Router><Timeline events=events()/></leptos_router::components::Router> }
    });
    leptos::task::tick().await;
    let button: web_sys::HtmlElement = root
        .query_selector("li.event[data-id='audit_log-3'] .sentence button")
        .expect("selector")
        .expect("the sentence is a button")
        .unchecked_into();
    button.click();
    leptos::task::tick().await;
    let dialog = root
        .query_selector("dialog[open]")
        .expect("selector")
        .expect("an open dialog");
    let text = dialog.text_content().unwrap_or_default();
    assert!(
        text.contains("\"id\": \"audit_log-3\""),
        "the full JSON: {text}"
    );
    assert!(text.contains("203.0.113.9"), "the session: {text}");
    let links = texts(&root, "dialog .related a");
    assert_eq!(
        links,
        vec![
            "All events by this actor",
            "All events on this resource",
            "Permalink"
        ]
    );
    let href = dialog
        .query_selector(".related a")
        .expect("selector")
        .expect("link")
        .get_attribute("href")
        .unwrap_or_default();
    assert_eq!(href, "/audit-log?actor=ada%40acme.example");
    // Esc makes the browser fire `cancel` on a modal dialog.
    dialog
        .dispatch_event(
            &web_sys::Event::new_with_event_init_dict("cancel", &{
                let init = web_sys::EventInit::new();
                init.set_cancelable(true);
                init
            })
            .expect("event"),
        )
        .expect("dispatch");
    leptos::task::tick().await;
    assert!(
        root.query_selector("dialog").expect("selector").is_none(),
        "closed"
    );
}

#[wasm_bindgen_test]
async fn the_local_zone_is_named_in_the_day_headings() {
    use gatehouse_app::format::{Zone, zone_name};
    let root = root();
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! { <Timeline events=events() zone=Zone::Local/> }
    });
    leptos::task::tick().await;
    let local = zone_name(Zone::Local);
    let headings = texts(&root, ".events .day-heading");
    assert!(!headings.is_empty());
    assert!(
        headings.iter().all(|h| h.ends_with(&format!("({local})"))),
        "{headings:?}"
    );
    let chips = texts(&root, ".chip.time");
    assert!(chips.iter().all(|c| c.ends_with(" local")), "{chips:?}");
}

#[wasm_bindgen_test]
async fn the_type_picker_searches_and_selects_several_types() {
    use gatehouse_app::pages::TypePicker;
    let root = root();
    let selected = RwSignal::new(Vec::<String>::new());
    let _handle = leptos::mount::mount_to(
        root.clone(),
        move || view! { <TypePicker selected=selected/> },
    );
    leptos::task::tick().await;
    let search: web_sys::HtmlInputElement = root
        .query_selector("input[type=search]")
        .expect("selector")
        .expect("a search box")
        .unchecked_into();
    search.set_value("invite");
    search
        .dispatch_event(&web_sys::Event::new("input").expect("event"))
        .expect("dispatch");
    leptos::task::tick().await;
    let shown: Vec<String> = texts(&root, "label.check:not(.hidden)");
    let expected: Vec<&str> = admin_api::audit_sentences::KNOWN_TYPES
        .iter()
        .copied()
        .filter(|t| t.contains("invite"))
        .collect();
    assert_eq!(shown, expected);
    assert_eq!(
        &shown[..3],
        ["invite.sent", "invite.accepted", "invite.deleted"]
    );
    for n in [0, 2] {
        let boxes = root
            .query_selector_all("label.check:not(.hidden) input")
            .expect("boxes");
        boxes
            .item(n)
            .expect("box")
            .unchecked_into::<web_sys::HtmlElement>()
            .click();
        leptos::task::tick().await;
    }
    assert_eq!(
        selected.get_untracked(),
        vec!["invite.sent", "invite.deleted"]
    );
    assert_eq!(texts(&root, "summary"), vec!["2 types"]);
}

/// `n` events a minute apart, newest first, ending at 2026-09-21.
fn many(n: usize) -> Vec<AuditLog> {
    (0..n)
        .map(|i| {
            serde_json::from_value(serde_json::json!({
                "id": format!("audit_log-{}", n - i), "type": "login.succeeded",
                "effective_at": 1_790_000_000 - 60 * i64::try_from(i).expect("small"),
                "actor": {"type": "session", "session": {"user": {"id": "user-a", "email": "ada@acme.example"}}},
                "login.succeeded": {}
            }))
            .expect("event")
        })
        .collect()
}

async fn scroll_to(y: f64) {
    window().scroll_to_with_x_and_y(0.0, y);
    // The browser fires `scroll` asynchronously; the timeline listens for it.
    window()
        .dispatch_event(&web_sys::Event::new("scroll").expect("event"))
        .expect("dispatch");
    leptos::task::tick().await;
}

#[wasm_bindgen_test]
async fn five_thousand_events_render_as_a_window_that_follows_the_scroll() {
    use gatehouse_app::pages::{DAY_ROW, EVENT_ROW};
    let root = root();
    let events = RwSignal::new(many(5_000));
    let near_end = RwSignal::new(0_usize);
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! { <Timeline events=events on_near_end=Callback::new(move |()| near_end.update(|n| *n += 1))/> }
    });
    leptos::task::tick().await;
    scroll_to(0.0).await;
    let top = root.get_bounding_client_rect().top() + window().scroll_y().expect("scroll");
    let rendered = root.query_selector_all("li.event").expect("rows").length();
    assert!(
        (5..=80).contains(&rendered),
        "a window of rows, not 5,000: {rendered}"
    );
    assert_eq!(near_end.get_untracked(), 0, "the top is far from the end");
    // The page is as tall as all 5,000 rows: 5,000 events and 4 day headings (3 days and a bit).
    let height = root
        .query_selector(".timeline")
        .expect("selector")
        .expect("timeline")
        .get_bounding_client_rect()
        .height();
    assert_eq!(height, 5_000.0 * EVENT_ROW + 4.0 * DAY_ROW);
    // Halfway down, the rows there are rendered, the first ones are gone, and the sticky bar
    // names the day at the top.
    scroll_to(top + height / 2.0).await;
    let ids: Vec<String> = {
        let nodes = root.query_selector_all("li.event").expect("rows");
        (0..nodes.length())
            .filter_map(|i| nodes.item(i))
            .filter_map(|n| {
                n.unchecked_into::<web_sys::Element>()
                    .get_attribute("data-id")
            })
            .collect()
    };
    assert!(!ids.iter().any(|id| id == "audit_log-5000"), "{ids:?}");
    assert!(ids.iter().any(|id| id == "audit_log-2500"), "{ids:?}");
    assert!(ids.len() <= 80, "{}", ids.len());
    let bar = texts(&root, ".current-day .day-heading");
    assert_eq!(bar.len(), 1, "one sticky day bar: {bar:?}");
    assert!(bar[0].ends_with("(UTC)"), "{bar:?}");
    // Near the end, the page asks for older events.
    scroll_to(top + height - 500.0).await;
    assert!(near_end.get_untracked() > 0, "asked for older events");
    assert!(
        root.query_selector("li.event[data-id='audit_log-1']")
            .expect("selector")
            .is_some(),
        "the last event is rendered at the end"
    );
    // Older events appended at the end grow the list without moving what is on screen.
    let before = root.get_bounding_client_rect().top();
    events.update(|e| {
        let mut older = many(100);
        for (i, event) in older.iter_mut().enumerate() {
            event.id = format!("audit_log-older-{i}");
            event.effective_at -= 5_000 * 60;
        }
        e.extend(older);
    });
    leptos::task::tick().await;
    assert_eq!(root.get_bounding_client_rect().top(), before);
    scroll_to(0.0).await;
    root.remove();
}

#[wasm_bindgen_test]
async fn an_event_made_through_the_portal_names_its_person_beside_the_key() {
    let root = root();
    let attributions: gatehouse_app::api::Attributions = [(
        "audit_log-1".to_owned(),
        gatehouse_app::api::Attribution {
            journal_seq: 42,
            username: "alice".into(),
            role: "owner".into(),
        },
    )]
    .into();
    let by = RwSignal::new(attributions);
    let _handle = leptos::mount::mount_to(
        root.clone(),
        move || view! { <Timeline events=events() attributions=by/> },
    );
    leptos::task::tick().await;
    assert_eq!(
        texts(&root, ".portal-user"),
        vec!["alice (owner) via Gatehouse"]
    );
    let chip = root
        .query_selector("[data-id='audit_log-1'] .portal-user")
        .expect("selector")
        .expect("the key's event has the chip");
    assert_eq!(
        chip.get_attribute("href").as_deref(),
        Some("/journal?after=43")
    );
    assert!(
        root.query_selector("[data-id='audit_log-3'] .portal-user")
            .expect("selector")
            .is_none(),
        "a session's event has none"
    );
}
