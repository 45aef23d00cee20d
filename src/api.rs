//! The typed client of the BFF: one `async fn` per endpoint, one error shape.
//!
//! Every call checks the status, decodes upstream's `{"error":{...}}` body on failure, and is
//! aborted when the reactive scope that started it is cleaned up.

use admin_api::users::{User, UserDeleted, UserRole, UserRoleUpdate};
use admin_api::{ApiError, ListPage};
use gloo_net::http::{Request, RequestBuilder};
use leptos::prelude::on_cleanup;
use send_wrapper::SendWrapper;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// What can go wrong with a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientError {
    /// The BFF could not be reached (offline, aborted, server down).
    Network(String),
    /// The BFF or upstream answered with an error, in upstream's words.
    Api { status: u16, error: ApiError },
    /// The answer was not what the API promises.
    Decode(String),
}

impl ClientError {
    /// The HTTP status, for API errors.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api { status, .. } => Some(*status),
            _ => None,
        }
    }
}

impl std::fmt::Display for ClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Network(detail) => write!(f, "Gatehouse could not be reached ({detail})."),
            Self::Api { error, .. } => write!(f, "{error}"),
            Self::Decode(detail) => write!(f, "Unexpected answer from the server ({detail})."),
        }
    }
}

impl std::error::Error for ClientError {}

/// The signed-in portal user, as `/api/session` describes them.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SessionInfo {
    pub username: String,
    pub role: String,
    pub csrf_token: String,
}

impl SessionInfo {
    /// Whether this user may change things.
    pub fn can_write(&self) -> bool {
        self.role == "owner"
    }
}

/// What the sign-in page may know before sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Meta {
    pub demo: bool,
    /// Whether the browser holds a live session (then `/api/session` says whose).
    #[serde(default)]
    pub signed_in: bool,
}

#[derive(Serialize)]
struct Credentials<'a> {
    username: &'a str,
    password: &'a str,
}

