#!/usr/bin/env bash
# The Python tools the tests call, each pinned in its own git-ignored virtual environment under .cache:
# - Schemathesis fuzzes the HTTP API from its own OpenAPI document (test/api/schemathesis.test.ts);
# - Cybrid's published generated IdP client (PyPI cybrid-api-id-python), one per contract the sandbox speaks
#   (test/sandbox/python-client.test.ts).
# Idempotent: a venv that already holds the pinned version is kept.
set -euo pipefail
cd "$(dirname "$0")/.."

# venv_with <directory> <package> <version>
venv_with() {
  local dir=".cache/$1" package=$2 version=$3
  if [ -x "$dir/bin/python" ] && "$dir/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('$package') != '$version')" 2>/dev/null; then
    echo "$package $version present in $dir"
  else
    rm -rf "$dir"
    python3 -m venv "$dir"
    "$dir/bin/pip" install -q "$package==$version"
    echo "$package $version installed in $dir"
  fi
}

venv_with python-tools schemathesis 4.32.5
for version in 0.129.1425 0.129.899; do
  venv_with "cybrid-api-id-python-$version" cybrid-api-id-python "$version"
done
