"""Known-answer tests for the functional-suite checks (holds_liquid, support_surface, opening)."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
import shapes as S

from mme3dr.evaluators import build, get
from mme3dr.geometry.containment import retained_water
from mme3dr.geometry.voxels import voxelize


@cache
def mesh(name: str, *args):
    return getattr(S, name)(*args)


def run(check: str, shape, **params):
    name, args = (shape[0], shape[1:]) if isinstance(shape, tuple) else (shape, ())
    score = build(check, params).score(S.sample_of(mesh(name, *args), yaw=0.6))
    assert score.status == "ok", score.reason
    return score


def test_registered_as_functional_checks():
    for name in ("holds_liquid", "support_surface", "opening"):
        cls = get(name)
        assert cls.suite == "functional" and cls.runs_by_default is False


# ---------------------------------------------------------------- holds_liquid
@pytest.mark.parametrize(
    "shape,holds",
    [("mug", True), (("mug", False), True), ("bowl", True), ("open_box", True),
     ("closed_box", False), ("plate", False), (("table", 4), False), ("flower_pot", False),
     ("tube", False), ("ring", False), ("torus_ring", False), ("sphere", False)],
)
def test_holds_liquid(shape, holds):
    s = run("holds_liquid", shape)
    assert s.passed is holds, s.reason
    if holds:
        assert s.value > 0.2 and s.score == 1.0
    else:
        assert s.value < 0.01


def test_upside_down_cup_holds_nothing():
    m = mesh("mug", False).copy()
    m.apply_transform(S.trimesh.transformations.rotation_matrix(np.pi, [1, 0, 0]))
    assert not build("holds_liquid", {}).score(S.sample_of(m)).passed


def test_side_hole_below_lid_is_not_fillable():
    """A closed box with a hole in the side near the top: the basin below the hole would keep
    water, but water poured from above cannot get in."""
    box = mesh("closed_box")
    hole = S.trimesh.creation.cylinder(radius=0.08, height=0.5, sections=24)
    hole.apply_transform(S.trimesh.transformations.rotation_matrix(np.pi / 2, [0, 1, 0]))
    hole.apply_translation([0.5, 0, 0.8])
    m = S.trimesh.boolean.difference([box, hole], engine="manifold")
    grid = voxelize(S.asset_of(m).mesh)
    water = retained_water(grid)
    assert water.volume == 0.0 and water.sealed_volume > 0


def test_holds_liquid_graded():
    lo = run("holds_liquid", "mug", min_fraction=0.9)
    assert not lo.passed and 0.2 < lo.score < 1.0


def test_holds_liquid_cracked_cup():
    """A 1 % crack in the wall is sealed by the voxel closing."""
    slit = S.trimesh.creation.box([0.2, 0.008, 0.8])
    slit.apply_translation([0.4, 0, 0.5])
    m = S.trimesh.boolean.difference([mesh("mug", False), slit], engine="manifold")
    assert build("holds_liquid", {}).score(S.sample_of(m)).passed


# ---------------------------------------------------------------- support_surface
@pytest.mark.parametrize(
    "shape,band,ok",
    [(("table", 4), [0.8, 1.0], True), (("table", 4, True), [0.8, 1.0], True),
     (("stool", 3), [0.7, 1.0], True), (("shelf", 4), [0.3, 0.4], True),
     (("table", 4), [0.2, 0.6], False), ("sphere", [0.0, 1.0], False), ("bowl", [0.5, 1.0], False),
     (("staircase", 3), [0.6, 0.7], True)],
)
def test_support_surface(shape, band, ok):
    s = run("support_surface", shape, height=band, min_area=0.2)
    assert s.passed is ok, s.reason


def test_support_surface_needs_clearance():
    """A closed box's floor inside is not reachable; a lid right above a plate hides it."""
    plate = mesh("plate")
    lid = S.trimesh.creation.box([1.0, 1.0, 0.03])
    lid.apply_translation([0, 0, 0.045])  # 1.5 % above the plate
    m = S.trimesh.util.concatenate([plate, lid])
    s = build("support_surface", {"height": [0.0, 0.5], "min_area": 0.2}).score(S.sample_of(m))
    assert not s.passed, s.reason


def test_support_surface_graded():
    s = run("support_surface", ("staircase", 3), height=[0.6, 0.7], min_area=0.66)
    assert not s.passed and 0.3 < s.score < 1.0


# ---------------------------------------------------------------- opening
@pytest.mark.parametrize(
    "shape,direction,ok",
    [("open_box", "up", True), ("closed_box", "up", False), ("mug", "up", True),
     ("bowl", "up", True), ("flower_pot", "up", True), ("plate", "up", False),
     (("table", 4), "up", False), ("open_box", "down", False), ("tube", "down", True),
     ("closed_box", "side", False)],
)
def test_opening(shape, direction, ok):
    s = run("opening", shape, direction=direction)
    assert s.passed is ok, s.reason


def test_opening_sideways_box():
    m = mesh("open_box").copy()
    m.apply_transform(S.trimesh.transformations.rotation_matrix(np.pi / 2, [1, 0, 0]))
    sample = S.sample_of(m)
    assert build("opening", {"direction": "side"}).score(sample).passed
    assert not build("opening", {"direction": "up"}).score(sample).passed


@pytest.mark.parametrize(
    "check,params",
    [("holds_liquid", {"min_fraction": 0}), ("holds_liquid", {"min_fraction": 2}),
     ("support_surface", {"height": [0.9, 0.1]}), ("support_surface", {"height": 0.5}),
     ("support_surface", {"min_area": -1}), ("opening", {"direction": "sideways"}),
     ("opening", {"resolution": 1000})],
)
def test_bad_parameters(check, params):
    with pytest.raises(ValueError):
        build(check, params)


# ---------------------------------------------------------------- invariance
@pytest.mark.parametrize(
    "transform",
    [{"yaw": 2.0, "scale": 7.0, "shift": (1.0, 2.0, 3.0)},
     {"yaw": 0.9, "subdivide": True, "noise": 0.0015, "seed": 1}],
)
@pytest.mark.parametrize(
    "check,shape,params,ok",
    [("holds_liquid", "mug", {}, True), ("holds_liquid", "closed_box", {}, False),
     ("opening", "open_box", {}, True), ("support_surface", ("table", 4), {"height": [0.8, 1]},
                                         True)],
)
def test_invariance(check, shape, params, ok, transform):
    name, args = (shape[0], shape[1:]) if isinstance(shape, tuple) else (shape, ())
    s = build(check, params).score(S.sample_of(mesh(name, *args), **transform))
    assert s.passed is ok, s.reason
