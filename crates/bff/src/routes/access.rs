//! `/api/v1/access/users/{user_id}` and `/api/v1/access/projects/{project_id}`: effective
//! access (see [`crate::access`]), as JSON or, with `format=csv`, as a spreadsheet. Owners,
//! auditors and tokens may read it; `path` and `role` filter the rows, `refresh=true` reads
//! upstream again.

use admin_api::ApiError;
use admin_api::access::{Access, AccessRow, Path as AccessPath};
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::StreamExt;

use super::proxy;
use crate::access::{self, Subject};
use crate::{AppError, AppState};

/// The effective-access routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/access/users/{user_id}", get(of_user))
        .route("/access/projects/{project_id}", get(of_project))
}

/// What the query asks.
#[derive(Debug, Default)]
struct Ask {
    csv: bool,
    refresh: bool,
    /// Stream NDJSON: progress lines while reading, then the answer.
    progress: bool,
    path: Option<AccessPath>,
    role: Option<String>,
}

fn ask(raw: Option<&str>) -> Result<Ask, AppError> {
    proxy::query(raw, |pairs| {
        let csv = match pairs.one("format")?.as_deref() {
            None | Some("json") => false,
            Some("csv") => true,
            Some(other) => {
                return Err(ApiError::invalid_request(
                    format!("Invalid 'format': '{other}'. It must be json or csv."),
                    Some("format"),
                ));
            }
        };
        let refresh = pairs.flag("refresh")?;
        let progress = pairs.flag("progress")?;
        let path = pairs
            .one("path")?
            .map(|p| {
                AccessPath::parse(&p).ok_or_else(|| {
                    ApiError::invalid_request(
                        format!("Invalid 'path': '{p}'. It must be direct, group or owner."),
                        Some("path"),
                    )
                })
            })
            .transpose()?;
        let role = pairs.one("role")?;
        Ok(Ask {
            csv,
            refresh,
            progress,
            path,
            role,
        })
    })
}

async fn of_user(
    State(state): State<AppState>,
    Path(user_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    admin_api::ids::user_id(&user_id)?;
    answer(&state, Subject::User(user_id), raw.as_deref()).await
}

async fn of_project(
    State(state): State<AppState>,
    Path(project_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    admin_api::ids::project_id(&project_id)?;
    answer(&state, Subject::Project(project_id), raw.as_deref()).await
}

async fn answer(
    state: &AppState,
    subject: Subject,
    raw: Option<&str>,
) -> Result<Response, AppError> {
    let ask = ask(raw)?;
    if ask.progress {
        if ask.csv {
            return Err(ApiError::invalid_request(
                "'progress' streams JSON lines; a CSV comes whole.",
                Some("progress"),
            )
            .into());
        }
        return Ok(streamed(state.clone(), subject, ask));
    }
    let sources = access::Sources {
        upstream: &state.upstream,
        journal: state.journal.as_deref(),
        cache: &state.access,
        permits: &state.reports,
        progress: None,
    };
    let access = filtered(access::access(sources, &subject, ask.refresh).await?, &ask);
    if ask.csv {
        return Ok(csv(&access));
    }
    Ok(axum::Json(access).into_response())
}

/// The rows the filters keep.
fn filtered(mut access: Access, ask: &Ask) -> Access {
    access.rows.retain(|row| {
        ask.path.is_none_or(|path| row.path == path)
            && ask.role.as_deref().is_none_or(|role| {
                row.role.as_deref() == Some(role) || row.role_name.as_deref() == Some(role)
            })
    });
    access
}

/// One line of a streamed answer (`progress=true`, NDJSON).
#[derive(Debug, serde::Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Line {
    /// `lists_read` of the `lists` known so far.
    Progress(access::Progress),
    /// The answer.
    Done { access: Access },
    /// No answer: upstream's error, in its words, and the status it would have had.
    Failed { status: u16, error: ApiError },
}

/// The answer as NDJSON: a `progress` line as each list is read, then `done` or `failed`. The
/// reading goes on if the browser leaves (what it read is cached for the next ask).
fn streamed(state: AppState, subject: Subject, ask: Ask) -> Response {
    let (lines, receiver) = tokio::sync::mpsc::channel::<Line>(16);
    let (progress, mut steps) = tokio::sync::mpsc::channel::<access::Progress>(16);
    tokio::spawn(async move {
        let relay = {
            let lines = lines.clone();
            tokio::spawn(async move {
                while let Some(step) = steps.recv().await {
                    if lines.send(Line::Progress(step)).await.is_err() {
                        break;
                    }
                }
            })
        };
        let sources = access::Sources {
            upstream: &state.upstream,
            journal: state.journal.as_deref(),
            cache: &state.access,
            permits: &state.reports,
            progress: Some(progress),
        };
        let result = access::access(sources, &subject, ask.refresh).await;
        // Every progress line goes out before the last one.
        let _relayed = relay.await;
        let last = match result {
            Ok(access) => Line::Done {
                access: filtered(access, &ask),
            },
            Err(error) => Line::Failed {
                status: error.status.as_u16(),
                error: error.error,
            },
        };
        let _gone = lines.send(last).await;
    });
    // Fused, as every streamed body here: nothing may poll `unfold` after its end.
    let stream = futures_util::stream::unfold(receiver, |mut receiver| async move {
        let line = receiver.recv().await?;
        let mut bytes = serde_json::to_vec(&line).unwrap_or_default();
        bytes.push(b'\n');
        Some((
            Ok::<_, std::convert::Infallible>(axum::body::Bytes::from(bytes)),
            receiver,
        ))
    })
    .fuse();
    let mut response = axum::body::Body::from_stream(stream).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-ndjson"),
    );
    response
}

