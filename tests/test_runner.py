"""The evaluation loop end to end: statuses, records, resume, interruption, shards, CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import trimesh
from typer.testing import CliRunner

from mme3dr.cli import app
from mme3dr.errors import ConfigError
from mme3dr.examples.models import write_mesh
from mme3dr.results import read_records
from mme3dr.runner import EvalConfig, parse_shard, run_eval

PHYS = ["physical"]


def _cases(tmp_path: Path, ids: list[str]) -> Path:
    path = tmp_path / "cases.jsonl"
    rows = [
        {
            "id": cid,
            "prompt": f"object {cid}",
            "category": "spatial_structural",
            "suites": PHYS,
            "checks": [{"check": "stable"}],
        }
        for cid in ids
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _cube() -> trimesh.Trimesh:
    return trimesh.creation.box((1, 1, 1))


@pytest.fixture()
def mixed(tmp_path: Path) -> tuple[Path, Path]:
    """Model folder: two good assets, one per failure mode, one missing case."""
    model = tmp_path / "model"
    model.mkdir()
    write_mesh(_cube(), model / "good.obj")
    (model / "nested").mkdir()
    write_mesh(_cube(), model / "nested" / "mesh.glb")
    (model / "nan.obj").write_text("v 0 0 0\nv 1 0 0\nv nan 1 0\nf 1 2 3\n")
    (model / "empty.ply").write_text("")
    (model / "odd.fbx").write_text("fbx")
    (model / "model.json").write_text(json.dumps({"name": "My Model", "extra": 1}))
    cases = _cases(tmp_path, ["good", "nested", "nan", "empty", "odd", "absent"])
    return model, cases


def test_mixed_folder_gives_one_record_per_case_with_right_status(
    tmp_path: Path, mixed: tuple[Path, Path]
) -> None:
    model, cases = mixed
    out = run_eval(
        EvalConfig(model_dir=model, cases=cases, out_dir=tmp_path / "out"), progress=False
    )
    assert out.out_dir == tmp_path / "out" / "My_Model"
    recs = {r.case_id: r for r in read_records(out.out_dir / "results.jsonl")}
    assert set(recs) == {"good", "nested", "nan", "empty", "odd", "absent"}
    assert recs["good"].status == "ok" and recs["nested"].status == "ok"
    assert recs["good"].suites["physical"] > 0.5
    assert {s["evaluator"] for s in recs["good"].scores} >= {"stable", "watertight"}
    for cid, kind in (("nan", "non_finite"), ("empty", "unreadable"), ("odd", "unsupported")):
        assert recs[cid].status == "error"
        assert recs[cid].asset.startswith(str(model)) and recs[cid].asset in recs[cid].error
        assert kind in recs[cid].error
        assert recs[cid].suites == {"physical": 0.0}
    assert recs["absent"].status == "missing" and recs["absent"].overall == 0.0
    summary = json.loads((out.out_dir / "summary.json").read_text())
    assert summary["counts"] == {"ok": 2, "missing": 1, "error": 3}
    assert summary["missing"] == ["absent"]
    stamp = summary["stamp"]
    assert stamp["case_set"]["sha256"] and stamp["rig"]["name"] == "orbit8"
    assert stamp["evaluators"]["stable"] and stamp["model"]["meta"]["extra"] == 1
    assert stamp["version"]
    assert stamp["load_limits"]["max_texture_pixels"] == 8192 * 8192  # every budget is stamped
    assert stamp["load_limits"]["max_total_texture_pixels"] == 2 * 8192 * 8192


def test_existing_results_need_resume_or_overwrite(tmp_path: Path, mixed) -> None:
    model, cases = mixed
    cfg = EvalConfig(model_dir=model, cases=cases, out_dir=tmp_path / "out")
    run_eval(cfg, progress=False)
    with pytest.raises(ConfigError, match="--resume"):
        run_eval(cfg, progress=False)
    cfg.overwrite = True
    again = run_eval(cfg, progress=False)
    assert again.evaluated == 6


def test_interrupt_then_resume_completes_without_duplicates(tmp_path: Path, mixed) -> None:
    model, cases = mixed
    cfg = EvalConfig(model_dir=model, cases=cases, out_dir=tmp_path / "out")
    seen = []

    def stop_after_two(record) -> None:
        seen.append(record.case_id)
        if len(seen) == 2:
            raise KeyboardInterrupt

    first = run_eval(cfg, on_case=stop_after_two, progress=False)
    assert first.interrupted and first.evaluated == 2
    assert len(read_records(first.out_dir / "results.jsonl")) == 2
    # a kill during a write leaves half a line: resume must repair it
    with open(first.out_dir / "results.jsonl", "a") as fh:
        fh.write('{"case_id": "nan", "sta')
    cfg.resume = True
    second = run_eval(cfg, progress=False)
    assert second.skipped_existing == 2 and second.evaluated == 4
    lines = (second.out_dir / "results.jsonl").read_text().splitlines()
    assert len(lines) == 6 and len({json.loads(x)["case_id"] for x in lines}) == 6


def test_resume_refuses_a_different_case_set(tmp_path: Path, mixed) -> None:
    model, cases = mixed
    run_eval(EvalConfig(model_dir=model, cases=cases, out_dir=tmp_path / "o"), progress=False)
    (tmp_path / "x").mkdir()
    other = _cases(tmp_path / "x", ["good"])
    with pytest.raises(ConfigError, match="different case set"):
        run_eval(
            EvalConfig(model_dir=model, cases=other, out_dir=tmp_path / "o", resume=True),
            progress=False,
        )


def test_shards_merge_to_the_full_result(tmp_path: Path, mixed) -> None:
    model, cases = mixed
    full = run_eval(
        EvalConfig(model_dir=model, cases=cases, out_dir=tmp_path / "full"), progress=False
    )
    for k in (1, 2, 3):
        run_eval(
            EvalConfig(model_dir=model, cases=cases, out_dir=tmp_path / "sh", shard=(k, 3)),
            progress=False,
        )
    result = CliRunner().invoke(app, ["merge", str(tmp_path / "sh" / "My_Model")])
    assert result.exit_code == 0, result.output
    merged = {r.case_id: r for r in read_records(tmp_path / "sh" / "My_Model" / "results.jsonl")}
    ref = {r.case_id: r for r in read_records(full.out_dir / "results.jsonl")}
    assert set(merged) == set(ref)
    for cid in ref:
        assert merged[cid].status == ref[cid].status
        assert merged[cid].suites == ref[cid].suites
    summary = json.loads((tmp_path / "sh" / "My_Model" / "summary.json").read_text())
    assert summary["counts"] == {"ok": 2, "missing": 1, "error": 3}


@pytest.mark.parametrize("text", ["0/2", "3/2", "a/b", "1"])
def test_bad_shard_specs(text: str) -> None:
    with pytest.raises(ConfigError):
        parse_shard(text)


def test_cli_usage_errors_exit_2_with_one_line(tmp_path: Path, mixed) -> None:
    model, cases = mixed
    runner = CliRunner()
    r = runner.invoke(app, ["eval", str(tmp_path / "nowhere"), "--cases", str(cases)])
    assert r.exit_code == 2 and "model folder does not exist" in r.output
    r = runner.invoke(app, ["eval", str(model), "--cases", str(cases), "--shard", "5/2"])
    assert r.exit_code == 2 and "K <= N" in r.output
    r = runner.invoke(app, ["eval", str(model), "--cases", str(cases), "--suites", "vibes"])
    assert r.exit_code == 2 and "unknown suite" in r.output
    r = runner.invoke(app, ["eval", str(model), "--cases", str(cases), "--rig", "nope"])
    assert r.exit_code == 2 and "orbit8" in r.output
    r = runner.invoke(app, ["eval", str(model), "--cases", str(cases), "--backend", "vulkan"])
    assert r.exit_code == 2 and "unknown render backend 'vulkan'" in r.output
    r = runner.invoke(app, ["eval", str(model), "--cases", str(cases), "--max-faces", "0"])
    assert r.exit_code == 2 and "--max-faces" in r.output


def test_cli_eval_succeeds_with_missing_and_broken_assets(tmp_path: Path, mixed) -> None:
    model, cases = mixed
    r = CliRunner().invoke(
        app, ["eval", str(model), "--cases", str(cases), "--out", str(tmp_path / "o"), "--quiet"]
    )
    assert r.exit_code == 0, r.output
    assert "missing: 1" in r.output and "error: 3" in r.output


def test_killed_process_loses_at_most_the_case_in_flight(tmp_path: Path) -> None:
    model = tmp_path / "model"
    ids = [f"c{i:03d}" for i in range(40)]
    sphere = trimesh.creation.icosphere(subdivisions=4)
    for cid in ids:
        write_mesh(sphere, model / f"{cid}.ply")
    cases = _cases(tmp_path, ids)
    out = tmp_path / "out"
    cmd = [
        sys.executable,
        "-m",
        "mme3dr",
        "eval",
        str(model),
        "--cases",
        str(cases),
        "--out",
        str(out),
        "--quiet",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    results = out / "model" / "results.jsonl"
    deadline = time.time() + 60
    while time.time() < deadline:
        if results.exists() and len(results.read_text().splitlines()) >= 3:
            break
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = len(read_records(results))
    assert 3 <= done_before < len(ids)
    r = subprocess.run([*cmd, "--resume"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    recs = read_records(results)
    assert sorted(x.case_id for x in recs) == ids
    assert all(x.status == "ok" for x in recs)
    assert len(results.read_text().splitlines()) == len(ids)


def test_missing_case_scores_zero_only_on_suites_something_can_measure(tmp_path: Path) -> None:
    model = tmp_path / "m"
    model.mkdir()
    cases = tmp_path / "cases.jsonl"
    row = {
        "id": "gone",
        "prompt": "a cube",
        "category": "stylized",
        "suites": ["physical", "spatial"],
        "checks": [],
    }
    cases.write_text(json.dumps(row) + "\n")
    out = run_eval(EvalConfig(model_dir=model, cases=cases, out_dir=tmp_path / "o"), progress=False)
    (rec,) = read_records(out.out_dir / "results.jsonl")
    # physical has default evaluators; spatial has none without checks, so it stays absent
    assert rec.status == "missing" and rec.suites == {"physical": 0.0, "spatial": None}
    assert rec.overall == 0.0


def test_merge_reports_a_corrupt_shard_summary_in_one_line(tmp_path: Path, mixed) -> None:
    model, cases = mixed
    for k in (1, 2):
        run_eval(
            EvalConfig(model_dir=model, cases=cases, out_dir=tmp_path / "sh", shard=(k, 2)),
            progress=False,
        )
    broken = tmp_path / "sh" / "My_Model" / "shard-2-of-2" / "summary.json"
    broken.write_text('{"stamp": ')
    r = CliRunner().invoke(app, ["merge", str(tmp_path / "sh" / "My_Model")])
    assert r.exit_code == 2, r.output
    assert len(r.output.strip().splitlines()) == 1 and "shard-2-of-2" in r.output


def test_resume_refuses_a_different_up_axis(tmp_path: Path, mixed) -> None:
    model, cases = mixed
    cfg = EvalConfig(model_dir=model, cases=cases, out_dir=tmp_path / "o")
    run_eval(cfg, progress=False)
    cfg.resume, cfg.up_axis = True, "+y"
    with pytest.raises(ConfigError, match="different up axis"):
        run_eval(cfg, progress=False)
    cfg.up_axis = None
    assert run_eval(cfg, progress=False).skipped_existing == 6


def test_records_carry_case_meta(tmp_path: Path) -> None:
    model = tmp_path / "m"
    model.mkdir()
    cases = tmp_path / "cases.jsonl"
    row = {
        "id": "x",
        "prompt": "a cube",
        "category": "stylized",
        "suites": PHYS,
        "meta": {"family": "paraphrase", "pair": "p1"},
    }
    cases.write_text(json.dumps(row) + "\n")
    out = run_eval(EvalConfig(model_dir=model, cases=cases, out_dir=tmp_path / "o"), progress=False)
    (rec,) = read_records(out.out_dir / "results.jsonl")
    assert rec.meta == {"family": "paraphrase", "pair": "p1"}


def test_merge_refuses_shards_made_with_different_rigs(tmp_path: Path, mixed) -> None:
    model, cases = mixed
    run_eval(
        EvalConfig(model_dir=model, cases=cases, out_dir=tmp_path / "sh", shard=(1, 2)),
        progress=False,
    )
    run_eval(
        EvalConfig(
            model_dir=model, cases=cases, out_dir=tmp_path / "sh", shard=(2, 2), rig="orbit24"
        ),
        progress=False,
    )
    r = CliRunner().invoke(app, ["merge", str(tmp_path / "sh" / "My_Model")])
    assert r.exit_code == 2 and "different rigs" in r.output
