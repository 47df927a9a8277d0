"""The evaluation loop: find assets, plan evaluators, shard, resume, show progress, write records.

A model folder holds ``<case_id>.<ext>`` or ``<case_id>/<file>.<ext>`` (``ext`` one of
:data:`mme3dr.assets.SUPPORTED_EXTENSIONS`), plus an optional ``model.json`` with ``name``,
``up_axis`` and free metadata. Every case gets exactly one record: ``ok``, ``missing`` (no
file for the case) or ``error`` (the file could not be loaded; the reason names it).
"""

from __future__ import annotations

import json
import platform
import re
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mme3dr import __version__
from mme3dr.assets import UP_AXES, LoadLimits, load_asset
from mme3dr.cases import Case, CaseSet, load_cases
from mme3dr.errors import AssetError, ConfigError
from mme3dr.evaluators import registry
from mme3dr.evaluators.base import SUITES, Evaluator, Sample, Score
from mme3dr.model_dir import (  # noqa: F401 - re-exported: the model-folder API lived here
    MODEL_META_FILE,
    index_model_dir,
    pick_asset_file,
    read_model_meta,
    safe_name,
)
from mme3dr.results import (
    RESULTS_FILE,
    SUMMARY_FILE,
    Record,
    append_record,
    overall_of,
    read_records,
    repair_results_file,
    summarise,
    write_json_atomic,
)


@dataclass
class EvalConfig:
    """Everything that defines one evaluation run (all of it is recorded in the summary).

    ``shard`` is ``(k, n)`` with 1 <= k <= n: this run takes every n-th case starting at the
    k-th (file order). ``suites`` of ``None`` means each case's own suites.
    """

    model_dir: Path
    cases: str | Path = "starter"
    suites: tuple[str, ...] | None = None
    out_dir: Path = Path("results")
    rig: str = "orbit8"
    device: str = "cpu"
    backend: str = "gl"
    shard: tuple[int, int] | None = None
    resume: bool = False
    overwrite: bool = False
    up_axis: str | None = None
    limits: LoadLimits = field(default_factory=LoadLimits)
    seed: int = 0
    save_views: bool = False
    model_name: str | None = None
    reference: Path | None = None  # folder of reference meshes for FD/KID (set metrics)


@dataclass
class RunOutcome:
    """What :func:`run_eval` did: where it wrote, the summary and the cases it (re)ran."""

    out_dir: Path
    summary: dict[str, Any]
    evaluated: int
    skipped_existing: int
    interrupted: bool = False


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/4"`` -> ``(2, 4)``; ``ConfigError`` unless ``1 <= k <= n``."""
    m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not m:
        raise ConfigError(f"--shard must look like K/N (e.g. 1/4), got {text!r}")
    k, n = int(m.group(1)), int(m.group(2))
    if not (n >= 1 and 1 <= k <= n):
        raise ConfigError(f"--shard {text}: need 1 <= K <= N")
    return k, n


def plan_evaluators(case: Case, suites: tuple[str, ...] | None) -> list[Evaluator]:
    """The evaluators to run for ``case``: its checks in the selected suites plus each selected
    suite's default evaluators (a default that is also a check runs once, with the check's
    parameters)."""
    active = case_suites(case, suites)
    evaluators: list[Evaluator] = []
    check_names = set()
    for chk in case.checks:
        params = {k: v for k, v in chk.items() if k != "check"}
        ev = registry.build(chk["check"], params)
        if ev.suite in active:
            evaluators.append(ev)
            check_names.add(ev.name)
    for suite in active:
        for cls in registry.default_evaluators(suite):
            if cls.name not in check_names:
                evaluators.append(cls())
    return evaluators


def case_suites(case: Case, suites: tuple[str, ...] | None) -> tuple[str, ...]:
    return tuple(s for s in case.suites if suites is None or s in suites)


def check_weight(name: str) -> float:
    """Weight of an evaluator within its suite score (see ``mme3dr.evaluators.weights``)."""
    try:
        from mme3dr.evaluators.weights import CHECK_WEIGHTS
    except ImportError:
        return 1.0
    return float(CHECK_WEIGHTS.get(name, 1.0))


