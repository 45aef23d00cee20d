//! What goes over the wire: the app's files as their precompressed Brotli or gzip copies
//! (made by `scripts/precompress.sh`, the release build's hook), chosen by Accept-Encoding,
//! with `Vary` and cache lifetimes by name; JSON answers compressed on the fly, except those
//! that may carry a secret, and streams left as they are.

mod common;

use std::process::Command;

use axum::http::StatusCode;
use common::Harness;

const WASM: &str = "gatehouse-app-0123456789abcdef_bg.wasm";

/// A built app in a temp dir, precompressed by the release build's own script.
fn dist() -> std::path::PathBuf {
    let dir = common::tempdir();
    std::fs::write(
        dir.join("index.html"),
        "<!DOCTYPE html><html><head><title>Gatehouse</title></head><body></body></html>\n"
            .repeat(20),
    )
    .expect("index.html");
    // Compressible, like real wasm: repeated sections.
    let wasm: Vec<u8> = (0..64_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(dir.join(WASM), wasm).expect("wasm");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/precompress.sh");
    let status = Command::new("bash")
        .arg(script)
        .arg(&dir)
        .env_remove("TRUNK_PROFILE")
        .status()
        .expect("run precompress.sh");
    assert!(status.success());
    for suffix in [".br", ".gz"] {
        assert!(
            dir.join(format!("{WASM}{suffix}")).exists(),
            "{suffix} made"
        );
        assert!(
            dir.join(format!("index.html{suffix}")).exists(),
            "{suffix} made"
        );
    }
    dir
}

/// Decodes `bytes` with the real CLI (`brotli -d` or `gzip -d`).
fn decode(bytes: &[u8], encoding: &str) -> Vec<u8> {
    use std::io::Write;
    let (program, args): (&str, &[&str]) = match encoding {
        "br" => ("brotli", &["-d", "-c"]),
        _ => ("gzip", &["-d", "-c"]),
    };
    let mut child = Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("decoder");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(bytes)
        .expect("write");
    let out = child.wait_with_output().expect("decode");
    assert!(out.status.success(), "{encoding} decodes");
    out.stdout
}

async fn get_raw(
    harness: &Harness,
    uri: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let mut request = axum::http::Request::get(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = harness
        .app
        .clone()
        .oneshot(request.body(axum::body::Body::empty()).expect("request"))
        .await
        .expect("infallible");
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.expect("body").to_bytes().to_vec();
    (parts.status, parts.headers, bytes)
}

#[tokio::test]
async fn the_apps_files_go_out_precompressed_and_cached_by_name() {
    let dir = dist();
    let mut harness = Harness::new().await;
    harness.reconfigure(|state| state.static_dir = Some(dir.clone()));
    let original = std::fs::read(dir.join(WASM)).expect("wasm");

    let (status, headers, body) = get_raw(
        &harness,
        &format!("/{WASM}"),
        &[("accept-encoding", "gzip, deflate, br, zstd")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-encoding"], "br");
    assert_eq!(headers["content-type"], "application/wasm");
    assert_eq!(headers["vary"], "accept-encoding");
    assert_eq!(
        headers["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(
        body,
        std::fs::read(dir.join(format!("{WASM}.br"))).expect("br"),
        "the file made at build time"
    );
    assert!(
        body.len() * 4 < original.len(),
        "{} of {} bytes",
        body.len(),
        original.len()
    );
    assert_eq!(decode(&body, "br"), original);

    let (_, headers, body) = get_raw(
        &harness,
        &format!("/{WASM}"),
        &[("accept-encoding", "gzip")],
    )
    .await;
    assert_eq!(headers["content-encoding"], "gzip");
    assert_eq!(decode(&body, "gzip"), original);

    let (_, headers, body) = get_raw(&harness, &format!("/{WASM}"), &[]).await;
    assert!(headers.get("content-encoding").is_none());
    assert_eq!(headers["vary"], "accept-encoding");
    assert_eq!(body, original);

    // A client route falls back to index.html, compressed, and is always revalidated.
    for path in ["/", "/users", "/hygiene?days=30"] {
        let (status, headers, body) = get_raw(&harness, path, &[("accept-encoding", "br")]).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(headers["content-encoding"], "br", "{path}");
        assert_eq!(headers["cache-control"], "no-cache", "{path}");
        assert_eq!(
            decode(&body, "br"),
            std::fs::read(dir.join("index.html")).expect("index")
        );
        assert!(headers.contains_key("content-security-policy"), "{path}");
    }
}

#[tokio::test]
async fn json_is_compressed_unless_it_may_carry_a_secret() {
    let harness = Harness::new().await;
    let (cookie, csrf) = harness.owner().await;
    let session = format!("{}={cookie}", gatehouse::SESSION_COOKIE);
    let accept = ("accept-encoding", "br, gzip");

    let (status, headers, body) = get_raw(
        &harness,
        "/api/v1/organization/users?limit=100",
        &[("cookie", &session), accept],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-encoding"], "br");
    let users: serde_json::Value = serde_json::from_slice(&decode(&body, "br")).expect("json");
    assert!(users["data"].as_array().is_some_and(|d| d.len() > 10));

    // The session's answer carries the CSRF token: never compressed.
    let (_, headers, body) =
        get_raw(&harness, "/api/session", &[("cookie", &session), accept]).await;
    assert!(headers.get("content-encoding").is_none());
    assert!(String::from_utf8_lossy(&body).contains(&csrf));

    // A new admin key's one-time value: never compressed.
    let created = harness
        .send_with(
            "POST",
            "/api/v1/organization/admin_api_keys",
            &[("cookie", &session), ("x-csrf-token", &csrf), accept],
            None,
            Some(r#"{"name":"compression-check"}"#),
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.text);
    assert!(created.headers.get("content-encoding").is_none());
    assert!(created.json()["value"].is_string());

    // A streamed report reaches the page line by line: never held back by an encoder.
    let (status, headers, _) = get_raw(
        &harness,
        "/api/hygiene?days=90",
        &[("cookie", &session), accept],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers.get("content-encoding").is_none());

    // Without Accept-Encoding, nothing is compressed.
    let (_, headers, body) = get_raw(
        &harness,
        "/api/v1/organization/users",
        &[("cookie", &session)],
    )
    .await;
    assert!(headers.get("content-encoding").is_none());
    assert!(serde_json::from_slice::<serde_json::Value>(&body).is_ok());
}

#[tokio::test]
async fn a_compressed_export_streams_to_its_end() {
    let harness = Harness::new().await;
    let (cookie, _) = harness.auditor().await;
    let session = format!("{}={cookie}", gatehouse::SESSION_COOKIE);
    let (status, headers, body) = get_raw(
        &harness,
        "/api/audit_logs/export?format=csv",
        &[("cookie", &session), ("accept-encoding", "br")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-encoding"], "br");
    let csv = String::from_utf8(decode(&body, "br")).expect("utf-8");
    assert!(csv.lines().count() > 10, "{csv}");
    assert!(
        csv.starts_with("id,") || csv.lines().next().is_some_and(|l| l.contains("type")),
        "{csv}"
    );
}

/// A hashed file this build does not have (an open tab from before a deploy asking for its old
/// chunk) is a 404 that is never cached: not `index.html` under a name cached for a year.
#[tokio::test]
async fn a_missing_hashed_file_is_not_found_and_not_cached() {
    let dir = dist();
    let mut harness = Harness::new().await;
    harness.reconfigure(|state| state.static_dir = Some(dir.clone()));
    for path in [
        "/chunk_7-0123456789abcdef.wasm",
        "/__wasm_split-fedcba9876543210.js",
        "/gatehouse-app-1111111111111111_bg.wasm",
    ] {
        let (status, headers, _) = get_raw(&harness, path, &[("accept-encoding", "br")]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(headers["cache-control"], "no-cache", "{path}");
    }
    // The build's own hashed file is still served and cached by name.
    let (status, headers, _) = get_raw(&harness, &format!("/{WASM}"), &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers["cache-control"],
        "public, max-age=31536000, immutable"
    );
}
