"""The Hi-GRPO training loop: rollouts, advantages, several clipped passes, eval, checkpoints.

One training step (``TrainConfig.grpo``):

1. draw ``prompts_per_step`` cases (a seeded, epoch-shuffled order over the training cases;
   each process takes its share), sample ``group_size`` two-step completions per case, decode
   them and score step 1 (coarse mesh, global evaluators) and step 2 (final mesh, local
   evaluators): :func:`trainers.rollout.collect`;
2. ``R~_high = R_high + lam * R_low``; advantages per step within each group
   (:func:`trainers.hi_grpo.group_advantages`); rows whose reward failed are masked out of that
   step's loss (and out of step 1 when step 2 failed, since ``R~_high`` needs both);
3. dynamic sampling: a group whose rewards have no spread in a step is masked out of that
   step's loss; a group with no spread in both steps is dropped, and up to
   ``max_resample_rounds`` extra batches are drawn to replace dropped groups;
4. ``old_logp`` (the sampling policy) and ``ref_logp`` (the frozen initial policy) are computed
   once, without gradients (with reward workers and ``rewards.overlap``: for each round's rows
   while the workers score that round's meshes, :meth:`HiGRPOTrainer._frozen_all`); then
   ``epochs`` passes, each in ``minibatches`` optimiser steps,
   minimise ``L(1) + L(2)`` (:func:`trainers.hi_grpo.policy_loss`) over the global token
   mean, the training forwards and backward through the engine (:mod:`trainers.engine`:
   accelerate's DDP when launched distributed), gradients clipped to ``grad_clip``.

``grpo.mode`` changes steps 2-4 for the Table 6 ablation (``step1_only``, ``step2_only``,
``plain``): which rewards drive each step's advantages and which steps are trained
(:meth:`HiGRPOTrainer._trained_rewards`).

Checkpoints hold everything needed for an exact resume: parameters, the reference, optimiser
and scheduler state, the prompt order position and every random generator. They are read back
with ``weights_only=True`` and only from inside ``RUN_DIR/checkpoints``
(:mod:`trainers.checkpoints`).
"""

from __future__ import annotations

import contextlib
import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

from mme3dr.cases import Case, load_cases
from mme3dr.errors import ConfigError
from mme3dr.rewards import MeshReward, RewardSpec, RewardWorkers
from trainers import distributed as D
from trainers import engine as E
from trainers.checkpoints import (
    STATE_KEYS,
    checkpoint_root,
    load_file,
    require_keys,
    resolve_checkpoint,
    save_file,
)
from trainers.config import TrainConfig
from trainers.hi_grpo import group_advantages, group_spread, policy_loss_with_stats
from trainers.metrics import MetricsWriter, plot_rewards
from trainers.policies import Policy, StepBatch, build_policy
from trainers.policies.base import disable_dropout
from trainers.rollout import Rollout, reward_breakdown, start_collect


def resolve_cases(spec: str | None) -> list[Case]:
    """``toy`` / ``toy-heldout`` / ``toy-all`` or any case set :func:`load_cases` accepts."""
    if spec is None:
        return []
    from trainers.toy_cases import toy_cases, toy_split

    if spec == "toy":
        return toy_split()[0]
    if spec == "toy-heldout":
        return toy_split()[1]
    if spec == "toy-all":
        return toy_cases()
    return list(load_cases(spec).cases)


class PromptSampler:
    """Cases in a fresh seeded permutation each epoch; the state is ``(epoch, position)``."""

    def __init__(self, cases: list[Case], seed: int):
        if not cases:
            raise ConfigError("no training cases")
        self.cases, self.seed = cases, seed
        self.epoch, self.pos = 0, 0
        self._order = self._permutation()

    def _permutation(self) -> list[int]:
        rng = np.random.default_rng([self.seed, self.epoch])
        return rng.permutation(len(self.cases)).tolist()

    def take(self, k: int) -> list[Case]:
        out = []
        for _ in range(k):
            if self.pos >= len(self._order):
                self.epoch, self.pos = self.epoch + 1, 0
                self._order = self._permutation()
            out.append(self.cases[self._order[self.pos]])
            self.pos += 1
        return out

    def state(self) -> dict[str, int]:
        return {"epoch": self.epoch, "pos": self.pos}

    def load(self, state: dict[str, int]) -> None:
        self.epoch, self.pos = int(state["epoch"]), int(state["pos"])
        self._order = self._permutation()