thread_local! {
    /// The session's CSRF token, which every write carries: set when the session is known
    /// (see [`set_csrf_token`]), so no page handles it.
    static CSRF_TOKEN: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// Remembers the signed-in session's CSRF token for every write ("" when signed out: the BFF
/// then answers 401).
pub fn set_csrf_token(token: &str) {
    CSRF_TOKEN.with(|t| token.clone_into(&mut t.borrow_mut()));
}

fn csrf_token() -> String {
    CSRF_TOKEN.with(|t| t.borrow().clone())
}

/// The upstream paths the pages read and write (under `/api/v1`), built in one place. Every id
/// is encoded as one path segment, so an odd id cannot reach another path.
pub mod paths {
    /// One path segment (the browser's encoder: Rust's own would add code to the bundle).
    pub fn seg(id: &str) -> String {
        String::from(js_sys::encode_uri_component(id))
    }

    pub fn users() -> String {
        "/organization/users".into()
    }
    pub fn user(id: &str) -> String {
        format!("/organization/users/{}", seg(id))
    }
    pub fn invites() -> String {
        "/organization/invites".into()
    }
    pub fn invite(id: &str) -> String {
        format!("/organization/invites/{}", seg(id))
    }
    pub fn admin_keys() -> String {
        "/organization/admin_api_keys".into()
    }
    pub fn admin_key(id: &str) -> String {
        format!("/organization/admin_api_keys/{}", seg(id))
    }
    pub fn audit_logs() -> String {
        "/organization/audit_logs".into()
    }
    pub fn projects() -> String {
        "/organization/projects".into()
    }
    pub fn project(id: &str) -> String {
        format!("/organization/projects/{}", seg(id))
    }
    pub fn project_archive(id: &str) -> String {
        format!("{}/archive", project(id))
    }
    pub fn project_users(project_id: &str) -> String {
        format!("{}/users", project(project_id))
    }
    pub fn project_user(project_id: &str, user_id: &str) -> String {
        format!("{}/{}", project_users(project_id), seg(user_id))
    }
    pub fn service_accounts(project_id: &str) -> String {
        format!("{}/service_accounts", project(project_id))
    }
    pub fn service_account(project_id: &str, id: &str) -> String {
        format!("{}/{}", service_accounts(project_id), seg(id))
    }
    pub fn project_api_keys(project_id: &str) -> String {
        format!("{}/api_keys", project(project_id))
    }
    pub fn project_api_key(project_id: &str, id: &str) -> String {
        format!("{}/{}", project_api_keys(project_id), seg(id))
    }
    pub fn rate_limits(project_id: &str) -> String {
        format!("{}/rate_limits", project(project_id))
    }
    pub fn user_roles(user_id: &str) -> String {
        format!("{}/roles", user(user_id))
    }
    pub fn user_role(user_id: &str, role_id: &str) -> String {
        format!("{}/{}", user_roles(user_id), seg(role_id))
    }
    pub fn groups() -> String {
        "/organization/groups".into()
    }
    pub fn group(id: &str) -> String {
        format!("/organization/groups/{}", seg(id))
    }
    pub fn group_users(group_id: &str) -> String {
        format!("{}/users", group(group_id))
    }
    pub fn group_user(group_id: &str, user_id: &str) -> String {
        format!("{}/{}", group_users(group_id), seg(user_id))
    }
    pub fn group_roles(group_id: &str) -> String {
        format!("{}/roles", group(group_id))
    }
    pub fn group_role(group_id: &str, role_id: &str) -> String {
        format!("{}/{}", group_roles(group_id), seg(role_id))
    }
    pub fn roles() -> String {
        "/organization/roles".into()
    }
    pub fn role(id: &str) -> String {
        format!("/organization/roles/{}", seg(id))
    }
    pub fn project_groups(project_id: &str) -> String {
        format!("{}/groups", project(project_id))
    }
    pub fn project_group(project_id: &str, group_id: &str) -> String {
        format!("{}/{}", project_groups(project_id), seg(group_id))
    }
    /// The BFF's effective access of one user (not an upstream path, but under `/api/v1` too).
    pub fn access_user(user_id: &str) -> String {
        format!("/access/users/{}", seg(user_id))
    }
    /// The BFF's effective access to one project.
    pub fn access_project(project_id: &str) -> String {
        format!("/access/projects/{}", seg(project_id))
    }
    /// Demo mode only: the sandbox's simulated acceptance of an invite.
    pub fn sandbox_invite_accept(id: &str) -> String {
        format!("/sandbox/invites/{}/accept", seg(id))
    }
}

/// `GET /api/meta`.
pub async fn meta() -> Result<Meta, ClientError> {
    send(Request::get("/api/meta")).await
}

/// `GET /api/session`: the current session, or a 401 error.
pub async fn current_session() -> Result<SessionInfo, ClientError> {
    send(Request::get("/api/session")).await
}

/// `POST /api/session`.
pub async fn sign_in(username: &str, password: &str) -> Result<SessionInfo, ClientError> {
    send_json(
        Request::post("/api/session"),
        &Credentials { username, password },
    )
    .await
}

/// `DELETE /api/session`.
pub async fn sign_out() -> Result<(), ClientError> {
    let response = dispatch(
        Request::delete("/api/session").header("X-CSRF-Token", &csrf_token()),
        None,
    )
    .await?;
    check(response).await.map(drop)
}

/// `POST /api/v1/organization/users/{id}`: change the user's role.
pub async fn update_user_role(user_id: &str, role: UserRole) -> Result<User, ClientError> {
    let url = format!("/api/v1{}", paths::user(user_id));
    send_json(
        Request::post(&url).header("X-CSRF-Token", &csrf_token()),
        &UserRoleUpdate { role },
    )
    .await
}

/// `DELETE /api/v1/organization/users/{id}`.
pub async fn delete_user(user_id: &str) -> Result<UserDeleted, ClientError> {
    delete(&paths::user(user_id)).await
}

/// `GET /api/v1{path}`: any allow-listed read (`path` carries its query).
pub async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ClientError> {
    send(Request::get(&format!("/api/v1{path}"))).await
}

/// `POST /api/v1{path}` without a body (an archive, a simulated acceptance), as the signed-in
/// owner.
pub async fn post<T: DeserializeOwned>(path: &str) -> Result<T, ClientError> {
    send(Request::post(&format!("/api/v1{path}")).header("X-CSRF-Token", &csrf_token())).await
}

/// `POST /api/v1{path}` with `body` encoded as JSON, as the signed-in owner. A body that
/// cannot be encoded is an error here, never a `null` sent upstream.
pub async fn post_json<T: DeserializeOwned, B: Serialize>(
    path: &str,
    body: &B,
) -> Result<T, ClientError> {
    send_json(
        Request::post(&format!("/api/v1{path}")).header("X-CSRF-Token", &csrf_token()),
        body,
    )
    .await
}

/// `DELETE /api/v1{path}`, as the signed-in owner.
pub async fn delete<T: DeserializeOwned>(path: &str) -> Result<T, ClientError> {
    send(Request::delete(&format!("/api/v1{path}")).header("X-CSRF-Token", &csrf_token())).await
}

/// The admin keys the portal itself may be using (`GET /api/admin_key_in_use`).
pub async fn admin_key_in_use() -> Result<Vec<String>, ClientError> {
    #[derive(Deserialize)]
    struct InUse {
        ids: Vec<String>,
    }
    send::<InUse>(Request::get("/api/admin_key_in_use"))
        .await
        .map(|r| r.ids)
}

async fn send<T: DeserializeOwned>(request: RequestBuilder) -> Result<T, ClientError> {
    parse(&text_of(request, None).await?)
}

async fn send_json<T: DeserializeOwned>(
    request: RequestBuilder,
    body: &impl Serialize,
) -> Result<T, ClientError> {
    let body = serde_json::to_string(body).map_err(|e| ClientError::Decode(e.to_string()))?;
    parse(&text_of(request, Some(body)).await?)
}

/// The body of a successful answer. Not generic, on purpose: the request, the status check and
/// the error decoding exist once in the bundle, and only [`parse`] is made per type.
async fn text_of(request: RequestBuilder, body: Option<String>) -> Result<String, ClientError> {
    check(dispatch(request, body).await?)
        .await?
        .text()
        .await
        .map_err(|e| ClientError::Network(e.to_string()))
}

fn parse<T: DeserializeOwned>(text: &str) -> Result<T, ClientError> {
    serde_json::from_str(text).map_err(|e| ClientError::Decode(e.to_string()))
}

/// Sends the request, aborting it if the calling scope goes away first.
async fn dispatch(
    request: RequestBuilder,
    body: Option<String>,
) -> Result<gloo_net::http::Response, ClientError> {
    let controller = web_sys::AbortController::new().ok();
    let signal = controller.as_ref().map(web_sys::AbortController::signal);
    let controller = SendWrapper::new(controller);
    on_cleanup(move || {
        if let Some(controller) = controller.take() {
            controller.abort();
        }
    });
    let request = request.abort_signal(signal.as_ref());
    let request = match body {
        Some(body) => request
            .header("Content-Type", "application/json")
            .body(body),
        None => request.build(),
    }
    .map_err(|e| ClientError::Network(e.to_string()))?;
    request
        .send()
        .await
        .map_err(|e| ClientError::Network(e.to_string()))
}

async fn check(
    response: gloo_net::http::Response,
) -> Result<gloo_net::http::Response, ClientError> {
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    let error = match response.json::<admin_api::ErrorResponse>().await {
        Ok(body) => body.error,
        Err(_) => ApiError::invalid_request(
            format!("The server answered {status} {}.", response.status_text()),
            None,
        ),
    };
    Err(ClientError::Api { status, error })
}

/// The portal user behind an audit event made with the portal's key (the BFF joins upstream's
/// events to its journal).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Attribution {
    /// The journal's result row of the write.
    pub journal_seq: i64,
    pub username: String,
    pub role: String,
}

