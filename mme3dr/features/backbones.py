"""Image feature extractors for reference-set distances: Inception-v3 and DINOv2.

* ``inception``: torchvision's Inception-v3 (weights ``inception-v3``: the ImageNet weights
  ported from TensorFlow), 2048-d global-average-pool features; views resized to 299 px
  (bilinear, antialiased) and scaled to [-1, 1] as the ported weights expect. These are *not*
  bit-identical to the TF-FID Inception graph used by ``pytorch-fid``/``torch-fidelity``:
  compare numbers only with numbers made the same way (the stamp says which).
* ``dinov2``: a Hugging Face ``Dinov2Model`` folder (weights ``dinov2-vit-b-14``), the CLS
  token after the final layer norm (``pooler_output``); views resized to 224 px (bicubic,
  antialiased), ImageNet mean/std.

:func:`get_extractor` loads once per process (keyed by name, checkpoint and device); extractors
share the interface ``extract(rgb uint8 [V, H, W, 3]) -> float32 [V, D]`` and ``info()``.
Anything with that interface can be passed to the reference metrics instead (tests do).
"""

from __future__ import annotations

import threading
from typing import Any, Protocol

import numpy as np

from mme3dr.features import check_native_libs, to_tensor
from mme3dr.weights import Resolved, guarded_load, record_use, resolve

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class Extractor(Protocol):
    name: str

    def extract(self, rgb: np.ndarray) -> np.ndarray: ...

    def info(self) -> dict[str, Any]: ...


class _TorchExtractor:
    name = ""
    size = 224
    mean: tuple[float, ...] = IMAGENET_MEAN
    std: tuple[float, ...] = IMAGENET_STD

    def __init__(self, model: Any, resolved: Resolved, device: str, batch_size: int = 16):
        self.model = model
        self.resolved = resolved
        self.device = device
        self.batch_size = batch_size

    def _forward(self, x):  # pragma: no cover - overridden
        raise NotImplementedError

    def extract(self, rgb: np.ndarray) -> np.ndarray:
        import torch

        out = []
        with torch.inference_mode():
            for i in range(0, len(rgb), self.batch_size):
                x = to_tensor(
                    rgb[i : i + self.batch_size], self.size, self.mean, self.std, self.device
                )
                out.append(self._forward(x).float().cpu())
        return torch.cat(out).numpy()

    def info(self) -> dict[str, Any]:
        r = self.resolved
        return {
            "features": self.name,
            "model": r.spec.arch,
            "pretrained": r.spec.tag,
            "checkpoint": str(r.path),
            "weights": "random weights" if r.random else "pretrained",
            "input_size": self.size,
        }


class InceptionExtractor(_TorchExtractor):
    name = "inception"
    size = 299
    mean = (0.5, 0.5, 0.5)
    std = (0.5, 0.5, 0.5)

    def _forward(self, x):
        return self.model(x)


class Dinov2Extractor(_TorchExtractor):
    name = "dinov2"
    size = 224

    def _forward(self, x):
        return self.model(pixel_values=x).pooler_output


def _load_inception(resolved: Resolved, device: str):
    import torch
    from torchvision.models import inception_v3

    model = inception_v3(weights=None, aux_logits=False, init_weights=False, transform_input=False)
    sd = torch.load(resolved.path, map_location="cpu", weights_only=True)
    if isinstance(sd, dict) and "state_dict" in sd:
        sd = sd["state_dict"]
    sd = {k: v for k, v in sd.items() if not k.startswith("AuxLogits.")}
    model.load_state_dict(sd)
    model.fc = torch.nn.Identity()
    return model.to(device).eval()


def _load_dinov2(resolved: Resolved, device: str):
    from transformers import Dinov2Model

    model = Dinov2Model.from_pretrained(str(resolved.path), local_files_only=True)
    return model.to(device).eval()


_EXTRACTORS: dict[tuple[str, str, str], Any] = {}
_LOCK = threading.Lock()

#: feature name -> (weights name, loader, extractor class)
BACKBONES: dict[str, tuple[str, Any, type[_TorchExtractor]]] = {
    "inception": ("inception-v3", _load_inception, InceptionExtractor),
    "dinov2": ("dinov2-vit-b-14", _load_dinov2, Dinov2Extractor),
}


def get_extractor(
    name: str, device: str = "cpu", checkpoint: str | None = None, batch_size: int = 16
) -> _TorchExtractor:
    """The extractor ``inception`` or ``dinov2`` (raises :class:`mme3dr.weights.WeightsMissing`)."""
    if name not in BACKBONES:
        raise KeyError(f"unknown features {name!r}; known: {', '.join(BACKBONES)}")
    wname, loader, cls = BACKBONES[name]
    resolved = resolve(wname, checkpoint)
    key = (name, str(resolved.path), device)
    with _LOCK:
        if key not in _EXTRACTORS:
            check_native_libs()
            model = guarded_load(resolved, lambda: loader(resolved, device), name)
            _EXTRACTORS[key] = cls(model, resolved, device, batch_size)
    record_use(resolved)
    return _EXTRACTORS[key]
