#!/usr/bin/env bash
# Set up .venv/ and run the whole test suite: lint, types, import contracts, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/services.sh

echo "== ruff";          .venv/bin/ruff check src tests bench && .venv/bin/ruff format --check -q src tests bench
echo "== mypy";          .venv/bin/mypy
echo "== import-linter"; .venv/bin/lint-imports
echo "== pytest";        .venv/bin/pytest -n 2 "$@"
