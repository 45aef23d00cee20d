//! The Key hygiene page: stale and orphaned credentials across the whole organization, read
//! by the BFF project by project (the page shows how far it got), deleted in bulk one request
//! at a time with a result per item. Auditors see the report without the delete controls.

use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::lookups::audit_link;
use crate::api::{self, ClientError, Finding, ReportLine};
use crate::app::Auth;
use crate::components::{Modal, Outcome, RunItem, RunProgress};
use crate::format::date_utc;

/// The days without use that make a key stale, unless the URL says otherwise.
const DEFAULT_DAYS: i64 = 90;

/// How far the report got.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    pub started: bool,
    pub read: usize,
    pub of: usize,
    pub archived: usize,
    pub complete: bool,
    /// Projects that could not be read, with upstream's words.
    pub failed: Vec<(String, String)>,
    pub error: Option<String>,
}

impl Progress {
    /// The progress line: honest about what is not read yet.
    pub fn line(&self) -> String {
        if let Some(error) = &self.error {
            return format!("The report stopped: {error}");
        }
        if !self.started {
            return "Reading the organization…".to_owned();
        }
        let archived = match self.archived {
            0 => String::new(),
            n => format!(" ({n} archived not read: their keys cannot be used)"),
        };
        let failed = match self.failed.len() {
            0 => String::new(),
            _ => format!(
                " Could not read: {}.",
                self.failed
                    .iter()
                    .map(|(p, m)| format!("{p} ({m})"))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        };
        match (self.complete, self.read == self.of) {
            (true, true) => format!(
                "Complete: read {} of {} projects{archived}.",
                self.read, self.of
            ),
            (true, false) => format!(
                "Incomplete: read {} of {} projects{archived}.{failed}",
                self.read, self.of
            ),
            _ => format!(
                "Reading… {} of {} projects read{archived}.",
                self.read, self.of
            ),
        }
    }
}

/// The words for a reason.
fn reason_label(reason: &str) -> &'static str {
    match reason {
        "never_used" => "never used",
        "stale" => "not used recently",
        "owner_left_organization" => "owner left the organization",
        "owner_left_project" => "owner left the project",
        "no_key" => "no key",
        "all_keys_stale" => "every key stale",
        "old" => "old",
        "no_expiry" => "never expires",
        "expired" => "expired",
        _ => "other",
    }
}

fn kind_label(kind: &str) -> &'static str {
    match kind {
        "project_key" => "Project key",
        "service_account_key" => "Service account key",
        "service_account" => "Service account",
        "admin_key" => "Admin key",
        "invite" => "Invite",
        _ => "Other",
    }
}

/// The counts at the top: one per category of the report.
pub fn category_counts(findings: &[Finding]) -> Vec<(&'static str, usize)> {
    let has =
        |f: &Finding, reasons: &[&str]| f.reasons.iter().any(|r| reasons.contains(&r.as_str()));
    let keys = |f: &Finding| matches!(f.kind.as_str(), "project_key" | "service_account_key");
    vec![
        (
            "Stale or never-used keys",
            findings
                .iter()
                .filter(|f| keys(f) && has(f, &["never_used", "stale"]))
                .count(),
        ),
        (
            "Keys of departed owners",
            findings
                .iter()
                .filter(|f| keys(f) && has(f, &["owner_left_organization", "owner_left_project"]))
                .count(),
        ),
        (
            "Service accounts without a live key",
            findings
                .iter()
                .filter(|f| f.kind == "service_account")
                .count(),
        ),
        (
            "Admin keys",
            findings.iter().filter(|f| f.kind == "admin_key").count(),
        ),
        (
            "Expired invites",
            findings.iter().filter(|f| f.kind == "invite").count(),
        ),
    ]
}

/// What deleting a finding also does, in a sentence.
pub fn consequence(finding: &Finding) -> String {
    match finding.kind.as_str() {
        "service_account" => match finding.goes_with.len() {
            0 => "The service account goes; it has no key.".to_owned(),
            1 => "The service account goes, and its key with it.".to_owned(),
            n => format!("The service account goes, and its {n} keys with it."),
        },
        "admin_key" => {
            "Every tool using it loses the organization's administration at once.".to_owned()
        }
        "project_key" => "Anything still using it stops working at once.".to_owned(),
        "invite" => "The invite link stops working.".to_owned(),
        _ => String::new(),
    }
}

