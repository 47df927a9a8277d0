"""Hi-GRPO: hierarchical group-relative policy optimisation, the math.

Hi-GRPO trains an autoregressive text-to-3D policy in two steps per prompt:

* **step 1** (high level): a plan (text tokens) and coarse shape tokens, decoded to a coarse
  mesh and scored by *global* evaluators (counts, category, stability);
* **step 2** (low level): conditioned on the prompt and the step-1 completion, a detail plan and
  refined shape tokens, decoded to the final mesh and scored by *local* evaluators.

The step-1 reward includes the outcome of step 2, ``R~_high = R_high + lambda * R_low``, so a
plan is credited for the final mesh it leads to. Advantages are computed per step within each
group of ``G`` completions of one prompt (:func:`group_advantages`), and the loss is the sum of
a clipped, token-level (DAPO-style) surrogate with a k3 KL penalty to a frozen reference policy
for each step (:func:`policy_loss`): ``L = L(1) + L(2)``.

Conventions (every function here):

* ``rewards``/``advantages`` are 1-D, one entry per completion, groups contiguous: entries
  ``[g * G, (g + 1) * G)`` belong to prompt ``g``. A **NaN reward marks a failed reward**
  (the evaluator errored or the sample could not be decoded): it is left out of its group's
  mean and std and gets advantage 0; the trainer also masks the sample out of the loss.
* token tensors are ``[N, T]``: ``logp[i, t]`` is the log-probability of token ``t`` of
  sequence ``i`` under the current policy (nats); ``mask`` is 1 for tokens the policy sampled
  in the step being trained and 0 elsewhere (prompt, padding, forced grammar tokens, masked
  samples). Values at masked positions are ignored, even if they are ``-inf`` or NaN.

The training loop lives in :mod:`trainers.trainer`; ``python -m trainers.hi_grpo --config
FILE`` runs it (same as ``mme3dr train``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

#: default clip range (DAPO's "clip-higher": a wider upper bound keeps exploration alive).
EPS_LOW = 0.2
EPS_HIGH = 0.28
#: default weight of the k3 KL penalty to the reference policy.
BETA = 0.01
#: added to the group std so a group of near-equal rewards does not explode.
ADV_EPS = 1e-4


def group_advantages(
    rewards: torch.Tensor | Sequence[float], group_size: int, eps: float = ADV_EPS
) -> torch.Tensor:
    """Group-relative advantages ``A = (R - mean) / (std + eps)``, per group of ``group_size``.

    ``rewards`` is ``[B * G]`` with groups contiguous; returns a float tensor of the same shape.
    ``std`` is the population standard deviation (divide by the number of rewards, not n - 1).
    NaN rewards (failed) are excluded from their group's mean and std and get advantage 0; a
    group with no valid reward gets all zeros. Raises ``ValueError`` when the length is not a
    multiple of ``group_size``.
    """
    r = torch.as_tensor(rewards, dtype=torch.float64)
    if r.ndim != 1:
        raise ValueError(f"rewards must be 1-D [B*G], got shape {tuple(r.shape)}")
    if group_size < 1 or r.numel() % group_size:
        raise ValueError(f"{r.numel()} rewards do not split into groups of {group_size}")
    g = r.view(-1, group_size)
    valid = torch.isfinite(g)
    n = valid.sum(dim=1, keepdim=True).clamp_min(1)
    filled = torch.where(valid, g, torch.zeros_like(g))
    mean = filled.sum(dim=1, keepdim=True) / n
    var = (torch.where(valid, g - mean, torch.zeros_like(g)) ** 2).sum(dim=1, keepdim=True) / n
    adv = (g - mean) / (var.sqrt() + eps)
    adv = torch.where(valid, adv, torch.zeros_like(adv))
    out_dtype = r.dtype if not torch.is_tensor(rewards) else rewards.dtype
    if not out_dtype.is_floating_point:
        out_dtype = torch.float32
    return adv.view(-1).to(out_dtype)


def group_spread(rewards: torch.Tensor, group_size: int, tol: float = 1e-8) -> torch.Tensor:
    """``[B]`` bool: whether each group's valid (finite) rewards differ (max - min > ``tol``).

    Dynamic sampling drops groups without spread: their advantages are all zero, so they carry
    no learning signal and would only dilute the token mean.
    """
    g = torch.as_tensor(rewards, dtype=torch.float64).view(-1, group_size)
    valid = torch.isfinite(g)
    hi = torch.where(valid, g, torch.full_like(g, -torch.inf)).max(dim=1).values
    lo = torch.where(valid, g, torch.full_like(g, torch.inf)).min(dim=1).values
    return (valid.sum(dim=1) >= 2) & ((hi - lo) > tol)


@dataclass
class LossStats:
    """Diagnostics of one :func:`policy_loss_with_stats` call (plain floats, masked means).

    ``clip_low``/``clip_high``: fraction of tokens whose clipped term was the active one on the
    low side (``A < 0`` and ``rho < 1 - eps_low``) or the high side (``A > 0`` and
    ``rho > 1 + eps_high``); ``kl``: mean k3 estimate of KL(policy || reference);
    ``ratio``: mean importance ratio; ``tokens``: number of tokens in the loss (local).
    The ``*_sum``/``*_count`` fields are the same quantities as plain sums over the masked
    tokens (not divided), so parts of a batch can be added exactly before one division;
    ``ratio_dev_max`` is ``max |rho - 1|`` over the masked tokens (0 without tokens).
    """

    pg_loss: float
    kl: float
    clip_low: float
    clip_high: float
    ratio: float
    tokens: float
    pg_sum: float = 0.0
    kl_sum: float = 0.0
    ratio_sum: float = 0.0
    clip_low_count: float = 0.0
    clip_high_count: float = 0.0
    ratio_dev_max: float = 0.0

    @property
    def clip_fraction(self) -> float:
        return self.clip_low + self.clip_high


def policy_loss_with_stats(
    logp: torch.Tensor,
    old_logp: torch.Tensor,
    ref_logp: torch.Tensor,
    advantages: torch.Tensor,
    mask: torch.Tensor,
    eps_low: float = EPS_LOW,
    eps_high: float = EPS_HIGH,
    beta: float = BETA,
    normaliser: float | torch.Tensor | None = None,
) -> tuple[torch.Tensor, LossStats]:
    """:func:`policy_loss` and its :class:`LossStats`.

    ``normaliser`` replaces ``sum(mask)`` as the denominator of every mean (loss and stats):
    the number of loss tokens over the *whole* batch (all micro-batches, all processes), so
    that the contributions of the parts add up to the token mean of the batch. Values below 1
    count as 1 (a batch without tokens has loss 0). ``LossStats.tokens`` stays the local count.
    """
    if logp.ndim != 2:
        raise ValueError(f"logp must be [N, T], got shape {tuple(logp.shape)}")
    for name, t in (("old_logp", old_logp), ("ref_logp", ref_logp), ("mask", mask)):
        if t.shape != logp.shape:
            raise ValueError(f"{name} has shape {tuple(t.shape)}, logp has {tuple(logp.shape)}")
    if advantages.shape != (logp.shape[0],):
        raise ValueError(
            f"advantages must be [N] = [{logp.shape[0]}], got {tuple(advantages.shape)}"
        )
    m = mask.to(logp.dtype)
    on = m > 0
    zero = torch.zeros_like(logp)
    # neutralise masked positions first: 0 * inf or 0 * nan would poison the sums
    lp = torch.where(on, logp, zero)
    old = torch.where(on, old_logp.to(logp.dtype), zero)
    ref = torch.where(on, ref_logp.to(logp.dtype), zero)
    adv = advantages.to(logp.dtype)[:, None].expand_as(logp)

    ratio = torch.exp(lp - old)
    clipped = torch.clamp(ratio, 1.0 - eps_low, 1.0 + eps_high)
    surrogate = torch.minimum(ratio * adv, clipped * adv)
    log_ref_ratio = ref - lp
    k3 = torch.exp(log_ref_ratio) - log_ref_ratio - 1.0

    n = m.sum()
    denom = n if normaliser is None else torch.as_tensor(normaliser, dtype=logp.dtype,
                                                         device=logp.device)
    denom = denom.clamp_min(1.0)
    pg = -(m * surrogate).sum() / denom
    kl = (m * k3).sum() / denom
    loss = pg + beta * kl
    with torch.no_grad():
        low = (adv < 0) & (ratio < 1.0 - eps_low) & on
        high = (adv > 0) & (ratio > 1.0 + eps_high) & on
        d = float(denom)
        dev = torch.where(on, (ratio - 1.0).abs(), zero)
        stats = LossStats(
            pg_loss=float(pg),
            kl=float(kl),
            clip_low=float(low.sum()) / d,
            clip_high=float(high.sum()) / d,
            ratio=float((m * ratio).sum()) / d,
            tokens=float(n),
            pg_sum=float(-(m * surrogate).sum()),
            kl_sum=float((m * k3).sum()),
            ratio_sum=float((m * ratio).sum()),
            clip_low_count=float(low.sum()),
            clip_high_count=float(high.sum()),
            ratio_dev_max=float(dev.max()) if dev.numel() else 0.0,
        )
    return loss, stats


def policy_loss(
    logp: torch.Tensor,
    old_logp: torch.Tensor,
    ref_logp: torch.Tensor,
    advantages: torch.Tensor,
    mask: torch.Tensor,
    eps_low: float = EPS_LOW,
    eps_high: float = EPS_HIGH,
    beta: float = BETA,
) -> torch.Tensor:
    """Token-level clipped surrogate plus k3 KL penalty for one step (a scalar tensor).

    With ``rho = exp(logp - old_logp)`` and ``k3 = exp(ref_logp - logp) - (ref_logp - logp) - 1``
    (per token; k3 >= 0 estimates KL(policy || reference) without bias)::

        L = - sum(mask * min(rho * A, clip(rho, 1 - eps_low, 1 + eps_high) * A)) / sum(mask)
            + beta * sum(mask * k3) / sum(mask)

    Shapes: ``logp``, ``old_logp``, ``ref_logp`` and ``mask`` are ``[N, T]``, ``advantages``
    is ``[N]`` (broadcast over tokens). Every sampled token weighs the same, whatever the length
    of its sequence (DAPO's token-level mean). Gradients flow through ``logp`` only. With an
    all-zero mask the loss is 0 (still attached to the graph).
    """
    loss, _ = policy_loss_with_stats(
        logp, old_logp, ref_logp, advantages, mask, eps_low, eps_high, beta
    )
    return loss


def hierarchical_rewards(
    r_high: torch.Tensor, r_low: torch.Tensor, lam: float = 1.0
) -> torch.Tensor:
    """``R~_high = R_high + lam * R_low`` (per completion). NaN in either stays NaN (failed)."""
    return torch.as_tensor(r_high, dtype=torch.float64) + lam * torch.as_tensor(
        r_low, dtype=torch.float64
    )


def main(argv: list[str] | None = None) -> int:
    """``python -m trainers.hi_grpo --config FILE [--out DIR] [--resume] [--set k=v ...]``."""
    from trainers.cli import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    raise SystemExit(main())
