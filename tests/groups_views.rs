//! The Groups pages' parts in headless Chromium: the list's badge and links, a SCIM-managed
//! group's controls giving way to the reason, members and roles without write controls for
//! read-only views, and the create form's checks.

#![cfg(target_arch = "wasm32")]

mod common;

use admin_api::groups::{Group, GroupUser};
use admin_api::project_groups::ProjectGroup;
use admin_api::roles::AssignedRole;
use common::{element, root, texts};
use gatehouse_app::pages::{
    AssignedRolesTable, GroupActions, GroupForm, GroupMembersTable, GroupsTable,
    ProjectGroupsTable, SCIM_REASON,
};
use leptos::prelude::*;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn group(id: &str, name: &str, scim: bool) -> Group {
    Group {
        id: id.into(),
        name: name.into(),
        created_at: 1_711_471_533,
        is_scim_managed: scim,
        group_type: None,
    }
}

fn members() -> Vec<GroupUser> {
    vec![GroupUser {
        id: "user-ada".into(),
        name: "Ada".into(),
        email: Some("ada@acme.example".into()),
    }]
}

fn buttons(root: &web_sys::HtmlElement) -> u32 {
    root.query_selector_all("button")
        .expect("selector")
        .length()
}

#[wasm_bindgen_test]
async fn groups_link_to_their_page_and_say_who_manages_them() {
    let root = root();
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! { <GroupsTable groups=vec![group("group_a", "Support", false), group("group b", "Engineers", true)]/> }
    });
    leptos::task::tick().await;
    assert_eq!(texts(&root, "thead th"), ["Name", "Created (UTC)"]);
    assert_eq!(texts(&root, "tbody td a"), ["Support", "Engineers"]);
    assert_eq!(texts(&root, ".badge"), ["Identity provider"]);
    assert_eq!(texts(&root, "td.date"), ["2024-03-26", "2024-03-26"]);
    let second = element::<web_sys::Element>(&root, "tbody tr:nth-child(2) a");
    // The id travels as one path segment.
    assert_eq!(
        second.get_attribute("href").as_deref(),
        Some("/groups/group%20b")
    );
}

#[wasm_bindgen_test]
async fn a_scim_group_shows_the_reason_not_the_controls() {
    let root = root();
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! {
            <GroupActions group=group("group_s", "Engineers", true) can_write=true
                on_rename=Callback::new(|()| ()) on_delete=Callback::new(|_| ())/>
            <GroupMembersTable members=members() editable=false on_remove=Callback::new(|_| ())/>
        }
    });
    leptos::task::tick().await;
    assert_eq!(buttons(&root), 0);
    let note = texts(&root, "[role=note]").join(" ");
    assert!(note.contains(SCIM_REASON), "{note}");
    assert_eq!(texts(&root, "thead th"), ["Name", "Email"]);
    assert_eq!(texts(&root, "tbody td:first-child a"), ["Ada"]);
}

#[wasm_bindgen_test]
async fn an_owner_may_rename_delete_and_remove_in_other_groups() {
    let root = root();
    let asked = RwSignal::new(Vec::<String>::new());
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! {
            <GroupActions group=group("group_a", "Support", false) can_write=true
                on_rename=Callback::new(move |()| asked.update(|a| a.push("rename".into())))
                on_delete=Callback::new(move |g: Group| asked.update(|a| a.push(format!("delete {}", g.id))))/>
            <GroupMembersTable members=members() editable=true
                on_remove=Callback::new(move |u: GroupUser| asked.update(|a| a.push(format!("remove {}", u.id))))/>
        }
    });
    leptos::task::tick().await;
    assert!(
        root.query_selector("[role=note]")
            .expect("selector")
            .is_none()
    );
    for label in [
        "Rename Support",
        "Delete Support",
        "Remove ada@acme.example from the group",
    ] {
        element::<web_sys::HtmlElement>(&root, &format!("button[aria-label='{label}']")).click();
        leptos::task::tick().await;
    }
    assert_eq!(
        asked.get_untracked(),
        ["rename", "delete group_a", "remove user-ada"]
    );
}

#[wasm_bindgen_test]
async fn an_auditor_sees_no_group_controls() {
    let root = root();
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! {
            <GroupActions group=group("group_a", "Support", false) can_write=false
                on_rename=Callback::new(|()| ()) on_delete=Callback::new(|_| ())/>
            <AssignedRolesTable roles=vec![assigned()] can_write=false on_remove=Callback::new(|_| ())/>
            <ProjectGroupsTable groups=vec![grant()] can_write=false on_revoke=Callback::new(|_| ())/>
        }
    });
    leptos::task::tick().await;
    assert_eq!(buttons(&root), 0);
    assert_eq!(texts(&root, "td ul.permissions li"), ["api.groups.read"]);
    assert_eq!(texts(&root, "tbody td a"), ["Support"]);
}

fn assigned() -> AssignedRole {
    serde_json::from_value(serde_json::json!({
        "id": "role_g", "name": "Group reader", "permissions": ["api.groups.read"],
        "resource_type": "api.organization", "predefined_role": false
    }))
    .expect("assigned role")
}

fn grant() -> ProjectGroup {
    ProjectGroup {
        object: "project.group".into(),
        project_id: "proj_a".into(),
        group_id: "group_a".into(),
        group_name: "Support".into(),
        group_type: None,
        created_at: 1_711_471_533,
    }
}

#[wasm_bindgen_test]
async fn role_grants_stay_editable_for_owners() {
    let root = root();
    let asked = RwSignal::new(Vec::<String>::new());
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! {
            <AssignedRolesTable roles=vec![assigned()] can_write=true
                on_remove=Callback::new(move |r: AssignedRole| asked.update(|a| a.push(r.id)))/>
            <ProjectGroupsTable groups=vec![grant()] can_write=true
                on_revoke=Callback::new(move |g: ProjectGroup| asked.update(|a| a.push(g.group_id)))/>
        }
    });
    leptos::task::tick().await;
    element::<web_sys::HtmlElement>(&root, "button[aria-label='Unassign Group reader']").click();
    element::<web_sys::HtmlElement>(&root, "button[aria-label=\"Revoke Support's access\"]")
        .click();
    leptos::task::tick().await;
    assert_eq!(asked.get_untracked(), ["role_g", "group_a"]);
}

#[wasm_bindgen_test]
async fn a_blank_group_name_is_refused_in_upstreams_words() {
    let root = root();
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! { <GroupForm on_created=Callback::new(|_| ())/> }
    });
    leptos::task::tick().await;
    let name = element::<web_sys::HtmlInputElement>(&root, "#group-name");
    name.set_value("   ");
    name.dispatch_event(&web_sys::Event::new("input").expect("event"))
        .expect("dispatch");
    element::<web_sys::HtmlFormElement>(&root, "form")
        .request_submit()
        .expect("submit");
    leptos::task::tick().await;
    // Upstream's error shape: its message, and the field it is about.
    assert_eq!(
        texts(&root, ".form-error"),
        ["'name' must not be empty. (param: name)"]
    );
    assert_eq!(name.value(), "   ");
}
