#!/usr/bin/env bash
# Builds the app (release) and the server, then serves the portal. With no OPENAI_ADMIN_KEY or
# --admin-key-file it runs in demo mode on the embedded sandbox at http://127.0.0.1:8080.
# Extra arguments go to `gatehouse serve`, e.g. `make run ARGS="--listen 127.0.0.1:9000"`.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build-app.sh
cargo build --locked --release -p gatehouse
exec ./target/release/gatehouse serve "$@"
