"""Voxel checks at any mesh density: a dense mesh (triangles far smaller than a voxel, as in a
256^3 marching-cubes export) must give the same answers as a coarse mesh of the same shape.

Regression for ``ValueError: zero-size array to reduction operation maximum`` in
``geometry/voxels.py`` on meshes whose every triangle is smaller than the sampling step.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
import trimesh

from mme3dr.assets import Asset
from mme3dr.evaluators import build
from mme3dr.evaluators.base import Sample
from mme3dr.geometry.voxels import CHUNK_FACES, surface_samples, voxelize

#: every voxel-based check, with parameters that make each one meaningful on a cup and a ball.
VOXEL_CHECKS: list[tuple[str, dict]] = [
    ("holds_liquid", {}),
    ("opening", {"direction": "up"}),
    ("support_surface", {"height": [0.0, 1.0], "min_area": 0.2}),
    ("horizontal_layers", {"min": 1}),
    ("through_holes", {"expect": 0}),
    ("symmetry", {"kind": "mirror"}),
    ("symmetry", {"kind": "rotational", "order": 4}),
    ("radial_count", {"expect": 0}),
]


def revolved(profile: np.ndarray, sections: int) -> trimesh.Trimesh:
    """Closed surface of revolution about +Z of a cross-section ``profile`` ``(n, 2)`` of
    ``(r, z)`` points that starts and ends on the axis (``r = 0``); ``sections`` around."""
    theta = np.linspace(0.0, 2 * np.pi, sections, endpoint=False)
    rings = profile[1:-1]
    n = len(rings)
    ring_v = np.stack(
        [
            np.outer(rings[:, 0], np.cos(theta)).ravel(),
            np.outer(rings[:, 0], np.sin(theta)).ravel(),
            np.repeat(rings[:, 1], sections),
        ],
        axis=1,
    )
    vertices = np.vstack([[0.0, 0.0, profile[0, 1]], ring_v, [0.0, 0.0, profile[-1, 1]]])
    j = np.arange(sections)
    jn = (j + 1) % sections
    faces = [np.stack([np.zeros(sections, int), 1 + jn, 1 + j], axis=1)]
    for i in range(n - 1):
        a, b = 1 + i * sections + j, 1 + i * sections + jn
        c, d = a + sections, b + sections
        faces += [np.stack([a, b, d], axis=1), np.stack([a, d, c], axis=1)]
    last = 1 + (n - 1) * sections
    top = len(vertices) - 1
    faces.append(np.stack([np.full(sections, top), last + j, last + jn], axis=1))
    return trimesh.Trimesh(vertices, np.vstack(faces), process=False)


def polyline(corners: list[tuple[float, float]], step: float) -> np.ndarray:
    """``corners`` joined by straight segments resampled at about ``step``."""
    out = [np.array(corners[0], dtype=float)]
    for p, q in zip(corners[:-1], corners[1:], strict=True):
        p, q = np.array(p, float), np.array(q, float)
        k = max(1, int(np.ceil(np.linalg.norm(q - p) / step)))
        out += [p + (q - p) * t for t in np.arange(1, k + 1) / k]
    return np.array(out)


def cup(step: float, sections: int) -> trimesh.Trimesh:
    """A round cup 0.8 wide and 1 high, walls and floor 0.06 thick, open at the top."""
    r, h, w = 0.4, 1.0, 0.06
    return revolved(polyline([(0, 0), (r, 0), (r, h), (r - w, h), (r - w, w), (0, w)], step),
                    sections)


@cache
def shape(name: str, dense: bool) -> trimesh.Trimesh:
    if name == "sphere":
        return trimesh.creation.icosphere(7 if dense else 4)
    return cup(0.004, 720) if dense else cup(0.06, 48)


@cache
def answers(name: str, dense: bool) -> list[tuple[str, bool, object]]:
    sample = Sample(case=None, asset=Asset.from_trimesh(shape(name, dense)))  # type: ignore[arg-type]
    out = []
    for check, params in VOXEL_CHECKS:
        s = build(check, params).score(sample)
        assert s.status == "ok", f"{check} on the {name}: {s.reason}"
        out.append((check, bool(s.passed), s.value))
    return out


def test_dense_shapes_are_dense():
    sphere, cup_mesh = shape("sphere", True), shape("cup", True)
    assert 300_000 <= len(sphere.faces) <= 400_000
    assert 900_000 <= len(cup_mesh.faces) <= 1_200_000
    # every triangle is far smaller than a voxel at 64 (1/64 of the largest extent)
    for m in (sphere, cup_mesh):
        edges = np.linalg.norm(np.diff(m.triangles[:, [0, 1, 2, 0]], axis=1), axis=2)
        assert edges.max() / m.extents.max() < 0.5 / 64
    assert len(shape("sphere", False).faces) == 5120
    assert 4_000 <= len(shape("cup", False).faces) <= 6_000


@pytest.mark.parametrize("name", ["sphere", "cup"])
def test_dense_mesh_scores_like_coarse(name):
    dense, coarse = answers(name, True), answers(name, False)
    for (check, ok_d, v_d), (_, ok_c, v_c) in zip(dense, coarse, strict=True):
        assert ok_d == ok_c, f"{check} on the {name}: dense {v_d} vs coarse {v_c}"
        if isinstance(v_c, int):
            assert v_d == v_c, f"{check} on the {name}: dense {v_d} vs coarse {v_c}"
        else:
            assert abs(v_d - v_c) <= 0.03, f"{check} on the {name}: dense {v_d} vs coarse {v_c}"


def test_sphere_does_not_hold_liquid_and_cup_does():
    held = {name: dict((c, ok) for c, ok, _ in answers(name, True)) for name in ("sphere", "cup")}
    assert held["sphere"]["holds_liquid"] is False
    assert held["cup"]["holds_liquid"] is True
    assert held["cup"]["opening"] is True and held["sphere"]["opening"] is False


def test_samples_of_tiny_triangles_are_bounded():
    """One point per sub-step triangle, in chunks: memory grows with faces, not faces x 3."""
    m = shape("sphere", True)
    s = surface_samples(m, 0.5 / 64 * 2)  # normalised sphere: extent 2
    assert len(s.points) == len(m.faces) > CHUNK_FACES
    assert np.array_equal(np.sort(np.unique(s.faces)), np.arange(len(m.faces)))
    d = np.linalg.norm(s.points, axis=1)
    assert abs(d.min() - 1) < 0.01 and abs(d.max() - 1) < 0.01


def test_split_vertices_and_flipped_faces_give_the_same_grid():
    """Per-face split vertices and flipped triangles (generator exports) change nothing."""
    m = shape("sphere", False)
    corners = np.arange(3 * len(m.faces)).reshape(-1, 3)
    split = trimesh.Trimesh(m.triangles.reshape(-1, 3), corners, process=False)
    flipped = split.faces.copy()
    flipped[::7] = flipped[::7, ::-1]
    split = trimesh.Trimesh(split.vertices, flipped, process=False)
    a, b = voxelize(m), voxelize(split)
    # the same samples up to rounding in the last bit: a voxel boundary may fall either way
    assert (a.solid != b.solid).sum() <= 1e-3 * a.solid.sum()
    assert (a.surface != b.surface).sum() <= 1e-3 * a.surface.sum()
