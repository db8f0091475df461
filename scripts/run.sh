#!/usr/bin/env bash
# Runs Holdfast on a seeded demo campaign in ./holdfast-demo, seeded on first
# use. With a display ($DISPLAY or $WAYLAND_DISPLAY) it opens the desktop app
# (which also runs the sync hub); without one it runs the hub, which serves
# the web UI on 127.0.0.1 and prints the address to open. HOLDFAST_DATA_DIR
# changes where the data lives, HOLDFAST_PORT which port the web UI uses.
set -euo pipefail
cd "$(dirname "$0")/.."

# Where cargo puts what it builds: CARGO_TARGET_DIR (absolute, or relative to
# the top of the repository) or ./target.
target_dir="${CARGO_TARGET_DIR:-target}"
case "$target_dir" in /*) ;; *) target_dir="$(pwd)/$target_dir" ;; esac

scripts/setup.sh
data_dir="${HOLDFAST_DATA_DIR:-$(pwd)/holdfast-demo}"

if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  # The debug build shares its compiled dependencies with scripts/test.sh;
  # those are optimised anyway (see [profile.dev.package."*"]).
  cargo build --locked -p holdfast-app
  exec "$target_dir/debug/holdfast-app" --demo --data-dir "$data_dir"
fi

cargo build --locked --release --bin holdfast
holdfast="$target_dir/release/holdfast"

if [ ! -f "$data_dir/holdfast.sqlite3" ]; then
  "$holdfast" --data-dir "$data_dir" demo
fi

export HOLDFAST_UI_DIR="$(pwd)/ui"
exec "$holdfast" --data-dir "$data_dir" hub --ui-address 127.0.0.1 --ui-port "${HOLDFAST_PORT:-8418}"
