#!/usr/bin/env bash
# Set up .venv/ at the repository root from the hashed lock files, so `.venv/bin/omov` is the CLI.
#
#   scripts/setup.sh            everything: the app, its tests' and benchmarks' tools
#                               (requirements-dev.lock; the environment is made to match it)
#   scripts/setup.sh --runtime  the app alone (requirements.lock), as the demo and a server need
#
# Every package is checked against the hashes in its lock (--require-hashes). Idempotent: a
# second run only checks that the environment holds what the lock says.
set -euo pipefail
cd "$(dirname "$0")/.."

python_bin=${OMOV_PYTHON:-python3.11}
command -v "$python_bin" >/dev/null || python_bin=python3
[ -x .venv/bin/python ] || "$python_bin" -m venv .venv
[ -x .venv/bin/uv ] || .venv/bin/python -m pip install --quiet uv==0.13.8
uv=(.venv/bin/uv pip)
python=(--python .venv/bin/python)
if [ "${1:-}" = "--runtime" ]; then
  # Installs what is missing and leaves a developer's tools in place (sync would remove them).
  "${uv[@]}" install --quiet "${python[@]}" --require-hashes -r requirements.lock
else
  "${uv[@]}" sync --quiet "${python[@]}" --require-hashes requirements-dev.lock
fi
"${uv[@]}" install --quiet "${python[@]}" --no-deps --editable .
