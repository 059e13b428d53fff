# Sourced by scripts/services.sh: messages, the lock shared by up/down, host packages,
# and reachability checks for URLs given from outside (DATABASE_URL / REDIS_URL).
# Expects DATA_DIR.
# shellcheck shell=bash

log() { printf 'services: %s\n' "$*" >&2; }
die() { printf 'services: error: %s\n' "$*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

# apt-get install on the host; when that fails (stale package lists), update once and retry.
host_apt_install() { # package
  apt-get install -y -q "$1" >&2 && return 0
  log "apt-get install $1 failed; running apt-get update first"
  apt-get update -q >&2 || die "apt-get update failed"
  apt-get install -y -q "$1" >&2 || die "could not install $1"
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
