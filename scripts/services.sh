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
# $SPENDGRAPH_DATA_DIR/timescaledb/root (see shared notes: timescaledb-local.md); the
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

log() { printf 'services: %s\n' "$*" >&2; }
die() { printf 'services: error: %s\n' "$*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

database_url() { printf '%s' "${PRESET_DATABASE_URL:-$LOCAL_DATABASE_URL}"; }
redis_url() { printf '%s' "${PRESET_REDIS_URL:-$LOCAL_REDIS_URL}"; }

print_env() {
  printf 'export DATABASE_URL=%q\n' "$(database_url)"
  printf 'export REDIS_URL=%q\n' "$(redis_url)"
}

# One lock for up/down so parallel callers don't build or start twice.
take_lock() {
  mkdir -p "$DATA_DIR"
  exec 9>"$DATA_DIR/.services.lock"
  if ! flock -n 9; then
    log "waiting for another services.sh to finish..."
    flock -w 900 9 || die "timed out waiting for the lock $DATA_DIR/.services.lock"
  fi
}

# ---------------------------------------------------------------------------------------
# Generic reachability checks (used for preset URLs)

# "scheme://user:pass@host:port/path?x" -> "host port" (default port given)
url_host_port() {
  local url="$1" def_port="$2" rest host port
  rest="${url#*://}"
  rest="${rest%%/*}"
  rest="${rest%%\?*}"
  rest="${rest##*@}"
  if [[ "$rest" == \[*\]* ]]; then        # [ipv6]:port
    host="${rest%%]*}"; host="${host#[}"
    port="${rest#*]}"; port="${port#:}"
  elif [[ "$rest" == *:* ]]; then
    host="${rest%:*}"; port="${rest##*:}"
  else
    host="$rest"; port=""
  fi
  printf '%s %s' "${host:-127.0.0.1}" "${port:-$def_port}"
}

tcp_open() { # host port
  # shellcheck disable=SC2016
  timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
}

redis_ping_hostport() { # host port -> 0 when PONG
  local host="$1" port="$2" out
  if have redis-cli; then
    out="$(timeout 3 redis-cli -h "$host" -p "$port" ping 2>/dev/null || true)"
    [[ "$out" == PONG* ]]
  else
    # shellcheck disable=SC2016
    out="$(timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2" || exit 1; printf "PING\r\n" >&3; IFS= read -r -t 2 line <&3; printf "%s" "$line"' _ "$host" "$port" 2>/dev/null || true)"
    [[ "$out" == +PONG* ]]
  fi
}

redis_ping_url() { # url -> 0 when it answers
  local url="$1" out hp
  if have redis-cli; then
    out="$(timeout 3 redis-cli -u "$url" ping 2>/dev/null || true)"
    [[ "$out" == PONG* ]]
  else
    read -r -a hp <<<"$(url_host_port "$url" 6379)"
    tcp_open "${hp[0]}" "${hp[1]}"
  fi
}

pg_check_url() { # url -> 0 ok, 1 fails, 2 unchecked
  local url="$1" hp
  if have psql; then
    timeout 10 psql "$url" -XqAtc 'SELECT 1' >/dev/null 2>&1 && return 0
    return 1
  fi
  read -r -a hp <<<"$(url_host_port "$url" 5432)"
  tcp_open "${hp[0]}" "${hp[1]}" && return 2
  return 1
}

# ---------------------------------------------------------------------------------------
# The trixie root

root_complete() { [ -f "$CHROOT_DIR/$ROOT_MARKER_REL" ]; }

root_uid_gid() {
  [ -n "${PG_UID:-}" ] && return 0
  PG_UID="$(chroot "$CHROOT_DIR" /usr/bin/id -u postgres)" || die "no postgres user in $CHROOT_DIR"
  PG_GID="$(chroot "$CHROOT_DIR" /usr/bin/id -g postgres)" || die "no postgres group in $CHROOT_DIR"
}

# Runs a command inside the root with a clean environment: in_root USER cmd args...
# USER is "root" or "postgres".
in_root() {
  local who="$1"; shift
  local -a spec=()
  local home=/root
  if [ "$who" = postgres ]; then
    root_uid_gid
    spec=(--userspec="$PG_UID:$PG_GID")
    home=/var/lib/postgresql
  fi
  chroot "${spec[@]}" "$CHROOT_DIR" /usr/bin/env -i \
    PATH="$PG_BIN:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    HOME="$home" LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC TERM="${TERM:-dumb}" \
    DEBIAN_FRONTEND=noninteractive PGHOST="$PG_SOCK_IN" PGPORT="$PG_PORT" \
    "$@" 9>&- # the lock fd must not leak into the daemons
}

# First .../debian URL in the machine's apt sources (one-line and deb822 formats).
find_debian_mirror() {
  local - f line tok
  local -a files=()
  [ -f /etc/apt/sources.list ] && files+=(/etc/apt/sources.list)
  for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && files+=("$f")
  done
  set -f # no globbing of the words split below
  for f in "${files[@]}"; do
    while IFS= read -r line || [ -n "$line" ]; do
      line="${line%%#*}"
      case "$line" in
        deb\ *|deb$'\t'*|URIs:*|uris:*) ;;
        *) continue ;;
      esac
      for tok in $line; do
        case "$tok" in
          http://*|https://*|file:/*) ;;
          *) continue ;;
        esac
        tok="${tok%/}"
        if [[ "$tok" == */debian ]]; then
          printf '%s' "$tok"
          return 0
        fi
      done
    done <"$f"
  done
  return 1
}

