"""Known-answer tests for the spatial-suite checks (tests/shapes.py builds the meshes)."""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pytest
import shapes as S

from mme3dr.evaluators import build, get
from mme3dr.evaluators.grading import count_grade
from mme3dr.scoring import check_weight, combine_suites


@cache
def mesh(name: str, *args):
    return getattr(S, name)(*args)


def run(check: str, shape: str | tuple, yaw: float = 0.4, **params):
    """Score ``check`` with ``params`` on the named shape (tuple: name and builder args)."""
    name, args = (shape[0], shape[1:]) if isinstance(shape, tuple) else (shape, ())
    sample = S.sample_of(mesh(name, *args), yaw=yaw)
    score = build(check, params).score(sample)
    assert score.status == "ok", score.reason
    return score


def test_registered_as_spatial_checks():
    for name in ("ground_contacts", "through_holes", "horizontal_layers", "parts", "stacked",
                 "radial_count", "symmetry", "aspect", "relation"):
        cls = get(name)
        assert cls.suite == "spatial" and cls.runs_by_default is False
        assert check_weight(name) == cls.weight == 1.0  # declared on the check


# ---------------------------------------------------------------- ground_contacts
@pytest.mark.parametrize(
    "shape,expected",
    [(("table", 4), 4), (("table", 3, False, "round"), 3), (("stool", 3), 3), (("stool", 4), 4),
     (("table", 4, True), 4), ("bowl", 1), ("plate", 1)],
)
def test_ground_contacts(shape, expected):
    s = run("ground_contacts", shape, expect=expected)
    assert s.value == expected and s.passed and s.score == 1.0
    miss = run("ground_contacts", shape, expect=expected + 1)
    assert not miss.passed and miss.score < 1.0
    assert f"found {expected} ground contact" in miss.reason


# ---------------------------------------------------------------- through_holes
@pytest.mark.parametrize(
    "shape,expected",
    [("mug", 1), ("ring", 1), ("torus_ring", 1), ("bowl", 0), ("plate", 0), ("closed_box", 0),
     (("mug", False), 0), ("tube", 1), (("shelf", 4), 3), (("table", 4, True), 0)],
)
def test_through_holes(shape, expected):
    s = run("through_holes", shape, expect=expected)
    assert s.value == expected, s.reason
    assert s.passed


def test_through_holes_min():
    assert run("through_holes", "mug", min=1).passed
    s = run("through_holes", "bowl", min=1)
    assert not s.passed and 0 < s.score < 1 and "at least 1" in s.reason


# ---------------------------------------------------------------- horizontal_layers
@pytest.mark.parametrize(
    "shape,expected",
    [(("shelf", 4), 4), (("shelf", 3), 3), (("staircase", 3), 3), (("staircase", 2), 2),
     (("table", 4), 1), ("sphere", 0), ("bowl", 0)],
)
def test_horizontal_layers(shape, expected):
    s = run("horizontal_layers", shape, expect=expected)
    assert s.value == expected, s.details
    assert s.passed


# ---------------------------------------------------------------- parts / stacked
@pytest.mark.parametrize(
    "shape,expected",
    [(("table", 4), 5), (("table", 4, True), 1), ("ball_on_cube", 2), (("cube_tower", 3), 3),
     ("mug", 1)],
)
def test_parts(shape, expected):
    assert run("parts", shape, expect=expected).value == expected


def test_parts_ignores_debris():
    debris = S.trimesh.creation.icosphere(1, radius=0.005)
    debris.apply_translation([0.9, 0.9, 0.01])
    m = S.trimesh.util.concatenate([S.sphere(), debris])
    score = build("parts", {"expect": 1}).score(S.sample_of(m))
    assert score.value == 1 and score.details["debris"] == 1


@pytest.mark.parametrize(
    "shape,expected",
    [(("cube_tower", 3), 3), (("cube_tower", 2), 2), ("ball_on_cube", 2), ("sphere", 1),
     ("side_by_side", 1)],
)
def test_stacked(shape, expected):
    s = run("stacked", shape, expect=expected)
    assert s.value == expected, s.details
    assert s.passed


