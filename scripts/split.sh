#!/usr/bin/env bash
# Splits the release build's wasm by route: the first half of trunk's post_build hook (then
# precompress.sh). The lazy pages are lazy routes in a build with `--cfg gatehouse_split`
# (src/app.rs), which scripts/build-app.sh sets, with `--emit-relocs` for wasm-split. Trunk
# 0.21 cannot split, so this redoes its last step on the same cargo output:
#   1. wasm-split-cli cuts the shell (main module) from each lazy page's chunk and the chunks
#      pages share, and writes the loader (`__wasm_split.js`) the main module imports;
#   2. wasm-bindgen binds the main module (`--keep-lld-exports`: the chunks link to them);
#   3. binaryen 132's wasm-opt -Oz runs on every wasm file (scripts/binaryen/opt.mjs): the
#      relocations wasm-split needs leave padded indices and a type section in every chunk;
#   4. every file gets a hash of the final bytes in its name, in place of trunk's (immutable
#      caching; an open tab never mixes files of two builds), the references between them and
#      index.html follow, and index.html's integrity hashes are recomputed.
# Any other build (dev, a release without GATEHOUSE_SPLIT=1) is left as trunk made it.
set -euo pipefail
stage=${TRUNK_STAGING_DIR:?run by trunk as a post_build hook}
if [ "${TRUNK_PROFILE:-}" != "release" ] || [ "${GATEHOUSE_SPLIT:-}" != "1" ]; then
  exit 0
fi
fail() { echo "split: $*" >&2; exit 1; }
root="$(cd "$(dirname "$0")/.." && pwd)"
raw="${CARGO_TARGET_DIR:-$root/target}/wasm32-unknown-unknown/wasm-release/gatehouse-app.wasm"
[ -f "$raw" ] || fail "no $raw"
for tool in wasm-split-cli wasm-bindgen openssl node sha256sum; do
  command -v "$tool" >/dev/null || fail "$tool is missing (scripts/setup.sh installs it)"
done
[ -f "$root/scripts/binaryen/node_modules/binaryen/package.json" ] \
  || fail "binaryen is missing (scripts/setup.sh installs it)"
glue=$(find "$stage" -maxdepth 1 -name 'gatehouse-app-*.js' | head -n 1)
[ -n "$glue" ] || fail "no gatehouse-app-*.js in $stage"
trunk_name=$(basename "$glue" .js)   # gatehouse-app-<trunk's 16 hex>

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The cargo output must be the one trunk just bound (its wasm-bindgen output, in the same target
# dir, is what binding it again gives), and built to be split.
target="${CARGO_TARGET_DIR:-$root/target}"
wasm-bindgen --target web --no-typescript --out-dir "$work/check" --out-name gatehouse-app "$raw" \
  2> >(grep -v target_features >&2)
cmp -s "$work/check/gatehouse-app_bg.wasm" "$target/wasm-bindgen/release/gatehouse-app_bg.wasm" \
  || fail "$raw is not the wasm trunk just built"
grep -qa '__wasm_split_placeholder__' "$raw" \
  || fail "$raw has no split points: build with scripts/build-app.sh (is RUSTFLAGS set?)"

wasm-split-cli --target web --out-name main "$raw" "$work/split" \
  2> >(grep -v 'Overlong segment' >&2)
[ -f "$work/split/main.wasm" ] || fail "wasm-split-cli wrote no main module"
# strip = true leaves no target_features section; wasm-bindgen's warning about it is expected.
wasm-bindgen --target web --no-typescript --keep-lld-exports \
  --out-dir "$work/out" --out-name main "$work/split/main.wasm" 2> >(grep -v target_features >&2)
find "$work/split" -maxdepth 1 -name '*.wasm' ! -name main.wasm -exec cp {} "$work/out/" \;
cp "$work/split/__wasm_split.js" "$work/out/"
# The name sections wasm-split writes carry a subsection binaryen does not know; it says so once
# per file and drops it (names are stripped anyway).
node "$root/scripts/binaryen/opt.mjs" "$work/out"/*.wasm 2> >(grep -v 'unknown name subsection' >&2)

# One hash of everything this build serves from the split, in every name.
hash=$(cat "$work/out"/*.wasm "$work/out"/*.js | sha256sum | cut -c1-16)
name="gatehouse-app-$hash"
rewrite() { # file, sed expression: fails if the expression changed nothing
  local before
  before=$(sha256sum < "$1")
  sed -E -i "$2" "$1"
  [ "$(sha256sum < "$1")" != "$before" ] || fail "nothing matched $2 in $(basename "$1")"
}
rewrite "$work/out/main.js" "s|from \"\./__wasm_split\.js\"|from \"./__wasm_split-$hash.js\"|g"
rewrite "$work/out/main.js" "s|'main_bg\.wasm'|'${name}_bg.wasm'|"
rewrite "$work/out/__wasm_split.js" "s|from \"\./main\.js\"|from \"./$name.js\"|"
rewrite "$work/out/__wasm_split.js" "s|new URL\(\"\./([A-Za-z0-9_]+)\.wasm\"|new URL(\"./\1-$hash.wasm\"|g"
if grep -qE 'new URL\("\./[A-Za-z0-9_]+\.wasm"' "$work/out/__wasm_split.js"; then
  fail "a chunk URL in the loader was not renamed"
fi
rm -f "$stage/$trunk_name.js" "$stage/${trunk_name}_bg.wasm"
cp "$work/out/main.js" "$stage/$name.js"
cp "$work/out/main_bg.wasm" "$stage/${name}_bg.wasm"
cp "$work/out/__wasm_split.js" "$stage/__wasm_split-$hash.js"
chunks=0
for chunk in "$work/out"/*.wasm; do
  stem=$(basename "$chunk" .wasm)
  [ "$stem" = main_bg ] && continue
  cp "$chunk" "$stage/$stem-$hash.wasm"
  chunks=$((chunks + 1))
done

html="$stage/index.html"
rewrite "$html" "s|$trunk_name|$name|g"
sri() { printf 'sha384-%s' "$(openssl dgst -sha384 -binary "$1" | base64 -w0)"; }
for file in "$name.js" "${name}_bg.wasm"; do
  escaped=${file//./\\.}
  sed -E -i "s|(href=\"?/$escaped\"? [^>]*integrity=\"?)sha384-[A-Za-z0-9+/=]+|\1$(sri "$stage/$file")|" "$html"
  grep -q "$(sri "$stage/$file")" "$html" || fail "no integrity for $file in index.html"
done
echo "split: $name: main module $(stat -c %s "$stage/${name}_bg.wasm") bytes, $chunks chunks"
