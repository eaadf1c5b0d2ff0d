#!/usr/bin/env bash
# What the browser tests need: Debian's Chromium (apt; never `playwright install`) and
# axe-core from npm, pinned by tests/e2e/package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
if [ ! -f tests/e2e/node_modules/axe-core/axe.min.js ]; then
  (cd tests/e2e && npm ci --no-audit --no-fund --silent)
fi
