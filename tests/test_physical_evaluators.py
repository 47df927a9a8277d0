"""The physical-suite evaluators on known-answer meshes: scores, pass/fail and reasons."""

from __future__ import annotations

import time
import types

import numpy as np
import pytest
import trimesh

from mme3dr.assets import Asset, measure_key
from mme3dr.checks import _measures
from mme3dr.evaluators import registry
from mme3dr.evaluators.base import Sample

PHYSICAL = ("watertight", "floating_parts", "stable", "self_intersection", "upright")


def box_at(extents, centre) -> trimesh.Trimesh:
    m = trimesh.creation.box(extents=extents)
    m.apply_translation(centre)
    return m


def sample_of(mesh: trimesh.Trimesh) -> Sample:
    case = types.SimpleNamespace(id="t", prompt="", checks=(), suites=("physical",))
    return Sample(case=case, asset=Asset.from_trimesh(mesh))


def run(name: str, mesh_or_sample, **params):
    sample = mesh_or_sample if isinstance(mesh_or_sample, Sample) else sample_of(mesh_or_sample)
    score = registry.build(name, params).score(sample)
    assert score.status == "ok", score.reason
    assert score.score is not None and 0.0 <= score.score <= 1.0
    assert score.reason and any(ch.isdigit() for ch in score.reason)
    return score


def test_registered_as_default_physical_evaluators():
    defaults = {cls.name for cls in registry.default_evaluators("physical")}
    # upright is a case check only: as a default it would penalise correct round-bottomed
    # or legged objects (a ring on its rim, a ball, a stool)
    assert defaults == set(PHYSICAL) - {"upright"}
    for name in PHYSICAL:
        cls = registry.get(name)
        assert cls.description and cls.version


def test_cube_passes_everything():
    sample = sample_of(trimesh.creation.box())
    for name in PHYSICAL:
        s = run(name, sample)
        assert s.passed, (name, s.reason)
        assert s.score == pytest.approx(1.0), (name, s.reason)
    # measurements were shared through the asset cache, keyed by function and arguments
    assert measure_key(_measures.components, {}) in sample.asset.cache
    assert measure_key(_measures.contacts, {"tol": 0.01}) in sample.asset.cache


def test_open_box_is_not_watertight():
    box = trimesh.creation.box()
    open_box = trimesh.Trimesh(box.vertices, box.faces[box.face_normals[:, 2] < 0.5], process=False)
    s = run("watertight", open_box)
    assert not s.passed
    assert s.score < 0.9
    assert "4 boundary" in s.reason


def test_floaters_are_found():
    ground = box_at((1.0, 1.0, 0.2), (0, 0, 0.1))
    f1 = box_at((0.1, 0.1, 0.1), (0.3, 0.3, 0.6))
    f2 = box_at((0.1, 0.1, 0.1), (-0.3, 0.3, 0.6))
    s = run("floating_parts", trimesh.util.concatenate([ground, f1, f2]))
    assert s.value == 2 and not s.passed
    assert 0.0 < s.score < 1.0
    assert s.reason.startswith("2 of 3 parts float")
    assert run("floating_parts", trimesh.util.concatenate([ground, f1]), max_floating=1).passed


def test_leaning_tower_is_unstable():
    tower = box_at((0.2, 0.2, 1.0), (0, 0, 0.5))
    arm = box_at((1.2, 0.2, 0.2), (0.7, 0, 0.9))
    s = run("stable", trimesh.boolean.union([tower, arm], engine="manifold"))
    assert not s.passed and s.value < 0 and s.score < 0.5
    assert "outside the support polygon of 1 ground contact" in s.reason


def test_stable_margin_parameter():
    cube = trimesh.creation.box()
    s = run("stable", cube)
    assert "0.500 inside the support polygon of 1 ground contact" in s.reason
    assert not run("stable", cube, min_margin=0.6).passed
    with pytest.raises(ValueError):
        registry.build("stable", {"tol": -1})
    with pytest.raises(ValueError):
        registry.build("stable", {"nonsense": 1})


