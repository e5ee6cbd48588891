#!/usr/bin/env bash
# MiniStack (PyPI `ministack`, MIT, pure Python): a local AWS emulator (S3 that enforces presigned POST
# policies, CloudFormation/SAM, Lambda without Docker, API Gateway, SSM) on 127.0.0.1.
# It pins botocore exactly, so it lives in a venv of its own, outside the repo, holding only MiniStack and
# aws-sam-translator (the functions it runs use that interpreter: nothing else may hide a missing dependency).
#   scripts/ministack.sh install        create/refresh that venv; print its folder
#   scripts/ministack.sh start PORT     run it in the foreground on 127.0.0.1:PORT (extra env passes through)
# Needs python3.11 (the template's runtime). MINISTACK_HOME overrides the cache folder.
set -euo pipefail
CACHE="${MINISTACK_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/catalog-ministack}"
VENV="$CACHE/venv"
PACKAGES=(ministack==1.5.33 aws-sam-translator==1.115.0)
STAMP="$VENV/.installed-$(echo "${PACKAGES[*]}" | tr ' =' '_-')"

install() {
  if [ ! -f "$STAMP" ]; then
    echo "Installing MiniStack into $VENV (first run only)..." >&2
    mkdir -p "$CACHE"
    python3.11 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "${PACKAGES[@]}" >&2
    touch "$STAMP"
  fi
  echo "$VENV"
}

start() {
  local port="$1"
  install >/dev/null
  export GATEWAY_PORT="$port" BIND_HOST=127.0.0.1 MINISTACK_HOST=127.0.0.1
  exec "$VENV/bin/ministack"
}

case "${1:-}" in
  install) install ;;
  start) start "${2:?port}" ;;
  *) echo "usage: $0 install | start PORT" >&2; exit 2 ;;
esac
