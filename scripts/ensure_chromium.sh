#!/usr/bin/env bash
# Make sure Debian's headless-capable Chromium is installed (used by the leaderboard tests to
# load the HTML report in a real browser). Does nothing when /usr/bin/chromium exists.
# Installs with apt-get only (needs root, or sudo when available).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "ensure_chromium: /usr/bin/chromium is missing and this is not root;" \
             "install Debian's 'chromium' package (apt-get install chromium)" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
test -x /usr/bin/chromium
echo "ensure_chromium: installed $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
