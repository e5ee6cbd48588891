#!/usr/bin/env bash
# The interactive reference at GET /docs is Swagger UI, served by the API itself (no outside network): its two
# assets come from the npm package swagger-ui-dist, pinned by version and checked against the registry's sha512.
# The tarball is kept in a cache outside the repo; the assets are copied into chalicelib/health/static/swagger-ui/
# (git-ignored), so `chalice package` puts them in the deployment zip. Idempotent; `make install` runs it.
# SWAGGER_UI_CACHE overrides the cache folder.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VERSION="5.35.0"
INTEGRITY="sha512-U06rpMtW9V3XPGOBeamTUSr0Z09jMX4IJuANpE/EZbAhw0G8CgwrzU4YmXkn/h0wCDNsXdGarTNNHC3sU8yVUQ=="
FILES=(swagger-ui-bundle.js swagger-ui.css LICENSE NOTICE)
CACHE="${SWAGGER_UI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/catalog-swagger-ui}"
TARGET="$ROOT/chalicelib/health/static/swagger-ui"
TARBALL="$CACHE/swagger-ui-dist-$VERSION.tgz"

if [ "$(cat "$TARGET/VERSION" 2>/dev/null)" = "$VERSION" ]; then
  exit 0
fi
mkdir -p "$CACHE"
if [ ! -f "$TARBALL" ]; then
  (cd "$CACHE" && npm pack --silent --cache "$CACHE/npm-cache" "swagger-ui-dist@$VERSION" >/dev/null)
fi
actual="sha512-$(openssl dgst -sha512 -binary "$TARBALL" | base64 -w0)"
if [ "$actual" != "$INTEGRITY" ]; then
  rm -f "$TARBALL"
  echo "swagger-ui-dist $VERSION: the tarball does not match the pinned integrity" >&2
  exit 1
fi
staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
tar -xzf "$TARBALL" -C "$staging" "${FILES[@]/#/package/}"
rm -rf "$TARGET"
mkdir -p "$TARGET"
cp "${FILES[@]/#/$staging/package/}" "$TARGET/"
echo "$VERSION" >"$TARGET/VERSION"
echo "Swagger UI $VERSION assets in ${TARGET#"$ROOT"/}" >&2
