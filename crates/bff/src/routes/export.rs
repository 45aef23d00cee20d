//! `GET /api/audit_logs/export?format=csv|ndjson&…filters`: every event matching upstream's
//! filters, as one downloadable file. The BFF walks upstream's pages (100 at a time) and streams
//! each page out as soon as it has it, so memory stays constant however long the log is.
//! Reads only: owners and auditors alike.

use std::time::{Duration, UNIX_EPOCH};

use admin_api::audit_logs::{AuditLog, ListAuditLogsQuery};
use admin_api::audit_sentences::describe;
use admin_api::{ApiError, ListPage};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, Method, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::{AppError, AppState};

/// The export route and the permalink lookup.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/audit_logs/export", get(export_audit_logs))
        .route("/audit_logs/event/{event_id}", get(find_event))
}

/// `GET /api/audit_logs/event/{id}?effective_at=T`: one event for a permalink. Upstream cannot
/// fetch an event by id, so the BFF lists the one second the event happened in and picks it out.
async fn find_event(
    State(state): State<AppState>,
    axum::extract::Path(event_id): axum::extract::Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<axum::Json<AuditLog>, AppError> {
    admin_api::ids::check(&event_id, &["audit_log-", "audit_log_"], "event_id")?;
    let at = super::proxy::query(raw.as_deref(), |pairs| {
        pairs.integer("effective_at")?.ok_or_else(|| {
            ApiError::invalid_request("A permalink needs 'effective_at'.", Some("effective_at"))
        })
    })?;
    let mut query = ListAuditLogsQuery::default();
    query.paging.limit = Some(100);
    query.effective_at.gte = Some(at);
    query.effective_at.lte = Some(at);
    // Bounded: a second with more than 1,000 events is not a permalink's second.
    for _ in 0..10 {
        let page = fetch(&state, &query).await?;
        if let Some(event) = page.data.iter().find(|e| e.id == event_id) {
            return Ok(axum::Json(event.clone()));
        }
        match (page.has_more, page.last_id) {
            (true, Some(last)) => query.paging.after = Some(last),
            _ => break,
        }
    }
    Err(AppError {
        status: axum::http::StatusCode::NOT_FOUND,
        error: ApiError::invalid_request(
            format!("No audit event '{event_id}' at {at}. It may be older than upstream keeps."),
            Some("event_id"),
        ),
        retry_after: None,
    })
}

/// The file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Ndjson,
}

/// The CSV columns, in order (documented in the README).
const COLUMNS: &[&str] = &[
    "id",
    "effective_at",
    "time_utc",
    "type",
    "sentence",
    "actor_type",
    "actor_email",
    "actor_id",
    "api_key_id",
    "ip_address",
    "country",
    "user_agent",
    "project_id",
    "project_name",
    "resource_id",
    "payload",
];

async fn export_audit_logs(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let (format, mut query) = super::proxy::query(raw.as_deref(), |pairs| {
        let format = match pairs.one("format")?.as_deref() {
            None | Some("csv") => Format::Csv,
            Some("ndjson") => Format::Ndjson,
            Some(other) => {
                return Err(ApiError::invalid_request(
                    format!("Invalid 'format': '{other}'. Use csv or ndjson."),
                    Some("format"),
                ));
            }
        };
        Ok((format, ListAuditLogsQuery::take_from(pairs)?))
    })?;
    query.paging.limit = Some(100);
    // Fetch the first page before answering, so a bad filter or an upstream failure is an
    // ordinary error response rather than a broken download.
    let first = fetch(&state, &query).await?;
    let (extension, content_type) = match format {
        Format::Csv => ("csv", "text/csv; charset=utf-8"),
        Format::Ndjson => ("ndjson", "application/x-ndjson"),
    };
    let header_line = match format {
        Format::Csv => csv_lines([COLUMNS.iter().map(|c| (*c).to_owned())]),
        Format::Ndjson => String::new(),
    };
    let stream = futures_util::stream::unfold(
        Walk::Page(Box::new(first), Some(header_line)),
        move |walk| {
            let (state, mut query) = (state.clone(), query.clone());
            async move {
                let (page, prefix) = match walk {
                    Walk::Done => return None,
                    Walk::Next(after) => {
                        query.paging.after = Some(after);
                        match fetch(&state, &query).await {
                            Ok(page) => (page, None),
                            Err(error) => {
                                // Headers are sent; say so in the file itself and stop.
                                let line = failure_line(format, &error.error.message);
                                return Some((
                                    Ok::<_, std::io::Error>(Bytes::from(line)),
                                    Walk::Done,
                                ));
                            }
                        }
                    }
                    Walk::Page(page, prefix) => (*page, prefix),
                };
                let mut chunk = prefix.unwrap_or_default();
                chunk.push_str(&render(format, &page.data));
                let next = match (page.has_more, page.last_id) {
                    (true, Some(last)) => Walk::Next(last),
                    _ => Walk::Done,
                };
                Some((Ok(Bytes::from(chunk)), next))
            }
        },
    );
    let filename = format!("attachment; filename=\"audit-log.{extension}\"");
    let mut response = Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&filename) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Where the walk over upstream's pages stands.
