#!/usr/bin/env bash
# Runs the whole test suite (vitest) on each Node.js major given (`test-on-node.sh 22 24`). A missing Node is
# installed from the npm registry — the package node-<platform>-<arch>@<major> carries the official binary —
# into a cache folder (MTLS_NODE_CACHE, default ~/.cache/mtls-gateway/node), so no other download is needed.
set -euo pipefail
cd "$(dirname "$0")/.."
cache="${MTLS_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mtls-gateway/node}"
package="node-$(node -p 'process.platform + "-" + process.arch')"
for major in "$@"; do
  dir="$cache/$major"
  bin="$dir/node_modules/$package/bin"
  if ! [ -x "$bin/node" ]; then
    echo "Installing Node.js $major ($package@$major from the npm registry) into $dir"
    npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error "$package@$major"
  fi
  echo "== The test suite on Node.js $("$bin/node" --version)"
  # Node first on PATH: vitest, the processes the tests spawn (process.execPath) and pnpm all run on it.
  # The kill-during-writes fault test runs 20 rounds per engine here instead of 50 (the first run has them).
  PATH="$bin:$PATH" MTLS_KILL_ROUNDS="${MTLS_KILL_ROUNDS:-20}" vitest run
done
