#!/usr/bin/env bash
# Cross-builds Chainsmith for 64-bit Windows from Linux (x86_64-pc-windows-gnu, release profile) and
# writes to target/dist/:
#   chainsmith-<version>-x86_64-windows.zip  chainsmith.exe and chainsmith.com, README, licences, sample
#   chainsmith-<version>-x86_64.msi          per-user installer (packaging/windows/chainsmith.wxs, wixl)
# chainsmith.exe is the window-subsystem program (icon and version information embedded by build.rs);
# chainsmith.com is the same file with the console subsystem, for terminals (see src/console.rs).
# Installs what it needs when missing: the Rust target's standard library (rustup), mingw-w64 (linker,
# windres, objcopy), wixl and msitools (the MSI), zip. Debian/Ubuntu.
set -euo pipefail
cd "$(dirname "$0")/.."
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n1)"
target=x86_64-pc-windows-gnu
dist=target/dist

need=(gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64 wixl msitools zip)
missing=()
for p in "${need[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
rustup target list --installed | grep -qx "$target" || rustup target add "$target"

cargo build --release --locked --target "$target"
exe="${CARGO_TARGET_DIR:-target}/$target/release/chainsmith.exe"

name="chainsmith-$version-x86_64-windows"
stage="$dist/$name"
rm -rf "$stage"
mkdir -p "$stage/sample"
cp "$exe" "$stage/chainsmith.exe"
# The console face: only the PE header's subsystem field (and its checksum) differ.
x86_64-w64-mingw32-objcopy --subsystem console "$stage/chainsmith.exe" "$stage/chainsmith.com"
cp README.md LICENSE-MIT LICENSE-APACHE "$stage/"
cp assets/sample/* "$stage/sample/"

rm -f "$dist/$name.zip"
(cd "$dist" && zip -q -X -r "$name.zip" "$name")

# The MSI lists the sample's files one by one: fail here, not at install time, if they changed.
for f in assets/sample/*; do
  grep -q "Source=\"\$(var.Root)/$f\"" packaging/windows/chainsmith.wxs \
    || { echo "packaging/windows/chainsmith.wxs does not install $f" >&2; exit 1; }
done
msi="$dist/chainsmith-$version-x86_64.msi"
wixl -a x64 -D Version="$version" -D Bin="$stage" -D Root=. packaging/windows/chainsmith.wxs -o "$msi"
tables="$(msiinfo tables "$msi")"
for t in Shortcut Registry File Icon; do
  grep -qx "$t" <<<"$tables" || { echo "$msi has no $t table" >&2; exit 1; }
done
rm -rf "$stage"
ls -l "$dist/$name.zip" "$msi"