enum Walk {
    /// A page in hand (the first), with text to put before it.
    Page(Box<ListPage<AuditLog>>, Option<String>),
    /// The next page starts after this id.
    Next(String),
    Done,
}

async fn fetch(
    state: &AppState,
    query: &ListAuditLogsQuery,
) -> Result<ListPage<AuditLog>, AppError> {
    let response = state
        .upstream
        .send(
            Method::GET,
            "/organization/audit_logs",
            &query.to_query_string(),
            None,
        )
        .await?;
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 64 * 1024 * 1024)
        .await
        .map_err(|e| AppError::bad_gateway("OpenAI's answer broke off.", &e))?;
    if !status.is_success() {
        let error = serde_json::from_slice::<admin_api::ErrorResponse>(&bytes)
            .map(|b| b.error)
            .unwrap_or_else(|_| {
                ApiError::invalid_request(format!("OpenAI answered {status}."), None)
            });
        return Err(AppError {
            status,
            error,
            retry_after: None,
        });
    }
    serde_json::from_slice(&bytes)
        .map_err(|e| AppError::bad_gateway("OpenAI's answer was not an audit-log page.", &e))
}

/// One page of events in the file's format.
fn render(format: Format, events: &[AuditLog]) -> String {
    match format {
        Format::Ndjson => events
            .iter()
            .map(|event| serde_json::to_string(event).unwrap_or_default() + "\n")
            .collect(),
        Format::Csv => csv_lines(events.iter().map(csv_fields)),
    }
}

/// The CSV cells of one event, in [`COLUMNS`] order.
fn csv_fields(event: &AuditLog) -> [String; 16] {
    let actor = event.actor.as_ref();
    let session = actor.and_then(|a| a.session.as_ref());
    let key = actor.and_then(|a| a.api_key.as_ref());
    let user = session
        .and_then(|s| s.user.as_ref())
        .or_else(|| key.and_then(|k| k.user.as_ref()));
    let time = UNIX_EPOCH + Duration::from_secs(u64::try_from(event.effective_at).unwrap_or(0));
    [
        event.id.clone(),
        event.effective_at.to_string(),
        humantime::format_rfc3339_seconds(time).to_string(),
        event.event_type.clone(),
        describe(event, &|_| None),
        actor.map(|a| a.kind.clone()).unwrap_or_default(),
        user.and_then(|u| u.email.clone()).unwrap_or_default(),
        user.map(|u| u.id.clone()).unwrap_or_default(),
        key.and_then(|k| k.id.clone()).unwrap_or_default(),
        session
            .and_then(|s| s.ip_address.clone())
            .unwrap_or_default(),
        session
            .and_then(|s| s.ip_address_details.as_ref()?.country.clone())
            .unwrap_or_default(),
        session
            .and_then(|s| s.user_agent.clone())
            .unwrap_or_default(),
        event
            .project
            .as_ref()
            .map(|p| p.id.clone())
            .unwrap_or_default(),
        event
            .project
            .as_ref()
            .and_then(|p| p.name.clone())
            .unwrap_or_default(),
        event.resource_id().unwrap_or_default().to_owned(),
        event.payload().map(ToString::to_string).unwrap_or_default(),
    ]
}

/// CSV records, quoted as RFC 4180 wants (the `csv` crate does the quoting, one writer per
/// page), with every cell that a spreadsheet would read as a formula neutralised.
fn csv_lines<R: IntoIterator<Item = String>>(records: impl IntoIterator<Item = R>) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for record in records {
        let _ = writer.write_record(record.into_iter().map(neutralise));
    }
    writer
        .into_inner()
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default()
}

/// A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel,
/// LibreOffice and Sheets; a leading `'` makes it text (OWASP's advice for CSV injection).
fn neutralise(cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell
    }
}

fn failure_line(format: Format, message: &str) -> String {
    match format {
        Format::Csv => format!("# export stopped early: {message}\n"),
        Format::Ndjson => format!(
            "{}\n",
            serde_json::json!({"error": {"message": format!("export stopped early: {message}")}})
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised_and_others_kept() {
        let line = csv_lines([[
            "=HYPERLINK(\"x\")".to_owned(),
            "+1".into(),
            "-2".into(),
            "@SUM(A1)".into(),
            "ada@acme.example".into(),
            "plain, text".into(),
        ]]);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(line.as_bytes());
        let record = reader
            .records()
            .next()
            .expect("a record")
            .expect("valid CSV");
        let cells: Vec<&str> = record.iter().collect();
        assert_eq!(
            cells,
            [
                "'=HYPERLINK(\"x\")",
                "'+1",
                "'-2",
                "'@SUM(A1)",
                "ada@acme.example",
                "plain, text"
            ]
        );
    }
}
