//! End to end in real Chromium over WebDriver: `gatehouse serve` in demo mode, sign in as
//! demo-owner, change a user's role, see it in the table, and find `user.updated` in the audit
//! log. It needs the release build in `dist/` and chromedriver, so `make test` runs it in its own
//! step (`cargo test -p gatehouse --test e2e_browser -- --ignored`). A second test runs the
//! portal against a separate sandbox with a canary admin key and looks for it everywhere.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

/// Kills a child process when the test ends, however it ends.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// `gatehouse serve` in demo mode on a free port; returns the process and its URL.
fn start_portal(dist: &PathBuf) -> (Killed, String) {
    let data_dir = std::env::temp_dir().join(format!("gatehouse-e2e-{}", std::process::id()));
    let mut child = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args(["serve", "--listen", "127.0.0.1:0", "--static-dir"])
        .arg(dist)
        .arg("--data-dir")
        .arg(&data_dir)
        .env_remove("OPENAI_ADMIN_KEY")
        .env_remove("GATEHOUSE_ADMIN_KEY_FILE")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start gatehouse serve");
    let stdout = child.stdout.take().expect("stdout");
    let guard = Killed(child);
    let mut lines = BufReader::new(stdout).lines();
    let url = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| {
            line.strip_prefix("Gatehouse is listening on ")
                .map(str::to_owned)
        })
        .expect("gatehouse serve printed its address");
    // Keep draining stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    (guard, url)
}

/// chromedriver on a free port.
fn start_chromedriver() -> (Killed, String) {
    let binary = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    let port = free_port();
    let child = Command::new(&binary)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("start {binary}: {e} (make test installs chromium-driver)"));
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    (Killed(child), format!("http://127.0.0.1:{port}"))
}

async fn browser(webdriver: &str) -> Client {
    let capabilities = json!({
        "goog:chromeOptions": {
            "binary": std::env::var("CHROME").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update",
                "--no-first-run", "--disable-sync", "--window-size=1280,900"
            ]
        }
    });
    let serde_json::Value::Object(capabilities) = capabilities else {
        unreachable!("a JSON object literal")
    };
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(webdriver)
        .await
        .expect("a WebDriver session")
}

/// Waits up to 15 s for `condition` (evaluated in the page) to be true.
async fn wait_until(client: &Client, what: &str, condition: &str) {
    wait_until_within(client, what, condition, Duration::from_secs(15)).await;
}