class HiGRPOTrainer:
    """Train a policy with Hi-GRPO as configured. ``policy``/cases may be given directly."""

    def __init__(
        self,
        cfg: TrainConfig,
        policy: Policy | None = None,
        train_cases: list[Case] | None = None,
        eval_cases: list[Case] | None = None,
        dist: D.DistContext | None = None,
        quiet: bool = False,
        engine: E.Engine | None = None,
    ):
        self.cfg = cfg
        # the engine first: building an Accelerator may reset the thread count
        self.engine = engine if engine is not None else E.for_context(dist, cfg.device)
        self.dist = self.engine.dist
        torch.set_num_threads(max(1, cfg.torch_threads))
        self.run_dir = Path(cfg.run_dir)
        self.policy = policy if policy is not None else build_policy(cfg.policy, seed=cfg.seed)
        if cfg.grpo.prompts_per_step < self.dist.world:
            raise ConfigError(
                f"grpo.prompts_per_step ({cfg.grpo.prompts_per_step}) must be at least the "
                f"number of processes ({self.dist.world}): each process trains whole groups")
        self.policy.module.to(cfg.device)
        if cfg.grpo.disable_dropout:
            disable_dropout(self.policy.module)
        D.broadcast_parameters(self.policy.module, self.dist)
        self.reference = self.policy.frozen_copy()
        self.train_cases = train_cases if train_cases is not None else resolve_cases(cfg.data.train)
        self.eval_cases = eval_cases if eval_cases is not None else resolve_cases(cfg.data.eval)
        self.sampler = PromptSampler(self.train_cases, cfg.seed)
        r = cfg.rewards
        self.reward_workers = RewardWorkers(r.workers)  # one pool for both steps

        def reward(terms: list[dict[str, Any]], name: str) -> MeshReward:
            return MeshReward(RewardSpec.from_list(terms, name), self.reward_workers,
                              r.min_parallel, dedup=r.dedup, cache_size=r.cache)

        self.reward1: MeshReward | None = reward(r.step1, "step1")
        self.reward2 = reward(r.step2, "step2")
        if cfg.grpo.mode == "plain":  # one reward: every term, on the final mesh
            self.reward1 = None
            self.reward2 = reward([*r.step1, *r.step2], "final")
        # a sharding engine shards both modules in place first; the optimiser is then built
        # over the parameters as the engine left them (FSDP2: this process's shards)
        self.engine.shard(self.policy, self.reference)
        o = cfg.optim
        params = [p for p in self.policy.module.parameters() if p.requires_grad]
        optimizer = torch.optim.AdamW(params, lr=o.lr, betas=tuple(o.betas),
                                      weight_decay=o.weight_decay)
        # the training forward and the optimiser as the engine prepared them (DDP and
        # accelerate's optimiser under accelerate); the scheduler stays ours, on the plain one
        self.model, self.optimizer = self.engine.prepare(self.policy, optimizer)
        warm = max(0, o.warmup_steps)
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(
            optimizer, lambda k: min(1.0, (k + 1) / warm) if warm else 1.0
        )
        self.gen = torch.Generator().manual_seed(cfg.seed * 1000 + 17 + self.dist.rank)
        self.shuffle_gen = torch.Generator().manual_seed(cfg.seed * 1000 + 29 + self.dist.rank)
        self.step = 0
        self.quiet = quiet
        self.metrics = MetricsWriter(self.run_dir, cfg.log.tensorboard, enabled=self.dist.is_main)
        self.history: list[dict[str, Any]] = []

    # ---------------------------------------------------------------------------- loop

    def train(self, steps: int | None = None, on_step: Callable[[int, dict], None] | None = None
              ) -> dict[str, Any]:
        """Run until ``steps`` (default ``cfg.steps``) total steps; returns the last metrics."""
        total = self.cfg.steps if steps is None else steps
        ev = self.cfg.eval
        last: dict[str, Any] = {}
        self.run_dir.mkdir(parents=True, exist_ok=True)
        if self.dist.is_main:
            (self.run_dir / "config.json").write_text(json.dumps(self.cfg.to_dict(), indent=2))
            (self.run_dir / "engine.json").write_text(json.dumps(self.engine.describe(),
                                                                 indent=2))
        try:
            if self.step == 0 and self.eval_cases and ev.every > 0:
                self.evaluate()
            while self.step < total:
                last = self.train_step()
                if on_step is not None:
                    on_step(self.step, last)
                final = self.step == total
                if self.eval_cases and ev.every > 0 and (self.step % ev.every == 0 or final):
                    self.evaluate()
                ck = self.cfg.checkpoint
                if (ck.every > 0 and self.step % ck.every == 0) or final:
                    self.save_checkpoint()
        finally:
            self.close_rewards()
            self.metrics.close()
        if self.dist.is_main and self.cfg.log.plot and self.metrics.path.exists():
            plot_rewards(self.metrics.path, self.run_dir / "reward.png")
        return last

    def close_rewards(self) -> None:
        """Stop the reward worker processes (they restart on the next use)."""
        self.reward_workers.close()

    def _draw(self) -> tuple[Rollout, list[Rollout]]:
        """``(kept, drawn)``: the groups to train on, refilled by dynamic sampling, and every
        batch drawn this step (for reward metrics). This process's share only.

        The number of rounds is agreed over processes (a round is drawn while any process
        still lacks groups), so every process advances its prompt order by the same amount and
        runs the same forwards (a requirement of sharded engines).
        """
        g = self.cfg.grpo
        want = len(self.dist.shard(list(range(g.prompts_per_step))))
        parts: list[Rollout] = []
        kept: list[tuple[int, int]] = []  # (part, group)
        dropped = 0
        for _ in range(1 + (g.max_resample_rounds if g.dynamic_sampling else 0)):
            cases = self.dist.shard(self.sampler.take(g.prompts_per_step))
            overlap = self.cfg.rewards.overlap and self.reward_workers.workers > 0
            with self.engine.gathered(self.policy):  # generation: full parameters
                pending = start_collect(self.policy, cases, g.group_size, self.reward1,
                                        self.reward2, self.gen, wait=not overlap)
            frozen = None
            if overlap:
                t0 = time.perf_counter()  # while the reward workers score this round
                frozen = self._frozen_all(pending.step1, pending.step2)
                pending.times["logprobs"] = time.perf_counter() - t0
            ro = pending.finish()
            ro.logp = frozen
            parts.append(ro)
            if not g.dynamic_sampling:
                kept += [(len(parts) - 1, b) for b in range(ro.n_groups)]
                break
            spread = torch.zeros(ro.n_groups, dtype=torch.bool)
            for r in self._trained_rewards(ro):
                if r is not None:
                    spread |= group_spread(r, g.group_size)
            for b in range(ro.n_groups):
                if len(kept) >= want:
                    break
                if spread[b]:
                    kept.append((len(parts) - 1, b))
                else:
                    dropped += 1
            if not D.any_true(len(kept) < want, self.dist):
                break
        sel = [parts[p].select_groups([b for q, b in kept if q == p]) for p in range(len(parts))]
        sel = [s for s in sel if len(s)]
        ro = Rollout.concat(sel) if sel else parts[0].select_groups([])
        times: dict[str, float] = {}
        for p in parts:
            for k, v in p.times.items():
                times[k] = times.get(k, 0.0) + v
        ro.times = times
        ro.times["groups_dropped"] = float(dropped)
        ro.times["rounds"] = float(len(parts))
        return ro, parts

    def _rewards(self, ro: Rollout, step: int) -> torch.Tensor:
        """``[N]`` rewards of ``step`` with the configured reward for undecodable rows."""
        return ro.rewards(step, self.cfg.rewards.undecodable)

    def _hier(self, ro: Rollout) -> torch.Tensor:
        return self._rewards(ro, 1) + self.cfg.grpo.lam * self._rewards(ro, 2)

    def _trained_rewards(self, ro: Rollout) -> tuple[torch.Tensor | None, torch.Tensor | None]:
        """``(rewards behind step 1's advantages, rewards behind step 2's)``, ``None`` for a
        step this ``grpo.mode`` does not train (see :class:`trainers.config.GRPOConfig`)."""
        mode = self.cfg.grpo.mode
        if mode == "step1_only":
            return self._rewards(ro, 1), None
        if mode == "step2_only":
            return None, self._rewards(ro, 2)
        if mode == "plain":  # one reward on the final mesh for the whole completion
            r = self._rewards(ro, 2)
            return r, r
        return self._hier(ro), self._rewards(ro, 2)

    def train_step(self) -> dict[str, Any]:
        cfg = self.cfg
        t_step = time.perf_counter()
        self.model.train()  # the wrapper and the policy's module
        ro, drawn = self._draw()
        m: dict[str, Any] = {}
        for step, key in ((1, "results1"), (2, "results2")):
            results = [r for p in drawn for r in getattr(p, key)]
            undec = [bool(u) for p in drawn for u in p.undecodable(step).tolist()]
            m.update(reward_breakdown(results, f"reward/step{step}", undec,
                                      cfg.rewards.undecodable))
        m["reward/step1_tilde/mean"] = _nanmean(torch.cat([self._hier(p) for p in drawn]))
        m["data/groups_dropped"] = ro.times.pop("groups_dropped")
        m["data/rounds"] = ro.times.pop("rounds")
        m["data/groups_trained"] = float(ro.n_groups)

        m["reward/scored"] = ro.times.pop("reward_scored", 0.0)
        m["reward/reused"] = ro.times.pop("reward_reused", 0.0)
        m["time/reward_compute"] = ro.times.pop("reward_compute", 0.0)
        m["time/logprobs"] = ro.times.get("logprobs", 0.0)
        t0 = time.perf_counter()
        stats = self._update(ro, m, pad=_padding_rows(ro, drawn))
        t_update = time.perf_counter() - t0 - (m["time/logprobs"] - ro.times.get("logprobs", 0.0))
        m.update(stats)
        for k in ("generate", "decode", "reward"):
            m[f"time/{k}"] = ro.times.get(k, 0.0)
        m["time/update"] = t_update
        m["time/step"] = time.perf_counter() - t_step
        m["lr"] = self.scheduler.get_last_lr()[0]
        m = D.mean_over_processes(m, self.dist)
        self.step += 1
        self.metrics.write(self.step, "train", m)
        if self.dist.is_main and not self.quiet and self.step % max(1, cfg.log.every) == 0:
            self.metrics.print_line(self.step, "train", m, [
                "reward/step1/mean", "reward/step2/mean", "loss/clip_fraction", "loss/kl",
                "loss/entropy_step1", "time/step"])
        self.history.append(m)
        return m

    def _micro_count(self, rows: int) -> int:
        """Forward passes for ``rows`` rows (the same on every process for the same input)."""
        mb = self.cfg.grpo.micro_batch_rows
        return 1 if mb <= 0 else max(1, -(-rows // mb))

    def _forward(self, joint: Callable, b1: StepBatch, b2: StepBatch, idx: torch.Tensor,
                 pad: tuple[StepBatch, StepBatch]) -> tuple[tuple, tuple, bool]:
        """Joint log-probs of rows ``idx`` (the padding row when ``idx`` is empty) through
        ``joint`` (the prepared training module, or a policy's ``joint_logprobs`` for the
        frozen passes); the last item says whether the padding row was used."""
        dev = self.cfg.device
        if len(idx) == 0:
            return (*joint(_to(pad[0], dev), _to(pad[1], dev)), True)
        rows = idx.tolist()
        out = joint(_to(b1.select(rows), dev), _to(b2.select(rows), dev))
        return (*out, False)

    @torch.no_grad()
    def _frozen_logprobs(self, policy: Policy, b1: StepBatch, b2: StepBatch, max_rows: int,
                         pad: tuple[StepBatch, StepBatch]) -> tuple[torch.Tensor, torch.Tensor]:
        """``(logp1, logp2)`` of every row, without gradients, in eval mode (dropout off),
        in the agreed number of micro-batches."""
        n = len(b1)
        was = policy.module.training
        policy.module.eval()
        lp1 = torch.zeros(b1.sequences.shape, dtype=torch.float32)
        lp2 = torch.zeros(b2.sequences.shape, dtype=torch.float32)
        try:
            for idx in torch.tensor_split(torch.arange(n), self._micro_count(max_rows)):
                (a, _), (b, _), padded = self._forward(self.engine.frozen_forward(policy),
                                                       b1, b2, idx, pad)
                if not padded:
                    lp1[idx, : a.shape[1]] = a.detach().float().cpu()
                    lp2[idx, : b.shape[1]] = b.detach().float().cpu()
        finally:
            policy.module.train(was)
        return lp1, lp2

    def _frozen_all(self, b1: StepBatch, b2: StepBatch) -> tuple[torch.Tensor, ...]:
        """``(old1, old2, ref1, ref2)``: frozen log-probs of every row of one round (the
        sampling policy and the reference), in the number of micro-batches agreed over
        processes. The same numbers :meth:`_update` would compute (eval mode, no gradients,
        the policy unchanged since sampling); computed while the rewards are scored."""
        pad = _padding_from(b1, b2)
        max_rows = D.all_max(len(b1), self.dist)
        old = self._frozen_logprobs(self.policy, b1, b2, max_rows, pad)
        ref = self._frozen_logprobs(self.reference, b1, b2, max_rows, pad)
        return (*old, *ref)

    def _update(self, ro: Rollout, m: dict[str, Any],
                pad: tuple[StepBatch, StepBatch] | None = None) -> dict[str, float]:
        """Advantages, masks and ``epochs x minibatches`` optimiser steps; returns stats.

        Runs on every process every step, even with no rows (then only the padding row
        ``pad`` is forwarded, with zero loss): the loss of each minibatch is divided by the
        number of loss tokens of that minibatch over all processes, and the engine makes the
        gradient the sum over processes (DDP's mean of ``loss x world``), so the update follows
        the token mean of the whole batch.
        """
        g = self.cfg.grpo
        G = g.group_size
        if pad is None:
            pad = _padding_rows(ro, [ro])
        nan = torch.full((len(ro),), float("nan"), dtype=torch.float64)
        ra, rb = (nan if r is None else r for r in self._trained_rewards(ro))
        adv1 = torch.nan_to_num(group_advantages(ra, G, g.adv_eps), nan=0.0)
        adv2 = torch.nan_to_num(group_advantages(rb, G, g.adv_eps), nan=0.0)
        keep1 = torch.isfinite(ra) & group_spread(ra, G).repeat_interleave(G)
        keep2 = torch.isfinite(rb) & group_spread(rb, G).repeat_interleave(G)
        b1, b2 = ro.step1, ro.step2
        mask1 = b1.loss_mask * keep1[:, None].float()
        mask2 = b2.loss_mask * keep2[:, None].float()
        m["adv/step1/abs_mean"] = float(adv1[keep1].abs().mean()) if keep1.any() else 0.0
        m["adv/step2/abs_mean"] = float(adv2[keep2].abs().mean()) if keep2.any() else 0.0
        if len(ro):
            m["adv/step1/max"] = float(adv1.max())
            m["adv/step1/min"] = float(adv1.min())
            m["length/step1"] = float(b1.lengths().mean())
            m["length/step2"] = float(b2.lengths().mean())
        m["data/rows_step1"] = float(keep1.sum())
        m["data/rows_step2"] = float(keep2.sum())

        n = len(ro)
        max_rows = D.all_max(n, self.dist)
        t0 = time.perf_counter()
        if ro.logp is not None and len(ro.logp[0]) == n:  # computed during the rewards
            old1, old2, ref1, ref2 = ro.logp
        else:
            old1, old2 = self._frozen_logprobs(self.policy, b1, b2, max_rows, pad)
            ref1, ref2 = self._frozen_logprobs(self.reference, b1, b2, max_rows, pad)
        m["time/logprobs"] = m.get("time/logprobs", 0.0) + time.perf_counter() - t0
        per_minibatch = -(-max_rows // g.minibatches)
        acc: dict[str, list[float]] = {}
        first = True
        for epoch in range(g.epochs):
            order = torch.randperm(n, generator=self.shuffle_gen)
            for chunk in torch.tensor_split(order, g.minibatches):
                rec = self._minibatch(chunk, per_minibatch, (b1, b2), (mask1, mask2),
                                      (adv1, adv2), (old1, old2), (ref1, ref2), pad,
                                      entropy=epoch == 0)
                if first:  # the first update: the policy still equals the sampler
                    rec["loss/ratio_first"] = rec["loss/ratio"]
                    rec["loss/kl_first"] = rec["loss/kl_step1"] + rec["loss/kl_step2"]
                    rec["loss/ratio_dev_max_first"] = rec.pop("loss/ratio_dev_max")
                    first = False
                rec.pop("loss/ratio_dev_max", None)
                for k, v in rec.items():
                    acc.setdefault(k, []).append(v)
        self.scheduler.step()
        out = {k: _nanmean(torch.tensor(v, dtype=torch.float64)) for k, v in acc.items()}
        out["loss/clip_fraction"] = out.get("loss/clip_low", 0.0) + out.get("loss/clip_high", 0.0)
        out["loss/kl"] = out.get("loss/kl_step1", 0.0) + out.get("loss/kl_step2", 0.0)
        return out

    def _minibatch(self, chunk: torch.Tensor, per_minibatch: int, batches: tuple,
                   masks: tuple, advs: tuple, olds: tuple, refs: tuple,
                   pad: tuple[StepBatch, StepBatch], entropy: bool) -> dict[str, float]:
        """One optimiser step on rows ``chunk``: micro-batches through the engine's training
        module (all but the last without gradient synchronisation), one global normaliser per
        step, gradients of the global token mean, one all-reduce of the statistics. Returns
        global statistics."""
        g = self.cfg.grpo
        dev = self.cfg.device
        tokens = D.all_sum(torch.stack([masks[0][chunk].sum(), masks[1][chunk].sum()]),
                           self.dist)
        # plain GRPO: one token mean over the whole completion (both steps' tokens)
        norm = tokens.sum().repeat(2) if g.mode == "plain" else tokens
        kw = dict(eps_low=g.eps_low, eps_high=g.eps_high, beta=g.beta)
        # local sums: for steps 1, 2: loss, pg, kl, ratio, clip_low, clip_high, ent, ent_n
        local = torch.zeros(2, 8, dtype=torch.float64)
        dev_max = 0.0
        self.optimizer.zero_grad(set_to_none=True)
        micro = torch.tensor_split(chunk, self._micro_count(per_minibatch))
        for i, idx in enumerate(micro):
            sync = i == len(micro) - 1
            with contextlib.nullcontext() if sync else self.engine.no_sync():
                out1, out2, padded = self._forward(self.model, *batches, idx, pad)
                loss = None
                for s, (lp, ent) in enumerate((out1, out2)):
                    if padded:
                        mk = torch.zeros_like(lp)
                        adv = torch.zeros(lp.shape[0], device=lp.device)
                        old = ref = torch.zeros_like(lp)
                    else:
                        width = lp.shape[1]
                        mk = masks[s][idx, :width].to(dev)
                        adv = advs[s][idx].to(dev)
                        old, ref = olds[s][idx, :width].to(dev), refs[s][idx, :width].to(dev)
                    part, st = policy_loss_with_stats(lp, old, ref, adv, mk,
                                                      normaliser=norm[s], **kw)
                    loss = part if loss is None else loss + part
                    e_sum = float((ent.detach() * mk).sum()) if entropy else 0.0
                    local[s] += torch.tensor([float(part.detach()), st.pg_sum, st.kl_sum,
                                              st.ratio_sum, st.clip_low_count,
                                              st.clip_high_count, e_sum, float(mk.sum())],
                                             dtype=torch.float64)
                    dev_max = max(dev_max, st.ratio_dev_max)
                self.engine.backward(loss)
        self.engine.finish_gradients()  # hand-summed without accelerate; DDP: nothing left
        gn = self.engine.clip_grad_norm_(self.cfg.optim.grad_clip)
        self.optimizer.step()
        glob = D.all_sum(local, self.dist)
        dev_max = D.all_max_float(dev_max, self.dist)
        n1, n2 = float(tokens[0]), float(tokens[1])
        nn_ = max(1.0, n1 + n2)

        def per(s: int, k: int) -> float:
            return float(glob[s, k]) / max(1.0, float(tokens[s]))

        rec = {
            "loss/total": float(glob[0, 0] + glob[1, 0]),
            "loss/step1": float(glob[0, 0]), "loss/step2": float(glob[1, 0]),
            "loss/kl_step1": per(0, 2), "loss/kl_step2": per(1, 2),
            "loss/clip_low": float(glob[0, 4] + glob[1, 4]) / nn_,
            "loss/clip_high": float(glob[0, 5] + glob[1, 5]) / nn_,
            "loss/ratio": float(glob[0, 3] + glob[1, 3]) / nn_ if n1 + n2 > 0 else 1.0,
            "loss/ratio_dev_max": dev_max,
            "loss/grad_norm": float(gn),
            "loss/tokens": n1 + n2,
        }
        if entropy:
            for s in (0, 1):
                e, c = float(glob[s, 6]), float(glob[s, 7])
                rec[f"loss/entropy_step{s + 1}"] = e / c if c > 0 else float("nan")
        return rec

    # ------------------------------------------------------------------------ eval

    @torch.no_grad()
    def evaluate(self) -> dict[str, Any]:
        """Held-out rewards (fixed-seed samples) and, optionally, ``mme3dr eval``'s overall."""
        ev = self.cfg.eval
        cases = self.dist.shard(self.eval_cases)
        gen = torch.Generator().manual_seed(ev.seed + self.dist.rank)
        was = self.policy.module.training
        self.policy.module.eval()
        t0 = time.perf_counter()
        m: dict[str, Any] = {}
        ro = pending = None
        with self.engine.gathered(self.policy):  # on every process, with cases or not
            if cases:
                pending = start_collect(self.policy, cases, ev.samples, self.reward1,
                                        self.reward2, gen)
        if pending is not None:
            ro = pending.finish()
            r1, r2 = self._rewards(ro, 1), self._rewards(ro, 2)
            m["eval/reward/step1"] = _nanmean(r1)
            m["eval/reward/step2"] = _nanmean(r2)
            m["eval/reward/tilde"] = _nanmean(r1 + self.cfg.grpo.lam * r2)
            m["eval/failed"] = float((~torch.isfinite(r1 + r2)).double().mean())
            m["eval/undecodable"] = float((ro.undecodable(1) | ro.undecodable(2)).double().mean())
            for c_i, case in enumerate(cases):
                rows = slice(c_i * ev.samples, (c_i + 1) * ev.samples)
                m[f"eval/case/{case.id}"] = _nanmean(r1[rows] + self.cfg.grpo.lam * r2[rows])
        m = D.mean_over_processes(m, self.dist)
        if ev.runner and self.dist.is_main and ro is not None and not self.dist.enabled:
            m.update(self._runner_eval(ro, cases))
        self.policy.module.train(was)
        m["time/eval"] = time.perf_counter() - t0
        self.metrics.write(self.step, "eval", m)
        if self.dist.is_main and not self.quiet:
            self.metrics.print_line(self.step, "eval", m, [
                "eval/reward/step1", "eval/reward/step2", "eval/runner/overall", "time/eval"])
        return m

    def _runner_eval(self, ro: Rollout, cases: list[Case]) -> dict[str, float]:
        """Score the first sample's final mesh per case in memory, exactly as ``mme3dr eval``
        would (:func:`mme3dr.scoring.score_pairs`; an undecodable mesh is a missing case)."""
        from mme3dr.results import suite_means
        from mme3dr.scoring import score_pairs

        pairs = []
        for c_i, case in enumerate(cases):
            try:
                mesh = self.policy.decode(ro.step2, c_i * self.cfg.eval.samples)
            except Exception:  # noqa: BLE001 - undecodable: scored as a missing case
                mesh = None
            pairs.append((case, mesh))
        means = suite_means(score_pairs(pairs))
        res: dict[str, float] = {}
        overall = (means.get("overall") or {}).get("mean")
        if isinstance(overall, int | float):
            res["eval/runner/overall"] = float(overall)
        for suite, v in (means.get("suites") or {}).items():
            mean = v.get("mean") if isinstance(v, dict) else v
            if isinstance(mean, int | float):
                res[f"eval/runner/{suite}"] = float(mean)
        return res

    # ------------------------------------------------------------------ checkpoints

    def checkpoint_dir(self) -> Path:
        return checkpoint_root(self.run_dir)

    def save_checkpoint(self) -> Path:
        """``checkpoints/step-K/``: ``state.pt`` (rank 0) and ``rng-rank{r}.pt`` (each rank)."""
        root = self.checkpoint_dir()
        final = root / f"step-{self.step:06d}"
        tmp = root / f".tmp-step-{self.step:06d}"
        if self.dist.is_main:
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir(parents=True, exist_ok=True)
        D.barrier(self.dist)
        # on every process: a sharding engine gathers the full state dicts (to rank 0)
        states = self.engine.state_dicts(self.policy, self.reference, self.optimizer)
        if self.dist.is_main:
            save_file({
                "step": self.step,
                "policy_config": self.policy.config(),
                **states,
                "scheduler": self.scheduler.state_dict(),
                "sampler": self.sampler.state(),
                "config": self.cfg.to_dict(),
            }, tmp / "state.pt")
        save_file({"gen": self.gen.get_state(), "shuffle": self.shuffle_gen.get_state(),
                   "torch": torch.get_rng_state()}, tmp / f"rng-rank{self.dist.rank}.pt")
        D.barrier(self.dist)
        if self.dist.is_main:
            shutil.rmtree(final, ignore_errors=True)
            tmp.rename(final)
            (root / "latest").write_text(final.name)
            kept = sorted(p for p in root.glob("step-*") if p.is_dir())
            for old in kept[: max(0, len(kept) - max(1, self.cfg.checkpoint.keep))]:
                shutil.rmtree(old, ignore_errors=True)
        D.barrier(self.dist)
        return final

    def load_checkpoint(self, path: Path | None = None) -> int:
        """Restore from ``path`` (default: the folder ``checkpoints/latest`` names); returns
        the step. Files are read with ``weights_only=True`` and must resolve inside
        ``checkpoints/`` (:mod:`trainers.checkpoints`); a refusal is a one-line
        ``ConfigError``."""
        root = self.checkpoint_dir()
        path = resolve_checkpoint(self.run_dir, path)
        state = load_file(path / "state.pt", root, map_location=self.cfg.device)
        require_keys(state, STATE_KEYS, path / "state.pt")
        self.engine.load_state_dicts(self.policy, self.reference, self.optimizer, state)
        self.scheduler.load_state_dict(state["scheduler"])
        self.sampler.load(state["sampler"])
        rng = load_file(path / f"rng-rank{self.dist.rank}.pt", root)
        require_keys(rng, ("gen", "shuffle", "torch"), path / f"rng-rank{self.dist.rank}.pt")
        self.gen.set_state(rng["gen"])
        self.shuffle_gen.set_state(rng["shuffle"])
        torch.set_rng_state(rng["torch"])
        self.step = int(state["step"])
        if self.dist.is_main and self.metrics.path.exists():  # drop rows after the checkpoint
            rows = self.metrics.path.read_text(encoding="utf-8").splitlines()
            keep = [r for r in rows if r.strip() and json.loads(r)["step"] <= self.step]
            self.metrics.path.write_text("".join(r + "\n" for r in keep), encoding="utf-8")
        return self.step


# ------------------------------------------------------------------------------ helpers


def _to(batch: Any, device: str) -> Any:
    if device == "cpu":
        return batch
    batch.sequences = batch.sequences.to(device)
    batch.attention_mask = batch.attention_mask.to(device)
    batch.loss_mask = batch.loss_mask.to(device)
    return batch


def _nanmean(t: torch.Tensor) -> float:
    t = t[torch.isfinite(t)]
    return float(t.mean()) if t.numel() else float("nan")


def _padding_rows(ro: Rollout, drawn: list[Rollout]) -> tuple[StepBatch, StepBatch]:
    """One row (both steps) with an all-zero loss mask: what a process forwards in a
    micro-batch where it has no rows of its own (zero loss, zero gradient, same
    collectives)."""
    src = next((r for r in [ro, *drawn] if len(r)), None)
    if src is None:
        raise RuntimeError("this process drew no rows at all (prompts_per_step < processes?)")
    return _padding_from(src.step1, src.step2)


def _padding_from(step1: StepBatch, step2: StepBatch) -> tuple[StepBatch, StepBatch]:
    """Row 0 of both steps with an all-zero loss mask (see :func:`_padding_rows`)."""
    b1, b2 = step1.select([0]), step2.select([0])
    b1.loss_mask = torch.zeros_like(b1.loss_mask)
    b2.loss_mask = torch.zeros_like(b2.loss_mask)
    return b1, b2


def train(cfg: TrainConfig, resume: bool = False, quiet: bool = False) -> dict[str, Any]:
    """Build a trainer from ``cfg`` (under ``accelerate``'s DDP if launched distributed by
    accelerate/torchrun, :func:`trainers.engine.from_env`), resume if asked, train, and return
    the last metrics."""
    engine = E.from_env(cfg.device)
    try:
        trainer = HiGRPOTrainer(cfg, engine=engine, quiet=quiet)
        if resume:
            trainer.load_checkpoint()
        return trainer.train()
    finally:
        engine.shutdown()


__all__ = ["HiGRPOTrainer", "PromptSampler", "resolve_cases", "train"]
