# Sourced by the project's scripts: installs npm packages when the lock file is
# newer than the last install. Cube Store's binary download is skipped: the
# in-process semantic layer never uses it (and the registry is all we reach).
# shellcheck shell=bash
if ! { [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ]; }; then
  CUBESTORE_SKIP_POST_INSTALL=true npm ci --no-audit --no-fund
fi
export PATH="$PWD/node_modules/.bin:$PATH"