impl Attribution {
    /// `alice (owner) via Gatehouse`.
    pub fn label(&self) -> String {
        format!("{} ({}) via Gatehouse", self.username, self.role)
    }

    /// The journal page starting at this write's result row.
    pub fn journal_href(&self) -> String {
        format!("/journal?after={}", self.journal_seq + 1)
    }
}

/// Event id → who made it through the portal.
pub type Attributions = std::collections::BTreeMap<String, Attribution>;

/// A page of upstream's audit log, with who made its events through the portal.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AuditPage {
    #[serde(flatten)]
    pub page: ListPage<admin_api::audit_logs::AuditLog>,
    #[serde(default)]
    pub attributions: Attributions,
}

/// `GET /api/v1/organization/audit_logs`.
pub async fn list_audit_logs(
    query: &admin_api::audit_logs::ListAuditLogsQuery,
) -> Result<AuditPage, ClientError> {
    get(&format!(
        "{}?{}",
        paths::audit_logs(),
        query.to_query_string()
    ))
    .await
}

/// How much of the audit log the BFF's archive holds (`coverage` in its answers).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
pub struct Coverage {
    /// The oldest and newest archived event (Unix seconds).
    pub oldest: Option<i64>,
    pub newest: Option<i64>,
    /// Events archived.
    pub events: u64,
    /// The last successful sync.
    pub last_sync: Option<i64>,
    #[serde(default)]
    pub backfill: Backfill,
}

