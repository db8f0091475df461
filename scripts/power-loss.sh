#!/usr/bin/env bash
# Simulated power cuts: the crash test's writer runs on a FUSE layer that
# keeps written data in memory until it is synced, and each kill also kills
# the layer, so whatever was not synced is gone, as after a power cut. Every
# acknowledged edit must survive. Needs root and /dev/fuse; ROUNDS sets how
# many cuts (default 60).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -e /dev/fuse ]; then
  echo "power-loss: /dev/fuse is missing here, so the simulated power cuts cannot run" >&2
  exit 1
fi
need=()
for package in fuse3 python3-fusepy; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || need+=("$package")
done
if [ ${#need[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need[@]}" >/dev/null
fi

work=$(mktemp -d)
backing="$work/backing"
mount_point="$work/mount"
cleanup() {
  state="${LAZY_LAYER_STATE:-/tmp/holdfast-lazy-layer}"
  [ -f "$state/pid" ] && kill -9 "$(cat "$state/pid")" 2>/dev/null || true
  fusermount3 -uz "$mount_point" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
tests/power_loss/mount.sh "$backing" "$mount_point"
mkdir -p "$mount_point/data"
HOLDFAST_CRASH_DIR="$mount_point/data" \
HOLDFAST_CRASH_AFTER_KILL="$(pwd)/tests/power_loss/mount.sh $backing $mount_point" \
HOLDFAST_CRASH_ROUNDS="${ROUNDS:-60}" \
  cargo test --locked -p holdfast-store --test crash -- --nocapture
