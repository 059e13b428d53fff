# Sourced by test.sh, demo.sh and bench:web: Debian's Chromium for the browser tests
# (never a browser download) and a production build of apps/web when its sources
# are newer than the last build. The web app's GraphQL types are generated from the
# API's schema first (rewritten only when the schema changed, which then rebuilds).
# shellcheck shell=bash

sg_ensure_chromium() {
  [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] && return 0
  echo "spendgraph: installing Debian's chromium for the browser tests" >&2
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium >&2
}

sg_build_web() {
  local web="$PWD/apps/web" stamp="$PWD/apps/web/.next/BUILD_ID"
  node "$web/scripts/graphql-types.ts"
  if [ -f "$stamp" ] && [ -z "$(find "$web" "$PWD/package-lock.json" -path "$web/.next" -prune -o -path "$web/test" -prune -o -newer "$stamp" -type f -print -quit)" ]; then
    return 0
  fi
  echo "spendgraph: building apps/web (next build)" >&2
  (cd "$web" && NEXT_TELEMETRY_DISABLED=1 next build >&2)
}
