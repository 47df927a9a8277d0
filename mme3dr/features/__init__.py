"""Learned feature extractors (CLIP, Inception-v3, DINOv2) on rendered views.

Every loader resolves its weights through :mod:`mme3dr.weights` (never downloading), caches the
loaded model per process keyed by weights name, checkpoint path and device, and runs batched,
no-grad inference. Inputs are the renderer's uint8 ``[V, H, W, 3]`` arrays.
"""

from __future__ import annotations

import importlib.util
import sys

import numpy as np


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
            "mme3dr.features.preload_native_libs()) before rendering"
        )
    preload_native_libs()


def to_tensor(rgb: np.ndarray, size: int, mean, std, device: str):
    """uint8 ``[V, H, W, 3]`` -> float ``[V, 3, size, size]``, resized (bicubic, antialiased,
    clamped to [0, 1]) and normalised with ``mean``/``std``. Square renders need no crop."""
    import torch
    import torch.nn.functional as F

    x = torch.from_numpy(np.ascontiguousarray(rgb)).to(device)
    x = x.permute(0, 3, 1, 2).float().div_(255.0)
    if x.shape[-1] != size or x.shape[-2] != size:
        x = F.interpolate(x, size=(size, size), mode="bicubic", antialias=True, align_corners=False)
        x = x.clamp_(0.0, 1.0)
    m = torch.tensor(mean, device=device, dtype=x.dtype).view(1, 3, 1, 1)
    s = torch.tensor(std, device=device, dtype=x.dtype).view(1, 3, 1, 1)
    return (x - m) / s
