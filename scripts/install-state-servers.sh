#!/usr/bin/env bash
# The real shared stores the tests run against (test/run.ts starts them once per run):
# Debian's PostgreSQL server binaries, and the moto Secrets Manager emulator pinned in a git-ignored cache.
set -euo pipefail
cd "$(dirname "$0")/.."
MOTO_VERSION=5.2.5
MOTO_DIR=.cache/moto

if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "postgresql present: $(ls -d /usr/lib/postgresql/*/bin | tail -1)"
else
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
  echo "postgresql installed: $(ls -d /usr/lib/postgresql/*/bin | tail -1)"
fi

if [ -x "$MOTO_DIR/bin/moto_server" ] && "$MOTO_DIR/bin/python" -c "import moto, sys; sys.exit(moto.__version__ != '$MOTO_VERSION')"; then
  echo "moto $MOTO_VERSION present in $MOTO_DIR"
else
  rm -rf "$MOTO_DIR"
  python3 -m venv "$MOTO_DIR"
  "$MOTO_DIR/bin/pip" install -q "moto[server]==$MOTO_VERSION"
  echo "moto $MOTO_VERSION installed in $MOTO_DIR"
fi
