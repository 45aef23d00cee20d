//! `/api/hygiene`: the key-hygiene report, streamed as it is read, its CSV, and the delete of
//! one finding at a time (checked against upstream first, so nothing that changed since the
//! report is deleted).

use std::collections::HashSet;

use admin_api::ApiError;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};

use super::proxy;
use crate::hygiene::{self, Finding, Kind, Rules};
use crate::{AppError, AppState};

/// The report's routes (a session or a token may read them).
pub fn report_router() -> Router<AppState> {
    Router::new()
        .route("/hygiene", get(report))
        .route("/hygiene.csv", get(report_csv))
}

/// The delete route (a signed-in owner only, with CSRF, like every write).
pub fn delete_router() -> Router<AppState> {
    Router::new().route("/hygiene/delete", post(delete_finding))
}

/// One line of the streamed report (NDJSON).
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Line {
    /// The organization was listed: `projects` active projects will be read.
    Started {
        days: i64,
        now: i64,
        projects: usize,
        archived_projects: usize,
    },
    /// Findings outside projects (admin keys, invites).
    Organization { findings: Vec<Finding> },
    /// One more project read.
    Project {
        read: usize,
        of: usize,
        project: hygiene::ProjectRef,
        findings: Vec<Finding>,
    },
    /// A project that could not be read, in upstream's words; the report goes on.
    ProjectFailed {
        read: usize,
        of: usize,
        project: hygiene::ProjectRef,
        error: ApiError,
    },
    /// The end: `read` of `of` projects were read whole.
    Complete { read: usize, of: usize },
    /// The report stopped (the organization could not be listed).
    Failed { error: ApiError },
}

fn days_of(raw: Option<&str>) -> Result<i64, AppError> {
    let days = proxy::query(raw, |pairs| pairs.integer("days"))?;
    checked_days(days.unwrap_or(hygiene::DEFAULT_DAYS))
}

fn checked_days(days: i64) -> Result<i64, AppError> {
    if !(1..=hygiene::MAX_DAYS).contains(&days) {
        return Err(ApiError::invalid_request(
            format!("'days' must be between 1 and {}.", hygiene::MAX_DAYS),
            Some("days"),
        )
        .into());
    }
    Ok(days)
}

fn rules(days: i64) -> Rules {
    Rules {
        days,
        now: crate::journal::now(),
    }
}

/// `GET /api/hygiene?days=N`: the report as NDJSON, one line per step, so the page shows
/// "read N of M projects" while it reads.
async fn report(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let rules = rules(days_of(raw.as_deref())?);
    let permit = report_permit(&state)?;
    let (sender, receiver) = tokio::sync::mpsc::channel::<Line>(4);
    tokio::spawn(async move {
        let _permit = permit;
        // A closed channel means the browser left: stop reading.
        let _closed = read_report(&state, &rules, &sender).await;
    });
    // Fused, as every streamed body here: nothing may poll `unfold` after its end.
    let stream = futures_util::stream::unfold(receiver, |mut receiver| async move {
        let line = receiver.recv().await?;
        let mut bytes = serde_json::to_vec(&line).unwrap_or_default();
        bytes.push(b'\n');
        Some((
            Ok::<_, std::convert::Infallible>(Bytes::from(bytes)),
            receiver,
        ))
    })
    .fuse();
    let mut response = Body::from_stream(stream).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-ndjson"),
    );
    Ok(response)
}

type Sender = tokio::sync::mpsc::Sender<Line>;

/// A report's turn, or 429 when [`crate::REPORTS_AT_ONCE`] are being read already.
pub(super) fn report_permit(
    state: &AppState,
) -> Result<tokio::sync::OwnedSemaphorePermit, AppError> {
    state.reports.clone().try_acquire_owned().map_err(|_| {
        AppError::too_many(
            "Key-hygiene reports are being read already; each takes many calls to OpenAI. Try again in a few seconds.",
            "reports_busy",
            std::time::Duration::from_secs(5),
        )
    })
}

async fn read_report(state: &AppState, rules: &Rules, out: &Sender) -> Result<(), ()> {
    let send = |line: Line| async move { out.send(line).await.map_err(drop) };
    let org = match hygiene::read_org(&state.upstream).await {
        Ok(org) => org,
        Err(error) => return send(Line::Failed { error: error.error }).await,
    };
    let of = org.projects.len();
    send(Line::Started {
        days: rules.days,
        now: rules.now,
        projects: of,
        archived_projects: org.archived,
    })
    .await?;
    let mut findings = Vec::new();
    for part in [
        hygiene::read_admin_keys(&state.upstream, rules).await,
        hygiene::read_invites(&state.upstream, rules).await,
    ] {
        match part {
            Ok(found) => findings.extend(found),
            Err(error) => return send(Line::Failed { error: error.error }).await,
        }
    }
    send(Line::Organization { findings }).await?;
    let mut read = 0;
    let projects = hygiene::read_projects(
        &state.upstream,
        rules,
        &org.projects,
        &org.users,
        hygiene::PROJECTS_AT_ONCE,
    );
    futures_util::pin_mut!(projects);
    while let Some((project, result)) = projects.next().await {
        let project_ref = hygiene::ProjectRef {
            id: project.id.clone(),
            name: project.name.clone().unwrap_or_else(|| project.id.clone()),
        };
        match result {
            Ok(findings) => {
                read += 1;
                send(Line::Project {
                    read,
                    of,
                    project: project_ref,
                    findings,
                })
                .await?;
            }
            Err(error) => {
                send(Line::ProjectFailed {
                    read,
                    of,
                    project: project_ref,
                    error: error.error,
                })
                .await?;
            }
        }
    }
    send(Line::Complete { read, of }).await
}

