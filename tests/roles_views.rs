//! The Roles page's parts in headless Chromium: the permission vocabulary is the union of what
//! the roles name, the picker offers it and takes new ones, built-in roles are read-only, and
//! the form keeps what was typed when a check fails.

#![cfg(target_arch = "wasm32")]

mod common;

use admin_api::roles::Role;
use common::{element, root, texts};
use gatehouse_app::pages::{
    BUILT_IN_REASON, PermissionPicker, RoleForm, RolesTable, permission_vocabulary,
};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn role(id: &str, name: &str, scope: &str, built_in: bool, permissions: &[&str]) -> Role {
    Role {
        object: "role".into(),
        id: id.into(),
        name: name.into(),
        description: Some(format!("{name} role")),
        permissions: permissions.iter().map(|p| (*p).to_owned()).collect(),
        resource_type: scope.into(),
        predefined_role: built_in,
    }
}

fn roles() -> Vec<Role> {
    vec![
        role(
            "role_owner",
            "Owner",
            "api.organization",
            true,
            &["api.groups.write", "api.groups.read"],
        ),
        role(
            "role_reader",
            "Reader",
            "api.organization",
            true,
            &["api.groups.read"],
        ),
        role(
            "role_dev",
            "Developer",
            "api.project",
            false,
            &["api.models.read", "api.groups.read"],
        ),
    ]
}

fn input(el: &web_sys::HtmlInputElement, value: &str) {
    el.set_value(value);
    el.dispatch_event(&web_sys::Event::new("input").expect("event"))
        .expect("dispatch");
}

#[wasm_bindgen_test]
fn the_vocabulary_is_every_permission_once() {
    assert_eq!(
        permission_vocabulary(&roles()),
        ["api.groups.read", "api.groups.write", "api.models.read"]
    );
    assert!(permission_vocabulary(&[]).is_empty());
}

#[wasm_bindgen_test]
async fn the_picker_offers_the_union_and_takes_new_permissions() {
    let root = root();
    let vocabulary = Signal::derive(|| permission_vocabulary(&roles()));
    // A role being edited may hold a permission no other role names: it is offered too.
    let chosen = RwSignal::new(vec!["api.audit.read".to_owned()]);
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! { <PermissionPicker vocabulary=vocabulary chosen=chosen id="test"/> }
    });
    leptos::task::tick().await;
    assert_eq!(
        texts(&root, "label.check"),
        [
            "api.audit.read",
            "api.groups.read",
            "api.groups.write",
            "api.models.read"
        ]
    );
    let checked = || {
        let nodes = root
            .query_selector_all("input[type=checkbox]:checked")
            .expect("selector");
        (0..nodes.length())
            .filter_map(|i| nodes.item(i))
            .map(|n| n.unchecked_into::<web_sys::HtmlInputElement>().value())
            .collect::<Vec<_>>()
    };
    assert_eq!(checked(), ["api.audit.read"]);

    element::<web_sys::HtmlElement>(&root, "input[value='api.groups.write']").click();
    leptos::task::tick().await;
    assert_eq!(
        chosen.get_untracked(),
        ["api.audit.read", "api.groups.write"]
    );

    let field = element::<web_sys::HtmlInputElement>(&root, "#test-new-permission");
    input(&field, " api.batch.write ");
    element::<web_sys::HtmlElement>(&root, "fieldset button").click();
    leptos::task::tick().await;
    assert_eq!(
        chosen.get_untracked(),
        ["api.audit.read", "api.groups.write", "api.batch.write"]
    );
    assert!(texts(&root, "label.check").contains(&"api.batch.write".to_owned()));
    assert_eq!(checked().len(), 3);
    assert_eq!(field.value(), "");

    // Unticking takes it away again.
    element::<web_sys::HtmlElement>(&root, "input[value='api.audit.read']").click();
    leptos::task::tick().await;
    assert_eq!(
        chosen.get_untracked(),
        ["api.groups.write", "api.batch.write"]
    );
}

