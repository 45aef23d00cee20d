//! The offboarding plan and the run's progress in headless Chromium: unticking a line changes
//! what Offboard runs, a blocked line cannot be ticked, each step shows its state as it goes,
//! and the result list counts each outcome.

#![cfg(target_arch = "wasm32")]

mod common;

use std::collections::BTreeSet;

use gatehouse_app::api::{OffboardingPlan, Person, PlanStep};
use gatehouse_app::components::{Outcome, RunItem, RunProgress};
use gatehouse_app::pages::{PlanView, run_items};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn step(id: &str, kind: &str, label: &str) -> PlanStep {
    PlanStep {
        id: id.into(),
        kind: kind.into(),
        label: label.into(),
        project: None,
        detail: None,
        blocked: None,
        state: None,
        message: None,
        at: None,
    }
}

fn plan() -> OffboardingPlan {
    OffboardingPlan {
        person: Person {
            id: "user-ken".into(),
            name: Some("Ken Thompson".into()),
            email: Some("ken@acme.example".into()),
            role: Some("reader".into()),
        },
        last_owner: false,
        steps: vec![
            step(
                "/organization/projects/proj_a/api_keys/key_a",
                "project_key",
                "Alpha: key \"Ken's key\"",
            ),
            PlanStep {
                blocked: Some("Gatehouse itself runs on this key.".into()),
                ..step(
                    "/organization/admin_api_keys/key_p",
                    "admin_key",
                    "Admin key \"Gatehouse portal\"",
                )
            },
            step(
                "/organization/projects/proj_a/users/user-ken",
                "project_membership",
                "Alpha: membership",
            ),
            step(
                "/organization/projects/proj_b/users/user-ken",
                "project_membership",
                "Search: membership",
            ),
            step(
                "/organization/users/user-ken",
                "organization_membership",
                "Organization membership",
            ),
            step(
                "/organization/invites/invite-k",
                "invite",
                "Pending invite to ken@acme.example (reader)",
            ),
        ],
    }
}

fn checkbox(root: &web_sys::HtmlElement, label: &str) -> web_sys::HtmlInputElement {
    let labels = root.query_selector_all("label").expect("labels");
    (0..labels.length())
        .filter_map(|i| labels.item(i))
        .find(|l| l.text_content().unwrap_or_default().contains(label))
        .and_then(|l| {
            l.unchecked_into::<web_sys::Element>()
                .query_selector("input")
                .ok()
                .flatten()
        })
        .map(JsCast::unchecked_into)
        .unwrap_or_else(|| panic!("no checkbox for {label}"))
}

#[wasm_bindgen_test]
async fn unticking_a_line_changes_what_offboard_runs() {
    let root = common::root();
    let plan = plan();
    let chosen = RwSignal::new(
        plan.steps
            .iter()
            .filter(|s| s.blocked.is_none())
            .map(|s| s.id.clone())
            .collect::<BTreeSet<_>>(),
    );
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! { <PlanView plan=plan.clone() chosen=chosen editable=true/> }
    });
    leptos::task::tick().await;
    let legends = common::texts(&root, "legend");
    assert_eq!(
        legends,
        [
            "Projects they belong to",
            "Keys they own",
            "Organization membership",
            "Pending invites to their email"
        ]
    );
    let summary = || common::texts(&root, "[role=status]").join(" ");
    assert_eq!(
        summary(),
        "Offboard runs 5 of 6 steps, keys first: 1 key, 2 project memberships, 1 organization membership, 1 invite."
    );
    let blocked = checkbox(&root, "Gatehouse portal");
    assert!(blocked.disabled(), "the portal's own key cannot be ticked");
    assert!(!blocked.checked());
    assert!(
        root.text_content()
            .unwrap_or_default()
            .contains("Cannot run: Gatehouse itself runs on this key.")
    );

    checkbox(&root, "Pending invite").click();
    leptos::task::tick().await;
    checkbox(&root, "Search: membership").click();
    leptos::task::tick().await;
    assert_eq!(
        summary(),
        "Offboard runs 3 of 6 steps, keys first: 1 key, 1 project membership, 1 organization membership."
    );
    assert!(
        !chosen
            .get_untracked()
            .contains("/organization/invites/invite-k")
    );
    // Ticked again, it is back.
    checkbox(&root, "Pending invite").click();
    leptos::task::tick().await;
    assert!(
        chosen
            .get_untracked()
            .contains("/organization/invites/invite-k")
    );
    assert!(summary().contains("1 invite"), "{}", summary());
}

