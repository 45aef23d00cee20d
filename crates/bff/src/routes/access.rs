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
        let refresh = match pairs.one("refresh")?.as_deref() {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => {
                return Err(ApiError::invalid_request(
                    "'refresh' must be true or false.",
                    Some("refresh"),
                ));
            }
        };
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
    let sources = access::Sources {
        upstream: &state.upstream,
        journal: state.journal.as_deref(),
        cache: &state.access,
        permits: &state.reports,
    };
    let mut access = access::access(sources, &subject, ask.refresh).await?;
    access.rows.retain(|row| {
        ask.path.is_none_or(|path| row.path == path)
            && ask.role.as_deref().is_none_or(|role| {
                row.role.as_deref() == Some(role) || row.role_name.as_deref() == Some(role)
            })
    });
    if ask.csv {
        return Ok(csv(&access));
    }
    Ok(axum::Json(access).into_response())
}

/// Why a row reaches its project, in words.
pub fn why(row: &AccessRow) -> String {
    match row.path {
        AccessPath::Owner => "as an organization owner".to_owned(),
        AccessPath::Direct => "directly".to_owned(),
        AccessPath::Group => format!(
            "through group {}",
            row.group_name
                .as_deref()
                .or(row.group_id.as_deref())
                .unwrap_or("?")
        ),
    }
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
        let how = match (&role.path, &role.group_name, &role.group_id) {
            (AccessPath::Group, name, id) => format!(
                "through group {}",
                name.as_deref().or(id.as_deref()).unwrap_or("?")
            ),
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
