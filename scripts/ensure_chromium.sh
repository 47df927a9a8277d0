#!/usr/bin/env bash
# Make sure Debian's headless-capable Chromium is installed (used by the leaderboard tests to
# load the HTML report in a real browser). Does nothing when /usr/bin/chromium exists.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
bash "$(dirname "$0")/apt_install.sh" chromium fonts-dejavu-core
test -x /usr/bin/chromium
