//! The resource pages' components in headless Chromium: what they render, their validation
//! messages, pending states, the one-time secret's gate, and read-only views for auditors.

#![cfg(target_arch = "wasm32")]

mod common;

use admin_api::admin_api_keys::AdminApiKey;
use admin_api::invites::Invite;
use admin_api::projects::Project;
use admin_api::rate_limits::ProjectRateLimit;
use common::{element, root, texts};
use gatehouse_app::api::SessionInfo;
use gatehouse_app::app::Auth;
use gatehouse_app::components::{Secret, SecretDialog, SubmitButton, Toasts, Write};
use gatehouse_app::pages::{
    AdminKeysTable, InviteForm, InvitesTable, ProjectActions, ProjectsTable, RateLimitsTable,
    rate_limit_update,
};
use leptos::prelude::*;
use serde_json::json;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// The contexts a page finds in the shell: who is signed in, and the toasts.
fn provide_shell(role: &str) {
    provide_context(Auth {
        session: RwSignal::new(Some(SessionInfo {
            username: format!("demo-{role}"),
            role: role.to_owned(),
            csrf_token: "csrf".into(),
        })),
    });
    provide_context(Toasts::new());
}

fn invites() -> Vec<Invite> {
    serde_json::from_value(json!([
        {"object": "organization.invite", "id": "invite-1", "email": "ada@acme.example", "role": "reader",
         "status": "pending", "created_at": 1_790_000_000, "expires_at": 1_790_600_000,
         "projects": [{"id": "proj_a", "role": "member"}]},
        {"object": "organization.invite", "id": "invite-2", "email": "bob@acme.example", "role": "owner",
         "status": "accepted", "created_at": 1_789_000_000, "accepted_at": 1_789_100_000, "projects": []}
    ]))
    .expect("invites")
}

fn projects() -> Vec<Project> {
    serde_json::from_value(json!([
        {"id": "proj_a", "object": "organization.project", "name": "Alpha", "created_at": 1_700_000_000, "status": "active"},
        {"id": "proj_b", "object": "organization.project", "name": "Old", "created_at": 1_700_000_000,
         "archived_at": 1_780_000_000, "status": "archived"}
    ]))
    .expect("projects")
}

#[wasm_bindgen_test]
async fn invites_show_status_projects_and_only_the_controls_that_apply() {
    let root = root();
    let names = Signal::stored(Some(projects()));
    let accepted = RwSignal::new(Vec::<String>::new());
    let _owner = leptos::mount::mount_to(root.clone(), move || {
        view! {
            <InvitesTable invites=invites() projects=names can_write=true demo=true
                on_delete=Callback::new(|_| {})
                on_accept=Callback::new(move |i: Invite| accepted.update(|a| a.push(i.id)))/>
        }
    });
    leptos::task::tick().await;
    assert_eq!(
        texts(&root, "tbody tr:first-child td"),
        [
            "ada@acme.example",
            "reader",
            "pending",
            "2026-09-21",
            "2026-09-28",
            "Alpha (member)",
            "Simulate acceptanceDelete"
        ]
    );
    // An accepted invite can be neither accepted nor deleted again.
    assert_eq!(
        texts(&root, "tbody tr:last-child button"),
        Vec::<String>::new()
    );
    element::<web_sys::HtmlElement>(
        &root,
        "button[aria-label='Simulate acceptance by ada@acme.example']",
    )
    .click();
    assert_eq!(accepted.get_untracked(), ["invite-1"]);

    let auditor = self::root();
    let _auditor = leptos::mount::mount_to(auditor.clone(), move || {
        view! {
            <InvitesTable invites=invites() projects=names can_write=false demo=true
                on_delete=Callback::new(|_| {}) on_accept=Callback::new(|_| {})/>
        }
    });
    leptos::task::tick().await;
    assert_eq!(
        auditor
            .query_selector_all("button")
            .expect("buttons")
            .length(),
        0
    );
    assert!(!texts(&auditor, "thead th").contains(&"Actions".to_owned()));
}

