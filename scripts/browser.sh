#!/usr/bin/env bash
# What the browser tests need: Debian's Chromium (apt; never `playwright install`),
# axe-core and jsQR from npm, pinned by tests/e2e/package-lock.json, and @noble/curves with
# esbuild, pinned by js/package-lock.json (to check that the committed vendor/noble.js rebuilds).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
if [ ! -f tests/e2e/node_modules/axe-core/axe.min.js ] || [ ! -f tests/e2e/node_modules/jsqr/dist/jsQR.js ]; then
  (cd tests/e2e && npm ci --no-audit --no-fund --silent)
fi
if [ ! -x js/node_modules/.bin/esbuild ]; then
  (cd js && npm ci --no-audit --no-fund --silent)
fi
