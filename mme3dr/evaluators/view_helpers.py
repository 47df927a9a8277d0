"""What the view-based (learned) evaluators share: view selection, the random-weights note and
view embeddings cached on the views. A helper module, not an evaluator: evaluator modules import
it and never each other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from mme3dr.evaluators.base import Sample
    from mme3dr.features.clip import ClipEncoder

#: prefix of every reason made with random weights
RANDOM_NOTE = "[random weights: not a score] "


def check_views(views: Any) -> list[int] | None:
    """``None`` (all views) or a list of view indices; ``ValueError`` otherwise."""
    if views is None or views == "all":
        return None
    if isinstance(views, int):
        views = [views]
    try:
        out = [int(v) for v in views]
    except (TypeError, ValueError):
        raise ValueError(f"views must be 'all' or a list of view indices, got {views!r}") from None
    if not out or any(v < 0 for v in out):
        raise ValueError(f"views must be non-empty, non-negative indices, got {views!r}")
    return out


def select_views(sample: Sample, views: list[int] | None) -> list[int]:
    """The view indices to use: all of the rig's views for ``None``; ``ValueError`` when an
    index is past the rig's last view."""
    n = sample.views().n_views
    if views is None:
        return list(range(n))
    bad = [v for v in views if v >= n]
    if bad:
        raise ValueError(f"view indices {bad} out of range: the rig has {n} views")
    return views


def view_embeddings(sample: Sample, enc: ClipEncoder) -> np.ndarray:
    """Unit embeddings ``[V, D]`` of all the sample's views by ``enc``, computed once per
    encoder and cached on the views (``views.cache[enc.view_cache_key]``): every CLIP-based
    evaluator of the case shares them, the batched encoder fills them ahead
    (:mod:`mme3dr.features.batch`), and renders of the same asset with another rig are other
    views, so they never share embeddings."""
    views = sample.views()
    key = enc.view_cache_key
    if key not in views.cache:
        views.cache[key] = enc.encode_images(views.rgb)
    return views.cache[key]


def random_prefix(enc: ClipEncoder) -> str:
    """:data:`RANDOM_NOTE` when ``enc`` runs on random weights, else ``""``."""
    return RANDOM_NOTE if enc.resolved.random else ""
