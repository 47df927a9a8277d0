"""Native libraries that must load in a set order: triton (pulled in by torch) before any
OpenGL context exists. A leaf module, so the renderer and the feature extractors can both call
it without importing each other."""

from __future__ import annotations

import importlib.util
import sys


def preload_native_libs() -> None:
    """Import ``triton`` (when installed) before any OpenGL context exists.

    Mesa's software OpenGL driver and triton both carry LLVM; loading triton (which
    ``torchvision`` pulls in through ``torch._dynamo``) *after* an EGL context was created
    crashes the process with a segmentation fault. Importing it first is safe and costs about
    0.2 s; the evaluator modules call this when they are imported (before the runner renders).
    """
    if "triton" in sys.modules or importlib.util.find_spec("triton") is None:
        return
    try:
        import triton  # noqa: F401
    except Exception:  # noqa: BLE001 - a broken triton only matters to torch.compile
        pass


def check_native_libs() -> None:
    """Raise a clear ``RuntimeError`` instead of segfaulting when an OpenGL context was made
    before triton could be loaded (see :func:`preload_native_libs`)."""
    if "triton" in sys.modules or importlib.util.find_spec("triton") is None:
        return
    gl = sys.modules.get("mme3dr.render.gl")
    if gl is not None and getattr(gl, "_STATE", {}).get("ctx") is not None:
        raise RuntimeError(
            "an OpenGL context was created before torch's triton was imported, and importing "
            "it now would crash this process; import mme3dr.evaluators (or call "
            "mme3dr.native_libs.preload_native_libs()) before rendering"
        )
    preload_native_libs()
