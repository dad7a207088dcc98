#!/usr/bin/env bash
# Renders assets/icon.svg into the PNG sizes the desktop wants (assets/icons/chainsmith-N.png).
# Needs rsvg-convert (Debian: librsvg2-bin). The PNGs are committed; run this after editing the SVG.
set -euo pipefail
cd "$(dirname "$0")/../assets"
for size in 16 24 32 48 64 128 256 512; do
  rsvg-convert -w "$size" -h "$size" icon.svg -o "icons/chainsmith-$size.png"
done
# The Windows icon (embedded in chainsmith.exe by build.rs, used by the MSI): every size up to 256 in one
# .ico (ImageMagick).
convert icons/chainsmith-{16,24,32,48,64,128,256}.png icons/chainsmith.ico
