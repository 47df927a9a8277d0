"""Record and summary schemas: writing, reading, summarising and merging results.

Layout of one evaluation (``OUT/<model>/``):

* ``results.jsonl``: one :class:`Record` per case, appended and fsynced as each case finishes,
  so a killed run loses at most the case in flight. A truncated last line (a kill during the
  write) is ignored on read and cut off on ``--resume``.
* ``summary.json``: :func:`summarise` of the records plus the version stamp; written
  atomically (temporary file, then rename).

Scoring policy (stated once, here): a ``missing`` or ``error`` case scores 0 on every suite
it requested that has at least one available evaluator for the case; a suite with no
evaluator result for a case is *absent* (``None``) and does not enter that suite's mean; a
case's ``overall`` is the mean of its present suite scores.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

RECORD_SCHEMA = 1
STATUSES: tuple[str, ...] = ("ok", "missing", "error")
RESULTS_FILE = "results.jsonl"
SUMMARY_FILE = "summary.json"


@dataclass
class Record:
    """The result of one case for one model.

    ``suites`` maps each requested suite to its score in [0, 1] or ``None`` (absent: no
    evaluator produced a number); ``scores`` holds every evaluator's :class:`Score` as a dict
    (``evaluator, suite, score, value, passed, reason, status, params, details, seconds``);
    ``timings`` are seconds (``load``, ``render``, ``evaluate``, ``total``); ``meta`` is the
    case's free metadata (e.g. the adversarial set's ``family`` and paraphrase ``pair``), so a
    result folder is self-describing without the case file.
    """

    case_id: str
    status: str
    category: str = ""
    prompt: str = ""
    tags: list[str] = field(default_factory=list)
    suites: dict[str, float | None] = field(default_factory=dict)
    overall: float | None = None
    scores: list[dict[str, Any]] = field(default_factory=list)
    asset: str | None = None
    error: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    provenance: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    schema: int = RECORD_SCHEMA

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Record:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in d.items() if k in known})


def overall_of(suites: dict[str, float | None]) -> float | None:
    """Mean of the present suite scores, ``None`` when none is present."""
    present = [v for v in suites.values() if v is not None]
    return sum(present) / len(present) if present else None


def append_record(path: Path, record: Record) -> None:
    """Append one record as a JSON line and fsync, so it survives a kill right after."""
    line = json.dumps(record.to_dict(), ensure_ascii=False, default=_json_default)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(line + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def read_records(path: Path) -> list[Record]:
    """Read ``results.jsonl``; a truncated or corrupt line is skipped. Later duplicates win."""
    by_id: dict[str, Record] = {}
    if not path.is_file():
        return []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            try:
                rec = Record.from_dict(json.loads(line))
            except (json.JSONDecodeError, TypeError):
                continue
            by_id[rec.case_id] = rec
    return list(by_id.values())


def repair_results_file(path: Path) -> int:
    """Cut a truncated last line (left by a kill mid-write); returns bytes removed."""
    if not path.is_file():
        return 0
    data = path.read_bytes()
    if not data or data.endswith(b"\n"):
        return 0
    keep = data.rfind(b"\n") + 1
    with open(path, "r+b") as fh:
        fh.truncate(keep)
    return len(data) - keep


def write_json_atomic(path: Path, obj: Any) -> None:
    """Write JSON to ``path`` via a temporary file in the same folder and an atomic rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(obj, fh, indent=2, ensure_ascii=False, default=_json_default)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _mean(values: Iterable[float]) -> float | None:
    vals = list(values)
    return sum(vals) / len(vals) if vals else None


def suite_means(records: Iterable[Record]) -> dict[str, Any]:
    """The one aggregation rule for suite and overall scores over a model's cases.

    Returns ``{"suites": {suite: {"mean", "n"}}, "overall": {"mean", "n"}}``. A suite's mean is
    over the records where that suite is present (a number: ``ok`` cases that measured it,
    and ``missing``/``error`` cases, which carry 0 where something could have measured it);
    ``None`` entries (nothing could measure the suite on that case) are left out. ``overall``
    is the mean of the records' own ``overall`` where present (``None`` when none is). A suite
    no record has a number for is not listed. :func:`summarise` and the leaderboard both use
    this, so their numbers agree exactly.
    """
    suite_vals: dict[str, list[float]] = defaultdict(list)
    overall_vals: list[float] = []
    for rec in sorted(records, key=lambda r: r.case_id):  # one summation order everywhere
        for suite, val in rec.suites.items():
            if val is not None:
                suite_vals[suite].append(float(val))
        if rec.overall is not None:
            overall_vals.append(float(rec.overall))
    return {
        "suites": {s: {"mean": _mean(v), "n": len(v)} for s, v in sorted(suite_vals.items())},
        "overall": {"mean": _mean(overall_vals), "n": len(overall_vals)},
    }


