"""open_clip image/text encoders: loaded once per process, batched, no-grad, text cached per prompt.

Preprocessing matches open_clip's for square images: resize to the model's ``image_size``
(bicubic; torch's antialiased resize rather than PIL's), normalise with the OpenAI CLIP mean and
std. Embeddings are L2-normalised float32 numpy arrays.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mme3dr.features import check_native_libs, to_tensor
from mme3dr.weights import Resolved, guarded_load, record_use, resolve

OPENAI_MEAN = (0.48145466, 0.4578275, 0.40821073)
OPENAI_STD = (0.26862954, 0.26130258, 0.27577711)


@dataclass
class ClipEncoder:
    """A loaded CLIP model with its tokenizer and preprocessing."""

    model: Any
    tokenizer: Any
    image_size: int
    context_length: int
    device: str
    resolved: Resolved
    batch_size: int = 32
    _text_cache: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def key(self) -> str:
        return f"{self.resolved.spec.name}@{self.resolved.path}"

    @property
    def view_cache_key(self) -> str:
        """Where a case's view embeddings by this encoder live in ``Views.cache`` (shared by
        every CLIP-based evaluator of the case, and filled ahead by the batched encoder)."""
        return f"clip_image:{self.key}:{self.device}"

    def info(self) -> dict[str, Any]:
        """What to record beside every number: model, pretrained tag, checkpoint, weights."""
        r = self.resolved
        return {
            "model": r.spec.arch if not r.meta.get("model_cfg") else f"{r.spec.arch} (custom cfg)",
            "pretrained": r.spec.tag,
            "weights_name": r.spec.name,
            "checkpoint": str(r.path),
            "weights": "random weights" if r.random else "pretrained",
            "image_size": self.image_size,
        }

    # -------------------------------------------------------------------------------- images

    def encode_images(self, rgb: np.ndarray, batch_size: int | None = None) -> np.ndarray:
        """L2-normalised embeddings ``[V, D]`` of uint8 images ``[V, H, W, 3]``, encoded in
        chunks of ``batch_size`` images (default: the encoder's ``batch_size``)."""
        import torch

        step = max(1, int(batch_size or self.batch_size))
        out = []
        with torch.inference_mode():
            for i in range(0, len(rgb), step):
                x = to_tensor(
                    rgb[i : i + step],
                    self.image_size,
                    OPENAI_MEAN,
                    OPENAI_STD,
                    self.device,
                )
                out.append(self.model.encode_image(x, normalize=True).float().cpu())
        return torch.cat(out).numpy()

    # -------------------------------------------------------------------------------- text

    def token_count(self, text: str) -> int:
        """Tokens of ``text`` including start and end tokens, before truncation."""
        return len(self.tokenizer.encode(text)) + 2

    def encode_texts(self, texts: list[str]) -> np.ndarray:
        """L2-normalised embeddings ``[N, D]``; each distinct prompt is encoded once per process.

        Prompts longer than the context are truncated (end token kept), never skipped.
        """
        import torch

        with self._lock:
            todo = list(dict.fromkeys(t for t in texts if t not in self._text_cache))
        if todo:
            with torch.inference_mode():
                for i in range(0, len(todo), self.batch_size):
                    chunk = todo[i : i + self.batch_size]
                    tokens = self.tokenizer(chunk, context_length=self.context_length)
                    emb = self.model.encode_text(tokens.to(self.device), normalize=True)
                    emb = emb.float().cpu().numpy()
                    with self._lock:
                        for t, e in zip(chunk, emb, strict=True):
                            self._text_cache[t] = e
        with self._lock:
            return np.stack([self._text_cache[t] for t in texts])


_MODELS: dict[tuple[str, str, str], ClipEncoder] = {}
_MODELS_LOCK = threading.Lock()


def _build(resolved: Resolved, device: str) -> Any:
    import open_clip

    spec = resolved.spec
    cfg = resolved.meta.get("model_cfg")
    if cfg:
        model = open_clip.model.CLIP(**cfg, quick_gelu=bool(cfg.get("quick_gelu", False)))
    else:
        # the architecture from open_clip's bundled config; pretrained=None never downloads
        # (quiet: open_clip warns "initialized randomly" before the checkpoint is loaded below)
        previous = logging.root.manager.disable
        logging.disable(logging.WARNING)
        try:
            model = open_clip.create_model(
                spec.arch, pretrained=None, force_quick_gelu=spec.quick_gelu, device=device
            )
        finally:
            logging.disable(previous)
    open_clip.load_checkpoint(model, str(resolved.path), weights_only=True)
    return model.to(device).eval()


def load_clip(
    name: str = "clip-vit-b-32",
    device: str = "cpu",
    checkpoint: str | None = None,
    batch_size: int = 32,
) -> ClipEncoder:
    """The CLIP encoder for weights ``name`` (raises :class:`mme3dr.weights.WeightsMissing`).

    Loaded once per process for each (name, checkpoint path, device). A file that fails to
    load raises :class:`mme3dr.weights.WeightsLoadError` (a ``WeightsMissing``) naming the
    file, and the failure is remembered: later calls raise at once, without rebuilding.
    """
    resolved = resolve(name, checkpoint)
    key = (name, str(resolved.path), device)
    with _MODELS_LOCK:
        enc = _MODELS.get(key)
        if enc is None:
            check_native_libs()
            import open_clip

            cfg = resolved.meta.get("model_cfg")
            if cfg is None:
                cfg = open_clip.get_model_config(resolved.spec.arch)
            what = f"open_clip {resolved.spec.arch}" + (" (custom cfg)" if cfg else "")
            model = guarded_load(resolved, lambda: _build(resolved, device), what)
            vision = cfg["vision_cfg"]
            size = vision.get("image_size", 224)
            size = size[0] if isinstance(size, list | tuple) else int(size)
            ctx = int(cfg["text_cfg"].get("context_length", 77))
            enc = ClipEncoder(
                model=model,
                tokenizer=open_clip.SimpleTokenizer(context_length=ctx),
                image_size=size,
                context_length=ctx,
                device=device,
                resolved=resolved,
                batch_size=batch_size,
            )
            _MODELS[key] = enc
    enc.batch_size = batch_size
    record_use(resolved)
    return enc


def clear_cache() -> None:
    """Forget loaded models (tests)."""
    with _MODELS_LOCK:
        _MODELS.clear()
