#!/usr/bin/env bash
# Builds the release binary, then the Debian package (cargo-deb) and the portable .tar.gz, into
# target/dist/. Needs cargo-deb (cargo install cargo-deb --locked).
set -euo pipefail
cd "$(dirname "$0")/.."
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n1)"
arch="$(uname -m)"
dist=target/dist
gen=target/generated
mkdir -p "$dist" "$gen"

cargo build --release --locked
bin="${CARGO_TARGET_DIR:-target}/release/chainsmith"

# Shell completions and the man page, from the clap definitions.
"$bin" completions bash > "$gen/chainsmith.bash"
"$bin" completions zsh > "$gen/_chainsmith"
"$bin" completions fish > "$gen/chainsmith.fish"
"$bin" manpage | gzip -9n > "$gen/chainsmith.1.gz"

cargo deb --no-build --locked --output "$dist/"

# The portable archive: run ./chainsmith from anywhere; install.sh puts the desktop pieces in ~/.local.
name="chainsmith-$version-$arch-linux"
stage="$dist/$name"
rm -rf "$stage"
mkdir -p "$stage/completions"
cp "$bin" README.md LICENSE-MIT LICENSE-APACHE packaging/chainsmith.desktop "$stage/"
cp assets/icons/chainsmith-256.png "$stage/chainsmith.png"
cp assets/icon.svg "$stage/chainsmith.svg"
cp "$gen/chainsmith.1.gz" "$stage/"
cp "$gen/chainsmith.bash" "$gen/_chainsmith" "$gen/chainsmith.fish" "$stage/completions/"
cp packaging/install-local.sh "$stage/install.sh"
tar -C "$dist" -czf "$dist/$name.tar.gz" --owner=0 --group=0 "$name"
rm -rf "$stage"
ls -l "$dist"/*.deb "$dist/$name.tar.gz"