/// The Key hygiene page.
#[component]
pub fn HygienePage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let query = use_query_map();
    let days = Memo::new(move |_| {
        query
            .with(|q| q.get("days"))
            .and_then(|d| d.parse::<i64>().ok())
            .filter(|d| (1..=3_650).contains(d))
            .unwrap_or(DEFAULT_DAYS)
    });
    let findings = RwSignal::new(Vec::<Finding>::new());
    let selected = RwSignal::new(BTreeSet::<String>::new());
    let progress = RwSignal::new(Progress::default());
    let generation = RwSignal::new(0_u32);
    // Which read is current: a read that is no longer current (read again, or the page left)
    // stops at its next line instead of mixing its findings into the new one.
    let current = RwSignal::new(0_u32);
    Effect::new(move |_| {
        let days = days.get();
        generation.track();
        let mine = current.get_untracked() + 1;
        current.set(mine);
        findings.set(Vec::new());
        selected.set(BTreeSet::new());
        progress.set(Progress::default());
        leptos::task::spawn_local(async move {
            let result = api::hygiene_report(days, |line| {
                let live = current.try_get_untracked() == Some(mine);
                if live {
                    apply(line, findings, progress);
                }
                live
            })
            .await;
            if let Err(error) = result
                && current.try_get_untracked() == Some(mine)
            {
                progress.update(|p| p.error = Some(error.to_string()));
            }
        });
    });
    let typed = RwSignal::new(days.get_untracked().to_string());
    let navigate = use_navigate();
    let read_again = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        match typed.get_untracked().trim().parse::<i64>() {
            Ok(n) if n == days.get_untracked() => generation.update(|g| *g += 1),
            Ok(n) if (1..=3_650).contains(&n) => {
                navigate(&format!("/hygiene?days={n}"), Default::default())
            }
            _ => typed.set(days.get_untracked().to_string()),
        }
    };
    let confirming = RwSignal::new(false);
    let items = RwSignal::new(Vec::<RunItem>::new());
    let running = RwSignal::new(false);
    let cancelled = RwSignal::new(false);
    let run_window = RwSignal::new(None::<(i64, i64)>);
    let can_write = auth.can_write();
    let chosen = move || {
        selected.with(|s| {
            findings.with(|all| {
                all.iter()
                    .filter(|f| s.contains(&f.id))
                    .cloned()
                    .collect::<Vec<_>>()
            })
        })
    };
    let start = Callback::new(move |()| {
        confirming.set(false);
        let list = chosen();
        let days = days.get_untracked();
        items.set(
            list.iter()
                .map(|f| RunItem {
                    id: f.id.clone(),
                    label: format!("{} {}", kind_label(&f.kind), f.name),
                    outcome: Outcome::Waiting,
                    audit: Some(audit_link("resource_id", &f.id)),
                })
                .collect(),
        );
        running.set(true);
        cancelled.set(false);
        let started = (js_sys::Date::now() / 1000.0) as i64;
        leptos::task::spawn_local(async move {
            for (n, finding) in list.iter().enumerate() {
                // A page left mid-run stops there too.
                if cancelled.try_get_untracked().unwrap_or(true) {
                    items.try_update(|i| {
                        i[n..].iter_mut().for_each(|x| x.outcome = Outcome::NotRun)
                    });
                    break;
                }
                items.try_update(|i| i[n].outcome = Outcome::Running);
                let request = api::FindingDelete {
                    kind: &finding.kind,
                    id: &finding.id,
                    project_id: finding.project.as_ref().map(|p| p.id.as_str()),
                    version: &finding.version,
                    days,
                };
                let outcome = match api::delete_finding(&request).await {
                    Ok(()) => Outcome::Done,
                    Err(ClientError::Api { error, .. })
                        if error.code.as_deref() == Some("changed_since_report") =>
                    {
                        Outcome::Skipped(error.message)
                    }
                    Err(error) => Outcome::Failed(error.to_string()),
                };
                if outcome == Outcome::Done {
                    findings.try_update(|all| all.retain(|f| f.id != finding.id));
                    selected.try_update(|s| s.remove(&finding.id));
                }
                items.try_update(|i| i[n].outcome = outcome);
            }
            run_window.try_set(Some((
                started - 1,
                (js_sys::Date::now() / 1000.0) as i64 + 60,
            )));
            running.try_set(false);
        });
    });
    let days_href = move || format!("/api/hygiene.csv?days={}", days.get());
    view! {
        <section aria-labelledby="hygiene-heading">
            <h1 id="hygiene-heading">"Key hygiene"</h1>
            <p class="hint">"Stale and orphaned credentials across every project, read from OpenAI now."</p>
            <form class="filters" on:submit=read_again>
                <label for="hygiene-days">"Not used for (days)"</label>
                <input id="hygiene-days" type="number" min="1" max="3650" required prop:value=typed
                    on:input=move |e| typed.set(event_target_value(&e))/>
                <button type="submit">"Read again"</button>
                <a href=days_href download="">"Download CSV"</a>
            </form>
            <p class="progress" role="status" aria-live="polite">{move || progress.with(Progress::line)}</p>
            <ul class="counts" aria-label="Findings by category">
                {move || findings.with(|f| category_counts(f)).into_iter().map(|(name, n)| view! {
                    <li><span class="n">{n}</span>" "{name}</li>
                }).collect_view()}
            </ul>
            <Show when=move || can_write.get()>
                <div class="bulk">
                    <button type="button" class="danger"
                        disabled=move || selected.with(BTreeSet::is_empty) || running.get()
                        on:click=move |_| confirming.set(true)>
                        {move || format!("Delete selected ({})…", selected.with(BTreeSet::len))}
                    </button>
                    <Show when=move || running.get()>
                        <button type="button" on:click=move |_| cancelled.set(true) disabled=move || cancelled.get()>
                            {move || if cancelled.get() { "Cancelling after this item…" } else { "Cancel" }}
                        </button>
                    </Show>
                </div>
            </Show>
            <Show when=move || !items.with(Vec::is_empty)>
                <h2>"Deleting"</h2>
                <RunProgress items=items label="Delete results"/>
                {move || run_window.get().map(|(from, to)| view! {
                    <p><a href=format!("/audit-log?range=custom&from={from}&to={to}")>"Audit-log events of this run"</a></p>
                })}
            </Show>
            <FindingsTable findings=findings selected=selected can_write=can_write/>
            // What the dialog lists is taken once, when it opens: lines still streaming in
            // neither rebuild it nor change what it says will go.
            {move || confirming.get().then(|| view! {
                <ConfirmDelete findings=untrack(chosen) on_confirm=start on_close=Callback::new(move |()| confirming.set(false))/>
            })}
        </section>
    }
}

