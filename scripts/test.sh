#!/usr/bin/env bash
# Every check, in order: format, clippy (native and wasm32), native tests, wasm tests in headless
# Chromium, the release build and its size, and the end-to-end browser test. Stops at the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}

step "cargo fmt --check"
cargo fmt --all --check

step "clippy, native"
cargo clippy --locked --workspace --exclude gatehouse-app --all-targets -- -D warnings

step "clippy, wasm32"
cargo clippy --locked -p gatehouse-app -p admin-api --target wasm32-unknown-unknown --all-targets -- -D warnings

step "native tests"
cargo test --locked --workspace --exclude gatehouse-app

step "wasm-bindgen tests in headless Chromium"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
CHROMEDRIVER=/usr/bin/chromedriver \
  cargo test --locked -p gatehouse-app --target wasm32-unknown-unknown

step "release build of the app"
trunk build --release
./scripts/size.sh

step "end-to-end browser test"
cargo test --locked -p gatehouse --test e2e_browser -- --ignored

printf '\nAll checks passed.\n'
