#!/usr/bin/env bash
# Runs Holdfast on a seeded demo campaign: it seeds ./holdfast-demo on first
# use, then serves the web UI on 127.0.0.1 and prints the address to open.
# HOLDFAST_DATA_DIR and HOLDFAST_PORT change where the data lives and which
# port is used.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
cargo build --locked --release --bin holdfast
holdfast="$(pwd)/${CARGO_TARGET_DIR:-target}/release/holdfast"
data_dir="${HOLDFAST_DATA_DIR:-$(pwd)/holdfast-demo}"

if [ ! -f "$data_dir/holdfast.sqlite3" ]; then
  "$holdfast" --data-dir "$data_dir" demo
fi

exec "$holdfast" --data-dir "$data_dir" serve --port "${HOLDFAST_PORT:-8418}" --ui-dir "$(pwd)/ui"
