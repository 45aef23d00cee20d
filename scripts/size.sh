#!/usr/bin/env bash
# Prints what the release app costs on the wire: for each file in dist/, its size raw, gzip -9
# and Brotli 11 (what `gatehouse serve` sends to a browser that takes it: the precompressed
# copies the release build made, or made here if missing), and the totals. A split build's small
# shared chunks (chunk_*) are summed on one line.
set -euo pipefail
cd "$(dirname "$0")/.."
BUDGET=$((160 * 1024))
gzip_total=0
br_total=0
chunks=0 chunks_raw=0 chunks_gz=0 chunks_br=0
for file in dist/*.wasm dist/*.js dist/*.html dist/*.css; do
  [ -f "$file" ] || continue
  gz=$(gzip -9c "$file" | wc -c)
  if [ -f "$file.br" ]; then br=$(stat -c %s "$file.br"); else br=$(brotli -q 11 -c "$file" | wc -c); fi
  gzip_total=$((gzip_total + gz))
  br_total=$((br_total + br))
  if [[ $(basename "$file") == chunk_* ]]; then
    chunks=$((chunks + 1)); chunks_raw=$((chunks_raw + $(stat -c %s "$file")))
    chunks_gz=$((chunks_gz + gz)); chunks_br=$((chunks_br + br))
    continue
  fi
  printf '  %-50s %8d bytes raw %8d gzip %8d brotli\n' "$(basename "$file")" "$(stat -c %s "$file")" "$gz" "$br"
done
if [ "$chunks" -gt 0 ]; then
  printf '  %-50s %8d bytes raw %8d gzip %8d brotli\n' "$chunks shared chunks (chunk_*)" "$chunks_raw" "$chunks_gz" "$chunks_br"
fi
awk -v gz="$gzip_total" -v br="$br_total" -v budget="$BUDGET" 'BEGIN {
  printf "size: release dist/ is %d bytes brotli (%.1f KB) as served, %d bytes gzip (%.1f KB); budget for the finished app: %d bytes (160 KB)\n", br, br / 1024, gz, gz / 1024, budget
}'
