"""The scoring rules of mme3dr.scoring, one test per situation, and the same numbers through
eval, the reward functions and the audit."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import trimesh

from mme3dr import scoring
from mme3dr.audit import score_mesh
from mme3dr.cases import Case, load_cases
from mme3dr.evaluators import registry
from mme3dr.evaluators.base import Evaluator, Inverted, Sample, Score
from mme3dr.examples import shapes
from mme3dr.examples.models import REFERENCE
from mme3dr.results import read_records, summarise
from mme3dr.rewards import MeshReward, overall_reward
from mme3dr.runner import EvalConfig, run_eval

GEOMETRY = ("spatial", "functional", "physical")


class _Fixed(Evaluator):
    """A test evaluator whose outcome is set by the class."""

    suite = "spatial"
    outcome: str = "ok"
    value: float = 1.0

    def evaluate(self, sample: Sample) -> Score:
        if self.outcome == "raise":
            raise RuntimeError("kaput on purpose")
        if self.outcome == "ok":
            return self.make_score(self.value, passed=True, reason="fine")
        if self.outcome == "nan":
            return self.make_score(float("nan"), reason="measured nothing")
        return self.make_score(None, status=self.outcome, reason=f"{self.outcome} on purpose")


def _make(name: str, outcome: str, value: float = 1.0, suite: str = "spatial",
          available: bool = True) -> type[Evaluator]:
    attrs = {"name": name, "suite": suite, "outcome": outcome, "value": value}
    if not available:
        attrs["available"] = lambda self: False
    return type(f"T_{name}", (_Fixed,), attrs)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch):
    """Register throw-away evaluators (removed after the test)."""

    def add(name: str, outcome: str, **kw) -> str:
        monkeypatch.setitem(registry._REGISTRY, name, _make(name, outcome, **kw))
        return name

    registry.load_builtin()
    return add


def _case(*checks: str, suites=("spatial",)) -> Case:
    return Case(id="t-1", prompt="a box", category="stylized", suites=tuple(suites),
                checks=tuple({"check": c} for c in checks))


def _score(case: Case, mesh=None):
    (rec,) = scoring.score_pairs([(case, mesh if mesh is not None else shapes.cube())])
    return rec


def test_rule_ok_scores_enter_their_suite_weighted(fake) -> None:
    fake("t_one", "ok", value=1.0)
    fake("t_half", "ok", value=0.5)
    rec = _score(_case("t_one", "t_half"))
    assert rec.status == "ok"
    assert rec.suites == {"spatial": pytest.approx(0.75)}
    assert rec.overall == pytest.approx(0.75)


def test_rule_an_error_scores_zero_and_is_counted_with_its_reason(fake) -> None:
    fake("t_one", "ok")
    fake("t_boom", "raise")
    rec = _score(_case("t_one", "t_boom"))
    assert rec.suites["spatial"] == pytest.approx(0.5)  # never 1.0: the error is not dropped
    boom = next(s for s in rec.scores if s["evaluator"] == "t_boom")
    assert boom["status"] == "error" and "kaput on purpose" in boom["reason"]
    summary = summarise([rec])
    assert summary["checks"]["t_boom"]["errors"] == 1


def test_rule_a_nan_measurement_is_an_error_not_a_number(fake) -> None:
    fake("t_one", "ok")
    fake("t_nan", "nan")
    rec = _score(_case("t_one", "t_nan"))
    assert rec.suites["spatial"] == pytest.approx(0.5)


def test_rule_errors_alone_make_a_zero_suite_not_an_absent_one(fake) -> None:
    fake("t_boom", "raise")
    rec = _score(_case("t_boom"))
    assert rec.suites == {"spatial": 0.0} and rec.overall == 0.0


def test_rule_not_applicable_and_skipped_are_left_out_but_recorded(fake) -> None:
    fake("t_one", "ok", value=0.8)
    fake("t_na", "not_applicable")
    fake("t_skip", "skipped")
    rec = _score(_case("t_one", "t_na", "t_skip"))
    assert rec.suites["spatial"] == pytest.approx(0.8)
    statuses = {s["evaluator"]: s["status"] for s in rec.scores}
    assert statuses == {"t_one": "ok", "t_na": "not_applicable", "t_skip": "skipped"}
    assert "t_skip" in summarise([rec])["skipped_evaluators"]


def test_rule_a_suite_with_nothing_contributing_is_absent(fake) -> None:
    fake("t_na", "not_applicable")
    fake("t_one", "ok", value=0.4, suite="physical")
    case = Case(id="t-2", prompt="x", category="stylized", suites=("spatial",),
                checks=({"check": "t_na"},))
    rec = _score(case)
    assert rec.suites == {"spatial": None} and rec.overall is None


def test_rule_missing_scores_zero_only_where_something_available_measures(fake) -> None:
    fake("t_one", "ok")
    fake("t_gone", "ok", suite="aesthetic", available=False)
    case = Case(id="t-3", prompt="x", category="stylized", suites=("spatial", "aesthetic"),
                checks=({"check": "t_one"}, {"check": "t_gone"}))
    (missing,) = scoring.score_pairs([(case, None)])
    assert missing.status == "missing"
    assert missing.suites == {"spatial": 0.0, "aesthetic": None}
    assert missing.overall == 0.0
    empty = trimesh.Trimesh(vertices=np.zeros((0, 3)), faces=np.zeros((0, 3), dtype=int))
    (bad,) = scoring.score_pairs([(case, empty)])
    assert bad.status == "error" and bad.suites == missing.suites and bad.error


def test_rule_nothing_measurable_gives_no_overall(fake) -> None:
    fake("t_gone", "ok", suite="aesthetic", available=False)
    case = Case(id="t-4", prompt="x", category="stylized", suites=("aesthetic",),
                checks=({"check": "t_gone"},))
    (rec,) = scoring.score_pairs([(case, None)])
    assert rec.suites == {"aesthetic": None} and rec.overall is None


def test_rule_overall_is_the_mean_of_present_suites(fake) -> None:
    fake("t_one", "ok", value=1.0)
    fake("t_low", "ok", value=0.2, suite="functional")
    fake("t_na", "not_applicable", suite="spatial")
    fake("t_na2", "not_applicable", suite="physical")
    case = Case(id="t-5", prompt="x", category="stylized",
                suites=("spatial", "functional"),
                checks=({"check": "t_one"}, {"check": "t_low"}, {"check": "t_na"},
                        {"check": "t_na2"}))
    rec = _score(case)
    assert "physical" not in rec.suites  # not a suite of the case: never planned
    assert rec.suites == {"spatial": 1.0, "functional": pytest.approx(0.2)}
    assert rec.overall == pytest.approx(0.6)
    only_na = Case(id="t-5b", prompt="x", category="stylized", suites=("spatial", "functional"),
                   checks=({"check": "t_na"}, {"check": "t_low"}))
    rec = _score(only_na)
    assert rec.suites == {"spatial": None, "functional": pytest.approx(0.2)}
    assert rec.overall == pytest.approx(0.2)  # the absent suite is not a 0


def test_learned_evaluators_without_weights_are_not_available(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("MME3DR_HOME", str(tmp_path / "nothing"))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "nothing-hf"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "nothing-cache"))
    case = Case(id="t-6", prompt="a chair", category="stylized",
                suites=("aesthetic", "alignment", "physical"))
    plan = scoring.plan_case(case)
    assert plan.measurable == ("physical",)
    (rec,) = scoring.score_pairs([(case, None)])
    assert rec.suites == {"aesthetic": None, "alignment": None, "physical": 0.0}


def test_a_sphere_cased_as_a_bowl_never_scores_high_when_voxels_fail(monkeypatch) -> None:
    """The issue's hack: every voxel check errors on a dense mesh. Errors must score 0."""
    import mme3dr.geometry.voxels as voxels

    bowl_case = Case(
        id="bowl", prompt="a bowl", category="mechanical_affordances",
        suites=("functional", "spatial"),
        checks=({"check": "holds_liquid"}, {"check": "opening", "direction": "up"},
                {"check": "symmetry", "kind": "rotational", "order": 4}),
    )
    sphere = trimesh.creation.icosphere(subdivisions=3)

    def broken(*args, **kwargs):
        raise ValueError("zero-size array to reduction operation maximum which has no identity")

    monkeypatch.setattr(voxels, "voxelize", broken)
    rec = _score(bowl_case, sphere)
    assert rec.suites["functional"] == 0.0
    assert rec.suites["spatial"] == 0.0
    assert rec.overall == 0.0
    assert all(s["status"] == "error" for s in rec.scores)