/// The first copy of everything upstream still has.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
pub struct Backfill {
    pub complete: bool,
    pub events: u64,
}

/// `GET /api/archive/status`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ArchiveStatus {
    pub enabled: bool,
    #[serde(default)]
    pub coverage: Coverage,
}

/// `GET /api/archive/status`.
pub async fn archive_status() -> Result<ArchiveStatus, ClientError> {
    send(Request::get("/api/archive/status")).await
}

/// A page of archived events, with what the archive covers.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ArchivePage {
    pub data: Vec<admin_api::audit_logs::AuditLog>,
    #[serde(default)]
    pub first_id: Option<String>,
    #[serde(default)]
    pub last_id: Option<String>,
    pub has_more: bool,
    #[serde(default)]
    pub attributions: Attributions,
    #[serde(default)]
    pub coverage: Coverage,
}

/// What only the archive filters by: full-text words, and everything one portal user did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArchiveFilters {
    pub q: Option<String>,
    pub portal_user: Option<String>,
}

impl ArchiveFilters {
    /// The parameters, for a query string.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let clean = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let mut pairs = Vec::new();
        pairs.extend(clean(&self.q).map(|q| ("q", q)));
        pairs.extend(clean(&self.portal_user).map(|u| ("portal_user", u)));
        pairs
    }
}

/// The query string of the archive's routes: upstream's filters plus the archive's own.
fn archive_query(
    query: &admin_api::audit_logs::ListAuditLogsQuery,
    extra: &ArchiveFilters,
) -> String {
    let mut text = query.to_query_string();
    let more = admin_api::query::encode(extra.pairs());
    if !more.is_empty() {
        if !text.is_empty() {
            text.push('&');
        }
        text.push_str(&more);
    }
    text
}

/// `GET /api/archive/audit_logs`: the BFF's own copy, with full-text `q` and `portal_user`.
pub async fn list_archived(
    query: &admin_api::audit_logs::ListAuditLogsQuery,
    extra: &ArchiveFilters,
) -> Result<ArchivePage, ClientError> {
    let url = format!("/api/archive/audit_logs?{}", archive_query(query, extra));
    send(Request::get(&url)).await
}

/// One bar of the histogram.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Bucket {
    /// Its start (Unix seconds, UTC-aligned).
    pub start: i64,
    pub total: u64,
    /// Counts per event family (`login`, `project`, …).
    #[serde(default)]
    pub families: std::collections::BTreeMap<String, u64>,
}

/// `GET /api/archive/histogram`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Histogram {
    /// `hour` or `day`.
    pub bucket: String,
    pub buckets: Vec<Bucket>,
    pub total: u64,
    /// False when the BFF stopped counting at its time budget: then only events from
    /// `counted_from` on are in the buckets, and older ones are missing, not absent.
    #[serde(default = "counted_all")]
    pub complete: bool,
    #[serde(default)]
    pub counted_from: Option<i64>,
    #[serde(default)]
    pub coverage: Coverage,
}

fn counted_all() -> bool {
    true
}

/// `GET /api/archive/histogram` for the same filters, in `bucket`s (`hour` or `day`).
pub async fn archive_histogram(
    query: &admin_api::audit_logs::ListAuditLogsQuery,
    extra: &ArchiveFilters,
    bucket: &str,
) -> Result<Histogram, ClientError> {
    let mut query = query.clone();
    query.paging = admin_api::query::Paging::default();
    let url = format!(
        "/api/archive/histogram?{}&bucket={bucket}",
        archive_query(&query, extra)
    );
    send(Request::get(&url)).await
}

