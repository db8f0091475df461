#!/usr/bin/env bash
# The database key sealed by the system keystore, tested against a real one:
# GNOME Keyring's Secret Service, started in a private D-Bus session with a
# throwaway keyring under a temporary folder, so the user's own keyring is
# never touched. Installs nothing: scripts/setup.sh installs gnome-keyring and
# dbus-daemon (for dbus-run-session).
#
# Fails unless the test really ran against the keystore (without
# HOLDFAST_KEYSTORE_TEST=1 the test only says it was skipped).
set -euo pipefail
cd "$(dirname "$0")/.."

for command in dbus-run-session gnome-keyring-daemon dbus-send; do
  if ! command -v "$command" >/dev/null 2>&1; then
    echo "keystore-test: $command is missing; run scripts/setup.sh" >&2
    exit 1
  fi
done

# Build first, outside the private session, so the daemon is not left
# waiting while cargo compiles (or waits for another build's lock).
cargo test --locked -p holdfast-store --test keystore --no-run

scratch="$(mktemp -d)"
chmod 700 "$scratch"
log="$scratch/test.log"
trap 'rm -rf "$scratch"' EXIT

SCRATCH="$scratch" LOG="$log" dbus-run-session -- bash -c '
  set -euo pipefail
  export XDG_DATA_HOME="$SCRATCH/data" XDG_RUNTIME_DIR="$SCRATCH/run"
  mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
  chmod 700 "$XDG_RUNTIME_DIR"

  # The throwaway password creates and unlocks a "login" keyring, the
  # default collection, so nothing asks for a password.
  printf "throwaway keyring password" |
    gnome-keyring-daemon --foreground --unlock --components=secrets >"$SCRATCH/daemon.env" &
  daemon=$!
  stop_daemon() { kill "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true; }
  trap stop_daemon EXIT

  for _ in $(seq 1 50); do
    if dbus-send --session --print-reply --dest=org.freedesktop.DBus / \
      org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null |
      grep -q "boolean true"; then
      break
    fi
    sleep 0.1
  done

  HOLDFAST_KEYSTORE=on HOLDFAST_KEYSTORE_TEST=1 cargo test --locked -p holdfast-store --test keystore \
    -- --nocapture 2>&1 | tee "$LOG"
'

if ! grep -q "keystore test: ran against the system keystore" "$log"; then
  echo "keystore-test: the test did not run against the keystore" >&2
  exit 1
fi
echo "keystore-test: passed against GNOME Keyring's Secret Service"
