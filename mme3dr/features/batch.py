"""Encode the views of several cases in one call, in the process that owns the model.

Learned evaluators (``clip_score``, ``laion_aesthetic``, ``hps_v21``, ``mv_consistency`` with
CLIP features, ``janus``) read a case's view embeddings through
:func:`mme3dr.evaluators.view_helpers.view_embeddings`, which looks in the views' cache under
:attr:`~mme3dr.features.clip.ClipEncoder.view_cache_key` and encodes only on a miss. This module
fills those caches ahead of scoring for a *batch* of cases: the views of every case are
concatenated and encoded together (a GPU sees large batches, a CPU encoder runs fewer, larger
calls), and the prompts the evaluators will embed are encoded together too. Scoring then runs
exactly as for one case, through :mod:`mme3dr.scoring`, and finds the embeddings ready; the
numbers are those of the per-case path (to float tolerance: the encoder sees other batch
shapes).

An evaluator declares what it will encode with ``encoder_uses(case) -> tuple[EncoderUse, ...]``.
A failure never crosses cases: views that cannot be rendered are left out, a batch that fails
to encode is retried case by case, and a case that still fails keeps an empty cache, so its
evaluators encode (and fail) on their own, exactly as on the per-case path.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

#: most images given to the encoder in one forward pass
MAX_CHUNK_VIEWS = 256


@dataclass(frozen=True)
class EncoderUse:
    """One CLIP image encoder an evaluator will run on a case's views, and the texts it will
    embed with the same model (``weights`` and ``checkpoint`` as for :func:`load_clip`)."""

    weights: str
    checkpoint: str | None = None
    texts: tuple[str, ...] = ()


class Encodable(Protocol):
    """What :func:`encode_batch` needs of a case: its (lazily rendered) views, whose ``cache``
    receives the embeddings. :class:`mme3dr.evaluators.base.Sample` is one."""

    device: str

    def views(self) -> Any: ...


def evaluator_uses(evaluator: Any, case: Any) -> tuple[EncoderUse, ...]:
    """The encoders ``evaluator`` declares for ``case`` (``()`` when it declares none).

    A wrapped evaluator (a check expected to fail) declares its inner evaluator's uses."""
    inner = getattr(evaluator, "inner", evaluator)
    uses = getattr(inner, "encoder_uses", None)
    return tuple(uses(case)) if callable(uses) else ()


def uses_encoder(evaluator: Any, case: Any) -> bool:
    """Whether ``evaluator`` encodes views with a learned image encoder."""
    return bool(evaluator_uses(evaluator, case))


@dataclass
class BatchReport:
    """What one :func:`encode_batch` call did (for timings and tests)."""

    encoded_views: int = 0
    calls: int = 0
    fallbacks: int = 0  # cases encoded alone after their batch failed
    failed: list[int] = field(default_factory=list)  # sample indices left to encode themselves
    seconds: float = 0.0


def _views_rgb(sample: Encodable) -> np.ndarray | None:
    """The sample's uint8 views, or ``None`` when they cannot be rendered (the evaluators will
    meet the same error themselves)."""
    try:
        rgb = sample.views().rgb
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - the case's own evaluators report it
        return None
    rgb = np.asarray(rgb)
    if rgb.ndim != 4 or rgb.shape[-1] != 3 or rgb.dtype != np.uint8 or len(rgb) == 0:
        return None
    return rgb


def _load(use: EncoderUse, device: str, batch_size: int) -> Any | None:
    from mme3dr.features.clip import load_clip
    from mme3dr.weights import WeightsMissing

    try:
        return load_clip(use.weights, device, use.checkpoint, batch_size)
    except WeightsMissing:  # the evaluators say "skipped" with the reason themselves
        return None


def _encode_group(enc: Any, items: list[tuple[int, Encodable, np.ndarray]],
                  report: BatchReport) -> None:
    """Encode the views of ``items`` (same image shape) in one call; on failure, case by case."""
    key = enc.view_cache_key
    chunk = min(MAX_CHUNK_VIEWS, max(enc.batch_size, sum(len(rgb) for _, _, rgb in items)))
    try:
        emb = enc.encode_images(np.concatenate([rgb for _, _, rgb in items]), batch_size=chunk)
        report.calls += 1
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - one bad case must not sink the others
        emb = None
    if emb is not None:
        start = 0
        for _, sample, rgb in items:
            sample.views().cache[key] = emb[start : start + len(rgb)]
            start += len(rgb)
        report.encoded_views += start
        return
    for i, sample, rgb in items:
        report.fallbacks += 1
        try:
            sample.views().cache[key] = enc.encode_images(rgb, batch_size=chunk)
            report.calls += 1
            report.encoded_views += len(rgb)
        except MemoryError:
            raise
        except Exception:  # noqa: BLE001 - left for the case's evaluators to report
            report.failed.append(i)


def encode_batch(
    samples: Sequence[Encodable],
    uses: Sequence[Iterable[EncoderUse]],
    device: str = "cpu",
) -> BatchReport:
    """Fill the view-embedding caches of ``samples`` for the encoders in ``uses`` (one list per
    sample), encoding all their views together, and embed their texts together.

    Never raises for one bad case (see the module docstring); ``MemoryError`` propagates.
    """
    import time

    t0 = time.perf_counter()
    report = BatchReport()
    wanted: dict[tuple[str, str | None], list[tuple[int, EncoderUse]]] = {}
    for i, case_uses in enumerate(uses):
        for use in case_uses:
            wanted.setdefault((use.weights, use.checkpoint), []).append((i, use))
    for (weights, checkpoint), members in wanted.items():
        enc = _load(EncoderUse(weights, checkpoint), device, 32)
        if enc is None:
            continue
        texts = list(dict.fromkeys(t for _, use in members for t in use.texts))
        if texts:
            try:
                enc.encode_texts(texts)  # cached per prompt: the evaluators find them
            except Exception:  # noqa: BLE001 - each evaluator encodes (and fails) on its own
                pass
        groups: dict[tuple[int, ...], list[tuple[int, Encodable, np.ndarray]]] = {}
        for i in dict.fromkeys(i for i, _ in members):
            sample = samples[i]
            rgb = _views_rgb(sample)  # renders once; scoring reads the same views
            if rgb is None:
                report.failed.append(i)
                continue
            if enc.view_cache_key in sample.views().cache:
                continue
            groups.setdefault(tuple(rgb.shape[1:]), []).append((i, sample, rgb))
        for items in groups.values():
            _encode_group(enc, items, report)
    report.seconds = time.perf_counter() - t0
    return report
