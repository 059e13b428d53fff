# Sourced by the project's scripts: installs npm packages when the lock file is
# newer than the last install.
# - `npm install`, not `npm ci`: the registry we reach has no darwin/windows
#   builds of turbo's optional platform packages, so the lock cannot list them
#   and `npm ci` refuses it; `npm install` follows the lock all the same.
# - Cube Store's binary download is skipped: the in-process semantic layer never
#   uses it.
# shellcheck shell=bash
if ! { [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ]; }; then
  CUBESTORE_SKIP_POST_INSTALL=true npm install --no-audit --no-fund
fi
export PATH="$PWD/node_modules/.bin:$PATH"
