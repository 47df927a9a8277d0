"""Learned feature extractors (CLIP, Inception-v3, DINOv2) on rendered views.

Every loader resolves its weights through :mod:`mme3dr.weights` (never downloading), caches the
loaded model per process keyed by weights name, checkpoint path and device, and runs batched,
no-grad inference. Inputs are the renderer's uint8 ``[V, H, W, 3]`` arrays.
"""

from __future__ import annotations

import numpy as np

from mme3dr.native_libs import check_native_libs, preload_native_libs

__all__ = ["check_native_libs", "preload_native_libs", "to_tensor"]


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
