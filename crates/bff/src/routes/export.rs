//! `GET /api/audit_logs/export?format=csv|ndjson&…filters`: every event matching upstream's
//! filters, as one downloadable file. The BFF walks upstream's pages (100 at a time) and streams
//! each page out as soon as it has it, so memory stays constant however long the log is.
//! Reads only: owners and auditors alike.
//!
//! Each export gets an id (the `x-gatehouse-export-id` header) and a manifest: its filters and
//! format, how many events, the SHA-256 of exactly the bytes sent (hashed chunk by chunk as they
//! go), when, who, and whether it completed, failed or was cancelled. The manifest is journaled
//! when the file ends and served from the journal by `GET /api/audit_logs/export/{id}/manifest`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use admin_api::audit_logs::{AuditLog, ListAuditLogsQuery};
use admin_api::audit_sentences::describe;
use admin_api::{ApiError, ListPage};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::proxy::Caller;
use crate::attribution::Attribution;
use crate::journal::{self, Journal};
use crate::{AppError, AppState};

/// The response header naming an export, for its manifest.
const EXPORT_ID: &str = "x-gatehouse-export-id";

/// The status journaled for an export the browser abandoned (nginx's "client closed request").
const CLIENT_CLOSED: u16 = 499;

/// The export route and the permalink lookup.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/audit_logs/export", get(export_audit_logs))
        .route(
            "/audit_logs/export/{export_id}/manifest",
            get(export_manifest),
        )
        .route("/audit_logs/event/{event_id}", get(find_event))
}

/// `GET /api/audit_logs/event/{id}?effective_at=T`: one event for a permalink. Upstream cannot
/// fetch an event by id, so the BFF lists the one second the event happened in and picks it out.
async fn find_event(
    State(state): State<AppState>,
    Path(event_id): Path<String>,
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

/// `GET /api/audit_logs/export/{id}/manifest`: a finished export's manifest, as a download.
async fn export_manifest(
    State(state): State<AppState>,
    Path(export_id): Path<String>,
) -> Result<Response, AppError> {
    let is_id = export_id.len() == 32 && export_id.bytes().all(|b| b.is_ascii_hexdigit());
    let manifest = match &state.journal {
        Some(journal) if is_id => journal
            .export_manifest(&export_id)
            .await
            .map_err(|e| AppError::internal(&e))?,
        _ => None,
    };
    let Some(manifest) = manifest else {
        return Err(AppError {
            status: StatusCode::NOT_FOUND,
            error: ApiError::invalid_request(
                format!(
                    "No finished export '{export_id}'. A manifest exists once its file has ended."
                ),
                Some("export_id"),
            ),
            retry_after: None,
        });
    };
    let filename = format!("attachment; filename=\"audit-log-{export_id}.manifest.json\"");
    let mut response = Body::from(manifest).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(value) = HeaderValue::from_str(&filename) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// The file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Ndjson,
}

impl Format {
    fn name(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Ndjson => "ndjson",
        }
    }
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
    "portal_user",
    "portal_role",
    "journal_seq",
];

async fn export_audit_logs(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let (format, portal_user, mut query) = super::proxy::query(raw.as_deref(), |pairs| {
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
        let portal_user = pairs.one("portal_user")?.filter(|u| !u.trim().is_empty());
        Ok((format, portal_user, ListAuditLogsQuery::take_from(pairs)?))
    })?;
    query.paging.limit = Some(100);
    let mut export = Export::start(&state, &caller, format, &query, portal_user.as_deref());
    let id = HeaderValue::from_str(&export.id).map_err(|e| AppError::internal(&e))?;
    // Fetch the first page before answering, so a bad filter or an upstream failure is an
    // ordinary error response rather than a broken download.
    let first = match fetch(&state, &query).await {
        Ok(page) => page,
        Err(error) => {
            export
                .finish(Ending::Failed(error.status, error.error.message.clone()))
                .await;
            let mut response = error.into_response();
            response.headers_mut().insert(EXPORT_ID, id);
            return Ok(response);
        }
    };
    let (extension, content_type) = match format {
        Format::Csv => ("csv", "text/csv; charset=utf-8"),
        Format::Ndjson => ("ndjson", "application/x-ndjson"),
    };
    let header_line = match format {
        Format::Csv => csv_lines([COLUMNS.iter().map(|c| (*c).to_owned())]),
        Format::Ndjson => String::new(),
    };
    let run = Run {
        state,
        query,
        portal_user,
        format,
        walk: Some(Walk::Page(Box::new(first), Some(header_line))),
        export,
    };
    // Fused: a compressing body may poll once more after the end, which `unfold` forbids.
    let stream = futures_util::StreamExt::fuse(futures_util::stream::unfold(run, Run::next_chunk));
    let filename = format!("attachment; filename=\"audit-log.{extension}\"");
    let mut response = Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&filename) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(EXPORT_ID, id);
    Ok(response)
}

