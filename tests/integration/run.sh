#!/usr/bin/env bash
# Runs the Airlock integration suite from the repo root.
#   tests/integration/run.sh                 against the gateway binary (AIRLOCK_BIN or build/{release,debug})
#   AIRLOCK_DIRECT=1 tests/integration/run.sh  against PostgreSQL directly (validates the tests themselves)
# Extra arguments go to pytest (e.g. -k psql, -x, -v).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# Debian's psycopg/pytest belong to the system interpreter, not to a pyenv python on PATH.
exec /usr/bin/python3 -m pytest -q tests/integration "$@"
