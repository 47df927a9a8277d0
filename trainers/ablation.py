"""The paper's Table 6 on the CPU toy: plain GRPO, step-1-only, step-2-only and Hi-GRPO.

Every variant (``grpo.mode``, see :class:`trainers.config.GRPOConfig`) starts from the same
initial policy for a given seed and gets the same budget: the same steps, prompts per step,
group size, epochs and minibatches, i.e. the same number of sampled completions and optimiser
steps. Only what is rewarded and which tokens are trained differ.

Held-out evaluation is the same for every variant and independent of what it trained on:
``samples`` completions per held-out case drawn with a fixed-seed generator, and

* ``overall``: the mean over those final meshes of the case's ``overall`` exactly as
  ``mme3dr eval`` scores it (:func:`mme3dr.scoring.score_pairs`; an undecodable completion is
  a missing case, which scores 0 on every measurable suite);
* ``r_high`` / ``r_low``: the trainer's step-1 reward on the coarse mesh and step-2 reward on
  the final mesh (the Hi-GRPO reward specs, undecodable = 0), for context;
* ``undecodable``: the fraction of final meshes the policy could not decode;
* ``suite/<name>`` and ``check/<evaluator>``: the same final meshes' mean suite scores and
  mean evaluator scores (over the records where present), to see *what* moved.
"""

from __future__ import annotations

import time
from typing import Any

import torch

from mme3dr.cases import Case
from mme3dr.rewards import MeshReward, RewardSpec
from trainers.config import TrainConfig
from trainers.policies import Policy
from trainers.rollout import collect


@torch.no_grad()
def heldout_scores(policy: Policy, cases: list[Case], cfg: TrainConfig, samples: int,
                   seed: int) -> dict[str, float]:
    """Held-out figures of ``policy`` (see the module docstring); values in [0, 1]."""
    from mme3dr.scoring import score_pairs

    was = policy.module.training
    policy.module.eval()
    spec1 = RewardSpec.from_list(cfg.rewards.step1, "step1")
    spec2 = RewardSpec.from_list(cfg.rewards.step2, "step2")
    gen = torch.Generator().manual_seed(seed)
    try:
        ro = collect(policy, cases, samples, MeshReward(spec1), MeshReward(spec2), gen)
    finally:
        policy.module.train(was)
    pairs = []
    for i, case in enumerate(ro.cases):
        try:
            mesh = policy.decode(ro.step2, i)
        except Exception:  # noqa: BLE001 - undecodable: a missing case for the scoring core
            mesh = None
        pairs.append((case, mesh))
    records = score_pairs(pairs)
    overall = [r.overall if r.overall is not None else 0.0 for r in records]
    r1, r2 = ro.rewards(1, 0.0), ro.rewards(2, 0.0)
    out = {
        "overall": float(sum(overall) / len(overall)),
        "r_high": float(r1[torch.isfinite(r1)].mean()),
        "r_low": float(r2[torch.isfinite(r2)].mean()),
        "undecodable": float(ro.undecodable(2).double().mean()),
    }
    parts: dict[str, list[float]] = {}
    for rec in records:
        for suite, v in rec.suites.items():
            if v is not None:
                parts.setdefault(f"suite/{suite}", []).append(float(v))
        for sc in rec.scores:
            if sc.get("status") == "ok" and sc.get("score") is not None:
                parts.setdefault(f"check/{sc['evaluator']}", []).append(float(sc["score"]))
    out.update({k: sum(v) / len(v) for k, v in sorted(parts.items())})
    return out


def run_variant(cfg: TrainConfig, eval_cases: list[Case], samples: int, eval_seed: int,
                train: bool = True) -> dict[str, Any]:
    """Train ``cfg`` (unless ``train`` is false: the initial policy) and score it held out.

    Returns ``{"mode", "seed", "steps", "seconds", "heldout": {...}, "train_curve": [...]}``,
    ``train_curve`` being the per-step mean training reward of each step's *own* reward
    (not comparable across modes; held-out figures are).
    """
    from trainers.trainer import HiGRPOTrainer

    t0 = time.perf_counter()
    tr = HiGRPOTrainer(cfg, eval_cases=[], quiet=True)
    if train:
        tr.train()
    held = heldout_scores(tr.policy, eval_cases, cfg, samples, eval_seed)
    curve = [{"step": i + 1, "step1": h.get("reward/step1/mean"),
              "step2": h.get("reward/step2/mean")} for i, h in enumerate(tr.history)]
    return {"mode": cfg.grpo.mode if train else "initial", "seed": cfg.seed,
            "steps": tr.step, "seconds": time.perf_counter() - t0, "heldout": held,
            "train_curve": curve}


__all__ = ["heldout_scores", "run_variant"]
