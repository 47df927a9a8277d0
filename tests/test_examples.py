"""The procedural example models end to end: the reference answers the starter cases, the
broken model fails them, and every failure mode becomes the right record."""

from __future__ import annotations

from pathlib import Path

import pytest

from mme3dr.cases import load_cases
from mme3dr.examples.models import REFERENCE, build_broken, build_reference
from mme3dr.results import read_records
from mme3dr.runner import EvalConfig, run_eval


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    root = tmp_path_factory.mktemp("examples")
    out = {}
    for name, build in (("reference", build_reference), ("broken", build_broken)):
        folder = build(root / name)
        res = run_eval(
            EvalConfig(model_dir=folder, cases="starter", out_dir=root / "out"), progress=False
        )
        out[name] = {
            "summary": res.summary,
            "records": {r.case_id: r for r in read_records(res.out_dir / "results.jsonl")},
        }
    return out


def test_reference_covers_every_starter_case() -> None:
    assert set(REFERENCE) == {c.id for c in load_cases("starter").cases}


def test_reference_passes_every_case_check(runs: dict[str, dict]) -> None:
    failures = []
    for case in load_cases("starter").cases:
        rec = runs["reference"]["records"][case.id]
        assert rec.status == "ok"
        listed = {c["check"] for c in case.checks}
        for s in rec.scores:
            if s["evaluator"] in listed and s["passed"] is not True:
                failures.append(f"{case.id} {s['evaluator']}: {s['reason']}")
    assert not failures, "\n".join(failures)
    assert runs["reference"]["summary"]["overall"] > 0.95


def test_broken_model_scores_far_below_reference(runs: dict[str, dict]) -> None:
    ref, broken = runs["reference"]["summary"], runs["broken"]["summary"]
    assert broken["overall"] < 0.4 < 0.95 < ref["overall"]
    for suite in ("spatial", "functional", "physical"):
        assert broken["suites"][suite]["mean"] < ref["suites"][suite]["mean"] - 0.5
    assert broken["counts"] == {"ok": 13, "missing": 14, "error": 6}


def test_broken_model_failure_modes_are_reported(runs: dict[str, dict]) -> None:
    recs = runs["broken"]["records"]
    expected = {
        "spa-001": "non_finite",
        "spa-002": "bad_indices",
        "spa-003": "unreadable",
        "spa-004": "no_faces",
        "spa-005": "unsupported",
        "spa-006": "unreadable",
    }
    for cid, kind in expected.items():
        assert recs[cid].status == "error" and kind in recs[cid].error
        assert Path(recs[cid].asset).name in recs[cid].error
    by_name = {s["evaluator"]: s for s in recs["mech-001"].scores}  # a flat picture card
    assert by_name["ground_contacts"]["passed"] is False
    assert by_name["watertight"]["passed"] is False
    floaters = {s["evaluator"]: s for s in recs["mech-006"].scores}["floating_parts"]
    assert floaters["passed"] is False and "2" in floaters["reason"]
    sealed = {s["evaluator"]: s for s in recs["mech-007"].scores}  # a closed box as a crate
    assert sealed["holds_liquid"]["passed"] is False and sealed["opening"]["passed"] is False
    tipped = {s["evaluator"]: s for s in recs["bio-001"].scores}["stable"]
    assert tipped["passed"] is False
