#!/usr/bin/env bash
# Draws the app's icons in icons/ from the mark in ui/icon.svg, so the desktop
# app, its installers and the web UI share one picture. The PNGs are drawn by
# rsvg-convert (Debian's librsvg2-bin); the Windows .ico and macOS .icns files
# are containers of PNGs, packed here with a few lines of Python. Run it after
# changing ui/icon.svg and commit what it writes.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v rsvg-convert >/dev/null 2>&1; then
  echo "icons: rsvg-convert is missing; install Debian's librsvg2-bin" >&2
  exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for size in 16 32 48 128 256 512; do
  rsvg-convert --width "$size" --height "$size" ui/icon.svg --output "$work/$size.png"
done
cp "$work/32.png" icons/32x32.png
cp "$work/128.png" icons/128x128.png
cp "$work/256.png" icons/128x128@2x.png
cp "$work/512.png" icons/icon.png

python3 - "$work" <<'PYTHON'
import struct
import sys
from pathlib import Path

work = Path(sys.argv[1])

def png(size):
    return (work / f"{size}.png").read_bytes()

# An .ico file: a header, one 16-byte entry per image, then the images.
# A width or height of 0 in an entry means 256.
sizes = [16, 32, 48, 256]
images = [png(size) for size in sizes]
offset = 6 + 16 * len(sizes)
entries = b""
for size, image in zip(sizes, images):
    side = 0 if size == 256 else size
    entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(image), offset)
    offset += len(image)
Path("icons/icon.ico").write_bytes(struct.pack("<HHH", 0, 1, len(sizes)) + entries + b"".join(images))

# An .icns file: a header, then one chunk per image, each a four-letter type
# naming its size and a big-endian length that counts the chunk's own header.
chunks = b""
for kind, size in [(b"icp4", 16), (b"icp5", 32), (b"ic07", 128), (b"ic08", 256), (b"ic09", 512)]:
    image = png(size)
    chunks += kind + struct.pack(">I", 8 + len(image)) + image
Path("icons/icon.icns").write_bytes(b"icns" + struct.pack(">I", 8 + len(chunks)) + chunks)
PYTHON
echo "icons: wrote $(ls icons | tr '\n' ' ')"