/// One row of the portal's journal (`GET /api/journal`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct JournalEntry {
    pub seq: i64,
    pub at: i64,
    /// `request` (before forwarding) or `result` (after).
    pub phase: String,
    pub request_id: String,
    pub username: String,
    pub role: String,
    pub client: String,
    pub method: String,
    pub path: String,
    pub body: Option<String>,
    pub status: Option<i64>,
    pub upstream_request_id: Option<String>,
    pub object_id: Option<String>,
    /// On a write's result: `answered`, `not_sent` or `unknown` (sent, never answered).
    #[serde(default)]
    pub outcome: Option<String>,
    /// The Gatehouse token a script made this write with, if not a person in the app.
    #[serde(default)]
    pub token_name: Option<String>,
    /// On a successful write, with the archive on: how many archived events it made.
    #[serde(default)]
    pub events: Option<i64>,
    /// A successful write whose audit event has not arrived after two archive polls.
    #[serde(default)]
    pub missing_event: bool,
}

/// `GET /api/journal`, newest first, optionally by one portal user.
pub async fn list_journal(
    user: Option<&str>,
    after: Option<&str>,
) -> Result<ListPage<JournalEntry>, ClientError> {
    let mut pairs = Vec::new();
    pairs.extend(user.map(|u| ("user", u.to_owned())));
    pairs.extend(after.map(|a| ("after", a.to_owned())));
    let url = format!("/api/journal?{}", admin_api::query::encode(pairs));
    send(Request::get(&url)).await
}

/// The journal row `seq`, if there is one (`GET /api/journal?after=seq+1&limit=1`).
pub async fn journal_row(seq: i64) -> Result<Option<JournalEntry>, ClientError> {
    let url = format!("/api/journal?after={}&limit=1", seq + 1);
    let page: ListPage<JournalEntry> = send(Request::get(&url)).await?;
    Ok(page.data.into_iter().next().filter(|e| e.seq == seq))
}

/// `GET /api/audit_logs/event/{id}?effective_at=T`: one event, for a permalink.
pub async fn find_audit_event(
    id: &str,
    effective_at: Option<i64>,
) -> Result<admin_api::audit_logs::AuditLog, ClientError> {
    let at = effective_at.map(|t| t.to_string()).unwrap_or_default();
    let url = format!(
        "/api/audit_logs/event/{}?{}",
        js_sys::encode_uri_component(id),
        admin_api::query::encode([("effective_at", at)])
    );
    send(Request::get(&url)).await
}

/// What the BFF recorded about one export (`GET /api/audit_logs/export/{id}/manifest`): the
/// part the page shows; the downloadable file has every field.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ExportManifest {
    /// Events in the file.
    pub event_count: u64,
    /// SHA-256 of the file's bytes, hex.
    pub sha256: String,
}

/// The manifest of a finished export. The BFF writes it as the file ends, so the first ask may
/// come a moment early: it asks again, briefly.
pub async fn export_manifest(export_id: &str) -> Result<ExportManifest, ClientError> {
    let url = format!(
        "/api/audit_logs/export/{}/manifest",
        js_sys::encode_uri_component(export_id)
    );
    let mut tries = 0;
    loop {
        match send(Request::get(&url)).await {
            Err(error) if error.status() == Some(404) && tries < 10 => {
                tries += 1;
                sleep(200).await;
            }
            other => return other,
        }
    }
}

/// Waits `millis` milliseconds (a `setTimeout` as a future).
async fn sleep(millis: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = web_sys::window()
            .map(|w| w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, millis));
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// A Gatehouse token for scripts, as `/api/tokens` lists it (never its value).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TokenInfo {
    pub id: String,
    pub name: String,
    pub username: String,
    /// `read` or `write`.
    pub access: String,
    /// Address ranges it may be used from; empty for anywhere.
    #[serde(default)]
    pub allowed_from: Vec<String>,
    pub created_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
    pub revoked_by: Option<String>,
    pub last_used_at: Option<i64>,
    pub last_used_from: Option<String>,
    pub calls: i64,
    /// `active`, `expired` or `revoked`.
    pub status: String,
}

/// What `GET /api/tokens` answers.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TokenList {
    pub data: Vec<TokenInfo>,
    pub rate_limit_per_second: u32,
}

/// What the Tokens page sends to make a token.
#[derive(Debug, Clone, Serialize)]
pub struct NewToken {
    pub name: String,
    pub access: String,
    pub expires_in_days: u32,
    pub allowed_from: Vec<String>,
}

