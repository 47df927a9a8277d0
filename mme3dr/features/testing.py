"""Random-weight checkpoints of the real architectures (or tiny configs of them), for tests,
benchmarks and smoke runs without any download. Everything written here is marked as random
weights (:func:`mme3dr.weights.save_random_checkpoint`), so results made with it are stamped
``random weights``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mme3dr.weights import CATALOGUE, RANDOM_MARKER, save_random_checkpoint, weights_dir

#: a tiny open_clip CLIP: ViT 2 layers width 64 on 64 px with 16 px patches; text 2 layers
#: width 64, the standard 77-token context and 49408-token BPE vocabulary.
TINY_CLIP_CFG: dict[str, Any] = {
    "embed_dim": 32,
    "vision_cfg": {"image_size": 64, "layers": 2, "width": 64, "patch_size": 16, "head_width": 32},
    "text_cfg": {"context_length": 77, "vocab_size": 49408, "width": 64, "heads": 2, "layers": 2},
}


def write_random_clip(
    name: str = "clip-vit-b-32",
    cfg: dict[str, Any] | None = TINY_CLIP_CFG,
    seed: int = 0,
    root: Path | None = None,
) -> Path:
    """Write a random open_clip checkpoint for weights ``name`` into the mme3dr cache (or
    ``root``). ``cfg=None`` builds the catalogue's full architecture (e.g. ViT-B-32)."""
    import open_clip
    import torch

    torch.manual_seed(seed)
    spec = CATALOGUE[name]
    if cfg is not None:
        model = open_clip.model.CLIP(**cfg)
    else:
        import logging

        previous = logging.root.manager.disable
        logging.disable(logging.WARNING)  # "initialized randomly" is the point here
        try:
            model = open_clip.create_model(
                spec.arch, pretrained=None, force_quick_gelu=spec.quick_gelu
            )
        finally:
            logging.disable(previous)
    folder = root if root is not None else weights_dir(name)
    return save_random_checkpoint(model.state_dict(), Path(folder) / spec.files[-1], cfg)


def write_random_aesthetic_head(in_dim: int = 32, seed: int = 0, root: Path | None = None) -> Path:
    """A random LAION-style aesthetic MLP head for ``in_dim``-d CLIP embeddings."""
    import torch

    from mme3dr.features.aesthetic_head import aesthetic_head_class

    AestheticHead = aesthetic_head_class()  # noqa: N806 - a class

    torch.manual_seed(seed)
    head = AestheticHead(in_dim)
    folder = root if root is not None else weights_dir("laion-aesthetic-v2")
    return save_random_checkpoint(head.state_dict(), Path(folder) / "aesthetic_head.pt")


TINY_DINOV2: dict[str, Any] = {
    "hidden_size": 32,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "intermediate_size": 64,
    "image_size": 56,
    "patch_size": 14,
}


def write_random_dinov2(
    cfg: dict[str, Any] | None = None, seed: int = 0, name: str = "dinov2-vit-l-14"
) -> Path:
    """A random (tiny by default) DINOv2 folder (config.json + model.safetensors) for weights
    ``name`` (``dinov2-vit-l-14``, the default FD-DINOv2 backbone, or ``dinov2-vit-b-14``)."""
    import torch
    from transformers import Dinov2Config, Dinov2Model

    torch.manual_seed(seed)
    conf = Dinov2Config(**(cfg or TINY_DINOV2))
    model = Dinov2Model(conf)
    folder = weights_dir(name)
    model.save_pretrained(folder)
    path = folder / "config.json"
    d = json.loads(path.read_text())
    d[RANDOM_MARKER] = True
    path.write_text(json.dumps(d, indent=2))
    return folder


def write_random_inception(seed: int = 0) -> Path:
    """A random torchvision Inception-v3 state dict (full size: about 100 MB), in the layout
    of torchvision's published file (``AuxLogits`` included)."""
    import torch
    from torchvision.models import inception_v3

    torch.manual_seed(seed)
    model = inception_v3(weights=None, aux_logits=True, init_weights=False)
    return save_random_checkpoint(
        model.state_dict(), weights_dir("inception-v3") / CATALOGUE["inception-v3"].files[0]
    )


def tf_inception_state_dict(device: str = "cpu") -> dict[str, Any]:
    """A random state dict in the TF-FID Inception layout (torch-fidelity / pytorch-fid:
    torchvision's Inception-v3 blocks without ``AuxLogits`` and a 1008-way ``fc``).
    ``device="meta"`` gives the layout without allocating (about 24 M parameters).

    Convolutions are He-initialised (fan-in, ReLU gain): with batch norm in eval mode
    (identity statistics) that keeps the 2048-d features informative, where PyTorch's default
    init makes them vanish and torchvision's explode."""
    import torch
    from torchvision.models import inception_v3

    with torch.device(device), torch.no_grad():
        model = inception_v3(weights=None, num_classes=1008, aux_logits=False, init_weights=False)
        if device != "meta":
            for mod in model.modules():
                if isinstance(mod, torch.nn.Conv2d):
                    torch.nn.init.kaiming_normal_(mod.weight, nonlinearity="relu")
    return model.state_dict()


def write_random_tf_inception(seed: int = 0, root: Path | None = None) -> Path:
    """A random TF-FID-layout Inception checkpoint (about 95 MB) for weights ``inception-v3-tf``."""
    import torch

    torch.manual_seed(seed)
    folder = root if root is not None else weights_dir("inception-v3-tf")
    return save_random_checkpoint(
        tf_inception_state_dict(), Path(folder) / CATALOGUE["inception-v3-tf"].files[0]
    )