# Unmount anything left mounted below the root (an interrupted debootstrap mounts proc/sys).
unmount_below_root() { # dir
  local real mp
  real="$(readlink -f "$1")"
  # deepest first
  awk -v r="$real" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/mounts | sort -r |
    while IFS= read -r mp; do
      log "unmounting leftover $mp"
      umount "$mp" 2>/dev/null || umount -l "$mp" || true
    done
}

remove_half_built_root() {
  local dir="$1"
  [ -e "$dir" ] || return 0
  log "removing half-built root $dir"
  unmount_below_root "$dir"
  if awk -v r="$(readlink -f "$dir")" 'index($2, r "/") == 1 || $2 == r { found=1 } END { exit !found }' /proc/mounts; then
    die "something is still mounted below $dir; unmount it and retry"
  fi
  rm -rf --one-file-system "$dir"
}

ensure_debootstrap() {
  have debootstrap && return 0
  log "installing debootstrap on the host (apt-get)"
  if ! apt-get install -y -q debootstrap >&2; then
    log "apt-get install failed; running apt-get update first"
    apt-get update -q >&2 || die "apt-get update failed"
    apt-get install -y -q debootstrap >&2 || die "could not install debootstrap"
  fi
  have debootstrap || die "debootstrap is still missing after apt-get install"
}

extract_cache() { # tarball -> 0 when the root came from it
  local tarball="$1" tmp="$TSDB_DIR/root.cache-partial"
  log "extracting root from cache $tarball"
  remove_half_built_root "$tmp"
  mkdir -p "$tmp"
  if ! tar --zstd -xpf "$tarball" -C "$tmp" --numeric-owner >&2; then
    log "cache extraction failed; falling back to debootstrap"
    remove_half_built_root "$tmp"
    return 1
  fi
  # accept both "tar of the root's contents" and "tar with a top-level root/ dir"
  if [ ! -f "$tmp/$ROOT_MARKER_REL" ] && [ -f "$tmp/root/$ROOT_MARKER_REL" ]; then
    mv "$tmp/root" "$tmp.inner" && rm -rf --one-file-system "$tmp" && mv "$tmp.inner" "$tmp"
  fi
  if [ ! -f "$tmp/$ROOT_MARKER_REL" ]; then
    log "cache has no completion marker ($ROOT_MARKER_REL); falling back to debootstrap"
    remove_half_built_root "$tmp"
    return 1
  fi
  mv "$tmp" "$CHROOT_DIR"
}

