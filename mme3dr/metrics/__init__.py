"""Set-level metrics: numbers about a whole run, computed after the per-case pass.

A set metric (CLIP R-precision, FD/KID against a reference set) is built once per run with a
:class:`RunContext`, may :meth:`~SetMetric.observe` each evaluated sample while its renders are
still in memory (so nothing is rendered twice), and :meth:`~SetMetric.finalize` turns the
records into a dict written to ``summary["set_metrics"][name]``. Anything it needs to survive a
``--resume`` it writes under ``ctx.out_dir`` (or reads back from the records).

A finalize result always has ``status``: ``ok``, ``skipped`` (with a ``reason`` saying what is
missing and how to fix it) or ``error``.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from mme3dr.evaluators.base import Sample, Score
    from mme3dr.results import Record


@dataclass
class RunContext:
    """What a set metric may know about the run."""

    out_dir: Path
    rig: Any
    device: str = "cpu"
    backend: str = "gl"
    suites: tuple[str, ...] | None = None
    case_suites: set[str] = field(default_factory=set)
    reference: Path | None = None
    #: the whole case set (a :class:`mme3dr.cases.CaseSet`), for metrics whose definition
    #: depends on it (R-precision's candidate pools); when ``None`` they read the case set
    #: named in ``out_dir/summary.json``'s stamp
    case_set: Any = None

    def case_set_prompts(self) -> tuple[list[tuple[str, str]] | None, str]:
        """``([(case id, prompt), ...] of the whole case set, "")`` or ``(None, why)``.

        From :attr:`case_set` when the runner gives it, else from the case-set path in the
        stamp of ``out_dir/summary.json`` (written at the start of a run), checked against
        its hash.
        """
        if self.case_set is not None:
            return [(c.id, c.prompt) for c in self.case_set.cases], ""
        import json

        from mme3dr.cases import load_cases

        path = Path(self.out_dir) / "summary.json"
        try:
            stamp = json.loads(path.read_text(encoding="utf-8")).get("stamp", {})
            stamp = stamp.get("case_set", {})
            loaded = load_cases(stamp["path"], validate_checks=False)
        except Exception as exc:  # noqa: BLE001 - any failure: say what is missing
            return None, f"cannot read the case set from {path}: {type(exc).__name__}: {exc}"
        if stamp.get("sha256") and loaded.sha256 != stamp["sha256"]:
            return None, f"case set {stamp['path']} changed since the run (hash differs)"
        return [(c.id, c.prompt) for c in loaded.cases], ""


class SetMetric(Protocol):
    name: str

    def observe(self, sample: Sample, scores: list[Score]) -> None: ...

    def finalize(self, records: list[Record]) -> dict[str, Any]: ...


def build_set_metrics(ctx: RunContext) -> list[SetMetric]:
    """The set metrics that apply to this run: R-precision when the alignment suite runs,
    reference FD/KID when ``ctx.reference`` is given."""
    metrics: list[SetMetric] = []
    if "alignment" in ctx.case_suites:
        from mme3dr.evaluators.alignment import ClipRPrecisionMetric

        metrics.append(ClipRPrecisionMetric(ctx))
    if ctx.reference is not None:
        from mme3dr.evaluators.reference_metrics import ReferenceDistancesMetric

        metrics.append(ReferenceDistancesMetric(ctx))
    return metrics


def observe_all(metrics: list[SetMetric], sample: Sample, scores: list[Score]) -> None:
    """Let every set metric see a sample; a failure is kept for finalize, never raised."""
    for m in metrics:
        try:
            m.observe(sample, scores)
        except Exception as exc:  # noqa: BLE001 - a set metric never stops a run
            errors = getattr(m, "observe_errors", None)
            if isinstance(errors, list):
                errors.append(f"{sample.case.id}: {type(exc).__name__}: {exc}")


def finalize_all(metrics: list[SetMetric], records: list[Record]) -> dict[str, Any]:
    """``{name: result}``; an exception becomes ``{"status": "error", "reason": ...}``."""
    out: dict[str, Any] = {}
    for m in metrics:
        try:
            out[m.name] = m.finalize(records)
        except Exception as exc:  # noqa: BLE001
            out[m.name] = {
                "status": "error",
                "reason": f"{type(exc).__name__}: {exc}",
                "trace": traceback.format_exc(limit=3),
            }
    return out


def merge_set_metrics(
    shard_metrics: list[dict[str, Any] | None],
    records: list[Record],
    shard_dirs: list[Path] | None = None,
) -> dict[str, Any]:
    """Set metrics over a merged run, from the shards' ``set_metrics`` and the merged records.

    ``clip_r_precision`` is recomputed exactly from the shards' per-case ranks (fixed
    candidate pools); ``reference`` (FD/KID) is recomputed from the features each shard saved
    under ``<shard>/features/`` when ``shard_dirs`` are given and every shard has them.
    """
    from mme3dr.evaluators.alignment import merge_r_precision
    from mme3dr.evaluators.reference_metrics import merge_reference

    out: dict[str, Any] = {}
    for name in ("clip_r_precision", "reference"):
        parts = [m[name] for m in shard_metrics if m and name in m]
        if not parts or (name == "reference" and not shard_dirs):
            continue
        try:
            if name == "clip_r_precision":
                out[name] = merge_r_precision(parts, records)
            else:
                out[name] = merge_reference(parts, list(shard_dirs or []), records)
        except Exception as exc:  # noqa: BLE001 - a merge never fails on a set metric
            out[name] = {"status": "error", "reason": f"{type(exc).__name__}: {exc}"}
    return out
