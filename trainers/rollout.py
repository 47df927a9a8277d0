"""Rollouts: sample both Hi-GRPO steps for groups of prompts, decode, reward.

For ``B`` cases and group size ``G`` the rollout holds ``N = B * G`` completions, groups
contiguous (rows ``[b * G, (b + 1) * G)`` answer case ``b``). Step 1 is sampled for all rows,
then step 2 conditioned on each row's step-1 completion. Each step's output is decoded to a
mesh (the coarse mesh for step 1, the final mesh for step 2) and scored by that step's
:class:`mme3dr.rewards.MeshReward`.

Failures are data: a failed evaluator gives a NaN reward and a recorded reason; nothing is
invented. An undecodable sample (the policy's own fault) gets the configured
``undecodable`` reward (default 0, see :class:`trainers.config.RewardsConfig`) or, with
``None``, a NaN like a failed evaluator. ``R~_high = R_high + lam * R_low`` is NaN when either
part is NaN, so such a row is masked out of both steps' losses as appropriate.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import torch

from mme3dr.cases import Case
from mme3dr.rewards import MeshReward, PendingRewards, RewardResult
from trainers.policies.base import Policy, StepBatch


@dataclass
class Rollout:
    """Everything one batch of groups produced (rows in group order)."""

    cases: list[Case]
    group_size: int
    step1: StepBatch
    step2: StepBatch
    results1: list[RewardResult]
    results2: list[RewardResult]
    decode_errors: list[list[str | None]] = field(default_factory=list)
    times: dict[str, float] = field(default_factory=dict)
    #: ``old1, old2, ref1, ref2``: frozen log-probs ``[N, L_step]`` of the sampling policy and
    #: the reference, when computed while the rewards were scored (else ``None``)
    logp: tuple[torch.Tensor, ...] | None = None

    def __len__(self) -> int:
        return len(self.cases)

    @property
    def n_groups(self) -> int:
        return len(self.cases) // self.group_size

    def undecodable(self, step: int) -> torch.Tensor:
        """``[N]`` bool: rows whose ``step`` output the policy could not decode to a mesh."""
        errs = self.decode_errors[step - 1] if len(self.decode_errors) >= step else []
        return torch.tensor([e is not None for e in errs], dtype=torch.bool).reshape(-1)

    def rewards(self, step: int, undecodable: float | None = None) -> torch.Tensor:
        """``[N]`` float64 reward of ``step``: NaN where it failed, ``undecodable`` (when not
        ``None``) on the rows that could not be decoded."""
        res = self.results1 if step == 1 else self.results2
        r = torch.tensor([r.reward if r.ok else float("nan") for r in res], dtype=torch.float64)
        if undecodable is not None and len(r):
            bad = self.undecodable(step)
            if bad.numel() == r.numel():
                r[bad] = float(undecodable)
        return r

    def select_groups(self, groups: list[int]) -> Rollout:
        """The rollout restricted to whole groups ``groups`` (in that order)."""
        g = self.group_size
        rows = [b * g + j for b in groups for j in range(g)]
        return Rollout(
            cases=[self.cases[i] for i in rows],
            group_size=g,
            step1=self.step1.select(rows),
            step2=self.step2.select(rows),
            results1=[self.results1[i] for i in rows],
            results2=[self.results2[i] for i in rows],
            decode_errors=[[errs[i] for i in rows] for errs in self.decode_errors],
            times=dict(self.times),
            logp=None if self.logp is None else tuple(t[rows] for t in self.logp),
        )

    @staticmethod
    def concat(parts: list[Rollout]) -> Rollout:
        if len(parts) == 1:
            return parts[0]
        times: Counter[str] = Counter()
        for p in parts:
            times.update(p.times)
        return Rollout(
            cases=[c for p in parts for c in p.cases],
            group_size=parts[0].group_size,
            step1=StepBatch.concat([p.step1 for p in parts]),
            step2=StepBatch.concat([p.step2 for p in parts]),
            results1=[r for p in parts for r in p.results1],
            results2=[r for p in parts for r in p.results2],
            decode_errors=[
                [e for p in parts for e in p.decode_errors[k]] for k in range(2)
            ],
            times=dict(times),
            logp=_concat_logp(parts),
        )


def _concat_logp(parts: list[Rollout]) -> tuple[torch.Tensor, ...] | None:
    """The parts' frozen log-probs, right-padded with 0 to the widths of the concatenated
    step batches (as :meth:`StepBatch.concat` pads the sequences); ``None`` unless every part
    has them."""
    if any(p.logp is None for p in parts):
        return None
    out = []
    for k in range(4):
        ts = [p.logp[k] for p in parts]  # type: ignore[index]
        width = max(t.shape[1] for t in ts)
        out.append(torch.cat([torch.nn.functional.pad(t, (0, width - t.shape[1])) for t in ts]))
    return tuple(out)


def decode_all(policy: Policy, batch: StepBatch) -> tuple[list[Any], list[str | None]]:
    """Meshes of every row (``None`` where undecodable) and the reasons."""
    meshes: list[Any] = []
    errors: list[str | None] = []
    for i in range(len(batch)):
        try:
            meshes.append(policy.decode(batch, i))
            errors.append(None)
        except Exception as exc:  # noqa: BLE001 - an undecodable sample is masked, not fatal
            meshes.append(None)
            errors.append(f"{type(exc).__name__}: {exc}")
    return meshes, errors


@dataclass
class PendingRollout:
    """Both steps sampled and decoded, their rewards still being scored
    (:func:`start_collect`); :meth:`finish` waits for them and returns the :class:`Rollout`.
    In between the caller may use ``step1``/``step2`` (e.g. to compute frozen log-probs
    while the reward workers run)."""

    cases: list[Case]
    group_size: int
    step1: StepBatch
    step2: StepBatch
    pending1: PendingRewards | None
    pending2: PendingRewards
    errors: list[list[str | None]]
    times: dict[str, float]

    def finish(self) -> Rollout:
        t0 = time.perf_counter()
        res2 = self.pending2.result()
        res1 = res2 if self.pending1 is None else self.pending1.result()
        self.times["reward"] += time.perf_counter() - t0
        err1, err2 = self.errors
        if self.pending1 is None:  # one-step GRPO: step 1 is judged by the final mesh
            err1 = err2
        for res, errs in ((res1, err1), (res2, err2)) if self.pending1 is not None else (
                (res2, err2),):
            for r, e in zip(res, errs, strict=True):
                if e is not None:
                    r.error = f"undecodable: {e}"
        pend = [p for p in (self.pending1, self.pending2) if p is not None]
        self.times["reward_scored"] = float(sum(p.scored for p in pend))
        self.times["reward_reused"] = float(sum(p.reused for p in pend))
        self.times["reward_compute"] = float(sum(
            r.seconds for r in (res2 if self.pending1 is None else [*res1, *res2])))
        return Rollout(self.cases, self.group_size, self.step1, self.step2, res1, res2,
                       [err1, err2], self.times)


def start_collect(
    policy: Policy,
    cases: list[Case],
    group_size: int,
    reward1: MeshReward | None,
    reward2: MeshReward,
    generator: torch.Generator | None = None,
    greedy: bool = False,
    wait: bool = False,
) -> PendingRollout:
    """Sample ``group_size`` two-step completions for each case and decode them; step 1's
    meshes go to ``reward1`` before step 2 is sampled, so with reward workers the scoring of
    step 1 overlaps the sampling of step 2 (and both overlap whatever the caller does before
    :meth:`PendingRollout.finish`). Sampling draws from ``generator`` in the same order as
    without the overlap, so the rollout is the same. ``wait=True`` waits for each step's
    rewards as soon as they are submitted (no overlap at all).

    ``reward1=None`` (one-step GRPO): step 1 is not scored on its own; its results are the
    final mesh's (``results1`` is ``results2``, with step 2's decode errors).
    """
    rows = [c for c in cases for _ in range(group_size)]
    prompts = [c.prompt for c in rows]
    times = {"generate": 0.0, "decode": 0.0, "reward": 0.0}
    t0 = time.perf_counter()
    s1 = policy.generate(prompts, step=1, generator=generator, greedy=greedy)
    times["generate"] += time.perf_counter() - t0
    t0 = time.perf_counter()
    meshes1, err1 = decode_all(policy, s1) if reward1 is not None else ([], [None] * len(rows))
    times["decode"] += time.perf_counter() - t0
    t0 = time.perf_counter()
    pending1 = reward1.submit(rows, meshes1) if reward1 is not None else None
    if wait and pending1 is not None:
        pending1.result()
    times["reward"] += time.perf_counter() - t0
    t0 = time.perf_counter()
    s2 = policy.generate(prompts, step=2, previous=s1, generator=generator, greedy=greedy)
    times["generate"] += time.perf_counter() - t0
    t0 = time.perf_counter()
    meshes2, err2 = decode_all(policy, s2)
    times["decode"] += time.perf_counter() - t0
    t0 = time.perf_counter()
    pending2 = reward2.submit(rows, meshes2)
    if wait:
        pending2.result()
    times["reward"] += time.perf_counter() - t0
    return PendingRollout(rows, group_size, s1, s2, pending1, pending2, [err1, err2], times)


def collect(
    policy: Policy,
    cases: list[Case],
    group_size: int,
    reward1: MeshReward | None,
    reward2: MeshReward,
    generator: torch.Generator | None = None,
    greedy: bool = False,
) -> Rollout:
    """Sample ``group_size`` two-step completions for each case, decode and reward them
    (:func:`start_collect`, then wait for the rewards).

    ``reward1=None`` (one-step GRPO): step 1 is not scored on its own; its results are the
    final mesh's (``results1`` is ``results2``, with step 2's decode errors).
    """
    return start_collect(policy, cases, group_size, reward1, reward2, generator,
                         greedy).finish()


def reward_breakdown(
    results: list[RewardResult],
    prefix: str,
    undecodable: list[bool] | None = None,
    undecodable_reward: float | None = None,
) -> dict[str, float]:
    """Reward metrics keyed ``{prefix}/...``: the mean normalised value of every term (over
    samples where it applied and worked), ``mean`` (the reward trained on: undecodable rows
    count as ``undecodable_reward`` when it is not ``None``), ``failed`` (fraction without a
    reward, i.e. NaN) and ``undecodable`` (fraction the policy could not decode)."""
    sums: dict[str, list[float]] = {}
    for r in results:
        for k, v in r.terms.items():
            if v is not None:
                sums.setdefault(k.split("#")[0], []).append(v)
    out = {f"{prefix}/term/{k}": sum(v) / len(v) for k, v in sorted(sums.items())}
    bad = undecodable if undecodable is not None else [False] * len(results)
    vals = []
    for r, u in zip(results, bad, strict=True):
        if r.ok:
            vals.append(r.reward)
        elif u and undecodable_reward is not None:
            vals.append(float(undecodable_reward))
    out[f"{prefix}/mean"] = sum(vals) / len(vals) if vals else float("nan")
    out[f"{prefix}/failed"] = 1.0 - len(vals) / max(1, len(results))
    out[f"{prefix}/undecodable"] = sum(bad) / max(1, len(results))
    return out
