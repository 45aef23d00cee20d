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

/// The upstream API at one fixed base URL.
#[derive(Clone, Debug)]
pub struct Upstream {
    client: reqwest::Client,
    base: Arc<str>,
    key: AdminKey,
}

impl Upstream {
    /// A client for `base` (such as `https://api.openai.com/v1`) using `key`.
    pub fn new(base: &reqwest::Url, key: AdminKey) -> anyhow::Result<Self> {
        // reqwest is built without a default crypto provider to keep aws-lc out of the build.
        let _already_installed = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(30))
            .user_agent(concat!("gatehouse/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            client,
            base: base.as_str().trim_end_matches('/').into(),
            key,
        })
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
        debug_assert!(path.starts_with("/organization/"), "path {path}");
        let mut url = format!("{}{path}", self.base);
        if !query.is_empty() {
            url.push('?');
            url.push_str(query);
        }
        let mut request = self.client.request(method, &url).bearer_auth(&*self.key.0);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| AppError::bad_gateway("OpenAI could not be reached.", &e.without_url()))?;
        let status = response.status();
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            return Err(AppError::bad_gateway(
                "OpenAI refused the portal's admin key. An administrator must check it.",
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
        let bytes = response
            .bytes()
            .await
            .map_err(|e| AppError::bad_gateway("OpenAI's answer broke off.", &e.without_url()))?;
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
        Ok(answer)
    }
}
