#!/usr/bin/env bash
# Set up .venv/ at the repository root from the lock file, so `.venv/bin/omov` is the CLI.
# Idempotent: a second run only checks that the environment matches requirements.lock.
set -euo pipefail
cd "$(dirname "$0")/.."

python_bin=${OMOV_PYTHON:-python3.11}
command -v "$python_bin" >/dev/null || python_bin=python3
[ -x .venv/bin/python ] || "$python_bin" -m venv .venv
[ -x .venv/bin/uv ] || .venv/bin/python -m pip install --quiet uv==0.13.8
.venv/bin/uv pip sync --quiet --python .venv/bin/python requirements.lock
.venv/bin/uv pip install --quiet --python .venv/bin/python --no-deps --editable .
