//! The users table in headless Chromium: rows, roles, and write controls only for owners.

#![cfg(target_arch = "wasm32")]

mod common;

use admin_api::users::{User, UserRole};
use common::{root, texts};
use gatehouse_app::pages::UsersTable;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn user(id: &str, name: &str, role: &str) -> User {
    User {
        object: "organization.user".into(),
        id: id.into(),
        name: Some(name.into()),
        email: Some(format!("{}@acme.example", name.to_lowercase())),
        role: Some(role.into()),
        added_at: 1_711_471_533,
    }
}

#[wasm_bindgen_test]
async fn owners_see_rows_and_write_controls() {
    let root = root();
    let users = RwSignal::new(vec![
        user("user-a", "Ada", "owner"),
        user("user-b", "Bob", "reader"),
    ]);
    let asked = RwSignal::new(None::<(String, UserRole)>);
    let on_change_role =
        Callback::new(move |(u, role): (User, UserRole)| asked.set(Some((u.id, role))));
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! { <UsersTable users=users can_write=true on_change_role=on_change_role on_delete=Callback::new(|_| ())/> }
    });
    leptos::task::tick().await;

    assert_eq!(
        texts(&root, "tbody tr td:nth-child(2)"),
        vec!["ada@acme.example", "bob@acme.example"]
    );
    assert_eq!(texts(&root, "tbody td.role"), vec!["owner", "reader"]);
    assert_eq!(
        texts(&root, "thead th"),
        vec![
            "Name",
            "Email",
            "Role",
            "Added (UTC)",
            "Projects",
            "Activity",
            "Actions"
        ]
    );
    assert_eq!(
        texts(&root, "tbody tr:first-child td:nth-child(4)"),
        vec!["2024-03-26"]
    );

    let make_owner = root
        .query_selector("button[aria-label='Make Bob an owner']")
        .expect("selector")
        .expect("Bob's role button has an accessible name");
    make_owner.unchecked_into::<web_sys::HtmlElement>().click();
    leptos::task::tick().await;
    assert_eq!(
        asked.get_untracked(),
        Some(("user-b".into(), UserRole::Owner))
    );

    // A changed role re-renders the row.
    users.update(|list| list[1].role = Some("owner".into()));
    leptos::task::tick().await;
    assert_eq!(texts(&root, "tbody td.role"), vec!["owner", "owner"]);
}

#[wasm_bindgen_test]
async fn auditors_see_no_write_controls() {
    let root = root();
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! {
            <UsersTable users=vec![user("user-a", "Ada", "owner")] can_write=false
                on_change_role=Callback::new(|_| ()) on_delete=Callback::new(|_| ())/>
        }
    });
    leptos::task::tick().await;
    assert_eq!(texts(&root, "tbody td.role"), vec!["owner"]);
    assert_eq!(
        root.query_selector_all("button")
            .expect("selector")
            .length(),
        0
    );
    assert_eq!(texts(&root, "thead th").len(), 6);
    let projects = root
        .query_selector("a[aria-label='Projects of Ada']")
        .expect("selector")
        .expect("a projects link per user");
    assert!(
        projects
            .get_attribute("href")
            .is_some_and(|h| h.starts_with("/projects?member=user-")),
        "{:?}",
        projects.get_attribute("href")
    );
    let activity = root
        .query_selector("a[aria-label='Audit log of Ada']")
        .expect("selector")
        .expect("an activity link per user");
    assert_eq!(
        activity.get_attribute("href").as_deref(),
        Some("/audit-log?actor=ada%40acme.example")
    );
}

#[wasm_bindgen_test]
async fn an_empty_page_says_so() {
    let root = root();
    let no_users: Vec<User> = Vec::new();
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! {
            <UsersTable users=no_users.clone() can_write=true
                on_change_role=Callback::new(|_| ()) on_delete=Callback::new(|_| ())/>
        }
    });
    leptos::task::tick().await;
    assert!(root.query_selector("table").expect("selector").is_none());
    assert_eq!(texts(&root, ".empty"), vec!["No users on this page."]);
}
