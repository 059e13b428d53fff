# Sourced by scripts/services.sh: PostgreSQL 17 + TimescaleDB inside the trixie root.
# Expects PG_PORT, PGDATA_IN, PG_LOG_IN, PG_SOCK_IN, LOCAL_DATABASE_URL, trixie-root.sh and common.sh.
# shellcheck shell=bash

# Compared byte for byte with the running server's spendgraph.conf on every 'up': any change
# here (the first comment line included) restarts PostgreSQL for everyone using it.
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
    # The tests' private PostgreSQL instances (fault tolerance, the read replica, backups) run from
    # this checkout's own root: build it even when the server is another checkout's.
    ensure_root
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

pg_status() { # one line; 0 when it answers
  if ! root_complete; then
    echo "postgres: not set up (run: scripts/services.sh up)"; return 1
  elif [ ! -f "$CHROOT_DIR$PGDATA_IN/PG_VERSION" ]; then
    echo "postgres: root ready, no data directory yet (run: scripts/services.sh up)"; return 1
  elif pg_ready; then
    local ver
    ver="$(in_root postgres "$PG_BIN/psql" -XqAt -U spendgraph -d spendgraph \
      -c "SELECT current_setting('server_version') || ', timescaledb ' || coalesce((SELECT extversion FROM pg_extension WHERE extname='timescaledb'), 'MISSING')" 2>/dev/null || echo '?')"
    echo "postgres: up on 127.0.0.1:$PG_PORT (PostgreSQL $ver; data $CHROOT_DIR$PGDATA_IN)"
  elif pg_running; then
    echo "postgres: running but not accepting connections on 127.0.0.1:$PG_PORT"; return 1
  else
    echo "postgres: stopped (data kept in $CHROOT_DIR$PGDATA_IN)"; return 1
  fi
}

# The root's psql as spendgraph over the socket (file paths given to -f etc. are resolved
# inside the root; use stdin for host files).
pg_psql_in_root() { # psql args...
  root_uid_gid
  local -a extra=()
  [ -n "${PAGER:-}" ] && extra+=("PAGER=$PAGER")
  [ -n "${PSQL_PAGER:-}" ] && extra+=("PSQL_PAGER=$PSQL_PAGER")
  exec chroot --userspec="$PG_UID:$PG_GID" "$CHROOT_DIR" /usr/bin/env -i \
    PATH="$PG_BIN:/usr/bin:/bin" HOME=/var/lib/postgresql LANG=C.UTF-8 TERM="${TERM:-dumb}" "${extra[@]}" \
    "$PG_BIN/psql" -h "$PG_SOCK_IN" -p "$PG_PORT" -U spendgraph -d spendgraph "$@"
}
