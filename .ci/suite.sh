#!/usr/bin/env bash
# The whole suite, as `make test` runs it (after ruff): on SQLite in .venv.
set -euo pipefail
cd "$(dirname "$0")/.."
WORKERS="${WORKERS:-auto}"
.venv/bin/pytest -n "$WORKERS" --dist worksteal
