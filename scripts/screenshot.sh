#!/usr/bin/env bash
# Runs the real window under Xvfb with the sample chain loaded and writes a PNG.
#   scripts/screenshot.sh [OUT.png] [extra chainsmith gui arguments...]
# SCREENSHOT_SIZE=1024x700 takes it at that screen and window size (default 1280x820).
# Needs: xvfb xauth imagemagick, and Mesa (libegl1 libegl-mesa0 libgl1-mesa-dri).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-assets/screenshot.png}"
shift || true
cargo build --release --quiet
bin=target/release/chainsmith
# A fresh configuration folder, so preferences from earlier runs do not leak into the picture.
export XDG_CONFIG_HOME="$(mktemp -d)" XDG_DATA_HOME="$(mktemp -d)"
args=("$@")
[ ${#args[@]} -gt 0 ] || args=(assets/sample --host sbc1.sample.chainsmith.example)
[ "${args[0]}" != "--empty" ] || args=()
size="${SCREENSHOT_SIZE:-1280x820}"
export CHAINSMITH_WINDOW_SIZE="$size"
xvfb-run -a -s "-screen 0 ${size}x24" bash -c "
  '$bin' gui ${args[*]@Q} &
  pid=\$!
  sleep \${SCREENSHOT_DELAY:-4}
  import -window root '$out'
  kill \$pid
"
echo "wrote $out"
