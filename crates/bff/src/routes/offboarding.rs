//! `/api/offboarding/{user_id}` (the plan, and starting a run) and `/api/offboardings/{id}`
//! (a run's state, and its next step). The page calls `next` once per step, so it shows each
//! result as it comes and a Cancel stops before the next step.

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock, PoisonError};

use admin_api::ApiError;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::proxy;
use crate::offboarding::{self, JOURNAL_PATH, Next, OnFailure, Run, StepState};
use crate::{AppError, AppState, journal};

/// The offboarding routes (a signed-in person; starting and running need an owner).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/offboarding/{user_id}", get(plan).post(start))
        .route("/offboardings/{id}", get(status))
        .route("/offboardings/{id}/next", post(next))
}

async fn plan(
    State(state): State<AppState>,
    Path(user_id): Path<String>,
) -> Result<Json<offboarding::Plan>, AppError> {
    // A plan reads as much as a key-hygiene report, so it takes a turn of theirs.
    let _permit = super::hygiene::report_permit(&state)?;
    let portal_keys = state.upstream.own_key_ids().await?;
    Ok(Json(
        offboarding::plan(&state.upstream, &user_id, &portal_keys).await?,
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StartRequest {
    /// The ids of the plan's steps to run (the rest were unticked).
    steps: Vec<String>,
    #[serde(default)]
    on_failure: OnFailure,
}

fn journal_of(state: &AppState) -> Result<&std::sync::Arc<journal::Journal>, AppError> {
    state.journal.as_ref().ok_or_else(|| {
        AppError::with_status(
            StatusCode::SERVICE_UNAVAILABLE,
            "Offboarding needs the journal, which this Gatehouse runs without.",
            "journal_off",
        )
    })
}

fn invalid(message: &str, param: &str) -> AppError {
    AppError::from(ApiError::invalid_request(message, Some(param)))
}

/// `POST /api/offboarding/{user_id}`: reads the plan afresh, keeps the chosen steps (each
/// must be in it), journals it as a new offboarding and answers its state. Nothing is
/// deleted yet.
async fn start(
    State(state): State<AppState>,
    caller: proxy::Caller,
    Path(user_id): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<Run>), AppError> {
    let journal = journal_of(&state)?;
    let request: StartRequest = serde_json::from_slice(&body)
        .map_err(|e| invalid(&format!("The offboarding could not be read: {e}."), "steps"))?;
    let portal_keys = state.upstream.own_key_ids().await?;
    let plan = offboarding::plan(&state.upstream, &user_id, &portal_keys).await?;
    if plan.last_owner {
        return Err(AppError::with_status(
            StatusCode::CONFLICT,
            "This is the organization's last owner: make someone else an owner before offboarding them.",
            "last_owner",
        ));
    }
    let chosen: HashSet<&str> = request.steps.iter().map(String::as_str).collect();
    if let Some(unknown) = chosen
        .iter()
        .find(|id| plan.steps.iter().all(|s| s.id != **id))
    {
        return Err(AppError::with_status(
            StatusCode::CONFLICT,
            &format!("'{unknown}' is not in the plan any more: read the plan again."),
            "plan_changed",
        ));
    }
    let steps: Vec<offboarding::Step> = plan
        .steps
        .into_iter()
        .filter(|s| chosen.contains(s.id.as_str()))
        .collect();
    if let Some(blocked) = steps.iter().find(|s| s.blocked.is_some()) {
        return Err(invalid(
            &format!(
                "{} cannot be part of it: {}",
                blocked.label,
                blocked.blocked.clone().unwrap_or_default()
            ),
            "steps",
        ));
    }
    if steps.is_empty() {
        return Err(invalid("Choose at least one step.", "steps"));
    }
    let id = format!("off_{}", &crate::session::random_token()[..20]);
    let started = offboarding::Started {
        person: plan.person,
        on_failure: request.on_failure,
        steps,
    };
    let body = serde_json::to_value(&started).map_err(|e| AppError::internal(&e))?;
    journal
        .record_action(
            &row(&caller, &format!("{JOURNAL_PATH}/{id}"), body),
            &journal::Outcome {
                status: 201,
                object_id: Some(id.clone()),
                ..journal::Outcome::default()
            },
        )
        .await
        .map_err(|e| AppError::internal(&e))?;
    Ok((StatusCode::CREATED, Json(load(journal, &id).await?)))
}

fn row(caller: &proxy::Caller, path: &str, body: serde_json::Value) -> journal::Request {
    journal::Request {
        request_id: caller.request_id.clone(),
        username: caller.session.username.clone(),
        role: caller.session.role.as_str().to_owned(),
        client: caller.client.clone(),
        method: "POST".to_owned(),
        path: path.to_owned(),
        body: Some(body),
        token: caller.session.token.clone(),
    }
}

async fn load(journal: &journal::Journal, id: &str) -> Result<Run, AppError> {
    admin_api::ids::check(id, &["off_"], "id")?;
    let rows = journal
        .rows_about(JOURNAL_PATH, id)
        .await
        .map_err(|e| AppError::internal(&e))?;
    offboarding::from_rows(id, &rows).ok_or_else(AppError::not_found)
}

/// `GET /api/offboardings/{id}`: the plan and each step's result.
async fn status(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Run>, AppError> {
    Ok(Json(load(journal_of(&state)?, &id).await?))
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct NextRequest {
    /// Try failed steps again (the person asked to).
    #[serde(default)]
    resume: bool,
}

/// What `next` answers: the run after the step, and which step ran.
#[derive(Debug, Serialize)]
struct Stepped {
    ran: Option<String>,
    stopped: bool,
    finished: bool,
    run: Run,
}

/// The runs under way in this process: a second `next` for the same run waits its turn
/// rather than racing it. Across replicas, a step run twice finds its object gone (404) and
/// is recorded as skipped, so nothing is removed twice.
fn under_way() -> &'static Mutex<HashSet<String>> {
    static UNDER_WAY: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    UNDER_WAY.get_or_init(Mutex::default)
}

struct Claimed(String);

impl Drop for Claimed {
    fn drop(&mut self) {
        under_way()
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.0);
    }
}

/// `POST /api/offboardings/{id}/next`: runs the next step (one delete upstream, journaled
/// like every write, and its result journaled with the run), or says the run stopped on a
/// failure or is finished.
async fn next(
    State(state): State<AppState>,
    caller: proxy::Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Stepped>, AppError> {
    let journal = journal_of(&state)?;
    let request: NextRequest = if body.is_empty() {
        NextRequest::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| invalid(&format!("The request could not be read: {e}."), "resume"))?
    };
    admin_api::ids::check(&id, &["off_"], "id")?;
    // Claimed before the run is read: a second call never works from a view of it that the
    // first is about to change.
    let inserted = under_way()
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(id.clone());
    if !inserted {
        return Err(AppError::with_status(
            StatusCode::CONFLICT,
            "A step of this offboarding is running already; wait for it.",
            "step_under_way",
        ));
    }
    let _claimed = Claimed(id.clone());
    let run = load(journal, &id).await?;
    let index = match run.next(request.resume) {
        Next::Run(index) => index,
        Next::Stopped(_) => {
            return Ok(Json(Stepped {
                ran: None,
                stopped: true,
                finished: false,
                run,
            }));
        }
        Next::Finished => {
            return Ok(Json(Stepped {
                ran: None,
                stopped: false,
                finished: true,
                run,
            }));
        }
    };
    let step = run.steps[index].step.clone();
    let refusal = refusal_now(&state, &step).await?;
    let sent = match refusal {
        Some(message) => Err(message),
        None => Ok(proxy::write(&state, &caller, Method::DELETE, &step.id, None).await),
    };
    let (state_of_step, message, status) = match sent {
        // Checked again now, not only when the run started: nothing was sent.
        Err(message) => (StepState::Failed, Some(message), None),
        Ok(sent) => match sent {
            Ok(response) if response.status().is_success() => {
                (StepState::Done, None, Some(response.status().as_u16()))
            }
            Ok(response) => {
                let status = response.status();
                let message = error_message(response).await;
                // Gone already (removed by hand, or by a run on another replica): nothing
                // is left to do.
                let state = match status {
                    StatusCode::NOT_FOUND => StepState::Skipped,
                    _ => StepState::Failed,
                };
                (state, Some(message), Some(status.as_u16()))
            }
            Err(error) => (
                StepState::Failed,
                Some(error.error.message.clone()),
                Some(error.status.as_u16()),
            ),
        },
    };
    let result = offboarding::StepResult {
        step: step.id.clone(),
        state: state_of_step,
        message,
        status,
    };
    let body = serde_json::to_value(&result).map_err(|e| AppError::internal(&e))?;
    journal
        .record_action(
            &row(&caller, &format!("{JOURNAL_PATH}/{id}/steps"), body),
            &journal::Outcome {
                status: status.unwrap_or(0),
                object_id: Some(id.clone()),
                ..journal::Outcome::default()
            },
        )
        .await
        .map_err(|e| AppError::internal(&e))?;
    let run = load(journal, &id).await?;
    Ok(Json(Stepped {
        ran: Some(step.id),
        stopped: matches!(run.next(false), Next::Stopped(_)),
        finished: run.finished(),
        run,
    }))
}

/// Why `step` must not run now, if it must not: the organization's last owner is never
/// removed, and the portal's own admin key never deleted (a key rotated since the run began
/// may have become it). Checked at the moment the step runs.
async fn refusal_now(
    state: &AppState,
    step: &offboarding::Step,
) -> Result<Option<String>, AppError> {
    match step.kind {
        offboarding::StepKind::OrganizationMembership => {
            let users: Vec<admin_api::users::User> =
                state.upstream.list_all("/organization/users", &[]).await?;
            let owner = |u: &admin_api::users::User| u.role.as_deref() == Some("owner");
            let leaving = step.id.rsplit('/').next().unwrap_or_default();
            let others = users.iter().filter(|u| owner(u) && u.id != leaving).count();
            let is_owner = users.iter().any(|u| u.id == leaving && owner(u));
            Ok((is_owner && others == 0).then(|| {
                "They are now the organization's last owner: make someone else an owner, then resume."
                    .to_owned()
            }))
        }
        offboarding::StepKind::AdminKey => {
            let key = step.id.rsplit('/').next().unwrap_or_default();
            let own = state.upstream.own_key_ids().await?;
            Ok(own.iter().any(|k| k == key).then(|| {
                "Gatehouse itself now runs on this admin key; give it another key first.".to_owned()
            }))
        }
        _ => Ok(None),
    }
}

/// Upstream's words from an error answer the proxy passed on.
async fn error_message(response: axum::response::Response) -> String {
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1024 * 1024)
        .await
        .unwrap_or_default();
    crate::upstream::error_of(status, &bytes).message
}
