#!/usr/bin/env bash
# Set up .venv/ and run the whole test suite: lint, types, import contracts, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/services.sh
scripts/browser.sh

echo "== ruff";          .venv/bin/ruff check src tests bench
                         .venv/bin/ruff format --check src tests bench
echo "== mypy";          .venv/bin/mypy
echo "== import-linter"; .venv/bin/lint-imports
# The whole suite on PostgreSQL, then the web tests again on SQLite (same code, both databases).
echo "== pytest (PostgreSQL)"
DATABASE_URL="${OMOV_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/omov}" \
  .venv/bin/pytest -n 2 "$@"
echo "== pytest (SQLite: web, no browser)"
env -u DATABASE_URL .venv/bin/pytest -n 2 -q -m "not browser and not postgres" tests/web
