"""Paper-protocol presets: data, column arithmetic and `mme3dr eval --protocol`."""

from __future__ import annotations

import json

import pytest
import trimesh
from typer.testing import CliRunner

from mme3dr.errors import ConfigError
from mme3dr.examples.models import write_mesh
from mme3dr.features.testing import write_random_clip
from mme3dr.protocols import PROTOCOLS, get_protocol, protocol_columns, resolve_run_options
from mme3dr.render import get_rig


def test_3dgen_r1_preset_is_the_stated_protocol():
    p = get_protocol("3dgen-r1")
    rig = get_rig(p.rig)
    assert len(rig.azimuths_deg) == 24 and rig.resolution == 299
    assert [c.name for c in p.columns] == ["CLIP", "KD_incep", "KD_dinov2", "FD_incep"]
    scales = {c.name: c.scale for c in p.columns}
    assert scales["KD_incep"] == 100.0 and scales["FD_incep"] == 1.0
    assert len(p.differences) == 3 and p.follows.startswith("the paper")
    with pytest.raises(ConfigError, match="known: 3dgen-r1"):
        get_protocol("nope")
    assert resolve_run_options(p, "orbit8", None) == ("orbit24_299", ("alignment",))
    assert resolve_run_options(p, "orbit24_299", ("alignment", "spatial"))[1] == (
        "alignment",
        "spatial",
    )
    with pytest.raises(ConfigError, match="uses rig orbit24_299"):
        resolve_run_options(p, "orbit4", None)


def test_columns_from_records_and_set_metrics():
    p = PROTOCOLS["3dgen-r1"]
    records = [
        {"scores": [{"evaluator": "clip_score", "status": "ok", "value": 30.0}]},
        {"scores": [{"evaluator": "clip_score", "status": "ok", "value": 20.0}]},
        {"scores": [{"evaluator": "clip_score", "status": "skipped", "value": None}]},
    ]
    summary = {
        "set_metrics": {
            "reference": {
                "status": "ok",
                "inception": {"status": "ok", "kid_mean": 0.0123, "fd": 45.6},
                "dinov2": {"status": "skipped", "reason": "weights dinov2-vit-l-14 not found"},
            }
        },
        "stamp": {"weights": {"clip-vit-b-32": {"sha256": "abc"}}},
    }
    t = protocol_columns(p, summary, records)
    assert t["values"]["CLIP"] == pytest.approx(25.0) and t["n_cases_scored"]["CLIP"] == 2
    assert t["values"]["KD_incep"] == pytest.approx(1.23)
    assert t["values"]["FD_incep"] == pytest.approx(45.6)
    assert t["values"]["KD_dinov2"] is None
    assert "dinov2-vit-l-14 not found" in t["undefined"]["KD_dinov2"]
    assert "warning" not in t
    none = protocol_columns(p, {"set_metrics": {}, "stamp": {}}, records)
    assert "needs --reference" in none["undefined"]["FD_incep"]


def test_cli_eval_protocol_uses_24_views_at_299_and_writes_paper_columns(tmp_path, monkeypatch):
    from mme3dr.cli import app

    monkeypatch.setenv("MME3DR_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setenv("HOME", str(tmp_path))
    write_random_clip(root=tmp_path / "home" / "weights" / "clip-vit-b-32")
    model = tmp_path / "model"
    write_mesh(trimesh.creation.box((1, 1, 1)), model / "a.obj")
    write_mesh(trimesh.creation.icosphere(2), model / "b.obj")
    rows = [
        {"id": c, "prompt": p, "category": "stylized", "suites": ["alignment", "physical"]}
        for c, p in (("a", "a cube"), ("b", "a ball"))
    ]
    cases = tmp_path / "cases.jsonl"
    cases.write_text("".join(json.dumps(r) + "\n" for r in rows))
    args = ["eval", str(model), "--cases", str(cases), "--out", str(tmp_path / "out")]
    res = CliRunner().invoke(app, args + ["--protocol", "3dgen-r1"])
    assert res.exit_code == 0, res.output
    assert "3dgen-r1: CLIP" in res.output
    out = tmp_path / "out" / "model"
    summary = json.loads((out / "summary.json").read_text())
    assert summary["stamp"]["rig"]["name"] == "orbit24_299"
    assert summary["stamp"]["suites"] == ["alignment"]
    recs = [json.loads(x) for x in (out / "results.jsonl").open()]
    clip = [s for r in recs for s in r["scores"] if s["evaluator"] == "clip_score"]
    assert all(len(s["details"]["per_view"]) == 24 for s in clip)
    t = summary["protocol"]
    assert t["values"]["CLIP"] == pytest.approx(sum(s["value"] for s in clip) / 2)
    assert t["values"]["KD_incep"] is None and "needs --reference" in t["undefined"]["KD_incep"]
    assert t["random_weights"] == ["clip-vit-b-32"] and "not a score" in t["warning"]
    assert "white material" in " ".join(t["differences_from_released_script"])
    bad = CliRunner().invoke(app, args + ["--protocol", "3dgen-r1", "--rig", "orbit4"])
    assert bad.exit_code != 0 and "uses rig orbit24_299" in bad.output
