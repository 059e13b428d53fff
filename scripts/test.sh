#!/usr/bin/env bash
# README command 2: the whole test suite against real TimescaleDB, Redis and BullMQ.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
# shellcheck source=lib/node.sh
source scripts/lib/node.sh
eval "$(scripts/services.sh up)"
# The fault-tolerance test runs a private redis-server (packages/test-support/src/private-services.ts),
# even when REDIS_URL points elsewhere.
command -v redis-server >/dev/null ||
  { apt-get install -y -q redis-server || { apt-get update -q && apt-get install -y -q redis-server; }; } >&2
# shellcheck source=lib/deps.sh
source scripts/lib/deps.sh
node apps/web/scripts/graphql-types.ts --check # generated GraphQL types (web app, SDK) in step with the schema and operations, before anything type-checks them
# shellcheck source=lib/web.sh
source scripts/lib/web.sh
# Chromium's install (network) and the web build run while tsc and jscpd check the code.
{ sg_ensure_chromium && sg_build_web; } &
web=$!
tsc -p tsconfig.json
# Copy-paste check (.jscpd.json; tests and their set-up are left out): repeated logic fails the run.
jscpd --config .jscpd.json --no-tips
wait "$web"
echo "spendgraph: set-up took ${SECONDS} s; the tests start" >&2
exec vitest run "$@"
