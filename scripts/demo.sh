#!/usr/bin/env bash
# Set up .venv/ and run omov's demo.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --runtime
exec .venv/bin/omov demo "$@"
