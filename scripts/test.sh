#!/usr/bin/env bash
# Every check Holdfast has, as CI runs them: formatting and lints with
# warnings denied (Rust and JavaScript), the Rust tests, a short fuzzing
# pass, the interop test against the JavaScript Automerge implementation, the
# web UI in a browser, the desktop app's real window on a virtual display,
# and a quick pass of the benchmark so it cannot rot.
#
# The desktop app (src-tauri, package holdfast-app) is left out of the
# workspace's default members so that plain `cargo build` and `cargo test`
# never need GTK or WebKit; every step here names it on purpose, through
# `--workspace` or `-p holdfast-app`.
set -euo pipefail
cd "$(dirname "$0")/.."

# Where cargo puts what it builds: CARGO_TARGET_DIR (absolute, or relative to
# the top of the repository) or ./target.
target_dir="${CARGO_TARGET_DIR:-target}"
case "$target_dir" in /*) ;; *) target_dir="$(pwd)/$target_dir" ;; esac

scripts/setup.sh

step() { printf '\n== %s\n' "$*"; }

# New campaigns made by the tests keep their keys out of the system
# keystore, so a run on a desktop leaves nothing in the login keyring;
# scripts/keystore-test.sh turns it back on inside its private session.
export HOLDFAST_KEYSTORE=off

# A single run gains nothing from incremental compilation, and its caches
# take gigabytes of disk beside everything else this script builds.
export CARGO_INCREMENTAL=0

step "cargo fmt --check"
cargo fmt --all --check

step "JavaScript: eslint and prettier over ui/ and the JavaScript tests"
npm run --silent lint
npm run --silent format:check

step "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

# The desktop app is left out: documenting it would build Tauri's whole
# stack a second time for no page anyone reads.
step "cargo doc (warnings are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --workspace --exclude holdfast-app --locked

step "cargo test"
cargo test --workspace --locked

step "the database key in the system keystore (gnome-keyring, in a private D-Bus session)"
scripts/keystore-test.sh

step "fuzzing, a short pass (15 s per target, unoptimized build; FUZZING.md has the long runs)"
if [ -n "${CARGO_TARGET_DIR:-}" ]; then
  CARGO_TARGET_DIR="$target_dir" FUZZ_DEV=1 scripts/fuzz.sh 15
else
  FUZZ_DEV=1 scripts/fuzz.sh 15
fi

step "simulated power cuts (unsynced writes dropped by a FUSE layer)"
ROUNDS=60 scripts/power-loss.sh

step "interop with @automerge/automerge"
cargo build --locked --bin holdfast
HOLDFAST_BIN="$target_dir/debug/holdfast" node --test tests/interop/

step "the hub as a system service: its unit file and user"
scripts/check-packaging.sh "$target_dir/debug/holdfast"

step "web UI in Chromium, with axe-core on every screen"
# The offline test runs the holdfast program itself: a hub, a paired phone.
cargo build --locked -p holdfast-http --example serve
cargo build --locked --bin holdfast
HOLDFAST_SERVE_BIN="$target_dir/debug/examples/serve" HOLDFAST_BIN="$target_dir/debug/holdfast" \
  node --test tests/browser/

step "desktop app in its real window, under Xvfb"
cargo build --locked -p holdfast-app
HOLDFAST_APP_BIN="$target_dir/debug/holdfast-app" \
  xvfb-run -a -s "-screen 0 1280x1024x24" node --test tests/desktop/

# The quick pass shows that the benchmark runs end to end. It uses the debug
# build, whose dependencies are already optimised (opt-level 2) and built by
# the tests above: a release build from an empty target folder adds about
# twelve minutes. The figures in BENCHMARKS.md come from release builds
# (`cargo run --release -p holdfast-bench`).
step "benchmark, quick pass (debug build)"
cargo run --locked -p holdfast-bench -- --quick
