#!/usr/bin/env bash
# The container images' smoke test (test/deploy/images.test.ts) alone (`npm test` runs it last): it builds
# the images (scripts/containers.sh build --from-checkout) and runs them against the same services.
# Needs root (debootstrap, buildah); installs buildah and debootstrap when missing.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
# shellcheck source=lib/node.sh
source scripts/lib/node.sh
eval "$(scripts/services.sh up)"
# shellcheck source=lib/deps.sh
source scripts/lib/deps.sh
# shellcheck source=lib/web.sh
source scripts/lib/web.sh
sg_ensure_chromium
sg_build_web
SPENDGRAPH_CONTAINER_TESTS=1 exec vitest run test/deploy/images.test.ts "$@"
