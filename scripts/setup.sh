#!/usr/bin/env bash
# Installs what a fresh Debian machine with a Rust toolchain and Node.js lacks
# for building, running and testing Holdfast. Safe to run again: it installs
# only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo_cmd=""
[ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"

installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

# Debian packages, by what needs them:
# - build-essential, pkg-config: crates that compile C (SQLite, the GTK stack).
# - chromium: the browser tests drive Debian's Chromium; nothing downloads a
#   browser.
# - the GTK and WebKitGTK development packages (with libsoup, JavaScriptCore,
#   librsvg, libxdo, OpenSSL): what the Tauri desktop app links against.
# - xvfb (xvfb-run) and webkit2gtk-driver (WebKitWebDriver): the desktop smoke
#   test opens the real window on a virtual display and drives it through
#   WebDriver.
# - file, curl: used by Tauri's build and bundling steps.
# - gnome-keyring, dbus-daemon (dbus-run-session): the keystore test runs a
#   real Secret Service in a private D-Bus session (scripts/keystore-test.sh).
#   Holdfast itself talks D-Bus in Rust, so no libdbus development package.
# - systemd (systemd-analyze, systemd-sysusers): the check of the hub's unit
#   file (scripts/check-packaging.sh); nothing here runs it as init.
packages=(
  build-essential pkg-config chromium
  libwebkit2gtk-4.1-dev libjavascriptcoregtk-4.1-dev libgtk-3-dev
  libsoup-3.0-dev librsvg2-dev libxdo-dev libssl-dev file curl
  xvfb webkit2gtk-driver
  gnome-keyring dbus-daemon
  systemd
)
need_apt=()
for package in "${packages[@]}"; do
  installed "$package" || need_apt+=("$package")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing system packages: ${need_apt[*]}"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq \
    "${need_apt[@]}" >/dev/null
fi

if command -v rustup >/dev/null 2>&1; then
  for component in rustfmt clippy; do
    rustup component list --installed 2>/dev/null | grep -q "^$component" || rustup component add "$component"
  done
fi

# tauri-driver sits between a WebDriver client and WebKitWebDriver and starts
# the app for each session. It comes from crates.io, built here.
if ! command -v tauri-driver >/dev/null 2>&1; then
  echo "setup: installing tauri-driver from crates.io"
  cargo install tauri-driver --locked --quiet
fi

if [ ! -d node_modules ]; then
  echo "setup: installing the JavaScript lint and format checkers (eslint, prettier)"
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ ! -d tests/interop/node_modules ]; then
  echo "setup: installing the interop test's npm packages"
  (cd tests/interop && npm ci --no-audit --no-fund --loglevel=error)
fi

if [ ! -d tests/browser/node_modules ]; then
  echo "setup: installing the browser test's npm packages"
  (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
fi