/// One export's walk over upstream's pages, producing the file chunk by chunk.
struct Run {
    state: AppState,
    query: ListAuditLogsQuery,
    /// Only what this portal user did: their own sessions' events (by email) and the events
    /// attributed to them. Upstream cannot filter by it, so the walk does.
    portal_user: Option<String>,
    format: Format,
    /// `None` once the file has ended.
    walk: Option<Walk>,
    export: Export,
}

/// Where the walk over upstream's pages stands.
enum Walk {
    /// A page in hand (the first), with text to put before it.
    Page(Box<ListPage<AuditLog>>, Option<String>),
    /// The next page starts after this id.
    Next(String),
    /// The file is complete, or has its failure line: all that is left is to journal it.
    End(Ending),
}

impl Run {
    /// The next chunk of the file. The export is journaled before the stream ends, so its
    /// manifest can be read as soon as the download has finished.
    async fn next_chunk(mut self) -> Option<(Result<Bytes, std::io::Error>, Self)> {
        let (page, prefix) = match self.walk.take()? {
            Walk::End(ending) => {
                self.export.finish(ending).await;
                return None;
            }
            Walk::Page(page, prefix) => (*page, prefix),
            Walk::Next(after) => {
                self.query.paging.after = Some(after);
                match fetch(&self.state, &self.query).await {
                    Ok(page) => (page, None),
                    Err(error) => {
                        // Headers are sent; say so in the file itself and stop.
                        let line = failure_line(self.format, &error.error.message);
                        self.walk =
                            Some(Walk::End(Ending::Failed(error.status, error.error.message)));
                        let chunk = self.export.sent(line, 0);
                        return Some((Ok(chunk), self));
                    }
                }
            }
        };
        let mut chunk = prefix.unwrap_or_default();
        let attributions = crate::attribution::on_the_fly(&self.state, &page.data).await;
        let kept: Vec<AuditLog> = match &self.portal_user {
            None => page.data,
            Some(user) => page
                .data
                .into_iter()
                .filter(|event| {
                    attributions
                        .get(&event.id)
                        .is_some_and(|a| &a.username == user)
                        || event.actor_emails().contains(&user.as_str())
                })
                .collect(),
        };
        chunk.push_str(&render(self.format, &kept, &attributions));
        self.walk = Some(match (page.has_more, page.last_id) {
            (true, Some(last)) => Walk::Next(last),
            _ => Walk::End(Ending::Complete),
        });
        let chunk = self.export.sent(chunk, kept.len());
        Some((Ok(chunk), self))
    }
}

/// How an export ended.
#[derive(Debug)]
enum Ending {
    Complete,
    /// Upstream failed with this status and message (before the file began, or in its middle).
    Failed(StatusCode, String),
    /// The browser went away before the end of the file.
    Cancelled,
}

/// What the manifest says about one export.
#[derive(Debug, Serialize)]
struct Manifest<'a> {
    id: &'a str,
    format: &'static str,
    /// The filters as sent upstream, without the page size and the cursor that walks the pages.
    filters: &'a [(String, String)],
    event_count: u64,
    bytes: u64,
    /// SHA-256 of exactly the bytes sent, hex.
    sha256: String,
    started_at: i64,
    finished_at: i64,
    /// `complete`, `failed` or `cancelled`.
    status: &'static str,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
    exported_by: ExportedBy<'a>,
    /// Whether each event names the portal user behind it (always, since attribution exists).
    attribution: bool,
}

/// Who exported.
#[derive(Debug, Serialize)]
struct ExportedBy<'a> {
    username: &'a str,
    role: &'a str,
}

/// An export under way: who asked, and the digest and count of what has been sent. Dropped
/// before it is finished (the browser went away), it journals the export as cancelled.
struct Export {
    id: String,
    /// `None` once journaled.
    tally: Option<Tally>,
}

/// The running record of one export.
struct Tally {
    journal: Option<Arc<Journal>>,
    /// Who asked, from where; the body is filled with the manifest at the end.
    who: journal::Request,
    format: Format,
    filters: Vec<(String, String)>,
    started_at: i64,
    digest: Sha256,
    events: u64,
    bytes: u64,
}

