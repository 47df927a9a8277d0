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
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mme3dr import __version__
from mme3dr.assets import UP_AXES, LoadLimits
from mme3dr.case_scoring import (
    CaseOptions,
    RenderedCase,
    complete_cases,
    load_encoders,
    score_case_batch,
    score_case_file,
)
from mme3dr.cases import Case, CaseSet, load_cases
from mme3dr.errors import ConfigError
from mme3dr.evaluators import registry
from mme3dr.evaluators.base import SUITES
from mme3dr.model_dir import (  # noqa: F401 - re-exported: the model-folder API lived here
    MODEL_META_FILE,
    RefusedFile,
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
    read_records,
    repair_results_file,
    summarise,
    write_json_atomic,
)
from mme3dr.scoring import (
    failed_record,
    plan_case,
    selected_suites,
)


@dataclass
class EvalConfig:
    """Everything that defines one evaluation run (all of it is recorded in the summary).

    ``shard`` is ``(k, n)`` with 1 <= k <= n: this run takes every n-th case starting at the
    k-th (file order). ``suites`` of ``None`` means each case's own suites. ``workers`` is 1
    here (in process, for debugging and the Python API); the CLI defaults to every usable core.
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
    #: worker processes; 1 scores in this process (no budgets beyond the load timeout), more
    #: run each case in a pool under the budgets below (see :mod:`mme3dr.workers`)
    workers: int = 1
    case_timeout: float = 30.0  # seconds of wall time per case (workers > 1)
    case_memory_mb: int | None = None  # per worker; None: half the RAM shared by the workers
    #: cases whose views a learned image encoder encodes in one batch, in this process (the
    #: one that owns the model and the device); workers only render them
    encode_batch: int = 8


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


def case_options(cfg: EvalConfig, rig: Any = None, up_axis: str | None = None,
                 views_dir: Path | None = None) -> CaseOptions:
    """The options ``cfg`` gives its cases (``up_axis`` as resolved for the folder)."""
    return CaseOptions(suites=cfg.suites, rig=rig, device=cfg.device, backend=cfg.backend,
                       up_axis=up_axis, limits=cfg.limits, views_dir=views_dir)


def evaluate_case(
    case: Case,
    asset_path: Path | None,
    cfg: EvalConfig,
    rig: Any = None,
    up_axis: str | None = None,
    views_dir: Path | None = None,
    observers: list[Any] | None = None,
) -> Record:
    """:func:`score_case_file` with the settings of ``cfg`` (the in-process path)."""
    return score_case_file(case, asset_path, case_options(cfg, rig, up_axis, views_dir),
                           observers=observers)


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
        "load_limits": asdict(cfg.limits),  # every limit, texture budgets included
        "execution": _execution_stamp(cfg),
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


def _execution_stamp(cfg: EvalConfig) -> dict[str, Any]:
    """How cases ran: in process, or in a pool of workers under budgets."""
    from mme3dr.workers import default_case_memory_mb

    if cfg.workers <= 1:
        return {"workers": 1, "mode": "in-process", "case_timeout_s": None,
                "case_memory_mb": None, "encode_batch": cfg.encode_batch}
    memory = cfg.case_memory_mb or default_case_memory_mb(cfg.workers)
    return {"workers": cfg.workers, "mode": "process pool", "case_timeout_s": cfg.case_timeout,
            "case_memory_mb": memory, "encode_batch": cfg.encode_batch}


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
    if cfg.workers < 1:
        raise ConfigError(f"--workers must be at least 1, got {cfg.workers}")
    if not cfg.case_timeout > 0:
        raise ConfigError(f"--case-timeout must be positive, got {cfg.case_timeout:g}")
    if cfg.encode_batch < 1:
        raise ConfigError(f"encode_batch must be at least 1, got {cfg.encode_batch}")
    if cfg.case_memory_mb is not None and cfg.case_memory_mb < 128:
        raise ConfigError(f"--case-memory must be at least 128 MB, got {cfg.case_memory_mb}")
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
            case_suites={s for c in cases for s in selected_suites(c, cfg.suites)},
            reference=Path(cfg.reference) if cfg.reference else None,
            case_set=case_set,
        )
    )

    needs_samples = [m for m in set_metrics if getattr(m, "needs_samples", True)]
    if needs_samples and cfg.workers > 1:  # they need every case's views in this process
        cfg = replace(cfg, workers=1)
        stamp["execution"] = _execution_stamp(cfg)
        stamp["execution"]["note"] = "set metrics (R-precision, FD/KID) run in one process"
    # the stamp is on disk from the start, so a killed run can be resumed and checked
    write_json_atomic(out_dir / SUMMARY_FILE, summarise(list(done.values()), stamp))
    interrupted = False
    evaluated = 0

    def finish(record: Record) -> None:
        nonlocal evaluated
        append_record(results_path, record)
        done[record.case_id] = record
        evaluated += 1
        if on_case is not None:
            on_case(record)

    with _stop_on_signals() as stop, _progress(len(todo), enabled=progress) as advance:
        try:
            if cfg.workers <= 1:
                for start in range(0, len(todo), cfg.encode_batch):
                    chunk = todo[start : start + cfg.encode_batch]
                    items = [(c, pick_asset_file(index.get(c.id, []))) for c in chunk]
                    for record in score_case_batch(
                            items, case_options(cfg, rig, up_axis, views_dir), set_metrics):
                        finish(record)
                        advance(record)
                        stop.check()
            else:
                _run_pool(cfg, todo, index, up_axis, views_dir, finish, advance, rig, stop)
        except KeyboardInterrupt:
            interrupted = True
        # a signal whose KeyboardInterrupt was swallowed (raised inside a finaliser, which
        # Python reports and drops) still stops the run: the flag is the source of truth
        interrupted = interrupted or stop.requested
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


def _run_pool(
    cfg: EvalConfig,
    todo: list[Case],
    index: dict[str, list[Path]],
    up_axis: str | None,
    views_dir: Path | None,
    finish: Callable[[Record], None],
    advance: Callable[[Record], None],
    rig: Any = None,
    stop: _StopRequest | None = None,
) -> None:
    """Score ``todo`` in a pebble process pool, each case under the run's budgets.

    Workers load, render and score each case but for its learned image encoders: those
    evaluators run here, where the model lives, on the views of ``cfg.encode_batch`` cases at
    a time (:func:`complete_cases`). At most ``2 * workers + encode_batch`` cases are queued
    at once, so workers render ahead while this process encodes; records are written as cases
    finish (one writer: this process). A case stopped from outside becomes an ``error`` record
    naming the file and the stage. Ctrl-C / SIGTERM (as ``KeyboardInterrupt``) stops the pool
    at once: the cases in flight or waiting for their batch are lost and ``--resume`` reruns
    them. The pool loop also polls ``stop`` at least every :data:`_POLL_S` seconds, so a signal
    whose exception was lost still stops it.
    """
    import multiprocessing
    import shutil
    import tempfile
    from concurrent.futures import FIRST_COMPLETED, wait
    from concurrent.futures import TimeoutError as FutureTimeout

    from pebble import ProcessExpired, ProcessPool

    from mme3dr import workers as w

    memory = cfg.case_memory_mb or w.default_case_memory_mb(cfg.workers)
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if ctx.get_start_method() == "forkserver":  # workers fork from a server that has imported
        ctx.set_forkserver_preload(w.preload_modules())  # these (no GL context, no torch yet)
    stage_dir = tempfile.mkdtemp(prefix="mme3dr-stages-")
    with w.single_threaded_env():  # parallelism comes from the workers, not BLAS threads
        pool = ProcessPool(
            max_workers=cfg.workers, context=ctx, initializer=w.init_worker,
            initargs=(memory, stage_dir, w.process_settings()),
        )
        try:  # start the fork server with this environment; fail early and in one line
            pool.schedule(w.warm_up).result(timeout=120)
        except Exception as exc:  # noqa: BLE001 - e.g. a script without a __main__ guard
            pool.stop()
            raise ConfigError(
                f"could not start worker processes ({type(exc).__name__}: {exc}); a script "
                "that calls run_eval with workers > 1 needs an `if __name__ == '__main__':` "
                "guard, or use workers=1"
            ) from None
    pending: dict[Any, tuple[Case, Path | None]] = {}
    queue = iter(todo)

    def submit() -> bool:
        case = next(queue, None)
        if case is None:
            return False
        path = pick_asset_file(index.get(case.id, []))
        if isinstance(path, RefusedFile):  # refused without opening it: no worker needed
            record = score_case_file(case, path, CaseOptions(suites=cfg.suites, limits=cfg.limits))
            finish(record)
            advance(record)
            return True
        task = w.CaseTask(
            case=case.to_dict() | {"meta": dict(case.meta)},
            asset_path=str(path) if path is not None else None,
            suites=cfg.suites, rig=cfg.rig, device=cfg.device, backend=cfg.backend,
            up_axis=up_axis, limits=cfg.limits,
            views_dir=str(views_dir) if views_dir is not None else None, stage_dir=stage_dir,
            encode_in_parent=True,
        )
        pending[pool.schedule(w.run_case_task, args=(task,), timeout=cfg.case_timeout)] = (
            case, path)
        return True

    batch: list[tuple[Case, Record, RenderedCase]] = []

    def flush() -> None:
        """Encode and finish the cases waiting for the parent's encoders."""
        waiting = list(batch)
        batch.clear()
        for record in complete_cases(waiting, case_options(cfg, rig)):
            finish(record)
            advance(record)

    def outcome(future: Any, case: Case, path: Path | None) -> Record | None:
        """The case's record, or ``None`` when it waits for the batch encoder."""
        kind, code = None, None
        try:
            result = future.result()
            record = Record.from_dict(result["record"])
            if result.get("rendered") is not None:
                batch.append((case, record, result["rendered"]))
                return None
            return record
        except FutureTimeout:
            kind = "timeout"
        except ProcessExpired as exc:
            code = exc.exitcode
            kind = "memory" if code == w.MEMORY_EXIT else "crash"
        except Exception as exc:  # noqa: BLE001 - a bug in one case is that case's record
            reason = f"{path}: internal error: {type(exc).__name__}: {exc}"
            return failed_record(plan_case(case, cfg.suites), "error", reason,
                                 asset=str(path) if path else None)
        stage = w.read_stage(stage_dir, case.id)
        reason = w.budget_reason(str(path) if path else None, kind, stage, cfg.case_timeout,
                                 memory, code)
        return failed_record(plan_case(case, cfg.suites), "error", reason,
                             asset=str(path) if path else None)

    try:
        for _ in range(2 * cfg.workers + cfg.encode_batch):
            if not submit():
                break
        # while the workers render the first cases
        load_encoders(todo[: cfg.encode_batch], case_options(cfg))
        while pending:
            finished, _ = wait(list(pending), timeout=_POLL_S, return_when=FIRST_COMPLETED)
            if stop is not None:
                stop.check()
            for future in finished:
                case, path = pending.pop(future)
                record = outcome(future, case, path)
                w.clear_stage(stage_dir, case.id)
                if record is not None:
                    finish(record)
                    advance(record)
                submit()
            if len(batch) >= cfg.encode_batch or (batch and not pending):
                flush()
        pool.close()
        pool.join()
    except BaseException:
        pool.stop()
        pool.join(timeout=10)
        raise
    finally:
        shutil.rmtree(stage_dir, ignore_errors=True)


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


