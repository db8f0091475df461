#!/usr/bin/env bash
# Runs Holdfast on a freshly seeded demo campaign. Until the app lands, that
# means the command line: it seeds the demo into ./holdfast-demo and shows the
# campaign's dashboard and main reports.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
cargo build --locked --release --bin holdfast
holdfast="${CARGO_TARGET_DIR:-target}/release/holdfast"
data_dir="${HOLDFAST_DATA_DIR:-$(pwd)/holdfast-demo}"

if [ ! -f "$data_dir/holdfast.sqlite3" ]; then
  "$holdfast" --data-dir "$data_dir" demo
fi
"$holdfast" --data-dir "$data_dir" status
echo
"$holdfast" --data-dir "$data_dir" choke report
echo
echo "The demo campaign is in $data_dir. Try, for example:"
echo "  $holdfast --data-dir $data_dir action list"
echo "  $holdfast --data-dir $data_dir sovereignty"
echo "  $holdfast --help"
