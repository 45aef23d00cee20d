//! The client for the OpenAI Admin API: the one place the admin key is attached to a request.
//!
//! The base URL is fixed at start, redirects are never followed, and the key goes only to that
//! base. Paths are built by the route handlers from validated ids, never copied from the browser.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::Response;

use crate::AppError;

/// The admin key. Its `Debug` never prints it.
#[derive(Clone)]
pub struct AdminKey(Arc<str>);

impl AdminKey {
    /// Wraps a key, refusing an empty one.
    pub fn new(key: &str) -> anyhow::Result<Self> {
        let key = key.trim();
        anyhow::ensure!(!key.is_empty(), "the admin key is empty");
        anyhow::ensure!(
            key.bytes().all(|b| b.is_ascii_graphic()),
            "the admin key contains spaces or non-ASCII characters"
        );
        Ok(Self(key.into()))
    }
}

impl std::fmt::Debug for AdminKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AdminKey(<redacted>)")
    }
}

/// How the portal talks to upstream: timeouts and the retry policy for reads.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    pub connect_timeout: Duration,
    pub timeout: Duration,
    /// Retries of a GET after the first attempt (writes are never retried).
    pub retries: u32,
    /// The first backoff; each retry doubles it, with full jitter.
    pub backoff: Duration,
    /// The longest wait a `Retry-After` may impose before the portal gives up instead.
    pub max_retry_after: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(30),
            retries: 3,
            backoff: Duration::from_millis(200),
            max_retry_after: Duration::from_secs(10),
        }
    }
}

/// How long `/readyz` reuses its last upstream check: probes must not spend the admin key's
/// rate limit.
pub const READINESS_TTL: Duration = Duration::from_secs(10);

/// How long attribution reuses the list of the portal's own admin keys.
pub const OWN_KEYS_TTL: Duration = Duration::from_secs(60);

/// The upstream API at one fixed base URL.
#[derive(Clone, Debug)]
pub struct Upstream {
    client: reqwest::Client,
    base: Arc<str>,
    key: AdminKey,
    policy: Policy,
    /// The last readiness check and when it ran. Held across a check, so probes arriving
    /// together share one.
    readiness: Arc<tokio::sync::Mutex<Option<(std::time::Instant, Readiness)>>>,
    /// The portal's own admin keys and when they were read (see `own_keys_recent`).
    own_keys: OwnKeysCache,
}

/// The last listing of the portal's own admin keys: the ids, or why it failed.
type OwnKeysCache = Arc<
    tokio::sync::Mutex<
        Option<(
            std::time::Instant,
            Result<std::collections::HashSet<String>, String>,
        )>,
    >,
>;

/// How long a failed listing of the admin keys is not retried.
pub const OWN_KEYS_RETRY: Duration = Duration::from_secs(10);

/// What `/readyz` reports about upstream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readiness {
    Ready,
    KeyRejected,
    Unreachable,
    Failing,
}

/// Upstream's error in an answer with `status`, in its own words (or saying the status, when
/// the body is not upstream's error shape).
pub fn error_of(status: StatusCode, bytes: &[u8]) -> admin_api::ApiError {
    serde_json::from_slice::<admin_api::ErrorResponse>(bytes)
        .map(|b| b.error)
        .unwrap_or_else(|_| {
            admin_api::ApiError::invalid_request(format!("OpenAI answered {status}."), None)
        })
}

/// How many pages of 100 [`Upstream::list_all`] reads at most.
pub const LIST_ALL_PAGES: usize = 100;

impl Upstream {
    /// A client for `base` (such as `https://api.openai.com/v1`) using `key`.
    pub fn new(base: &reqwest::Url, key: AdminKey) -> anyhow::Result<Self> {
        Self::with_policy(base, key, Policy::default())
    }

    /// A client with explicit timeouts and retry policy.
    pub fn with_policy(base: &reqwest::Url, key: AdminKey, policy: Policy) -> anyhow::Result<Self> {
        // reqwest is built without a default crypto provider to keep aws-lc out of the build.
        let _already_installed = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(policy.connect_timeout)
            .timeout(policy.timeout)
            .user_agent(concat!("gatehouse/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            client,
            base: base.as_str().trim_end_matches('/').into(),
            key,
            policy,
            readiness: Arc::default(),
            own_keys: Arc::default(),
        })
    }

