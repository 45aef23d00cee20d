//! What a browser downloads: the built app from `gatehouse serve` (demo mode) in headless
//! Chromium with an empty cache, signed in, for a cold load of `/users` and of `/audit-log`:
//! the bytes transferred on the wire (Resource Timing's `transferSize`, headers included) until
//! the page's data is shown, and the time to that point; plus the whole app's bytes as served.
//! Each figure is printed beside its budget. Printed, never asserted:
//! `cargo bench -p gatehouse --bench wire` after `scripts/build-app.sh` (or `make bench`).
//! Needs chromedriver and dist/.

#[path = "../tests/common/process.rs"]
mod process;

use std::path::PathBuf;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder};
use process::{Killed, spawn_logged, wait_for_line};
use serde_json::{Value, json};

/// The goals of the issue that set them (#15), in bytes.
const USERS_BUDGET: u64 = 160 * 1024;
const AUDIT_LOG_BUDGET: u64 = 200 * 1024;
const WHOLE_APP_BUDGET: u64 = 330 * 1024;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

async fn browser(webdriver: &str) -> Client {
    let capabilities = json!({
        "goog:chromeOptions": {
            "binary": std::env::var("CHROME").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update",
                     "--no-first-run", "--disable-sync", "--window-size=1280,900"]
        }
    });
    let Value::Object(capabilities) = capabilities else {
        unreachable!("an object literal")
    };
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(webdriver)
        .await
        .expect("a WebDriver session")
}

/// One cold load of `path` in a fresh browser (empty cache) holding `cookie`: waits in the
/// page for `selector`, then reads what Resource Timing saw.
async fn cold_load(webdriver: &str, url: &str, cookie: &str, path: &str, selector: &str) -> Value {
    let client = browser(webdriver).await;
    // A tiny same-origin answer first, to set the session cookie; the app is not loaded yet.
    client.goto(&format!("{url}/api/meta")).await.expect("open");
    client
        .execute(
            "document.cookie = arguments[0] + '=' + arguments[1] + '; path=/; SameSite=Strict';",
            vec![json!(gatehouse::SESSION_COOKIE), json!(cookie)],
        )
        .await
        .expect("cookie");
    client
        .goto(&format!("{url}{path}"))
        .await
        .expect("navigate");
    let figures = client
        .execute_async(
            "const [selector, done] = [arguments[0], arguments[arguments.length - 1]];
             const started = Date.now();
             const look = () => {
                 if (document.querySelector(selector)) {
                     const shown = performance.now();
                     const nav = performance.getEntriesByType('navigation')[0];
                     const files = performance.getEntriesByType('resource')
                         .filter(r => r.responseEnd <= shown);
                     const bytes = nav.transferSize + files.reduce((n, r) => n + r.transferSize, 0);
                     done({ bytes, ms: shown, files: files.map(r => [r.name.replace(location.origin, ''), r.transferSize]) });
                 } else if (Date.now() - started > 30000) {
                     done({ error: 'not shown within 30 s' });
                 } else {
                     requestAnimationFrame(look);
                 }
             };
             look();",
            vec![json!(selector)],
        )
        .await
        .expect("figures");
    let encoding = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const wasm = performance.getEntriesByType('resource').find(r => r.name.endsWith('.wasm'));
             fetch(wasm.name, { cache: 'no-store' }).then(r => done(r.headers.get('content-encoding') || 'identity'));",
            vec![],
        )
        .await
        .expect("encoding");
    client.close().await.expect("close");
    json!({ "figures": figures, "encoding": encoding })
}

fn kb(bytes: u64) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let kb = bytes as f64 / 1024.0;
    kb
}

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dist =
        std::env::var("GATEHOUSE_DIST").map_or_else(|_| workspace().join("dist"), PathBuf::from);
    if !dist.join("index.html").exists() {
        println!(
            "wire: skipped (no {}; run scripts/build-app.sh)",
            dist.display()
        );
        return;
    }
    let driver_binary =
        std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    if !std::path::Path::new(&driver_binary).exists() {
        println!("wire: skipped (no {driver_binary})");
        return;
    }
    let dir = std::env::temp_dir().join(format!("gatehouse-wire-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let data = dir.join("data");
    let (_portal, log) = spawn_logged(
        &dir,
        "portal",
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--static-dir",
            dist.to_str().expect("dist"),
            "--data-dir",
            data.to_str().expect("data"),
        ],
        &[],
    );
    let url = wait_for_line(&log, "Gatehouse is listening on ");
    let port = free_port();
    let _driver = Killed(
        std::process::Command::new(&driver_binary)
            .arg(format!("--port={port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("chromedriver"),
    );
    let webdriver = format!("http://127.0.0.1:{port}");
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let http = reqwest::Client::new();
    let signed = http
        .post(format!("{url}/api/session"))
        .json(&json!({ "username": "demo-owner", "password": "demo-owner" }))
        .send()
        .await
        .expect("sign in");
    let cookie = signed
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|c| c.split(';').next())
        .and_then(|pair| pair.split_once('='))
        .map(|(_, v)| v.to_owned())
        .expect("a session cookie");

    println!(
        "wire: a cold load in headless Chromium (empty cache), signed in, from gatehouse serve over loopback HTTP"
    );
    for (path, selector, budget) in [
        ("/users", "tbody tr", USERS_BUDGET),
        ("/audit-log", "li.event", AUDIT_LOG_BUDGET),
        // Lazy pages of #16: the shell and their own chunks.
        ("/groups", "tbody tr", USERS_BUDGET),
        ("/roles", "tbody tr", USERS_BUDGET),
    ] {
        let load = cold_load(&webdriver, &url, &cookie, path, selector).await;
        let figures = &load["figures"];
        if let Some(error) = figures["error"].as_str() {
            println!("  {path:<11} {error}");
            continue;
        }
        let bytes = figures["bytes"].as_u64().unwrap_or_default();
        println!(
            "  {path:<11} {:>7.1} KB on the wire until its data is shown (budget {:.0} KB), {:>6.0} ms; the wasm came {}",
            kb(bytes),
            kb(budget),
            figures["ms"].as_f64().unwrap_or_default(),
            load["encoding"].as_str().unwrap_or("?"),
        );
        for file in figures["files"].as_array().into_iter().flatten() {
            println!(
                "      {:<60} {:>8} bytes",
                file[0].as_str().unwrap_or(""),
                file[1]
            );
        }
    }
    // The whole app as served: every file of dist/, as its smallest copy the server sends.
    let mut whole = 0_u64;
    for entry in std::fs::read_dir(&dist).expect("dist").flatten() {
        let path = entry.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        if name.ends_with(".br") || name.ends_with(".gz") || !path.is_file() {
            continue;
        }
        let size = |p: PathBuf| std::fs::metadata(p).map(|m| m.len()).ok();
        whole += [
            size(dist.join(format!("{name}.br"))),
            size(dist.join(format!("{name}.gz"))),
            size(path.clone()),
        ]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or_default();
    }
    println!(
        "  every route together: {:.1} KB as served, Brotli where the browser takes it (budget {:.0} KB)",
        kb(whole),
        kb(WHOLE_APP_BUDGET)
    );
}
