"""Sealed voids (issue 12): the inner wall of a hollow solid is the same solid, not a floating
part; a body sealed inside the void still floats. Known answers built here, on clean meshes,
with every normal flipped, and on generator-style exports (marching cubes, smoothing,
decimation, flipped triangles, pin-holes, split vertices)."""

from __future__ import annotations

import types

import numpy as np
import pytest
import trimesh
from generator_exports import cluster_decimate, defects
from scipy import ndimage
from shapes import closed_box

from mme3dr.assets import Asset
from mme3dr.evaluators import registry
from mme3dr.evaluators.base import Sample
from mme3dr.geometry.cavities import signed_volumes, winding_numbers
from mme3dr.geometry.stability import floating_parts


def _floating_check(mesh: trimesh.Trimesh):
    case = types.SimpleNamespace(id="t", prompt="", checks=(), suites=("physical",))
    score = registry.build("floating_parts", {}).score(
        Sample(case=case, asset=Asset.from_trimesh(mesh))
    )
    assert score.status == "ok", score.reason
    return score


def _ball_in_box(radius: float = 0.2) -> trimesh.Trimesh:
    ball = trimesh.creation.icosphere(3, radius=radius)
    ball.apply_translation([0.0, 0.0, 0.5])  # the middle of the void, touching nothing
    return trimesh.util.concatenate([closed_box(), ball])


def test_winding_number_inside_outside_and_flipped() -> None:
    cube = trimesh.creation.box(extents=(1, 1, 1))
    points = np.array([[0, 0, 0], [0.3, -0.2, 0.4], [2, 0, 0], [0, 0.6, 0]])
    w = winding_numbers(points, cube.triangles)
    assert np.allclose(w, [1, 1, 0, 0], atol=1e-9)
    flipped = cube.copy()
    flipped.invert()
    assert np.allclose(winding_numbers(points, flipped.triangles), [-1, -1, 0, 0], atol=1e-9)


def test_signed_volumes_per_component() -> None:
    mesh = closed_box()
    labels = np.zeros(len(mesh.faces), np.int64)
    parts = mesh.split(only_watertight=False)
    labels = np.concatenate([np.full(len(p.faces), i) for i, p in enumerate(parts)])
    tris = np.concatenate([p.triangles for p in parts])
    vol = signed_volumes(tris, labels, len(parts))
    assert np.allclose(sorted(vol), sorted(p.volume for p in parts))
    assert min(vol) < 0 < max(vol)  # the void's wall faces into the void


@pytest.mark.parametrize("flip", [False, True])
def test_hollow_box_wall_is_not_floating(flip: bool) -> None:
    mesh = closed_box()
    if flip:
        mesh.invert()
    res = floating_parts(mesh)
    assert res.n_components == 2 and res.n_floating == 0
    score = _floating_check(mesh)
    assert score.passed and score.value == 0


@pytest.mark.parametrize("flip", [False, True])
def test_body_sealed_in_the_void_still_floats(flip: bool) -> None:
    mesh = _ball_in_box()
    if flip:
        mesh.invert()
    res = floating_parts(mesh)
    assert res.n_components == 3 and res.n_floating == 1
    assert not _floating_check(mesh).passed


def _hollow_box_export(n: int = 64, seed: int = 3) -> trimesh.Trimesh:
    """A decoder's export of a hollow cube (walls 6 voxels thick, a sealed void): the shell's
    occupancy on an ``n``-grid, blurred, marching cubes, Taubin smoothing, decimation to half,
    1 % of the triangles flipped, 4 pin-holes, every triangle with its own vertices (the same
    steps as :func:`generator_exports.export`, whose occupancy fills a sealed void)."""
    from skimage.measure import marching_cubes

    idx = np.arange(n + 4)
    inside = lambda lo, hi: (idx >= lo) & (idx < hi)  # noqa: E731
    solid = np.zeros((n + 4,) * 3, dtype=np.float32)
    solid[np.ix_(inside(2, n + 2), inside(2, n + 2), inside(2, n + 2))] = 1.0
    solid[np.ix_(inside(8, n - 4), inside(8, n - 4), inside(8, n - 4))] = 0.0
    field = ndimage.gaussian_filter(solid, 0.5)
    verts, faces, _, _ = marching_cubes(field, level=0.5)
    out = trimesh.Trimesh(verts / n, faces, process=True)
    trimesh.smoothing.filter_taubin(out, iterations=5)
    return defects(cluster_decimate(out, 0.5), seed, flipped=0.01, holes=4)


def test_hollow_box_generator_export_is_not_floating() -> None:
    mesh = _hollow_box_export()
    asset_mesh = Asset.from_trimesh(mesh).mesh
    assert len(asset_mesh.split(only_watertight=False)) == 2  # outer shell and void wall
    score = _floating_check(mesh)
    assert score.passed and score.value == 0, score.reason


def test_unrelated_floating_cube_still_floats_beside_a_hollow_box() -> None:
    cube = trimesh.creation.box(extents=(0.2, 0.2, 0.2))
    cube.apply_translation([1.0, 0.0, 0.5])  # in the air beside the box
    mesh = trimesh.util.concatenate([closed_box(), cube])
    res = floating_parts(mesh)
    assert res.n_floating == 1
    assert not _floating_check(mesh).passed


@pytest.mark.parametrize("build", [closed_box, _hollow_box_export], ids=["clean", "export"])
def test_hollow_box_is_one_part(build) -> None:
    case = types.SimpleNamespace(id="t", prompt="", checks=(), suites=("spatial",))
    score = registry.build("parts", {"expect": 1}).score(
        Sample(case=case, asset=Asset.from_trimesh(build()))
    )
    assert score.value == 1 and score.passed, score.reason


def test_ball_sealed_in_a_hollow_box_is_a_second_part() -> None:
    case = types.SimpleNamespace(id="t", prompt="", checks=(), suites=("spatial",))
    score = registry.build("parts", {"expect": 2}).score(
        Sample(case=case, asset=Asset.from_trimesh(_ball_in_box()))
    )
    assert score.value == 2, score.reason
