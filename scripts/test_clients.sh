#!/usr/bin/env bash
# Generated clients as a front-end team would make them, from this app's /openapi.json (written from the
# in-process app into a temp folder): openapi-python-client (PyPI) and openapi-typescript (npm), pinned.
# Either generator printing a warning fails; so does a type error in the two small programs of tests/clients/
# (read a product with its variants, read a store with its currency): mypy --strict for Python,
# tsc --noEmit --strict for TypeScript. `make test-clients` runs it; `make test` calls that.
# The generators live outside the repo, in a cache of their own (CLIENTS_HOME overrides it):
#   a venv holding openapi-python-client and mypy (their pins clash with nothing of the project's), and
#   node_modules holding openapi-typescript and typescript.
# PYTHON: the project's interpreter (imports app), default .venv/bin/python.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="${CLIENTS_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/catalog-clients}"
PY_PACKAGES=(openapi-python-client==0.29.1 mypy==2.4.1)
NPM_PACKAGES=(openapi-typescript@7.13.0 typescript@5.9.3)
VENV="$CACHE/venv"
NODE="$CACHE/node"
PY_STAMP="$VENV/.installed-$(echo "${PY_PACKAGES[*]}" | tr ' =' '_-')"
NPM_STAMP="$NODE/.installed-$(echo "${NPM_PACKAGES[*]}" | tr ' @/' '_-_')"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"

install() {
  if [ ! -f "$PY_STAMP" ]; then
    echo "Installing ${PY_PACKAGES[*]} into $VENV (first run only)..." >&2
    mkdir -p "$CACHE"
    python3.11 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "${PY_PACKAGES[@]}" >&2
    touch "$PY_STAMP"
  fi
  if [ ! -f "$NPM_STAMP" ]; then
    echo "Installing ${NPM_PACKAGES[*]} into $NODE (first run only)..." >&2
    mkdir -p "$NODE"
    (cd "$NODE" && [ -f package.json ] || echo '{"private": true}' > package.json)
    npm install --prefix "$NODE" --cache "$CACHE/npm-cache" --no-audit --no-fund --save-exact --silent \
      "${NPM_PACKAGES[@]}" >&2
    touch "$NPM_STAMP"
  fi
}

# Fails when a generator's output says "warning" (either case) anywhere: a dropped operation or schema is
# reported as a warning by both generators, and the generated client then silently lacks it.
no_warning() {
  local name="$1" log="$2"
  if grep -qi "warn" "$log"; then
    echo "$name printed warnings:" >&2
    cat "$log" >&2
    return 1
  fi
}

run() {
  install
  work=""
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  (cd "$ROOT" && "$PYTHON" -c 'import json, sys
import app  # noqa: F401  (registers every route)
from chalicelib.core.openapi import build_document
json.dump(build_document(), sys.stdout, indent=1)') > "$work/openapi.json"

  # Python: the package catalog_api_client, type-checked with the program (strict) against it.
  "$VENV/bin/openapi-python-client" generate --path "$work/openapi.json" --output-path "$work/catalog_api_client" \
    --meta none --overwrite --config "$ROOT/tests/clients/openapi-python-client.yaml" > "$work/py.log" 2>&1 \
    || { cat "$work/py.log" >&2; exit 1; }
  no_warning openapi-python-client "$work/py.log"
  cp "$ROOT/tests/clients/read_catalog.py" "$work/read_catalog.py"
  (cd "$work" && MYPYPATH="$work" "$VENV/bin/mypy" --strict --no-incremental --cache-dir=/dev/null \
    --python-executable "$VENV/bin/python" read_catalog.py)
  echo "openapi-python-client: generated with no warning; tests/clients/read_catalog.py type-checks (mypy --strict)"

  # TypeScript: api.d.ts, type-checked with the program by tsc --strict.
  "$NODE/node_modules/.bin/openapi-typescript" "$work/openapi.json" -o "$work/ts/api.d.ts" > "$work/ts.log" 2>&1 \
    || { cat "$work/ts.log" >&2; exit 1; }
  no_warning openapi-typescript "$work/ts.log"
  cp "$ROOT/tests/clients/read_catalog.ts" "$work/ts/read_catalog.ts"
  "$NODE/node_modules/.bin/tsc" --noEmit --strict --target es2022 --module es2022 --moduleResolution bundler \
    --noUncheckedIndexedAccess --exactOptionalPropertyTypes "$work/ts/read_catalog.ts" "$work/ts/api.d.ts"
  echo "openapi-typescript: generated with no warning; tests/clients/read_catalog.ts type-checks (tsc --strict)"
}

case "${1:-run}" in
  install) install ;;
  run) run ;;
  *) echo "usage: $0 [install | run]" >&2; exit 2 ;;
esac
