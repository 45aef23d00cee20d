//! What the wasm test files share: a fresh mount point and reading text back. Each test file
//! is its own crate and uses a part of this, hence the `dead_code` allowance.

#![allow(dead_code)]

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// A fresh mount point at the very top of the page, with the app's stylesheet loaded (the
/// timeline's rows have fixed heights, so the real CSS matters), scrolled to the top.
pub fn root() -> web_sys::HtmlElement {
    if document().get_element_by_id("app-css").is_none() {
        let style = document().create_element("style").expect("style");
        style.set_id("app-css");
        style.set_text_content(Some(include_str!("../../style/main.css")));
        document()
            .head()
            .expect("head")
            .append_child(&style)
            .expect("append");
    }
    let root: web_sys::HtmlElement = document()
        .create_element("div")
        .expect("div")
        .unchecked_into();
    document()
        .body()
        .expect("body")
        .prepend_with_node_1(&root)
        .expect("prepend");
    window().scroll_to_with_x_and_y(0.0, 0.0);
    root
}

/// The text of every element matching `selector`, trimmed.
pub fn texts(root: &web_sys::HtmlElement, selector: &str) -> Vec<String> {
    let nodes = root.query_selector_all(selector).expect("selector");
    (0..nodes.length())
        .filter_map(|i| nodes.item(i))
        .map(|n| n.text_content().unwrap_or_default().trim().to_owned())
        .collect()
}

/// The first element matching `selector`, as `T`.
pub fn element<T: JsCast>(root: &web_sys::HtmlElement, selector: &str) -> T {
    root.query_selector(selector)
        .expect("selector")
        .unwrap_or_else(|| panic!("no {selector}"))
        .unchecked_into()
}