/// Folds one line of the report into the page's state.
pub fn apply(line: ReportLine, findings: RwSignal<Vec<Finding>>, progress: RwSignal<Progress>) {
    match line {
        ReportLine::Started {
            projects,
            archived_projects,
            ..
        } => progress.update(|p| {
            p.started = true;
            p.of = projects;
            p.archived = archived_projects;
        }),
        ReportLine::Organization { findings: found } => findings.update(|f| f.extend(found)),
        ReportLine::Project {
            read,
            findings: found,
            ..
        } => {
            findings.update(|f| f.extend(found));
            progress.update(|p| p.read = read);
        }
        ReportLine::ProjectFailed { project, error, .. } => {
            progress.update(|p| p.failed.push((project.name, error.message)));
        }
        ReportLine::Complete { read, of } => progress.update(|p| {
            p.read = read;
            p.of = of;
            p.complete = true;
        }),
        ReportLine::Failed { error } => progress.update(|p| p.error = Some(error.message)),
    }
}

/// The findings, with a checkbox on each deletable one for owners.
#[component]
pub fn FindingsTable(
    #[prop(into)] findings: Signal<Vec<Finding>>,
    selected: RwSignal<BTreeSet<String>>,
    #[prop(into)] can_write: Signal<bool>,
) -> impl IntoView {
    view! {
        <Show when=move || !findings.with(Vec::is_empty)
            fallback=|| view! { <p class="empty">"No findings yet."</p> }>
            <table class="data findings">
                <caption class="visually-hidden">"Findings"</caption>
                <thead>
                    <tr>
                        <Show when=move || can_write.get()><th scope="col">"Select"</th></Show>
                        <th scope="col">"Finding"</th>
                        <th scope="col">"Why"</th>
                        <th scope="col">"Project"</th>
                        <th scope="col">"Owner"</th>
                        <th scope="col">"Created (UTC)"</th>
                        <th scope="col">"Last used (UTC)"</th>
                        <th scope="col">"Activity"</th>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || findings.get() key=|f| (f.id.clone(), f.version.clone()) let:finding>
                        <FindingRow finding=finding selected=selected can_write=can_write/>
                    </For>
                </tbody>
            </table>
        </Show>
    }
}