def test_table_is_stable_with_four_contacts():
    parts = [box_at((1.0, 1.0, 0.08), (0, 0, 0.76))]
    for x, y in [(0.4, 0.4), (-0.4, 0.4), (0.4, -0.4), (-0.4, -0.4)]:
        parts.append(box_at((0.08, 0.08, 0.8), (x, y, 0.4)))
    s = run("stable", trimesh.boolean.union(parts, engine="manifold"))
    assert s.passed and s.details["n_contacts"] == 4
    assert "of 4 ground contacts" in s.reason


def test_self_intersection():
    a = trimesh.creation.box()
    b = box_at((1, 1, 1), (0.3, 0.3, 0.3))
    s = run("self_intersection", trimesh.util.concatenate([a, b]))
    assert not s.passed and s.value > 0 and s.score < 1
    assert run("self_intersection", a).passed


def test_upright_expectations():
    bottle = trimesh.creation.cylinder(radius=0.1, height=1.0)
    assert run("upright", bottle).passed
    assert run("upright", bottle, expect="tall").passed
    assert not run("upright", bottle, expect="wide").passed
    lying = bottle.copy()
    lying.apply_transform(trimesh.transformations.rotation_matrix(np.pi / 2, [1, 0, 0]))
    s = run("upright", lying)
    assert not s.passed and s.score < 0.5
    assert not run("upright", lying, expect="tall").passed
    with pytest.raises(ValueError):
        registry.build("upright", {"expect": "sideways"})


def test_all_physical_evaluators_on_a_large_mesh():
    mesh = trimesh.creation.icosphere(subdivisions=6)  # 81920 faces
    legs = [box_at((0.1, 0.1, 0.5), (x, y, -1.2)) for x, y in [(0.5, 0.5), (-0.5, -0.5)]]
    mesh = trimesh.util.concatenate([mesh, *legs])
    sample = sample_of(mesh)
    t0 = time.perf_counter()
    scores = {name: run(name, sample) for name in PHYSICAL}
    elapsed = time.perf_counter() - t0
    timing = ", ".join(f"{n} {s.seconds:.2f}s" for n, s in scores.items())
    print(f"physical suite on {len(mesh.faces)} faces: {elapsed:.2f} s ({timing})")
    assert scores["floating_parts"].value == 1  # the sphere floats above the two legs
    assert elapsed < 30


def test_floating_debris_under_min_area_passes_but_a_cloud_of_shards_fails():
    body = box_at((1.0, 1.0, 0.6), (0.0, 0.0, 0.3))
    # five specks of 0.004 wide floating beside the box: each ~0.0004% of the surface
    specks = [box_at((0.004,) * 3, (0.7, float(y), 0.5)) for y in np.linspace(-0.4, 0.4, 5)]
    s = run("floating_parts", trimesh.util.concatenate([body, *specks]))
    assert s.passed and s.value == 0 and s.details["debris"] == 5, s.reason
    assert s.details["debris_area_fraction"] < 0.001 and s.score < 1.0  # still graded
    # 384 shards of 0.02 on a 0.05 lattice above it: each under 0.1 %, together about 17 %
    grid = np.stack(np.meshgrid(np.arange(8), np.arange(8), np.arange(6)), -1).reshape(-1, 3)
    shards = [box_at((0.02,) * 3, (0.05 * i - 0.2, 0.05 * j - 0.2, 0.8 + 0.05 * k))
              for i, j, k in grid]
    s = run("floating_parts", trimesh.util.concatenate([body, *shards]))
    assert not s.passed and s.value == 0 and s.details["debris"] == 384, s.reason
    assert "cover" in s.reason
    # one visible floating cube (about 4 % of the surface) is a floating part
    cube = box_at((0.2,) * 3, (0.0, 0.0, 1.2))
    s = run("floating_parts", trimesh.util.concatenate([body, cube]))
    assert not s.passed and s.value == 1 and s.details["debris"] == 0, s.reason
    # a stricter min_area counts the specks as parts
    s = run("floating_parts", trimesh.util.concatenate([body, *specks]), min_area=1e-7)
    assert not s.passed and s.value == 5