build_root() {
  local mirror t0
  t0=$SECONDS
  ensure_debootstrap
  mirror="$(find_debian_mirror)" ||
    die "no Debian mirror found: no URL ending in /debian in /etc/apt/sources.list or /etc/apt/sources.list.d/*.{list,sources}"
  log "debootstrap trixie into $CHROOT_DIR (takes ~30-40 s; log: $TSDB_DIR/debootstrap.log)"
  mkdir -p "$TSDB_DIR"
  if ! debootstrap --variant=minbase trixie "$CHROOT_DIR" "$mirror" >"$TSDB_DIR/debootstrap.log" 2>&1; then
    tail -n 20 "$TSDB_DIR/debootstrap.log" >&2 || true
    [ -f "$CHROOT_DIR/debootstrap/debootstrap.log" ] && tail -n 20 "$CHROOT_DIR/debootstrap/debootstrap.log" >&2
    die "debootstrap failed (see $TSDB_DIR/debootstrap.log)"
  fi
  unmount_below_root "$CHROOT_DIR"

  log "installing postgresql-17 + timescaledb inside the root (log: $TSDB_DIR/apt.log)"
  printf '#!/bin/sh\nexit 101\n' >"$CHROOT_DIR/usr/sbin/policy-rc.d"
  chmod 0755 "$CHROOT_DIR/usr/sbin/policy-rc.d"
  {
    in_root root apt-get update -q &&
      in_root root apt-get install -y -q --no-install-recommends postgresql-common
  } >"$TSDB_DIR/apt.log" 2>&1 || { tail -n 20 "$TSDB_DIR/apt.log" >&2; die "installing postgresql-common in the root failed"; }

  local cc="$CHROOT_DIR/etc/postgresql-common/createcluster.conf"
  [ -f "$cc" ] || die "missing $cc after installing postgresql-common"
  if grep -Eq '^[#[:space:]]*create_main_cluster' "$cc"; then
    sed -i -E 's/^[#[:space:]]*create_main_cluster.*/create_main_cluster = false/' "$cc"
  else
    printf 'create_main_cluster = false\n' >>"$cc"
  fi

  {
    in_root root apt-get install -y -q --no-install-recommends postgresql-17 postgresql-17-timescaledb &&
      in_root root apt-get clean
  } >>"$TSDB_DIR/apt.log" 2>&1 || { tail -n 20 "$TSDB_DIR/apt.log" >&2; die "installing postgresql-17 / timescaledb in the root failed"; }
  [ -x "$CHROOT_DIR$PG_BIN/postgres" ] || die "postgres binary missing in the root after install"
  ls "$CHROOT_DIR"/usr/lib/postgresql/17/lib/timescaledb*.so >/dev/null 2>&1 || die "timescaledb library missing in the root after install"

  date -u +%Y-%m-%dT%H:%M:%SZ >"$CHROOT_DIR/$ROOT_MARKER_REL"
  log "root ready in $((SECONDS - t0)) s"
}

ensure_root() {
  root_complete && return 0
  mkdir -p "$TSDB_DIR"
  remove_half_built_root "$CHROOT_DIR"
  if [ -n "${SPENDGRAPH_TSDB_CACHE:-}" ] && [ -f "$SPENDGRAPH_TSDB_CACHE" ]; then
    extract_cache "$SPENDGRAPH_TSDB_CACHE" && root_complete && return 0
  fi
  build_root
}

# ---------------------------------------------------------------------------------------
# PostgreSQL inside the root

pg_conf_text() {
  cat <<EOF
# Written by scripts/services.sh on every 'up'; edit the script, not this file.
listen_addresses = '127.0.0.1'
port = ${PG_PORT}
unix_socket_directories = '${PG_SOCK_IN}'
max_connections = 200

shared_preload_libraries = 'timescaledb'
timescaledb.telemetry_level = off
timescaledb.max_background_workers = 8
max_worker_processes = 16
max_parallel_workers = 2
max_parallel_workers_per_gather = 1
# posix fails: the root's /dev/shm is a plain directory
dynamic_shared_memory_type = sysv

# 2 cores, 24 GiB, ingest benchmark
shared_buffers = 2GB
effective_cache_size = 12GB
work_mem = 16MB
maintenance_work_mem = 512MB
wal_buffers = 64MB
wal_compression = lz4
wal_level = minimal
max_wal_senders = 0
synchronous_commit = on
checkpoint_timeout = 15min
checkpoint_completion_target = 0.9
max_wal_size = 8GB
min_wal_size = 1GB
random_page_cost = 1.1
effective_io_concurrency = 200

timezone = 'UTC'
log_timezone = 'UTC'
log_line_prefix = '%m [%p] %q%u@%d '
EOF
}

