#!/bin/sh
# mount.sh BACKING MOUNT: (re)starts the lazy layer over BACKING at MOUNT.
# Killing the previous layer first loses every write it had not yet been
# asked to sync, as a power cut loses what sat in the page cache.
set -e
backing=$1
mount_point=$2
here=$(cd "$(dirname "$0")" && pwd)
state="${LAZY_LAYER_STATE:-/tmp/holdfast-lazy-layer}"
mkdir -p "$state"
if [ -f "$state/pid" ]; then kill -9 "$(cat "$state/pid")" 2>/dev/null || true; fi
fusermount3 -uz "$mount_point" 2>/dev/null || true
mkdir -p "$backing" "$mount_point"
/usr/bin/python3 "$here/lazy_layer.py" "$backing" "$mount_point" >>"$state/layer.log" 2>&1 &
echo $! > "$state/pid"
for _ in $(seq 1 100); do
  if mount | grep -q " $mount_point type fuse"; then exit 0; fi
  sleep 0.05
done
echo "the lazy layer did not mount" >&2
exit 1