def summarise(records: list[Record], stamp: dict[str, Any] | None = None) -> dict[str, Any]:
    """Per-suite, per-category, per-check and overall means, status counts and the stamp.

    Suite and overall means follow :func:`suite_means` (over cases; a suite's mean uses the
    cases where that suite is present, missing and error cases counting as 0). ``checks``
    aggregates every evaluator by name: how many cases ran it, its pass rate (where it has a
    threshold) and mean score.
    """
    counts = {s: 0 for s in STATUSES}
    cat_vals: dict[str, list[float]] = defaultdict(list)
    check_scores: dict[str, list[float]] = defaultdict(list)
    check_passes: dict[str, list[bool]] = defaultdict(list)
    check_errors: dict[str, int] = defaultdict(int)
    missing: list[str] = []
    errors: dict[str, str] = {}
    for rec in sorted(records, key=lambda r: r.case_id):
        counts[rec.status] = counts.get(rec.status, 0) + 1
        if rec.status == "missing":
            missing.append(rec.case_id)
        elif rec.status == "error":
            errors[rec.case_id] = rec.error or ""
        if rec.overall is not None:
            cat_vals[rec.category].append(rec.overall)
        for sc in rec.scores:
            name = sc.get("evaluator", "?")
            if sc.get("status") == "error":
                check_errors[name] += 1
            if sc.get("score") is not None:
                check_scores[name].append(sc["score"])
            if sc.get("passed") is not None:
                check_passes[name].append(bool(sc["passed"]))
    names = sorted(set(check_scores) | set(check_passes) | set(check_errors))
    means = suite_means(records)
    return {
        "n_cases": len(records),
        "counts": counts,
        "overall": means["overall"]["mean"],
        "suites": means["suites"],
        "categories": {c: {"mean": _mean(v), "n": len(v)} for c, v in sorted(cat_vals.items())},
        "checks": {
            n: {
                "n": len(check_scores[n]),
                "mean_score": _mean(check_scores[n]),
                "pass_rate": _mean(float(p) for p in check_passes[n]),
                "errors": check_errors[n],
            }
            for n in names
        },
        "missing": missing,
        "errors": errors,
        "skipped_evaluators": skipped_evaluators(records),
        "stamp": stamp or {},
    }


def skipped_evaluators(records: list[Record]) -> dict[str, str]:
    """``{evaluator: reason}`` for evaluators skipped on some case (first reason seen), e.g.
    learned evaluators whose weights are absent."""
    out: dict[str, str] = {}
    for rec in records:
        for sc in rec.scores:
            if sc.get("status") == "skipped" and sc.get("evaluator") not in out:
                out[sc["evaluator"]] = sc.get("reason", "")
    return dict(sorted(out.items()))


def merge_result_dirs(dirs: list[Path], out_dir: Path) -> dict[str, Any]:
    """Join shard folders (each with ``results.jsonl`` and ``summary.json``) into ``out_dir``.

    The shards must share the case-set hash, rig, suites, up axis and model name
    (``ConfigError`` otherwise); a case present in several shards keeps the last one read.
    Set metrics are kept per shard under ``shard_set_metrics``; R-precision (fixed candidate
    pools, per-case ranks) and FD/KID (from the shards' saved features) are also recomputed
    over the whole run into ``set_metrics``.
    Writes ``results.jsonl`` and ``summary.json``; returns the summary.
    """
    from mme3dr.errors import ConfigError

    stamps = []
    shard_set_metrics = []
    records: dict[str, Record] = {}
    for d in dirs:
        res = d / RESULTS_FILE
        if not res.is_file():
            raise ConfigError(f"{d}: no {RESULTS_FILE} here")
        summ = d / SUMMARY_FILE
        try:
            shard = json.loads(summ.read_text(encoding="utf-8")) if summ.is_file() else {}
            stamp = shard.get("stamp", {})
        except (OSError, json.JSONDecodeError, AttributeError) as exc:
            raise ConfigError(f"{summ}: not a valid summary ({exc})") from None
        stamps.append(stamp)
        shard_set_metrics.append(shard.get("set_metrics"))
        for rec in read_records(res):
            records[rec.case_id] = rec
    for label, key in (
        ("case sets", _case_set_hash),
        ("rigs", _rig),
        ("suites", _suites),
        ("up axes", _up_axis),
        ("models", _model_name),
    ):
        seen = {json.dumps(key(s), sort_keys=True) for s in stamps if s} - {"null"}
        if len(seen) > 1:
            raise ConfigError(f"shards were run with different {label}: {', '.join(sorted(seen))}")
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = out_dir / (RESULTS_FILE + ".tmp")
    tmp.unlink(missing_ok=True)
    for rec in sorted(records.values(), key=lambda r: r.case_id):
        append_record(tmp, rec)
    os.replace(tmp, out_dir / RESULTS_FILE)
    stamp = dict(stamps[0]) if stamps else {}
    stamp.pop("shard", None)
    stamp["merged_from"] = [str(d) for d in dirs]
    summary = summarise(list(records.values()), stamp)
    set_metrics = {str(d): m for d, m in zip(dirs, shard_set_metrics, strict=True) if m}
    if set_metrics:  # kept per shard; those that combine exactly are recomputed over the run
        from mme3dr.metrics import merge_set_metrics

        summary["shard_set_metrics"] = set_metrics
        merged = merge_set_metrics(shard_set_metrics, list(records.values()), list(dirs))
        if merged:
            summary["set_metrics"] = merged
    expected = stamp.get("case_set", {}).get("n_cases")
    if expected is not None and expected != len(records):
        summary["incomplete"] = f"{len(records)} of {expected} cases present after merge"
    write_json_atomic(out_dir / SUMMARY_FILE, summary)
    return summary


def _case_set_hash(stamp: dict[str, Any]) -> Any:
    return (stamp.get("case_set") or {}).get("sha256")


def _rig(stamp: dict[str, Any]) -> Any:
    return stamp.get("rig")


def _suites(stamp: dict[str, Any]) -> Any:
    return stamp.get("suites")


def _up_axis(stamp: dict[str, Any]) -> Any:
    return (stamp.get("model") or {}).get("up_axis")


def _model_name(stamp: dict[str, Any]) -> Any:
    return (stamp.get("model") or {}).get("name")


def _json_default(obj: Any) -> Any:
    """numpy scalars and arrays, paths and sets to JSON."""
    import numpy as np

    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, (Path, set, tuple)):
        return str(obj) if isinstance(obj, Path) else list(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")