    /// Whether `redacted` (upstream's `sk-admin-...abcd` form of a key) could be the portal's
    /// own key: its visible end (three characters or more; the spec's examples show three)
    /// matches. Upstream writes the kind's prefix, not the key's own start, so only the end
    /// tells. The key itself never leaves this type.
    pub fn may_be_own_key(&self, redacted: &str) -> bool {
        redacted
            .rsplit_once("...")
            .is_some_and(|(_, end)| end.len() >= 3 && self.key.0.ends_with(end))
    }

    /// The admin keys whose redacted value matches the key the portal itself uses. Upstream cannot
    /// say which key made a call, so this compares the visible end of each key's value; two keys
    /// sharing it would both be listed, which errs on the side of caution. An error if the keys
    /// could not all be read (more than 1,000), since a delete must not pass unchecked.
    pub async fn own_key_ids(&self) -> Result<Vec<String>, AppError> {
        let mut ids = Vec::new();
        let mut query = admin_api::admin_api_keys::ListAdminKeysQuery::default();
        query.paging.limit = Some(100);
        // Bounded: 10 pages of 100 keys.
        for page_number in 1..=10 {
            let response = self
                .send(
                    Method::GET,
                    "/organization/admin_api_keys",
                    &query.to_query_string(),
                    None,
                )
                .await?;
            let status = response.status();
            let bytes = axum::body::to_bytes(response.into_body(), 16 * 1024 * 1024)
                .await
                .map_err(|e| AppError::bad_gateway("OpenAI's answer broke off.", &e))?;
            if !status.is_success() {
                return Err(AppError::bad_gateway(
                    "OpenAI did not list the admin keys.",
                    &format!("upstream answered {status}"),
                ));
            }
            let page: admin_api::ListPage<admin_api::admin_api_keys::AdminApiKey> =
                serde_json::from_slice(&bytes).map_err(|e| {
                    AppError::bad_gateway("OpenAI's answer was not a list of admin keys.", &e)
                })?;
            ids.extend(
                page.data
                    .iter()
                    .filter(|k| self.may_be_own_key(&k.redacted_value))
                    .map(|k| k.id.clone()),
            );
            match (page.has_more, page.last_id) {
                (true, Some(_)) if page_number == 10 => {
                    return Err(AppError {
                        status: axum::http::StatusCode::SERVICE_UNAVAILABLE,
                        error: admin_api::ApiError::invalid_request(
                            "The organization has more than 1,000 admin keys; Gatehouse could not check which one it runs on, so it deletes none.",
                            None,
                        ),
                        retry_after: None,
                    });
                }
                (true, Some(last)) => query.paging.after = Some(last),
                _ => return Ok(ids),
            }
        }
        Ok(ids)
    }

    /// The ids of the admin keys that may be the portal's own, read at most once per
    /// [`OWN_KEYS_TTL`]: what attribution needs on every page, where a key minutes old is
    /// no loss (deletes check afresh with [`Upstream::own_key_ids`]).
    /// A failed listing is not retried for [`OWN_KEYS_RETRY`], so a struggling upstream is
    /// not asked again by every page that wants attributions.
    pub async fn own_keys_recent(&self) -> Result<std::collections::HashSet<String>, AppError> {
        let mut cached = self.own_keys.lock().await;
        match &*cached {
            Some((at, Ok(ids))) if at.elapsed() < OWN_KEYS_TTL => return Ok(ids.clone()),
            Some((at, Err(message))) if at.elapsed() < OWN_KEYS_RETRY => {
                return Err(AppError::bad_gateway(message, &"the last listing failed"));
            }
            _ => {}
        }
        let listed = self.own_key_ids().await;
        let now = std::time::Instant::now();
        match listed {
            Ok(ids) => {
                let ids: std::collections::HashSet<String> = ids.into_iter().collect();
                *cached = Some((now, Ok(ids.clone())));
                Ok(ids)
            }
            Err(error) => {
                *cached = Some((now, Err(error.error.message.clone())));
                Err(error)
            }
        }
    }