/// `GET /api/hygiene.csv?days=N`: the whole report as CSV, or an error if any part of it
/// could not be read (a CSV that leaves out a project would look complete).
async fn report_csv(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let rules = rules(days_of(raw.as_deref())?);
    let _permit = report_permit(&state)?;
    let org = hygiene::read_org(&state.upstream).await?;
    let mut findings = hygiene::read_admin_keys(&state.upstream, &rules).await?;
    findings.extend(hygiene::read_invites(&state.upstream, &rules).await?);
    let projects = hygiene::read_projects(
        &state.upstream,
        &rules,
        &org.projects,
        &org.users,
        hygiene::PROJECTS_AT_ONCE,
    );
    futures_util::pin_mut!(projects);
    while let Some((_, result)) = projects.next().await {
        findings.extend(result?);
    }
    let body = hygiene::to_csv(&findings).map_err(|e| AppError::internal(&e))?;
    let name = format!(
        "attachment; filename=\"key-hygiene-{}-days-{}.csv\"",
        rules.days,
        crate::journal::format_time(rules.now)
            .replace([':', ' '], "-")
            .trim_end_matches('Z')
    );
    let mut response = Response::new(Body::from(body));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&name) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// What the page asks to delete: a finding as the report showed it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeleteRequest {
    kind: Kind,
    id: String,
    project_id: Option<String>,
    /// The finding's `version` in the report.
    version: String,
    /// The report's number of days.
    days: i64,
}

/// `POST /api/hygiene/delete`: deletes one finding if upstream still shows it as the report
/// did; otherwise 409 `changed_since_report`, and nothing is deleted. Never retried.
async fn delete_finding(
    State(state): State<AppState>,
    caller: proxy::Caller,
    body: Bytes,
) -> Result<Response, AppError> {
    let request: DeleteRequest = serde_json::from_slice(&body).map_err(|e| {
        AppError::from(ApiError::invalid_request(
            format!("The delete could not be read: {e}."),
            None,
        ))
    })?;
    let rules = rules(checked_days(request.days)?);
    let (current, path) = match request.kind {
        Kind::ProjectKey | Kind::ServiceAccount | Kind::ServiceAccountKey => {
            let project_id = request.project_id.as_deref().ok_or_else(|| {
                AppError::from(ApiError::invalid_request(
                    "A project's finding needs 'project_id'.",
                    Some("project_id"),
                ))
            })?;
            admin_api::ids::project_id(project_id)?;
            let project: admin_api::projects::Project = state
                .upstream
                .get_json(
                    &format!("/organization/projects/{project_id}"),
                    "",
                    "a project",
                )
                .await?;
            let users: Vec<admin_api::users::User> =
                state.upstream.list_all("/organization/users", &[]).await?;
            let users: HashSet<String> = users.into_iter().map(|u| u.id).collect();
            let found = hygiene::read_project(&state.upstream, &rules, &project, &users).await?;
            let path = match request.kind {
                Kind::ServiceAccount => {
                    admin_api::ids::service_account_id(&request.id)?;
                    format!(
                        "/organization/projects/{project_id}/service_accounts/{}",
                        request.id
                    )
                }
                _ => {
                    admin_api::ids::api_key_id(&request.id)?;
                    format!(
                        "/organization/projects/{project_id}/api_keys/{}",
                        request.id
                    )
                }
            };
            (found, path)
        }
        Kind::AdminKey => {
            admin_api::ids::admin_key_id(&request.id)?;
            let found = hygiene::read_admin_keys(&state.upstream, &rules).await?;
            // Checked afresh, as the admin-key delete route does.
            if state.upstream.own_key_ids().await?.contains(&request.id) {
                return Err(not_deletable(
                    "Gatehouse itself runs on this admin key; it is never deleted from here.",
                ));
            }
            (
                found,
                format!("/organization/admin_api_keys/{}", request.id),
            )
        }
        Kind::Invite => {
            admin_api::ids::invite_id(&request.id)?;
            let found = hygiene::read_invites(&state.upstream, &rules).await?;
            (found, format!("/organization/invites/{}", request.id))
        }
    };
    let Some(finding) = current
        .iter()
        .find(|f| f.kind == request.kind && f.id == request.id)
    else {
        return Err(changed(
            "It is no longer a finding: it was deleted, used or changed since the report, so it was left alone.",
        ));
    };
    if finding.version != request.version {
        return Err(changed(
            "It changed since the report (its use, owner or keys), so it was left alone. Read the report again to see it as it is now.",
        ));
    }
    if !finding.deletable {
        return Err(not_deletable(
            finding
                .not_deletable_because
                .as_deref()
                .unwrap_or("It cannot be deleted from here."),
        ));
    }
    proxy::write(&state, &caller, Method::DELETE, &path, None).await
}

/// The code the page reads as "skipped: changed since the report".
pub const CHANGED_SINCE_REPORT: &str = "changed_since_report";

fn changed(message: &str) -> AppError {
    AppError::with_status(StatusCode::CONFLICT, message, CHANGED_SINCE_REPORT)
}

fn not_deletable(message: &str) -> AppError {
    AppError::with_status(StatusCode::CONFLICT, message, "not_deletable")
}
