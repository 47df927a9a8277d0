#!/usr/bin/env bash
# Install Debian packages with apt-get (as root, or through sudo when available).
#   bash scripts/apt_install.sh [--soft] PACKAGE...
# Without --soft, being unable to install is an error (exit 1); with --soft it is a warning
# (exit 0). Used by ensure_gl.sh and ensure_chromium.sh, which first check what is missing.
set -euo pipefail
soft=0
if [ "${1:-}" = "--soft" ]; then soft=1; shift; fi
fail() {
    echo "apt_install: $*; install Debian's $PACKAGES by hand" >&2
    if [ "$soft" -eq 1 ]; then exit 0; else exit 1; fi
}
PACKAGES="$*"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || fail "not root and no sudo"
    SUDO="sudo"
fi
command -v apt-get >/dev/null 2>&1 || fail "no apt-get on this machine"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
echo "apt_install: installed $PACKAGES"
