//! Effective access in headless Chromium: the words for each path, the filters that hide rows,
//! and the honesty line about what was read.

#![cfg(target_arch = "wasm32")]

mod common;

use admin_api::access::{Access, AccessRow, OrganizationRoleRow, Path};
use common::{root, texts};
use gatehouse_app::pages::access::{
    AccessFilter, AccessHonesty, AccessOf, AccessTable, OrganizationRolesTable, csv_href,
    honesty_line, reading_line, role_options, why,
};
use leptos::prelude::*;
use leptos_router::params::ParamsMap;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn row(user: &str, path: Path, role: Option<&str>, group: Option<&str>) -> AccessRow {
    AccessRow {
        user_id: format!("user-{user}"),
        user_name: Some(user.to_owned()),
        user_email: Some(format!("{}@acme.example", user.to_lowercase())),
        project_id: "proj_a".into(),
        project_name: "Alpha".into(),
        path,
        role: role.map(str::to_owned),
        role_name: role.map(|r| format!("Project {r}")),
        group_id: group.map(|g| format!("group_{g}")),
        group_name: group.map(str::to_owned),
    }
}

fn rows() -> Vec<AccessRow> {
    vec![
        row("Ada", Path::Direct, Some("member"), None),
        row("Bob", Path::Group, None, Some("Support")),
        row("Cy", Path::Owner, Some("owner"), None),
        row("Dee", Path::Group, Some("role_writer"), Some("Writers")),
    ]
}

fn access(complete: bool, failures: Vec<String>) -> Access {
    Access {
        object: "access.project".into(),
        id: "proj_a".into(),
        name: Some("Alpha".into()),
        rows: rows(),
        organization_roles: Vec::new(),
        archived: false,
        lists_read: if complete { 5 } else { 3 },
        lists: 5,
        complete,
        failures,
        computed_at: 1_790_000_000,
    }
}

#[wasm_bindgen_test]
async fn every_path_says_why_in_words() {
    let root = root();
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! { <AccessTable rows=rows() of=AccessOf::Project/> }
    });
    leptos::task::tick().await;
    assert_eq!(texts(&root, "thead th"), ["Person", "Role", "Why"]);
    assert_eq!(
        texts(&root, "tbody td.why"),
        [
            "directly",
            "through group Support",
            "as an organization owner",
            "through group Writers"
        ]
    );
    assert_eq!(
        texts(&root, "tbody td.role"),
        [
            "Project member",
            "Not recorded",
            "Project owner",
            "Project role_writer"
        ]
    );
    let person = common::element::<web_sys::Element>(&root, "tbody tr:first-child a");
    assert_eq!(
        person.get_attribute("href").as_deref(),
        Some("/users/user-Ada")
    );
    // Nothing filtered: no "N of M shown" line.
    assert!(texts(&root, ".count").is_empty());
}

#[wasm_bindgen_test]
async fn a_users_rows_name_the_project() {
    let root = root();
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! { <AccessTable rows=vec![row("Ada", Path::Direct, Some("owner"), None)] of=AccessOf::User/> }
    });
    leptos::task::tick().await;
    assert_eq!(texts(&root, "thead th"), ["Project", "Role", "Why"]);
    assert_eq!(texts(&root, "tbody td:first-child"), ["Alpha"]);
    let project = common::element::<web_sys::Element>(&root, "tbody a");
    assert_eq!(
        project.get_attribute("href").as_deref(),
        Some("/projects/proj_a")
    );
}

#[wasm_bindgen_test]
async fn the_filters_hide_rows() {
    let root = root();
    let filter = RwSignal::new(AccessFilter {
        role: None,
        path: Some(Path::Group),
    });
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! { {move || view! { <AccessTable rows=rows() of=AccessOf::Project filter=filter.get()/> }} }
    });
    leptos::task::tick().await;
    assert_eq!(texts(&root, "tbody tr td:first-child a"), ["Bob", "Dee"]);
    assert_eq!(
        texts(&root, ".count"),
        ["2 of 4 shown: the filters hide the rest."]
    );

    filter.set(AccessFilter {
        role: Some("role_writer".into()),
        path: Some(Path::Group),
    });
    leptos::task::tick().await;
    assert_eq!(texts(&root, "tbody tr td:first-child a"), ["Dee"]);

    filter.set(AccessFilter {
        role: Some("owner".into()),
        path: Some(Path::Direct),
    });
    leptos::task::tick().await;
    assert!(root.query_selector("table").expect("selector").is_none());
    assert_eq!(texts(&root, ".empty"), ["No access matches these filters."]);
}