/// A new token and its value, shown once.
#[derive(Debug, Clone, Deserialize)]
pub struct CreatedToken {
    pub token: TokenInfo,
    pub value: String,
}

/// `GET /api/tokens`: your tokens (an owner's list holds everyone's).
pub async fn list_tokens() -> Result<TokenList, ClientError> {
    send(Request::get("/api/tokens")).await
}

/// `POST /api/tokens`.
pub async fn create_token(token: &NewToken) -> Result<CreatedToken, ClientError> {
    send_json(
        Request::post("/api/tokens").header("X-CSRF-Token", &csrf_token()),
        token,
    )
    .await
}

/// `DELETE /api/tokens/{id}`: revokes it at once, on every replica.
pub async fn revoke_token(id: &str) -> Result<TokenInfo, ClientError> {
    send(Request::delete(&format!("/api/tokens/{id}")).header("X-CSRF-Token", &csrf_token())).await
}

/// One finding of the key-hygiene report (`GET /api/hygiene`), as the BFF sends it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Finding {
    /// `project_key`, `service_account_key`, `service_account`, `admin_key` or `invite`.
    pub kind: String,
    pub id: String,
    pub name: String,
    /// Why it is a finding (`never_used`, `stale`, `owner_left_organization`, …).
    pub reasons: Vec<String>,
    pub project: Option<ProjectRef>,
    pub owner: Option<String>,
    pub owner_id: Option<String>,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub expires_at: Option<i64>,
    pub portal_key: bool,
    pub deletable: bool,
    pub not_deletable_because: Option<String>,
    /// What goes with it (a service account's keys).
    pub goes_with: Vec<String>,
    /// Its state when read: a delete is skipped if it changed since.
    pub version: String,
}

/// A project as a finding or a plan names it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct ProjectRef {
    pub id: String,
    pub name: String,
}

/// One line of the streamed report.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ReportLine {
    Started {
        days: i64,
        now: i64,
        projects: usize,
        archived_projects: usize,
    },
    Organization {
        findings: Vec<Finding>,
    },
    Project {
        read: usize,
        of: usize,
        project: ProjectRef,
        findings: Vec<Finding>,
    },
    ProjectFailed {
        read: usize,
        of: usize,
        project: ProjectRef,
        error: ApiError,
    },
    Complete {
        read: usize,
        of: usize,
    },
    Failed {
        error: ApiError,
    },
}

/// `GET /api/hygiene?days=N`: calls `on_line` with each line of the report as it arrives,
/// until it answers `false` (the page read again or went away): then the read is cancelled,
/// which stops the BFF's reading too.
pub async fn hygiene_report(
    days: i64,
    on_line: impl FnMut(ReportLine) -> bool,
) -> Result<(), ClientError> {
    lines(&format!("/api/hygiene?days={days}"), on_line).await
}

/// Reads the NDJSON answer at `url`, calling `on_line` with each line as it arrives, until the
/// answer ends or `on_line` answers `false` (then the read is cancelled).
pub async fn lines<T: serde::de::DeserializeOwned>(
    url: &str,
    mut on_line: impl FnMut(T) -> bool,
) -> Result<(), ClientError> {
    use wasm_bindgen::JsCast;
    let response = check(dispatch(Request::get(url), None).await?).await?;
    let body = response
        .body()
        .ok_or_else(|| ClientError::Decode("the answer had no body".into()))?;
    let reader: web_sys::ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let mut pending: Vec<u8> = Vec::new();
    while let Some(value) = crate::export::next_chunk(&reader)
        .await
        .map_err(|()| ClientError::Network("the answer broke off".into()))?
    {
        pending.extend(value.to_vec());
        while let Some(end) = pending.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = pending.drain(..=end).collect();
            let line = serde_json::from_slice::<T>(&line)
                .map_err(|e| ClientError::Decode(e.to_string()))?;
            if !on_line(line) {
                let _cancelled = reader.cancel();
                return Ok(());
            }
        }
    }
    Ok(())
}

/// One line of an effective-access answer read with `progress=true`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AccessLine {
    /// `lists_read` of the `lists` known so far.
    Progress {
        lists_read: u32,
        lists: u32,
    },
    Done {
        access: admin_api::access::Access,
    },
    Failed {
        status: u16,
        error: ApiError,
    },
}

