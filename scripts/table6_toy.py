"""The paper's Table 6 on the CPU toy: plain GRPO vs step-1-only vs step-2-only vs Hi-GRPO.

    python scripts/table6_toy.py --seeds 0 1 2 --steps 12 --jobs 2

Each (mode, seed) run starts from the same initial policy for its seed and gets the same
budget (``trainers/configs/tiny.yaml`` with the overrides below); every run is scored on the
held-out toy cases in the same way (:mod:`trainers.ablation`: the scoring core's ``overall``
over fixed-seed samples). Writes ``docs/table6_toy.json`` (every run and the summary),
``docs/table6_toy.md`` (the table) and ``docs/img/table6_toy.png`` (the plot). Intervals are
95% Student-t intervals over seeds (with 3 seeds: mean +- 4.30 * sd / sqrt(3)).
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import platform
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MODES = ("plain", "step1_only", "step2_only", "hi_grpo")
LABELS = {"initial": "initial policy", "plain": "plain GRPO (one step)",
          "step1_only": "step-1 only", "step2_only": "step-2 only", "hi_grpo": "Hi-GRPO"}
#: two-sided 95% Student-t quantiles by degrees of freedom
T95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306,
       9: 2.262}


def job(mode: str, seed: int, args: dict) -> dict:
    """One run in a worker process: ``mode`` ``initial`` scores the untrained policy."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import torch

    torch.set_num_threads(1)
    from trainers.ablation import run_variant
    from trainers.config import load_config
    from trainers.trainer import resolve_cases

    run_dir = Path(args["tmp"]) / f"{mode}-s{seed}"
    cfg = load_config(ROOT / "trainers" / "configs" / "tiny.yaml", [
        f"run_dir={run_dir}", f"seed={seed}", f"steps={args['steps']}",
        f"grpo.mode={'hi_grpo' if mode == 'initial' else mode}",
        f"grpo.prompts_per_step={args['prompts']}", f"grpo.group_size={args['group']}",
        "rewards.workers=0", "eval.every=0", "checkpoint.every=0", "log.plot=false",
        *args["sets"],
    ])
    return run_variant(cfg, resolve_cases("toy-heldout"), args["samples"], args["eval_seed"],
                       train=mode != "initial")


def interval(values: list[float]) -> tuple[float, float, float]:
    """``(mean, low, high)``: a 95% Student-t interval over the values (seeds)."""
    m = statistics.fmean(values)
    if len(values) < 2:
        return m, float("nan"), float("nan")
    half = T95.get(len(values) - 1, 1.96) * statistics.stdev(values) / math.sqrt(len(values))
    return m, m - half, m + half


def summarise(runs: list[dict]) -> dict:
    out = {}
    for mode in ("initial", *MODES):
        mine = sorted((r for r in runs if r["mode"] == mode), key=lambda r: r["seed"])
        if not mine:
            continue
        row = {"seeds": [r["seed"] for r in mine]}
        for key in ("overall", "r_high", "r_low", "undecodable"):
            vals = [r["heldout"][key] for r in mine]
            mean, lo, hi = interval(vals)
            row[key] = {"mean": mean, "ci95": [lo, hi], "per_seed": vals}
        init = {r["seed"]: r["heldout"]["overall"] for r in runs if r["mode"] == "initial"}
        if mode != "initial" and init:
            gains = [r["heldout"]["overall"] - init[r["seed"]] for r in mine if r["seed"] in init]
            mean, lo, hi = interval(gains)
            row["gain_overall"] = {"mean": mean, "ci95": [lo, hi], "per_seed": gains}
        row["seconds_mean"] = statistics.fmean(r["seconds"] for r in mine)
        out[mode] = row
    return out


