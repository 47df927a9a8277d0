"""Aesthetic suite: learned predictors on CLIP embeddings of the views, multi-view consistency,
and weight-free appearance and mesh-quality statistics.

* ``laion_aesthetic``: a LAION-style aesthetic predictor (MLP head on unit CLIP ViT-L/14 image
  embeddings, output on a 1-10 scale) per view, reduced by ``mean`` (default) or ``max``;
  score ``clip((value - 1) / 9, 0, 1)``.
* ``hps_v21``: an HPS v2.1-style preference model (open_clip ViT-H-14 with a preference
  checkpoint): per view the cosine between image and prompt embeddings, reduced by ``mean`` or
  ``max``; score ``clip((value - lo) / (hi - lo))`` with lo 0.15, hi 0.35.
* ``mv_consistency``: CLIP embedding similarity of neighbouring views on each orbit ring.
* ``janus`` (opt-in, not validated, not in the default score): do views from opposite sides
  both look like the prompt's front? See :func:`janus_measure`.
* ``appearance`` and ``mesh_quality``: no weights; see :mod:`mme3dr.appearance` and
  :mod:`mme3dr.geometry.mesh_quality`. They are opt-in (list them in a case's ``checks``), so
  a run without learned weights leaves the aesthetic suite absent instead of filling it with
  heuristics; their per-view statistics are in the score details either way.

Learned evaluators whose weights are missing return a ``skipped`` score naming the missing
weights and the command that fetches them; results made with random weights say so.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from mme3dr.evaluators.base import Evaluator, Sample, Score
from mme3dr.evaluators.registry import register
from mme3dr.evaluators.view_helpers import (
    RANDOM_NOTE,
    check_views,
    random_prefix,
    select_views,
    view_embeddings,
)
from mme3dr.features.aesthetic_head import aesthetic_head_class
from mme3dr.features.batch import EncoderUse
from mme3dr.weights import Resolved, WeightsMissing, guarded_load, record_use, resolve


def _reduce(values: np.ndarray, how: str) -> float:
    return float(values.max() if how == "max" else values.mean())


def _check_reduce(reduce: str) -> str:
    if reduce not in ("mean", "max"):
        raise ValueError(f"reduce must be 'mean' or 'max', got {reduce!r}")
    return reduce


# ------------------------------------------------------------------------------ LAION aesthetic


def _mesh_quality(asset: Any) -> Any:
    """Triangle quality and normal consistency of the asset's mesh (cached by ``measure``)."""
    from mme3dr.geometry.mesh_quality import mesh_quality

    return mesh_quality(asset.mesh)


def __getattr__(name: str) -> Any:  # lazy: importing the module must not import torch
    if name == "AestheticHead":
        return aesthetic_head_class()
    raise AttributeError(name)


_HEADS: dict[tuple[str, str], tuple[Any, Resolved]] = {}
_HEADS_LOCK = threading.Lock()


def load_aesthetic_head(
    name: str = "laion-aesthetic-v2", device: str = "cpu", checkpoint: str | None = None
):
    """The aesthetic MLP head (input size read from the checkpoint), cached per process.

    A file that does not load raises :class:`mme3dr.weights.WeightsLoadError` once and then
    at once on every later call (see :func:`mme3dr.weights.guarded_load`)."""
    resolved = resolve(name, checkpoint)
    key = (str(resolved.path), device)
    with _HEADS_LOCK:
        if key not in _HEADS:
            head = guarded_load(resolved, lambda: _read_head(resolved), "LAION aesthetic MLP")
            _HEADS[key] = (head.to(device).eval(), resolved)
    record_use(resolved)
    return _HEADS[key]


def _read_head(resolved: Resolved):
    import torch

    sd = torch.load(resolved.path, map_location="cpu", weights_only=True)
    if isinstance(sd, dict) and "state_dict" in sd:
        sd = sd["state_dict"]
    if not isinstance(sd, dict) or "layers.0.weight" not in sd:
        keys = list(sd)[:3] if isinstance(sd, dict) else []
        raise ValueError(
            f"no 'layers.0.weight' in the file (not a LAION aesthetic head; keys e.g. {keys})"
        )
    head = aesthetic_head_class()(int(sd["layers.0.weight"].shape[1]))
    head.load_state_dict(sd)
    return head


def _load_both(loaders: list) -> tuple[list, list[str]]:
    got, missing = [], []
    for fn in loaders:
        try:
            got.append(fn())
        except WeightsMissing as exc:
            missing.append(str(exc))
    return got, missing


