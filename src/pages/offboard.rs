//! The Offboard page (`/users/:id/offboard`): everything a person can reach, as a plan to
//! untick from, then run one step at a time by the BFF (keys first), with a result per step,
//! a Cancel that stops before the next one, and a Resume after a failure.

use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::lookups::audit_link;
use crate::api::{self, OffboardingPlan, PlanStep};
use crate::app::Auth;
use crate::components::{ConfirmDialog, ErrorNotice, Load, Outcome, RunItem, RunProgress, Write};

/// The plan's sections, in the order the page shows them.
const SECTIONS: &[(&str, &[&str])] = &[
    ("Projects they belong to", &["project_membership"]),
    ("Keys they own", &["project_key", "admin_key"]),
    ("Organization membership", &["organization_membership"]),
    ("Pending invites to their email", &["invite"]),
];

/// "Runs 4 of 5 steps: 2 keys, 1 project membership, …": what Offboard will do.
pub fn plan_summary(steps: &[PlanStep], chosen: &BTreeSet<String>) -> String {
    let picked: Vec<&PlanStep> = steps.iter().filter(|s| chosen.contains(&s.id)).collect();
    if picked.is_empty() {
        return "Nothing is chosen: Offboard would do nothing.".to_owned();
    }
    let count = |kinds: &[&str]| {
        picked
            .iter()
            .filter(|s| kinds.contains(&s.kind.as_str()))
            .count()
    };
    let parts: Vec<String> = [
        (count(&["project_key", "admin_key"]), "key", "keys"),
        (
            count(&["project_membership"]),
            "project membership",
            "project memberships",
        ),
        (
            count(&["organization_membership"]),
            "organization membership",
            "organization memberships",
        ),
        (count(&["invite"]), "invite", "invites"),
    ]
    .into_iter()
    .filter(|(n, _, _)| *n > 0)
    .map(|(n, one, many)| format!("{n} {}", if n == 1 { one } else { many }))
    .collect();
    format!(
        "Offboard runs {} of {} steps, keys first: {}.",
        picked.len(),
        steps.len(),
        parts.join(", ")
    )
}

/// The audit-log view of what a step removes: the object's id is the path's last segment.
fn step_audit(step: &PlanStep) -> String {
    audit_link(
        "resource_id",
        step.id.rsplit('/').next().unwrap_or_default(),
    )
}

fn outcome_of(step: &PlanStep) -> Outcome {
    let message = step.message.clone().unwrap_or_default();
    match step.state.as_deref() {
        Some("done") => Outcome::Done,
        Some("failed") => Outcome::Failed(message),
        Some("skipped") => Outcome::Skipped(message),
        _ => Outcome::Waiting,
    }
}

/// The result list of a run, from its steps.
pub fn run_items(steps: &[PlanStep]) -> Vec<RunItem> {
    steps
        .iter()
        .map(|s| RunItem {
            id: s.id.clone(),
            label: s.label.clone(),
            outcome: outcome_of(s),
            audit: Some(step_audit(s)),
        })
        .collect()
}