# ---------------------------------------------------------------- radial_count
@pytest.mark.parametrize(
    "shape,expected",
    [(("gear", 12), 12), (("gear", 8), 8), (("star", 5), 5), (("star", 6), 6), ("plate", 0),
     ("torus_ring", 0)],
)
def test_radial_count(shape, expected):
    s = run("radial_count", shape, expect=expected)
    assert s.value == expected, s.details
    assert s.passed


# ---------------------------------------------------------------- symmetry
@pytest.mark.parametrize("shape", ["mug", ("table", 4), ("star", 5), "bowl", ("shelf", 4)])
def test_mirror_symmetry_positive(shape):
    s = run("symmetry", shape, kind="mirror")
    assert s.passed and s.value > 0.95, s.reason


def test_mirror_symmetry_broken():
    s = run("symmetry", "broken_symmetry", kind="mirror")
    assert not s.passed and s.score < 1.0


@pytest.mark.parametrize(
    "shape,order,ok",
    [(("star", 5), 5, True), (("gear", 12), 12, True), (("gear", 12), 4, True),
     (("star", 5), 2, False), ("mug", 2, False), (("table", 3, False, "round"), 3, True),
     ("broken_symmetry", 2, False)],
)
def test_rotational_symmetry(shape, order, ok):
    s = run("symmetry", shape, kind="rotational", order=order)
    assert s.passed is ok, s.reason


# ---------------------------------------------------------------- aspect
def test_aspect_tower_and_plate():
    tower = run("aspect", ("cube_tower", 3), height_over_width=[2.5, 4.0])
    assert tower.passed, tower.reason
    plate = run("aspect", "plate", height_over_width=[0.5, 2.0])
    assert not plate.passed and plate.score < 0.01
    table = run("aspect", ("table", 4), length_over_width=[1.4, 1.6])
    assert table.passed, table.reason


def test_aspect_graded():
    near = run("aspect", ("table", 4), length_over_width=[1.7, 2.0])
    far = run("aspect", ("table", 4), length_over_width=[3.0, 4.0])
    assert 1.0 > near.score > far.score


# ---------------------------------------------------------------- relation
@pytest.mark.parametrize(
    "shape,a,b,rel,ok",
    [("ball_on_cube", "smallest", "largest", "on_top_of", True),
     ("ball_on_cube", "smallest", "largest", "above", True),
     ("ball_on_cube", "largest", "smallest", "below", True),
     ("ball_on_cube", "smallest", "largest", "touching", True),
     ("ball_on_cube", "largest", "smallest", "on_top_of", False),
     ("ball_on_cube", "highest", "lowest", "beside", False),
     ("side_by_side", "largest", "smallest", "left_of", True),
     ("side_by_side", "smallest", "largest", "right_of", True),
     ("side_by_side", "smallest", "largest", "left_of", False),
     ("side_by_side", "smallest", "largest", "beside", True),
     ("side_by_side", "smallest", "largest", "touching", False),
     ("side_by_side", "smallest", "largest", "on_top_of", False),
     (("cube_tower", 3), "highest", "lowest", "above", True),
     (("cube_tower", 3), "highest", "lowest", "on_top_of", False),
     (("cube_tower", 3), "largest:2", "largest", "on_top_of", True)],
)
def test_relation(shape, a, b, rel, ok):
    s = run("relation", shape, yaw=0.0, a=a, b=b, rel=rel)
    assert s.passed is ok, s.reason
    assert (s.score == 1.0) is ok


def test_relation_inside():
    inner = S.trimesh.creation.icosphere(2, radius=0.1)
    inner.apply_translation([0, 0, 0.5])
    m = S.trimesh.util.concatenate([S.open_box(), inner])
    s = build("relation", {"a": "smallest", "b": "largest", "rel": "inside"}).score(S.sample_of(m))
    assert s.passed, s.reason


def test_relation_single_part_fails_readably():
    s = run("relation", "sphere", a="largest", b="largest:2", rel="above")
    assert s.score == 0.0 and not s.passed and "needs 2 parts" in s.reason


