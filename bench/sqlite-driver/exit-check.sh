#!/usr/bin/env bash
# Starts the provider N times from a checkout whose dependencies are installed, asks it for a
# sign-in page (which writes the database), stops it with Ctrl-C (SIGINT) as a person would, and
# counts the starts that did not start and exit cleanly. better-sqlite3 12.11 aborted at exit on
# Node 24 (`Assertion failed: (env) != nullptr` in node::RemoveEnvironmentCleanupHook, from
# Statement::~Statement()).
#
# Usage: bench/sqlite-driver/exit-check.sh <checkout> <node major> [starts]
set -uo pipefail
checkout=$1
major=$2
starts=${3:-16}
node=/opt/node$major/node_modules/.bin/node
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
port=$((20000 + RANDOM % 20000))
base=http://localhost:$port
app=http://localhost:8000
authorize="$base/openid/authorize?client_id=$app&redirect_uri=$app/docs&response_type=code&scope=openid&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"
failures=0
for n in $(seq "$starts"); do
  (cd "$checkout" && PORT=$port DATABASE_URL="sqlite:$scratch/provider.db" LOG_LEVEL=warn \
    exec "$node" --import tsx packages/provider/src/cli.ts) >"$scratch/out" 2>"$scratch/err" &
  pid=$!
  ready=no
  for _ in $(seq 150); do
    if curl -sf -o /dev/null "$base/.well-known/openid-configuration"; then ready=yes; break; fi
    sleep 0.2
  done
  page=$(curl -s -o /dev/null -w '%{http_code}' -L -c "$scratch/jar" -b "$scratch/jar" "$authorize")
  kill -INT "$pid"
  wait "$pid"
  status=$?
  # Other lines on stderr (oidc-provider's "Unsupported runtime" on Node 26) are no driver's doing.
  if [ "$ready" != yes ] || [ "$page" != 200 ] || [ "$status" -ne 0 ] ||
    grep -qiE 'assertion|abort|error' "$scratch/err"; then
    failures=$((failures + 1))
    echo "start $n: ready=$ready, sign-in page $page, exit status $status, stderr: $(head -c 300 "$scratch/err")"
  fi
done
echo "node $("$node" --version), $checkout: $failures of $starts starts did not start and exit cleanly"
