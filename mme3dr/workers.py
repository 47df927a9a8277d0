"""Cases in worker processes, each under a wall-time and a memory budget.

The runner (:mod:`mme3dr.runner`) plans cases and writes records; this module runs one case in
a worker of a `pebble <https://pypi.org/project/Pebble/>`_ process pool. The budgets are
enforced from outside the evaluating code:

* **time**: pebble kills a worker whose case runs past ``case_timeout`` seconds and starts a
  new one; the case becomes an ``error`` record of kind ``timeout``;
* **memory**: each worker caps its writable private memory (``RLIMIT_DATA``, budget plus the
  worker's size at start) and a watchdog thread in the worker exits it as soon as its resident
  size passes ``case_memory_mb``; the case becomes an ``error`` record of kind ``memory``. A
  worker that dies any other way (a crash in a native library) gives kind ``crash``.

Every such record names the file and the stage that was running (``load``, an evaluator's
name, ``views``), read from a small stage file the worker keeps up to date. Workers are
started with ``forkserver`` (``spawn`` where that is missing), never ``fork``: GL contexts and
torch threads do not survive a fork. Workers ignore SIGINT, so Ctrl-C reaches the runner,
which stops the pool.
"""

from __future__ import annotations

import os
import resource
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mme3dr.assets import LoadLimits
from mme3dr.cases import Case

#: exit status of a worker that its memory watchdog stopped
MEMORY_EXIT = 86

#: how often the watchdog reads the worker's resident size (seconds)
WATCH_INTERVAL_S = 0.02

_STATE: dict[str, Any] = {"stage_file": None, "budget": 0}

#: modules the fork server imports once, so a new worker starts in milliseconds (nothing here
#: opens a GL context or imports torch)
PRELOAD: tuple[str, ...] = ("mme3dr.workers", "mme3dr.case_scoring", "mme3dr.evaluators.registry")


def preload_modules() -> list[str]:
    """:data:`PRELOAD` and every check unit (the weight-free checks a worker runs)."""
    from mme3dr.evaluators.registry import check_modules

    return [*PRELOAD, *check_modules()]


@dataclass(frozen=True)
class CaseTask:
    """Everything a worker needs to score one case (picklable)."""

    case: dict[str, Any]
    asset_path: str | None
    suites: tuple[str, ...] | None
    rig: str
    device: str
    backend: str
    up_axis: str | None
    limits: LoadLimits
    views_dir: str | None
    stage_dir: str
    #: leave evaluators that run a learned image encoder to the parent, which encodes the
    #: views of several cases in one batch (the worker loads, renders and scores the rest)
    encode_in_parent: bool = False


#: thread-count variables a worker's numerical libraries read when they are first imported
THREAD_VARS: tuple[str, ...] = (
    "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
)


@contextmanager
def single_threaded_env() -> Iterator[None]:
    """Set one thread per numerical library (unless the user set a number) while workers start."""
    saved = {k: os.environ.get(k) for k in THREAD_VARS}
    for k in THREAD_VARS:
        os.environ.setdefault(k, "1")
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def warm_up() -> int:
    """A no-op task: makes the pool start its fork server and first worker."""
    return os.getpid()


def usable_cores() -> int:
    """CPUs this process may run on (affinity-aware)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def total_memory_mb() -> int:
    """Physical memory of the machine in MiB (``/proc/meminfo``; 8 GiB if unreadable)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    return 8192