@register
class LaionAestheticEvaluator(Evaluator):
    """LAION-style aesthetic predictor per view (1-10), reduced by mean or max over views."""

    name = "laion_aesthetic"
    suite = "aesthetic"
    version = "1"
    needs_views = True
    runs_by_default = True
    description = "LAION aesthetic predictor (MLP on CLIP ViT-L/14 view embeddings, 1-10)"

    def __init__(
        self,
        *,
        model: str = "clip-vit-l-14",
        head: str = "laion-aesthetic-v2",
        reduce: str = "mean",
        views: Any = None,
        batch_size: int = 32,
    ):
        super().__init__(
            model=model,
            head=head,
            reduce=_check_reduce(reduce),
            views=check_views(views),
            batch_size=int(batch_size),
        )

    def required_weights(self) -> tuple[tuple[str, str | None], ...]:
        return ((self.params["model"], None), (self.params["head"], None))

    def encoder_uses(self, case: Any) -> tuple[EncoderUse, ...]:
        """The CLIP model on every view (see :mod:`mme3dr.features.batch`)."""
        return (EncoderUse(self.params["model"]),)

    def evaluate(self, sample: Sample) -> Score:
        import torch

        from mme3dr.features.clip import load_clip

        p = self.params
        got, missing = _load_both(
            [
                lambda: load_clip(p["model"], sample.device, None, p["batch_size"]),
                lambda: load_aesthetic_head(p["head"], sample.device),
            ]
        )
        if missing:
            return self.make_score(None, status="skipped", reason="; ".join(missing))
        enc, (head, head_res) = got
        idx = select_views(sample, p["views"])
        emb = view_embeddings(sample, enc)[idx]
        if emb.shape[1] != head.in_dim:
            raise ValueError(
                f"aesthetic head expects {head.in_dim}-d embeddings but {p['model']} gives "
                f"{emb.shape[1]}-d; use the CLIP model the head was trained on"
            )
        with torch.inference_mode():
            x = torch.from_numpy(emb).to(sample.device)
            per_view = head(x).float().cpu().numpy()[:, 0].astype(np.float64)
        value = _reduce(per_view, p["reduce"])
        rnd = random_prefix(enc) or (RANDOM_NOTE if head_res.random else "")
        info = enc.info()
        info["head_checkpoint"] = str(head_res.path)
        if head_res.random:
            info["weights"] = "random weights"
        return self.make_score(
            (value - 1.0) / 9.0,
            value=value,
            reason=(
                f"{rnd}aesthetic {p['reduce']} {value:.2f} on the 1-10 scale over {len(idx)} "
                f"views (min {per_view.min():.2f}, max {per_view.max():.2f})"
            ),
            per_view=[round(float(v), 4) for v in per_view],
            mean=float(per_view.mean()),
            max=float(per_view.max()),
            views=idx,
            scale="LAION aesthetic predictor output, nominally 1-10",
            **info,
        )


@register
class HpsV21Evaluator(Evaluator):
    """HPS v2.1-style preference score: per-view cosine between image and prompt embeddings of
    a preference-tuned CLIP (weights ``hpsv2.1``: open_clip ViT-H-14 + the HPS checkpoint).
    Any preference checkpoint of the same kind can be plugged in with ``checkpoint``."""

    name = "hps_v21"
    suite = "aesthetic"
    version = "1"
    needs_views = True
    runs_by_default = True
    description = "HPS v2.1 human-preference score (ViT-H-14 preference model), mean or max"

    def __init__(
        self,
        *,
        model: str = "hpsv2.1",
        checkpoint: str | None = None,
        reduce: str = "mean",
        views: Any = None,
        lo: float = 0.15,
        hi: float = 0.35,
        batch_size: int = 16,
    ):
        if not float(hi) > float(lo):
            raise ValueError(f"hi must be > lo, got lo={lo} hi={hi}")
        super().__init__(
            model=model,
            checkpoint=checkpoint,
            reduce=_check_reduce(reduce),
            views=check_views(views),
            lo=float(lo),
            hi=float(hi),
            batch_size=int(batch_size),
        )

    def required_weights(self) -> tuple[tuple[str, str | None], ...]:
        return ((self.params["model"], self.params["checkpoint"]),)

    def encoder_uses(self, case: Any) -> tuple[EncoderUse, ...]:
        """The preference model on every view, and the prompt."""
        return (EncoderUse(self.params["model"], self.params["checkpoint"], (case.prompt,)),)

    def evaluate(self, sample: Sample) -> Score:
        from mme3dr.features.clip import load_clip

        p = self.params
        try:
            enc = load_clip(p["model"], sample.device, p["checkpoint"], p["batch_size"])
        except WeightsMissing as exc:
            return self.make_score(None, status="skipped", reason=str(exc))
        idx = select_views(sample, p["views"])
        img = view_embeddings(sample, enc)[idx]
        per_view = (img @ enc.encode_texts([sample.case.prompt])[0]).astype(np.float64)
        value = _reduce(per_view, p["reduce"])
        return self.make_score(
            (value - p["lo"]) / (p["hi"] - p["lo"]),
            value=value,
            reason=(
                f"{random_prefix(enc)}preference score {p['reduce']} {value:.4f} over "
                f"{len(idx)} views (cosine, HPS scale)"
            ),
            per_view=[round(float(v), 6) for v in per_view],
            mean=float(per_view.mean()),
            max=float(per_view.max()),
            views=idx,
            **enc.info(),
        )


