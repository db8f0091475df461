#!/usr/bin/env bash
# Installs what a fresh Debian machine with a Rust toolchain and Node.js lacks
# for building, running and testing Holdfast. Safe to run again: it installs
# only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v cc >/dev/null 2>&1 || need_apt+=(build-essential)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
# The browser tests drive Debian's Chromium; nothing downloads a browser.
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing system packages: ${need_apt[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need_apt[@]}"
fi

if command -v rustup >/dev/null 2>&1; then
  for component in rustfmt clippy; do
    rustup component list --installed 2>/dev/null | grep -q "^$component" || rustup component add "$component"
  done
fi

if [ ! -d tests/interop/node_modules ]; then
  echo "setup: installing the interop test's npm packages"
  (cd tests/interop && npm ci --no-audit --no-fund --loglevel=error)
fi

if [ ! -d tests/browser/node_modules ]; then
  echo "setup: installing the browser test's npm packages"
  (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
fi
