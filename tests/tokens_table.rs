//! The tokens table in headless Chromium: what each token may do, whether it still works, how
//! it was used, and a Revoke button only where there is something to revoke.

#![cfg(target_arch = "wasm32")]

mod common;

use gatehouse_app::api::TokenInfo;
use gatehouse_app::pages::TokensTable;
use leptos::prelude::*;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn token(id: &str, name: &str, status: &str) -> TokenInfo {
    TokenInfo {
        id: id.into(),
        name: name.into(),
        username: "olive".into(),
        access: "write".into(),
        allowed_from: Vec::new(),
        created_at: 1_790_000_000,
        expires_at: 1_792_592_000,
        revoked_at: (status == "revoked").then_some(1_790_100_000),
        revoked_by: (status == "revoked").then(|| "audrey".to_owned()),
        last_used_at: Some(1_790_000_600),
        last_used_from: Some("203.0.113.5".into()),
        calls: 42,
        status: status.into(),
    }
}

#[wasm_bindgen_test]
async fn rows_show_access_use_and_status_and_only_live_tokens_can_be_revoked() {
    let root = common::root();
    let ci = TokenInfo {
        allowed_from: vec!["10.0.0.0/8".into()],
        ..token("tok_1", "ci-onboarding", "active")
    };
    let tokens = vec![ci, token("tok_2", "old-cron", "revoked")];
    let asked = RwSignal::new(None::<String>);
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! {
            <TokensTable tokens=tokens.clone() show_owner=true
                on_revoke=Callback::new(move |t: TokenInfo| asked.set(Some(t.id)))/>
        }
    });
    leptos::task::tick().await;
    let text = root.text_content().unwrap_or_default();
    assert!(text.contains("ci-onboarding · from 10.0.0.0/8"), "{text}");
    assert!(
        text.contains("2026-09-21 14:23:20 UTC from 203.0.113.5"),
        "{text}"
    );
    assert!(text.contains("revoked by audrey"), "{text}");
    assert!(text.contains("42"), "{text}");
    let buttons = root.query_selector_all("button").expect("buttons");
    assert_eq!(
        buttons.length(),
        1,
        "only the live token has a Revoke button"
    );
    let button = root
        .query_selector("button[aria-label='Revoke token ci-onboarding']")
        .expect("query")
        .expect("the Revoke button names its token");
    wasm_bindgen::JsCast::unchecked_ref::<web_sys::HtmlElement>(&button).click();
    leptos::task::tick().await;
    assert_eq!(asked.get_untracked().as_deref(), Some("tok_1"));
}