#[wasm_bindgen_test]
async fn built_in_roles_are_read_only_with_the_reason() {
    let root = root();
    let edited = RwSignal::new(None::<String>);
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! {
            <RolesTable roles=roles() can_write=true
                on_edit=Callback::new(move |r: Role| edited.set(Some(r.id)))
                on_delete=Callback::new(|_| ())/>
        }
    });
    leptos::task::tick().await;
    assert_eq!(
        texts(&root, "thead th"),
        [
            "Name",
            "Description",
            "Scope",
            "Kind",
            "Permissions",
            "Actions"
        ]
    );
    assert_eq!(
        texts(&root, "td.scope"),
        ["Organization", "Organization", "Project"]
    );
    assert_eq!(texts(&root, "td.kind"), ["Built-in", "Built-in", "Custom"]);
    assert_eq!(
        texts(&root, "tbody tr:first-child ul.permissions li"),
        ["api.groups.write", "api.groups.read"]
    );
    assert_eq!(
        texts(&root, "tbody tr:first-child td.actions"),
        [BUILT_IN_REASON]
    );
    assert!(
        root.query_selector("button[aria-label='Edit Owner']")
            .expect("selector")
            .is_none()
    );
    element::<web_sys::HtmlElement>(&root, "button[aria-label='Edit Developer']").click();
    leptos::task::tick().await;
    assert_eq!(edited.get_untracked().as_deref(), Some("role_dev"));
    assert!(
        root.query_selector("button[aria-label='Delete Developer']")
            .expect("selector")
            .is_some()
    );
}

#[wasm_bindgen_test]
async fn auditors_see_roles_without_controls() {
    let root = root();
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! { <RolesTable roles=roles() can_write=false on_edit=Callback::new(|_| ()) on_delete=Callback::new(|_| ())/> }
    });
    leptos::task::tick().await;
    assert_eq!(texts(&root, "thead th").len(), 5);
    assert_eq!(
        root.query_selector_all("button")
            .expect("selector")
            .length(),
        0
    );
}

#[wasm_bindgen_test]
async fn a_refused_role_keeps_what_was_typed() {
    let root = root();
    let saved = RwSignal::new(0);
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! {
            <RoleForm vocabulary=Signal::derive(|| permission_vocabulary(&roles()))
                on_saved=Callback::new(move |_| saved.update(|n| *n += 1))/>
        }
    });
    leptos::task::tick().await;
    let name = element::<web_sys::HtmlInputElement>(&root, "#role-new-name");
    input(&name, "Auditors");
    element::<web_sys::HtmlFormElement>(&root, "form")
        .request_submit()
        .expect("submit");
    leptos::task::tick().await;
    assert_eq!(
        texts(&root, ".form-error"),
        ["A role needs at least one permission. (param: permissions)"]
    );
    assert_eq!(name.value(), "Auditors");
    assert_eq!(saved.get_untracked(), 0);
}

#[wasm_bindgen_test]
async fn editing_prefills_the_form() {
    let root = root();
    let developer = roles().remove(2);
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! {
            <RoleForm role=developer.clone() vocabulary=Signal::derive(|| permission_vocabulary(&roles()))
                on_saved=Callback::new(|_| ()) on_cancel=Callback::new(|()| ())/>
        }
    });
    leptos::task::tick().await;
    assert_eq!(
        element::<web_sys::HtmlInputElement>(&root, "#role-edit-name").value(),
        "Developer"
    );
    assert_eq!(
        element::<web_sys::HtmlInputElement>(&root, "#role-edit-description").value(),
        "Developer role"
    );
    let nodes = root
        .query_selector_all("input[type=checkbox]:checked")
        .expect("selector");
    assert_eq!(nodes.length(), 2);
    assert_eq!(texts(&root, "button[type=submit]"), ["Save role"]);
}
