#!/usr/bin/env bash
# Writes Brotli (quality 11) and gzip (-9) copies beside every text and wasm file of a built
# app, for `gatehouse serve` to send precompressed (chosen by Accept-Encoding). Trunk runs it
# after a release build (Trunk.toml's post_build hook) on its staging dir; by hand:
# scripts/precompress.sh dist
set -euo pipefail
dir=${1:-${TRUNK_STAGING_DIR:-dist}}
if [ "${TRUNK_PROFILE:-release}" != "release" ]; then
  exit 0
fi
command -v brotli >/dev/null || { echo "precompress: brotli is missing (scripts/setup.sh installs it)" >&2; exit 1; }
shopt -s nullglob
for file in "$dir"/*.wasm "$dir"/*.js "$dir"/*.css "$dir"/*.html "$dir"/*.svg; do
  brotli --quality=11 --force --keep --output="$file.br" "$file"
  gzip -9 --force --keep --no-name "$file"
done