/// Waits up to `limit` for `condition` (evaluated in the page) to be true.
async fn wait_until_within(client: &Client, what: &str, condition: &str, limit: Duration) {
    let deadline = Instant::now() + limit;
    loop {
        let value = client
            .execute(&format!("return Boolean({condition});"), vec![])
            .await
            .expect("script");
        if value == json!(true) {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Opens `url` and waits until `condition` holds in the page.
async fn show(client: &Client, url: &str, condition: &str) {
    client.goto(url).await.expect("navigate");
    wait_until(client, url, condition).await;
}

/// Saves what the browser shows as `target/e2e/<name>.png`.
async fn screenshot(client: &Client, name: &str) {
    let shots = workspace().join("target/e2e");
    std::fs::create_dir_all(&shots).expect("target/e2e");
    let png = client.screenshot().await.expect("screenshot");
    std::fs::write(shots.join(format!("{name}.png")), png).expect("write screenshot");
}

/// Signs in through the form and waits for the users table.
async fn sign_in(client: &Client, user: &str, password: &str) {
    wait_until(
        client,
        "the sign-in form",
        "document.querySelector('#username')",
    )
    .await;
    client
        .find(Locator::Css("#username"))
        .await
        .expect("username")
        .send_keys(user)
        .await
        .expect("type");
    client
        .find(Locator::Css("#password"))
        .await
        .expect("password")
        .send_keys(password)
        .await
        .expect("type");
    client
        .find(Locator::Css("form button[type=submit]"))
        .await
        .expect("submit")
        .click()
        .await
        .expect("click");
    wait_until(
        client,
        "the users table",
        "document.querySelector('tbody tr')",
    )
    .await;
}

const CANARY: &str = "test-admin-key-CANARY0e2e0canary0e2e0KEYTAIL";

/// Runs `gatehouse` with `args`, its stdout and stderr captured to files under `dir`.
fn spawn_logged(
    dir: &std::path::Path,
    name: &str,
    args: &[&str],
    env: &[(&str, &str)],
) -> (Killed, PathBuf) {
    let log = dir.join(format!("{name}.log"));
    let file = std::fs::File::create(&log).expect("log file");
    let mut command = Command::new(env!("CARGO_BIN_EXE_gatehouse"));
    command
        .args(args)
        .env("RUST_LOG", "debug")
        .env_remove("OPENAI_ADMIN_KEY")
        .stdout(file.try_clone().expect("clone"))
        .stderr(file);
    for (k, v) in env {
        command.env(k, v);
    }
    (Killed(command.spawn().expect("spawn gatehouse")), log)
}

/// Waits until `log` has a line starting with `prefix`, and returns the rest of it.
fn wait_for_line(log: &std::path::Path, prefix: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if let Some(rest) = text.lines().find_map(|l| l.strip_prefix(prefix)) {
            return rest.trim().to_owned();
        }
        assert!(
            Instant::now() < deadline,
            "no '{prefix}' in {}:\n{text}",
            log.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// With a canary admin key against a separate sandbox, a browser session and a round of API
/// calls leave no trace of the key in any response, static file or log line.
#[tokio::test]
#[ignore = "needs dist/ and chromedriver; `make test` runs it in its own step"]
async fn the_admin_key_never_leaves_the_server() {
    let dist =
        std::env::var("GATEHOUSE_DIST").map_or_else(|_| workspace().join("dist"), PathBuf::from);
    let dir = std::env::temp_dir().join(format!("gatehouse-canary-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let data = dir.join("data");
    let (_sandbox, sandbox_log) = spawn_logged(
        &dir,
        "sandbox",
        &["sandbox", "--listen", "127.0.0.1:0", "--admin-key", CANARY],
        &[],
    );
    let upstream = wait_for_line(&sandbox_log, "Sandbox listening on ");

    let mut add = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args(["user", "add", "olive", "--role", "owner", "--data-dir"])
        .arg(&data)
        .stdin(Stdio::piped())
        .spawn()
        .expect("user add");
    std::io::Write::write_all(&mut add.stdin.take().expect("stdin"), b"olive-password-1\n")
        .expect("password");
    assert!(add.wait().expect("wait").success());

    let dist_arg = dist.to_string_lossy().into_owned();
    let data_arg = data.to_string_lossy().into_owned();
    let (_portal, portal_log) = spawn_logged(
        &dir,
        "portal",
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--upstream",
            &upstream,
            "--static-dir",
            &dist_arg,
            "--data-dir",
            &data_arg,
        ],
        &[("OPENAI_ADMIN_KEY", CANARY)],
    );
    let url = wait_for_line(&portal_log, "Gatehouse is listening on ");

    let (_driver, webdriver) = start_chromedriver();
    let client = browser(&webdriver).await;
    client.goto(&format!("{url}/users")).await.expect("open");
    sign_in(&client, "olive", "olive-password-1").await;
    client
        .find(Locator::Css("button[aria-label$=' an owner']"))
        .await
        .expect("button")
        .click()
        .await
        .expect("click");
    wait_until(
        &client,
        "the dialog",
        "document.querySelector('dialog[open]')",
    )
    .await;
    client
        .find(Locator::Css("dialog[open] button.primary"))
        .await
        .expect("confirm")
        .click()
        .await
        .expect("click");
    wait_until(&client, "the toast", "document.querySelector('.toast a')").await;
    client
        .goto(&format!("{url}/audit-log"))
        .await
        .expect("audit log");
    wait_until(&client, "events", "document.querySelector('li.event')").await;
    let mut seen = vec![client.source().await.expect("page source")];
    client.close().await.expect("close");

    // A round of API calls, errors included, read whole with their headers.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let signed_in = http
        .post(format!("{url}/api/session"))
        .json(&json!({"username": "olive", "password": "olive-password-1"}))
        .send()
        .await
        .expect("sign in");
    let cookie = signed_in.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .split(';')
        .next()
        .expect("pair")
        .to_owned();
    seen.push(format!("{:?}", signed_in.headers()));
    let csrf = signed_in.json::<serde_json::Value>().await.expect("json")["csrf_token"]
        .as_str()
        .expect("csrf")
        .to_owned();
    for (method, path) in [
        ("GET", "/api/v1/organization/users?limit=100"),
        ("GET", "/api/v1/organization/admin_api_keys"),
        ("GET", "/api/v1/organization/audit_logs?limit=100"),
        ("GET", "/api/v1/organization/users/user-nobody"),
        ("GET", "/api/v1/organization/certificates"),
        ("GET", "/api/journal"),
        ("GET", "/readyz"),
        ("DELETE", "/api/v1/organization/invites/invite-nope"),
        ("GET", "/users"),
    ] {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let response = http
            .request(method, format!("{url}{path}"))
            .header("cookie", &cookie)
            .header("x-csrf-token", &csrf)
            .send()
            .await
            .expect("request");
        seen.push(format!("{:?}", response.headers()));
        seen.push(response.text().await.expect("body"));
    }
    for entry in std::fs::read_dir(&dist).expect("dist") {
        let bytes = std::fs::read(entry.expect("entry").path()).expect("static file");
        seen.push(String::from_utf8_lossy(&bytes).into_owned());
    }
    let logs = std::fs::read_to_string(&portal_log).expect("portal log");
    assert!(
        logs.lines().count() > 10,
        "the portal logged its work:\n{logs}"
    );
    seen.push(logs);

    let tail = &CANARY[CANARY.len() - 8..];
    for text in &seen {
        assert!(!text.contains(CANARY), "the admin key leaked:\n{text}");
        assert!(
            !text.contains("CANARY") && !text.contains(tail),
            "part of the admin key leaked:\n{text}"
        );
    }
    println!(
        "canary: {} responses, static files and log files checked, no trace of the key",
        seen.len()
    );
}

#[tokio::test]
#[ignore = "needs dist/ and chromedriver; `make test` runs it in its own step"]
async fn owner_changes_a_role_and_finds_it_in_the_audit_log() {
    let dist =
        std::env::var("GATEHOUSE_DIST").map_or_else(|_| workspace().join("dist"), PathBuf::from);
    assert!(
        dist.join("index.html").is_file(),
        "build the app first: trunk build --release"
    );
    let (_portal, url) = start_portal(&dist);
    let (_driver, webdriver) = start_chromedriver();

    // The page is served under a strict CSP: the app below only boots if its hash is right.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let page = reqwest::get(format!("{url}/users"))
        .await
        .expect("GET /users");
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .expect("csp")
        .to_owned();
    assert!(
        csp.contains("'sha256-") && !csp.contains("unsafe-inline"),
        "{csp}"
    );

    let client = browser(&webdriver).await;
    client
        .goto(&format!("{url}/users"))
        .await
        .expect("open the portal");
    wait_until(
        &client,
        "the sign-in form",
        "document.querySelector('#username')",
    )
    .await;
    let page_text = client
        .find(Locator::Css("main"))
        .await
        .expect("main")
        .text()
        .await
        .expect("text");
    assert!(
        page_text.contains("demo-owner"),
        "demo mode shows the demo accounts: {page_text}"
    );
    client
        .find(Locator::Css("#username"))
        .await
        .expect("username")
        .send_keys("demo-owner")
        .await
        .expect("type");
    client
        .find(Locator::Css("#password"))
        .await
        .expect("password")
        .send_keys("demo-owner")
        .await
        .expect("type");
    client
        .find(Locator::Css("form button[type=submit]"))
        .await
        .expect("submit")
        .click()
        .await
        .expect("click");

    // The users table, with a reader to promote.
    wait_until(
        &client,
        "the users table",
        "document.querySelector(\"button[aria-label$=' an owner']\")",
    )
    .await;
    let promote = client
        .find(Locator::Css("button[aria-label$=' an owner']"))
        .await
        .expect("button");
    let label = promote
        .attr("aria-label")
        .await
        .expect("attr")
        .expect("aria-label");
    let name = label
        .trim_start_matches("Make ")
        .trim_end_matches(" an owner")
        .to_owned();
    promote.click().await.expect("click");
    wait_until(
        &client,
        "the confirmation dialog",
        "document.querySelector('dialog[open]')",
    )
    .await;
    let dialog_text = client
        .find(Locator::Css("dialog[open]"))
        .await
        .expect("dialog")
        .text()
        .await
        .expect("text");
    assert!(
        dialog_text.contains(&format!(
            "Change {name}'s organization role from reader to owner"
        )),
        "{dialog_text}"
    );
    client
        .find(Locator::Css("dialog[open] button.primary"))
        .await
        .expect("confirm")
        .click()
        .await
        .expect("click");

    // The table shows the new role, and the dialog is gone.
    let row_role = format!(
        "[...document.querySelectorAll('tbody tr')].find(r => r.cells[0].textContent === {name:?})?.querySelector('td.role')?.textContent === 'owner'"
    );
    wait_until(&client, "the new role in the table", &row_role).await;
    wait_until(
        &client,
        "the dialog to close",
        "!document.querySelector('dialog')",
    )
    .await;

    // The toast links to the audit log, which lists the user.updated event.
    wait_until(&client, "the toast", "document.querySelector('.toast a')").await;
    client
        .find(Locator::Css(".toast a"))
        .await
        .expect("toast link")
        .click()
        .await
        .expect("click");
    wait_until(
        &client,
        "user.updated in the audit log",
        "[...document.querySelectorAll(\"li.event[data-type='user.updated']\")].some(li => li.textContent.includes(\"'s role to owner\"))",
    )
    .await;

    screenshot(&client, "audit-log-after-role-change").await;
    // The event's details carry a permalink that finds it again on its own page.
    client
        .find(Locator::Css(
            "li.event[data-type='user.updated'] .sentence button",
        ))
        .await
        .expect("the event")
        .click()
        .await
        .expect("open details");
    wait_until(
        &client,
        "the details dialog",
        "document.querySelector('dialog[open] pre.json')",
    )
    .await;
    screenshot(&client, "audit-event-details").await;
    client
        .find(Locator::LinkText("Permalink"))
        .await
        .expect("permalink")
        .click()
        .await
        .expect("follow the permalink");
    wait_until(
        &client,
        "the permalinked event",
        "location.pathname.startsWith('/audit-log/event/') && document.querySelector('h1')?.textContent.includes(\"'s role to owner\")",
    )
    .await;

    // The journal names the portal user behind the change.
    show(
        &client,
        &format!("{url}/journal"),
        "[...document.querySelectorAll('tbody tr')].some(r => r.textContent.includes('demo-owner (owner)') && r.textContent.includes('POST /organization/users/') && r.textContent.includes('200'))",
    )
    .await;
    screenshot(&client, "journal").await;
    show(
        &client,
        &format!("{url}/users"),
        "document.querySelector('tbody tr')",
    )
    .await;
    screenshot(&client, "users").await;

    // Live tail: on the first page, a change made meanwhile shows up behind a button.
    show(
        &client,
        &format!("{url}/audit-log"),
        "document.querySelector('li.event')",
    )
    .await;
    client
        .execute(
            "fetch('/api/session').then(r => r.json()).then(s => fetch('/api/v1/organization/projects', {
                method: 'POST',
                headers: {'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token},
                body: JSON.stringify({name: 'Live tail'})
            }));",
            vec![],
        )
        .await
        .expect("a change from the page");
    wait_until_within(
        &client,
        "the new-events button",
        "[...document.querySelectorAll('.live button')].some(b => b.textContent.startsWith('1 new event'))",
        Duration::from_secs(30),
    )
    .await;
    client
        .find(Locator::Css(".live button"))
        .await
        .expect("button")
        .click()
        .await
        .expect("show");
    wait_until(
        &client,
        "the new event on top",
        "document.querySelector('li.event')?.dataset.type === 'project.created'",
    )
    .await;
    // Export: the page counts events as the stream arrives, then saves the file.
    client
        .find(Locator::XPath(
            "//div[contains(@class,'export')]//button[text()='CSV']",
        ))
        .await
        .expect("export button")
        .click()
        .await
        .expect("export");
    wait_until(
        &client,
        "the finished export",
        "/^Exported [1-9][0-9]* events as CSV\\.$/.test(document.querySelector('.export-status')?.textContent ?? '')",
    )
    .await;
    client.close().await.expect("close the browser");
}
