#!/usr/bin/env bash
# AWS's DynamoDB Local (DynamoDBLocal.jar, carried by the npm package amplify-dynamodb-simulator), on 127.0.0.1.
#   scripts/dynamodb_local.sh install          npm-install it into a cache outside the repo; print its folder
#   scripts/dynamodb_local.sh start PORT       run it in the foreground, in memory, on 127.0.0.1:PORT
#   scripts/dynamodb_local.sh run -- CMD...    start it on a free port, run CMD with TEST_DYNAMODB_ENDPOINT set, stop it
# Needs java (17) and npm. DYNAMODB_LOCAL_HOME overrides the cache folder.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
CACHE="${DYNAMODB_LOCAL_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/catalog-dynamodb-local}"
PACKAGE="amplify-dynamodb-simulator@2.9.30"
EMULATOR="$CACHE/node_modules/amplify-dynamodb-simulator/emulator"

install() {
  if [ ! -f "$EMULATOR/DynamoDBLocal.jar" ]; then
    mkdir -p "$CACHE"
    (cd "$CACHE" && npm install --no-audit --no-fund --silent --ignore-scripts "$PACKAGE" >&2)
  fi
  echo "$EMULATOR"
}

start() {
  local port="$1"
  install >/dev/null
  cd "$EMULATOR"
  # The jar binds every interface and has no host option: the launcher pins it to 127.0.0.1.
  exec java -Xmx512m -Djava.library.path="$EMULATOR/DynamoDBLocal_lib" \
    -cp "$EMULATOR/DynamoDBLocal.jar:$EMULATOR/DynamoDBLocal_lib/*" \
    "$HERE/DynamoDBLocalLoopback.java" -inMemory -port "$port" -disableTelemetry
}

run() {
  # pid stays global: the EXIT trap runs after run() returns
  install >/dev/null
  local port log
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  log="${TMPDIR:-/tmp}/dynamodb-local-$port.log"
  start "$port" >"$log" 2>&1 &
  pid=$!
  trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true' EXIT
  for _ in $(seq 1 120); do
    if grep -q "listening on 127.0.0.1" "$log" 2>/dev/null; then break; fi
    if ! kill -0 "$pid" 2>/dev/null; then cat "$log" >&2; echo "DynamoDB Local did not start" >&2; exit 1; fi
    sleep 0.5
  done
  grep -q "listening on 127.0.0.1" "$log" || { cat "$log" >&2; echo "DynamoDB Local did not start in time" >&2; exit 1; }
  echo "DynamoDB Local on http://127.0.0.1:$port (log: $log)" >&2
  TEST_DYNAMODB_ENDPOINT="http://127.0.0.1:$port" "$@"
}

case "${1:-}" in
  install) install ;;
  start) start "${2:?port}" ;;
  run) shift; [ "${1:-}" = "--" ] && shift; run "$@" ;;
  *) echo "usage: $0 install | start PORT | run -- CMD..." >&2; exit 2 ;;
esac
