//! The key-hygiene report's parts in headless Chromium: the progress line stays honest until
//! the report is complete, each category is counted, a finding that cannot be deleted offers no
//! checkbox, and an auditor gets none at all.

#![cfg(target_arch = "wasm32")]

mod common;

use std::collections::BTreeSet;

use admin_api::ApiError;
use gatehouse_app::api::{Finding, ProjectRef, ReportLine};
use gatehouse_app::pages::{
    FindingsTable, Progress, apply_report_line, category_counts, consequence,
};
use leptos::prelude::*;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn finding(id: &str, kind: &str, reasons: &[&str]) -> Finding {
    Finding {
        kind: kind.into(),
        id: id.into(),
        name: format!("name of {id}"),
        reasons: reasons.iter().map(|r| (*r).to_owned()).collect(),
        project: Some(ProjectRef {
            id: "proj_a".into(),
            name: "Alpha".into(),
        }),
        owner: Some("Ken Thompson <ken@acme.example>".into()),
        owner_id: Some("user-ken".into()),
        created_at: 1_780_000_000,
        last_used_at: None,
        expires_at: None,
        portal_key: false,
        deletable: kind != "service_account_key",
        not_deletable_because: (kind == "service_account_key")
            .then(|| "OpenAI deletes it with its account.".to_owned()),
        goes_with: if kind == "service_account" {
            vec!["key_1".into(), "key_2".into()]
        } else {
            Vec::new()
        },
        version: "v1".into(),
    }
}

fn project(n: usize) -> ProjectRef {
    ProjectRef {
        id: format!("proj_{n}"),
        name: format!("Project {n}"),
    }
}

#[wasm_bindgen_test]
fn the_progress_line_says_how_far_the_report_got() {
    let _owner = Owner::new();
    let findings = RwSignal::new(Vec::new());
    let progress = RwSignal::new(Progress::default());
    assert_eq!(progress.get_untracked().line(), "Reading the organization…");
    apply_report_line(
        ReportLine::Started {
            days: 90,
            now: 0,
            projects: 3,
            archived_projects: 2,
        },
        findings,
        progress,
    );
    apply_report_line(
        ReportLine::Project {
            read: 1,
            of: 3,
            project: project(1),
            findings: vec![finding("key_a", "project_key", &["stale"])],
        },
        findings,
        progress,
    );
    assert_eq!(
        progress.get_untracked().line(),
        "Reading… 1 of 3 projects read (2 archived not read: their keys cannot be used)."
    );
    apply_report_line(
        ReportLine::ProjectFailed {
            read: 1,
            of: 3,
            project: project(2),
            error: ApiError::invalid_request("Rate limit reached", None),
        },
        findings,
        progress,
    );
    apply_report_line(
        ReportLine::Project {
            read: 2,
            of: 3,
            project: project(3),
            findings: Vec::new(),
        },
        findings,
        progress,
    );
    apply_report_line(ReportLine::Complete { read: 2, of: 3 }, findings, progress);
    assert_eq!(
        progress.get_untracked().line(),
        "Incomplete: read 2 of 3 projects (2 archived not read: their keys cannot be used). Could not read: Project 2 (Rate limit reached)."
    );
    assert_eq!(findings.get_untracked().len(), 1);
}

#[wasm_bindgen_test]
fn each_category_is_counted_and_consequences_are_spelled_out() {
    let all = vec![
        finding("key_a", "project_key", &["stale"]),
        finding("key_b", "service_account_key", &["never_used"]),
        finding("key_c", "project_key", &["owner_left_project"]),
        finding("svc_a", "service_account", &["all_keys_stale"]),
        finding("key_d", "admin_key", &["old", "no_expiry"]),
        finding("invite-a", "invite", &["expired"]),
    ];
    assert_eq!(
        category_counts(&all),
        [
            ("Stale or never-used keys", 2),
            ("Keys of departed owners", 1),
            ("Service accounts without a live key", 1),
            ("Admin keys", 1),
            ("Expired invites", 1),
        ]
    );
    assert_eq!(
        consequence(&all[3]),
        "The service account goes, and its 2 keys with it."
    );
}

#[wasm_bindgen_test]
async fn owners_tick_deletable_findings_and_auditors_tick_nothing() {
    let root = common::root();
    let findings = vec![
        finding("key_a", "project_key", &["stale"]),
        finding("key_b", "service_account_key", &["never_used"]),
    ];
    let selected = RwSignal::new(BTreeSet::new());
    let can_write = RwSignal::new(true);
    let shown = findings.clone();
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! { <FindingsTable findings=shown.clone() selected=selected can_write=can_write/> }
    });
    leptos::task::tick().await;
    let boxes = root
        .query_selector_all("input[type=checkbox]")
        .expect("boxes");
    assert_eq!(
        boxes.length(),
        1,
        "the service account's key alone cannot be deleted"
    );
    let text = root.text_content().unwrap_or_default();
    assert!(
        text.contains("OpenAI deletes it with its account."),
        "{text}"
    );
    let tick: web_sys::HtmlInputElement = common::element(
        &root,
        "input[aria-label='Select Project key name of key_a']",
    );
    tick.click();
    leptos::task::tick().await;
    assert_eq!(
        selected.get_untracked(),
        BTreeSet::from(["key_a".to_owned()])
    );
    let link: web_sys::HtmlAnchorElement = common::element(&root, "tr[data-id='key_a'] a");
    assert_eq!(
        link.get_attribute("href").as_deref(),
        Some("/audit-log?resource_id=key_a")
    );

    can_write.set(false);
    leptos::task::tick().await;
    assert_eq!(
        root.query_selector_all("input[type=checkbox]")
            .expect("boxes")
            .length(),
        0
    );
    let headers = common::texts(&root, "th");
    assert!(!headers.contains(&"Select".to_owned()), "{headers:?}");
}
