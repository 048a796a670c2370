#!/usr/bin/env bash
# Fresh machine → a built `aims`: Node 22 if needed, dependencies, build.
# Then run it with ./bin/aims (or link it: npm link).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/node22.sh
source scripts/node22.sh
npm ci --no-audit --no-fund --loglevel=error
npm run build --silent
echo "[aims] built with Node $(node --version): run ./bin/aims quickstart (or ./bin/aims --help)" >&2