/// Why a row reaches its project, in words.
pub fn why(row: &AccessRow) -> String {
    match row.path {
        AccessPath::Owner => "as an organization owner".to_owned(),
        AccessPath::Direct => "directly".to_owned(),
        AccessPath::Group => through(row.group_name.as_deref(), row.group_id.as_deref()),
    }
}

/// "through group G", by its name where known.
fn through(name: Option<&str>, id: Option<&str>) -> String {
    format!("through group {}", name.or(id).unwrap_or("?"))
}

/// One row per path to a project, then (for a user) one per organization role. The file's
/// name says when the answer is incomplete.
fn csv(access: &Access) -> Response {
    let header = [
        "scope",
        "user_id",
        "user_name",
        "user_email",
        "project_id",
        "project_name",
        "role",
        "role_name",
        "path",
        "why",
        "group_id",
        "group_name",
    ];
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record(header);
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    for row in &access.rows {
        let record = [
            "project".to_owned(),
            row.user_id.clone(),
            text(&row.user_name),
            text(&row.user_email),
            row.project_id.clone(),
            row.project_name.clone(),
            text(&row.role),
            text(&row.role_name),
            row.path.as_str().to_owned(),
            why(row),
            text(&row.group_id),
            text(&row.group_name),
        ];
        let _ = writer.write_record(record.map(super::export::neutralise));
    }
    for role in &access.organization_roles {
        let how = match role.path {
            AccessPath::Group => through(role.group_name.as_deref(), role.group_id.as_deref()),
            _ => "directly".to_owned(),
        };
        let record = [
            "organization".to_owned(),
            access.id.clone(),
            text(&access.name),
            String::new(),
            String::new(),
            String::new(),
            role.role_id.clone(),
            role.role_name.clone(),
            role.path.as_str().to_owned(),
            how,
            text(&role.group_id),
            text(&role.group_name),
        ];
        let _ = writer.write_record(record.map(super::export::neutralise));
    }
    let body = writer.into_inner().unwrap_or_default();
    let time = crate::journal::format_time(access.computed_at);
    let day = time.get(..10).unwrap_or("undated");
    let incomplete = if access.complete { "" } else { "-incomplete" };
    let filename = format!("access-{}-{day}{incomplete}.csv", access.id);
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    if let Ok(value) = HeaderValue::from_str(&format!(
        "complete={}; read={}; lists={}",
        access.complete, access.lists_read, access.lists
    )) {
        headers.insert("gatehouse-access-complete", value);
    }
    response
}
