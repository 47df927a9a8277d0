"""Alignment suite: does the asset look like its prompt? CLIP score per case, R-precision per set.

**CLIP score** (``clip_score``): open_clip cosine between each rendered view and the prompt,
reported on the 0-100 scale ``100 * max(cos, 0)`` per view and aggregated over views as mean,
min and trimmed mean (``trim`` of the views dropped at each end). The prompt is truncated to the
tokenizer's context (77 tokens, end token kept), never skipped; the record says when it was.
The suite score maps the chosen aggregate linearly from ``[lo, hi]`` (default 15..35 on the
0-100 scale, where unrelated and well-matched pairs sit for CLIP ViT-B/32) onto [0, 1].

**CLIP R-precision** (``clip_r_precision``, a set metric in ``summary["set_metrics"]``): after the
per-case pass, every asset's views are ranked against all distinct prompts of the run by mean
view-prompt cosine; R@k is the fraction of cases whose own prompt is among the top k (ties count
against the asset; missing and errored cases count as misses).

Views are rendered once per case (:meth:`Sample.views`) and encoded once per case and model
(``asset.cached``), so every CLIP-based evaluator of a case shares them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from mme3dr.evaluators.base import Evaluator, Sample, Score
from mme3dr.evaluators.registry import register
from mme3dr.features import preload_native_libs
from mme3dr.weights import WeightsMissing

preload_native_libs()

if TYPE_CHECKING:
    from mme3dr.features.clip import ClipEncoder
    from mme3dr.metrics import RunContext
    from mme3dr.results import Record

SCALE = "100 * max(cos, 0)"
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
    n = sample.views().n_views
    if views is None:
        return list(range(n))
    bad = [v for v in views if v >= n]
    if bad:
        raise ValueError(f"view indices {bad} out of range: the rig has {n} views")
    return views


def view_embeddings(sample: Sample, enc: ClipEncoder) -> np.ndarray:
    """Unit CLIP embeddings ``[V, D]`` of all views of the sample, computed once per model."""
    return sample.asset.cached(
        f"clip_image:{enc.key}:{enc.device}", lambda: enc.encode_images(sample.views().rgb)
    )


def trimmed_mean(values: np.ndarray, trim: float) -> float:
    """Mean after dropping ``floor(trim * n)`` values at each end (sorted)."""
    v = np.sort(np.asarray(values, dtype=np.float64))
    k = int(np.floor(trim * len(v)))
    if 2 * k >= len(v):
        k = (len(v) - 1) // 2
    return float(v[k : len(v) - k].mean())


def clip_scale(cos: np.ndarray) -> np.ndarray:
    """The reported CLIP score: ``100 * max(cos, 0)``."""
    return 100.0 * np.maximum(np.asarray(cos, dtype=np.float64), 0.0)


def random_prefix(enc: ClipEncoder) -> str:
    return RANDOM_NOTE if enc.resolved.random else ""


@register
class ClipScore(Evaluator):
    """CLIP score of the views against the prompt (see the module docstring).

    ``value`` is the ``aggregate`` (``mean``, ``min`` or ``trimmed_mean``) of the per-view
    ``100 * max(cos, 0)``; score ``clip((value - lo) / (hi - lo), 0, 1)``. Details hold every
    view's score and cosine, all three aggregates, the model, pretrained tag, checkpoint, the
    scaling, the views used and whether the prompt was truncated.
    """

    name = "clip_score"
    suite = "alignment"
    version = "1"
    needs_views = True
    runs_by_default = True
    description = "CLIP score 100*max(cos,0) of each view vs the prompt (mean/min/trimmed mean)"

    def __init__(
        self,
        *,
        model: str = "clip-vit-b-32",
        checkpoint: str | None = None,
        views: Any = None,
        aggregate: str = "mean",
        trim: float = 0.2,
        lo: float = 15.0,
        hi: float = 35.0,
        batch_size: int = 32,
    ):
        if aggregate not in ("mean", "min", "trimmed_mean"):
            raise ValueError(f"aggregate must be mean, min or trimmed_mean, got {aggregate!r}")
        if not 0.0 <= float(trim) < 0.5:
            raise ValueError(f"trim must be in [0, 0.5), got {trim}")
        if not float(hi) > float(lo):
            raise ValueError(f"hi must be > lo, got lo={lo} hi={hi}")
        super().__init__(
            model=model,
            checkpoint=checkpoint,
            views=check_views(views),
            aggregate=aggregate,
            trim=float(trim),
            lo=float(lo),
            hi=float(hi),
            batch_size=int(batch_size),
        )

    def required_weights(self) -> tuple[tuple[str, str | None], ...]:
        return ((self.params["model"], self.params["checkpoint"]),)

    def evaluate(self, sample: Sample) -> Score:
        from mme3dr.features.clip import load_clip

        p = self.params
        try:
            enc = load_clip(p["model"], sample.device, p["checkpoint"], p["batch_size"])
        except WeightsMissing as exc:
            return self.make_score(None, status="skipped", reason=str(exc))
        idx = select_views(sample, p["views"])
        img = view_embeddings(sample, enc)[idx]
        prompt = sample.case.prompt
        txt = enc.encode_texts([prompt])[0]
        cos = img @ txt
        per_view = clip_scale(cos)
        aggs = {
            "mean": float(per_view.mean()),
            "min": float(per_view.min()),
            "trimmed_mean": trimmed_mean(per_view, p["trim"]),
        }
        value = aggs[p["aggregate"]]
        n_tok = enc.token_count(prompt)
        truncated = n_tok > enc.context_length
        rig = sample.views().rig
        reason = (
            f"{random_prefix(enc)}CLIP score ({SCALE}) {p['aggregate']} {value:.2f} over "
            f"{len(idx)} views (min {aggs['min']:.2f}, trimmed mean {aggs['trimmed_mean']:.2f})"
        )
        if truncated:
            reason += f"; prompt truncated from {n_tok} to {enc.context_length} tokens"
        return self.make_score(
            (value - p["lo"]) / (p["hi"] - p["lo"]),
            value=value,
            reason=reason,
            scale=SCALE,
            per_view=[round(float(v), 4) for v in per_view],
            cosine=[round(float(c), 6) for c in cos],
            mean=aggs["mean"],
            min=aggs["min"],
            trimmed_mean=aggs["trimmed_mean"],
            views=idx,
            view_angles=[[rig.azimuths_deg[i], rig.elevations_deg[i]] for i in idx],
            prompt_tokens=n_tok,
            prompt_truncated=truncated,
            context_length=enc.context_length,
            # mean of the unit view embeddings: its dot with a unit text embedding is the mean
            # view cosine, which is what R-precision ranks prompts by
            view_embedding_mean=[round(float(x), 6) for x in img.mean(axis=0)],
            **enc.info(),
        )


def r_precision(
    image_means: np.ndarray, text: np.ndarray, truth: np.ndarray, ks=(1, 5, 10)
) -> tuple[dict[str, float], np.ndarray]:
    """R@k of each row of ``image_means`` ``[N, D]`` against unit prompt embeddings ``text``
    ``[P, D]``; ``truth[i]`` is row i's prompt index. Rank = number of prompts scoring >= the
    true one (ties count against). Returns ``({"r@k": fraction}, ranks)``."""
    sims = image_means @ text.T
    true = sims[np.arange(len(truth)), truth]
    ranks = (sims >= true[:, None]).sum(axis=1)
    return {f"r@{k}": float((ranks <= k).mean()) for k in ks}, ranks


class ClipRPrecision:
    """CLIP R-precision over the run's cases, from the ``clip_score`` details of the records."""

    name = "clip_r_precision"

    def __init__(self, ctx: RunContext):
        self.ctx = ctx
        self.observe_errors: list[str] = []

    def observe(self, sample: Sample, scores: list[Score]) -> None:
        """Nothing to keep: the records carry the mean view embedding."""

    def finalize(self, records: list[Record]) -> dict[str, Any]:
        from mme3dr.features.clip import load_clip

        cases = [r for r in records if "alignment" in r.suites]
        found: dict[str, dict[str, Any]] = {}
        for rec in cases:
            for sc in rec.scores:
                d = sc.get("details") or {}
                if (
                    sc.get("evaluator") == "clip_score"
                    and sc.get("status") == "ok"
                    and d.get("view_embedding_mean")
                ):
                    found[rec.case_id] = d
        if not cases:
            return {"status": "skipped", "reason": "no case of the run is in the alignment suite"}
        if not found:
            reasons = {
                sc.get("reason", "")
                for r in cases
                for sc in r.scores
                if sc.get("evaluator") == "clip_score"
            }
            why = "; ".join(sorted(x for x in reasons if x))[:300] or "no clip_score results"
            return {"status": "skipped", "reason": f"needs clip_score results: {why}"}
        models = {(d["weights_name"], d["checkpoint"]) for d in found.values()}
        if len(models) > 1:
            return {"status": "error", "reason": f"clip_score used several models: {models}"}
        wname, ckpt = models.pop()
        try:
            enc = load_clip(wname, self.ctx.device, ckpt)
        except Exception as exc:  # noqa: BLE001 - e.g. the checkpoint vanished since the run
            return {"status": "skipped", "reason": str(exc)}
        prompts = list(dict.fromkeys(r.prompt for r in cases))
        index = {p: i for i, p in enumerate(prompts)}
        text = enc.encode_texts(prompts)
        scored = [r for r in cases if r.case_id in found]
        means = np.array([found[r.case_id]["view_embedding_mean"] for r in scored], np.float64)
        truth = np.array([index[r.prompt] for r in scored])
        ks = (1, 5, 10)
        _, ranks = r_precision(means, text.astype(np.float64), truth, ks)
        n = len(cases)
        result: dict[str, Any] = {f"r@{k}": float((ranks <= k).sum()) / n for k in ks}
        result.update(
            status="ok",
            n_cases=n,
            n_scored=len(scored),
            n_prompts=len(prompts),
            definition=(
                "each asset's views ranked against all distinct prompts of the run by mean "
                "view-prompt cosine; R@k = fraction of cases whose prompt is in the top k "
                "(ties and unscored cases count as misses)"
            ),
            ranks={r.case_id: int(k) for r, k in zip(scored, ranks, strict=True)},
            **enc.info(),
        )
        return result
