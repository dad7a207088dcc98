#!/usr/bin/env bash
# Whole-process timings, Chainsmith against openssl, on the same files in one run (hyperfine):
#   1. a real 3-certificate chain (webpki-tests/netflix): `chainsmith check --host H` against
#      `openssl verify -untrusted -verify_hostname H` (both: parse, build the path, verify the
#      signatures and the host name);
#   2. piles of 1,000 and 10,000 certificates: `chainsmith check` (load, order, check) against
#      `openssl crl2pkcs7 -nocrl | openssl pkcs7 -print_certs` reading the same pile. openssl has no
#      ordering: that is only the cost of reading and printing the pile, a lower bound for any tool;
#   3. a 3-certificate chain beside 10,000 unrelated self-signed CAs, the same way as 2. Only the chain
#      needs a signature check (target: at most 0.1x what openssl needs to read the pile);
#   4. a leaf with 8,000 names under 8,000 name-constraint subtrees: `chainsmith check` against
#      `openssl verify` (target: under 0.5 s).
# Needs: hyperfine and openssl (Debian packages), python3 for the table. Writes target/bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
out=target/bench
mkdir -p "$out"
cargo build --release --quiet
bin="$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/release/chainsmith"
for n in 1000 10000; do
  if [ ! -s "$out/pile-$n.pem" ]; then
    cargo build --release --quiet --example generate_pile
    "${CARGO_TARGET_DIR:-target}/release/examples/generate_pile" "$n" "$out/pile-$n.pem"
  fi
done
if [ ! -s "$out/pile-selfsigned.pem" ]; then
  cargo build --release --quiet --example generate_pile
  "${CARGO_TARGET_DIR:-target}/release/examples/generate_pile" 10003 "$out/pile-selfsigned.pem" self-signed
fi
fx="${CHAINSMITH_FIXTURES:-tests/fixtures/real-world}/webpki-tests/netflix"
at=2017-11-05T00:00:00Z
epoch=$(date -d "$at" +%s)
host=account.netflix.com

hyperfine --warmup 5 --min-runs 30 -N --export-json "$out/vs-openssl-3.json" \
  -n "chainsmith check, 3-certificate chain" \
  "$bin check $fx/ee.pem $fx/inter.pem $fx/ca.pem --roots $fx/ca.pem --host $host --at $at" \
  -n "openssl verify, 3-certificate chain" \
  "openssl verify -attime $epoch -CAfile $fx/ca.pem -untrusted $fx/inter.pem -verify_hostname $host $fx/ee.pem"

for n in 1000 10000; do
  hyperfine --warmup 2 --min-runs 10 --export-json "$out/vs-openssl-$n.json" \
    -n "chainsmith check, $n-certificate pile" \
    "$bin check $out/pile-$n.pem --host sbc.example.com --at 2026-06-01" \
    -n "openssl crl2pkcs7 | pkcs7 -print_certs, $n-certificate pile" \
    "openssl crl2pkcs7 -nocrl -certfile $out/pile-$n.pem | openssl pkcs7 -print_certs -noout"
done

hyperfine --warmup 2 --min-runs 10 --export-json "$out/vs-openssl-selfsigned.json" \
  -n "chainsmith check, chain + 10,000 unrelated self-signed CAs" \
  "$bin check $out/pile-selfsigned.pem --host sbc.example.com --at 2026-06-01" \
  -n "openssl crl2pkcs7 | pkcs7 -print_certs, chain + 10,000 unrelated self-signed CAs" \
  "openssl crl2pkcs7 -nocrl -certfile $out/pile-selfsigned.pem | openssl pkcs7 -print_certs -noout"

# 4. A leaf with 8,000 DNS names under an intermediate with 8,000 excluded subtrees: Chainsmith's name
#    constraint check against `openssl verify` (both refuse the chain: see docs/DEVELOPMENT.md).
if [ ! -s "$out/constrained-8000.pem" ]; then
  cargo build --release --quiet --example generate_pile
  "${CARGO_TARGET_DIR:-target}/release/examples/generate_pile" 8000 "$out/constrained-8000.pem" constrained-sans
fi
awk -v dir="$out" '/BEGIN CERT/{n++} {print > (dir "/constrained-8000-" n ".pem")}' "$out/constrained-8000.pem"
hyperfine -i --warmup 2 --min-runs 10 -N --export-json "$out/vs-openssl-constrained.json" \
  -n "chainsmith check, 8,000 names under 8,000 name constraints" \
  "$bin check $out/constrained-8000.pem --host sbc.example.com --at 2026-06-01" \
  -n "openssl verify, 8,000 names under 8,000 name constraints" \
  "openssl verify -attime $(date -d 2026-06-01 +%s) -CAfile $out/constrained-8000-3.pem -untrusted $out/constrained-8000-2.pem -verify_hostname sbc.example.com $out/constrained-8000-1.pem"

python3 - "$out" <<'PY'
import json, sys, pathlib
out = pathlib.Path(sys.argv[1])
rows = ["| case | chainsmith (median) | openssl (median) | chainsmith / openssl |", "|---|---|---|---|"]
for name, label in [("3", "3-certificate chain, check + host name"), ("1000", "1,000-certificate pile"), ("10000", "10,000-certificate pile"), ("selfsigned", "3-certificate chain + 10,000 unrelated self-signed CAs"), ("constrained", "8,000 names under 8,000 name constraints (both refuse)")]:
    results = json.loads((out / f"vs-openssl-{name}.json").read_text())["results"]
    ours, theirs = results[0]["median"], results[1]["median"]
    rows.append(f"| {label} | {ours*1000:.1f} ms | {theirs*1000:.1f} ms | {ours/theirs:.2f}× |")
table = "\n".join(rows)
(out / "vs-openssl.md").write_text(table + "\n")
print(table)
PY
