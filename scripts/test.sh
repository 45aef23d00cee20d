#!/usr/bin/env bash
# Every check, in order: format, clippy (native and wasm32), native tests (the BFF's on SQLite,
# then again on a throwaway PostgreSQL), wasm tests in headless Chromium, the release build and
# its size, and the end-to-end tests (browser; replicas behind nginx). Stops at the first failure.
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

# A throwaway PostgreSQL cluster for the store's tests on the second engine and for the
# replicas' end-to-end test; removed however this script ends.
PG_DIR=$(mktemp -d /tmp/gatehouse-pg.XXXXXX)
PG_PORT=${GATEHOUSE_TEST_PG_PORT:-55433}
trap './scripts/postgres.sh stop "$PG_DIR"' EXIT
step "PostgreSQL for the tests"
GATEHOUSE_TEST_POSTGRES=$(./scripts/postgres.sh start "$PG_DIR" "$PG_PORT")
export GATEHOUSE_TEST_POSTGRES
echo "throwaway cluster at $GATEHOUSE_TEST_POSTGRES in $PG_DIR"

step "native tests (the store on SQLite)"
env -u GATEHOUSE_TEST_POSTGRES cargo test --locked --workspace --exclude gatehouse-app

step "the BFF's tests again, the store on PostgreSQL"
cargo test --locked -p gatehouse

step "wasm-bindgen tests in headless Chromium"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
CHROMEDRIVER=/usr/bin/chromedriver \
  cargo test --locked -p gatehouse-app --target wasm32-unknown-unknown

step "release build of the app, split by route"
./scripts/build-app.sh
./scripts/size.sh

step "end-to-end browser test"
cargo test --locked -p gatehouse --test e2e_browser -- --ignored

step "end-to-end: the official OpenAI Node SDK through gatehouse serve with tokens"
cargo test --locked -p gatehouse --test sdk_node -- --ignored

step "end-to-end: two replicas on PostgreSQL behind nginx"
PATH="$PATH:/usr/sbin" cargo test --locked -p gatehouse --test e2e_replicas -- --ignored

printf '\nAll checks passed.\n'
