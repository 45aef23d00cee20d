//! The official OpenAI Node SDK (`openai` from npm, pinned in `tests/sdk/package-lock.json`)
//! against the real `gatehouse serve` in demo mode, with Gatehouse tokens made by
//! `gatehouse token create`: `tests/sdk/sdk.mjs` lists users with auto-pagination, filters the
//! audit log, creates and archives a project, creates a service account and reads its
//! one-time key, and checks the SDK's error classes. It needs Node and `npm ci` in
//! `tests/sdk`, so `make test` runs it in its own step (`-- --ignored`).

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
#[path = "common/process.rs"]
mod process;
use process::{spawn_logged, wait_for_line};

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs the `gatehouse` CLI on `data_dir`, which must succeed; its stdout.
fn cli(data_dir: &Path, args: &[&str], stdin: &str) -> String {
    let out = common::gatehouse_cli(data_dir, args, stdin);
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

    let static_arg = static_dir.to_str().expect("utf-8 path");
    let data_arg = data_dir.to_str().expect("utf-8 path");
    let (_server, log) = spawn_logged(
        &data_dir,
        "serve",
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--static-dir",
            static_arg,
            "--data-dir",
            data_arg,
        ],
        &[],
    );
    let url = wait_for_line(&log, "Gatehouse is listening on ");

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

    // The script's writes left an intact journal and were counted against their tokens.
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
