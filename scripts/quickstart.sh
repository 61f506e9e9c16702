#!/usr/bin/env bash
# The main job on a fresh machine: set up .venv, create the embedded SQLite database
# (galfriday.db in the current directory), import the bundled Kraken sample history,
# rebuild round-trip trades and print the PnL report.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
VENV=${VENV:-"$repo/.venv"}
PYTHON=${PYTHON:-python3}

if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
# The same strict editable install as scripts/test.sh (docs/architecture.md): one mode per .venv.
"$VENV/bin/python" -m pip install --quiet --config-settings editable_mode=strict -e "$repo"

gf="$VENV/bin/gal-friday"
"$gf" db upgrade
"$gf" import "$repo/importers/samples/kraken-trades-sample.csv" --format kraken-trades
"$gf" report