#[wasm_bindgen_test]
fn the_filter_travels_in_the_url() {
    let filter = AccessFilter {
        role: Some("role_writer".into()),
        path: Some(Path::Owner),
    };
    assert_eq!(filter.to_query(), "?role=role_writer&path=owner");
    let mut query = ParamsMap::new();
    query.insert("role", "role_writer".to_owned());
    query.insert("path", "owner".to_owned());
    assert_eq!(AccessFilter::from_query(&query), filter);
    // An unknown path is no filter, not an empty table.
    let mut odd = ParamsMap::new();
    odd.insert("path", "sideways".to_owned());
    assert_eq!(AccessFilter::from_query(&odd), AccessFilter::default());
    assert_eq!(AccessFilter::default().to_query(), "");
    // The CSV carries the same filters, so the download is what the table shows.
    assert_eq!(
        csv_href("/access/projects/proj_a", &filter),
        "/api/v1/access/projects/proj_a?format=csv&role=role_writer&path=owner"
    );
    assert_eq!(
        why(&row("Ada", Path::Owner, None, None)),
        "as an organization owner"
    );
    assert_eq!(
        role_options(&rows()),
        [
            ("member".to_owned(), "Project member".to_owned()),
            ("owner".to_owned(), "Project owner".to_owned()),
            ("role_writer".to_owned(), "Project role_writer".to_owned()),
        ]
    );
}

#[wasm_bindgen_test]
async fn the_honesty_line_says_what_was_read() {
    let root = root();
    let answer = RwSignal::new(access(true, Vec::new()));
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! { {move || view! { <AccessHonesty access=answer.get()/> }} }
    });
    leptos::task::tick().await;
    assert_eq!(texts(&root, "strong"), ["Complete: every list read."]);
    assert!(
        root.query_selector(".failures")
            .expect("selector")
            .is_none()
    );

    answer.set(access(
        false,
        vec!["The members of group Support could not be read (429).".into()],
    ));
    leptos::task::tick().await;
    assert_eq!(texts(&root, "strong"), ["Incomplete: 3 of 5 lists read."]);
    assert_eq!(
        texts(&root, ".failures li"),
        ["The members of group Support could not be read (429)."]
    );
    assert_eq!(
        honesty_line(&access(false, Vec::new())),
        "Incomplete: 3 of 5 lists read."
    );
    assert!(!root.text_content().unwrap_or_default().contains("archived"));

    answer.set(Access {
        archived: true,
        rows: Vec::new(),
        ..access(true, Vec::new())
    });
    leptos::task::tick().await;
    assert!(
        root.text_content()
            .unwrap_or_default()
            .contains("This project is archived: nobody can use it"),
        "{:?}",
        root.text_content()
    );
}

#[wasm_bindgen_test]
async fn organization_roles_say_how_they_are_held() {
    let root = root();
    let roles = vec![
        OrganizationRoleRow {
            role_id: "role_1".into(),
            role_name: "Owner".into(),
            path: Path::Direct,
            group_id: None,
            group_name: None,
        },
        OrganizationRoleRow {
            role_id: "role_2".into(),
            role_name: "Group admin".into(),
            path: Path::Group,
            group_id: Some("group_s".into()),
            group_name: Some("Support".into()),
        },
    ];
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! { <OrganizationRolesTable rows=roles.clone()/> }
    });
    leptos::task::tick().await;
    assert_eq!(texts(&root, "thead th"), ["Role", "How"]);
    assert_eq!(
        texts(&root, "td.how"),
        ["directly", "through group Support"]
    );
}

#[wasm_bindgen_test]
fn the_loading_line_says_how_far_the_reading_is() {
    assert_eq!(reading_line(None), "Reading who has access…");
    assert_eq!(
        reading_line(Some((12, 30))),
        "Reading who has access… 12 of 30 lists read so far."
    );
}
