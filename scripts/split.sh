#!/usr/bin/env bash
# Splits the release build's wasm by route: trunk's post_build hook, before precompress.sh. The
# pages are lazy routes in a build with `--cfg gatehouse_split` (src/app.rs), which
# scripts/build-app.sh sets, with `--emit-relocs` for wasm-split. Trunk 0.21 cannot split, so
# this redoes its last step on the same cargo output:
#   1. wasm-split-cli cuts the shell (main module) from each page's chunk and the chunks pages
#      share, and writes the loader (`__wasm_split.js`) the main module imports;
#   2. wasm-bindgen runs on the main module (`--keep-lld-exports`: the chunks link to them) under
#      trunk's own file name, replacing trunk's unsplit files;
#   3. binaryen 132's wasm-opt -Oz runs on every wasm file (scripts/binaryen/opt.mjs): the
#      relocations wasm-split needs leave padded indices and a type section in every chunk;
#   4. every chunk and the loader get trunk's content hash in their names (immutable caching;
#      an open tab never mixes chunks of two builds), and index.html's integrity hashes are
#      recomputed for the replaced files.
# Any other build (dev, a release without GATEHOUSE_SPLIT=1) is left as trunk made it.
set -euo pipefail
stage=${TRUNK_STAGING_DIR:?run by trunk as a post_build hook}
if [ "${TRUNK_PROFILE:-}" != "release" ] || [ "${GATEHOUSE_SPLIT:-}" != "1" ]; then
  exit 0
fi
root="$(cd "$(dirname "$0")/.." && pwd)"
raw="${CARGO_TARGET_DIR:-$root/target}/wasm32-unknown-unknown/wasm-release/gatehouse-app.wasm"
for tool in wasm-split-cli wasm-bindgen openssl node; do
  command -v "$tool" >/dev/null || { echo "split: $tool is missing (scripts/setup.sh installs it)" >&2; exit 1; }
done
glue=$(find "$stage" -maxdepth 1 -name 'gatehouse-app-*.js' | head -n 1)
[ -n "$glue" ] || { echo "split: no gatehouse-app-*.js in $stage" >&2; exit 1; }
name=$(basename "$glue" .js)     # gatehouse-app-<16 hex>
hash=${name##*-}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
wasm-split-cli --target web --out-name "$name" "$raw" "$work/split" 2>&1 \
  | grep -v 'Overlong segment' >&2 || true
[ -f "$work/split/$name.wasm" ] || { echo "split: wasm-split-cli wrote no main module" >&2; exit 1; }
# strip = true leaves no target_features section; wasm-bindgen's warning about it is expected.
wasm-bindgen --target web --no-typescript --keep-lld-exports \
  --out-dir "$work/bindgen" --out-name "$name" "$work/split/$name.wasm" 2> >(grep -v target_features >&2)
sed "s|from \"./__wasm_split.js\"|from \"./__wasm_split-$hash.js\"|g" "$work/bindgen/$name.js" > "$stage/$name.js"
cp "$work/bindgen/${name}_bg.wasm" "$stage/${name}_bg.wasm"
chunks=0
for chunk in "$work"/split/*.wasm; do
  stem=$(basename "$chunk" .wasm)
  [ "$stem" = "$name" ] && continue
  cp "$chunk" "$stage/$stem-$hash.wasm"
  chunks=$((chunks + 1))
done
[ -f "$root/scripts/binaryen/node_modules/binaryen/package.json" ] \
  || { echo "split: binaryen is missing (scripts/setup.sh installs it)" >&2; exit 1; }
# The name sections wasm-split writes carry a subsection binaryen does not know; it says so once
# per file and drops it (names are stripped anyway).
node "$root/scripts/binaryen/opt.mjs" "$stage/${name}_bg.wasm" "$stage"/*-"$hash".wasm \
  2> >(grep -v 'unknown name subsection' >&2)
sed -E "s|new URL\(\"\./([A-Za-z0-9_]+)\.wasm\"|new URL(\"./\1-$hash.wasm\"|g" \
  "$work/split/__wasm_split.js" > "$stage/__wasm_split-$hash.js"
if grep -qE 'new URL\("\./[A-Za-z0-9_]+\.wasm"' "$stage/__wasm_split-$hash.js"; then
  echo "split: a chunk URL in the loader was not renamed" >&2; exit 1
fi

sri() { printf 'sha384-%s' "$(openssl dgst -sha384 -binary "$1" | base64 -w0)"; }
html="$stage/index.html"
for file in "$name.js" "${name}_bg.wasm"; do
  escaped=${file//./\\.}
  sed -E -i "s|(href=\"?/$escaped\"? [^>]*integrity=\"?)sha384-[A-Za-z0-9+/=]+|\1$(sri "$stage/$file")|" "$html"
  grep -q "$(sri "$stage/$file")" "$html" || { echo "split: no integrity for $file in index.html" >&2; exit 1; }
done
echo "split: $name: main module $(stat -c %s "$stage/${name}_bg.wasm") bytes, $chunks chunks"
