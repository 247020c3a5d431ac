#!/usr/bin/env bash
# Receives one part of the package scripts/gpu-package cut (run on the GPU host from the working tree's root, one
# call per transfer, in order). Part 00 also brings this script and the manifest (part count, sha256); after the
# last part the package is checked and unpacked to $RISKSTREAM_APP_DIR/pkg (default /tmp/riskstream-app/pkg).
# usage: receive-app.sh NN [DIR holding NN's part; default .gpu/app-parts/NN]
set -euo pipefail
n=${1:?usage: receive-app.sh NN [PART_DIR]}
src=${2:-.gpu/app-parts/$n}
base=${RISKSTREAM_APP_DIR:-/tmp/riskstream-app}
[ -f "$src/part" ] || { echo "receive-app: no $src/part: carry .gpu/app-parts/$n in this transfer" >&2; exit 1; }
if [ "$n" = 00 ]; then
  rm -rf "$base" && mkdir -p "$base"
  cp "$src/manifest" "$(realpath "$0")" "$base/" 2>/dev/null || cp "$src/manifest" "$src/receive-app.sh" "$base/"
  : > "$base/blob.tgz"
  echo 00 > "$base/received"
else
  [ -f "$base/received" ] || { echo "receive-app: part 00 has not arrived on this host (a fresh host?): start again with part 00" >&2; exit 1; }
  expected=$(printf %02d $((10#$(cat "$base/received") + 1)))
  [ "$n" = "$expected" ] || { echo "receive-app: expected part $expected, got $n" >&2; exit 1; }
  echo "$n" > "$base/received"
fi
cat "$src/part" >> "$base/blob.tgz"
. "$base/manifest"
if [ $((10#$n + 1)) -eq "$count" ]; then
  actual=$(sha256sum "$base/blob.tgz" | cut -d' ' -f1)
  [ "$actual" = "$sha256" ] || { echo "receive-app: the package's sha256 does not match: start again with part 00" >&2; exit 1; }
  rm -rf "$base/pkg" && tar -C "$base" -xzf "$base/blob.tgz" && rm -f "$base/blob.tgz"
  echo "receive-app: package $(cat "$base/pkg/VERSION") ready in $base/pkg ($(ls "$base/pkg" | tr "\n" " "))"
else
  echo "receive-app: part $n of $count received"
fi
