"""Standard CLIP R-precision: fixed candidate pools per case set, independent of the run's
cases, undefined R@k for small pools, and exact recomputation after merging shards."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import trimesh
from typer.testing import CliRunner

from mme3dr.evaluators.alignment import candidate_pool, r_at_k, rank_in_pool
from mme3dr.examples.models import write_mesh
from mme3dr.features.testing import write_random_clip

PROMPTS = [f"prompt number {i}" for i in range(40)]


def test_pool_is_fixed_by_case_set_case_and_seed():
    pool = candidate_pool(PROMPTS, PROMPTS[3], "c3", size=10, seed=0)
    assert pool[0] == PROMPTS[3] and len(pool) == 10 and len(set(pool)) == 10
    assert set(pool) <= set(PROMPTS)
    assert pool == candidate_pool(list(reversed(PROMPTS)), PROMPTS[3], "c3", size=10, seed=0)
    assert pool != candidate_pool(PROMPTS, PROMPTS[3], "c3", size=10, seed=1)
    assert pool[1:] != candidate_pool(PROMPTS, PROMPTS[3], "c4", size=10, seed=0)[1:]
    # a set with fewer prompts than the pool size: every prompt, once
    small = candidate_pool(PROMPTS[:5] + PROMPTS[:2], PROMPTS[0], "c0", size=100)
    assert sorted(small) == sorted(PROMPTS[:5])


def test_rank_and_r_at_k_with_undefined_ks():
    text = np.eye(4)
    assert rank_in_pool(np.array([1.0, 0, 0, 0]), text) == 1
    assert rank_in_pool(np.array([0.6, 0.8, 0, 0]), text) == 2
    assert rank_in_pool(np.array([0.5, 0.5, 0, 0]), text) == 2  # ties count against
    assert rank_in_pool(np.array([0.5, 0.5, 0.5, 0.5]), text) == 4
    res = r_at_k({"a": 1, "b": 3, "c": 6}, pool_size=8, n_cases=4, ks=(1, 5, 10))
    assert res["r@1"] == 0.25 and res["r@5"] == 0.5  # the 4th case has no rank: a miss
    assert res["r@10"] is None and "8 prompts" in res["undefined"]["r@10"]
    assert r_at_k({"a": 1}, pool_size=5, n_cases=1, ks=(5,))["r@5"] is None


@pytest.fixture()
def twelve(tmp_path, monkeypatch) -> tuple[Path, Path]:
    monkeypatch.setenv("MME3DR_HOME", str(tmp_path / "home"))
    write_random_clip(root=tmp_path / "home" / "weights" / "clip-vit-b-32")
    model = tmp_path / "model"
    model.mkdir()
    rows = []
    for i in range(12):
        mesh = trimesh.creation.box((1.0, 0.3 + 0.1 * i, 0.2 + 0.08 * i))
        write_mesh(mesh, model / f"k{i:02d}.obj")
        rows.append(
            {
                "id": f"k{i:02d}",
                "prompt": f"a box of kind {i}",
                "category": "stylized",
                "suites": ["alignment"],
            }
        )
    cases = tmp_path / "cases.jsonl"
    cases.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return model, cases


def test_ranks_do_not_depend_on_the_shard_and_merge_recomputes(twelve, tmp_path):
    from mme3dr.cli import app
    from mme3dr.runner import EvalConfig, run_eval

    model, cases = twelve
    full = run_eval(
        EvalConfig(model_dir=model, cases=cases, out_dir=tmp_path / "full", suites=("alignment",)),
        progress=False,
    ).summary["set_metrics"]["clip_r_precision"]
    assert full["status"] == "ok" and full["pool_size"] == 12 and full["n_cases"] == 12
    assert full["r@10"] is not None and full["undefined"] == {}
    shards = []
    for k in (1, 2, 3):
        out = run_eval(
            EvalConfig(
                model_dir=model,
                cases=cases,
                out_dir=tmp_path / "sh",
                suites=("alignment",),
                shard=(k, 3),
            ),
            progress=False,
        )
        rp = out.summary["set_metrics"]["clip_r_precision"]
        assert rp["pool_size"] == 12  # the case set's pool, not the shard's 4 prompts
        shards.append(rp)
    for rp in shards:  # every case ranks exactly as in the full run
        assert all(full["ranks"][c] == r for c, r in rp["ranks"].items())
    res = CliRunner().invoke(app, ["merge", str(tmp_path / "sh" / "model")])
    assert res.exit_code == 0, res.output
    merged = json.loads((tmp_path / "sh" / "model" / "summary.json").read_text())
    mrp = merged["set_metrics"]["clip_r_precision"]
    assert mrp["status"] == "ok" and mrp["ranks"] == full["ranks"]
    for k in ("r@1", "r@5", "r@10"):
        assert mrp[k] == pytest.approx(full[k])
    assert len(merged["shard_set_metrics"]) == 3
