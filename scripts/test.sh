#!/usr/bin/env bash
# The whole test suite on a fresh Debian 12 machine (as root): Node 22,
# dependencies, build, the test bed (dockerd, sshd, nginx, fixture images),
# then unit and e2e tests against the real built binary.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install.sh
# shellcheck source=scripts/node22.sh
source scripts/node22.sh
# Style first: prettier and eslint (fast, and CI fails on either).
scripts/lint.sh
test/bed/setup.sh
if [ "$#" -gt 0 ]; then
  exec npx vitest run "$@"
fi
# Unit tests first (fast, no bed), then e2e against the bed, one file at a time.
npx vitest run --project unit
npx vitest run --project e2e