def table(summary: dict, meta: dict) -> str:
    def f(d: dict) -> str:
        lo, hi = d["ci95"]
        return f"{d['mean']:.3f} [{lo:.3f}, {hi:.3f}]"

    lines = [
        "| method | held-out overall (scoring core) | gain over initial | held-out R_high "
        "(coarse) | held-out R_low (final) | undecodable | s per run |",
        "|---|---|---|---|---|---|---|",
    ]
    for mode, row in summary.items():
        gain = f(row["gain_overall"]) if "gain_overall" in row else "-"
        lines.append(f"| {LABELS[mode]} | {f(row['overall'])} | {gain} | {f(row['r_high'])} | "
                     f"{f(row['r_low'])} | {row['undecodable']['mean']:.3f} | "
                     f"{row['seconds_mean']:.0f} |")
    lines.append("")
    lines.append(f"Means over seeds {meta['seeds']} with 95% Student-t intervals; "
                 f"{meta['steps']} steps x {meta['prompts']} prompts x {meta['group']} "
                 f"completions per run; held-out: 3 cases x {meta['samples']} fixed-seed samples.")
    return "\n".join(lines) + "\n"


def plot(summary: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    modes = list(summary)
    fig, ax = plt.subplots(figsize=(7, 3.6))
    for i, mode in enumerate(modes):
        row = summary[mode]["overall"]
        lo, hi = row["ci95"]
        err = [[row["mean"] - lo], [hi - row["mean"]]] if math.isfinite(lo) else None
        ax.bar(i, row["mean"], yerr=err, capsize=4,
               color="#999999" if mode == "initial" else "#4477aa")
        ax.scatter([i] * len(row["per_seed"]), row["per_seed"], color="black", s=10, zorder=3)
    ax.set_xticks(range(len(modes)), [LABELS[m] for m in modes], rotation=15, fontsize=8)
    ax.set_ylabel("held-out overall (mme3dr eval)")
    ax.set_title("Toy Table 6: same budget, 95% t-intervals over seeds (dots: seeds)",
                 fontsize=9)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--steps", type=int, default=12)
    p.add_argument("--prompts", type=int, default=4)
    p.add_argument("--group", type=int, default=8)
    p.add_argument("--samples", type=int, default=8, help="held-out samples per case")
    p.add_argument("--eval-seed", type=int, default=1234)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--modes", nargs="+", default=list(MODES), choices=MODES)
    p.add_argument("--set", dest="sets", action="append", default=[],
                   help="a trainer config override for every run (section.key=value)")
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "table6_toy.json")
    p.add_argument("--plot", type=Path, default=ROOT / "docs" / "img" / "table6_toy.png")
    p.add_argument("--label", default=None, help="a name for the modes' rows in the table")
    a = p.parse_args(argv)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        args = {"steps": a.steps, "prompts": a.prompts, "group": a.group, "samples": a.samples,
                "eval_seed": a.eval_seed, "tmp": tmp, "sets": a.sets}
        work = [(m, s) for s in a.seeds for m in ("initial", *a.modes)]
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=a.jobs, mp_context=ctx) as pool:
            futs = [pool.submit(job, m, s, args) for m, s in work]
            runs = []
            for (m, s), fut in zip(work, futs, strict=True):
                runs.append(fut.result())
                print(f"{m:>10} seed {s}: overall {runs[-1]['heldout']['overall']:.3f} "
                      f"({runs[-1]['seconds']:.0f} s)", flush=True)
    summary = summarise(runs)
    if a.label:
        for m in a.modes:
            LABELS[m] = f"{LABELS[m]}, {a.label}"
    meta = {"seeds": a.seeds, "steps": a.steps, "prompts": a.prompts, "group": a.group,
            "samples": a.samples, "eval_seed": a.eval_seed, "jobs": a.jobs, "sets": a.sets,
            "wall_s": time.perf_counter() - t0, "cpus": os.cpu_count(),
            "load_avg_1m_end": os.getloadavg()[0], "python": platform.python_version(),
            "command": "python scripts/table6_toy.py " + " ".join(sys.argv[1:] if argv is None
                                                                 else argv)}
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps({"meta": meta, "summary": summary, "runs": runs}, indent=1))
    a.out.with_suffix(".md").write_text(table(summary, meta))
    plot(summary, a.plot)
    print(table(summary, meta))
    print(f"wrote {a.out}, {a.out.with_suffix('.md')}, {a.plot} in {meta['wall_s']:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
