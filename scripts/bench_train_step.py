"""Where a Hi-GRPO training step's time goes on the tiny config, and the rewards' share.

    python scripts/bench_train_step.py --steps 6 --workers 0 2 --variants before after

For each variant and reward-worker count, builds the trainer of ``trainers/configs/tiny.yaml``
(CPU reference policy, 4 prompts x 8 completions, two meshes scored per completion), runs one
warm-up step (worker start-up, first-call costs) and then ``--steps`` timed steps, and reports
the mean seconds per step of generation, decoding, rewards (scored in memory by
:class:`mme3dr.rewards.MeshReward`: no files, in ``workers`` processes), frozen log-probs and
the update, and the rewards' share of the step. ``time/reward`` is the time the loop spends in
the reward calls, i.e. waiting for them: with ``overlap`` the workers score while the loop
samples step 2 and computes the frozen log-probs, and only the rest is waited for.

Variants (``rewards.*`` of the config): ``before`` scores every mesh and waits for each step's
rewards before going on (``overlap=false, dedup=false, cache=0``); ``after`` is the shipped
setting (``overlap=true, dedup=true, cache=4096``). With ``--pretrain N`` the policy is first
trained ``N`` steps (shipped setting, seed 0) and every variant starts from that same state:
later in training, samples repeat and the reuse matters more. Writes
``docs/bench_train_step.json``. Wall-clock figures depend on the machine's load, which is
recorded (``os.getloadavg``) with them.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PHASES = ("generate", "decode", "reward", "logprobs", "update", "step", "reward_compute")
VARIANTS = {
    "before": ["rewards.overlap=false", "rewards.dedup=false", "rewards.cache=0"],
    "after": ["rewards.overlap=true", "rewards.dedup=true", "rewards.cache=4096"],
}


def _config(tmp: str, name: str, overrides: list[str]):
    from trainers.config import load_config

    return load_config(ROOT / "trainers" / "configs" / "tiny.yaml", [
        f"run_dir={tmp}/{name}", "eval.every=0", "checkpoint.every=0", "log.plot=false",
        *overrides,
    ])


def pretrain(steps: int, tmp: str) -> dict | None:
    """Parameters, reference and optimiser state after ``steps`` shipped-setting steps."""
    if steps <= 0:
        return None
    from trainers.trainer import HiGRPOTrainer

    tr = HiGRPOTrainer(_config(tmp, "pretrain", [f"steps={steps}"]), eval_cases=[],
                       quiet=True)
    try:
        for _ in range(steps):
            tr.train_step()
    finally:
        tr.close_rewards()
    return {"model": tr.policy.module.state_dict(), "reference": tr.reference.module.state_dict(),
            "optimizer": tr.optimizer.state_dict(), "sampler": tr.sampler.state()}


def bench(variant: str, workers: int, steps: int, tmp: str, start: dict | None) -> dict:
    """Mean seconds per phase over ``steps`` timed steps with ``workers`` reward workers."""
    from trainers.trainer import HiGRPOTrainer

    cfg = _config(tmp, f"{variant}-w{workers}", [
        f"rewards.workers={workers}", f"steps={steps + 1}", *VARIANTS[variant]])
    tr = HiGRPOTrainer(cfg, eval_cases=[], quiet=True)
    if start is not None:  # a deep copy: load_state_dict may keep the optimiser's tensors
        start = copy.deepcopy(start)
        tr.policy.module.load_state_dict(start["model"])
        tr.reference.module.load_state_dict(start["reference"])
        tr.optimizer.load_state_dict(start["optimizer"])
        tr.sampler.load(start["sampler"])
    load = [os.getloadavg()[0]]
    try:
        tr.train_step()  # warm-up: pool start, first calls
        rows = []
        for _ in range(steps):
            rows.append(tr.train_step())
            load.append(os.getloadavg()[0])
    finally:
        tr.close_rewards()
    mean = {k: statistics.fmean(r.get(f"time/{k}", 0.0) for r in rows) for k in PHASES}
    shares = [r["time/reward"] / r["time/step"] for r in rows]
    scored = sum(r["reward/scored"] for r in rows)
    reused = sum(r["reward/reused"] for r in rows)
    return {
        "variant": variant, "overrides": VARIANTS[variant],
        "workers": workers, "steps": steps, "seconds_per_step": mean,
        "reward_share": {"mean": statistics.fmean(shares), "min": min(shares),
                         "max": max(shares)},
        "meshes_per_step": 2 * cfg.grpo.prompts_per_step * cfg.grpo.group_size,
        "scored_per_step": scored / steps, "reused_per_step": reused / steps,
        "rounds_per_step": statistics.fmean(r["data/rounds"] for r in rows),
        "load_avg_1m": {"min": min(load), "max": max(load)},
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=6)
    p.add_argument("--workers", type=int, nargs="+", default=[0, 2])
    p.add_argument("--variants", nargs="+", choices=sorted(VARIANTS),
                   default=["before", "after"])
    p.add_argument("--pretrain", type=int, default=0,
                   help="train this many steps first; every variant starts from there")
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "bench_train_step.json")
    a = p.parse_args(argv)
    import torch

    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        start = pretrain(a.pretrain, tmp)
        results = [bench(v, w, a.steps, tmp, start) for w in a.workers for v in a.variants]
    out = {
        "command": "python scripts/bench_train_step.py " + " ".join(
            sys.argv[1:] if argv is None else argv),
        "config": "trainers/configs/tiny.yaml", "cpus": os.cpu_count(), "pretrain": a.pretrain,
        "python": platform.python_version(), "torch": torch.__version__, "results": results,
    }
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(out, indent=1))
    for r in results:
        s = r["seconds_per_step"]
        print(f"{r['variant']} workers={r['workers']}: step {s['step']:.2f} s = generate "
              f"{s['generate']:.2f} + decode {s['decode']:.2f} + reward {s['reward']:.2f} + "
              f"logprobs {s['logprobs']:.2f} + update {s['update']:.2f}; reward share "
              f"{r['reward_share']['mean']:.0%} ({r['reward_share']['min']:.0%}-"
              f"{r['reward_share']['max']:.0%}); scored {r['scored_per_step']:.0f} + reused "
              f"{r['reused_per_step']:.0f} per step, evaluators {s['reward_compute']:.2f} s "
              f"(load {r['load_avg_1m']['min']:.1f}-{r['load_avg_1m']['max']:.1f})")
    print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
