"""The evaluator audit: on honest reference assets and every asset-side attack, the
weight-free evaluators keep every robustness claim they make, and the CLI reports it."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from mme3dr.adversarial import ATTACKS, apply_attack
from mme3dr.audit import (
    GEOMETRY_SUITES,
    claim_failures,
    pivot,
    run_audit,
    score_mesh,
    to_markdown,
)
from mme3dr.cases import load_cases
from mme3dr.cli import app
from mme3dr.evaluators import registry
from mme3dr.examples import shapes

#: attacks that must not change a fair evaluator's verdict: normalisation undoes the scale,
#: measurements ignore face orientation
INVARIANT = ("extreme_scale", "inverted_normals")
#: attacks that destroy the object: the overall (reward) score must drop
DESTRUCTIVE = ("billboard", "empty", "exploded", "near_empty", "noise", "one_view_silhouette")


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return run_audit("mme3dr", suites=GEOMETRY_SUITES, n_cases=10, seed=1)


def test_every_claim_of_the_weight_free_evaluators_holds(table: pd.DataFrame) -> None:
    fails = claim_failures(table)
    assert fails.empty, fails.to_string()
    assert table["claimed"].sum() > 40
    assert set(table["attack"]) == set(ATTACKS)


def test_claims_name_known_attacks_and_every_geometry_evaluator_claims_some() -> None:
    for name in registry.known_names():
        cls = registry.get(name)
        assert set(cls.robust_to) <= set(ATTACKS), name
        if cls.suite in GEOMETRY_SUITES and name != "upright":
            assert {"empty", *INVARIANT} <= set(cls.robust_to), name


def test_invariant_attacks_tie_and_empty_always_loses(table: pd.DataFrame) -> None:
    inv = table[table["attack"].isin(INVARIANT)]
    assert (inv["ties"] == inv["n"]).all(), inv.to_string()
    empty = table[table["attack"] == "empty"]
    assert (empty["win_rate"] == 1.0).all()


def test_overall_reward_prefers_honest_over_destructive_attacks(table: pd.DataFrame) -> None:
    overall = table[(table["evaluator"] == "overall") & table["attack"].isin(DESTRUCTIVE)]
    assert len(overall) == len(DESTRUCTIVE)
    assert (overall["losses"] == 0).all() and (overall["win_rate"] >= 0.9).all()
    assert (overall["mean_margin"] > 0.2).all(), overall.to_string()


def test_table_shapes(table: pd.DataFrame) -> None:
    assert table.attrs["n_cases"] == 10 and table.attrs["seed"] == 1
    grid = pivot(table)
    assert grid.index[-1] == "overall" and "convex_hull" in grid.columns
    md = to_markdown(table)
    assert md.startswith("| evaluator |") and "`watertight`" in md


def test_sample_is_seeded() -> None:
    a = run_audit("starter", suites=("physical",), n_cases=2, seed=5, attacks=["empty"])
    b = run_audit("starter", suites=("physical",), n_cases=2, seed=5, attacks=["empty"])
    assert a.attrs["case_ids"] == b.attrs["case_ids"]
    pd.testing.assert_frame_equal(a, b)


def test_unloadable_attack_scores_zero_like_a_missing_asset() -> None:
    case = load_cases("starter").by_id()["mech-001"]
    scores = score_mesh(case, apply_attack("empty", shapes.stool(3)), None)
    assert scores["overall"] == 0.0 and scores["ground_contacts"] == 0.0


def test_cli_audit_runs_and_exits_1_when_a_claim_fails(monkeypatch) -> None:
    res = CliRunner().invoke(
        app, ["audit", "--cases", "starter", "--suites", "spatial,physical", "--n", "2",
              "--attacks", "empty,convex_hull"],
    )
    assert res.exit_code == 0, res.output
    assert "claim" in res.output and "0 failing" in res.output
    broken = pd.DataFrame([{
        "evaluator": "stable", "attack": "exploded", "n": 3, "wins": 0, "ties": 2,
        "losses": 1, "win_rate": 0.0, "mean_margin": -0.01, "claimed": True, "holds": False,
    }])
    broken.attrs.update(n_cases=3, cases="mme3dr")
    monkeypatch.setattr("mme3dr.audit.run_audit", lambda *a, **k: broken)
    res = CliRunner().invoke(app, ["audit", "--n", "3"])
    assert res.exit_code == 1, res.output
    assert "1 failing" in res.output and "stable vs exploded" in res.output


def test_audit_takes_a_reference_folder_like_eval_takes_a_model_folder(tmp_path) -> None:
    from mme3dr.audit import folder_builders
    from mme3dr.examples.models import REFERENCE, write_mesh

    starter = load_cases("starter")
    ids = [c.id for c in starter.cases if c.id in REFERENCE][:3]
    folder = tmp_path / "honest"
    for cid in ids[:2]:
        write_mesh(REFERENCE[cid](), folder / f"{cid}.ply")
    (folder / ids[2]).mkdir()
    (folder / ids[2] / "mesh.obj").write_text("v 0 0 0\n")  # no faces: not an honest answer
    builders = folder_builders(folder, starter)
    assert sorted(builders) == sorted(ids)
    kw = dict(suites=("spatial", "physical"), n_cases=None, attacks=["empty", "convex_hull"])
    from_files = run_audit(starter, builders=builders, **kw)
    assert from_files.attrs["n_cases"] == 2 and sorted(from_files.attrs["case_ids"]) == sorted(
        ids[:2])
    assert ids[2] in from_files.attrs["unusable"]
    assert "mesh.obj" in from_files.attrs["unusable"][ids[2]]
    # the same honest meshes built in memory give the same table
    in_memory = run_audit(starter, builders={c: REFERENCE[c] for c in ids[:2]}, **kw)
    cols = ["evaluator", "attack", "n", "wins", "ties", "losses"]
    pd.testing.assert_frame_equal(from_files[cols], in_memory[cols])
    assert (from_files["mean_margin"] - in_memory["mean_margin"]).abs().max() < 1e-6

    res = CliRunner().invoke(app, ["audit", str(folder), "--cases", "starter", "--suites",
                                   "spatial,physical", "--n", "0", "--attacks", "empty"])
    assert res.exit_code == 0, res.output
    assert "2 cases of starter" in res.output and f"left out {ids[2]}" in res.output
    res = CliRunner().invoke(app, ["audit", str(tmp_path / "nope"), "--cases", "starter"])
    assert res.exit_code == 2 and "not a folder" in res.output


def test_without_the_repository_builders_the_audit_asks_for_a_reference_folder(monkeypatch):
    import sys

    for name in ("mme3dr.examples", "mme3dr.examples.models", "mme3dr.examples.mme3dr_reference"):
        monkeypatch.setitem(sys.modules, name, None)  # as in the wheel: not importable
    res = CliRunner().invoke(app, ["audit", "--cases", "starter", "--n", "1"])
    assert res.exit_code == 2 and "REFERENCE_DIR" in res.output, res.output
    assert "Traceback" not in res.output
