# Sourced by scripts/services.sh: a redis-server on the host, started (and installed) when
# nothing answers on REDIS_PORT yet. Expects REDIS_PORT, REDIS_DIR, REDIS_PIDFILE,
# REDIS_LOGFILE and common.sh.
# shellcheck shell=bash

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
    host_apt_install redis-server
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

redis_status() { # one line; 0 when it answers
  local pid
  if redis_ping_hostport 127.0.0.1 "$REDIS_PORT"; then
    if pid="$(redis_our_pid)"; then echo "redis: up on 127.0.0.1:$REDIS_PORT (started by this script, pid $pid, data $REDIS_DIR)"
    else echo "redis: up on 127.0.0.1:$REDIS_PORT (machine-provided)"; fi
  else
    echo "redis: DOWN on 127.0.0.1:$REDIS_PORT"; return 1
  fi
}
