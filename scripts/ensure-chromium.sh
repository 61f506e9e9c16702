#!/usr/bin/env bash
# Headless Chromium for the tearsheet's browser test (tests/e2e/test_tearsheet_browser.py):
# Debian's `chromium` package, installed when missing (as root, or through sudo).
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get install -y -qq chromium >/dev/null; then
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq chromium >/dev/null
fi
command -v chromium >/dev/null
