"""Evaluation in worker processes: budgets enforced from outside, same numbers as in process,
and a killed run that resumes with exactly one record per case."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mme3dr.evaluators import registry
from mme3dr.examples import shapes
from mme3dr.results import read_records
from mme3dr.runner import EvalConfig, run_eval

TESTS = Path(__file__).resolve().parent
PLUGIN = "plugins.hostile_checks"
GEOMETRY = ("spatial", "functional", "physical")


@pytest.fixture
def hostile(monkeypatch: pytest.MonkeyPatch):
    """Register the misbehaving evaluators here and in the workers; remove them afterwards."""
    monkeypatch.setenv(registry.PLUGINS_ENV, PLUGIN)
    monkeypatch.syspath_prepend(str(TESTS))
    before = set(registry._REGISTRY)
    registry.load_builtin()
    yield
    for name in set(registry._REGISTRY) - before:
        del registry._REGISTRY[name]
    sys.modules.pop(PLUGIN, None)


def _folder(tmp_path: Path, rows: list[dict], meshes: dict[str, object]) -> tuple[Path, Path]:
    model = tmp_path / "model"
    model.mkdir()
    for cid, mesh in meshes.items():
        mesh.export(str(model / f"{cid}.ply"))
    cases = tmp_path / "cases.jsonl"
    cases.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return model, cases


def _row(cid: str, *checks: str, suites=("spatial", "physical")) -> dict:
    return {"id": cid, "prompt": "a cube", "category": "stylized", "suites": list(suites),
            "checks": [{"check": c} for c in checks]}


def test_pool_gives_the_same_records_as_in_process(tmp_path: Path) -> None:
    from mme3dr.cases import load_cases
    from mme3dr.examples.models import REFERENCE

    ids = ["spa-001", "spa-003", "mech-003", "wk-005"]
    starter = load_cases("starter").by_id()
    model, cases = _folder(tmp_path, [starter[c].to_dict() for c in ids] + [_row("gone")],
                           {c: REFERENCE[c]() for c in ids})
    runs = {}
    for n in (1, 2):
        out = run_eval(EvalConfig(model_dir=model, cases=cases, out_dir=tmp_path / f"o{n}",
                                  suites=GEOMETRY, workers=n), progress=False)
        runs[n] = {r.case_id: r for r in read_records(out.out_dir / "results.jsonl")}
        assert out.summary["stamp"]["execution"]["workers"] == n
    assert set(runs[1]) == set(runs[2]) == set(ids) | {"gone"}
    for cid in runs[1]:
        assert runs[1][cid].status == runs[2][cid].status
        assert runs[1][cid].suites == runs[2][cid].suites, cid
        assert runs[1][cid].overall == runs[2][cid].overall


def test_budgets_turn_hangs_hogs_and_crashes_into_error_records(tmp_path: Path, hostile) -> None:
    rows = [_row("hang", "test_sleep"), _row("hog", "test_hog"), _row("crash", "test_crash"),
            _row("fine-1"), _row("fine-2")]
    model, cases = _folder(tmp_path, rows, {r["id"]: shapes.cube() for r in rows})
    t0 = time.monotonic()
    out = run_eval(
        EvalConfig(model_dir=model, cases=cases, out_dir=tmp_path / "o", workers=2,
                   case_timeout=4.0, case_memory_mb=300),
        progress=False,
    )
    elapsed = time.monotonic() - t0
    recs = {r.case_id: r for r in read_records(out.out_dir / "results.jsonl")}
    assert set(recs) == {r["id"] for r in rows}  # exactly one record per case
    assert elapsed < 60
    hang, hog, crash = recs["hang"], recs["hog"], recs["crash"]
    assert hang.status == "error" and "timeout" in hang.error and "test_sleep" in hang.error
    assert "hang.ply" in hang.error
    assert hog.status == "error" and "memory" in hog.error and "test_hog" in hog.error
    assert crash.status == "error" and "crash" in crash.error and "test_crash" in crash.error
    for r in (hang, hog, crash):  # a stopped case scores 0 where something could measure
        assert r.suites["physical"] == 0.0 and r.overall == 0.0
    assert recs["fine-1"].status == "ok" and recs["fine-2"].status == "ok"
    assert out.summary["stamp"]["execution"] == {
        "workers": 2, "mode": "process pool", "case_timeout_s": 4.0, "case_memory_mb": 300,
        "encode_batch": 8}


def test_budget_flags_are_checked(tmp_path: Path) -> None:
    from mme3dr.errors import ConfigError

    model, cases = _folder(tmp_path, [_row("a")], {"a": shapes.cube()})
    for kw in ({"workers": 0}, {"case_timeout": 0.0}, {"case_memory_mb": 10}):
        with pytest.raises(ConfigError):
            run_eval(EvalConfig(model_dir=model, cases=cases, out_dir=tmp_path / "o", **kw),
                     progress=False)


def _cli(model: Path, cases: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "mme3dr", "eval", str(model), "--cases", str(cases),
            "--out", str(out), "--quiet", "--workers", "2", *extra]


@pytest.mark.slow
def test_a_killed_pool_run_resumes_with_one_record_per_case(tmp_path: Path, hostile) -> None:
    # enough cases that the run is still going at each of the three signals: records land in
    # bursts, and with 16 the third run sometimes finished before its signal (exit code 0)
    n = 32
    rows = [_row(f"c-{i:02d}", "test_nap", suites=("spatial",)) for i in range(n)]
    model, cases = _folder(tmp_path, rows, {r["id"]: shapes.cube() for r in rows})
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(TESTS), str(TESTS.parent)]))
    results = out / "model" / "results.jsonl"
    for attempt, sig in enumerate((signal.SIGKILL, signal.SIGTERM, signal.SIGINT)):
        extra = ("--resume",) if results.exists() else ()
        proc = subprocess.Popen(_cli(model, cases, out, *extra), env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        before = len(read_records(results))
        while time.monotonic() < deadline and proc.poll() is None:
            if len(read_records(results)) >= before + 2 + attempt:
                break
            time.sleep(0.05)
        assert proc.poll() is None, f"run {attempt} finished before its signal: too few cases"
        proc.send_signal(sig)
        proc.wait(timeout=30)
        # exit 0 here was seen twice under a full suite's load (stop 23): the signal's
        # KeyboardInterrupt was lost and the run went on; the runner now also polls a flag
        # (test_a_signal_whose_exception_is_swallowed_still_stops_the_run)
        assert proc.returncode != 0, f"run {attempt} ignored its signal {sig!r}"
    done = subprocess.run(_cli(model, cases, out, "--resume"), env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [json.loads(x) for x in results.read_text().splitlines() if x.strip()]
    ids = [x["case_id"] for x in lines]
    assert sorted(set(ids)) == [r["id"] for r in rows]
    assert len(ids) == len(set(ids)) == n  # never a duplicate, never a gap
    assert all(x["status"] == "ok" for x in lines)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_signal_whose_exception_is_swallowed_still_stops_the_run(
        tmp_path: Path, workers: int) -> None:
    # A signal landing while the main thread runs a finaliser has its KeyboardInterrupt
    # printed and dropped by Python; here the callback swallows it the same way. The run must
    # still stop (interrupted, cases left for --resume), not go on to the end.
    n = 24
    rows = [_row(f"c-{i:02d}", suites=("spatial",)) for i in range(n)]
    model, cases = _folder(tmp_path, rows, {r["id"]: shapes.cube() for r in rows})
    sent = []

    def on_case(record) -> None:
        if not sent:
            sent.append(record.case_id)
            try:
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(0.2)  # the handler runs here and raises
            except KeyboardInterrupt:
                pass  # swallowed, as in a finaliser

    out = run_eval(EvalConfig(model_dir=model, cases=cases, out_dir=tmp_path / "o",
                              workers=workers), progress=False, on_case=on_case)
    assert sent, "no case finished"
    assert out.interrupted and out.summary.get("interrupted") is True
    assert out.evaluated < n
    assert signal.getsignal(signal.SIGTERM) is not None  # the handler was put back
