#!/usr/bin/env bash
# Installs what building and testing Gatehouse needs, skipping whatever is already there:
# the wasm32 target, rustfmt and clippy, trunk 0.21.14, wasm-bindgen-cli at the version pinned in
# Cargo.lock, wasm-split-cli at the wasm_split_helpers version in Cargo.lock, binaryen 132 from
# npm, Debian's chromium, chromium-driver, binaryen, brotli, nginx-light and (if missing) Node, and the
# official OpenAI Node SDK pinned in tests/sdk/package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "setup: need root to run: $*" >&2; exit 1; fi
}

installed_components=$(rustup component list --installed 2>/dev/null || true)
for component in rustfmt clippy; do
  if ! grep -q "^$component" <<<"$installed_components"; then
    say "adding rustup component $component"
    rustup component add "$component"
  fi
done

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# trunk 0.22 needs a newer rustc than this toolchain; without --locked a newer cssparser breaks it.
if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION (about 6 minutes, once)"
  cargo install "trunk@$TRUNK_VERSION" --locked --force
fi

# wasm-bindgen-cli must be exactly the wasm-bindgen in Cargo.lock. It installs without --locked:
# with it, the registry here lacks one of its pinned dependencies.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
if [ -z "$WASM_BINDGEN_VERSION" ]; then echo "setup: no wasm-bindgen in Cargo.lock" >&2; exit 1; fi
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ] \
   || ! command -v wasm-bindgen-test-runner >/dev/null; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  cargo install "wasm-bindgen-cli@$WASM_BINDGEN_VERSION" --force
fi

# The release build splits the wasm by route (scripts/split.sh) with wasm-split-cli, whose
# version matches wasm_split_helpers in Cargo.lock.
WASM_SPLIT_VERSION=$(awk '/^name = "wasm_split_helpers"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
if [ -z "$WASM_SPLIT_VERSION" ]; then echo "setup: no wasm_split_helpers in Cargo.lock" >&2; exit 1; fi
if ! command -v wasm-split-cli >/dev/null \
   || ! cargo install --list | grep -x "wasm_split_cli_support v$WASM_SPLIT_VERSION:" >/dev/null; then
  say "installing wasm-split-cli $WASM_SPLIT_VERSION (about 3 minutes, once)"
  cargo install "wasm_split_cli_support@$WASM_SPLIT_VERSION" --features build-binary --locked --force
fi

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
command -v wasm-opt >/dev/null || missing+=(binaryen)
# Release builds are precompressed with Brotli (scripts/precompress.sh).
command -v brotli >/dev/null || missing+=(brotli)
# The replicas' end-to-end test runs behind a real nginx (PostgreSQL: scripts/postgres.sh).
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
# The official OpenAI Node SDK's test (tests/sdk) runs on Node.
command -v node >/dev/null || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi
# binaryen 132's wasm-opt for the split build, as scripts/binaryen/package-lock.json pins it
# (Debian's 108 corrupts wasm-bindgen's externref table).
if [ ! -f scripts/binaryen/node_modules/binaryen/package.json ] \
   || [ scripts/binaryen/package-lock.json -nt scripts/binaryen/node_modules/.package-lock.json ]; then
  say "installing binaryen 132 for scripts/split.sh"
  npm ci --prefix scripts/binaryen --no-audit --no-fund --loglevel=error
fi
# The SDK exactly as tests/sdk/package-lock.json pins it (from npm; nothing downloads a browser).
if [ ! -f tests/sdk/node_modules/openai/package.json ] \
   || [ tests/sdk/package-lock.json -nt tests/sdk/node_modules/.package-lock.json ]; then
  say "installing the official OpenAI Node SDK for tests/sdk"
  npm ci --prefix tests/sdk --no-audit --no-fund --loglevel=error
fi
say "tools ready: $(trunk --version), $(wasm-bindgen --version), $(chromium --version 2>/dev/null | head -1)"