# ---------------------------------------------------------------- parameters
@pytest.mark.parametrize(
    "check,params",
    [("ground_contacts", {}), ("ground_contacts", {"expect": -1}),
     ("ground_contacts", {"expect": 2, "min": 1}), ("ground_contacts", {"expect": 2.5}),
     ("parts", {"min": 3, "max": 2}), ("through_holes", {"expect": 1, "resolution": 4}),
     ("radial_count", {"expect": 3, "bogus": 1}), ("symmetry", {"kind": "spiral"}),
     ("symmetry", {"kind": "rotational", "order": 1}), ("symmetry", {"kind": "mirror", "order": 3}),
     ("aspect", {}), ("aspect", {"height_over_width": [2, 1]}), ("aspect", {"tallness": [1, 2]}),
     ("relation", {"a": "largest", "b": "biggest", "rel": "above"}),
     ("relation", {"a": "largest", "b": "smallest", "rel": "near"}),
     ("relation", {"a": "largest:0", "b": "smallest", "rel": "above"}),
     ("relation", {"a": "largest", "b": "largest", "rel": "above"})],
)
def test_bad_parameters(check, params):
    with pytest.raises(ValueError):
        build(check, params)


# ---------------------------------------------------------------- graded scores
def test_count_grade_off_by_one_beats_off_by_four():
    exact, one, four = (count_grade(f, expect=4)[0] for f in (4, 3, 8))
    assert exact == 1.0 and exact > one > four > 0
    assert math.isclose(one, math.exp(-0.5))


def test_graded_ground_contacts():
    sample = S.sample_of(mesh("table", 4))
    scores = [build("ground_contacts", {"expect": e}).score(sample).score for e in (4, 5, 8)]
    assert scores[0] == 1.0 and scores[0] > scores[1] > scores[2]


def test_suite_score_weighted_mean():
    sample = S.sample_of(mesh("table", 4))
    a = build("ground_contacts", {"expect": 4}).score(sample)
    b = build("ground_contacts", {"expect": 8}).score(sample)
    assert math.isclose(combine_suites([a, b], ["spatial"])["spatial"], (a.score + b.score) / 2)


# ---------------------------------------------------------------- invariance
TRANSFORMS = [
    {"yaw": 1.234, "scale": 3.7, "shift": (5.0, -2.0, 1.0)},
    {"yaw": 2.5, "scale": 0.02, "subdivide": True},
    {"yaw": 0.3, "noise": 0.0015, "subdivide": True, "seed": 3},
]

CASES = [
    ("ground_contacts", ("table", 4), {"expect": 4}),
    ("through_holes", ("mug",), {"expect": 1}),
    ("horizontal_layers", ("shelf", 4), {"expect": 4}),
    ("radial_count", ("gear", 12), {"expect": 12}),
    ("radial_count", ("star", 5), {"expect": 5}),
    ("stacked", ("cube_tower", 3), {"expect": 3}),
    ("symmetry", ("star", 5), {"kind": "rotational", "order": 5}),
    ("symmetry", ("table", 4), {"kind": "mirror"}),
    ("aspect", ("table", 4), {"length_over_width": [1.4, 1.6]}),
]


@pytest.mark.parametrize("transform", TRANSFORMS, ids=["yaw-scale-shift", "subdiv", "noise"])
@pytest.mark.parametrize("check,shape,params", CASES, ids=[c[0] + "-" + c[1][0] for c in CASES])
def test_invariance(check, shape, params, transform):
    sample = S.sample_of(mesh(*shape), **transform)
    s = build(check, params).score(sample)
    assert s.status == "ok" and s.passed, s.reason


def test_inverted_normals_and_duplicate_vertices():
    m = mesh("mug").copy()
    m.invert()
    dup = S.trimesh.Trimesh(m.vertices[m.faces].reshape(-1, 3),
                            np.arange(len(m.faces) * 3).reshape(-1, 3), process=False)
    s = build("through_holes", {"expect": 1}).score(S.sample_of(dup))
    assert s.passed, s.reason
