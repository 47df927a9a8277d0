"""Where a Hi-GRPO training step's time goes on the tiny config, and the rewards' share.

    python scripts/bench_train_step.py --steps 6 --workers 0 2

For each reward-worker count, builds the trainer of ``trainers/configs/tiny.yaml`` (CPU
reference policy, 4 prompts x 8 completions, two meshes scored per completion), runs one
warm-up step (worker start-up, first-call costs) and then ``--steps`` timed steps, and reports
the mean seconds per step of generation, decoding, rewards (scored in memory by
:class:`mme3dr.rewards.MeshReward`: no files, in ``workers`` processes) and the update, and
the rewards' share of the step. Writes ``docs/bench_train_step.json``. Wall-clock figures
depend on the machine's load, which is recorded (``os.getloadavg``) with them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PHASES = ("generate", "decode", "reward", "update", "step")


def bench(workers: int, steps: int, tmp: str) -> dict:
    """Mean seconds per phase over ``steps`` timed steps with ``workers`` reward workers."""
    from trainers.config import load_config
    from trainers.trainer import HiGRPOTrainer

    cfg = load_config(ROOT / "trainers" / "configs" / "tiny.yaml", [
        f"run_dir={tmp}/w{workers}", f"rewards.workers={workers}", "eval.every=0",
        "checkpoint.every=0", "log.plot=false", f"steps={steps + 1}",
    ])
    tr = HiGRPOTrainer(cfg, eval_cases=[], quiet=True)
    load = [os.getloadavg()[0]]
    try:
        tr.train_step()  # warm-up: pool start, first calls
        rows = []
        for _ in range(steps):
            rows.append(tr.train_step())
            load.append(os.getloadavg()[0])
    finally:
        if tr.reward1 is not None:
            tr.reward1.close()
        tr.reward2.close()
    mean = {k: statistics.fmean(r[f"time/{k}"] for r in rows) for k in PHASES}
    shares = [r["time/reward"] / r["time/step"] for r in rows]
    return {
        "workers": workers, "steps": steps, "seconds_per_step": mean,
        "reward_share": {"mean": statistics.fmean(shares), "min": min(shares),
                         "max": max(shares)},
        "meshes_per_step": 2 * cfg.grpo.prompts_per_step * cfg.grpo.group_size,
        "rounds_per_step": statistics.fmean(r["data/rounds"] for r in rows),
        "load_avg_1m": {"min": min(load), "max": max(load)},
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=6)
    p.add_argument("--workers", type=int, nargs="+", default=[0, 2])
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "bench_train_step.json")
    a = p.parse_args(argv)
    import torch

    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        results = [bench(w, a.steps, tmp) for w in a.workers]
    out = {
        "command": "python scripts/bench_train_step.py " + " ".join(
            sys.argv[1:] if argv is None else argv),
        "config": "trainers/configs/tiny.yaml", "cpus": os.cpu_count(),
        "python": platform.python_version(), "torch": torch.__version__, "results": results,
    }
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(out, indent=1))
    for r in results:
        s = r["seconds_per_step"]
        print(f"workers={r['workers']}: step {s['step']:.2f} s = generate {s['generate']:.2f} + "
              f"decode {s['decode']:.2f} + reward {s['reward']:.2f} + update {s['update']:.2f}; "
              f"reward share {r['reward_share']['mean']:.0%} "
              f"(load {r['load_avg_1m']['min']:.1f}-{r['load_avg_1m']['max']:.1f})")
    print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