#[wasm_bindgen_test]
async fn the_invite_form_explains_a_bad_email_and_keeps_what_was_typed() {
    let root = root();
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        provide_shell("owner");
        view! { <InviteForm projects=Signal::stored(Some(projects())) on_invited=Callback::new(|_| {})/> }
    });
    leptos::task::tick().await;
    let email: web_sys::HtmlInputElement = element(&root, "#invite-email");
    email.set_value("ada at acme");
    email
        .dispatch_event(&web_sys::Event::new("input").expect("event"))
        .expect("input");
    // A project row offers only projects that are not archived.
    element::<web_sys::HtmlElement>(&root, "fieldset.projects > button").click();
    leptos::task::tick().await;
    assert_eq!(
        texts(&root, "#invite-project-0 option"),
        ["Choose a project", "Alpha"]
    );
    let form: web_sys::HtmlFormElement = element(&root, "form");
    form.request_submit().expect("submit");
    leptos::task::tick().await;
    let error = texts(&root, ".form-error");
    assert_eq!(error.len(), 1);
    assert!(
        error[0].starts_with("Invalid email address: 'ada at acme'."),
        "{error:?}"
    );
    assert_eq!(
        element::<web_sys::HtmlInputElement>(&root, "#invite-email").value(),
        "ada at acme"
    );
    // A project row left empty is named in the error, too.
    email.set_value("ada@acme.example");
    email
        .dispatch_event(&web_sys::Event::new("input").expect("event"))
        .expect("input");
    form.request_submit().expect("submit");
    leptos::task::tick().await;
    let error = texts(&root, ".form-error");
    assert_eq!(error.len(), 1);
    assert!(error[0].contains("project"), "{error:?}");
}

#[wasm_bindgen_test]
async fn a_pending_write_disables_its_button_and_says_so() {
    let root = root();
    let write = Write::new();
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! { <SubmitButton write=write label="Send invite" pending_label="Inviting…"/> }
    });
    leptos::task::tick().await;
    let button: web_sys::HtmlButtonElement = element(&root, "button");
    assert!(!button.disabled());
    assert_eq!(button.text_content().as_deref(), Some("Send invite"));
    write.pending.set(true);
    leptos::task::tick().await;
    assert!(button.disabled());
    assert_eq!(button.get_attribute("aria-busy").as_deref(), Some("true"));
    assert_eq!(button.text_content().as_deref(), Some("Inviting…"));
    assert!(
        button
            .query_selector(".spinner")
            .expect("selector")
            .is_some()
    );
    // A second submit while one is pending is not sent.
    let runs = RwSignal::new(0);
    write.run(
        async move {
            runs.update(|n| *n += 1);
            Ok::<_, gatehouse_app::api::ClientError>(())
        },
        |()| {},
    );
    leptos::task::tick().await;
    assert_eq!(runs.get_untracked(), 0);
}

#[wasm_bindgen_test]
async fn the_secret_cannot_be_dismissed_until_it_is_confirmed_copied() {
    let root = root();
    let secret = RwSignal::new(Some(Secret {
        what: "API key of service account ci-bot".into(),
        value: "value-shown-once-0123456789".into(),
    }));
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! {
            {move || secret.get().map(|s| view! {
                <SecretDialog secret=s on_done=Callback::new(move |()| secret.set(None))/>
            })}
        }
    });
    leptos::task::tick().await;
    let dialog: web_sys::HtmlDialogElement = element(&root, "dialog");
    assert!(dialog.open());
    assert_eq!(
        element::<web_sys::HtmlInputElement>(&root, "#secret-value").value(),
        "value-shown-once-0123456789"
    );
    let done: web_sys::HtmlButtonElement = element(&root, "button.primary");
    assert!(done.disabled());
    // Esc (the dialog's cancel event) does not close it yet.
    let cancel = web_sys::Event::new_with_event_init_dict("cancel", &{
        let init = web_sys::EventInit::new();
        init.set_cancelable(true);
        init
    })
    .expect("event");
    dialog.dispatch_event(&cancel).expect("dispatch");
    leptos::task::tick().await;
    assert!(secret.with_untracked(Option::is_some), "still open");
    assert_eq!(texts(&root, ".form-error").len(), 1, "says why");
    element::<web_sys::HtmlElement>(&root, "input[type=checkbox]").click();
    leptos::task::tick().await;
    assert!(!done.disabled());
    done.click();
    leptos::task::tick().await;
    assert!(
        secret.with_untracked(Option::is_none),
        "the value is dropped"
    );
    assert!(root.query_selector("dialog").expect("selector").is_none());
    assert!(!root.inner_html().contains("value-shown-once"));
}