#[component]
fn FindingRow(
    finding: Finding,
    selected: RwSignal<BTreeSet<String>>,
    can_write: Signal<bool>,
) -> impl IntoView {
    let id = finding.id.clone();
    let checked = {
        let id = id.clone();
        move || selected.with(|s| s.contains(&id))
    };
    let toggle = {
        let id = id.clone();
        move |_| {
            selected.update(|s| {
                if !s.remove(&id) {
                    s.insert(id.clone());
                }
            });
        }
    };
    let select_label = format!("Select {} {}", kind_label(&finding.kind), finding.name);
    let why: Vec<&str> = finding.reasons.iter().map(|r| reason_label(r)).collect();
    let name = if finding.portal_key {
        format!("{} (Gatehouse's own key)", finding.name)
    } else {
        finding.name.clone()
    };
    let last_used = finding
        .last_used_at
        .map_or_else(|| "never".to_owned(), date_utc);
    let activity_label = format!("Audit log of {}", finding.name);
    let (deletable, because) = (
        finding.deletable,
        finding.not_deletable_because.clone().unwrap_or_default(),
    );
    view! {
        <tr data-kind=finding.kind.clone() data-id=finding.id.clone()>
            <Show when=move || can_write.get()>
                <td>
                    {deletable.then(|| view! {
                        <input type="checkbox" aria-label=select_label.clone() prop:checked=checked.clone() on:change=toggle.clone()/>
                    })}
                </td>
            </Show>
            <td>
                <span class="name">{name}</span>
                <span class="hint">{kind_label(&finding.kind)}</span>
                {(!deletable).then(|| view! { <span class="hint">{because.clone()}</span> })}
            </td>
            <td>{why.join(", ")}</td>
            <td>{finding.project.as_ref().map_or_else(|| "—".to_owned(), |p| p.name.clone())}</td>
            <td>{finding.owner.clone().unwrap_or_else(|| "—".into())}</td>
            <td class="date">{date_utc(finding.created_at)}</td>
            <td class="date">{last_used}</td>
            <td><a href=audit_link("resource_id", &finding.id) aria-label=activity_label>"Audit log"</a></td>
        </tr>
    }
}

/// Lists exactly what goes, and what follows from it, before anything is deleted.
#[component]
fn ConfirmDelete(
    findings: Vec<Finding>,
    on_confirm: Callback<()>,
    on_close: Callback<()>,
) -> impl IntoView {
    let count = findings.len();
    let keys_too: usize = findings.iter().map(|f| f.goes_with.len()).sum();
    view! {
        <Modal title="Delete findings" on_close=on_close>
            <p>{format!("Delete these {count}, one at a time? Nothing is retried; each shows its own result.")}</p>
            <ul class="goes">
                {findings.into_iter().map(|f| view! {
                    <li>
                        <strong>{format!("{} {}", kind_label(&f.kind), f.name)}</strong>
                        {f.project.as_ref().map(|p| format!(" in {}", p.name))}
                        <span class="hint">{format!(" — {}", consequence(&f))}</span>
                    </li>
                }).collect_view()}
            </ul>
            {(keys_too > 0).then(|| view! { <p class="hint">{format!("{keys_too} service-account keys go with their accounts.")}</p> })}
            <div class="buttons">
                <button type="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                <button type="button" class="danger" on:click=move |_| on_confirm.run(())>
                    {format!("Delete {count}")}
                </button>
            </div>
        </Modal>
    }
}
