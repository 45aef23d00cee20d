//! The audit-log timeline in headless Chromium: grouped by UTC day, newest first, one sentence
//! per event with its chips, and an honest empty state.

#![cfg(target_arch = "wasm32")]

use std::collections::HashMap;

use admin_api::audit_logs::AuditLog;
use gatehouse_app::pages::Timeline;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn root() -> web_sys::HtmlElement {
    let root: web_sys::HtmlElement = document()
        .create_element("div")
        .expect("div")
        .unchecked_into();
    document()
        .body()
        .expect("body")
        .append_child(&root)
        .expect("append");
    root
}

fn texts(root: &web_sys::HtmlElement, selector: &str) -> Vec<String> {
    let nodes = root.query_selector_all(selector).expect("selector");
    (0..nodes.length())
        .filter_map(|i| nodes.item(i))
        .map(|n| n.text_content().unwrap_or_default())
        .collect()
}

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
        texts(&root, ".day-heading"),
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
    let first_chips = texts(&root, ".day:first-child li.event:first-child .chip");
    assert_eq!(
        first_chips,
        vec!["14:13:20 UTC", "session · 203.0.113.9 DE", "user.updated"]
    );
    assert_eq!(
        texts(&root, ".day:last-child li.event:last-child .chip.project"),
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
        .query_selector(".day:first-child li.event:first-child .sentence button")
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
    let headings = texts(&root, ".day-heading");
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
    assert_eq!(
        shown,
        vec!["invite.sent", "invite.accepted", "invite.deleted"]
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