#[wasm_bindgen_test]
async fn projects_offer_rename_and_archive_to_owners_only_and_never_on_archived_ones() {
    let actions = ProjectActions {
        rename: Callback::new(|_| {}),
        archive: Callback::new(|_| {}),
    };
    let owner = root();
    let _owner = leptos::mount::mount_to(owner.clone(), move || {
        view! { <leptos_router::components::Router><ProjectsTable projects=projects() can_write=true actions=actions/></leptos_router::components::Router> }
    });
    leptos::task::tick().await;
    assert_eq!(
        texts(&owner, "tbody tr:first-child button"),
        ["Rename", "Archive"]
    );
    assert_eq!(
        texts(&owner, "tbody tr:last-child button"),
        Vec::<String>::new()
    );
    assert_eq!(
        texts(&owner, "tbody tr:last-child .status"),
        ["archived 2026-05-28"]
    );
    let auditor = root();
    let _auditor = leptos::mount::mount_to(auditor.clone(), move || {
        view! { <leptos_router::components::Router><ProjectsTable projects=projects() can_write=false actions=actions/></leptos_router::components::Router> }
    });
    leptos::task::tick().await;
    assert_eq!(
        auditor
            .query_selector_all("button")
            .expect("buttons")
            .length(),
        0
    );
}

fn limit() -> ProjectRateLimit {
    serde_json::from_value(json!({
        "object": "project.rate_limit", "id": "rl-gpt-4o", "model": "gpt-4o",
        "max_requests_per_1_minute": 500, "max_tokens_per_1_minute": 30000,
        "max_requests_per_1_day": 10000
    }))
    .expect("limit")
}

#[wasm_bindgen_test]
fn rate_limit_edits_must_be_whole_numbers_above_zero_and_send_only_changes() {
    let typed = |cells: [&str; 6]| cells.map(str::to_owned).to_vec();
    let error = rate_limit_update(&limit(), &typed(["-5", "30000", "", "", "10000", ""]))
        .expect_err("negative");
    assert_eq!(error.param.as_deref(), Some("max_requests_per_1_minute"));
    assert_eq!(
        error.message,
        "Requests / min must be a whole number above zero, not '-5'."
    );
    for bad in ["0", "1.5", "ten", " "] {
        assert!(
            rate_limit_update(&limit(), &typed([bad, "30000", "", "", "10000", ""])).is_err(),
            "{bad:?}"
        );
    }
    let update =
        rate_limit_update(&limit(), &typed(["600", "30000", "", "", "10000", ""])).expect("valid");
    assert_eq!(
        serde_json::to_value(&update).expect("json"),
        json!({"max_requests_per_1_minute": 600})
    );
    assert!(
        rate_limit_update(&limit(), &typed(["500", "30000", "", "", "10000", ""])).is_err(),
        "nothing changed is not an update"
    );
}

