"""Metrics of a run: ``metrics.jsonl``, a terminal line, TensorBoard and a reward plot.

Every training step appends one JSON object ``{"step": k, "kind": "train", ...}`` to
``RUN_DIR/metrics.jsonl``; evaluations append ``{"kind": "eval", ...}``. Keys are ``/``
separated (``reward/step1/mean``, ``time/generate``...; see ``docs/trainers.md``). Values are
plain floats (NaN written as ``null``).
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any


def _clean(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


class MetricsWriter:
    """Append metrics to JSONL, print a short line, optionally mirror to TensorBoard."""

    def __init__(self, run_dir: Path, tensorboard: bool = False, enabled: bool = True):
        self.path = Path(run_dir) / "metrics.jsonl"
        self.enabled = enabled
        self.tb = None
        if enabled and tensorboard:
            try:
                from torch.utils.tensorboard import SummaryWriter

                self.tb = SummaryWriter(str(Path(run_dir) / "tensorboard"))
            except ImportError:
                print("warning: tensorboard is not installed; pip install tensorboard to get "
                      "TensorBoard logs (metrics.jsonl is written anyway)", file=sys.stderr)

    def write(self, step: int, kind: str, values: dict[str, Any]) -> None:
        if not self.enabled:
            return
        row = {"step": step, "kind": kind, **{k: _clean(v) for k, v in values.items()}}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(row) + "\n")
        if self.tb is not None:
            for k, v in values.items():
                if isinstance(v, int | float) and math.isfinite(v):
                    self.tb.add_scalar(f"{kind}/{k}", v, step)

    def print_line(self, step: int, kind: str, values: dict[str, Any], keys: list[str]) -> None:
        if not self.enabled:
            return
        parts = [f"{kind} {step:5d}"]
        for k in keys:
            v = values.get(k)
            if isinstance(v, float):
                parts.append(f"{k.split('/', 1)[-1]}={v:.3f}")
            elif v is not None:
                parts.append(f"{k.split('/', 1)[-1]}={v}")
        print("  ".join(parts), flush=True)

    def close(self) -> None:
        if self.tb is not None:
            self.tb.close()


def read_metrics(path: Path) -> list[dict[str, Any]]:
    rows = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            rows.append(json.loads(line))
    return rows


def plot_rewards(metrics_path: Path, out: Path) -> Path | None:
    """Plot train rewards per step and held-out rewards per evaluation to ``out`` (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = read_metrics(metrics_path)
    train = [r for r in rows if r["kind"] == "train"]
    evals = [r for r in rows if r["kind"] == "eval"]
    if not train and not evals:
        return None
    fig, ax = plt.subplots(figsize=(7, 4))
    for key, label in (("reward/step1/mean", "train R_high (coarse)"),
                       ("reward/step2/mean", "train R_low (final)")):
        pts = [(r["step"], r[key]) for r in train if r.get(key) is not None]
        if pts:
            ax.plot(*zip(*pts, strict=True), alpha=0.5, label=label)
    for key, label in (("eval/reward/step1", "held-out R_high"),
                       ("eval/reward/step2", "held-out R_low"),
                       ("eval/runner/overall", "held-out mme3dr eval overall")):
        pts = [(r["step"], r[key]) for r in evals if r.get(key) is not None]
        if pts:
            ax.plot(*zip(*pts, strict=True), marker="o", label=label)
    ax.set_xlabel("step")
    ax.set_ylabel("reward (each in [0, 1])")
    ax.set_ylim(0, 1)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out
