//! The security headers every response carries, and the app's static files.
//!
//! The CSP allows no inline script except trunk's start-up module, which it names by hash; the
//! hash is computed from the built `index.html` when the server starts.

use std::path::Path;

use axum::http::HeaderValue;
use base64::Engine;
use sha2::{Digest, Sha256};
use tower_http::services::{ServeDir, ServeFile};

/// The built app, with unknown paths falling back to `index.html` so client routes load.
pub fn static_files(dir: &Path) -> ServeDir<ServeFile> {
    ServeDir::new(dir).fallback(ServeFile::new(dir.join("index.html")))
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
