#!/usr/bin/env bash
# npm test: install what is missing, then lint, typecheck and run every test (Node's test runner).
# PostgreSQL and S3 suites run when those services answer (.ci/run starts them); otherwise they are
# skipped with a printed reason — except in CI (CI=true), where a missing service fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
echo "== dashboard build (web/)"
npm run --silent build:web
echo "== lint"
npx eslint .
echo "== typecheck"
npx tsc -p tsconfig.json --noEmit
echo "== tests"
node scripts/run-tests.mjs "$@"
