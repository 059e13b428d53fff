#!/usr/bin/env bash
# Runs a command with Node >= 22.12 on PATH and, when DATABASE_URL/REDIS_URL
# are not set, the local services' URLs (scripts/services.sh env).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=lib/node.sh
source "$root/scripts/lib/node.sh"
export PATH="$root/node_modules/.bin:$PATH"
if [ -z "${DATABASE_URL:-}" ] || [ -z "${REDIS_URL:-}" ]; then
  eval "$("$root/scripts/services.sh" env)"
fi
exec "$@"
