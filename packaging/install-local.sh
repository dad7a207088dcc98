#!/usr/bin/env sh
# Installs Chainsmith from this folder for the current user: the binary in ~/.local/bin, the menu
# entry, the icon and the file associations (.pem .crt .cer .der .p7b) in ~/.local/share.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
data="${XDG_DATA_HOME:-$HOME/.local/share}"
mkdir -p "$HOME/.local/bin" "$data/applications" "$data/icons/hicolor/256x256/apps" \
         "$data/icons/hicolor/scalable/apps" "$data/man/man1"
install -m 755 "$here/chainsmith" "$HOME/.local/bin/chainsmith"
sed "s|^Exec=chainsmith|Exec=$HOME/.local/bin/chainsmith|" "$here/chainsmith.desktop" \
  > "$data/applications/chainsmith.desktop"
install -m 644 "$here/chainsmith.png" "$data/icons/hicolor/256x256/apps/chainsmith.png"
install -m 644 "$here/chainsmith.svg" "$data/icons/hicolor/scalable/apps/chainsmith.svg"
install -m 644 "$here/chainsmith.1.gz" "$data/man/man1/chainsmith.1.gz"
command -v update-desktop-database >/dev/null && update-desktop-database "$data/applications" || true
echo "Installed. Completions are in $here/completions (bash, zsh, fish)."
