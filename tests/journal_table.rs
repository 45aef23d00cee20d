//! The journal table in headless Chromium: who, from where, what, and what came of it.

#![cfg(target_arch = "wasm32")]

mod common;

use gatehouse_app::api::JournalEntry;
use gatehouse_app::pages::JournalTable;
use leptos::prelude::*;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn entry(seq: i64, phase: &str, status: Option<i64>, object_id: Option<&str>) -> JournalEntry {
    JournalEntry {
        seq,
        at: 1_790_000_000,
        phase: phase.into(),
        request_id: "abc".into(),
        username: "olive".into(),
        role: "owner".into(),
        client: "203.0.113.5".into(),
        method: "POST".into(),
        path: "/organization/projects".into(),
        body: Some(r#"{"name":"Gamma"}"#.into()),
        status,
        upstream_request_id: Some("req_1".into()),
        object_id: object_id.map(str::to_owned),
        outcome: (phase == "result").then(|| "answered".to_owned()),
        token_name: None,
        events: None,
        missing_event: false,
    }
}

#[wasm_bindgen_test]
async fn rows_name_the_person_and_the_outcome() {
    let root = common::root();
    let entries = vec![
        entry(2, "result", Some(200), Some("proj_new")),
        entry(1, "request", None, None),
    ];
    let _handle = leptos::mount::mount_to(
        root.clone(),
        move || view! { <JournalTable entries=entries.clone()/> },
    );
    leptos::task::tick().await;
    let rows = root.query_selector_all("tbody tr").expect("rows");
    assert_eq!(rows.length(), 2);
    let text = root.text_content().unwrap_or_default();
    assert!(text.contains("olive (owner)"), "{text}");
    assert!(text.contains("203.0.113.5"), "{text}");
    assert!(text.contains("POST /organization/projects"), "{text}");
    assert!(text.contains("200 · proj_new"), "{text}");
    assert!(text.contains("sent to OpenAI"), "{text}");
    assert!(text.contains("2026-09-21 14:13:20 UTC"), "{text}");
}

#[wasm_bindgen_test]
async fn a_scripts_write_names_the_person_and_the_token() {
    let root = common::root();
    let scripted = JournalEntry {
        token_name: Some("ci-onboarding".into()),
        ..entry(3, "result", Some(200), Some("proj_ci"))
    };
    let _handle = leptos::mount::mount_to(
        root.clone(),
        move || view! { <JournalTable entries=vec![scripted.clone()]/> },
    );
    leptos::task::tick().await;
    let text = root.text_content().unwrap_or_default();
    assert!(
        text.contains("olive (owner) via token \"ci-onboarding\""),
        "{text}"
    );
}

#[wasm_bindgen_test]
async fn writes_never_answered_or_never_sent_say_so() {
    let root = common::root();
    let unknown = JournalEntry {
        outcome: Some("unknown".into()),
        ..entry(3, "result", None, None)
    };
    let not_sent = JournalEntry {
        outcome: Some("not_sent".into()),
        ..entry(2, "result", None, None)
    };
    let entries = vec![unknown, not_sent];
    let _handle = leptos::mount::mount_to(
        root.clone(),
        move || view! { <JournalTable entries=entries.clone()/> },
    );
    leptos::task::tick().await;
    let outcomes = common::texts(&root, "td.outcome");
    assert_eq!(
        outcomes,
        vec![
            "no answer: it may have been made",
            "not sent: OpenAI unreachable"
        ]
    );
}

#[wasm_bindgen_test]
async fn writes_link_their_audit_events_and_a_missing_one_is_flagged() {
    let root = common::root();
    let seen = JournalEntry {
        events: Some(1),
        ..entry(4, "result", Some(200), Some("proj_seen"))
    };
    let lost = JournalEntry {
        events: Some(0),
        missing_event: true,
        ..entry(2, "result", Some(200), Some("proj_lost"))
    };
    let entries = vec![seen, lost];
    let _handle = leptos::mount::mount_to(
        root.clone(),
        move || view! { <JournalTable entries=entries.clone()/> },
    );
    leptos::task::tick().await;
    let cells = common::texts(&root, "td.audit");
    assert_eq!(cells[0], "1 event");
    assert!(
        cells[1].starts_with("No audit event after two polls"),
        "{cells:?}"
    );
    let link = root
        .query_selector("td.audit a")
        .expect("selector")
        .expect("a link");
    assert_eq!(
        link.get_attribute("href").as_deref(),
        Some("/audit-log?resource_id=proj_seen")
    );
}

#[wasm_bindgen_test]
async fn an_empty_journal_says_so() {
    let root = common::root();
    let none: Vec<JournalEntry> = Vec::new();
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! { <JournalTable entries=none.clone()/> }
    });
    leptos::task::tick().await;
    assert!(root.query_selector("table").expect("selector").is_none());
    assert_eq!(
        root.text_content().unwrap_or_default(),
        "No changes recorded."
    );
}
