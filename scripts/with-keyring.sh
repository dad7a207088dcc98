#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring (Secret Service),
# e.g.  scripts/with-keyring.sh cargo test --test keychain -- --ignored
set -euo pipefail
if [ -z "${CHAINSMITH_IN_KEYRING_SESSION:-}" ]; then
  exec env CHAINSMITH_IN_KEYRING_SESSION=1 dbus-run-session -- "$0" "$@"
fi
# A throwaway keyring in a throwaway home, unlocked with a throwaway password.
export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}" CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
export HOME="$(mktemp -d)" XDG_DATA_HOME="" XDG_RUNTIME_DIR="$(mktemp -d)"
eval "$(printf 'ci-keyring' | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
"$@"
