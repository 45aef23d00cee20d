//! The official OpenAI Node SDK (`openai` from npm, pinned in `tests/sdk/package-lock.json`)
//! against the real `gatehouse serve` in demo mode, with Gatehouse tokens made by
//! `gatehouse token create`: `tests/sdk/sdk.mjs` lists users with auto-pagination, filters the
//! audit log, creates and archives a project, creates a service account and reads its
//! one-time key, and checks the SDK's error classes. It needs Node and `npm ci` in
//! `tests/sdk`, so `make test` runs it in its own step (`-- --ignored`).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

#[path = "common/process.rs"]
mod process;
use process::Killed;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs the `gatehouse` CLI on `data_dir`; its stdout.
fn cli(data_dir: &Path, args: &[&str], stdin: &str) -> String {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run gatehouse");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("stdin");
    let out = child.wait_with_output().expect("wait");
    assert!(
        out.status.success(),
        "gatehouse {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
#[ignore = "needs Node and `npm ci` in tests/sdk; make test runs it"]
fn the_official_node_sdk_works_through_gatehouse_with_tokens() {
    let data_dir = std::env::temp_dir().join(format!("gatehouse-sdk-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    std::fs::create_dir_all(&data_dir).expect("data dir");
    // `serve` wants a built app; the SDK never asks for it.
    let static_dir = data_dir.join("static");
    std::fs::create_dir_all(&static_dir).expect("static dir");
    std::fs::write(
        static_dir.join("index.html"),
        "<!doctype html><title>x</title>",
    )
    .expect("index");
    cli(
        &data_dir,
        &["user", "add", "sdk-owner", "--role", "owner"],
        "sdk-owner-password\n",
    );
    let token = |name: &str, access: &str| {
        let value = cli(
            &data_dir,
            &[
                "token",
                "create",
                "--user",
                "sdk-owner",
                "--name",
                name,
                "--access",
                access,
            ],
            "",
        );
        value.trim_end().to_owned()
    };
    let (write, read) = (token("sdk-write", "write"), token("sdk-read", "read"));

    let mut child = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args(["serve", "--listen", "127.0.0.1:0", "--static-dir"])
        .arg(&static_dir)
        .arg("--data-dir")
        .arg(&data_dir)
        .env_remove("OPENAI_ADMIN_KEY")
        .env_remove("GATEHOUSE_ADMIN_KEY_FILE")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start gatehouse serve");
    let stdout = child.stdout.take().expect("stdout");
    let _server = Killed(child);
    let mut lines = BufReader::new(stdout).lines();
    let url = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| {
            line.strip_prefix("Gatehouse is listening on ")
                .map(str::to_owned)
        })
        .expect("gatehouse serve printed its address");
    std::thread::spawn(move || lines.for_each(drop));

    let sdk = workspace().join("tests/sdk");
    assert!(
        sdk.join("node_modules/openai").is_dir(),
        "run `npm ci --prefix tests/sdk` first (scripts/setup.sh does)"
    );
    let out = Command::new("node")
        .arg("sdk.mjs")
        .current_dir(&sdk)
        .env("GATEHOUSE_URL", &url)
        .env("GATEHOUSE_WRITE_TOKEN", &write)
        .env("GATEHOUSE_READ_TOKEN", &read)
        .env_remove("OPENAI_ADMIN_KEY")
        .env_remove("OPENAI_API_KEY")
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the SDK script failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    println!("SDK script: {stdout}");

    // The journal names the person and the token for the script's writes.
    let journal = std::fs::read(data_dir.join("gatehouse.db"))
        .map(|_| ())
        .is_ok();
    assert!(journal, "the data dir holds the store");
    let verify = cli(&data_dir, &["journal", "verify"], "");
    assert!(verify.contains("journal intact"), "{verify}");
    let listing = cli(&data_dir, &["token", "list"], "");
    let calls = |name: &str| {
        listing
            .lines()
            .find(|l| l.contains(&format!("\t{name}\t")))
            .and_then(|l| l.rsplit('\t').next())
            .and_then(|c| c.trim_end_matches(" calls").parse::<u64>().ok())
            .unwrap_or(0)
    };
    assert!(calls("sdk-write") >= 6, "{listing}");
    assert!(calls("sdk-read") >= 1, "{listing}");
}
