#!/usr/bin/env bash
# README command 1: services, migrations, the API and the worker, and a demo
# workspace seeded through the real ingest path (`--empty`: no demo workspace, for
# your own team). Ctrl-C stops the apps (the services keep running:
# scripts/services.sh down stops them).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
# shellcheck source=lib/node.sh
source scripts/lib/node.sh
eval "$(scripts/services.sh up)"
# shellcheck source=lib/deps.sh
source scripts/lib/deps.sh

export API_PORT="${API_PORT:-4000}"
export API_URL="http://127.0.0.1:$API_PORT"
export WEB_PORT="${WEB_PORT:-3000}" SPENDGRAPH_API_URL="$API_URL"
logs="$root/.data/logs"
mkdir -p "$logs"
# No default secret: a random operator token (for /metrics) unless one is given.
export OPERATOR_TOKEN="${OPERATOR_TOKEN:-$(node -e "process.stdout.write(require('node:crypto').randomBytes(32).toString('hex'))")}"
# shellcheck source=lib/web.sh
source scripts/lib/web.sh
sg_build_web

node packages/db/src/migrate-cli.ts
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait' EXIT INT TERM
# V8 sizes its young generation from the machine's memory (up to ~200 MB here); 16 MB semi-spaces
# keep the apps' RSS near their live data at no measurable cost in throughput (bench:ingest).
# NODE_ENV=production: no stack traces or debug detail in any answer.
NODE_ENV=production node --max-semi-space-size=16 apps/worker/src/main.ts >"$logs/worker.log" 2>&1 & pids+=($!)
NODE_ENV=production node --max-semi-space-size=16 apps/api/src/main.ts >"$logs/api.log" 2>&1 & pids+=($!)
(cd apps/web && NEXT_TELEMETRY_DISABLED=1 exec next start -p "$WEB_PORT" -H 127.0.0.1) >"$logs/web.log" 2>&1 & pids+=($!)
for _ in $(seq 1 100); do curl -sf "$API_URL/ready" >/dev/null && break; sleep 0.2; done
curl -sf "$API_URL/ready" >/dev/null || { echo "the API did not become ready; see $logs/api.log" >&2; exit 1; }

if [[ "${1:-}" == "--empty" ]]; then
  cat <<MSG

Spendgraph is running, with no demo data.
  Web app:  http://127.0.0.1:$WEB_PORT   (while nobody owns the install, it opens the first-run page:
            your organization, your workspace and you as its owner; then Settings and Send data)
  API:      $API_URL
  Logs:     $logs/{api,worker,web}.log

Press Ctrl-C to stop the API, the worker and the web app.
MSG
  wait
  exit
fi

# The seed prints the demo key, then the demo owner's e-mail and password, one a line.
seeded="$(node packages/demo/src/seed-cli.ts)"
key="$(sed -n 1p <<<"$seeded")"
demo_email="$(sed -n 2p <<<"$seeded")"
demo_password="$(sed -n 3p <<<"$seeded")"
cat <<MSG

Spendgraph is running.
  Web app:      http://127.0.0.1:$WEB_PORT   (sign in with the demo sign-in below)
  API:          $API_URL   (POST /v1/events, GET /ready)
  Demo API key: $key
  Demo sign-in: $demo_email / $demo_password   (owner of the demo workspace; a new password each run)
               curl -s -X POST $API_URL/v1/sessions -H 'content-type: application/json' \\
                 -d '{"email":"$demo_email","password":"$demo_password"}'
  Metrics:      curl -H "authorization: Bearer \$OPERATOR_TOKEN" $API_URL/metrics   (OPERATOR_TOKEN=$OPERATOR_TOKEN)
  Logs:         $logs/{api,worker,web}.log

Try:  curl -s -X POST $API_URL/v1/events -H "authorization: Bearer $key" \\
        -H 'content-type: application/json' \\
        -d '[{"occurred_at":"$(date -u +%FT%TZ)","provider":"anthropic","model":"claude-sonnet-4-5","usage":{"input_tokens":1200,"output_tokens":300},"user_id":"me"}]'

      curl -s "$API_URL/v1/guard/check?agent=coder&model=o3" -H "authorization: Bearer $key"
      curl -s -X POST $API_URL/graphql -H "authorization: Bearer $key" -H 'content-type: application/json' \\
        -d '{"query":"{ budgets { name state spend amount percentUsed projectedSpend blocking } }"}'

Press Ctrl-C to stop the API, the worker and the web app.
MSG
wait
