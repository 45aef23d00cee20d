//! End to end in real Chromium over WebDriver: `gatehouse serve` in demo mode, sign in as
//! demo-owner, change a user's role, see it in the table, and find `user.updated` in the audit
//! log. It needs the release build in `dist/` and chromedriver, so `make test` runs it in its own
//! step (`cargo test -p gatehouse --test e2e_browser -- --ignored`). A second test runs the
//! portal against a separate sandbox with a canary admin key and looks for it everywhere.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};

#[path = "common/process.rs"]
mod process;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use process::{Killed, spawn_logged, wait_for_line};
use serde_json::json;

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
    // One data dir per portal: tests run side by side, and each portal's archive must hold
    // only its own sandbox's events.
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let data_dir = std::env::temp_dir().join(format!(
        "gatehouse-e2e-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&data_dir);
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
        },
        // Console messages (errors, failed loads, CSP violations), read by `console_errors`.
        "goog:loggingPrefs": { "browser": "ALL" }
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

/// With a canary admin key against a separate sandbox, a browser session and a round of API
/// calls leave no trace of the key in any response, static file or log line.
#[tokio::test]
#[ignore = "needs dist/ and chromedriver; `make test` runs it in its own step"]
async fn the_admin_key_never_leaves_the_server() {
    let dist = dist();
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
    let dist = dist();
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

    // Made with the portal's key, the event names the person behind it, beside the key.
    wait_until(
        &client,
        "the person on the user.updated event",
        "[...document.querySelectorAll(\"li.event[data-type='user.updated'] .portal-user\")].some(a => a.textContent === 'demo-owner (owner) via Gatehouse')",
    )
    .await;
    screenshot(&client, "audit-log-after-role-change").await;
    attributed_filter_and_export(&client, &url).await;
    show(
        &client,
        &format!("{url}/audit-log?actor=demo-owner&event_type=user.updated"),
        "document.querySelector(\"li.event[data-type='user.updated'] .sentence button\")",
    )
    .await;
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

/// Clicks the CSV export and returns the file the page saves (captured as the page hands it to
/// the browser's download).
async fn export_csv(client: &Client) -> String {
    client
        .execute(
            "window.__exported = null;
             const original = URL.createObjectURL;
             URL.createObjectURL = blob => { blob.text().then(t => window.__exported = t); return original(blob); };",
            vec![],
        )
        .await
        .expect("hook the download");
    click(
        client,
        Locator::XPath("//div[contains(@class,'export')]//button[text()='CSV']"),
    )
    .await;
    wait_until(
        client,
        "the saved file",
        "typeof window.__exported === 'string'",
    )
    .await;
    let text = client
        .execute("return window.__exported;", vec![])
        .await
        .expect("file");
    text.as_str().expect("text").to_owned()
}

/// Filters the audit log by the portal user `demo-owner` (everything done in the portal's
/// name) and exports it: the file's `portal_user` column names demo-owner on the role change.
async fn attributed_filter_and_export(client: &Client, url: &str) {
    // Only the archive knows portal users; its first copy is made at start.
    wait_until(
        client,
        "the archive's first copy",
        "(window.__backfill ??= setInterval(() => fetch('/api/archive/status').then(r => r.json()).then(s => window.__complete = s.coverage.backfill.complete), 200)) && window.__complete === true",
    )
    .await;
    show(
        client,
        &format!("{url}/audit-log?actor=demo-owner"),
        "[...document.querySelectorAll(\"li.event[data-type='user.updated']\")].some(li => li.querySelector('.portal-user')?.textContent === 'demo-owner (owner) via Gatehouse')",
    )
    .await;
    let others = client
        .execute(
            "return [...document.querySelectorAll('li.event')].filter(li => !li.querySelector('.portal-user')).length;",
            vec![],
        )
        .await
        .expect("count");
    assert_eq!(others, json!(0), "only demo-owner's events are listed");
    let text = export_csv(client).await;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().expect("header").clone();
    let column = |name: &str| header.iter().position(|h| h == name).expect(name);
    let (kind, user) = (column("type"), column("portal_user"));
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a record")).collect();
    assert!(
        rows.iter()
            .any(|r| &r[kind] == "user.updated" && &r[user] == "demo-owner"),
        "{text}"
    );
    assert!(rows.iter().all(|r| &r[user] == "demo-owner"), "{text}");
}

/// A demo-mode portal, chromedriver and a browser signed in as `user` (whose demo password is
/// its name). The two processes end when their guards are dropped.
async fn signed_in(user: &str) -> (Killed, Killed, Client, String) {
    let dist = dist();
    let (portal, url) = start_portal(&dist);
    let (driver, webdriver) = start_chromedriver();
    let client = browser(&webdriver).await;
    client.goto(&format!("{url}/users")).await.expect("open");
    sign_in(&client, user, user).await;
    (portal, driver, client, url)
}

/// The built app: `GATEHOUSE_DIST`, or `dist/` in the workspace.
fn dist() -> PathBuf {
    std::env::var("GATEHOUSE_DIST").map_or_else(|_| workspace().join("dist"), PathBuf::from)
}

/// Runs `script` in the page as an async function body and returns what it returns.
async fn run_async(client: &Client, script: &str) -> serde_json::Value {
    client
        .execute_async(
            &format!(
                "const done = arguments[arguments.length - 1];
                 (async () => {{ {script} }})().then(done, e => done({{script_error: String(e)}}));"
            ),
            vec![],
        )
        .await
        .expect("script")
}

/// The ids of every event upstream has for `query` (a query string without paging), read
/// through the portal's own proxy from the page, page by page.
async fn all_event_ids(client: &Client, query: &str) -> Vec<String> {
    let ids = run_async(
        client,
        &format!(
            "let ids = [], after = null;
             do {{
                 const q = new URLSearchParams({query:?});
                 q.set('limit', '100');
                 if (after) q.set('after', after);
                 const page = await (await fetch('/api/v1/organization/audit_logs?' + q)).json();
                 ids.push(...page.data.map(e => e.id));
                 after = page.has_more ? page.last_id : null;
             }} while (after);
             return ids;"
        ),
    )
    .await;
    serde_json::from_value(ids.clone()).unwrap_or_else(|_| panic!("ids: {ids}"))
}

/// The ids of the events the timeline has rendered, top to bottom.
async fn rendered_ids(client: &Client) -> Vec<String> {
    let ids = client
        .execute(
            "return [...document.querySelectorAll('li.event')].map(li => li.dataset.id);",
            vec![],
        )
        .await
        .expect("script");
    serde_json::from_value(ids).expect("ids")
}

/// Clicks an element after scrolling it to the middle of the window (toasts sit bottom right).
async fn click(client: &Client, locator: Locator<'_>) {
    let element = client.find(locator).await.expect("element");
    let handle = serde_json::to_value(&element).expect("element handle");
    client
        .execute(
            "arguments[0].scrollIntoView({block: 'center'});",
            vec![handle],
        )
        .await
        .expect("scroll");
    element.click().await.expect("click");
}

/// The timeline as a security team uses it: filter by type and actor, reload and keep the view,
/// go back, follow "all events by this actor" from an event's details, and export CSV whose rows
/// are exactly the API's events for that filter, with formula cells neutralised.
#[tokio::test]
#[ignore = "needs dist/ and chromedriver; `make test` runs it in its own step"]
async fn a_security_team_filters_follows_and_exports_the_audit_log() {
    let (_portal, _driver, client, url) = signed_in("demo-owner").await;

    // A project whose name a spreadsheet would run as a formula, and who created it.
    let formula = "=HYPERLINK(\"http://x.example\",\"click\")";
    let created = run_async(
        &client,
        &format!(
            "const s = await (await fetch('/api/session')).json();
             const r = await fetch('/api/v1/organization/projects', {{
                 method: 'POST',
                 headers: {{'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token}},
                 body: JSON.stringify({{name: {formula:?}}})
             }});
             return await r.json();"
        ),
    )
    .await;
    assert_eq!(created["name"], formula, "{created}");
    let newest = run_async(
        &client,
        "return await (await fetch('/api/v1/organization/audit_logs?event_types[]=project.created&limit=1')).json();",
    )
    .await;
    let actor = newest["data"][0]["actor"]["api_key"]["user"]["email"]
        .as_str()
        .unwrap_or_else(|| panic!("the creator's email: {newest}"))
        .to_owned();

    // Filter by event type (from the picker) and actor (typed), then apply.
    show(
        &client,
        &format!("{url}/audit-log"),
        "document.querySelector('li.event')",
    )
    .await;
    click(
        &client,
        Locator::Css("details.type-picker:not(.project-picker) summary"),
    )
    .await;
    client
        .find(Locator::Css("input[aria-label='Search event types']"))
        .await
        .expect("search")
        .send_keys("project.created")
        .await
        .expect("type");
    click(
        &client,
        Locator::XPath(
            "//label[contains(@class,'check') and normalize-space(.)='project.created']/input",
        ),
    )
    .await;
    client
        .find(Locator::Css("#filter-actor"))
        .await
        .expect("actor")
        .send_keys(&actor)
        .await
        .expect("type");
    click(
        &client,
        Locator::Css("form.audit-filters button[type=submit]"),
    )
    .await;
    let filtered = "location.search.includes('event_type=project.created') && location.search.includes('actor=') \
        && document.querySelector('li.event') \
        && [...document.querySelectorAll('li.event')].every(li => li.dataset.type === 'project.created')";
    wait_until(&client, "the filtered timeline", filtered).await;
    let expected = all_event_ids(
        &client,
        &format!("event_types[]=project.created&actor_emails[]={actor}"),
    )
    .await;
    let shown = rendered_ids(&client).await;
    assert!(!shown.is_empty());
    assert_eq!(
        shown,
        expected[..shown.len()],
        "the timeline shows upstream's events for the filter, newest first"
    );
    screenshot(&client, "audit-log-filtered").await;
    let filtered_url = client.current_url().await.expect("url");

    // A reload reproduces the view: the same URL, form and events.
    client.refresh().await.expect("reload");
    wait_until(&client, "the view after a reload", filtered).await;
    assert_eq!(client.current_url().await.expect("url"), filtered_url);
    assert_eq!(rendered_ids(&client).await, shown);
    let form = client
        .execute(
            "return [document.querySelector('#filter-actor').value, document.querySelector('details.type-picker:not(.project-picker) summary').textContent];",
            vec![],
        )
        .await
        .expect("form");
    assert_eq!(form, json!([actor, "project.created"]));

    // Clearing is one click, and Back returns to the filtered view.
    click(&client, Locator::LinkText("Clear filters")).await;
    wait_until(
        &client,
        "the unfiltered timeline",
        "location.search === '' && [...document.querySelectorAll('li.event')].some(li => li.dataset.type !== 'project.created')",
    )
    .await;
    client.back().await.expect("back");
    wait_until(&client, "the filtered view again", filtered).await;
    assert_eq!(rendered_ids(&client).await, shown);
    // One filter at a time: its chip drops just that one.
    click(
        &client,
        Locator::Css("a[aria-label='Remove filter Type: project.created']"),
    )
    .await;
    wait_until(
        &client,
        "the type filter dropped, the actor kept",
        "!location.search.includes('event_type') && location.search.includes('actor=')",
    )
    .await;
    client.back().await.expect("back");
    wait_until(&client, "the filtered view once more", filtered).await;

    // An event's details lead to everything its actor did.
    click(
        &client,
        Locator::Css(&format!(
            "li.event[data-id='{}'] .sentence button",
            shown[0]
        )),
    )
    .await;
    wait_until(
        &client,
        "the details",
        "document.querySelector('dialog[open] pre.json')",
    )
    .await;
    click(&client, Locator::LinkText("All events by this actor")).await;
    let by_actor = format!(
        "location.search === '?actor={}' && !document.querySelector('dialog') && document.querySelector('li.event')",
        actor.replace('@', "%40")
    );
    wait_until(&client, "the actor's events", &by_actor).await;
    let expected = all_event_ids(&client, &format!("actor_emails[]={actor}")).await;
    wait_until(
        &client,
        "the actor's events to load",
        &format!(
            "document.querySelector('li.event')?.dataset.id === {:?}",
            expected[0]
        ),
    )
    .await;
    let shown = rendered_ids(&client).await;
    assert_eq!(shown, expected[..shown.len()]);
    let form = client
        .execute(
            "return [document.querySelector('#filter-actor').value, document.querySelector('details.type-picker:not(.project-picker) summary').textContent];",
            vec![],
        )
        .await
        .expect("form");
    assert_eq!(
        form,
        json!([actor, "All types"]),
        "the form follows the URL"
    );
    screenshot(&client, "audit-log-by-actor").await;

    // Export CSV of this filter: capture the file the page saves, then compare it with the API.
    let text = export_csv(&client).await;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(&header[..4], ["id", "effective_at", "time_utc", "type"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a record")).collect();
    let ids: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    assert_eq!(
        ids, expected,
        "the file's rows are the API's events for the filter"
    );
    let cells: Vec<&str> = rows.iter().flat_map(|r| r.iter()).collect();
    assert!(
        cells.contains(&format!("'{formula}").as_str()),
        "the formula is kept, as text"
    );
    assert!(
        !cells.iter().any(|c| c.starts_with(['=', '+', '-', '@'])),
        "no cell starts a formula"
    );
    wait_until(
        &client,
        "the export's outcome",
        &format!(
            "document.querySelector('.export-status')?.textContent.includes('Exported {} events as CSV.')",
            expected.len()
        ),
    )
    .await;
    // The manifest the page links to names the file's SHA-256.
    wait_until(
        &client,
        "the manifest's hash",
        "document.querySelector('.export .sha256')",
    )
    .await;
    let shown_hash = client
        .find(Locator::Css(".export .sha256"))
        .await
        .expect("hash")
        .text()
        .await
        .expect("text");
    let digest = <sha2::Sha256 as sha2::Digest>::digest(text.as_bytes());
    assert_eq!(shown_hash, format!("{digest:x}"));
    client.close().await.expect("close the browser");
}

/// Types `text` into the field `css` (real key presses, so the page sees input events).
async fn fill(client: &Client, css: &str, text: &str) {
    let field = client.find(Locator::Css(css)).await.expect("field");
    field.clear().await.expect("clear");
    field.send_keys(text).await.expect("type");
}

/// Picks the option whose text is `text` in the `<select>` `css`, as a person would.
async fn choose(client: &Client, css: &str, text: &str) {
    let done = client
        .execute(
            "const s = document.querySelector(arguments[0]);
             const o = s && [...s.options].find(o => o.textContent.trim() === arguments[1]);
             if (!o) return false;
             s.value = o.value;
             s.dispatchEvent(new Event('change', {bubbles: true}));
             return true;",
            vec![json!(css), json!(text)],
        )
        .await
        .expect("script");
    assert_eq!(done, json!(true), "no option {text:?} in {css}");
}

/// The newest audit event matching `query` (upstream's parameters), read through the proxy.
async fn newest_event(client: &Client, query: &str) -> serde_json::Value {
    let page = run_async(
        client,
        &format!(
            "return await (await fetch('/api/v1/organization/audit_logs?limit=1&' + {query:?})).json();"
        ),
    )
    .await;
    page["data"][0].clone()
}

/// Closes the one-time secret's dialog as a person does: ticks "I have copied it", then Done.
async fn confirm_copied(client: &Client) {
    click(
        client,
        Locator::XPath("//dialog//label[contains(., 'I have copied it')]/input"),
    )
    .await;
    click(client, Locator::XPath("//dialog//button[text()='Done']")).await;
    wait_until(
        client,
        "the dialog to close",
        "!document.querySelector('dialog')",
    )
    .await;
}

/// The text of the first element matching `css`.
async fn text_of(client: &Client, css: &str) -> String {
    client
        .find(Locator::Css(css))
        .await
        .expect("element")
        .text()
        .await
        .expect("text")
}

/// The journey an organization owner makes through every resource page, in demo mode,
/// checking at each step what the page shows and that OpenAI's audit log has the event.
#[tokio::test]
#[ignore = "needs dist/ and chromedriver; `make test` runs it in its own step"]
async fn an_owner_walks_through_every_resource() {
    let (_portal, _driver, client, url) = signed_in("demo-owner").await;

    // Two active projects besides the default one; the first has API keys.
    let projects = run_async(
        &client,
        "const page = await (await fetch('/api/v1/organization/projects?limit=100')).json();
         const out = [];
         for (const p of page.data.slice(1)) {
             const keys = await (await fetch(`/api/v1/organization/projects/${p.id}/api_keys`)).json();
             out.push({id: p.id, name: p.name, keys: keys.data.length});
         }
         return out;",
    )
    .await;
    let first = projects
        .as_array()
        .expect("projects")
        .iter()
        .find(|p| p["keys"].as_u64() > Some(0))
        .expect("a project with API keys")
        .clone();
    let second = projects
        .as_array()
        .expect("projects")
        .iter()
        .find(|p| p["id"] != first["id"])
        .expect("another project")
        .clone();
    let (p1, p1_name) = (
        first["id"].as_str().expect("id").to_owned(),
        first["name"].as_str().expect("name").to_owned(),
    );
    let (p2, p2_name) = (
        second["id"].as_str().expect("id").to_owned(),
        second["name"].as_str().expect("name").to_owned(),
    );
    let email = "grace.journey@example.com";

    // 1. Invite a person to a project.
    show(
        &client,
        &format!("{url}/invites"),
        "document.querySelector('#invite-email')",
    )
    .await;
    fill(&client, "#invite-email", email).await;
    click(&client, Locator::XPath("//button[text()='Add a project']")).await;
    choose(&client, "#invite-project-0", &p1_name).await;
    choose(&client, "#invite-project-role-0", "Member").await;
    screenshot(&client, "invite-form").await;
    click(&client, Locator::Css(".invite-form button[type=submit]")).await;
    wait_until(
        &client,
        "the new invite in the table",
        &format!("[...document.querySelectorAll('tbody tr')].some(r => r.cells[0].textContent === {email:?} && r.textContent.includes('pending') && r.textContent.includes({:?}))", format!("{p1_name} (member)")),
    )
    .await;
    wait_until(
        &client,
        "the toast",
        "[...document.querySelectorAll('.toast')].some(t => t.textContent.includes('was invited'))",
    )
    .await;
    assert_eq!(
        text_of(&client, "#invite-email").await,
        "",
        "the form is cleared after success"
    );
    let sent = newest_event(&client, "event_types[]=invite.sent").await;
    assert_eq!(sent["invite.sent"]["data"]["email"], email, "{sent}");
    screenshot(&client, "invites").await;

    // 2. Simulate acceptance (demo mode only).
    click(
        &client,
        Locator::Css(&format!(
            "button[aria-label='Simulate acceptance by {email}']"
        )),
    )
    .await;
    wait_until(
        &client,
        "the accepted invite",
        &format!("[...document.querySelectorAll('tbody tr')].some(r => r.cells[0].textContent === {email:?} && r.textContent.includes('accepted'))"),
    )
    .await;
    let accepted = newest_event(&client, "event_types[]=invite.accepted").await;
    assert!(accepted["id"].is_string(), "{accepted}");

    // 3. See the new user (found by email, upstream's own filter).
    show(
        &client,
        &format!("{url}/users?emails={email}"),
        &format!("[...document.querySelectorAll('tbody tr')].length === 1 && document.querySelector('tbody tr').cells[1].textContent === {email:?}"),
    )
    .await;
    let user_id = run_async(
        &client,
        &format!("return (await (await fetch('/api/v1/organization/users?emails[]={email}')).json()).data[0].id;"),
    )
    .await;
    let user_id = user_id.as_str().expect("the new user's id").to_owned();
    screenshot(&client, "users-search").await;

    // 4. Add them to a second project.
    show(
        &client,
        &format!("{url}/projects/{p2}/members"),
        &format!("[...document.querySelectorAll('#member-user option')].some(o => o.textContent === {email:?})"),
    )
    .await;
    choose(&client, "#member-user", email).await;
    choose(&client, "#member-role", "Member").await;
    click(&client, Locator::XPath("//button[text()='Add member']")).await;
    wait_until(
        &client,
        "the new member",
        &format!("[...document.querySelectorAll('tbody tr')].some(r => r.cells[1].textContent === {email:?})"),
    )
    .await;
    let added = newest_event(
        &client,
        &format!("event_types[]=user.added&project_ids[]={p2}"),
    )
    .await;
    assert_eq!(added["user.added"]["id"], user_id.as_str(), "{added}");
    screenshot(&client, "project-members").await;
    // The user's page of projects finds both, asking each project in turn.
    show(
        &client,
        &format!("{url}/projects?member={user_id}"),
        "document.querySelector('.count')?.textContent.includes('of all')",
    )
    .await;
    let found = text_of(&client, ".count").await;
    assert!(found.contains("is a member of 2 of all"), "{found}");
    let listed = text_of(&client, "table.data tbody").await;
    assert!(
        listed.contains(&p1_name) && listed.contains(&p2_name),
        "{listed}"
    );

    // 5. Create a service account, copy its secret, confirm.
    show(
        &client,
        &format!("{url}/projects/{p1}/service-accounts"),
        "document.querySelector('#account-name')",
    )
    .await;
    fill(&client, "#account-name", "journey-bot").await;
    client
        .find(Locator::Css("#account-name"))
        .await
        .expect("field")
        .send_keys("\u{E007}")
        .await
        .expect("Enter submits");
    wait_until(
        &client,
        "the one-time secret",
        "document.querySelector('dialog[open] #secret-value')?.value.length > 20",
    )
    .await;
    let secret = client
        .execute(
            "return document.querySelector('#secret-value').value;",
            vec![],
        )
        .await
        .expect("secret");
    let secret = secret.as_str().expect("value").to_owned();
    screenshot(&client, "secret-dialog").await;
    // Esc does not dismiss it before the person confirms.
    client
        .execute(
            "document.querySelector('dialog[open]').dispatchEvent(new Event('cancel', {cancelable: true}));",
            vec![],
        )
        .await
        .expect("esc");
    wait_until(
        &client,
        "the nudge",
        "document.querySelector('dialog[open] .form-error')",
    )
    .await;
    assert_eq!(
        client
            .execute(
                "return document.querySelector('dialog[open] button.primary').disabled;",
                vec![]
            )
            .await
            .expect("done"),
        json!(true)
    );
    click(&client, Locator::XPath("//dialog//button[text()='Copy']")).await;
    confirm_copied(&client).await;
    let traces = client
        .execute(
            "return [document.documentElement.outerHTML, location.href, JSON.stringify(localStorage), JSON.stringify(sessionStorage)];",
            vec![],
        )
        .await
        .expect("traces");
    assert!(
        !traces.to_string().contains(&secret),
        "the secret is gone from the page, the URL and storage"
    );
    wait_until(
        &client,
        "the new service account",
        "[...document.querySelectorAll('tbody tr')].some(r => r.cells[0].textContent === 'journey-bot')",
    )
    .await;
    let created = newest_event(
        &client,
        &format!("event_types[]=service_account.created&project_ids[]={p1}"),
    )
    .await;
    assert!(created["id"].is_string(), "{created}");

    // 6. Delete one API key.
    show(
        &client,
        &format!("{url}/projects/{p1}/api-keys"),
        "document.querySelector(\"button[aria-label^='Delete API key']\")",
    )
    .await;
    let key_id = client
        .execute(
            "return document.querySelector('tbody tr').dataset.id;",
            vec![],
        )
        .await
        .expect("key");
    let key_id = key_id.as_str().expect("id").to_owned();
    click(
        &client,
        Locator::Css(&format!("tr[data-id='{key_id}'] button.danger")),
    )
    .await;
    wait_until(
        &client,
        "the confirmation",
        "document.querySelector('dialog[open]')",
    )
    .await;
    screenshot(&client, "api-key-delete-dialog").await;
    click(&client, Locator::Css("dialog[open] button[type=submit]")).await;
    wait_until(
        &client,
        "the key to go",
        &format!("!document.querySelector('dialog') && !document.querySelector(\"tr[data-id='{key_id}']\")"),
    )
    .await;
    let deleted = newest_event(
        &client,
        &format!("event_types[]=api_key.deleted&resource_ids[]={key_id}"),
    )
    .await;
    assert_eq!(
        deleted["api_key.deleted"]["id"],
        key_id.as_str(),
        "{deleted}"
    );

    // The rate limits, edited in place: a bad value is refused and kept; a good one saved.
    show(
        &client,
        &format!("{url}/projects/{p1}/rate-limits"),
        "document.querySelector(\"button[aria-label^='Edit the limits of']\")",
    )
    .await;
    click(
        &client,
        Locator::Css("button[aria-label^='Edit the limits of']"),
    )
    .await;
    fill(&client, "input[aria-label^='Requests / min for']", "-5").await;
    click(
        &client,
        Locator::Css("button[aria-label^='Save the limits of']"),
    )
    .await;
    wait_until(&client, "the validation message", "document.querySelector('td.actions .form-error')?.textContent.includes('whole number above zero')").await;
    assert_eq!(
        client
            .execute(
                "return document.querySelector(\"input[aria-label^='Requests / min for']\").value;",
                vec![]
            )
            .await
            .expect("kept"),
        json!("-5"),
        "what was typed stays"
    );
    fill(&client, "input[aria-label^='Requests / min for']", "1234").await;
    click(
        &client,
        Locator::Css("button[aria-label^='Save the limits of']"),
    )
    .await;
    wait_until(&client, "the saved limit", "!document.querySelector(\"input[aria-label^='Requests / min for']\") && document.querySelector('table.rate-limits tbody tr').textContent.includes('1234')").await;
    let limited = newest_event(
        &client,
        &format!("event_types[]=rate_limit.updated&project_ids[]={p1}"),
    )
    .await;
    assert!(limited["id"].is_string(), "{limited}");
    screenshot(&client, "rate-limits").await;

    // 7. Rename the project, then archive it.
    show(
        &client,
        &format!("{url}/projects"),
        &format!("document.querySelector(\"button[aria-label='Rename {p1_name}']\")"),
    )
    .await;
    screenshot(&client, "projects").await;
    click(
        &client,
        Locator::Css(&format!("button[aria-label='Rename {p1_name}']")),
    )
    .await;
    wait_until(
        &client,
        "the rename dialog",
        "document.querySelector('dialog[open] #dialog-text')",
    )
    .await;
    let renamed = format!("{p1_name} (journey)");
    fill(&client, "#dialog-text", &renamed).await;
    click(&client, Locator::Css("dialog[open] button[type=submit]")).await;
    wait_until(
        &client,
        "the new name",
        &format!("!document.querySelector('dialog') && document.querySelector(\"button[aria-label='Archive {renamed}']\")"),
    )
    .await;
    let updated = newest_event(
        &client,
        &format!("event_types[]=project.updated&project_ids[]={p1}"),
    )
    .await;
    assert!(updated["id"].is_string(), "{updated}");
    click(
        &client,
        Locator::Css(&format!("button[aria-label='Archive {renamed}']")),
    )
    .await;
    wait_until(
        &client,
        "the archive dialog",
        "document.querySelector('dialog[open] #confirm-name')",
    )
    .await;
    let archive_text = text_of(&client, "dialog[open]").await;
    assert!(
        archive_text.contains("Gatehouse cannot undo this"),
        "{archive_text}"
    );
    assert_eq!(
        client
            .execute(
                "return document.querySelector('dialog[open] button[type=submit]').disabled;",
                vec![]
            )
            .await
            .expect("disabled"),
        json!(true),
        "archiving waits for the name"
    );
    fill(&client, "#confirm-name", &renamed).await;
    screenshot(&client, "archive-dialog").await;
    click(&client, Locator::Css("dialog[open] button[type=submit]")).await;
    wait_until(
        &client,
        "the archived project to leave the active list",
        &format!(
            "!document.querySelector('dialog') && !document.querySelector(\"tr[data-id='{p1}']\")"
        ),
    )
    .await;
    let archived = newest_event(
        &client,
        &format!("event_types[]=project.archived&project_ids[]={p1}"),
    )
    .await;
    assert!(archived["id"].is_string(), "{archived}");

    // 8. Adding a member to the archived project shows upstream's error, and keeps the form.
    show(
        &client,
        &format!("{url}/projects/{p1}/members"),
        &format!("document.querySelector('.notice')?.textContent.includes('Archived') && [...document.querySelectorAll('#member-user option')].some(o => o.textContent === {email:?})"),
    )
    .await;
    choose(&client, "#member-user", email).await;
    click(&client, Locator::XPath("//button[text()='Add member']")).await;
    wait_until(
        &client,
        "upstream's error",
        "document.querySelector('.inline-form .form-error')",
    )
    .await;
    let error = text_of(&client, ".inline-form .form-error").await;
    assert!(
        error.to_lowercase().contains("archived"),
        "upstream's words: {error}"
    );
    assert_eq!(
        client
            .execute(
                "return document.querySelector('#member-user').selectedOptions[0].textContent;",
                vec![]
            )
            .await
            .expect("kept"),
        json!(email),
        "the form keeps the choice"
    );
    screenshot(&client, "archived-project-error").await;

    // The admin keys: the portal's own key is marked and offers no delete.
    show(
        &client,
        &format!("{url}/admin-keys"),
        "document.querySelector('.badge')",
    )
    .await;
    let own_row = text_of(&client, "tr:has(.badge)").await;
    assert!(own_row.contains("Gatehouse runs on this key"), "{own_row}");
    assert_eq!(
        client
            .execute(
                "return document.querySelector('tr:has(.badge) button');",
                vec![]
            )
            .await
            .expect("button"),
        json!(null)
    );
    screenshot(&client, "admin-keys").await;

    // Dark mode, chosen in the top bar and kept after a reload.
    choose(&client, "select[aria-label='Colour theme']", "Dark").await;
    client.refresh().await.expect("reload");
    wait_until(
        &client,
        "the dark theme after a reload",
        "document.documentElement.dataset.theme === 'dark' && document.querySelector('.badge')",
    )
    .await;
    screenshot(&client, "admin-keys-dark").await;
    client.close().await.expect("close the browser");
}

/// An auditor sees every page, and no write control on any of them.
#[tokio::test]
#[ignore = "needs dist/ and chromedriver; `make test` runs it in its own step"]
async fn an_auditor_reads_every_page_and_can_change_nothing() {
    let (_portal, _driver, client, url) = signed_in("demo-auditor").await;
    // The narrowest layout the portal supports.
    client.set_window_size(1024, 768).await.expect("resize");
    let project = run_async(
        &client,
        "return (await (await fetch('/api/v1/organization/projects?limit=2')).json()).data[1].id;",
    )
    .await;
    let project = project.as_str().expect("a project").to_owned();
    // Barbara Liskov: in a group, with a role of her own.
    let reader = run_async(
        &client,
        "return (await (await fetch('/api/v1/organization/users?limit=100')).json()).data
             .find(u => u.name === 'Barbara Liskov').id;",
    )
    .await;
    let reader = reader.as_str().expect("a reader").to_owned();
    for page in [
        "/users".to_owned(),
        "/invites".into(),
        "/projects".into(),
        "/admin-keys".into(),
        format!("/projects/{project}/members"),
        format!("/projects/{project}/service-accounts"),
        format!("/projects/{project}/api-keys"),
        format!("/projects/{project}/rate-limits"),
        format!("/projects/{project}/groups"),
        format!("/projects/{project}/access"),
        "/groups".into(),
        format!("/groups/{}", sandbox::seeded::PLATFORM),
        format!("/groups/{}", sandbox::seeded::OKTA_FINANCE),
        "/roles".into(),
        format!("/users/{reader}"),
    ] {
        show(
            &client,
            &format!("{url}{page}"),
            "document.querySelector('tbody tr') && !document.querySelector('.loading')",
        )
        .await;
        let controls = client
            .execute(
                "return [...document.querySelectorAll('main form:not([role=search]) , main button')]
                    .map(e => e.textContent.trim())
                    .filter(t => !['Find', 'Search', 'Show everyone', 'Refresh'].includes(t));",
                vec![],
            )
            .await
            .expect("controls");
        assert_eq!(
            controls,
            json!([]),
            "{page} offers an auditor no write controls"
        );
        let overflow = client
            .execute(
                "return document.documentElement.scrollWidth > document.documentElement.clientWidth;",
                vec![],
            )
            .await
            .expect("overflow");
        assert_eq!(
            overflow,
            json!(false),
            "{page} fits 1024 px without sideways scrolling"
        );
        let name = page
            .trim_start_matches('/')
            .replace(&project, "project")
            .replace(&reader, "reader")
            .replace('/', "-");
        screenshot(&client, &format!("auditor-1024-{name}")).await;
    }
    client.close().await.expect("close the browser");
}

/// The archive in the timeline: search the BFF's copy, then drag across the activity chart to
/// choose a time range, and check the URL and the events against the archive's API.
#[tokio::test]
#[ignore = "needs dist/ and chromedriver; `make test` runs it in its own step"]
async fn a_security_team_searches_the_archive_and_selects_a_range_on_the_chart() {
    use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction};

    let (_portal, _driver, client, url) = signed_in("demo-owner").await;
    // The archive's first copy of the seeded log.
    wait_until_within(
        &client,
        "the archive's backfill",
        "fetch('/api/archive/status').then(r => r.json()).then(s => window.__archive = s) && window.__archive?.coverage?.backfill?.complete",
        Duration::from_secs(60),
    )
    .await;
    let email = run_async(
        &client,
        "return (await (await fetch('/api/v1/organization/users?limit=5')).json()).data[3].email;",
    )
    .await;
    let email = email.as_str().expect("an email").to_owned();

    show(
        &client,
        &format!("{url}/audit-log"),
        "document.querySelector('#filter-q') && document.querySelector('.histogram svg rect') && document.querySelector('li.event')",
    )
    .await;
    let line = text_of(&client, ".archive-line").await;
    assert!(line.starts_with("Archive: synced"), "{line}");
    fill(&client, "#filter-q", &email).await;
    click(
        &client,
        Locator::Css("form.audit-filters button[type=submit]"),
    )
    .await;
    let searched = "location.search.includes('q=') && document.querySelector('li.event') && !document.querySelector('.loading')";
    wait_until(&client, "the search results", searched).await;
    let found = run_async(
        &client,
        &format!(
            "const q = new URLSearchParams({{q: {email:?}, limit: '100'}});
             return (await (await fetch('/api/archive/audit_logs?' + q)).json()).data;"
        ),
    )
    .await;
    let found = found.as_array().expect("events").clone();
    assert!(!found.is_empty());
    assert!(
        found.iter().all(|e| e.to_string().contains(&email)),
        "every hit mentions {email}"
    );
    let ids: Vec<&str> = found.iter().filter_map(|e| e["id"].as_str()).collect();
    wait_until(
        &client,
        "the searched events on screen",
        &format!(
            "document.querySelector('li.event')?.dataset.id === {:?}",
            ids[0]
        ),
    )
    .await;
    let shown = rendered_ids(&client).await;
    assert_eq!(shown, ids[..shown.len()]);
    screenshot(&client, "archive-search").await;

    // Drag across the middle of the chart.
    wait_until(
        &client,
        "the chart of the search",
        "document.querySelector('.histogram svg rect')",
    )
    .await;
    let chart = client
        .find(Locator::Css(".chart-area"))
        .await
        .expect("chart");
    let width = client
        .execute(
            "return document.querySelector('.chart-area').getBoundingClientRect().width;",
            vec![],
        )
        .await
        .expect("width")
        .as_f64()
        .expect("a width");
    let mouse = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement {
            element: chart,
            duration: None,
            x: -width / 4.0,
            y: 0.0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::MoveBy {
            duration: Some(Duration::from_millis(200)),
            x: width / 2.0,
            y: 0.0,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    client.perform_actions(mouse).await.expect("drag");
    wait_until(
        &client,
        "the selected range in the URL",
        "location.search.includes('range=custom') && location.search.includes('from=') && location.search.includes('to=') && location.search.includes('q=')",
    )
    .await;
    let params = client
        .execute(
            "const p = new URLSearchParams(location.search); return [Number(p.get('from')), Number(p.get('to'))];",
            vec![],
        )
        .await
        .expect("range");
    let (from, to) = (
        params[0].as_i64().expect("from"),
        params[1].as_i64().expect("to"),
    );
    assert!(from < to, "{from}..{to}");
    let expected = run_async(
        &client,
        &format!(
            "const q = new URLSearchParams({{q: {email:?}, limit: '100', 'effective_at[gte]': '{from}', 'effective_at[lte]': '{to}'}});
             return (await (await fetch('/api/archive/audit_logs?' + q)).json()).data.map(e => [e.id, e.effective_at]);"
        ),
    )
    .await;
    let expected = expected.as_array().expect("events").clone();
    assert!(
        expected
            .iter()
            .all(|e| (from..=to).contains(&e[1].as_i64().expect("time"))),
        "the archive's answer lies in the range"
    );
    if expected.is_empty() {
        wait_until(
            &client,
            "the empty state",
            "document.querySelector('p.empty')",
        )
        .await;
    } else {
        wait_until(
            &client,
            "the range's events",
            &format!(
                "!document.querySelector('.loading') && document.querySelector('li.event')?.dataset.id === {:?}",
                expected[0][0]
            ),
        )
        .await;
        let shown = rendered_ids(&client).await;
        let ids: Vec<&str> = expected.iter().filter_map(|e| e[0].as_str()).collect();
        assert_eq!(shown, ids[..shown.len()]);
    }
    screenshot(&client, "archive-range").await;
    client.close().await.expect("close the browser");
}

/// One call of the official Node SDK with `token` (`tests/sdk/call.mjs`): `ok N`, or the
/// SDK's error class.
fn sdk_call(url: &str, token: &str) -> String {
    let out = Command::new("node")
        .arg("call.mjs")
        .current_dir(workspace().join("tests/sdk"))
        .env("GATEHOUSE_URL", url)
        .env("GATEHOUSE_TOKEN", token)
        .env_remove("OPENAI_ADMIN_KEY")
        .output()
        .expect("run node (make test installs tests/sdk)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// An owner makes a token on the Tokens page, sees its value once (behind the copy gate), a
/// script uses it with the official SDK, the owner revokes it, and the SDK is refused.
#[tokio::test]
#[ignore = "needs dist/ and chromedriver; `make test` runs it in its own step"]
async fn an_owner_makes_a_token_uses_it_with_the_sdk_and_revokes_it() {
    let (_portal, _driver, client, url) = signed_in("demo-owner").await;
    click(&client, Locator::XPath("//nav//a[text()='Tokens']")).await;
    wait_until(
        &client,
        "the Tokens page",
        "document.querySelector('#token-name')",
    )
    .await;
    fill(&client, "#token-name", "e2e-script").await;
    choose(&client, "#token-access", "write").await;
    click(
        &client,
        Locator::Css("form[aria-label='Make a token'] button[type=submit]"),
    )
    .await;
    wait_until(
        &client,
        "the token, once",
        "document.querySelector('dialog[open] #secret-value')?.value.startsWith('ghtk_')",
    )
    .await;
    let token = client
        .execute(
            "return document.querySelector('#secret-value').value;",
            vec![],
        )
        .await
        .expect("token");
    let token = token.as_str().expect("value").to_owned();
    screenshot(&client, "token-once").await;
    confirm_copied(&client).await;
    wait_until(
        &client,
        "the token in the list",
        "[...document.querySelectorAll('tbody tr')].some(r => r.textContent.includes('e2e-script') && r.textContent.includes('active'))",
    )
    .await;
    let page = client.source().await.expect("page");
    assert!(!page.contains(&token), "the value is shown once, then gone");
    assert!(
        sdk_call(&url, &token).starts_with("ok "),
        "the SDK reads with it"
    );
    // The list counts the call.
    client.refresh().await.expect("reload");
    wait_until(
        &client,
        "the call counted",
        "[...document.querySelectorAll('tbody tr')].some(r => r.textContent.includes('e2e-script') && r.textContent.includes('from 127.0.0.1'))",
    )
    .await;
    screenshot(&client, "tokens").await;

    click(
        &client,
        Locator::Css("button[aria-label='Revoke token e2e-script']"),
    )
    .await;
    click(
        &client,
        Locator::XPath("//dialog//button[text()='Revoke token']"),
    )
    .await;
    wait_until(
        &client,
        "the token revoked",
        "[...document.querySelectorAll('tbody tr')].some(r => r.textContent.includes('e2e-script') && r.textContent.includes('revoked by demo-owner'))",
    )
    .await;
    assert_eq!(sdk_call(&url, &token), "AuthenticationError");
}

/// Waits for the hygiene report to be read whole.
async fn hygiene_complete(client: &Client) {
    wait_until_within(
        client,
        "the whole report",
        "document.querySelector('.progress') && document.querySelector('.progress').textContent.startsWith('Complete')",
        Duration::from_secs(30),
    )
    .await;
}

/// The report as the API gives it, read from the page.
async fn report_findings(client: &Client) -> Vec<serde_json::Value> {
    let lines = run_async(
        client,
        "const text = await (await fetch('/api/hygiene?days=90')).text();
         return text.trim().split('\\n').map(l => JSON.parse(l));",
    )
    .await;
    lines
        .as_array()
        .expect("lines")
        .iter()
        .filter_map(|l| l["findings"].as_array())
        .flatten()
        .cloned()
        .collect()
}

/// An owner's weekly clean-up: the hygiene report's stale-key count, two findings deleted
/// (gone from the table, each with its audit event), then a leaver offboarded from two
/// projects and the organization, checked upstream afterwards.
#[tokio::test]
#[ignore = "needs dist/ and chromedriver; `make test` runs it in its own step"]
async fn an_owner_cleans_up_stale_keys_and_offboards_a_leaver() {
    let (_portal, _driver, client, url) = signed_in("demo-owner").await;
    show(
        &client,
        &format!("{url}/hygiene"),
        "document.querySelector('.progress')",
    )
    .await;
    hygiene_complete(&client).await;
    let found = report_findings(&client).await;
    let stale = found
        .iter()
        .filter(|f| {
            ["project_key", "service_account_key"].contains(&f["kind"].as_str().unwrap_or(""))
                && f["reasons"].as_array().is_some_and(|r| {
                    r.contains(&json!("stale")) || r.contains(&json!("never_used"))
                })
        })
        .count();
    assert!(stale > 0);
    let counts = text_of(&client, "ul.counts").await;
    assert!(
        counts.contains(&format!("{stale} Stale or never-used keys")),
        "{counts}"
    );
    screenshot(&client, "hygiene").await;

    // Two findings: a departed contractor's key and an expired invite.
    let pick = |reason: &str| {
        found
            .iter()
            .find(|f| {
                f["reasons"]
                    .as_array()
                    .is_some_and(|r| r.contains(&json!(reason)))
            })
            .map(|f| f["id"].as_str().expect("id").to_owned())
            .expect(reason)
    };
    let chosen = [pick("owner_left_organization"), pick("expired")];
    for id in &chosen {
        click(
            &client,
            Locator::Css(&format!("tr[data-id='{id}'] input[type=checkbox]")),
        )
        .await;
    }
    click(
        &client,
        Locator::XPath("//button[starts-with(., 'Delete selected (2)')]"),
    )
    .await;
    wait_until(
        &client,
        "the confirmation",
        "document.querySelector('dialog ul.goes li')",
    )
    .await;
    let listed = text_of(&client, "dialog ul.goes").await;
    assert!(
        listed.contains("Contractor's key") && listed.contains("Invite"),
        "{listed}"
    );
    click(
        &client,
        Locator::XPath("//dialog//button[text()='Delete 2']"),
    )
    .await;
    wait_until(
        &client,
        "both results",
        "[...document.querySelectorAll('[role=status]')].some(e => e.textContent.trim() === '2 done.')",
    )
    .await;
    for id in &chosen {
        let row = client
            .execute(
                "return Boolean(document.querySelector(`tr[data-id='${arguments[0]}']`));",
                vec![json!(id)],
            )
            .await
            .expect("script");
        assert_eq!(row, json!(false), "{id} is gone from the report");
        let link = client
            .execute(
                "return [...document.querySelectorAll('ol.run a')].map(a => a.getAttribute('href'));",
                vec![],
            )
            .await
            .expect("links");
        assert!(
            link.to_string().contains(&format!("resource_id={id}")),
            "{link}"
        );
        let event = newest_event(&client, &format!("resource_ids[]={id}")).await;
        assert!(
            ["api_key.deleted", "invite.deleted"].contains(&event["type"].as_str().unwrap_or("")),
            "{id}: {event}"
        );
    }
    screenshot(&client, "hygiene-deleted").await;

    // The leaver: a reader in two projects with a key, and a forgotten invite.
    let leaver = run_async(
        &client,
        "const invites = (await (await fetch('/api/v1/organization/invites?limit=100')).json()).data
             .filter(i => i.status === 'pending').map(i => i.email);
         const users = (await (await fetch('/api/v1/organization/users?limit=100')).json()).data;
         return users.find(u => invites.includes(u.email));",
    )
    .await;
    let (user_id, email) = (
        leaver["id"].as_str().expect("leaver").to_owned(),
        leaver["email"].as_str().expect("email").to_owned(),
    );
    let name = leaver["name"].as_str().expect("name").to_owned();
    show(
        &client,
        &format!("{url}/users?emails={email}"),
        "document.querySelector('tbody tr')",
    )
    .await;
    click(
        &client,
        Locator::Css(&format!("a[aria-label='Offboard {name}']")),
    )
    .await;
    wait_until(
        &client,
        "the plan",
        "document.querySelector('fieldset.plan')",
    )
    .await;
    let plan = run_async(
        &client,
        &format!("return await (await fetch('/api/offboarding/{user_id}')).json();"),
    )
    .await;
    let steps = plan["steps"].as_array().expect("steps").clone();
    let of = |kind: &str| steps.iter().filter(|s| s["kind"] == kind).count();
    assert!(
        of("project_membership") >= 2 && of("project_key") >= 1,
        "{plan}"
    );
    screenshot(&client, "offboard-plan").await;
    click(
        &client,
        Locator::XPath(&format!("//button[text()='Offboard {name}…']")),
    )
    .await;
    fill(&client, "#confirm-name", &email).await;
    click(
        &client,
        Locator::XPath("//dialog//button[text()='Offboard']"),
    )
    .await;
    wait_until_within(
        &client,
        "every step done",
        &format!(
            "[...document.querySelectorAll('[role=status]')].some(e => e.textContent.trim() === '{} done.')",
            steps.len()
        ),
        Duration::from_secs(30),
    )
    .await;
    wait_until(
        &client,
        "the run to end",
        "[...document.querySelectorAll('button')].some(b => b.textContent === 'Check again')",
    )
    .await;
    let audit = text_of(&client, "main").await;
    assert!(
        audit.contains("Audit-log events of this offboarding"),
        "{audit}"
    );
    screenshot(&client, "offboard-done").await;

    // Upstream: not in the organization, in neither project, no key.
    let status = |path: String| {
        let client = &client;
        async move {
            run_async(
                client,
                &format!("return (await fetch('/api/v1{path}')).status;"),
            )
            .await
        }
    };
    assert_eq!(
        status(format!("/organization/users/{user_id}")).await,
        json!(404)
    );
    for step in &steps {
        let id = step["id"].as_str().expect("id");
        if step["kind"] == "project_membership" || step["kind"] == "project_key" {
            assert_eq!(status(id.to_owned()).await, json!(404), "{id} is gone");
        }
    }
    click(&client, Locator::XPath("//button[text()='Check again']")).await;
    wait_until(
        &client,
        "nothing left",
        "document.body.textContent.includes('Nothing left to do')",
    )
    .await;
    client.close().await.expect("close the browser");
}

/// An auditor reads the report and a plan, with no delete or offboard control anywhere.
#[tokio::test]
#[ignore = "needs dist/ and chromedriver; `make test` runs it in its own step"]
async fn an_auditor_reads_key_hygiene_and_cannot_delete_or_offboard() {
    let (_portal, _driver, client, url) = signed_in("demo-auditor").await;
    show(
        &client,
        &format!("{url}/hygiene"),
        "document.querySelector('.progress')",
    )
    .await;
    hygiene_complete(&client).await;
    let controls = client
        .execute(
            "return [document.querySelectorAll('main input[type=checkbox]').length,
                     [...document.querySelectorAll('main button')].map(b => b.textContent.trim())];",
            vec![],
        )
        .await
        .expect("controls");
    assert_eq!(controls, json!([0, ["Read again"]]), "only reading");
    show(
        &client,
        &format!("{url}/users"),
        "document.querySelector('tbody tr')",
    )
    .await;
    let offboard_links = client
        .execute(
            "return document.querySelectorAll('a[href$=\"/offboard\"]').length;",
            vec![],
        )
        .await
        .expect("links");
    assert_eq!(offboard_links, json!(0));
    let user = run_async(
        &client,
        "return (await (await fetch('/api/v1/organization/users?limit=3')).json()).data[2].id;",
    )
    .await;
    show(
        &client,
        &format!("{url}/users/{}/offboard", user.as_str().expect("id")),
        "document.querySelector('fieldset.plan')",
    )
    .await;
    let live = client
        .execute(
            "return [[...document.querySelectorAll('main input[type=checkbox]')].filter(i => !i.disabled).length,
                     document.querySelectorAll('main button').length];",
            vec![],
        )
        .await
        .expect("plan controls");
    assert_eq!(live, json!([0, 0]), "a plan to read, nothing to run");
    client.close().await.expect("close the browser");
}

/// chromedriver's log of the browser console since it was last read.
#[derive(Debug)]
struct BrowserLog;

impl fantoccini::wd::WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (axum::http::Method, Option<String>) {
        (
            axum::http::Method::POST,
            Some(r#"{"type":"browser"}"#.to_owned()),
        )
    }
}

/// The console's errors since the last call (failed loads and CSP violations included).
async fn console_errors(client: &Client) -> Vec<String> {
    let log = client
        .issue_cmd(BrowserLog)
        .await
        .expect("the browser's log");
    log.as_array()
        .into_iter()
        .flatten()
        .filter(|entry| entry["level"] == "SEVERE")
        .map(|entry| entry["message"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Signed out and signed in, no page logs a console error or a CSP violation.
#[tokio::test]
#[ignore = "needs dist/ and chromedriver; `make test` runs it in its own step"]
async fn no_page_logs_a_console_error() {
    let dist = dist();
    let (_portal, url) = start_portal(&dist);
    let (_driver, webdriver) = start_chromedriver();
    let client = browser(&webdriver).await;
    client.goto(&format!("{url}/users")).await.expect("open");
    wait_until(
        &client,
        "the sign-in form",
        "document.querySelector('#username')",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        console_errors(&client).await,
        Vec::<String>::new(),
        "signed out"
    );
    sign_in(&client, "demo-owner", "demo-owner").await;
    let project = run_async(
        &client,
        "return (await (await fetch('/api/v1/organization/projects?limit=2')).json()).data[1].id;",
    )
    .await;
    let project = project.as_str().expect("a project").to_owned();
    for (page, shown) in [
        ("/users".to_owned(), "tbody tr"),
        ("/invites".into(), "tbody tr"),
        ("/projects".into(), "tbody tr"),
        (format!("/projects/{project}/members"), "tbody tr"),
        (format!("/projects/{project}/api-keys"), "tbody tr"),
        ("/admin-keys".into(), "tbody tr"),
        ("/hygiene".into(), "tbody tr"),
        ("/audit-log".into(), "li.event"),
        ("/journal".into(), "main h1"),
        ("/tokens".into(), "main h1"),
        ("/groups".into(), "tbody tr"),
        (format!("/groups/{}", sandbox::seeded::PLATFORM), "tbody tr"),
        ("/roles".into(), "tbody tr"),
        (format!("/projects/{project}/groups"), "tbody tr"),
        (format!("/projects/{project}/access"), "tbody tr"),
    ] {
        show(
            &client,
            &format!("{url}{page}"),
            &format!("document.querySelector('{shown}')"),
        )
        .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(
            console_errors(&client).await,
            Vec::<String>::new(),
            "{page}"
        );
    }
    client.close().await.expect("close the browser");
}

/// The names of the files the page has fetched so far.
async fn fetched(client: &Client) -> Vec<String> {
    let names = client
        .execute(
            "return performance.getEntriesByType('resource').map(e => new URL(e.name).pathname);",
            vec![],
        )
        .await
        .expect("script");
    serde_json::from_value(names).expect("names")
}

/// The release build is split by route: a cold `/users` fetches neither the audit log's nor key
/// hygiene's code, and each arrives, in its own chunk, when its page is first opened in the same
/// tab (a client-side navigation, as from the menu).
#[tokio::test]
#[ignore = "needs dist/ and chromedriver; `make test` runs it in its own step"]
async fn pages_load_their_code_when_first_visited() {
    let chunk_of = |page: &str| -> String {
        std::fs::read_dir(dist())
            .expect("dist/")
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .find(|name| {
                name.starts_with(&format!("split___{page}_view")) && name.ends_with(".wasm")
            })
            .unwrap_or_else(|| {
                panic!("no chunk of {page} in dist/: build it with scripts/build-app.sh")
            })
    };
    let (audit_log, hygiene) = (chunk_of("audit_log"), chunk_of("hygiene"));
    let (_portal, _driver, client, _url) = signed_in("demo-owner").await;
    let cold = fetched(&client).await;
    assert!(
        cold.iter().any(|f| f.ends_with("_bg.wasm")),
        "the shell was fetched: {cold:?}"
    );
    for chunk in [&audit_log, &hygiene] {
        assert!(
            !cold.iter().any(|f| f.ends_with(chunk.as_str())),
            "{chunk} in {cold:?}"
        );
    }
    click(&client, Locator::LinkText("Audit log")).await;
    wait_until(
        &client,
        "the audit log's events",
        "document.querySelector('li.event')",
    )
    .await;
    let now = fetched(&client).await;
    assert!(
        now.iter().any(|f| f.ends_with(audit_log.as_str())),
        "{now:?}"
    );
    assert!(
        !now.iter().any(|f| f.ends_with(hygiene.as_str())),
        "{now:?}"
    );
    click(&client, Locator::LinkText("Hygiene")).await;
    wait_until(
        &client,
        "the hygiene report",
        "document.querySelector('tbody tr')",
    )
    .await;
    let now = fetched(&client).await;
    assert!(now.iter().any(|f| f.ends_with(hygiene.as_str())), "{now:?}");
    client.close().await.expect("close the browser");
}

/// Access management as an owner does it (#16): create a group, add two people, grant it a
/// project, see both in the project's effective access "through group", revoke the grant, see
/// them gone, and find each change in the audit log (the members' in the journal: the spec has
/// no audit event for them).
#[tokio::test]
#[ignore = "needs dist/ and chromedriver; `make test` runs it in its own step"]
async fn an_owner_grants_a_group_a_project_and_sees_who_can_reach_it() {
    let (_portal, _driver, client, url) = signed_in("demo-owner").await;
    let group_name = "Release Reviewers";
    // Two readers outside project Search, in no group granted it.
    let found = run_async(
        &client,
        "const users = (await (await fetch('/api/v1/organization/users?limit=100')).json()).data;
         const projects = (await (await fetch('/api/v1/organization/projects?limit=100')).json()).data;
         const pick = n => users.find(u => u.name === n);
         return {
             people: [pick('Alan Ritchie'), pick('Frances Borg')].map(u => ({id: u.id, email: u.email})),
             search: projects.find(p => p.name === 'Search').id,
         };",
    )
    .await;
    let search = found["search"].as_str().expect("Search").to_owned();
    let people: Vec<(String, String)> = found["people"]
        .as_array()
        .expect("people")
        .iter()
        .map(|p| {
            (
                p["id"].as_str().expect("id").to_owned(),
                p["email"].as_str().expect("email").to_owned(),
            )
        })
        .collect();

    // 1. Create the group.
    show(
        &client,
        &format!("{url}/groups"),
        "document.querySelector('#group-name') && document.querySelector('tbody tr')",
    )
    .await;
    screenshot(&client, "groups").await;
    fill(&client, "#group-name", group_name).await;
    click(&client, Locator::XPath("//button[text()='Create group']")).await;
    wait_until(
        &client,
        "the new group in the table",
        &format!("[...document.querySelectorAll('tbody tr a')].some(a => a.textContent === {group_name:?})"),
    )
    .await;
    let group = client
        .execute(
            "return [...document.querySelectorAll('tbody tr')].find(r => r.textContent.includes(arguments[0])).dataset.id;",
            vec![json!(group_name)],
        )
        .await
        .expect("script");
    let group = group.as_str().expect("the group's id").to_owned();

    // 2. Add two people on its page.
    show(
        &client,
        &format!("{url}/groups/{group}"),
        &format!("document.querySelector('h1')?.textContent === {group_name:?} && document.querySelector('#group-member-user option[value^=user]')"),
    )
    .await;
    for (id, email) in &people {
        choose(&client, "#group-member-user", email).await;
        click(&client, Locator::XPath("//button[text()='Add member']")).await;
        wait_until(
            &client,
            "the new member in the table",
            &format!("document.querySelector(\"tr[data-id='{id}']\")"),
        )
        .await;
    }
    screenshot(&client, "group").await;

    // 3. Grant it project Search, as a Project Member, from the project's Groups tab.
    show(
        &client,
        &format!("{url}/projects/{search}/groups"),
        &format!("[...document.querySelectorAll('#project-group option')].some(o => o.value === {group:?})"),
    )
    .await;
    choose(&client, "#project-group", group_name).await;
    choose(&client, "#project-group-role", "Project Member").await;
    click(&client, Locator::XPath("//button[text()='Grant access']")).await;
    wait_until(
        &client,
        "the grant in the table",
        &format!("document.querySelector(\"tr[data-id='{group}']\")"),
    )
    .await;
    screenshot(&client, "project-groups").await;

    // 4. Both reach Search through the group, with the role Gatehouse granted.
    let through = format!("through group {group_name}");
    let both_through = format!(
        "[{}].every(email => [...document.querySelectorAll('tbody tr')].some(r => r.textContent.includes(email) && r.textContent.includes({through:?}) && r.textContent.includes('Project Member')))",
        people
            .iter()
            .map(|(_, e)| format!("{e:?}"))
            .collect::<Vec<_>>()
            .join(",")
    );
    show(
        &client,
        &format!("{url}/projects/{search}/access?path=group"),
        &both_through,
    )
    .await;
    wait_until(
        &client,
        "the honest line",
        "document.body.textContent.includes('Complete')",
    )
    .await;
    screenshot(&client, "project-access").await;
    // A user's own page says the same, from their side.
    let (first_id, _) = &people[0];
    show(
        &client,
        &format!("{url}/users/{first_id}"),
        &format!("[...document.querySelectorAll('tbody tr')].some(r => r.textContent.includes('Search') && r.textContent.includes({through:?}))"),
    )
    .await;
    screenshot(&client, "user-access").await;

    // 5. Revoke the grant (confirmed), and they are gone from the project's access.
    show(
        &client,
        &format!("{url}/projects/{search}/groups"),
        &format!("document.querySelector(\"tr[data-id='{group}'] button.danger\")"),
    )
    .await;
    click(
        &client,
        Locator::Css(&format!("tr[data-id='{group}'] button.danger")),
    )
    .await;
    wait_until(
        &client,
        "the confirmation",
        "document.querySelector('dialog[open]')",
    )
    .await;
    click(&client, Locator::Css("dialog[open] button[type=submit]")).await;
    wait_until(
        &client,
        "the grant to go",
        &format!("!document.querySelector('dialog') && !document.querySelector(\"tr[data-id='{group}']\")"),
    )
    .await;
    show(
        &client,
        &format!("{url}/projects/{search}/access?path=group"),
        &format!(
            "!document.querySelector('.loading') && document.body.textContent.includes('Complete') && !document.body.textContent.includes({through:?})"
        ),
    )
    .await;

    // 6. Each change is in OpenAI's audit log, filed under the group, and the members' in the
    // journal.
    let events = run_async(
        &client,
        &format!(
            "const page = await (await fetch('/api/v1/organization/audit_logs?limit=20&resource_ids[]={group}')).json();
             return page.data.map(e => e.type);"
        ),
    )
    .await;
    assert_eq!(
        events,
        json!([
            "role.assignment.deleted",
            "role.assignment.created",
            "group.created"
        ]),
        "the group's events, newest first"
    );
    show(
        &client,
        &format!("{url}/audit-log?resource_id={group}"),
        "document.querySelectorAll('li.event').length === 3",
    )
    .await;
    screenshot(&client, "group-audit-log").await;
    let journal = run_async(
        &client,
        "return (await (await fetch('/api/journal?limit=40')).json()).data
             .filter(r => r.phase === 'result').map(r => r.method + ' ' + r.path);",
    )
    .await;
    let members = format!("POST /organization/groups/{group}/users");
    let added = journal
        .as_array()
        .expect("journal")
        .iter()
        .filter(|r| r.as_str() == Some(members.as_str()))
        .count();
    assert_eq!(added, 2, "both additions are journaled: {journal}");
    client.close().await.expect("close the browser");
}
