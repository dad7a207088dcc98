#!/usr/bin/env bash
# Time from start to the first painted frame of the real window under Xvfb (Mesa llvmpipe), N runs
# each: empty and with the three-file sample folder, with OpenGL (Linux's first renderer) and with wgpu; the idle
# memory after each; the same for eframe's smallest window (examples/floor_window.rs), the floor any
# eframe window has here; then the window's peak memory with a 10,000-certificate pile loaded.
#   scripts/first-frame.sh [RUNS]
# Needs: xvfb (Xvfb), Mesa (libegl1 libegl-mesa0 libgl1-mesa-dri); a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-10}"
cargo build --release --quiet --bin chainsmith --example floor_window
bin="$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/release/chainsmith"
floor="$(dirname "$bin")/examples/floor_window"
display=":$((90 + RANDOM % 9))"
Xvfb "$display" -screen 0 1280x820x24 >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true' EXIT
sleep 1
export DISPLAY="$display" XDG_CONFIG_HOME="$(mktemp -d)" XDG_DATA_HOME="$(mktemp -d)"

# Starts the window (the command given; Chainsmith's by default), waits for the first painted frame, then 2 s idle; prints "MS RSS_KB ANON_KB":
# the first frame's time, the resident memory, and the part of it that is the program's own (anonymous)
# rather than mapped files (the binary, and under Xvfb Mesa's llvmpipe with its 57 MB libLLVM).
first_frame() {
  local log; log="$(mktemp)"
  if [ "${1:-}" = "$floor" ]; then
    "$@" 2>"$log" &
  else
    CHAINSMITH_TIMING=1 "$bin" gui "$@" 2>"$log" &
  fi
  local pid=$!
  for _ in $(seq 1 200); do
    grep -q "first frame painted" "$log" && break
    sleep 0.05
  done
  sleep 2
  local rss anon
  rss="$(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)"
  anon="$(awk '/RssAnon/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)"
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  echo "$(grep -o 'painted [0-9]* ms' "$log" | grep -o '[0-9]*' | head -n1) $rss $anon"
  rm -f "$log"
}

# N runs of one case: the median first frame and the median memory.
measure() {
  local what="$1"; shift
  local times=() rss=() anon=()
  for _ in $(seq 1 "$runs"); do
    read -r t r a < <(first_frame "$@")
    times+=("$t"); rss+=("$r"); anon+=("$a")
  done
  median() { printf '%s\n' "$@" | sort -n | sed -n "$((($# + 1) / 2))p"; }
  echo "$what: first frame median $(median "${times[@]}") ms (${times[*]}); idle RSS median $(( $(median "${rss[@]}") / 1024 )) MB, of it the program's own $(( $(median "${anon[@]}") / 1024 )) MB"
}

echo "binary: $(( $(stat -c %s "$bin") / 1024 / 1024 )) MB ($bin)"
# Linux's first renderer is OpenGL (glow); wgpu is Windows' first, asked for here side by side.
measure "empty, OpenGL (Linux's first renderer)"
measure "three-file folder (assets/sample), OpenGL" assets/sample --host sbc1.sample.chainsmith.example
CHAINSMITH_RENDERER=wgpu measure "empty, wgpu"
CHAINSMITH_RENDERER=wgpu measure "three-file folder, wgpu" assets/sample --host sbc1.sample.chainsmith.example
# The floor: eframe's smallest window, same eframe features, OpenGL.
measure "eframe's smallest window (examples/floor_window.rs), OpenGL" "$floor"

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
