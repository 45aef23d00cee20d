#!/usr/bin/env bash
# The app's release build, split by route: trunk builds it with the pages as lazy routes
# (`--cfg gatehouse_split`, src/app.rs) and relocations kept for wasm-split (`--emit-relocs`),
# then Trunk.toml's hooks split it (scripts/split.sh) and precompress it (scripts/precompress.sh).
# `make run`, `make test` and `make bench` build with this; plain `trunk build --release` still
# makes a working unsplit build, and dev builds and the wasm tests never split.
set -euo pipefail
cd "$(dirname "$0")/.."
# This replaces .cargo/config.toml's wasm32 rustflags, so it repeats them (erase_components).
# RUSTFLAGS would override the per-target flags below, and the build would come out unsplit.
if [ -n "${RUSTFLAGS:-}" ]; then
  echo "build-app: unset RUSTFLAGS first (it overrides the wasm32 flags this build needs)" >&2
  exit 1
fi
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="--cfg erase_components --cfg gatehouse_split -Clink-args=--emit-relocs"
export GATEHOUSE_SPLIT=1
exec trunk build --release "$@"
