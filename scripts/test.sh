#!/usr/bin/env bash
# Every check Holdfast has, as CI runs them: formatting, lints with warnings
# denied, the Rust tests, the interop test against the JavaScript Automerge
# implementation, the web UI in a browser, and a quick pass of the benchmark
# so it cannot rot.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh

step() { printf '\n== %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo test"
cargo test --workspace --locked

step "interop with @automerge/automerge"
cargo build --locked --bin holdfast
HOLDFAST_BIN="$(pwd)/${CARGO_TARGET_DIR:-target}/debug/holdfast" node --test tests/interop/

step "web UI in Chromium, with axe-core on every screen"
cargo build --locked -p holdfast-http --example serve
HOLDFAST_SERVE_BIN="$(pwd)/${CARGO_TARGET_DIR:-target}/debug/examples/serve" node --test tests/browser/

step "benchmark, quick pass"
cargo run --locked --release -p holdfast-bench -- --quick
