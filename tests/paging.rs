//! Both of upstream's ways of paging, in headless Chromium: the older lists continue after
//! their `last_id`, the newer ones after their `next`, which need not be an item's id.

#![cfg(target_arch = "wasm32")]

use admin_api::{CursorPage, ListPage};
use gatehouse_app::components::Paged;
use serde_json::json;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn each_page_says_where_the_next_begins() {
    let older: ListPage<serde_json::Value> = serde_json::from_value(json!({
        "object": "list", "data": [{"id": "user-a"}, {"id": "user-b"}],
        "first_id": "user-a", "last_id": "user-b", "has_more": true
    }))
    .expect("list page");
    assert_eq!(older.cursor().as_deref(), Some("user-b"));
    assert!(older.has_more());
    assert_eq!(older.items().len(), 2);

    let newer: CursorPage<serde_json::Value> = serde_json::from_value(json!({
        "object": "list", "data": [{"id": "group_a"}], "has_more": true, "next": "cursor_42"
    }))
    .expect("cursor page");
    assert_eq!(newer.cursor().as_deref(), Some("cursor_42"));

    let last: CursorPage<serde_json::Value> = serde_json::from_value(json!({
        "object": "list", "data": [], "has_more": false, "next": null
    }))
    .expect("last page");
    assert_eq!(last.cursor(), None);
    assert!(!last.has_more());
}

#[wasm_bindgen_test]
fn a_page_of_one_says_one() {
    use gatehouse_app::components::{CursorTrail, page_summary};
    let first = CursorTrail::default();
    assert_eq!(
        page_summary(1, "members", &first, false),
        "Page 1: 1 member, all there are."
    );
    assert_eq!(
        page_summary(2, "API keys", &first, true),
        "Page 1: 2 API keys; more on the next page."
    );
}