pg_ctl_in_root() { in_root postgres "$PG_BIN/pg_ctl" -D "$PGDATA_IN" "$@"; }

pg_running() { pg_ctl_in_root status >/dev/null 2>&1; }

pg_ready() { in_root postgres "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 2 >/dev/null 2>&1; }

pg_prepare_dirs() {
  root_uid_gid
  mkdir -p "$CHROOT_DIR/run/postgresql" "$CHROOT_DIR/var/lib/spendgraph"
  # /var/run is a symlink to /run in trixie; keep the socket dir real either way
  [ -d "$CHROOT_DIR$PG_SOCK_IN" ] || mkdir -p "$CHROOT_DIR$PG_SOCK_IN"
  chown "$PG_UID:$PG_GID" "$CHROOT_DIR/run/postgresql" "$CHROOT_DIR$PG_SOCK_IN" "$CHROOT_DIR/var/lib/spendgraph"
  chmod 2775 "$CHROOT_DIR$PG_SOCK_IN"
}

pg_initdb_if_needed() {
  local pgdata="$CHROOT_DIR$PGDATA_IN"
  [ -f "$pgdata/PG_VERSION" ] && return 0
  if [ -e "$pgdata" ]; then
    log "removing incomplete data directory $pgdata"
    rm -rf --one-file-system "$pgdata"
  fi
  log "initdb $PGDATA_IN (inside the root)"
  # Unix socket (only reachable from inside the root / by host root): trust.
  # TCP on 127.0.0.1: scram-sha-256, the app connects with the password in DATABASE_URL.
  in_root postgres "$PG_BIN/initdb" -D "$PGDATA_IN.initdb" -U postgres \
    --encoding=UTF8 --locale=C.UTF-8 --auth-local=trust --auth-host=scram-sha-256 \
    >"$TSDB_DIR/initdb.log" 2>&1 || { tail -n 20 "$TSDB_DIR/initdb.log" >&2; rm -rf --one-file-system "$pgdata.initdb"; die "initdb failed"; }
  printf "\n# Spendgraph settings\ninclude 'spendgraph.conf'\n" >>"$pgdata.initdb/postgresql.conf"
  pg_conf_text >"$pgdata.initdb/spendgraph.conf"
  chown "$PG_UID:$PG_GID" "$pgdata.initdb/spendgraph.conf"
  mv "$pgdata.initdb" "$pgdata"
}

pg_write_conf() { # rewrites spendgraph.conf; returns 0 when it changed
  local f="$CHROOT_DIR$PGDATA_IN/spendgraph.conf" new
  new="$(pg_conf_text)"
  if [ -f "$f" ] && [ "$(cat "$f")" = "$new" ]; then return 1; fi
  printf '%s\n' "$new" >"$f"
  chown "$PG_UID:$PG_GID" "$f"
  return 0
}

psql_root_admin() { # runs SQL from stdin as postgres on the socket, db $1
  in_root postgres "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -U postgres -d "$1"
}

pg_ensure_db() {
  psql_root_admin postgres <<'SQL' || die "could not create role/database spendgraph"
SET client_min_messages = warning;
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'spendgraph') THEN
    CREATE ROLE spendgraph LOGIN SUPERUSER PASSWORD 'spendgraph';
  END IF;
END $$;
SELECT 'CREATE DATABASE spendgraph OWNER spendgraph'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'spendgraph') \gexec
SQL
  psql_root_admin spendgraph <<'SQL' || die "could not create extension timescaledb in database spendgraph"
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS timescaledb;
SQL
}