def default_case_memory_mb(workers: int) -> int:
    """Half the machine's memory shared among the workers, at least 1 GiB each."""
    return max(1024, total_memory_mb() // (2 * max(1, workers)))


def _rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as fh:
        pages = int(fh.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _data_mb() -> float:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmData:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def _watchdog(budget_mb: float) -> None:
    while True:
        try:
            if _rss_mb() > budget_mb:
                set_stage(None, suffix=" (over the memory budget)")
                os._exit(MEMORY_EXIT)
        except OSError:
            return
        time.sleep(WATCH_INTERVAL_S)


#: environment variables that decide where weights are found; a worker takes the parent's
#: values at the start of each run (a fork server started earlier has older ones)
WEIGHTS_ENV: tuple[str, ...] = (
    "MME3DR_HOME", "HF_HUB_CACHE", "HF_HOME", "TORCH_HOME", "XDG_CACHE_HOME", "HOME",
)


def process_settings() -> dict[str, Any]:
    """This process's run-time settings a worker must share: ``--weights`` overrides, the
    VLM judge's configuration (set by the CLI before the run) and where weights live."""
    from mme3dr import weights
    from mme3dr.evaluators import vlm_judge
    from mme3dr.evaluators.registry import PLUGINS_ENV

    vlm = vlm_judge._CONFIG
    return {
        "weights": {k: str(v) for k, v in weights._OVERRIDES.items()},
        "vlm": {"endpoint": vlm.get("endpoint"), "model": vlm.get("model")},
        "plugins": os.environ.get(PLUGINS_ENV, ""),
        "env": {k: os.environ.get(k) for k in WEIGHTS_ENV},
    }


def apply_settings(settings: dict[str, Any]) -> None:
    """Apply :func:`process_settings` of the parent in a worker."""
    from mme3dr import weights
    from mme3dr.evaluators import vlm_judge

    for key, value in settings.get("env", {}).items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    for name, path in settings.get("weights", {}).items():
        weights.set_override(name, path)
    vlm = settings.get("vlm", {})
    if vlm.get("endpoint"):
        vlm_judge.configure(vlm["endpoint"], vlm.get("model"))


def init_worker(case_memory_mb: int, stage_dir: str, settings: dict[str, Any] | None = None,
                ) -> None:
    """Pool initializer: ignore SIGINT, load the evaluators, apply the parent's settings, cap
    memory, start the watchdog."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from mme3dr.evaluators import registry

    settings = settings or {}
    if settings.get("plugins"):
        os.environ[registry.PLUGINS_ENV] = settings["plugins"]
    registry.load_builtin()
    apply_settings(settings)
    baseline = _rss_mb()
    budget = baseline + float(case_memory_mb)
    _STATE.update(stage_file=None, budget=budget, stage_dir=stage_dir)
    if hasattr(resource, "RLIMIT_DATA"):
        cap = int((_data_mb() + case_memory_mb + 256) * 2**20)
        try:
            soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
            if hard == resource.RLIM_INFINITY or cap < hard:
                resource.setrlimit(resource.RLIMIT_DATA, (cap, hard))
        except (ValueError, OSError):
            pass
    threading.Thread(target=_watchdog, args=(budget,), daemon=True).start()


def stage_path(stage_dir: str | Path, case_id: str) -> Path:
    """Where the worker scoring ``case_id`` writes what it is doing."""
    safe = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in case_id)
    return Path(stage_dir) / f"{safe}.stage"


def set_stage(stage: str | None, suffix: str = "") -> None:
    """Record the current stage of the case in flight (best effort, never raises)."""
    path = _STATE.get("stage_file")
    if path is None:
        return
    try:
        if stage is None:
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(suffix)
        else:
            Path(path).write_text(stage, encoding="utf-8")
    except OSError:
        pass


def read_stage(stage_dir: str | Path, case_id: str) -> str:
    """The last stage a worker recorded for ``case_id`` (``"start"`` when none)."""
    try:
        text = stage_path(stage_dir, case_id).read_text(encoding="utf-8").strip()
    except OSError:
        return "start"
    return text or "start"


def clear_stage(stage_dir: str | Path, case_id: str) -> None:
    stage_path(stage_dir, case_id).unlink(missing_ok=True)


def run_case_task(task: CaseTask) -> dict[str, Any]:
    """Worker entry point: load and score one case. Returns ``{"record": record as a dict,
    "rendered": None or the views and plan indices left to the parent}`` (see
    `mme3dr.case_scoring.score_case_split`)."""
    from mme3dr.case_scoring import CaseOptions, score_case_file, score_case_split
    from mme3dr.render import get_rig

    case = Case.from_dict(task.case)
    _STATE["stage_file"] = str(stage_path(task.stage_dir, case.id))
    set_stage("load")
    rendered = None
    opts = CaseOptions(
        suites=task.suites,
        rig=get_rig(task.rig),
        device=task.device,
        backend=task.backend,
        up_axis=task.up_axis,
        limits=task.limits,
        views_dir=Path(task.views_dir) if task.views_dir else None,
    )
    path = Path(task.asset_path) if task.asset_path else None
    try:
        if task.encode_in_parent:
            record, rendered = score_case_split(case, path, opts, set_stage)
        else:
            record = score_case_file(case, path, opts, on_stage=set_stage)
    except MemoryError:
        from mme3dr.scoring import failed_record, plan_case

        stage = read_stage(task.stage_dir, case.id)
        reason = f"{task.asset_path}: memory: over the case memory budget (during {stage})"
        record = failed_record(plan_case(case, task.suites), "error", reason,
                               asset=task.asset_path)
        rendered = None
    finally:
        _STATE["stage_file"] = None
    record.timings["worker_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"record": record.to_dict(), "rendered": rendered}





def budget_reason(path: str | None, kind: str, stage: str, case_timeout: float,
                  case_memory_mb: int, exitcode: int | None = None) -> str:
    """The error reason of a case stopped from outside (names the file and the stage)."""
    where = path or "(no file)"
    if kind == "timeout":
        return f"{where}: timeout: ran past --case-timeout {case_timeout:g} s (during {stage})"
    if kind == "memory":
        return f"{where}: memory: over --case-memory {case_memory_mb} MB (during {stage})"
    return f"{where}: crash: the worker died (exit {exitcode}) during {stage}"
