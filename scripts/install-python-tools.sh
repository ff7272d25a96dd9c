#!/usr/bin/env bash
# Python tools the tests call, pinned in a git-ignored virtual environment: Schemathesis, which fuzzes the
# HTTP API from its own OpenAPI document (test/api/schemathesis.test.ts). Idempotent: a present venv with the
# pinned version is kept.
set -euo pipefail
cd "$(dirname "$0")/.."
SCHEMATHESIS_VERSION=4.32.5
TOOLS_DIR=.cache/python-tools

if [ -x "$TOOLS_DIR/bin/st" ] && "$TOOLS_DIR/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('schemathesis') != '$SCHEMATHESIS_VERSION')"; then
  echo "schemathesis $SCHEMATHESIS_VERSION present in $TOOLS_DIR"
else
  rm -rf "$TOOLS_DIR"
  python3 -m venv "$TOOLS_DIR"
  "$TOOLS_DIR/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"
  echo "schemathesis $SCHEMATHESIS_VERSION installed in $TOOLS_DIR"
fi