# Another checkout's services (same role, password and port) may already run here.
pg_other_checkout() {
  [ -f "$CHROOT_DIR$PGDATA_IN/postmaster.pid" ] && return 1
  tcp_open 127.0.0.1 "$PG_PORT" && have psql || return 1
  [ "$(timeout 10 psql "$LOCAL_DATABASE_URL" -XqAtc "SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'" 2>/dev/null)" = 1 ]
}

pg_up() {
  if pg_other_checkout; then
    log "a Spendgraph TimescaleDB already answers on 127.0.0.1:$PG_PORT (another checkout's; reused)"
    return 0
  fi
  ensure_root
  pg_prepare_dirs
  pg_initdb_if_needed
  local changed=0
  pg_write_conf && changed=1
  if pg_running; then
    if [ "$changed" = 1 ]; then
      log "postgresql.conf settings changed; restarting PostgreSQL"
      pg_ctl_in_root -w -t 120 -m fast restart -l "$PG_LOG_IN" >/dev/null ||
        { tail -n 20 "$CHROOT_DIR$PG_LOG_IN" >&2; die "PostgreSQL restart failed (log: $CHROOT_DIR$PG_LOG_IN)"; }
    else
      log "PostgreSQL 17 already running on 127.0.0.1:$PG_PORT (reused)"
    fi
  else
    if tcp_open 127.0.0.1 "$PG_PORT"; then
      die "port $PG_PORT is taken by another process; set SPENDGRAPH_PG_PORT to a free port"
    fi
    log "starting PostgreSQL 17 + TimescaleDB on 127.0.0.1:$PG_PORT"
    pg_ctl_in_root -w -t 120 start -l "$PG_LOG_IN" >/dev/null ||
      { tail -n 20 "$CHROOT_DIR$PG_LOG_IN" >&2; die "PostgreSQL failed to start (log: $CHROOT_DIR$PG_LOG_IN)"; }
  fi
  pg_ready || die "PostgreSQL does not answer on 127.0.0.1:$PG_PORT (log: $CHROOT_DIR$PG_LOG_IN)"
  pg_ensure_db
}

pg_down() {
  if ! root_complete || [ ! -f "$CHROOT_DIR$PGDATA_IN/PG_VERSION" ]; then
    log "PostgreSQL: nothing set up here"
    return 0
  fi
  if pg_running; then
    log "stopping PostgreSQL on 127.0.0.1:$PG_PORT (data kept)"
    pg_ctl_in_root -w -t 120 -m fast stop >/dev/null || die "pg_ctl stop failed"
  else
    log "PostgreSQL: not running"
  fi
}

# ---------------------------------------------------------------------------------------
# Redis

redis_our_pid() { # prints the pid of the Redis this script started, if alive
  local pid
  [ -f "$REDIS_PIDFILE" ] || return 1
  pid="$(tr -dc '0-9' <"$REDIS_PIDFILE")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'redis-server' || return 1
  printf '%s' "$pid"
}

redis_up() {
  if redis_ping_hostport 127.0.0.1 "$REDIS_PORT"; then
    if redis_our_pid >/dev/null; then
      log "Redis already running on 127.0.0.1:$REDIS_PORT (started by this script, reused)"
    else
      log "Redis already answers on 127.0.0.1:$REDIS_PORT (machine-provided, reused)"
    fi
    return 0
  fi
  if ! have redis-server; then
    log "installing redis-server on the host (apt-get)"
    if ! apt-get install -y -q redis-server >&2; then
      apt-get update -q >&2 || die "apt-get update failed"
      apt-get install -y -q redis-server >&2 || die "could not install redis-server"
    fi
  fi
  mkdir -p "$REDIS_DIR"
  log "starting redis-server on 127.0.0.1:$REDIS_PORT (dir $REDIS_DIR)"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" \
    --dir "$REDIS_DIR" --appendonly yes --appendfsync everysec \
    --pidfile "$REDIS_PIDFILE" --logfile "$REDIS_LOGFILE" >&2 9>&- ||
    die "redis-server failed to start (log: $REDIS_LOGFILE)"

  for _ in $(seq 1 50); do
    redis_ping_hostport 127.0.0.1 "$REDIS_PORT" && return 0
    sleep 0.1
  done
  tail -n 20 "$REDIS_LOGFILE" >&2 || true
  die "redis-server does not answer PING on 127.0.0.1:$REDIS_PORT (log: $REDIS_LOGFILE)"
}

redis_down() {
  local pid
  if ! pid="$(redis_our_pid)"; then
    if redis_ping_hostport 127.0.0.1 "$REDIS_PORT"; then
      log "Redis on 127.0.0.1:$REDIS_PORT was not started by this script; left running"
    else
      log "Redis: not running"
    fi
    return 0
  fi
  log "stopping redis-server (pid $pid)"
  kill -TERM "$pid"
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$REDIS_PIDFILE"; return 0; }
    sleep 0.1
  done
  die "redis-server (pid $pid) did not stop within 10 s"
}

# ---------------------------------------------------------------------------------------
# Commands

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
  local ok=0 rc
  if [ -n "$PRESET_DATABASE_URL" ]; then
    rc=0; pg_check_url "$PRESET_DATABASE_URL" || rc=$?
    case "$rc" in
      0) echo "postgres: up (DATABASE_URL from the environment)" ;;
      2) echo "postgres: port open, not checked further (no psql) (DATABASE_URL from the environment)" ;;
      *) echo "postgres: DOWN (DATABASE_URL from the environment)"; ok=1 ;;
    esac
  elif ! root_complete; then
    echo "postgres: not set up (run: scripts/services.sh up)"; ok=1
  elif [ ! -f "$CHROOT_DIR$PGDATA_IN/PG_VERSION" ]; then
    echo "postgres: root ready, no data directory yet (run: scripts/services.sh up)"; ok=1
  elif pg_ready; then
    local ver
    ver="$(in_root postgres "$PG_BIN/psql" -XqAt -U spendgraph -d spendgraph \
      -c "SELECT current_setting('server_version') || ', timescaledb ' || coalesce((SELECT extversion FROM pg_extension WHERE extname='timescaledb'), 'MISSING')" 2>/dev/null || echo '?')"
    echo "postgres: up on 127.0.0.1:$PG_PORT (PostgreSQL $ver; data $CHROOT_DIR$PGDATA_IN)"
  elif pg_running; then
    echo "postgres: running but not accepting connections on 127.0.0.1:$PG_PORT"; ok=1
  else
    echo "postgres: stopped (data kept in $CHROOT_DIR$PGDATA_IN)"; ok=1
  fi

  if [ -n "$PRESET_REDIS_URL" ]; then
    if redis_ping_url "$PRESET_REDIS_URL"; then echo "redis: up (REDIS_URL from the environment)"
    else echo "redis: DOWN (REDIS_URL from the environment)"; ok=1; fi
  elif redis_ping_hostport 127.0.0.1 "$REDIS_PORT"; then
    local pid
    if pid="$(redis_our_pid)"; then echo "redis: up on 127.0.0.1:$REDIS_PORT (started by this script, pid $pid, data $REDIS_DIR)"
    else echo "redis: up on 127.0.0.1:$REDIS_PORT (machine-provided)"; fi
  else
    echo "redis: DOWN on 127.0.0.1:$REDIS_PORT"; ok=1
  fi
  return "$ok"
}

