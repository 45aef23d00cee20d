//! Offboarding: everything a person can reach, removed in one run that is planned first,
//! journaled as one offboarding, and resumable without repeating a step.
//!
//! The plan is read from upstream (every project, every page) and runs in this order: their
//! project keys and admin keys first, so nothing keeps working while memberships are removed,
//! then their project memberships, their organization membership, and pending invites to
//! their email. The plan is journaled when the run starts; each step's result is journaled
//! beside it, so the run's state is the journal's and any replica can continue it.

use admin_api::admin_api_keys::AdminApiKey;
use admin_api::api_keys::ProjectApiKey;
use admin_api::invites::Invite;
use admin_api::project_users::ProjectUser;
use admin_api::projects::Project;
use admin_api::users::User;
use serde::{Deserialize, Serialize};

use crate::AppError;
use crate::hygiene::ProjectRef;
use crate::upstream::Upstream;

/// The journal paths of offboardings: the plan at `/api/offboardings/{id}`, each step's
/// result at `/api/offboardings/{id}/steps`.
pub const JOURNAL_PATH: &str = "/api/offboardings";

/// What a step removes, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    ProjectKey,
    AdminKey,
    ProjectMembership,
    OrganizationMembership,
    Invite,
}

/// One line of the plan: a single delete upstream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// The delete's path, which is also the step's id.
    pub id: String,
    pub kind: StepKind,
    /// What it removes, in words ("Alpha: key \"Ada's key\"").
    pub label: String,
    pub project: Option<ProjectRef>,
    /// The role they hold (memberships), or the key's last use (keys).
    pub detail: Option<String>,
    /// Why it cannot run, if it cannot (the portal's own admin key).
    pub blocked: Option<String>,
}

/// The person being offboarded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    /// Their organization role; `None` once they have left the organization.
    pub role: Option<String>,
}

/// What offboarding a person would do.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Plan {
    pub person: Person,
    /// They are the organization's only owner: offboarding them is refused.
    pub last_owner: bool,
    /// In run order.
    pub steps: Vec<Step>,
}