#[wasm_bindgen_test]
async fn a_plan_that_cannot_be_changed_has_no_live_checkboxes() {
    let root = common::root();
    let plan = plan();
    let chosen = RwSignal::new(BTreeSet::from(["/organization/users/user-ken".to_owned()]));
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! { <PlanView plan=plan.clone() chosen=chosen editable=false/> }
    });
    leptos::task::tick().await;
    let boxes = root
        .query_selector_all("input[type=checkbox]")
        .expect("boxes");
    assert_eq!(boxes.length(), 6);
    for i in 0..boxes.length() {
        let input: web_sys::HtmlInputElement = boxes.item(i).expect("box").unchecked_into();
        assert!(
            input.disabled(),
            "an auditor or a running plan cannot change it"
        );
    }
}

#[wasm_bindgen_test]
async fn each_step_shows_its_state_and_the_result_list_counts_them() {
    let root = common::root();
    let item = |id: &str, outcome: Outcome| RunItem {
        id: id.into(),
        label: format!("step {id}"),
        outcome,
        audit: Some(format!("/audit-log?resource_id={id}")),
    };
    let items = RwSignal::new(vec![
        item("a", Outcome::Running),
        item("b", Outcome::Waiting),
        item("c", Outcome::Waiting),
    ]);
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! { <RunProgress items=items label="Offboarding steps"/> }
    });
    leptos::task::tick().await;
    assert_eq!(
        common::texts(&root, "li .state"),
        ["Running…", "Waiting", "Waiting"]
    );
    assert_eq!(common::texts(&root, "[role=status]"), ["3 to go."]);

    // One done, one failed in upstream's words, the last not run (cancelled).
    items.set(vec![
        item("a", Outcome::Done),
        item(
            "b",
            Outcome::Failed("You cannot remove the last owner.".into()),
        ),
        item("c", Outcome::NotRun),
    ]);
    leptos::task::tick().await;
    assert_eq!(
        common::texts(&root, "li .state"),
        ["Done", "Failed", "Not run"]
    );
    let text = root.text_content().unwrap_or_default();
    assert!(
        text.contains("step b — You cannot remove the last owner."),
        "{text}"
    );
    assert_eq!(
        common::texts(&root, "[role=status]"),
        ["1 done, 1 failed, 1 not run."]
    );
    // Only what was done links its audit-log events.
    let links = root.query_selector_all("a").expect("links");
    assert_eq!(links.length(), 1);
    let link: web_sys::HtmlAnchorElement = links.item(0).expect("link").unchecked_into();
    assert_eq!(
        link.get_attribute("href").as_deref(),
        Some("/audit-log?resource_id=a")
    );
    assert_eq!(
        link.get_attribute("aria-label").as_deref(),
        Some("Audit log of step a")
    );
}

#[wasm_bindgen_test]
fn a_runs_steps_become_result_items_with_their_audit_links() {
    let mut done = step(
        "/organization/projects/proj_a/api_keys/key_a",
        "project_key",
        "Alpha key",
    );
    done.state = Some("done".into());
    let mut skipped = step("/organization/invites/invite-k", "invite", "Invite");
    skipped.state = Some("skipped".into());
    skipped.message = Some("Already gone".into());
    let items = run_items(&[done, skipped]);
    assert_eq!(items[0].outcome, Outcome::Done);
    assert_eq!(
        items[0].audit.as_deref(),
        Some("/audit-log?resource_id=key_a")
    );
    assert_eq!(items[1].outcome, Outcome::Skipped("Already gone".into()));
}
