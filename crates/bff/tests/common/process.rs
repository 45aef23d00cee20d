//! Real `gatehouse` processes for end-to-end tests: started with their output in a log file,
//! waited for by a line they print, and killed when the test ends, however it ends.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// Kills a child process when the test ends, however it ends.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs `gatehouse` with `args`, its stdout and stderr captured to files under `dir`.
pub fn spawn_logged(
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
pub fn wait_for_line(log: &std::path::Path, prefix: &str) -> String {
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
