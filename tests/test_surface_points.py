"""``surface_points``: the ``through_holes`` voxel route's samples, each shared point once."""

from __future__ import annotations

import numpy as np
import pytest
import trimesh
from scipy.spatial import cKDTree

from mme3dr.assets import Asset
from mme3dr.examples import shapes
from mme3dr.geometry.voxels import surface_points, surface_samples, voxelize


def _normalised(mesh: trimesh.Trimesh) -> trimesh.Trimesh:
    return Asset.from_trimesh(mesh).mesh


def test_every_point_of_a_coarse_triangle_is_near_a_sample():
    """A large sliver and a fat triangle: random points of them are within the step of a
    sample (the cover the voxel grid needs)."""
    tri = trimesh.Trimesh(np.array([[0, 0, 0], [1, 0, 0], [0.3, 0.05, 0], [0.2, 0.9, 0.1]]),
                          np.array([[0, 1, 2], [0, 2, 3]]), process=False)
    step = 0.02
    pts = surface_points(tri, step).points
    rng = np.random.default_rng(0)
    for face in tri.faces:
        a, b, c = tri.vertices[face]
        r = rng.random((2000, 2))
        r[r.sum(axis=1) > 1] = 1 - r[r.sum(axis=1) > 1]
        probe = a + r[:, :1] * (b - a) + r[:, 1:] * (c - a)
        d, _ = cKDTree(pts).query(probe)
        assert d.max() <= step


@pytest.mark.parametrize("build", [shapes.cup, shapes.donut, lambda: shapes.legged_table(4)])
def test_no_point_twice_and_each_on_its_face(build):
    mesh = _normalised(build()).subdivide()
    s = surface_points(mesh, 1 / 192)
    assert len(np.unique(s.points, axis=0)) == len(s.points)
    owner = mesh.vertices[mesh.faces[s.faces]]
    # each point lies in the plane of the face named for it
    n = np.cross(owner[:, 1] - owner[:, 0], owner[:, 2] - owner[:, 0])
    n /= np.linalg.norm(n, axis=1, keepdims=True)
    assert np.abs(np.einsum("ij,ij->i", s.points - owner[:, 0], n)).max() < 1e-9


@pytest.mark.parametrize("build", [shapes.cup, shapes.donut, lambda: shapes.legged_table(4)])
@pytest.mark.parametrize("resolution", [96, 128])
def test_same_grid_as_the_per_face_samples_with_fewer_points(build, resolution):
    """The voxel route's grid from the shared points equals the one from the per-face samples
    (within a few voxels the surface grazes), from well under half the points on a dense
    mesh."""
    mesh = _normalised(build())
    while len(mesh.faces) < 40_000:
        mesh = mesh.subdivide()
    step = 1 / resolution / 2
    per_face, shared = surface_samples(mesh, step), surface_points(mesh, step)
    a = voxelize(mesh, resolution, samples=per_face, heights=False)
    b = voxelize(mesh, resolution, samples=shared, heights=False)
    assert (a.solid ^ b.solid).sum() <= 1e-3 * a.solid.sum()
    assert len(shared.points) < 0.6 * len(per_face.points)


def test_empty_and_dense_meshes():
    empty = trimesh.Trimesh(np.zeros((0, 3)), np.zeros((0, 3), dtype=np.int64))
    assert len(surface_points(empty, 0.1).points) == 0
    dense = _normalised(trimesh.creation.icosphere(subdivisions=5))
    s = surface_points(dense, 0.05)  # every edge shorter than the step: the vertices only
    assert len(s.points) == len(dense.vertices)