impl Export {
    /// A new export of `query` by `caller`, with a fresh 128-bit id.
    fn start(
        state: &AppState,
        caller: &Caller,
        format: Format,
        query: &ListAuditLogsQuery,
        portal_user: Option<&str>,
    ) -> Self {
        let id = crate::session::random_token()[..32].to_owned();
        let mut filters = query.clone();
        filters.paging.limit = None;
        let mut filters: Vec<(String, String)> =
            url::form_urlencoded::parse(filters.to_query_string().as_bytes())
                .into_owned()
                .collect();
        filters.extend(portal_user.map(|u| ("portal_user".to_owned(), u.to_owned())));
        let who = journal::Request {
            request_id: caller.request_id.clone(),
            username: caller.session.username.clone(),
            role: caller.session.role.as_str().to_owned(),
            client: caller.client.clone(),
            method: Method::GET.to_string(),
            path: journal::EXPORT_PATH.to_owned(),
            body: None,
            token: caller.session.token.clone(),
        };
        Self {
            id,
            tally: Some(Tally {
                journal: state.journal.clone(),
                who,
                format,
                filters,
                started_at: journal::now(),
                digest: Sha256::new(),
                events: 0,
                bytes: 0,
            }),
        }
    }

    /// Counts a chunk on its way to the browser.
    fn sent(&mut self, chunk: String, events: usize) -> Bytes {
        if let Some(tally) = &mut self.tally {
            tally.digest.update(chunk.as_bytes());
            tally.bytes += chunk.len() as u64;
            tally.events += events as u64;
        }
        Bytes::from(chunk)
    }

    /// Journals how the export ended.
    async fn finish(&mut self, ending: Ending) {
        if let Some(tally) = self.tally.take() {
            // Spawned, so the row is written even if the browser goes away meanwhile.
            let _ = tokio::spawn(tally.record(self.id.clone(), ending)).await;
        }
    }
}

impl Drop for Export {
    fn drop(&mut self) {
        if let Some(tally) = self.tally.take()
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            runtime.spawn(tally.record(self.id.clone(), Ending::Cancelled));
        }
    }
}

impl Tally {
    /// Writes the export's journal row, with its manifest. A failure is logged: the file has
    /// already gone out, so there is nobody left to answer.
    async fn record(self, id: String, ending: Ending) {
        let Some(journal) = &self.journal else {
            return;
        };
        let (status, state, message) = match &ending {
            Ending::Complete => (StatusCode::OK.as_u16(), "complete", None),
            Ending::Failed(status, message) => (status.as_u16(), "failed", Some(message.as_str())),
            Ending::Cancelled => (CLIENT_CLOSED, "cancelled", None),
        };
        let manifest = Manifest {
            id: &id,
            format: self.format.name(),
            filters: &self.filters,
            event_count: self.events,
            bytes: self.bytes,
            sha256: self
                .digest
                .clone()
                .finalize()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
            started_at: self.started_at,
            finished_at: journal::now(),
            status: state,
            message,
            exported_by: ExportedBy {
                username: &self.who.username,
                role: &self.who.role,
            },
            attribution: true,
        };
        let request = journal::Request {
            body: serde_json::to_value(&manifest).ok(),
            ..self.who.clone()
        };
        let outcome = journal::Outcome {
            status,
            object_id: Some(id.clone()),
            ..journal::Outcome::default()
        };
        if let Err(error) = journal.record_export(&request, &outcome).await {
            tracing::error!(%error, export_id = %id, "the export could not be journaled");
        }
    }
}

async fn fetch(
    state: &AppState,
    query: &ListAuditLogsQuery,
) -> Result<ListPage<AuditLog>, AppError> {
    state
        .upstream
        .get_json(
            "/organization/audit_logs",
            &query.to_query_string(),
            "an audit-log page",
        )
        .await
}

/// One page of events in the file's format, each with the portal user behind it, if any:
/// CSV's last three columns, or NDJSON's `gatehouse` member beside upstream's own fields.
fn render(
    format: Format,
    events: &[AuditLog],
    attributions: &HashMap<String, Attribution>,
) -> String {
    match format {
        Format::Ndjson => events
            .iter()
            .map(|event| {
                // The event as upstream wrote it, then the member appended before its closing
                // brace: written as text, since a detour through `Value` halved the export's
                // speed (an event always serialises as an object).
                let mut line = serde_json::to_string(event).unwrap_or_else(|_| "{}".to_owned());
                let by = serde_json::to_string(&attributions.get(&event.id))
                    .unwrap_or_else(|_| "null".to_owned());
                line.pop();
                if line.len() > 1 {
                    line.push(',');
                }
                line.push_str("\"gatehouse\":");
                line.push_str(&by);
                line.push_str("}\n");
                line
            })
            .collect(),
        Format::Csv => csv_lines(
            events
                .iter()
                .map(|event| csv_fields(event, attributions.get(&event.id))),
        ),
    }
}

/// The CSV cells of one event, in [`COLUMNS`] order.
fn csv_fields(event: &AuditLog, by: Option<&Attribution>) -> [String; 19] {
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
        by.map(|a| a.username.clone()).unwrap_or_default(),
        by.map(|a| a.role.clone()).unwrap_or_default(),
        by.map(|a| a.journal_seq.to_string()).unwrap_or_default(),
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
pub(crate) fn neutralise(cell: String) -> String {
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