# ---------------------------------------------------------------- the same number everywhere

CASE_IDS = ["spa-001", "spa-003", "mech-003", "mech-004", "bio-001", "wk-005", "sty-006"]


@pytest.fixture(scope="module")
def starter_run(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("same")
    model = root / "model"
    model.mkdir()
    cases = load_cases("starter").by_id()
    subset = [cases[c] for c in CASE_IDS] + [cases["mech-001"], cases["mech-002"]]
    case_file = root / "cases.jsonl"
    case_file.write_text("".join(json.dumps(c.to_dict()) + "\n" for c in subset))
    meshes = {}
    for cid in CASE_IDS:
        mesh = REFERENCE[cid]()
        path = model / f"{cid}.ply"
        mesh.export(str(path), encoding="binary")
        meshes[cid] = trimesh.load(str(path), process=False)
    (model / "mech-001.ply").write_bytes(b"ply\nformat nonsense\n")  # unreadable: error
    # mech-002 has no file: missing
    out = run_eval(
        EvalConfig(model_dir=model, cases=case_file, out_dir=root / "out", suites=GEOMETRY),
        progress=False,
    )
    records = {r.case_id: r for r in read_records(out.out_dir / "results.jsonl")}
    return {"cases": {c.id: c for c in subset}, "meshes": meshes, "records": records,
            "summary": out.summary}


def test_eval_reward_audit_and_memory_give_identical_numbers(starter_run) -> None:
    cases, meshes, records = starter_run["cases"], starter_run["meshes"], starter_run["records"]
    pairs = [(cases[cid], meshes[cid]) for cid in CASE_IDS]
    in_memory = {r.case_id: r for r in scoring.score_pairs(pairs, GEOMETRY)}
    batch = MeshReward(None)([c for c, _ in pairs], [m for _, m in pairs])
    for (case, mesh), batched in zip(pairs, batch, strict=True):
        rec = records[case.id]
        assert rec.status == "ok"
        assert in_memory[case.id].suites == rec.suites, case.id
        assert in_memory[case.id].overall == rec.overall
        assert overall_reward(case, mesh, GEOMETRY).reward == rec.overall
        assert score_mesh(case, mesh, GEOMETRY)["overall"] == rec.overall
        assert batched.reward == overall_reward(case, mesh).reward


def test_failures_get_the_same_numbers_everywhere(starter_run) -> None:
    cases, records = starter_run["cases"], starter_run["records"]
    assert records["mech-002"].status == "missing"
    assert records["mech-001"].status == "error" and "mech-001.ply" in records["mech-001"].error
    for cid in ("mech-001", "mech-002"):
        rec = records[cid]
        (mem,) = scoring.score_pairs([(cases[cid], None)], GEOMETRY)
        assert mem.suites == rec.suites and mem.overall == rec.overall == 0.0
        refused = trimesh.Trimesh(vertices=np.zeros((3, 3)), faces=[[0, 1, 2]])
        assert score_mesh(cases[cid], refused, GEOMETRY)["overall"] == rec.overall
        reward = overall_reward(cases[cid], None, GEOMETRY)
        assert reward.reward is None and reward.undecodable  # the trainer's policy decides


def test_summary_means_follow_the_records(starter_run) -> None:
    records, summary = starter_run["records"], starter_run["summary"]
    for suite in GEOMETRY:
        vals = [r.suites.get(suite) for r in records.values()]
        vals = [v for v in vals if v is not None]
        if vals:
            assert summary["suites"][suite]["mean"] == pytest.approx(sum(vals) / len(vals))
    overall = [r.overall for r in records.values() if r.overall is not None]
    assert summary["overall"] == pytest.approx(sum(overall) / len(overall))


def test_weights_table_and_scoring_agree() -> None:
    assert scoring.check_weight("ground_contacts") == 1.0
    assert scoring.check_weight("not-a-check") == 1.0


def test_status_constants_cover_what_evaluators_return() -> None:
    assert set(scoring.SCORE_STATUSES) == {"ok", "error", "skipped", "not_applicable"}


def test_results_are_written_for_every_case(starter_run) -> None:
    assert set(starter_run["records"]) == set(starter_run["cases"])


def test_record_paths_name_the_file(starter_run) -> None:
    rec = starter_run["records"]["spa-001"]
    assert rec.asset and Path(rec.asset).name == "spa-001.ply"


# ------------------------------------------------------------- per-case control of defaults

def _floating_cube() -> trimesh.Trimesh:
    cube = shapes.cube()
    shard = trimesh.creation.box(extents=(0.1, 0.1, 0.1))
    shard.apply_translation((0.0, 0.0, 1.6))
    return trimesh.util.concatenate([cube, shard])


def test_a_case_can_switch_a_default_evaluator_off() -> None:
    plain = Case(id="p", prompt="a cube", category="stylized", suites=("physical",))
    off = Case(id="o", prompt="a cube", category="stylized", suites=("physical",),
               checks=({"check": "floating_parts", "run": False},))
    names = [e.name for e in scoring.plan_case(plain).evaluators]
    assert "floating_parts" in names
    assert [e.name for e in scoring.plan_case(off).evaluators] == [
        n for n in names if n != "floating_parts"]
    (rec,) = scoring.score_pairs([(off, _floating_cube())])
    assert "floating_parts" not in {s["evaluator"] for s in rec.scores}


def test_a_case_can_expect_an_object_to_fail_a_default() -> None:
    expect_float = Case(id="f", prompt="a cube floating above a cube", category="stylized",
                        suites=("physical",),
                        checks=({"check": "floating_parts", "expect": False},))
    plain = Case(id="p", prompt="a cube", category="stylized", suites=("physical",))
    (inv,) = scoring.score_pairs([(expect_float, _floating_cube())])
    (base,) = scoring.score_pairs([(plain, _floating_cube())])
    get = {r.case_id: {s["evaluator"]: s for s in r.scores} for r in (inv, base)}
    fp_inv, fp_base = get["f"]["floating_parts"], get["p"]["floating_parts"]
    assert fp_base["passed"] is False and fp_inv["passed"] is True
    assert fp_inv["score"] == pytest.approx(1.0 - fp_base["score"])
    assert fp_inv["params"]["expect"] is False and "expected to fail" in fp_inv["reason"]
    # the count checks keep "expect" as their own parameter
    ev = registry.build_check({"check": "ground_contacts", "expect": 3})
    assert ev.params["expect"] == 3 and not isinstance(ev, Inverted)


def test_per_case_controls_are_validated_with_the_case_file(tmp_path: Path) -> None:
    from mme3dr.errors import CaseError

    bad = [
        {"check": "parts", "run": False},  # not a default evaluator
        {"check": "stable", "run": False, "tol": 0.02},  # run: false takes nothing else
        {"check": "stable", "run": "no"},
    ]
    for i, chk in enumerate(bad):
        path = tmp_path / f"c{i}.jsonl"
        path.write_text(json.dumps({"id": "x", "prompt": "p", "category": "stylized",
                                    "checks": [chk]}) + "\n")
        with pytest.raises(CaseError) as exc:
            load_cases(path)
        assert "run" in str(exc.value)


def test_rewards_honour_the_case_controls() -> None:
    from mme3dr.rewards import RewardSpec

    spec = RewardSpec.from_list([{"evaluator": "floating_parts"}])
    off = Case(id="o", prompt="x", category="stylized", suites=("physical",),
               checks=({"check": "floating_parts", "run": False},))
    inv = Case(id="i", prompt="x", category="stylized", suites=("physical",),
               checks=({"check": "floating_parts", "expect": False},))
    plain = Case(id="p", prompt="x", category="stylized", suites=("physical",))
    mesh = _floating_cube()
    assert spec.score(off, mesh).reward is None  # the only term is switched off
    base = spec.score(plain, mesh).reward
    assert spec.score(inv, mesh).reward == pytest.approx(1.0 - base)
    (rec,) = scoring.score_pairs([(inv, mesh)], ("physical",))
    fp = next(s for s in rec.scores if s["evaluator"] == "floating_parts")
    assert fp["score"] == pytest.approx(spec.score(inv, mesh).reward)