def combine_suites(scores: list[Score], suites: tuple[str, ...]) -> dict[str, float | None]:
    """Weighted mean of the ok scores of each suite; ``None`` where a suite has none."""
    out: dict[str, float | None] = {}
    for suite in suites:
        pairs = [
            (check_weight(s.evaluator), s.score)
            for s in scores
            if s.suite == suite and s.status == "ok" and s.score is not None
        ]
        total = sum(w for w, _ in pairs)
        out[suite] = sum(w * v for w, v in pairs) / total if total > 0 else None
    return out


def evaluate_case(
    case: Case,
    asset_path: Path | None,
    cfg: EvalConfig,
    rig: Any = None,
    up_axis: str | None = None,
    views_dir: Path | None = None,
    observers: list[Any] | None = None,
) -> Record:
    """Load, evaluate and judge one case. Never raises for bad input: it becomes the record."""
    t0 = time.perf_counter()
    suites = case_suites(case, cfg.suites)
    evaluators = plan_evaluators(case, cfg.suites)
    # a missing or unusable asset scores 0 on every suite that something could have measured
    failed_suites = {
        s: 0.0 for s in suites if any(e.suite == s and e.available() for e in evaluators)
    }
    base = dict(
        case_id=case.id,
        category=case.category,
        prompt=case.prompt,
        tags=list(case.tags),
        meta=dict(case.meta),
    )
    if asset_path is None:
        return Record(
            status="missing",
            suites=failed_suites,
            overall=0.0 if failed_suites else None,
            error="no asset file for this case",
            **base,
        )
    try:
        asset = load_asset(asset_path, up_axis=up_axis, limits=cfg.limits)
    except AssetError as exc:
        return Record(
            status="error",
            suites=failed_suites,
            overall=0.0 if failed_suites else None,
            asset=str(asset_path),
            error=str(exc),
            timings={"load": time.perf_counter() - t0, "total": time.perf_counter() - t0},
            **base,
        )
    t_load = time.perf_counter() - t0
    sample = Sample(case=case, asset=asset, rig=rig, device=cfg.device, backend=cfg.backend)
    scores = [ev.score(sample) for ev in evaluators]
    if views_dir is not None:
        try:
            views_dir.mkdir(parents=True, exist_ok=True)
            sample.views().contact_sheet().save(views_dir / f"{safe_name(case.id)}.png")
        except Exception as exc:  # noqa: BLE001 - a failed thumbnail never fails the case
            scores.append(
                Score(
                    "save_views",
                    suites[0] if suites else "physical",
                    None,
                    status="error",
                    reason=f"could not save views: {exc}",
                )
            )
    if observers:  # set metrics (R-precision, FD/KID) see the views while they are in memory
        from mme3dr.metrics import observe_all

        observe_all(observers, sample, scores)
    t_total = time.perf_counter() - t0
    t_render = sample.render_seconds
    suite_scores = combine_suites(scores, suites)
    return Record(
        status="ok",
        suites=suite_scores,
        overall=overall_of(suite_scores),
        scores=[s.to_dict() for s in scores],
        asset=str(asset_path),
        timings={
            "load": t_load,
            "render": t_render,
            "evaluate": max(0.0, t_total - t_load - t_render),
            "total": t_total,
        },
        provenance=asset.provenance,
        **base,
    )