#[wasm_bindgen_test]
async fn rate_limits_edit_in_place_for_owners_only() {
    let owner = root();
    let _owner = leptos::mount::mount_to(owner.clone(), move || {
        provide_shell("owner");
        view! { <RateLimitsTable limits=vec![limit()] base="/organization/projects/proj_a/rate_limits".to_owned() can_write=true/> }
    });
    leptos::task::tick().await;
    assert_eq!(
        texts(&owner, "tbody td.number"),
        ["500", "30000", "—", "—", "10000", "—"]
    );
    element::<web_sys::HtmlElement>(&owner, "button[aria-label='Edit the limits of gpt-4o']")
        .click();
    leptos::task::tick().await;
    let input: web_sys::HtmlInputElement =
        element(&owner, "input[aria-label='Requests / min for gpt-4o']");
    assert_eq!(input.value(), "500");
    input.set_value("zero");
    input
        .dispatch_event(&web_sys::Event::new("input").expect("event"))
        .expect("input");
    element::<web_sys::HtmlElement>(&owner, "button[aria-label='Save the limits of gpt-4o']")
        .click();
    leptos::task::tick().await;
    let error = texts(&owner, ".form-error");
    assert_eq!(error.len(), 1);
    assert!(
        error[0].starts_with("Requests / min must be a whole number above zero, not 'zero'."),
        "{error:?}"
    );
    assert_eq!(
        element::<web_sys::HtmlInputElement>(
            &owner,
            "input[aria-label='Requests / min for gpt-4o']"
        )
        .value(),
        "zero",
        "what was typed stays"
    );

    let auditor = root();
    let _auditor = leptos::mount::mount_to(auditor.clone(), move || {
        provide_shell("auditor");
        view! { <RateLimitsTable limits=vec![limit()] base="/organization/projects/proj_a/rate_limits".to_owned() can_write=false/> }
    });
    leptos::task::tick().await;
    assert_eq!(
        auditor
            .query_selector_all("button, input")
            .expect("controls")
            .length(),
        0
    );
}

#[wasm_bindgen_test]
async fn the_portals_own_admin_key_is_marked_and_has_no_delete() {
    let keys: Vec<AdminApiKey> = serde_json::from_value(json!([
        {"object": "organization.admin_api_key", "id": "key_own", "name": "Gatehouse portal",
         "redacted_value": "sk-admin-...abcd", "created_at": 1_790_000_000,
         "owner": {"type": "user", "object": "organization.user", "id": "user-a", "name": "Ada", "created_at": 1, "role": "owner"}},
        {"object": "organization.admin_api_key", "id": "key_other", "name": "Terraform",
         "redacted_value": "sk-admin-...wxyz", "created_at": 1_790_000_000,
         "owner": {"type": "user", "object": "organization.user", "id": "user-a", "name": "Ada", "created_at": 1, "role": "owner"}}
    ]))
    .expect("keys");
    let root = root();
    let for_owner = keys.clone();
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! { <AdminKeysTable keys=for_owner.clone() in_use=vec!["key_own".to_owned()] can_write=true on_delete=Callback::new(|_| {})/> }
    });
    leptos::task::tick().await;
    assert_eq!(
        texts(&root, "tr[data-id='key_own'] .badge"),
        ["Used by this portal"]
    );
    assert!(
        root.query_selector("tr[data-id='key_own'] button")
            .expect("selector")
            .is_none()
    );
    assert_eq!(texts(&root, "tr[data-id='key_other'] button"), ["Delete"]);
    let auditor = self::root();
    let _auditor = leptos::mount::mount_to(auditor.clone(), move || {
        view! { <AdminKeysTable keys=keys.clone() in_use=Vec::new() can_write=false on_delete=Callback::new(|_| {})/> }
    });
    leptos::task::tick().await;
    assert_eq!(
        auditor
            .query_selector_all("button")
            .expect("buttons")
            .length(),
        0
    );
}

#[wasm_bindgen_test]
async fn a_simulated_acceptance_on_its_way_shows_and_blocks_its_button() {
    let root = root();
    let accepting = RwSignal::new(true);
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! {
            <InvitesTable invites=invites() projects=Signal::stored(Some(projects())) can_write=true demo=true
                on_delete=Callback::new(|_| {}) on_accept=Callback::new(|_| {}) accepting=accepting/>
        }
    });
    leptos::task::tick().await;
    let button: web_sys::HtmlButtonElement = element(
        &root,
        "button[aria-label='Simulate acceptance by ada@acme.example']",
    );
    assert!(button.disabled());
    assert_eq!(button.text_content().as_deref(), Some("Accepting…"));
    accepting.set(false);
    leptos::task::tick().await;
    assert!(!button.disabled());
    assert_eq!(
        button.text_content().as_deref(),
        Some("Simulate acceptance")
    );
}