cmd_psql() {
  if root_complete && [ -z "$PRESET_DATABASE_URL" ]; then
    # Note: file paths given to -f etc. are resolved inside the root; use stdin for host files.
    root_uid_gid
    local -a extra=()
    [ -n "${PAGER:-}" ] && extra+=("PAGER=$PAGER")
    [ -n "${PSQL_PAGER:-}" ] && extra+=("PSQL_PAGER=$PSQL_PAGER")
    exec chroot --userspec="$PG_UID:$PG_GID" "$CHROOT_DIR" /usr/bin/env -i \
      PATH="$PG_BIN:/usr/bin:/bin" HOME=/var/lib/postgresql LANG=C.UTF-8 TERM="${TERM:-dumb}" "${extra[@]}" \
      "$PG_BIN/psql" -h "$PG_SOCK_IN" -p "$PG_PORT" -U spendgraph -d spendgraph "$@"
  fi
  have psql || die "no local root and no psql on the host"
  exec psql "$(database_url)" "$@"
}

# Writes a zstd tarball of the finished root without its data directory, for SPENDGRAPH_TSDB_CACHE.
cmd_pack_root() {
  local out="${1:-}"
  [ -n "$out" ] || die "usage: scripts/services.sh pack-root FILE.tar.zst"
  root_complete || die "no finished root in $CHROOT_DIR (run: scripts/services.sh up)"
  log "packing $CHROOT_DIR into $out (without var/lib/spendgraph)"
  tar --zstd -cpf "$out.partial" --numeric-owner --one-file-system \
    --exclude=./var/lib/spendgraph --exclude=./run/postgresql/'*' -C "$CHROOT_DIR" . &&
    mv "$out.partial" "$out"
}

usage() {
  sed -n '2,25p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
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
    pack-root) cmd_pack_root "$@" ;;
    -h|--help|help) usage ;;
    *) usage; exit 2 ;;
  esac
}

main "$@"