    /// Reads `path` and decodes the answer as `T`; upstream's error, in its own words, if it
    /// refused (`what` names the answer in the message when it is not a `T`).
    pub async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        query: &str,
        what: &str,
    ) -> Result<T, AppError> {
        let response = self.send(Method::GET, path, query, None).await?;
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 64 * 1024 * 1024)
            .await
            .map_err(|e| AppError::bad_gateway("OpenAI's answer broke off.", &e))?;
        if !status.is_success() {
            return Err(AppError {
                status,
                error: error_of(status, &bytes),
                retry_after: None,
            });
        }
        serde_json::from_slice(&bytes)
            .map_err(|e| AppError::bad_gateway(&format!("OpenAI's answer was not {what}."), &e))
    }

    /// Every item of the list at `path`, read page by page (100 at a time, following
    /// `last_id`), with `query` added to each page's query. Bounded at [`LIST_ALL_PAGES`]
    /// pages: a longer list is an error rather than a silently partial answer.
    pub async fn list_all<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<Vec<T>, AppError> {
        let mut items = Vec::new();
        let mut after: Option<String> = None;
        for _ in 0..LIST_ALL_PAGES {
            let mut pairs: Vec<(&str, String)> = vec![("limit", "100".to_owned())];
            pairs.extend(query.iter().map(|(k, v)| (*k, (*v).to_owned())));
            if let Some(after) = &after {
                pairs.push(("after", after.clone()));
            }
            let page: admin_api::ListPage<T> = self
                .get_json(path, &admin_api::query::encode(pairs), "a list")
                .await?;
            let (has_more, last_id) = (page.has_more, page.last_id);
            items.extend(page.data);
            match (has_more, last_id) {
                (true, Some(last)) => after = Some(last),
                (true, None) => return Err(no_cursor(path)),
                (false, _) => return Ok(items),
            }
        }
        Err(AppError::bad_gateway(
            &format!(
                "{path} has more than {} items; Gatehouse reads no further.",
                LIST_ALL_PAGES * 100
            ),
            &"list too long",
        ))
    }

    /// Every item of one of the newer lists (groups, roles, project groups…), which page by
    /// `next` rather than `last_id`; `limit` is that list's largest page. Bounded like
    /// [`Upstream::list_all`].
    pub async fn list_all_next<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        limit: u32,
    ) -> Result<Vec<T>, AppError> {
        let mut items = Vec::new();
        let mut after: Option<String> = None;
        for _ in 0..LIST_ALL_PAGES {
            let mut pairs: Vec<(&str, String)> = vec![("limit", limit.to_string())];
            if let Some(after) = &after {
                pairs.push(("after", after.clone()));
            }
            let page: admin_api::CursorPage<T> = self
                .get_json(path, &admin_api::query::encode(pairs), "a list")
                .await?;
            items.extend(page.data);
            match (page.has_more, page.next) {
                (true, Some(next)) => after = Some(next),
                (true, None) => return Err(no_cursor(path)),
                (false, _) => return Ok(items),
            }
        }
        Err(AppError::bad_gateway(
            &format!("{path} has more than {LIST_ALL_PAGES} pages; Gatehouse reads no further."),
            &"list too long",
        ))
    }

    /// Whether upstream answers and accepts the key: one cheap read, not retried, at most
    /// once per [`READINESS_TTL`].
    pub async fn readiness(&self) -> Readiness {
        let mut last = self.readiness.lock().await;
        if let Some((at, readiness)) = *last
            && at.elapsed() < READINESS_TTL
        {
            return readiness;
        }
        let readiness = self.check_readiness().await;
        *last = Some((std::time::Instant::now(), readiness));
        readiness
    }

    async fn check_readiness(&self) -> Readiness {
        let url = format!("{}/organization/users?limit=1", self.base);
        match self.client.get(&url).bearer_auth(&*self.key.0).send().await {
            Err(_) => Readiness::Unreachable,
            Ok(r) if r.status().is_success() => Readiness::Ready,
            Ok(r) if matches!(r.status(), StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) => {
                Readiness::KeyRejected
            }
            Ok(_) => Readiness::Failing,
        }
    }

    /// Sends once, or for a GET retries on 429, 502, 503, 504 and connection failures with
    /// exponential backoff and full jitter, honouring `Retry-After` up to a bound. Writes are
    /// sent exactly once: a retry could apply a change twice.
    async fn send_with_retries(
        &self,
        method: Method,
        url: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<reqwest::Response, reqwest::Error> {
        let retries = if method == Method::GET {
            self.policy.retries
        } else {
            0
        };
        let mut attempt = 0;
        loop {
            let mut request = self
                .client
                .request(method.clone(), url)
                .bearer_auth(&*self.key.0);
            if let Some(body) = body {
                request = request.json(body);
            }
            let result = request.send().await;
            let retryable = match &result {
                Ok(r) => matches!(r.status().as_u16(), 429 | 502 | 503 | 504),
                Err(e) => e.is_connect() || e.is_timeout() || e.is_request(),
            };
            if !retryable || attempt >= retries {
                return result;
            }
            let retry_after = result.as_ref().ok().and_then(|r| {
                r.headers()
                    .get(header::RETRY_AFTER)?
                    .to_str()
                    .ok()?
                    .parse::<u64>()
                    .ok()
                    .map(Duration::from_secs)
            });
            let wait = match retry_after {
                Some(wait) if wait > self.policy.max_retry_after => return result,
                Some(wait) => wait,
                None => {
                    let ceiling = self.policy.backoff.saturating_mul(1 << attempt.min(10));
                    ceiling.mul_f64(fastrand::f64())
                }
            };
            tracing::warn!(
                attempt = attempt + 1,
                wait_ms = wait.as_millis(),
                "retrying an upstream read"
            );
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// Sends one request to `path` (starting with `/organization/`) and passes the answer on.
    ///
    /// Upstream's 401 and 403 mean the portal's own key was refused; their bodies can quote part
    /// of the key, so they become a 502 with a message of our own.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        query: &str,
        body: Option<serde_json::Value>,
    ) -> Result<Response, AppError> {
        debug_assert!(
            path.starts_with("/organization/") || path.starts_with("/sandbox/"),
            "path {path}"
        );
        // The sandbox's controls live beside its `/v1`, not under it (demo mode only).
        let base = match path.starts_with("/sandbox/") {
            true => self.base.strip_suffix("/v1").unwrap_or(&self.base),
            false => &self.base,
        };
        let mut url = format!("{base}{path}");
        if !query.is_empty() {
            url.push('?');
            url.push_str(query);
        }
        let is_write = method != Method::GET;
        // What failed decides what the person is told: a connection never made sent nothing;
        // a write sent but not answered may have been made.
        let lost = |e: reqwest::Error| {
            let detail = e.without_url();
            if detail.is_connect() {
                AppError::unreachable(&detail)
            } else if is_write {
                AppError::outcome_unknown(&detail)
            } else {
                AppError::bad_gateway("OpenAI could not be reached.", &detail)
            }
        };
        let response = self
            .send_with_retries(method, &url, body.as_ref())
            .await
            .map_err(lost)?;
        let status = response.status();
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            return Err(AppError::bad_gateway(
                "Admin key rejected: OpenAI refused the portal's admin key. An administrator must check it.",
                &format!("upstream answered {status} for {path}"),
            ));
        }
        if status.is_redirection() {
            return Err(AppError::bad_gateway(
                "OpenAI answered with a redirect, which the portal does not follow.",
                &format!("upstream answered {status} for {path}"),
            ));
        }
        let retry_after = response.headers().get(header::RETRY_AFTER).cloned();
        let request_id = response.headers().get("x-request-id").cloned();
        let bytes = response.bytes().await.map_err(|e| {
            if is_write {
                AppError::outcome_unknown(&e.without_url())
            } else {
                AppError::bad_gateway("OpenAI's answer broke off.", &e.without_url())
            }
        })?;
        let mut answer = Response::new(Body::from(bytes));
        *answer.status_mut() = status;
        answer.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        if let Some(retry_after) = retry_after {
            answer
                .headers_mut()
                .insert(header::RETRY_AFTER, retry_after);
        }
        if let Some(request_id) = request_id {
            answer
                .headers_mut()
                .insert(crate::middleware::UPSTREAM_REQUEST_ID, request_id);
        }
        Ok(answer)
    }
}

/// A page that says more follow but gives no cursor: what was read is not the whole list, and
/// an answer built on it must not say it is.
fn no_cursor(path: &str) -> AppError {
    AppError::bad_gateway(
        &format!("OpenAI said {path} had more items but gave no cursor to read them."),
        &"no cursor",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_portals_own_key_is_recognised_by_its_visible_end() {
        let base = "http://127.0.0.1:9/v1".parse().expect("url");
        let upstream = Upstream::new(
            &base,
            AdminKey::new("sk-admin-0123456789wxyz").expect("key"),
        )
        .expect("client");
        // The sandbox shows four characters; the spec's examples show three.
        assert!(upstream.may_be_own_key("sk-admin-...wxyz"));
        assert!(upstream.may_be_own_key("sk-admin...xyz"));
        assert!(!upstream.may_be_own_key("sk-admin-...wxya"));
        assert!(
            !upstream.may_be_own_key("sk-admin...yz"),
            "two characters tell nothing"
        );
        assert!(
            !upstream.may_be_own_key("sk-admin-wxyz"),
            "not a redacted value"
        );
    }
}
