//! A run of one write at a time (bulk delete, offboarding): each item's state as it goes,
//! then the result list with a count of each outcome.

use leptos::prelude::*;

/// What came of one item.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Not reached yet.
    Waiting,
    Running,
    Done,
    /// Upstream's words.
    Failed(String),
    /// Left alone, and why.
    Skipped(String),
    /// The run was cancelled or stopped before it.
    NotRun,
}

impl Outcome {
    fn label(&self) -> &'static str {
        match self {
            Self::Waiting => "Waiting",
            Self::Running => "Running…",
            Self::Done => "Done",
            Self::Failed(_) => "Failed",
            Self::Skipped(_) => "Skipped",
            Self::NotRun => "Not run",
        }
    }

    fn class(&self) -> &'static str {
        match self {
            Self::Waiting | Self::NotRun => "state idle",
            Self::Running => "state running",
            Self::Done => "state done",
            Self::Failed(_) => "state failed",
            Self::Skipped(_) => "state skipped",
        }
    }
}

/// One item of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunItem {
    pub id: String,
    pub label: String,
    pub outcome: Outcome,
    /// Its audit-log activity.
    pub audit: Option<String>,
}

/// "3 done, 1 failed, 1 skipped, 2 not run": every outcome that occurred, in that order.
pub fn run_summary(items: &[RunItem]) -> String {
    let count = |f: fn(&Outcome) -> bool| items.iter().filter(|i| f(&i.outcome)).count();
    let parts = [
        (count(|o| *o == Outcome::Done), "done"),
        (count(|o| matches!(o, Outcome::Failed(_))), "failed"),
        (count(|o| matches!(o, Outcome::Skipped(_))), "skipped"),
        (count(|o| matches!(o, Outcome::NotRun)), "not run"),
        (
            count(|o| matches!(o, Outcome::Waiting | Outcome::Running)),
            "to go",
        ),
    ];
    let text: Vec<String> = parts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, word)| format!("{n} {word}"))
        .collect();
    format!("{}.", text.join(", "))
}

/// The items of a run, each with its state, and the summary below (announced as it changes).
#[component]
pub fn RunProgress(
    /// The items, in the order they run.
    #[prop(into)]
    items: Signal<Vec<RunItem>>,
    /// The list's accessible name.
    #[prop(into)]
    label: String,
) -> impl IntoView {
    view! {
        <ol class="run" aria-label=label>
            <For each=move || items.get() key=|i| (i.id.clone(), i.outcome.clone()) let:item>
                <li data-id=item.id.clone()>
                    <span class=item.outcome.class()>{item.outcome.label()}</span>
                    " "
                    <span class="what">{item.label.clone()}</span>
                    {match &item.outcome {
                        Outcome::Failed(m) | Outcome::Skipped(m) => Some(view! { <span class="why">{format!(" — {m}")}</span> }),
                        _ => None,
                    }}
                    {(item.outcome == Outcome::Done).then(|| item.audit.clone()).flatten().map(|href| view! {
                        " " <a href=href aria-label=format!("Audit log of {}", item.label)>"Audit log"</a>
                    })}
                </li>
            </For>
        </ol>
        <p class="count" role="status">{move || items.with(|i| run_summary(i))}</p>
    }
}
