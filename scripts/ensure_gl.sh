#!/usr/bin/env bash
# Make sure a headless OpenGL stack is present for the renderer (moderngl on EGL: libEGL and
# Mesa's drivers, llvmpipe on a CPU machine). Does nothing when libEGL and a Mesa driver are
# already installed; otherwise installs Debian's libegl1 and libgl1-mesa-dri. Without them
# mme3dr still evaluates meshes, but evaluators that need renders fail with a message naming
# these packages, so not being able to install is only a warning here.
set -euo pipefail
if ldconfig -p 2>/dev/null | grep -q 'libEGL.so.1' \
    && compgen -G '/usr/lib/*/dri/*_dri.so' >/dev/null; then
    exit 0
fi
exec bash "$(dirname "$0")/apt_install.sh" --soft libegl1 libgl1-mesa-dri
