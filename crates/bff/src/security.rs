//! The security headers every response carries, and the app's static files.
//!
//! The CSP allows no inline script except trunk's start-up module, which it names by hash; the
//! hash is computed from the built `index.html` when the server starts.

use std::path::Path;

use axum::extract::Request;
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use sha2::{Digest, Sha256};
use tower_http::services::{ServeDir, ServeFile};

/// The built app, with unknown paths falling back to `index.html` so client routes load. Each
/// file goes out as its Brotli or gzip copy when the browser takes one and the build made it
/// (`scripts/precompress.sh`), with `Vary: Accept-Encoding`; files whose names carry trunk's
/// content hash are cached for a year, everything else (`index.html`) is revalidated.
pub fn static_files(dir: &Path) -> axum::Router {
    let files = ServeDir::new(dir)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(
            ServeFile::new(dir.join("index.html"))
                .precompressed_br()
                .precompressed_gzip(),
        );
    axum::Router::new()
        .fallback_service(files)
        .layer(axum::middleware::from_fn(cache_headers))
}

async fn cache_headers(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let hashed = is_hashed(&path);
    let mut response = next.run(request).await;
    // A hashed name this build lacks (a tab from before a deploy asking for its old chunk) got
    // the client-route fallback, index.html: that is a 404, never index.html cached for a year
    // under the asset's name.
    let fell_back = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|t| t.as_bytes().starts_with(b"text/html"));
    if hashed && fell_back && !path.ends_with(".html") {
        response = axum::http::StatusCode::NOT_FOUND.into_response();
    }
    let policy = match hashed && response.status().is_success() {
        true => "public, max-age=31536000, immutable",
        false => "no-cache",
    };
    let headers = response.headers_mut();
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    response
}

/// Whether the file's name carries trunk's content hash (`name-<16 hex>.ext` or
/// `name-<16 hex>_bg.wasm`): its content never changes under that name.
fn is_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    name.match_indices('-').any(|(at, _)| {
        let rest = &name[at + 1..];
        rest.len() > 16
            && rest.as_bytes()[..16].iter().all(u8::is_ascii_hexdigit)
            && matches!(rest.as_bytes()[16], b'.' | b'_')
    })
}

/// Whether an answer to this request may be compressed. Answers that carry a secret (the
/// session's CSRF token, a new key's or token's one-time value) are never compressed: next to
/// input reflected from the request, compressed length leaks the secret (BREACH). Every such
/// answer is to a write or to `/api/session`; other reads are compressed.
pub fn may_compress(method: &Method, path: &str) -> bool {
    *method == Method::GET && path != "/api/session"
}

/// Drops `Accept-Encoding` from requests whose answers must not be compressed, so the
/// compression layer inside leaves them alone.
pub async fn keep_secrets_uncompressed(mut request: Request, next: Next) -> Response {
    if !may_compress(request.method(), request.uri().path()) {
        request.headers_mut().remove(header::ACCEPT_ENCODING);
    }
    next.run(request).await
}

/// The Content-Security-Policy for the app in `static_dir` (or for an API-only server).
pub fn content_security_policy(static_dir: Option<&Path>) -> HeaderValue {
    let inline_hashes: String = static_dir
        .and_then(|dir| std::fs::read_to_string(dir.join("index.html")).ok())
        .map(|html| {
            inline_scripts(&html)
                .map(|script| {
                    let digest = Sha256::digest(script.as_bytes());
                    format!(
                        " 'sha256-{}'",
                        base64::engine::general_purpose::STANDARD.encode(digest)
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let policy = format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{inline_hashes}; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    HeaderValue::from_str(&policy)
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'"))
}

/// The bodies of the inline `<script>` elements of a page. Written by hand: the page is trunk's
/// own output, and pulling in an HTML parser for one tag is not worth its weight.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|rest| {
        let (attributes, after) = rest.split_once('>')?;
        if attributes.contains("src=") {
            return None;
        }
        after.split_once("</script>").map(|(body, _)| body)
    })
}

#[cfg(test)]
mod compression_tests {
    use super::*;

    #[test]
    fn hashed_names_are_told_from_the_rest() {
        assert!(is_hashed("/gatehouse-app-9b909a3ba178652f_bg.wasm"));
        assert!(is_hashed("/gatehouse-app-9b909a3ba178652f.js"));
        assert!(is_hashed("/main-4be811bae308371d.css"));
        assert!(!is_hashed("/index.html"));
        assert!(!is_hashed("/users"));
        assert!(!is_hashed("/projects/proj_abc-def"));
        assert!(!is_hashed("/main-4be811bae30837zz.css"));
    }

    #[test]
    fn secrets_and_writes_are_never_compressed() {
        assert!(may_compress(&Method::GET, "/api/v1/organization/users"));
        assert!(!may_compress(&Method::GET, "/api/session"));
        assert!(!may_compress(&Method::POST, "/api/session"));
        assert!(!may_compress(
            &Method::POST,
            "/api/v1/organization/admin_api_keys"
        ));
        assert!(!may_compress(&Method::POST, "/api/tokens"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_found_and_external_ones_skipped() {
        let html = r#"<head><script src="/a.js"></script><script type="module">
import init from '/x.js';
</script></head>"#;
        let found: Vec<&str> = inline_scripts(html).collect();
        assert_eq!(found, vec!["\nimport init from '/x.js';\n"]);
    }
}
