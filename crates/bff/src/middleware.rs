//! The one middleware stack of the BFF.

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Request, header};
use tower_http::compression::Predicate;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::AppState;
use crate::client::ClientAddr;
use crate::security::content_security_policy;

/// The header carrying each request's id, in requests (set here) and responses.
pub const REQUEST_ID: &str = "x-request-id";

/// The header carrying upstream's `x-request-id` for a forwarded call.
pub const UPSTREAM_REQUEST_ID: &str = "x-upstream-request-id";

/// Gives each request a random id (64 bits, hex), unless a trusted proxy in front set one.
#[derive(Clone, Copy, Debug, Default)]
struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _request: &Request<B>) -> Option<RequestId> {
        HeaderValue::from_str(&crate::session::random_token()[..16])
            .ok()
            .map(RequestId::new)
    }
}

/// Wraps the router. Layers run outside-in for requests: the client is resolved first (it
/// decides whether a proxy's `X-Request-Id` is believed), then the request id is set, so the
/// trace span and every log line inside it carry both, and the id is copied to the response
/// last; tracing records the final status; the security headers sit inside it so that every
/// response, errors and static files included, carries them.
pub fn stack(router: Router, state: &AppState) -> Router {
    let csp = content_security_policy(state.static_dir.as_deref());
    let mut headers = vec![
        (header::CONTENT_SECURITY_POLICY, csp),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ),
    ];
    if state.secure_cookies {
        headers.push((
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        ));
    }
    // JSON and CSV answers are compressed for browsers that take Brotli or gzip, except those
    // that may carry a secret (see `security::may_compress`) and NDJSON streams, whose lines
    // must reach the page as they are written (an encoder would hold them back).
    let compress = tower_http::compression::CompressionLayer::new()
        .br(true)
        .gzip(true)
        .quality(tower_http::CompressionLevel::Precise(5))
        .compress_when(
            tower_http::compression::predicate::DefaultPredicate::new().and(
                tower_http::compression::predicate::NotForContentType::const_new(
                    "application/x-ndjson",
                ),
            ),
        );
    let router = router.layer(compress).layer(axum::middleware::from_fn(
        crate::security::keep_secrets_uncompressed,
    ));
    let router = headers.into_iter().fold(router, |router, (name, value)| {
        router.layer(SetResponseHeaderLayer::overriding(name, value))
    });
    let request_id = HeaderName::from_static(REQUEST_ID);
    router
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request<axum::body::Body>| {
                let id = request
                    .headers()
                    .get(REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default();
                let client = request
                    .extensions()
                    .get::<ClientAddr>()
                    .copied()
                    .unwrap_or_default()
                    .label();
                // The path only: query strings can hold emails and cursors.
                tracing::info_span!("request", request_id = %id, %client, method = %request.method(), path = %request.uri().path())
            }),
        )
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, RandomRequestId))
        .layer(axum::middleware::from_fn_with_state(
            state.trusted_proxies.clone(),
            crate::client::identify,
        ))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use axum::routing::get;
    use tower::ServiceExt;

    use super::*;
    use crate::session::{Accounts, Clock, SessionLimits, SessionStore};
    use crate::upstream::{AdminKey, Upstream};

    async fn state(secure: bool) -> AppState {
        let base = "https://api.openai.com/v1".parse().expect("url");
        let clock = Clock::default();
        let dir = std::env::temp_dir().join(format!(
            "gatehouse-middleware-{}-{secure}",
            std::process::id()
        ));
        let db = crate::db::Db::open(&dir).await.expect("database");
        AppState {
            accounts: Arc::new(Accounts::with_passwords(&[]).expect("accounts")),
            sessions: SessionStore::new(db.clone(), SessionLimits::default(), clock.clone()),
            throttle: Arc::new(crate::throttle::Throttle::new(db.clone(), clock.clone())),
            tokens: Arc::new(crate::tokens::Tokens::new(db, clock, 10)),
            journal: None,
            archive: None,
            allowed_origins: Vec::new().into(),
            upstream: Upstream::new(&base, AdminKey::new("sk-admin-unused").expect("key"))
                .expect("client"),
            demo: false,
            static_dir: None,
            secure_cookies: secure,
            trusted_header: None,
            trusted_proxies: Vec::new().into(),
            sign_in_permits: crate::sign_in_permits(),
            reports: crate::report_permits(),
            access: Default::default(),
        }
    }

    async fn headers(secure: bool) -> axum::http::HeaderMap {
        let router = stack(
            Router::new().route("/", get(|| async { "ok" })),
            &state(secure).await,
        );
        let request = axum::http::Request::get("/")
            .body(axum::body::Body::empty())
            .expect("request");
        router
            .oneshot(request)
            .await
            .expect("infallible")
            .headers()
            .clone()
    }

    #[tokio::test]
    async fn hsts_only_over_https_and_every_response_has_a_request_id() {
        let https = headers(true).await;
        assert!(https.get(header::STRICT_TRANSPORT_SECURITY).is_some());
        assert!(https.get(REQUEST_ID).is_some_and(|id| id.len() == 16));
        let http = headers(false).await;
        assert!(http.get(header::STRICT_TRANSPORT_SECURITY).is_none());
        assert_ne!(
            https.get(REQUEST_ID),
            http.get(REQUEST_ID),
            "ids differ per request"
        );
    }
}
