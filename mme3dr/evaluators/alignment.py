"""Alignment suite: does the asset look like its prompt? CLIP score per case, R-precision per set.

**CLIP score** (``clip_score``): open_clip cosine between each rendered view and the prompt,
reported on the 0-100 scale ``100 * max(cos, 0)`` per view and aggregated over views as mean,
min and trimmed mean (``trim`` of the views dropped at each end). The prompt is truncated to the
tokenizer's context (77 tokens, end token kept), never skipped; the record says when it was.
The suite score maps the chosen aggregate linearly from ``[lo, hi]`` (default 15..35 on the
0-100 scale, where unrelated and well-matched pairs sit for CLIP ViT-B/32) onto [0, 1].

**CLIP R-precision** (``clip_r_precision``, a set metric in ``summary["set_metrics"]``): after the
per-case pass, each asset's mean view embedding ranks its true prompt within a **fixed candidate
pool** of the case set: the true prompt plus a seeded sample of distinct other prompts of the
case set (:data:`POOL_SIZE` in all, or every prompt when the set has fewer), chosen by case id
and seed only, so a case's rank never depends on which other cases are in the run or shard.
R@k is the fraction of the alignment cases whose true prompt ranks in the top k (ties count
against the asset; missing and errored cases count as misses); R@k is ``None`` (listed in
``undefined``) when the pool has <= k prompts. Per-case ranks are kept, so
``mme3dr merge`` recomputes R@k over the whole run (:func:`merge_r_precision`).

Views are rendered once per case (:meth:`Sample.views`) and encoded once per case and model
(cached on the views, :func:`~mme3dr.evaluators.view_helpers.view_embeddings`), so every
CLIP-based evaluator of a case shares them.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

import numpy as np

from mme3dr.evaluators.base import Evaluator, Sample, Score
from mme3dr.evaluators.registry import register
from mme3dr.evaluators.view_helpers import (
    check_views,
    random_prefix,
    select_views,
    view_embeddings,
)
from mme3dr.features import preload_native_libs
from mme3dr.features.batch import EncoderUse
from mme3dr.weights import WeightsMissing

preload_native_libs()

if TYPE_CHECKING:
    from mme3dr.metrics import RunContext
    from mme3dr.results import Record

SCALE = "100 * max(cos, 0)"
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


@register
class ClipScoreEvaluator(Evaluator):
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

    def encoder_uses(self, case: Any) -> tuple[EncoderUse, ...]:
        """The CLIP model on every view, and the prompt (see :mod:`mme3dr.features.batch`)."""
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


#: candidate pool size of the standard protocol (true prompt + 99 distractors)
POOL_SIZE = 100
RP_KS: tuple[int, ...] = (1, 5, 10)
RP_DEFINITION = (
    "each asset's views (mean view-prompt cosine) rank its true prompt among a fixed candidate "
    "pool: the true prompt plus a seeded sample of distinct other prompts of the case set, the "
    "same whatever cases the run or shard holds; R@k = fraction of the alignment cases whose "
    "true prompt ranks in the top k (ties and unscored cases count as misses); undefined when "
    "the pool has <= k prompts"
)


def candidate_pool(
    prompts: list[str], true_prompt: str, case_id: str, size: int = POOL_SIZE, seed: int = 0
) -> list[str]:
    """The fixed candidate pool of one case: ``[true_prompt, *distractors]``.

    Distractors are ``size - 1`` distinct prompts of the case set other than the true one
    (all of them when there are fewer), drawn with a generator seeded by ``seed`` and the case
    id, from the sorted distinct prompts: the pool depends only on the case set, the case and
    the seed, never on which other cases are in the run.
    """
    others = sorted(set(prompts) - {true_prompt})
    k = max(0, min(int(size) - 1, len(others)))
    digest = hashlib.sha256(f"{seed}:{case_id}".encode()).digest()
    rng = np.random.default_rng(int.from_bytes(digest[:8], "little"))
    picked = rng.choice(len(others), size=k, replace=False) if k else []
    return [true_prompt, *[others[i] for i in sorted(int(x) for x in picked)]]


def rank_in_pool(image_mean: np.ndarray, pool_text: np.ndarray) -> int:
    """Rank of the true prompt (row 0 of unit ``pool_text`` ``[P, D]``) for the mean view
    embedding ``image_mean`` ``[D]``: how many pool prompts score >= it (ties against)."""
    sims = np.asarray(pool_text, np.float64) @ np.asarray(image_mean, np.float64)
    return int((sims >= sims[0]).sum())


def r_at_k(
    ranks: dict[str, int], pool_size: int, n_cases: int, ks: tuple[int, ...] = RP_KS
) -> dict[str, Any]:
    """``{"r@k": fraction or None, "undefined": {...}}``: R@k over ``n_cases`` cases (cases
    without a rank are misses); ``None`` with a reason when ``pool_size <= k`` (every asset
    would trivially be in the top k)."""
    out: dict[str, Any] = {}
    undefined: dict[str, str] = {}
    for k in ks:
        if pool_size <= k:
            out[f"r@{k}"] = None
            undefined[f"r@{k}"] = f"the candidate pool has {pool_size} prompts (<= {k})"
        else:
            hits = sum(1 for r in ranks.values() if r <= k)
            out[f"r@{k}"] = hits / n_cases if n_cases else None
    out["undefined"] = undefined
    return out


def _clip_details(records: list[Record]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for rec in records:
        for sc in rec.scores:
            d = sc.get("details") or {}
            if (
                sc.get("evaluator") == "clip_score"
                and sc.get("status") == "ok"
                and d.get("view_embedding_mean")
            ):
                found[rec.case_id] = d
    return found


class ClipRPrecisionMetric:
    """CLIP R-precision with a fixed candidate pool per case (see :data:`RP_DEFINITION`), from
    the ``clip_score`` details of the records. Because each case's pool depends only on the
    case set, per-case ranks from shards combine exactly: :func:`merge_r_precision`."""

    name = "clip_r_precision"
    #: works from the records alone: it needs no sample in this process, so a run with it can
    #: score cases in worker processes
    needs_samples = False

    def __init__(
        self, ctx: RunContext, pool_size: int = POOL_SIZE, seed: int = 0, ks=RP_KS
    ) -> None:
        self.ctx = ctx
        self.pool_size = int(pool_size)
        self.seed = int(seed)
        self.ks = tuple(ks)
        self.observe_errors: list[str] = []

    def observe(self, sample: Sample, scores: list[Score]) -> None:
        """Nothing to keep: the records carry the mean view embedding."""

    def finalize(self, records: list[Record]) -> dict[str, Any]:
        from mme3dr.features.clip import load_clip

        cases = [r for r in records if "alignment" in r.suites]
        if not cases:
            return {"status": "skipped", "reason": "no case of the run is in the alignment suite"}
        found = _clip_details(cases)
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
        pairs, why = self.ctx.case_set_prompts()
        if pairs is None:
            return {"status": "skipped", "reason": why}
        wname, ckpt = models.pop()
        try:
            enc = load_clip(wname, self.ctx.device, ckpt)
        except Exception as exc:  # noqa: BLE001 - e.g. the checkpoint vanished since the run
            return {"status": "skipped", "reason": str(exc)}
        all_prompts = [p for _, p in pairs]
        ranks: dict[str, int] = {}
        sizes: set[int] = set()
        for rec in cases:
            if rec.case_id not in found:
                continue
            pool = candidate_pool(all_prompts, rec.prompt, rec.case_id, self.pool_size, self.seed)
            sizes.add(len(pool))
            text = enc.encode_texts(pool)
            ranks[rec.case_id] = rank_in_pool(
                np.asarray(found[rec.case_id]["view_embedding_mean"]), text
            )
        pool_size = min(sizes)
        result: dict[str, Any] = {"status": "ok"}
        result.update(r_at_k(ranks, pool_size, len(cases), self.ks))
        result.update(
            n_cases=len(cases),
            n_scored=len(ranks),
            pool_size=pool_size,
            pool_size_requested=self.pool_size,
            pool_seed=self.seed,
            n_case_set_prompts=len(set(all_prompts)),
            ks=list(self.ks),
            case_ids=sorted(r.case_id for r in cases),
            definition=RP_DEFINITION,
            ranks=dict(sorted(ranks.items())),
            **enc.info(),
        )
        return result


def merge_r_precision(parts: list[dict[str, Any]], records: list[Record]) -> dict[str, Any]:
    """R-precision over a merged run from the shards' results (per-case ranks in fixed pools
    combine exactly; no model is loaded). ``records`` are the merged records."""
    ok = [p for p in parts if isinstance(p, dict) and p.get("status") == "ok"]
    if not ok:
        reasons = sorted({str(p.get("reason", "")) for p in parts if isinstance(p, dict)})
        return {"status": "skipped", "reason": "no shard has R-precision: " + "; ".join(reasons)}
    keys = {
        json.dumps([p.get(k) for k in ("checkpoint", "pool_size", "pool_seed", "ks")]) for p in ok
    }
    if len(keys) > 1:
        return {"status": "error", "reason": f"shards used different models or pools: {keys}"}
    first = ok[0]
    if "ranks" not in first or "pool_size" not in first:
        return {"status": "error", "reason": "shard R-precision has no fixed-pool ranks"}
    ranks: dict[str, int] = {}
    for p in ok:
        ranks.update({str(k): int(v) for k, v in p["ranks"].items()})
    cases = [r.case_id for r in records if "alignment" in r.suites]
    ranks = {c: ranks[c] for c in cases if c in ranks}
    ks = tuple(first.get("ks") or RP_KS)
    result: dict[str, Any] = {"status": "ok"}
    result.update(r_at_k(ranks, int(first["pool_size"]), len(cases), ks))
    keep = ("pool_size", "pool_size_requested", "pool_seed", "n_case_set_prompts", "ks")
    result.update({k: first[k] for k in keep if k in first})
    info = ("model", "pretrained", "weights_name", "checkpoint", "weights", "image_size")
    result.update({k: first[k] for k in info if k in first})
    result.update(
        n_cases=len(cases),
        n_scored=len(ranks),
        merged_from_shards=len(parts),
        definition=RP_DEFINITION,
        ranks=dict(sorted(ranks.items())),
    )
    return result
