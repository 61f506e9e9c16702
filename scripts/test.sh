#!/usr/bin/env bash
# The whole test suite: lint, types, layers, unit, property, packaging and integration tests
# (SQLite and PostgreSQL).
# Creates or updates the virtual environment at $VENV (default .venv) from the repo's own files.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3}

if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet --config-settings editable_mode=strict -e '.[test,plot]'

bash scripts/ensure-postgres.sh
bash scripts/ensure-chromium.sh

echo "== ruff"
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .
echo "== mypy"
"$VENV/bin/mypy" -p gal_friday.domain -p gal_friday.persistence -p gal_friday.importers -p gal_friday.services -p gal_friday.cli
echo "== import-linter (the layers in pyproject.toml's [tool.importlinter])"
"$VENV/bin/lint-imports"
echo "== pytest"
"$VENV/bin/pytest" "$@"
