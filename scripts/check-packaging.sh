#!/usr/bin/env bash
# Checks what ships for running the hub as a system service at the hall:
# the unit file passes `systemd-analyze verify` with no warning at all (run
# on a copy whose ExecStart names the program just built, since verify
# checks that the program exists), its hardening scores as systemd's own
# offline review reads it, the user it runs as is made by systemd-sysusers
# (into a scratch root, not this machine), and the install script parses.
#
# What is not run here: the install script itself, which needs systemd as
# the running init to enable and start the service.
set -euo pipefail
cd "$(dirname "$0")/.."

program="${1:?usage: scripts/check-packaging.sh PATH-TO-HOLDFAST}"
program="$(cd "$(dirname "$program")" && pwd)/$(basename "$program")"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

sed "s|/usr/local/bin/holdfast|$program|" packaging/systemd/holdfast-hub.service \
  > "$scratch/holdfast-hub.service"
if ! systemd-analyze verify "$scratch/holdfast-hub.service" > "$scratch/verify.log" 2>&1 \
  || [ -s "$scratch/verify.log" ]; then
  echo "packaging: the unit file does not verify cleanly:" >&2
  cat "$scratch/verify.log" >&2
  exit 1
fi
echo "packaging: holdfast-hub.service verifies with no warning"

exposure="$(systemd-analyze security --offline=yes "$scratch/holdfast-hub.service" 2>/dev/null \
  | sed -n 's/.*Overall exposure level for holdfast-hub.service: \([0-9.]*\).*/\1/p')"
echo "packaging: systemd's exposure level for the unit: ${exposure:-unknown} (0 is locked down, 10 is open)"
if [ -z "$exposure" ] || awk -v level="$exposure" 'BEGIN { exit !(level > 2.0) }'; then
  echo "packaging: the unit's exposure level should be 2.0 or less" >&2
  exit 1
fi

# Installed where install-hub.sh puts it, inside the scratch root, where
# systemd-sysusers looks for it.
install -D -m 0644 packaging/systemd/holdfast.sysusers "$scratch/root/usr/lib/sysusers.d/holdfast.conf"
mkdir -p "$scratch/root/etc"
systemd-sysusers --root="$scratch/root" > "$scratch/sysusers.log" 2>&1 || {
  echo "packaging: systemd-sysusers failed:" >&2
  cat "$scratch/sysusers.log" >&2
  exit 1
}
if ! grep -q '^holdfast:x:[0-9]*:[0-9]*:Holdfast sync hub:/var/lib/holdfast:/usr/sbin/nologin$' \
  "$scratch/root/etc/passwd"; then
  echo "packaging: systemd-sysusers did not make the holdfast user as expected:" >&2
  cat "$scratch/root/etc/passwd" >&2
  exit 1
fi
echo "packaging: the holdfast user is a system user with no login shell"

bash -n scripts/install-hub.sh
echo "packaging: scripts/install-hub.sh parses"
