"""Image feature extractors for reference-set distances: Inception-v3 and DINOv2.

* ``inception`` (default, FID/KID as papers report them): the **TF-FID Inception graph**
  through torch-fidelity's ``FeatureExtractorInceptionV3`` (the implementation torchmetrics'
  FID/KID also use), weights ``inception-v3-tf`` (torch-fidelity's
  ``weights-inception-2015-12-05-6726825d.pth``, or pytorch-fid's
  ``pt_inception-2015-12-05-6726825d.pth``: same layout), resolved from the local cache,
  never downloaded. Input is the uint8 render; resizing to 299 px is the extractor's own
  TensorFlow-1-compatible bilinear resize (a no-op for 299 px rigs); 2048-d pool features.
* ``inception_torchvision`` (named alternative): torchvision's Inception-v3 (weights
  ``inception-v3``: ImageNet weights ported from TensorFlow), 2048-d pool features; views
  resized to 299 px (bicubic, antialiased, as :func:`mme3dr.features.to_tensor` does) and
  scaled to [-1, 1]. *Not* the TF-FID graph: its FD/KID are not comparable with papers'.
* ``dinov2`` (default, the FD-DINOv2 protocol of dgm-eval): a Hugging Face ``Dinov2Model``
  folder (weights ``dinov2-vit-l-14``, 1024-d); ``dinov2_b14`` selects ViT-B/14
  (``dinov2-vit-b-14``, 768-d). Feature: the CLS token after the final layer norm
  (``pooler_output``); views resized to 224 px (bicubic, antialiased), ImageNet mean/std.

:func:`get_extractor` loads once per process (keyed by name, checkpoint and device); extractors
share the interface ``extract(rgb uint8 [V, H, W, 3]) -> float32 [V, D]``, ``dim`` and
``info()``. Anything with that interface can be passed to the reference metrics instead (tests
do).
"""

from __future__ import annotations

import importlib.util
import threading
from typing import Any, Protocol

import numpy as np

from mme3dr.features import check_native_libs, to_tensor
from mme3dr.weights import Resolved, WeightsMissing, guarded_load, record_use, resolve

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
    """torchvision Inception-v3 (``inception_torchvision``)."""

    name = "inception_torchvision"
    size = 299
    mean = (0.5, 0.5, 0.5)
    std = (0.5, 0.5, 0.5)
    dim = 2048

    def _forward(self, x):
        return self.model(x)


class TfInceptionExtractor(_TorchExtractor):
    """TF-FID Inception-v3 (``inception``): torch-fidelity's extractor on uint8 images."""

    name = "inception"
    size = 299
    dim = 2048

    def extract(self, rgb: np.ndarray) -> np.ndarray:
        import torch

        out = []
        with torch.inference_mode():
            for i in range(0, len(rgb), self.batch_size):
                x = torch.from_numpy(np.ascontiguousarray(rgb[i : i + self.batch_size]))
                x = x.permute(0, 3, 1, 2).contiguous().to(self.device)
                out.append(self.model(x)[0].float().cpu())
        return torch.cat(out).numpy()

    def info(self) -> dict[str, Any]:
        d = super().info()
        d.update(implementation="torch_fidelity.FeatureExtractorInceptionV3", graph="TF-FID")
        return d


class Dinov2Extractor(_TorchExtractor):
    name = "dinov2"
    size = 224

    @property
    def dim(self) -> int:
        return int(self.model.config.hidden_size)

    def info(self) -> dict[str, Any]:
        d = super().info()
        d.update(model=f"{self.resolved.spec.tag} (Dinov2Model)", feature="CLS after final norm")
        return d

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


def _load_tf_inception(resolved: Resolved, device: str):
    """torch-fidelity's TF-FID Inception with the resolved weights (strict load).

    The file is first read with ``weights_only=True`` (torch-fidelity itself unpickles
    arbitrary objects), so a malicious or corrupt file fails here, safely.
    """
    import torch

    torch.load(resolved.path, map_location="cpu", weights_only=True)
    from torch_fidelity.feature_extractor_inceptionv3 import FeatureExtractorInceptionV3

    model = FeatureExtractorInceptionV3(
        "inception-v3-compat", ["2048"], feature_extractor_weights_path=str(resolved.path)
    )
    return model.to(device).eval()


def _load_dinov2(resolved: Resolved, device: str):
    from transformers import Dinov2Model

    model = Dinov2Model.from_pretrained(str(resolved.path), local_files_only=True)
    return model.to(device).eval()


_EXTRACTORS: dict[tuple[str, str, str], Any] = {}
_LOCK = threading.Lock()

#: feature name -> (weights name, loader, extractor class)
BACKBONES: dict[str, tuple[str, Any, type[_TorchExtractor]]] = {
    "inception": ("inception-v3-tf", _load_tf_inception, TfInceptionExtractor),
    "inception_torchvision": ("inception-v3", _load_inception, InceptionExtractor),
    "dinov2": ("dinov2-vit-l-14", _load_dinov2, Dinov2Extractor),
    "dinov2_b14": ("dinov2-vit-b-14", _load_dinov2, Dinov2Extractor),
}


def get_extractor(
    name: str, device: str = "cpu", checkpoint: str | None = None, batch_size: int = 16
) -> _TorchExtractor:
    """The extractor for features ``name`` (a key of :data:`BACKBONES`); raises
    :class:`mme3dr.weights.WeightsMissing` (or its ``WeightsLoadError``)."""
    if name not in BACKBONES:
        raise KeyError(f"unknown features {name!r}; known: {', '.join(BACKBONES)}")
    wname, loader, cls = BACKBONES[name]
    if cls is TfInceptionExtractor and importlib.util.find_spec("torch_fidelity") is None:
        raise WeightsMissing(
            wname,
            "features inception (TF-FID) need torch-fidelity: pip install torch-fidelity "
            "(or use features inception_torchvision, not comparable with papers)",
        )
    resolved = resolve(wname, checkpoint)
    key = (name, str(resolved.path), device)
    with _LOCK:
        if key not in _EXTRACTORS:
            check_native_libs()
            model = guarded_load(resolved, lambda: loader(resolved, device), name)
            ext = cls(model, resolved, device, batch_size)
            ext.name = name
            _EXTRACTORS[key] = ext
    record_use(resolved)
    return _EXTRACTORS[key]
