# Sourced by scripts/services.sh: the Debian trixie root that PostgreSQL 17 + TimescaleDB
# run from (debootstrap, or a cached tarball of a finished root). Why a root rather than
# host packages or Docker: docs/decisions/0009-timescaledb-in-a-trixie-root.md.
# Expects TSDB_DIR, CHROOT_DIR, ROOT_MARKER_REL, PG_BIN, PG_SOCK_IN, PG_PORT and common.sh.
# shellcheck shell=bash

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
  host_apt_install debootstrap
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
  # accept both a tar of the root's contents and a tar holding the root's folder at its top
  local nested="$tmp/$(basename "$CHROOT_DIR")"
  if [ ! -f "$tmp/$ROOT_MARKER_REL" ] && [ -f "$nested/$ROOT_MARKER_REL" ]; then
    mv "$nested" "$tmp.inner" && rm -rf --one-file-system "$tmp" && mv "$tmp.inner" "$tmp"
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

# Writes a zstd tarball of the finished root without its data directory, for SPENDGRAPH_TSDB_CACHE.
pack_root() { # file
  local out="${1:-}"
  [ -n "$out" ] || die "usage: scripts/services.sh pack-root FILE.tar.zst"
  root_complete || die "no finished root in $CHROOT_DIR (run: scripts/services.sh up)"
  log "packing $CHROOT_DIR into $out (without var/lib/spendgraph)"
  tar --zstd -cpf "$out.partial" --numeric-owner --one-file-system \
    --exclude=./var/lib/spendgraph --exclude=./run/postgresql/'*' -C "$CHROOT_DIR" . &&
    mv "$out.partial" "$out"
}
