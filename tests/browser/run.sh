#!/bin/sh
# Runs the officer UI's browser test: Debian's chromium driven by playwright-core (from npm; `npx
# playwright install` is not used: the browser is the distribution's).
#   tests/browser/run.sh MUGAIKA_BINARY WORK_DIR
# WORK_DIR receives node_modules (installed once) and the screenshots (WORK_DIR/artifacts).
# Exit 77 (skipped) when chromium, node, npm or playwright-core is not available.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
binary=$1
work=$2
for tool in node npm openssl; do
  command -v "$tool" >/dev/null 2>&1 || { echo "SKIPPED browser test: $tool not installed"; exit 77; }
done
[ -x /usr/bin/chromium ] || { echo "SKIPPED browser test: /usr/bin/chromium not installed (apt-get install chromium)"; exit 77; }
mkdir -p "$work"
if [ ! -d "$work/node_modules/playwright-core" ]; then
  cp "$here/package.json" "$work/package.json"
  (cd "$work" && npm install --no-audit --no-fund >npm-install.log 2>&1) ||
    { echo "SKIPPED browser test: npm install playwright-core failed (see $work/npm-install.log)"; exit 77; }
fi
mkdir -p "$work/artifacts"
NODE_PATH="$work/node_modules" MUGAIKA_BINARY="$binary" ARTIFACT_DIR="$work/artifacts" \
  exec node "$here/officer_ui.test.cjs"