/// Reads the effective access at `/api/v1{path}` (`path` may carry a query), telling `on_progress`
/// how far the BFF has read as it goes.
pub async fn access_with_progress(
    path: &str,
    on_progress: impl Fn(u32, u32),
) -> Result<admin_api::access::Access, ClientError> {
    let separator = if path.contains('?') { '&' } else { '?' };
    let mut last = None;
    lines::<AccessLine>(&format!("/api/v1{path}{separator}progress=true"), |line| {
        match line {
            AccessLine::Progress { lists_read, lists } => on_progress(lists_read, lists),
            AccessLine::Done { access } => last = Some(Ok(access)),
            AccessLine::Failed { status, error } => {
                last = Some(Err(ClientError::Api { status, error }))
            }
        }
        true
    })
    .await?;
    last.unwrap_or_else(|| Err(ClientError::Network("the answer broke off".into())))
}

/// What `POST /api/hygiene/delete` takes: a finding as the report showed it.
#[derive(Debug, Clone, Serialize)]
pub struct FindingDelete<'a> {
    pub kind: &'a str,
    pub id: &'a str,
    pub project_id: Option<&'a str>,
    pub version: &'a str,
    pub days: i64,
}

/// `POST /api/hygiene/delete`: deletes one finding if it is as the report showed it. A 409
/// `changed_since_report` means it was left alone.
pub async fn delete_finding(finding: &FindingDelete<'_>) -> Result<(), ClientError> {
    send_json::<serde_json::Value>(
        Request::post("/api/hygiene/delete").header("X-CSRF-Token", &csrf_token()),
        finding,
    )
    .await
    .map(drop)
}

/// One line of an offboarding plan, and (in a run) what came of it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PlanStep {
    /// The delete's path, which is also the step's id.
    pub id: String,
    /// `project_key`, `admin_key`, `project_membership`, `organization_membership`, `invite`.
    pub kind: String,
    pub label: String,
    pub project: Option<ProjectRef>,
    pub detail: Option<String>,
    /// Why it cannot run, if it cannot.
    pub blocked: Option<String>,
    /// In a run: `pending`, `done`, `skipped` or `failed`.
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub at: Option<i64>,
}

/// The person an offboarding is about.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Person {
    pub id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub role: Option<String>,
}

impl Person {
    /// Their name, or email, or id.
    pub fn label(&self) -> String {
        self.name
            .clone()
            .or_else(|| self.email.clone())
            .unwrap_or_else(|| self.id.clone())
    }
}

/// `GET /api/offboarding/{user_id}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct OffboardingPlan {
    pub person: Person,
    pub last_owner: bool,
    pub steps: Vec<PlanStep>,
}

/// An offboarding under way or finished.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct OffboardingRun {
    pub id: String,
    pub person: Person,
    pub on_failure: String,
    pub started_at: i64,
    pub started_by: String,
    pub steps: Vec<PlanStep>,
}

/// What one `next` call did.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Stepped {
    pub ran: Option<String>,
    pub stopped: bool,
    pub finished: bool,
    pub run: OffboardingRun,
}

/// `GET /api/offboarding/{user_id}`: what offboarding them would do.
pub async fn offboarding_plan(user_id: &str) -> Result<OffboardingPlan, ClientError> {
    send(Request::get(&format!("/api/offboarding/{user_id}"))).await
}

#[derive(Serialize)]
struct StartOffboarding<'a> {
    steps: &'a [String],
    on_failure: &'a str,
}

/// `POST /api/offboarding/{user_id}`: journals the chosen steps as a new offboarding.
pub async fn start_offboarding(
    user_id: &str,
    steps: &[String],
    on_failure: &str,
) -> Result<OffboardingRun, ClientError> {
    send_json(
        Request::post(&format!("/api/offboarding/{user_id}")).header("X-CSRF-Token", &csrf_token()),
        &StartOffboarding { steps, on_failure },
    )
    .await
}

/// `POST /api/offboardings/{id}/next`: runs the next step (`resume` tries failed ones again).
pub async fn offboarding_next(id: &str, resume: bool) -> Result<Stepped, ClientError> {
    send_json(
        Request::post(&format!("/api/offboardings/{id}/next"))
            .header("X-CSRF-Token", &csrf_token()),
        &serde_json::json!({ "resume": resume }),
    )
    .await
}