# ------------------------------------------------------------------------------ multi-view


def pixel_embeddings(rgb: np.ndarray, size: int = 32) -> np.ndarray:
    """Weight-free view embeddings: grey ``size`` x ``size`` thumbnails (area-averaged),
    centred and L2-normalised (their dot product is the images' correlation)."""
    v, h, w = rgb.shape[:3]
    y = rgb.astype(np.float64).mean(axis=3)
    fh, fw = max(1, h // size), max(1, w // size)
    y = y[:, : fh * (h // fh), : fw * (w // fw)]
    y = y.reshape(v, h // fh, fh, w // fw, fw).mean(axis=(2, 4)).reshape(v, -1)
    y -= y.mean(axis=1, keepdims=True)
    n = np.linalg.norm(y, axis=1, keepdims=True)
    return np.divide(y, n, out=np.zeros_like(y), where=n > 0)


def rings(azimuths: tuple[float, ...], elevations: tuple[float, ...]) -> list[list[int]]:
    """View indices grouped by elevation, each sorted by azimuth."""
    groups: dict[float, list[int]] = {}
    for i, e in enumerate(elevations):
        groups.setdefault(round(e, 6), []).append(i)
    return [sorted(g, key=lambda i: azimuths[i] % 360.0) for _, g in sorted(groups.items())]


def ring_pairs(ring: list[int], azimuths: tuple[float, ...]) -> list[tuple[int, int]]:
    """Neighbouring pairs along a ring; it wraps when the closing gap is no wider than 1.5x the
    widest other gap (an even orbit)."""
    if len(ring) < 2:
        return []
    pairs = list(zip(ring[:-1], ring[1:], strict=True))
    az = [azimuths[i] % 360.0 for i in ring]
    gaps = np.diff(az)
    closing = az[0] + 360.0 - az[-1]
    if len(ring) >= 3 and closing <= 1.5 * float(gaps.max()) + 1e-9:
        pairs.append((ring[-1], ring[0]))
    return pairs


def _find(ring: list[int], azimuths, target: float) -> int | None:
    for i in ring:
        if abs(((azimuths[i] - target) + 180.0) % 360.0 - 180.0) < 1e-3:
            return i
    return None


def opposite_quads(azimuths, elevations) -> list[tuple[int, int, int, int]]:
    """``(a, a + 180, a + 90, a - 90)`` view quadruples on the ring closest to eye level that
    has any (each axis once: ``a`` in [0, 180)); ``[]`` when no ring has such views."""
    for ring in sorted(rings(azimuths, elevations), key=lambda r: abs(elevations[r[0]])):
        quads = []
        for i in ring:
            a = azimuths[i]
            if not 0.0 <= a % 360.0 < 180.0:
                continue
            j = _find(ring, azimuths, a + 180.0)
            s1, s2 = _find(ring, azimuths, a + 90.0), _find(ring, azimuths, a - 90.0)
            if j is not None and s1 is not None and s2 is not None:
                quads.append((i, j, s1, s2))
        if quads:
            return quads
    return []


def front_likeness(img: np.ndarray, front: np.ndarray, back: np.ndarray) -> np.ndarray:
    """Per view, how much more it matches the prompt's front than its back:
    ``cos(view, front) - cos(view, back)`` for unit embeddings (``[V, D]``, ``[D]``, ``[D]``).
    0 means the view looks as much like the back as like the front (e.g. a table, which has
    neither)."""
    img = np.asarray(img, dtype=np.float64)
    return img @ np.asarray(front, np.float64) - img @ np.asarray(back, np.float64)


def janus_measure(front: np.ndarray, azimuths, elevations) -> dict[str, Any] | None:
    """Do views from opposite sides *both* look like the front?

    ``front[v]`` is a front-likeness per view (:func:`front_likeness`). For each opposite pair
    ``(a, a + 180)`` with side views ``a +- 90`` on the eye-level ring,
    ``gap = min(f[a], f[a + 180]) - max(f[a + 90], f[a - 90], 0)``: positive only when both
    opposite views look more like the front than like the back *and* more than either side
    does. ``janus`` is the largest gap over the axes, so no azimuth is assumed to be the front;
    ``front_view`` is the view with the highest front-likeness. Symmetry alone cannot make the
    gap positive: a front/back- (or mirror-) symmetric object with no front has ``f`` about 0
    everywhere, and an object with one front has ``f[a + 180] < 0``. ``None`` when the rig has
    no opposite and side views on one ring.
    """
    quads = opposite_quads(azimuths, elevations)
    if not quads:
        return None
    f = np.asarray(front, dtype=np.float64)
    pairs = []
    for i, j, s1, s2 in quads:
        gap = float(min(f[i], f[j]) - max(f[s1], f[s2], 0.0))
        pairs.append({"views": [i, j], "sides": [s1, s2], "azimuth": azimuths[i], "gap": gap})
    worst = max(pairs, key=lambda p: p["gap"])
    ring = sorted({v for q in quads for v in q})
    top = max(ring, key=lambda v: f[v])
    return {
        "janus": worst["gap"],
        "axis": worst,
        "front_view": int(top),
        "front_azimuth": float(azimuths[top]),
        "front_likeness": {int(v): round(float(f[v]), 6) for v in ring},
        "pairs": pairs,
    }


@register
class MultiViewConsistencyEvaluator(Evaluator):
    """Do neighbouring views show one object?

    ``value`` is the mean cosine of view embeddings between neighbouring views on each orbit
    ring; score ``clip((neighbour - c_lo) / (c_hi - c_lo))``. ``features`` is ``clip``
    (weights ``model``) or ``pixels`` (weight-free grey thumbnails; coarse but needs nothing).

    Version 2 dropped the front/back "Janus" penalty of version 1, which marked down correct
    front/back-symmetric objects (tables, benches); the Janus question is now the opt-in
    :class:`JanusEvaluator` (``janus``).
    """

    name = "mv_consistency"
    suite = "aesthetic"
    version = "2"
    needs_views = True
    runs_by_default = True
    description = "neighbouring views of the orbit agree (one coherent object)"

    def __init__(
        self,
        *,
        features: str = "clip",
        model: str = "clip-vit-b-32",
        c_lo: float = 0.5,
        c_hi: float = 0.95,
        batch_size: int = 32,
    ):
        if features not in ("clip", "pixels"):
            raise ValueError(f"features must be 'clip' or 'pixels', got {features!r}")
        if not float(c_hi) > float(c_lo):
            raise ValueError("c_hi must be > c_lo")
        super().__init__(
            features=features,
            model=model,
            c_lo=float(c_lo),
            c_hi=float(c_hi),
            batch_size=int(batch_size),
        )

    def required_weights(self) -> tuple[tuple[str, str | None], ...]:
        return ((self.params["model"], None),) if self.params["features"] == "clip" else ()

    def encoder_uses(self, case: Any) -> tuple[EncoderUse, ...]:
        """The CLIP model on every view when ``features`` is ``clip``; nothing otherwise."""
        return (EncoderUse(self.params["model"]),) if self.params["features"] == "clip" else ()

    def evaluate(self, sample: Sample) -> Score:
        p = self.params
        views = sample.views()
        rig = views.rig
        az, el = rig.azimuths_deg, rig.elevations_deg
        pairs = [pr for ring in rings(az, el) for pr in ring_pairs(ring, az)]
        if not pairs:
            return self.make_score(
                None,
                status="skipped",
                reason=f"rig {rig.name} has no neighbouring views on an orbit; use e.g. orbit8",
            )
        info: dict[str, Any] = {"features": p["features"]}
        prefix = ""
        if p["features"] == "clip":
            from mme3dr.features.clip import load_clip

            try:
                enc = load_clip(p["model"], sample.device, None, p["batch_size"])
            except WeightsMissing as exc:
                return self.make_score(
                    None,
                    status="skipped",
                    reason=f"{exc} (or run with features='pixels', which needs no weights)",
                )
            emb = view_embeddings(sample, enc)
            info.update(enc.info())
            prefix = random_prefix(enc)
        else:
            emb = pixel_embeddings(views.rgb)
        sims = [float(emb[i] @ emb[j]) for i, j in pairs]
        neighbour = float(np.mean(sims))
        score = float(np.clip((neighbour - p["c_lo"]) / (p["c_hi"] - p["c_lo"]), 0.0, 1.0))
        return self.make_score(
            score,
            value=neighbour,
            reason=f"{prefix}neighbouring views similarity {neighbour:.3f} over {len(pairs)} pairs",
            neighbour_similarity=neighbour,
            pair_similarity=[
                [int(i), int(j), round(s, 6)] for (i, j), s in zip(pairs, sims, strict=True)
            ],
            **info,
        )


@register
class JanusEvaluator(Evaluator):
    """Janus (multi-face) check: do views from opposite sides both look like the prompt's front?

    Front-likeness per view is ``cos(view, T(front)) - cos(view, T(back))`` with CLIP text
    embeddings of ``front_template`` / ``back_template`` filled with the prompt, and the
    verdict is :func:`janus_measure` on the eye-level ring (needs views at a, a + 180 and
    a +- 90). ``passed`` when ``janus < margin``; score ``1 - clip(janus / scale, 0, 1)``.

    **Not validated yet, so opt-in** (``runs_by_default = False``; list ``{"check": "janus"}``
    in a case): it is not part of the default aesthetic score. ``margin`` and ``scale`` are in
    cosine units and have not been calibrated on real Janus / non-Janus generations.
    """

    name = "janus"
    suite = "aesthetic"
    version = "1"
    needs_views = True
    runs_by_default = False
    description = "opposite views both look like the prompt's front (multi-face), opt-in"

    def __init__(
        self,
        *,
        model: str = "clip-vit-b-32",
        front_template: str = "the front of {prompt}",
        back_template: str = "the back of {prompt}",
        margin: float = 0.01,
        scale: float = 0.03,
        batch_size: int = 32,
    ):
        for t in (front_template, back_template):
            if "{prompt}" not in t:
                raise ValueError(f"templates must contain '{{prompt}}', got {t!r}")
        if not float(margin) >= 0 or not float(scale) > 0:
            raise ValueError("margin must be >= 0 and scale > 0")
        super().__init__(
            model=model,
            front_template=front_template,
            back_template=back_template,
            margin=float(margin),
            scale=float(scale),
            batch_size=int(batch_size),
        )

    def required_weights(self) -> tuple[tuple[str, str | None], ...]:
        return ((self.params["model"], None),)

    def encoder_uses(self, case: Any) -> tuple[EncoderUse, ...]:
        """The CLIP model on every view, and the front and back texts of the prompt."""
        p = self.params
        texts = tuple(t.format(prompt=case.prompt) for t in (p["front_template"],
                                                              p["back_template"]))
        return (EncoderUse(p["model"], None, texts),)

    def evaluate(self, sample: Sample) -> Score:
        from mme3dr.features.clip import load_clip

        p = self.params
        rig = sample.views().rig
        if not opposite_quads(rig.azimuths_deg, rig.elevations_deg):
            return self.make_score(
                None,
                status="skipped",
                reason=f"rig {rig.name} has no opposite and side views on one ring (use orbit8)",
            )
        try:
            enc = load_clip(p["model"], sample.device, None, p["batch_size"])
        except WeightsMissing as exc:
            return self.make_score(None, status="skipped", reason=str(exc))
        prompt = sample.case.prompt
        texts = [
            p["front_template"].format(prompt=prompt),
            p["back_template"].format(prompt=prompt),
        ]
        t_front, t_back = enc.encode_texts(texts)
        f = front_likeness(view_embeddings(sample, enc), t_front, t_back)
        jm = janus_measure(f, rig.azimuths_deg, rig.elevations_deg)
        assert jm is not None  # opposite_quads checked above
        janus = jm["janus"]
        flagged = janus >= p["margin"]
        i, j = jm["axis"]["views"]
        reason = (
            f"{random_prefix(enc)}Janus gap {janus:.4f} (views {i} and {j}: both front-like "
            f"beyond the sides by {janus:.4f}; margin {p['margin']}); front view {jm['front_view']}"
        )
        if flagged:
            reason += ": opposite views both look like the front (multi-faced)"
        return self.make_score(
            1.0 - float(np.clip(janus / p["scale"], 0.0, 1.0)),
            value=janus,
            passed=not flagged,
            reason=reason,
            validated=False,
            **jm,
            **enc.info(),
        )


# ------------------------------------------------------------------------------ weight-free


@register
class AppearanceEvaluator(Evaluator):
    """Weight-free appearance: colourfulness, contrast and texture of the foreground, averaged
    over views (see :mod:`mme3dr.appearance`). Score: mean of ``clip(colourfulness / 50)``,
    ``clip(contrast / 0.2)`` and ``clip(texture / 0.1)``; a plain, untextured, single-colour
    render scores near 0."""

    name = "appearance"
    suite = "aesthetic"
    version = "1"
    needs_views = True
    # opt-in (a case check): untextured but correct assets would otherwise be marked down
    runs_by_default = False
    description = "weight-free colourfulness, contrast and texture of the rendered views"

    def __init__(
        self,
        *,
        colour_ref: float = 50.0,
        contrast_ref: float = 0.2,
        texture_ref: float = 0.1,
        texture_threshold: float = 0.02,
    ):
        for n, v in (
            ("colour_ref", colour_ref),
            ("contrast_ref", contrast_ref),
            ("texture_ref", texture_ref),
            ("texture_threshold", texture_threshold),
        ):
            if not float(v) > 0:
                raise ValueError(f"{n} must be > 0, got {v}")
        super().__init__(
            colour_ref=float(colour_ref),
            contrast_ref=float(contrast_ref),
            texture_ref=float(texture_ref),
            texture_threshold=float(texture_threshold),
        )

    def evaluate(self, sample: Sample) -> Score:
        from mme3dr.appearance import appearance

        p = self.params
        views = sample.views()
        stats = appearance(views.rgb, views.mask, p["texture_threshold"])
        seen = [s for s in stats if s.coverage > 0]
        if not seen:
            return self.make_score(0.0, value=None, reason="the asset covers no pixel in any view")
        col = float(np.mean([s.colourfulness for s in seen]))
        con = float(np.mean([s.contrast for s in seen]))
        tex = float(np.mean([s.texture for s in seen]))
        parts = {
            "colourfulness": min(1.0, col / p["colour_ref"]),
            "contrast": min(1.0, con / p["contrast_ref"]),
            "texture": min(1.0, tex / p["texture_ref"]),
        }
        return self.make_score(
            float(np.mean(list(parts.values()))),
            value={"colourfulness": col, "contrast": con, "texture": tex},
            reason=(
                f"colourfulness {col:.1f} (Hasler-Suesstrunk), RMS contrast {con:.3f}, "
                f"textured pixels {100 * tex:.1f}% over {len(seen)} views"
            ),
            sub_scores=parts,
            per_view=[s.to_dict() for s in stats],
        )


@register
class MeshQualityEvaluator(Evaluator):
    """Weight-free mesh quality: triangle shape and normal consistency (see
    :mod:`mme3dr.geometry.mesh_quality`). Score: mean of ``clip(area-weighted q / 0.7)`` and
    ``1 - clip(bad edge fraction / 0.05)``."""

    name = "mesh_quality"
    suite = "aesthetic"
    version = "1"
    # opt-in (a case check): CAD-like meshes have long thin triangles by construction
    runs_by_default = False
    description = "weight-free triangle quality and normal/winding consistency of the mesh"

    def __init__(self, *, q_ref: float = 0.7, bad_ref: float = 0.05):
        if not 0 < float(q_ref) <= 1 or not float(bad_ref) > 0:
            raise ValueError("q_ref must be in (0, 1] and bad_ref > 0")
        super().__init__(q_ref=float(q_ref), bad_ref=float(bad_ref))

    def evaluate(self, sample: Sample) -> Score:
        mq = sample.asset.measure(_mesh_quality)
        p = self.params
        tri = min(1.0, mq.tri_quality_area_weighted / p["q_ref"])
        bad = mq.bad_edge_fraction if mq.bad_edge_fraction == mq.bad_edge_fraction else 0.0
        nrm = 1.0 - min(1.0, bad / p["bad_ref"])
        return self.make_score(
            0.5 * (tri + nrm),
            value=mq.tri_quality_area_weighted,
            reason=(
                f"triangle quality {mq.tri_quality_area_weighted:.2f} (area-weighted, 1 = "
                f"equilateral), {100 * mq.sliver_fraction:.1f}% slivers; "
                f"{100 * bad:.2f}% of interior edges flipped or folded"
            ),
            sub_scores={"triangles": tri, "normals": nrm},
            **mq.to_dict(),
        )