def build_stamp(cfg: EvalConfig, case_set: CaseSet, rig: Any, model: dict[str, Any]) -> dict:
    """How every number of this run was made."""
    import numpy
    import trimesh

    evaluators = {name: registry.get(name).version for name in registry.known_names()}
    return {
        "toolkit": "mme3dr",
        "version": __version__,
        "case_set": case_set.stamp(),
        "suites": list(cfg.suites) if cfg.suites else "per case",
        "rig": rig.to_dict() if rig is not None else None,
        "renderer": cfg.backend,
        "device": cfg.device,
        "seed": cfg.seed,
        "evaluators": evaluators,
        "weights": _weights_stamp(),
        "load_limits": {
            "max_bytes": cfg.limits.max_bytes,
            "max_faces": cfg.limits.max_faces,
            "timeout_s": cfg.limits.timeout_s,
        },
        "model": model,
        "shard": f"{cfg.shard[0]}/{cfg.shard[1]}" if cfg.shard else None,
        "platform": {
            "python": platform.python_version(),
            "numpy": numpy.__version__,
            "trimesh": trimesh.__version__,
            "machine": platform.machine(),
        },
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _weights_stamp() -> dict[str, Any]:
    """Weights loaded by this run so far (name, pretrained tag, checkpoint, sha256 or
    "random weights"); refreshed after the per-case loop."""
    from mme3dr.weights import used_weights

    return used_weights()


def resolve_output_dir(cfg: EvalConfig, model_name: str) -> Path:
    out = cfg.out_dir / safe_name(model_name)
    if cfg.shard:
        out = out / f"shard-{cfg.shard[0]}-of-{cfg.shard[1]}"
    return out


def run_eval(
    cfg: EvalConfig,
    on_case: Callable[[Record], None] | None = None,
    progress: bool = True,
) -> RunOutcome:
    """Evaluate a model folder against a case set; returns the outcome (summary included).

    Raises :class:`ConfigError` for usage problems (no such folder, results already present
    without ``resume``/``overwrite``, a resumed run on another case set). Ctrl-C or SIGTERM stops
    after writing what is done; the outcome then has ``interrupted=True``.
    """
    model_dir = Path(cfg.model_dir)
    if not model_dir.is_dir():
        raise ConfigError(f"{model_dir}: model folder does not exist")
    if cfg.suites:
        bad = [s for s in cfg.suites if s not in SUITES]
        if bad:
            raise ConfigError(f"unknown suite(s) {', '.join(bad)}; known: {', '.join(SUITES)}")
    if cfg.up_axis is not None and cfg.up_axis not in UP_AXES:
        raise ConfigError(f"--up-axis must be one of {', '.join(UP_AXES)}, got {cfg.up_axis!r}")
    if cfg.limits.max_faces < 1 or cfg.limits.max_bytes < 1:
        raise ConfigError("--max-faces and --max-mb must be positive")
    from mme3dr.render import check_backend, get_rig

    check_backend(cfg.backend)
    case_set = load_cases(cfg.cases)

    try:
        rig = get_rig(cfg.rig)
    except KeyError as exc:
        raise ConfigError(str(exc.args[0])) from None
    meta = read_model_meta(model_dir)
    name = cfg.model_name or str(meta.get("name") or model_dir.resolve().name)
    up_axis = cfg.up_axis or meta.get("up_axis")
    out_dir = resolve_output_dir(cfg, name)
    results_path = out_dir / RESULTS_FILE
    model = {"name": name, "dir": str(model_dir), "meta": meta, "up_axis": up_axis or "default"}
    from mme3dr.weights import reset_used

    reset_used()
    stamp = build_stamp(cfg, case_set, rig, model)

    done: dict[str, Record] = {}
    if results_path.exists():
        if cfg.overwrite:
            results_path.unlink()
            (out_dir / SUMMARY_FILE).unlink(missing_ok=True)
        elif cfg.resume:
            _check_resume_compatible(out_dir, stamp)
            repair_results_file(results_path)
            done = {r.case_id: r for r in read_records(results_path)}
        else:
            raise ConfigError(
                f"{results_path} already exists; pass --resume to continue it "
                "or --overwrite to start again"
            )
    out_dir.mkdir(parents=True, exist_ok=True)

    cases = case_set.cases
    if cfg.shard:
        k, n = cfg.shard
        cases = [c for i, c in enumerate(cases) if i % n == k - 1]
    index = index_model_dir(model_dir)
    todo = [c for c in cases if c.id not in done]
    views_dir = out_dir / "views" if cfg.save_views else None
    from mme3dr.metrics import RunContext, build_set_metrics

    set_metrics = build_set_metrics(
        RunContext(
            out_dir=out_dir,
            rig=rig,
            device=cfg.device,
            backend=cfg.backend,
            suites=cfg.suites,
            case_suites={s for c in cases for s in case_suites(c, cfg.suites)},
            reference=Path(cfg.reference) if cfg.reference else None,
        )
    )

    # the stamp is on disk from the start, so a killed run can be resumed and checked
    write_json_atomic(out_dir / SUMMARY_FILE, summarise(list(done.values()), stamp))
    interrupted = False
    evaluated = 0
    with _stop_on_sigterm(), _progress(len(todo), enabled=progress) as advance:
        try:
            for case in todo:
                path = pick_asset_file(index.get(case.id, []))
                record = evaluate_case(case, path, cfg, rig, up_axis, views_dir, set_metrics)
                append_record(results_path, record)
                done[case.id] = record
                evaluated += 1
                if on_case is not None:
                    on_case(record)
                advance(record)
        except KeyboardInterrupt:
            interrupted = True
    selected = {c.id for c in cases}
    records = [r for cid, r in done.items() if cid in selected]
    stamp["weights"] = _weights_stamp()
    summary = summarise(records, stamp)
    from mme3dr.metrics import finalize_all

    if set_metrics:  # computed after the per-case pass, over the whole run
        summary["set_metrics"] = (
            {m.name: {"status": "skipped", "reason": "run interrupted"} for m in set_metrics}
            if interrupted
            else finalize_all(set_metrics, records)
        )
    if interrupted:
        summary["interrupted"] = True
    write_json_atomic(out_dir / SUMMARY_FILE, summary)
    return RunOutcome(
        out_dir=out_dir,
        summary=summary,
        evaluated=evaluated,
        skipped_existing=len(cases) - len(todo),
        interrupted=interrupted,
    )


def _check_resume_compatible(out_dir: Path, stamp: dict[str, Any]) -> None:
    path = out_dir / SUMMARY_FILE
    if not path.is_file():
        return
    try:
        old = json.loads(path.read_text(encoding="utf-8")).get("stamp", {})
    except (OSError, json.JSONDecodeError):
        return
    for key, label in (
        ("case_set", "case set"),
        ("rig", "rig"),
        ("suites", "suites"),
        ("model", "up axis"),
    ):
        a, b = old.get(key), stamp.get(key)
        if key == "case_set":
            a, b = (a or {}).get("sha256"), (b or {}).get("sha256")
        elif key == "model":  # records made in another frame must not be mixed in
            a, b = (a or {}).get("up_axis"), (b or {}).get("up_axis")
        if a is not None and a != b:
            raise ConfigError(
                f"cannot --resume {out_dir}: it was run with a different {label}; "
                "use --overwrite or another --out"
            )


@contextmanager
def _stop_on_sigterm() -> Iterator[None]:
    """Turn SIGTERM into KeyboardInterrupt so a kill stops cleanly between cases."""

    def _raise(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt()

    try:
        previous = signal.signal(signal.SIGTERM, _raise)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def _progress(total: int, enabled: bool) -> Iterator[Callable[[Record], None]]:
    """A rich progress bar (cases done, rate, time left) on stderr; a no-op when disabled."""
    if not enabled or total == 0:
        yield lambda record: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    console = Console(stderr=True)
    columns = (
        TextColumn("[bold]eval[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        TextColumn("{task.fields[last]}"),
    )
    start = time.perf_counter()
    with Progress(*columns, console=console, transient=False) as prog:
        task = prog.add_task("eval", total=total, rate="", last="")

        def advance(record: Record) -> None:
            done = prog.tasks[0].completed + 1
            rate = done / max(time.perf_counter() - start, 1e-9)
            prog.update(
                task,
                advance=1,
                rate=f"{rate:.2f} cases/s",
                last=f"{record.case_id}: {record.status}",
            )

        yield advance