/// The plan with a checkbox per line (blocked lines cannot be ticked) and the summary.
#[component]
pub fn PlanView(
    plan: OffboardingPlan,
    chosen: RwSignal<BTreeSet<String>>,
    /// Whether the checkboxes can be changed (owners, before the run).
    #[prop(into)]
    editable: Signal<bool>,
) -> impl IntoView {
    let steps = plan.steps.clone();
    let sections = SECTIONS
        .iter()
        .map(|(title, kinds)| {
            let lines: Vec<PlanStep> = steps.iter().filter(|s| kinds.contains(&s.kind.as_str())).cloned().collect();
            view! {
                <fieldset class="plan">
                    <legend>{*title}</legend>
                    {if lines.is_empty() {
                        view! { <p class="empty">"None."</p> }.into_any()
                    } else {
                        view! {
                            <ul>
                                {lines.into_iter().map(|step| view! { <PlanLine step=step chosen=chosen editable=editable/> }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </fieldset>
            }
        })
        .collect_view();
    let all = plan.steps;
    view! {
        {sections}
        <p class="count" role="status">{move || chosen.with(|c| plan_summary(&all, c))}</p>
    }
}

#[component]
fn PlanLine(
    step: PlanStep,
    chosen: RwSignal<BTreeSet<String>>,
    editable: Signal<bool>,
) -> impl IntoView {
    let id = step.id.clone();
    let checked = {
        let id = id.clone();
        move || chosen.with(|c| c.contains(&id))
    };
    let toggle = move |_| {
        chosen.update(|c| {
            if !c.remove(&id) {
                c.insert(id.clone());
            }
        });
    };
    let blocked = step.blocked.clone();
    let detail = step.detail.clone().map(|d| format!(" — {d}"));
    view! {
        <li>
            <label class="check">
                <input type="checkbox" prop:checked=checked on:change=toggle
                    disabled=move || blocked.is_some() || !editable.get()/>
                " " {step.label.clone()}
            </label>
            <span class="hint">{detail}</span>
            {step.blocked.clone().map(|b| view! { <span class="why">{format!(" Cannot run: {b}")}</span> })}
        </li>
    }
}

/// The Offboard page.
#[component]
pub fn OffboardPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let params = use_params_map();
    let user_id = Memo::new(move |_| params.with(|p| p.get("id")).unwrap_or_default());
    let plan = Load::new(move || {
        let id = user_id.get();
        async move { api::offboarding_plan(&id).await }
    });
    let chosen = RwSignal::new(BTreeSet::<String>::new());
    Effect::new(move |_| {
        if let Some(Ok(plan)) = plan.value.get() {
            chosen.set(
                plan.steps
                    .iter()
                    .filter(|s| s.blocked.is_none())
                    .map(|s| s.id.clone())
                    .collect(),
            );
        }
    });
    let on_failure = RwSignal::new("stop".to_owned());
    let confirming = RwSignal::new(false);
    let start_write = Write::new();
    let run_id = RwSignal::new(None::<String>);
    let items = RwSignal::new(Vec::<RunItem>::new());
    let running = RwSignal::new(false);
    let cancelled = RwSignal::new(false);
    let stopped = RwSignal::new(false);
    let finished = RwSignal::new(false);
    let run_error = RwSignal::new(None::<api::ClientError>);
    let window = RwSignal::new(None::<(i64, i64)>);
    let can_write = auth.can_write();

    // Calls `next` until the run finishes, stops on a failure, or the person cancels.
    let drive = move |id: String, mut resume: bool| {
        running.set(true);
        cancelled.set(false);
        stopped.set(false);
        run_error.set(None);
        leptos::task::spawn_local(async move {
            loop {
                // A page left mid-run stops there too.
                if cancelled.try_get_untracked().unwrap_or(true) {
                    items.try_update(|i| {
                        i.iter_mut()
                            .filter(|x| x.outcome == Outcome::Waiting)
                            .for_each(|x| x.outcome = Outcome::NotRun);
                    });
                    break;
                }
                // Shows the step under way: the first one still waiting (or failed, on resume).
                items.try_update(|i| {
                    if let Some(x) = i.iter_mut().find(|x| {
                        x.outcome == Outcome::Waiting
                            || (resume && matches!(x.outcome, Outcome::Failed(_)))
                    }) {
                        x.outcome = Outcome::Running;
                    }
                });
                match api::offboarding_next(&id, resume).await {
                    Ok(stepped) => {
                        items.try_set(run_items(&stepped.run.steps));
                        let started = stepped.run.started_at;
                        window.set(Some((
                            started - 1,
                            (js_sys::Date::now() / 1000.0) as i64 + 60,
                        )));
                        if stepped.stopped {
                            stopped.try_set(true);
                            break;
                        }
                        if stepped.finished && stepped.ran.is_none() {
                            finished.try_set(true);
                            break;
                        }
                    }
                    Err(error) => {
                        run_error.try_set(Some(error));
                        items.try_update(|i| {
                            i.iter_mut()
                                .filter(|x| x.outcome == Outcome::Running)
                                .for_each(|x| x.outcome = Outcome::Waiting);
                        });
                        break;
                    }
                }
                resume = false;
            }
            running.try_set(false);
        });
    };
    let start = Callback::new(move |()| {
        let steps: Vec<String> = chosen.get_untracked().into_iter().collect();
        let (id, policy) = (user_id.get_untracked(), on_failure.get_untracked());
        start_write.run(
            async move { api::start_offboarding(&id, &steps, &policy).await },
            move |run| {
                confirming.set(false);
                items.set(run_items(&run.steps));
                run_id.set(Some(run.id.clone()));
                drive(run.id, false);
            },
        );
    });
    let resume = move |_| {
        if let Some(id) = run_id.get_untracked() {
            finished.set(false);
            drive(id, true);
        }
    };
    let check_again = move |_| {
        run_id.set(None);
        items.set(Vec::new());
        finished.set(false);
        stopped.set(false);
        plan.reload();
    };

    view! {
        <section aria-labelledby="offboard-heading">
            {move || match plan.value.get() {
                None => view! { <h1 id="offboard-heading">"Offboard"</h1><p aria-busy="true">"Reading everything they can reach…"</p> }.into_any(),
                Some(Err(error)) => view! {
                    <h1 id="offboard-heading">"Offboard"</h1>
                    <ErrorNotice error=error.clone()/>
                }.into_any(),
                Some(Ok(plan)) => {
                    let name = plan.person.label();
                    let email = plan.person.email.clone().unwrap_or_else(|| plan.person.id.clone());
                    let empty = plan.steps.is_empty();
                    let last_owner = plan.last_owner;
                    let editable = Signal::derive(move || can_write.get() && run_id.get().is_none());
                    view! {
                        <h1 id="offboard-heading">{format!("Offboard {name}")}</h1>
                        <p class="hint">{match plan.person.role.clone() {
                            Some(role) => format!("{email}, organization {role}. Nothing changes until you press Offboard."),
                            None => format!("{email} is no longer in the organization."),
                        }}</p>
                        {last_owner.then(|| view! {
                            <p class="notice error" role="alert">"This is the organization's last owner, who cannot be offboarded. Make someone else an owner first."</p>
                        })}
                        {if empty {
                            view! { <p class="notice" role="status">"Nothing left to do: they hold no membership, key or invite."</p> }.into_any()
                        } else {
                            view! { <PlanView plan=plan.clone() chosen=chosen editable=editable/> }.into_any()
                        }}
                        <Show when=move || can_write.get() && !empty && !last_owner && run_id.get().is_none()>
                            <fieldset class="choice">
                                <legend>"If a step fails"</legend>
                                <label class="check"><input type="radio" name="on-failure" value="stop"
                                    prop:checked=move || on_failure.get() == "stop"
                                    on:change=move |_| on_failure.set("stop".into())/>" Stop there"</label>
                                <label class="check"><input type="radio" name="on-failure" value="continue"
                                    prop:checked=move || on_failure.get() == "continue"
                                    on:change=move |_| on_failure.set("continue".into())/>" Go on with the rest"</label>
                            </fieldset>
                            <button type="button" class="danger"
                                disabled=move || chosen.with(BTreeSet::is_empty)
                                on:click=move |_| { start_write.reset(); confirming.set(true); }>
                                {format!("Offboard {name}…")}
                            </button>
                        </Show>
                        {move || confirming.get().then(|| view! {
                            <ConfirmDialog title="Offboard"
                                message=chosen.with(|c| plan_summary(&plan.steps, c))
                                consequence="Each step is a delete at OpenAI and cannot be undone."
                                type_to_confirm=email.clone() confirm_label="Offboard" pending_label="Starting…"
                                write=start_write on_confirm=start on_close=Callback::new(move |()| confirming.set(false))/>
                        })}
                    }.into_any()
                }
            }}
            <Show when=move || run_id.get().is_some()>
                <h2>"Offboarding"</h2>
                <p class="hint">{move || run_id.get().map(|id| format!("Offboarding {id}, journaled as one."))}</p>
                <RunProgress items=items label="Offboarding steps"/>
                <div class="buttons">
                    <Show when=move || running.get()>
                        <button type="button" on:click=move |_| cancelled.set(true) disabled=move || cancelled.get()>
                            {move || if cancelled.get() { "Cancelling after this step…" } else { "Cancel" }}
                        </button>
                    </Show>
                    <Show when=move || !running.get() && !finished.get()>
                        <button type="button" class="primary" on:click=resume>
                            {move || if stopped.get() { "Resume (try the failed step again)" } else { "Resume" }}
                        </button>
                    </Show>
                    <Show when=move || finished.get() && items.with(|i| i.iter().any(|x| matches!(x.outcome, Outcome::Failed(_))))>
                        <button type="button" class="primary" on:click=resume>"Try the failed steps again"</button>
                    </Show>
                    <Show when=move || finished.get()>
                        <button type="button" on:click=check_again>"Check again"</button>
                    </Show>
                </div>
                {move || run_error.get().map(|e| view! { <p class="notice error" role="alert">{e.to_string()}</p> })}
                {move || window.get().map(|(from, to)| view! {
                    <p><a href=format!("/audit-log?range=custom&from={from}&to={to}")>"Audit-log events of this offboarding"</a></p>
                })}
            </Show>
        </section>
    }
}
