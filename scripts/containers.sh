#!/usr/bin/env bash
# Builds the container images (Dockerfile) with buildah, without a Docker engine or a registry.
#
#   scripts/containers.sh base     the local base image localhost/spendgraph-node-base
#   scripts/containers.sh build    base, then every target of the Dockerfile (api worker web cli)
#   scripts/containers.sh build api web ...   only these targets
#   scripts/containers.sh build --from-checkout [target...]
#       from this checkout's installed node_modules and web build (brought up to date first, as
#       scripts/test.sh does) instead of installing and building inside: CI images hold exactly
#       what the suite tested, in a fraction of the time. The Dockerfile's FROM_CHECKOUT.
#
# Images are tagged localhost/spendgraph-<target>:latest. A registry's node:24-bookworm-slim
# cannot be pulled here, so the base is Debian bookworm (debootstrap --variant=minbase from the
# machine's apt mirror) plus the Node 24 binary the project installs (.tools/, scripts/lib/node.sh)
# and npm at the version package.json names. Its tarball is cached in
# $SPENDGRAPH_DATA_DIR/containers/ so a machine builds it once. RUN steps run with
# --isolation=chroot (no namespaces in this sandbox), on the host network.
# Timings of each step go to stderr (prefixed "containers:").
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA_DIR="${SPENDGRAPH_DATA_DIR:-$REPO_ROOT/.data}"
CACHE_DIR="$DATA_DIR/containers"
BASE_IMAGE=localhost/spendgraph-node-base
TARGETS=(api worker web cli)
export DEBIAN_FRONTEND=noninteractive

# shellcheck source=lib/services/common.sh
source "$REPO_ROOT/scripts/lib/services/common.sh"
log() { printf 'containers: %s\n' "$*" >&2; }
die() { printf 'containers: error: %s\n' "$*" >&2; exit 1; }
# shellcheck source=lib/services/trixie-root.sh
source "$REPO_ROOT/scripts/lib/services/trixie-root.sh"
# shellcheck source=lib/node.sh
source "$REPO_ROOT/scripts/lib/node.sh"

timed() { # label cmd...
  local label="$1" start=$SECONDS
  shift
  "$@"
  log "$label took $((SECONDS - start))s"
}

ensure_tools() {
  have buildah || host_apt_install buildah
  have debootstrap || host_apt_install debootstrap
}

node_version() { node -p 'process.versions.node'; }
npm_version() { node -p 'require(process.argv[1]).packageManager.split("@")[1]' "$REPO_ROOT/package.json"; }

# The base's root filesystem as a tarball: bookworm minbase + node + npm.
base_tarball() { # out.tar
  local out="$1" root mirror
  mirror="$(find_debian_mirror)" || mirror=http://deb.debian.org/debian
  root="$(mktemp -d "$CACHE_DIR/root.XXXXXX")"
  # A RETURN trap outlives the function: it clears itself, or it would fire (root unbound) at the next return.
  trap 'unmount_below_root "$root"; rm -rf "$root"; trap - RETURN' RETURN
  log "debootstrap bookworm (minbase) from $mirror"
  debootstrap --variant=minbase bookworm "$root" "$mirror" >&2
  install -m 0755 "$(command -v node)" "$root/usr/local/bin/node"
  npm install --global --silent --no-audit --no-fund --prefix "$root/usr/local" "npm@$(npm_version)" >&2
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" -cf "$out.partial" . && mv "$out.partial" "$out"
}

cmd_base() {
  local tar ctr
  tar="$CACHE_DIR/node-base-bookworm-node$(node_version)-npm$(npm_version).tar"
  if buildah inspect --type image "$BASE_IMAGE" >/dev/null 2>&1 &&
    [ "$(buildah inspect --type image --format '{{index .ImageAnnotations "tarball"}}' "$BASE_IMAGE")" = "$(basename "$tar")" ]; then
    return 0
  fi
  mkdir -p "$CACHE_DIR"
  [ -f "$tar" ] || timed "base root (debootstrap + node)" base_tarball "$tar"
  ctr="$(buildah from scratch)"
  buildah add --quiet "$ctr" "$tar" / >/dev/null
  buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env NODE_VERSION="$(node_version)" --cmd node --annotation tarball="$(basename "$tar")" "$ctr"
  buildah commit --quiet --rm "$ctr" "$BASE_IMAGE" >/dev/null
  log "base image $BASE_IMAGE from $(basename "$tar")"
}

# The host's npm cache (warm after scripts/lib/deps.sh) serves the image's install: no second download.
build_target() { # target
  local npm_cache
  npm_cache="$(npm config get cache)"
  mkdir -p "$npm_cache"
  local -a checkout=()
  [ -z "$FROM_CHECKOUT" ] || checkout=(--volume "$REPO_ROOT:/prebuilt:ro" --build-arg FROM_CHECKOUT=1)
  # --rm=false: removing the intermediate containers (a GB of small files) takes minutes here;
  # cmd_build removes them in the background once every image is built.
  buildah bud --isolation=chroot --layers --rm=false --format docker "${checkout[@]}" \
    --volume "$npm_cache:/npm-cache" --build-arg NPM_CONFIG_CACHE=/npm-cache \
    --build-arg BASE_IMAGE="$BASE_IMAGE" \
    --build-arg VERSION="$(node -p 'require(process.argv[1]).version' "$REPO_ROOT/apps/api/package.json")" \
    --build-arg SOURCE="$(git -C "$REPO_ROOT" remote get-url origin 2>/dev/null || true)" \
    --build-arg REVISION="$(git -C "$REPO_ROOT" rev-parse HEAD 2>/dev/null || true)" \
    --target "$1" -t "localhost/spendgraph-$1:latest" "$REPO_ROOT" 2>&1 | stamp >>"$CACHE_DIR/build.log" ||
    { tail -n 40 "$CACHE_DIR/build.log" >&2; die "building the $1 image failed (log: $CACHE_DIR/build.log)"; }
}

# Each line of the build log with the time it arrived (which step takes how long).
stamp() { while IFS= read -r line; do printf '%(%T)T %s\n' -1 "$line"; done; }

FROM_CHECKOUT=""
cmd_build() {
  local t
  if [ "${1:-}" = --from-checkout ]; then
    FROM_CHECKOUT=1
    shift
    cd "$REPO_ROOT"
    # shellcheck source=lib/deps.sh
    source scripts/lib/deps.sh
    # shellcheck source=lib/web.sh
    source scripts/lib/web.sh
    timed "checkout's web build" sg_build_web
  fi
  ensure_tools
  timed base cmd_base
  # The base may come from the machine's image store (another checkout built it): this checkout's
  # cache folder need not exist yet.
  mkdir -p "$CACHE_DIR"
  : >"$CACHE_DIR/build.log"
  local before
  before="$(buildah containers --quiet --all | sort)"
  for t in "${@:-${TARGETS[@]}}"; do timed "image $t" build_target "$t"; done
  remove_in_background $(comm -13 <(echo "$before") <(buildah containers --quiet --all | sort))
}

# The build's intermediate containers, removed while the caller goes on.
remove_in_background() { # container ids
  [ "$#" -gt 0 ] || return 0
  setsid nohup buildah rm "$@" >>"$CACHE_DIR/cleanup.log" 2>&1 </dev/null &
}

case "${1:-}" in
  base) ensure_tools; cmd_base ;;
  build) shift; cmd_build "$@" ;;
  *) echo "usage: $0 base | build [target...]" >&2; exit 2 ;;
esac
