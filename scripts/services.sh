#!/usr/bin/env bash
# Local services for Spendgraph: PostgreSQL 17 + TimescaleDB and Redis, without Docker.
#
#   scripts/services.sh up       start (or reuse) both, then print the env lines
#   scripts/services.sh down     stop what this script started (data is kept)
#   scripts/services.sh status   state of both; exit 0 when both answer
#   scripts/services.sh env      print `export DATABASE_URL=...` / `export REDIS_URL=...`
#   scripts/services.sh psql ... the root's psql as spendgraph on the local server
#   scripts/services.sh pack-root FILE.tar.zst   cache tarball of the root (no data)
#
# When DATABASE_URL / REDIS_URL are already set, the matching service is not started:
# `up` only checks that it answers.
#
# PostgreSQL 17 + TimescaleDB run from a Debian trixie root made by debootstrap in
# $SPENDGRAPH_DATA_DIR/timescaledb/root (docs/decisions/0009-timescaledb-in-a-trixie-root.md); the
# data directory lives inside that root, so it survives down/up.
#
# Environment:
#   SPENDGRAPH_DATA_DIR    default <repo>/.data
#   SPENDGRAPH_PG_PORT     default 55432
#   SPENDGRAPH_REDIS_PORT  default 6379
#   SPENDGRAPH_TSDB_CACHE  optional zstd tarball of a finished root (see `pack-root`),
#                          extracted instead of running debootstrap when the root is missing
#
# Progress goes to stderr (prefixed "services:"); only env lines go to stdout.
# The pieces live in scripts/lib/services/: common.sh (messages, lock, reachability),
# trixie-root.sh, postgres.sh, redis.sh.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA_DIR="${SPENDGRAPH_DATA_DIR:-$REPO_ROOT/.data}"
PG_PORT="${SPENDGRAPH_PG_PORT:-55432}"
REDIS_PORT="${SPENDGRAPH_REDIS_PORT:-6379}"

TSDB_DIR="$DATA_DIR/timescaledb"
CHROOT_DIR="$TSDB_DIR/root"
# Written only after the root is fully built; a root without it is removed and rebuilt.
ROOT_MARKER_REL="etc/spendgraph-root-complete"
PG_BIN=/usr/lib/postgresql/17/bin
PGDATA_IN=/var/lib/spendgraph/pg17           # paths inside the root
PG_LOG_IN=/var/lib/spendgraph/postgresql.log
PG_SOCK_IN=/var/run/postgresql
REDIS_DIR="$DATA_DIR/redis"
REDIS_PIDFILE="$REDIS_DIR/redis.pid"
REDIS_LOGFILE="$REDIS_DIR/redis.log"

LOCAL_DATABASE_URL="postgres://spendgraph:spendgraph@127.0.0.1:${PG_PORT}/spendgraph"
LOCAL_REDIS_URL="redis://127.0.0.1:${REDIS_PORT}"

# Remembered before anything could touch them: "preset" means the caller provides it.
PRESET_DATABASE_URL="${DATABASE_URL:-}"
PRESET_REDIS_URL="${REDIS_URL:-}"

export DEBIAN_FRONTEND=noninteractive

LIB="$REPO_ROOT/scripts/lib/services"
# shellcheck source=lib/services/common.sh
source "$LIB/common.sh"
# shellcheck source=lib/services/trixie-root.sh
source "$LIB/trixie-root.sh"
# shellcheck source=lib/services/postgres.sh
source "$LIB/postgres.sh"
# shellcheck source=lib/services/redis.sh
source "$LIB/redis.sh"

database_url() { printf '%s' "${PRESET_DATABASE_URL:-$LOCAL_DATABASE_URL}"; }
redis_url() { printf '%s' "${PRESET_REDIS_URL:-$LOCAL_REDIS_URL}"; }

print_env() {
  printf 'export DATABASE_URL=%q\n' "$(database_url)"
  printf 'export REDIS_URL=%q\n' "$(redis_url)"
}

# status of a preset DATABASE_URL (checked, never managed); 0 when it answers or cannot be checked further
preset_pg_check() {
  local rc=0
  pg_check_url "$PRESET_DATABASE_URL" || rc=$?
  case "$rc" in
    0) echo "postgres: up (DATABASE_URL from the environment)" ;;
    2) echo "postgres: port open, not checked further (no psql) (DATABASE_URL from the environment)" ;;
    *) echo "postgres: DOWN (DATABASE_URL from the environment)"; return 1 ;;
  esac
}

cmd_up() {
  take_lock
  if [ -n "$PRESET_DATABASE_URL" ]; then
    local rc=0
    pg_check_url "$PRESET_DATABASE_URL" || rc=$?
    case "$rc" in
      0) log "DATABASE_URL is set and answers SELECT 1; not starting PostgreSQL" ;;
      2) log "DATABASE_URL is set and its port is open (no psql here to check further); not starting PostgreSQL" ;;
      *) die "DATABASE_URL is set but does not answer" ;;
    esac
  else
    pg_up
  fi
  if [ -n "$PRESET_REDIS_URL" ]; then
    redis_ping_url "$PRESET_REDIS_URL" || die "REDIS_URL is set but does not answer"
    log "REDIS_URL is set and answers; not starting Redis"
  else
    redis_up
  fi
  print_env
}

cmd_down() {
  take_lock
  if [ -n "$PRESET_DATABASE_URL" ]; then
    log "DATABASE_URL is set; PostgreSQL is not managed here"
  else
    pg_down
  fi
  if [ -n "$PRESET_REDIS_URL" ]; then
    log "REDIS_URL is set; Redis is not managed here"
  else
    redis_down
  fi
}

cmd_status() {
  local ok=0
  if [ -n "$PRESET_DATABASE_URL" ]; then
    preset_pg_check || ok=1
  else
    pg_status || ok=1
  fi
  if [ -n "$PRESET_REDIS_URL" ]; then
    if redis_ping_url "$PRESET_REDIS_URL"; then echo "redis: up (REDIS_URL from the environment)"
    else echo "redis: DOWN (REDIS_URL from the environment)"; ok=1; fi
  else
    redis_status || ok=1
  fi
  return "$ok"
}

cmd_psql() {
  if root_complete && [ -z "$PRESET_DATABASE_URL" ]; then
    pg_psql_in_root "$@"
  fi
  have psql || die "no local root and no psql on the host"
  exec psql "$(database_url)" "$@"
}

usage() { # the comment block at the top of this file
  awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "${BASH_SOURCE[0]}" >&2
}

main() {
  local cmd="${1:-}"
  [ $# -gt 0 ] && shift
  case "$cmd" in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    env) print_env ;;
    psql) cmd_psql "$@" ;;
    pack-root) pack_root "$@" ;;
    -h|--help|help) usage ;;
    *) usage; exit 2 ;;
  esac
}

main "$@"
