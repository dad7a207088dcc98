#!/usr/bin/env bash
# Installs Genesys Cloud's official Python SDK (PyPI PureCloudPlatformClientV2, pinned) into a virtual
# environment for tests/genesys_sdk.rs: target/genesys-sdk, or the folder given. Prints its Python.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${1:-${CARGO_TARGET_DIR:-target}/genesys-sdk}"
version="269.0.0"
if ! "$venv/bin/python" -c "import PureCloudPlatformClientV2" >/dev/null 2>&1; then
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check "PureCloudPlatformClientV2==$version" >&2
fi
cd "$venv" && echo "$(pwd)/bin/python"