/// Reads the plan for `user_id` from upstream. A person who has already left the
/// organization still gets a plan: whatever keys of theirs are left (their email, and so their
/// invites, is no longer known). Every id upstream gives is checked against its pattern before
/// it goes into a delete's path.
pub async fn plan(
    upstream: &Upstream,
    user_id: &str,
    portal_keys: &[String],
) -> Result<Plan, AppError> {
    admin_api::ids::user_id(user_id)?;
    let users: Vec<User> = upstream.list_all("/organization/users", &[]).await?;
    let user = users.iter().find(|u| u.id == user_id);
    let owners = users
        .iter()
        .filter(|u| u.role.as_deref() == Some("owner"))
        .count();
    let person = Person {
        id: user_id.to_owned(),
        name: user.and_then(|u| u.name.clone()),
        email: user.and_then(|u| u.email.clone()),
        role: user.and_then(|u| u.role.clone()),
    };
    let last_owner = person.role.as_deref() == Some("owner") && owners <= 1;
    let projects: Vec<Project> = upstream.list_all("/organization/projects", &[]).await?;
    let mut steps = Vec::new();
    for project in projects {
        admin_api::ids::project_id(&project.id)?;
        let base = format!("/organization/projects/{}", project.id);
        let project_ref = ProjectRef {
            id: project.id.clone(),
            name: project.name.clone().unwrap_or_else(|| project.id.clone()),
        };
        let keys: Vec<ProjectApiKey> = upstream.list_all(&format!("{base}/api_keys"), &[]).await?;
        for key in keys
            .iter()
            .filter(|k| k.owner.user.as_ref().is_some_and(|u| u.id == user_id))
        {
            admin_api::ids::api_key_id(&key.id)?;
            steps.push(Step {
                id: format!("{base}/api_keys/{}", key.id),
                kind: StepKind::ProjectKey,
                label: format!(
                    "{}: key \"{}\" ({})",
                    project_ref.name, key.name, key.redacted_value
                ),
                project: Some(project_ref.clone()),
                detail: Some(match key.last_used_at {
                    Some(at) => format!("last used {}", day(at)),
                    None => "never used".to_owned(),
                }),
                blocked: None,
            });
        }
        let members: Vec<ProjectUser> = upstream.list_all(&format!("{base}/users"), &[]).await?;
        if let Some(member) = members.iter().find(|m| m.id == user_id) {
            steps.push(Step {
                id: format!("{base}/users/{user_id}"),
                kind: StepKind::ProjectMembership,
                label: format!("{}: membership", project_ref.name),
                project: Some(project_ref.clone()),
                detail: Some(member.role.clone()),
                blocked: None,
            });
        }
    }
    let admin_keys: Vec<AdminApiKey> = upstream
        .list_all("/organization/admin_api_keys", &[])
        .await?;
    for key in admin_keys.iter().filter(|k| k.owner.id == user_id) {
        admin_api::ids::admin_key_id(&key.id)?;
        let name = key
            .name
            .clone()
            .unwrap_or_else(|| key.redacted_value.clone());
        steps.push(Step {
            id: format!("/organization/admin_api_keys/{}", key.id),
            kind: StepKind::AdminKey,
            label: format!("Admin key \"{name}\" ({})", key.redacted_value),
            project: None,
            detail: Some(match key.last_used_at {
                Some(at) => format!("last used {}", day(at)),
                None => "never used".to_owned(),
            }),
            blocked: portal_keys.contains(&key.id).then(|| {
                "Gatehouse itself runs on this key: give it another admin key first.".to_owned()
            }),
        });
    }
    if let Some(role) = &person.role {
        steps.push(Step {
            id: format!("/organization/users/{user_id}"),
            kind: StepKind::OrganizationMembership,
            label: "Organization membership".to_owned(),
            project: None,
            detail: Some(role.clone()),
            blocked: last_owner.then(|| "They are the organization's last owner.".to_owned()),
        });
    }
    if let Some(email) = &person.email {
        let invites: Vec<Invite> = upstream.list_all("/organization/invites", &[]).await?;
        for invite in invites
            .iter()
            .filter(|i| i.status == "pending" && i.email.eq_ignore_ascii_case(email))
        {
            admin_api::ids::invite_id(&invite.id)?;
            steps.push(Step {
                id: format!("/organization/invites/{}", invite.id),
                kind: StepKind::Invite,
                label: format!("Pending invite to {} ({})", invite.email, invite.role),
                project: None,
                detail: invite.expires_at.map(|at| format!("expires {}", day(at))),
                blocked: None,
            });
        }
    }
    // Stable: within a kind, projects keep upstream's order.
    steps.sort_by_key(|s| s.kind);
    Ok(Plan {
        person,
        last_owner,
        steps,
    })
}

/// The UTC day of `at`, as the pages show dates.
fn day(at: i64) -> String {
    let time = crate::journal::format_time(at);
    format!("{} (UTC)", time.get(..10).unwrap_or(&time))
}

/// What to do when a step fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum OnFailure {
    /// Stop; the person may resume, which tries the failed step again.
    #[default]
    Stop,
    /// Go on with the next step; failed steps can be tried again at the end.
    Continue,
}

/// Where a step stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    Pending,
    Done,
    /// Nothing to do: it was already gone.
    Skipped,
    Failed,
}

/// One step and what came of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepStatus {
    #[serde(flatten)]
    pub step: Step,
    pub state: StepState,
    /// Upstream's words, for a failure or a skip.
    pub message: Option<String>,
    /// When it was done (for the audit-log link).
    pub at: Option<i64>,
}

/// An offboarding as the journal holds it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Run {
    pub id: String,
    pub person: Person,
    pub on_failure: OnFailure,
    pub started_at: i64,
    pub started_by: String,
    pub steps: Vec<StepStatus>,
}

/// What the next call should do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Run this step (its index).
    Run(usize),
    /// A step failed and the person chose to stop: nothing runs unless they resume.
    Stopped(usize),
    /// Every step is done, skipped, or (continuing past failures) failed.
    Finished,
}

