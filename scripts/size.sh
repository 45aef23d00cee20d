#!/usr/bin/env bash
# Prints what the release app costs on the wire: gzip -9 bytes of each file in dist/ and the total.
set -euo pipefail
cd "$(dirname "$0")/.."
BUDGET=$((160 * 1024))
total=0
for file in dist/*.wasm dist/*.js dist/*.html dist/*.css; do
  [ -f "$file" ] || continue
  bytes=$(gzip -9c "$file" | wc -c)
  total=$((total + bytes))
  printf '  %-50s %8d bytes raw %8d bytes gzip\n' "$(basename "$file")" "$(stat -c %s "$file")" "$bytes"
done
awk -v total="$total" -v budget="$BUDGET" 'BEGIN {
  printf "size: release dist/ is %d bytes gzip (%.1f KB); budget for the finished app: %d bytes (160 KB)\n", total, total / 1024, budget
}'
