//! A write's error in its form, in headless Chromium: a write that was sent but never answered
//! links the audit log to check before retrying; other errors do not.

#![cfg(target_arch = "wasm32")]

mod common;

use admin_api::ApiError;
use gatehouse_app::api::ClientError;
use gatehouse_app::components::{FormError, RECENT_AUDIT_LOG};
use leptos::prelude::*;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn api_error(status: u16, code: &str, message: &str) -> ClientError {
    ClientError::Api {
        status,
        error: ApiError::invalid_request(message, None).with_code(code),
    }
}

/// The `href` of every link in `root`.
fn links(root: &web_sys::HtmlElement) -> Vec<String> {
    let nodes = root.query_selector_all("a").expect("selector");
    (0..nodes.length())
        .filter_map(|i| nodes.item(i))
        .filter_map(|n| {
            wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(n)
                .ok()?
                .get_attribute("href")
        })
        .collect()
}

#[wasm_bindgen_test]
async fn an_unknown_outcome_links_the_audit_log_of_its_resource() {
    let root = common::root();
    let error = RwSignal::new(Some(api_error(
        504,
        "outcome_unknown",
        "OpenAI did not answer, so Gatehouse cannot tell whether this change was made.",
    )));
    let audit = RwSignal::new(Some("/audit-log?resource_id=proj_1".to_owned()));
    let _handle = leptos::mount::mount_to(
        root.clone(),
        move || view! { <FormError error=error audit=audit/> },
    );
    leptos::task::tick().await;
    assert_eq!(links(&root), vec!["/audit-log?resource_id=proj_1"]);
    let text = common::texts(&root, "[role=alert]").join(" ");
    assert!(text.contains("cannot tell whether"), "{text}");

    // Nothing was sent: safe to retry, nothing to check.
    error.set(Some(api_error(
        502,
        "upstream_unreachable",
        "OpenAI could not be reached, so nothing was sent. It is safe to retry.",
    )));
    leptos::task::tick().await;
    assert!(links(&root).is_empty());
    let text = common::texts(&root, "[role=alert]").join(" ");
    assert!(text.contains("nothing was sent"), "{text}");
}

#[wasm_bindgen_test]
async fn an_unknown_outcome_of_a_new_resource_links_the_last_hour() {
    let root = common::root();
    let error = RwSignal::new(Some(api_error(504, "outcome_unknown", "No answer.")));
    let _handle = leptos::mount::mount_to(root.clone(), move || view! { <FormError error=error/> });
    leptos::task::tick().await;
    assert_eq!(links(&root), vec![RECENT_AUDIT_LOG]);
}
