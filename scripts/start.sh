#!/usr/bin/env bash
# npm start: install what is missing, build, migrate and serve (SQLite + ./data unless configured otherwise).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
echo "picora: building the dashboard…"
npm run --silent build:web
echo "picora: building…"
npx tsc -p tsconfig.build.json
exec node dist/main.js serve