#: how often (seconds) the pool loop looks at the stop flag when no case finishes.
_POLL_S = 0.5


class _StopRequest:
    """Whether SIGTERM or SIGINT arrived during the run (set by the signal handler)."""

    def __init__(self) -> None:
        self.requested = False

    def check(self) -> None:
        """Raise ``KeyboardInterrupt`` when a stop was requested."""
        if self.requested:
            raise KeyboardInterrupt()


@contextmanager
def _stop_on_signals() -> Iterator[_StopRequest]:
    """Stop cleanly between cases on SIGTERM or SIGINT (Ctrl-C).

    The handler records the request and raises ``KeyboardInterrupt``. The raise alone is not
    enough: when the signal lands while the main thread runs a finaliser (``__del__``, a
    weakref callback: the pool's futures and pipes have them), Python prints the exception and
    drops it, and the run went on to the end (seen under load in
    ``tests/test_workers.py``). The loops therefore also check the recorded request. Off the
    main thread no handler can be installed and the request is never set."""
    stop = _StopRequest()

    def _raise(signum: int, frame: Any) -> None:
        stop.requested = True
        raise KeyboardInterrupt()

    previous = {}
    try:
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, _raise)
    except ValueError:  # not the main thread
        pass
    try:
        yield stop
    finally:
        for sig, handler in previous.items():  # None: a handler set outside Python
            signal.signal(sig, signal.SIG_DFL if handler is None else handler)


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
