#!/usr/bin/env bash
# Make sure a headless OpenGL stack is present for the renderer (moderngl on EGL: libEGL and
# Mesa's drivers, llvmpipe on a CPU machine). Does nothing when libEGL and a Mesa driver are
# already installed; otherwise installs Debian's libegl1 and libgl1-mesa-dri with apt-get
# (root, or sudo when available). Without them mme3dr still evaluates meshes, but evaluators
# that need renders fail with a message naming these packages.
set -euo pipefail
if ldconfig -p 2>/dev/null | grep -q 'libEGL.so.1' \
    && compgen -G '/usr/lib/*/dri/*_dri.so' >/dev/null; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "ensure_gl: libEGL or Mesa's drivers are missing and this is not root;" \
             "install Debian's libegl1 and libgl1-mesa-dri to render" >&2
        exit 0
    fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure_gl: no apt-get here; install libEGL and Mesa's DRI drivers to render" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends libegl1 libgl1-mesa-dri >/dev/null
echo "ensure_gl: installed libegl1 and libgl1-mesa-dri"
