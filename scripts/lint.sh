#!/usr/bin/env bash
# The code style, as CI checks it: prettier (formatting), eslint with typescript-eslint, and no line
# over 120 characters in src/ and commands/. Fails on any; `scripts/lint.sh --fix` rewrites what the tools can fix.
# Both live in tools/lint/ with their own lock file: the project compiles with TypeScript 7
# (native, no JS API) and typescript-eslint needs a TypeScript with one.
set -euo pipefail
cd "$(dirname "$0")/.."
tools=tools/lint/node_modules/.bin
if [ ! -x "$tools/eslint" ] || [ tools/lint/package-lock.json -nt tools/lint/node_modules/.package-lock.json ]; then
  npm ci --prefix tools/lint --no-audit --no-fund --loglevel=error
fi
if [ "${1:-}" = --fix ]; then
  "$tools/prettier" --write --log-level warn .
  "$tools/eslint" -c tools/lint/eslint.config.js --fix .
else
  "$tools/prettier" --check --log-level warn .
  "$tools/eslint" -c tools/lint/eslint.config.js --max-warnings 0 .
fi
# prettier breaks code but not strings, templates or comments: no line in src/ or commands/ over 120 characters.
node tools/lint/max-len.mjs