impl Run {
    /// The next thing to do. `resume` tries failed steps again: the person asked for it, so
    /// it is no blind retry. Done and skipped steps never run twice.
    pub fn next(&self, resume: bool) -> Next {
        let first_failed = self.steps.iter().position(|s| s.state == StepState::Failed);
        let first_pending = self
            .steps
            .iter()
            .position(|s| s.state == StepState::Pending);
        match (self.on_failure, first_failed, first_pending) {
            (_, Some(failed), _) if resume => Next::Run(failed),
            (OnFailure::Stop, Some(failed), _) => Next::Stopped(failed),
            (_, _, Some(pending)) => Next::Run(pending),
            _ => Next::Finished,
        }
    }

    /// Whether nothing is left to run (without resuming).
    pub fn finished(&self) -> bool {
        self.next(false) == Next::Finished
    }
}

/// The plan row's body: what was chosen when the run started.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Started {
    pub person: Person,
    pub on_failure: OnFailure,
    pub steps: Vec<Step>,
}

/// A step row's body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StepResult {
    pub step: String,
    pub state: StepState,
    pub message: Option<String>,
    pub status: Option<u16>,
}

/// Rebuilds a run from its journal rows (the plan row first, then step rows in order).
pub fn from_rows(id: &str, rows: &[crate::journal::Entry]) -> Option<Run> {
    let plan_path = format!("{JOURNAL_PATH}/{id}");
    let first = rows.iter().find(|r| r.path == plan_path)?;
    let started: Started = serde_json::from_str(first.body.as_deref()?).ok()?;
    let mut steps: Vec<StepStatus> = started
        .steps
        .into_iter()
        .map(|step| StepStatus {
            step,
            state: StepState::Pending,
            message: None,
            at: None,
        })
        .collect();
    let step_path = format!("{plan_path}/steps");
    for row in rows.iter().filter(|r| r.path == step_path) {
        let Some(result) = row
            .body
            .as_deref()
            .and_then(|b| serde_json::from_str::<StepResult>(b).ok())
        else {
            continue;
        };
        if let Some(status) = steps.iter_mut().find(|s| s.step.id == result.step) {
            status.state = result.state;
            status.message = result.message;
            status.at = Some(row.at);
        }
    }
    Some(Run {
        id: id.to_owned(),
        person: started.person,
        on_failure: started.on_failure,
        started_at: first.at,
        started_by: first.username.clone(),
        steps,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(states: &[StepState], on_failure: OnFailure) -> Run {
        Run {
            id: "off_test".into(),
            person: Person {
                id: "user-x".into(),
                name: None,
                email: None,
                role: None,
            },
            on_failure,
            started_at: 0,
            started_by: "olive".into(),
            steps: states
                .iter()
                .enumerate()
                .map(|(n, state)| StepStatus {
                    step: Step {
                        id: format!("/organization/invites/invite-{n}"),
                        kind: StepKind::Invite,
                        label: String::new(),
                        project: None,
                        detail: None,
                        blocked: None,
                    },
                    state: *state,
                    message: None,
                    at: None,
                })
                .collect(),
        }
    }

    use StepState::{Done, Failed, Pending, Skipped};

    #[test]
    fn a_failure_stops_the_run_unless_the_person_chose_to_continue() {
        let stopped = run(&[Done, Failed, Pending], OnFailure::Stop);
        assert_eq!(stopped.next(false), Next::Stopped(1));
        assert_eq!(
            stopped.next(true),
            Next::Run(1),
            "resume tries the failed step"
        );
        let going_on = run(&[Done, Failed, Pending], OnFailure::Continue);
        assert_eq!(going_on.next(false), Next::Run(2));
        let at_the_end = run(&[Done, Failed, Skipped], OnFailure::Continue);
        assert_eq!(at_the_end.next(false), Next::Finished);
        assert_eq!(at_the_end.next(true), Next::Run(1));
    }

    #[test]
    fn done_and_skipped_steps_never_run_again() {
        let all_done = run(&[Done, Skipped, Done], OnFailure::Stop);
        assert_eq!(all_done.next(false), Next::Finished);
        assert_eq!(all_done.next(true), Next::Finished);
        assert!(all_done.finished());
    }
}
