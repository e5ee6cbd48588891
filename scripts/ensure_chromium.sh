#!/usr/bin/env bash
# The browser test (tests/browser/) drives the system's Chromium from Debian's package through Playwright;
# nothing ever downloads a browser build (no `playwright install`). Installs it when missing; idempotent.
set -euo pipefail
CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
echo "Installing Chromium (Debian package) for the browser test..."
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
"$CHROMIUM" --version
