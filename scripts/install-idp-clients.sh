#!/usr/bin/env bash
# Cybrid's own published generated IdP clients (PyPI cybrid-api-id-python), one venv per contract the
# sandbox speaks, pinned, in a git-ignored cache; test/sandbox/python-client.test.ts drives them.
set -euo pipefail
cd "$(dirname "$0")/.."

for VERSION in 0.129.1425 0.129.899; do
  DIR=".cache/cybrid-api-id-python-$VERSION"
  if [ -x "$DIR/bin/python" ] && "$DIR/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('cybrid-api-id-python') != '$VERSION')"; then
    echo "cybrid-api-id-python $VERSION present in $DIR"
  else
    rm -rf "$DIR"
    python3 -m venv "$DIR"
    "$DIR/bin/pip" install -q "cybrid-api-id-python==$VERSION"
    echo "cybrid-api-id-python $VERSION installed in $DIR"
  fi
done
