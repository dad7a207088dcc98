#!/usr/bin/env bash
# Time from start to the first painted frame of the real window under Xvfb (Mesa llvmpipe), N runs,
# with the sample chain loaded; then the window's peak memory with a 10,000-certificate pile loaded.
#   scripts/first-frame.sh [RUNS]
# Needs: xvfb (Xvfb), Mesa (libegl1 libegl-mesa0 libgl1-mesa-dri); a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-10}"
cargo build --release --quiet
bin="$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/release/chainsmith"
display=":$((90 + RANDOM % 9))"
Xvfb "$display" -screen 0 1280x820x24 >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true' EXIT
sleep 1
export DISPLAY="$display" XDG_CONFIG_HOME="$(mktemp -d)" XDG_DATA_HOME="$(mktemp -d)"

# Starts the window, waits for the first painted frame, prints its time, stops the window.
first_frame() {
  local log; log="$(mktemp)"
  CHAINSMITH_TIMING=1 "$bin" gui "$@" 2>"$log" &
  local pid=$!
  for _ in $(seq 1 200); do
    grep -q "first frame painted" "$log" && break
    sleep 0.05
  done
  local vmhwm; vmhwm="$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)"
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  echo "$(grep -o '[0-9]* ms' "$log" | head -n1) $vmhwm"
  rm -f "$log"
}

times=()
for _ in $(seq 1 "$runs"); do
  t="$(first_frame assets/sample --host sbc1.sample.chainsmith.example | awk '{print $1}')"
  times+=("$t")
done
sorted=($(printf '%s\n' "${times[@]}" | sort -n))
echo "first painted frame, $runs runs (ms): ${times[*]}"
echo "median: ${sorted[$((runs / 2))]} ms"

if [ ! -s target/bench/pile-10000.pem ]; then
  mkdir -p target/bench
  cargo build --release --quiet --example generate_pile
  "${CARGO_TARGET_DIR:-target}/release/examples/generate_pile" 10000 target/bench/pile-10000.pem
fi
# With 10,000 certificates the load runs on a worker; give it time, then read the peak memory.
CHAINSMITH_TIMING=1 "$bin" gui target/bench/pile-10000.pem --host sbc.example.com 2>/dev/null &
pid=$!
sleep 8
echo "window with 10,000 certificates loaded: peak RSS $(awk '/VmHWM/ {print $2}' "/proc/$pid/status") KB"
kill "$pid"; wait "$pid" 2>/dev/null || true
