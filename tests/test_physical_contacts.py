"""Contact between parts from the triangles (issue 12): parts that interpenetrate or pass
within ``gap`` between their vertices touch; parts 1.5 % apart do not.

Every scene has large triangles, so no vertex of one part comes near the other part: only a
triangle-level test can see the contact. Each is also checked on generator-style variants
(subdivided, a few flipped triangles, per-face split vertices merged back by the loader).
"""

from __future__ import annotations

import numpy as np
import pytest
import trimesh

from mme3dr.assets import Asset
from mme3dr.geometry.stability import _segment_distance2, floating_parts, triangles_within


def _box(extents, centre, rot=None) -> trimesh.Trimesh:
    m = trimesh.creation.box(extents=extents)
    if rot is not None:
        m.apply_transform(rot)
    m.apply_translation(centre)
    return m


def _rot(angle_deg: float, axis) -> np.ndarray:
    return trimesh.transformations.rotation_matrix(np.radians(angle_deg), axis)


def _corner_down_cube(depth: float) -> trimesh.Trimesh:
    """A 1 x 1 x 0.2 slab and a cube standing on a corner whose tip is ``depth`` below the
    slab's top face (``depth < 0``: above it)."""
    slab = _box((1.0, 1.0, 0.2), (0, 0, 0.1))
    cube = trimesh.creation.box(extents=(0.3, 0.3, 0.3))
    # rotate so the (-,-,-) corner points straight down
    axis = np.cross([-1, -1, -1], [0, 0, -1])
    angle = np.degrees(np.arccos(1 / np.sqrt(3)))
    cube.apply_transform(_rot(angle, axis))
    cube.apply_translation([0.05, -0.05, 0.2 - depth - cube.bounds[0, 2]])
    return trimesh.util.concatenate([slab, cube])


def _crossed_bars(clearance: float) -> trimesh.Trimesh:
    """Two square bars on edge, crossing at right angles: the upper one's lower edge passes
    ``clearance`` above the lower one's upper edge, at mid-length (no vertex nearby)."""
    post = _box((0.1, 0.1, 0.3), (0.0, 0.3, 0.15))  # holds the lower bar up off the ground
    low = _box((1.0, 0.1, 0.1), (0, 0, 0), _rot(45, [1, 0, 0]))
    low.apply_translation([0, 0.3, 0.3 + 0.05 * np.sqrt(2)])
    top_edge = low.bounds[1, 2]
    high = _box((0.1, 0.8, 0.1), (0, 0, 0), _rot(45, [0, 1, 0]))
    high.apply_translation([0.1, 0.0, top_edge + clearance - high.bounds[0, 2]])
    return trimesh.util.concatenate([post, low, high])


def _mug(push: float) -> trimesh.Trimesh:
    """A 12-sided cylinder body and a coarse ring handle whose inner side goes ``push`` into
    the body wall at the middle of a wall face (``push < 0``: it stands off the wall). The
    triangles are large: the handle's vertices inside the body are far from every body vertex
    and from the wall."""
    body = trimesh.creation.cylinder(radius=0.3, height=0.8, sections=12)
    body.apply_transform(_rot(15, [0, 0, 1]))  # a face centre, not an edge, faces +x
    body.apply_translation([0, 0, 0.4])
    handle = trimesh.creation.torus(
        major_radius=0.2, minor_radius=0.04, major_sections=8, minor_sections=6
    )
    handle.apply_transform(_rot(90, [1, 0, 0]))  # the ring stands in the xz plane
    wall = 0.3 * np.cos(np.pi / 12)
    handle.apply_translation([wall - push - handle.bounds[0, 0], 0, 0.45])
    return trimesh.util.concatenate([body, handle])


def _variants(mesh: trimesh.Trimesh):
    yield "clean", mesh
    yield "subdivided", mesh.subdivide()
    flipped = mesh.copy()
    faces = flipped.faces.copy()
    faces[::7] = faces[::7, ::-1]
    yield "flipped", trimesh.Trimesh(flipped.vertices, faces, process=False)
    tri = mesh.triangles.reshape(-1, 3)
    yield "split", trimesh.Trimesh(tri, np.arange(len(tri)).reshape(-1, 3), process=False)


def _floating(mesh: trimesh.Trimesh) -> int:
    return floating_parts(Asset.from_trimesh(mesh).mesh).n_floating


@pytest.mark.parametrize("variant", ["clean", "subdivided", "flipped", "split"])
def test_corner_pushed_into_a_slab_touches_and_a_hovering_one_floats(variant):
    for depth, expected in ((0.05, 0), (0.003, 0), (-0.003, 0), (-0.015, 1), (-0.05, 1)):
        mesh = dict(_variants(_corner_down_cube(depth)))[variant]
        assert _floating(mesh) == expected, (variant, depth)


@pytest.mark.parametrize("variant", ["clean", "flipped", "split"])
def test_bars_crossing_between_vertices(variant):
    # edge over edge: only an edge-edge distance sees this contact
    for clearance, expected in ((-0.02, 0), (0.003, 0), (0.015, 1), (0.05, 1)):
        mesh = dict(_variants(_crossed_bars(clearance)))[variant]
        assert _floating(mesh) == expected, (variant, clearance)


def test_mug_handle_pushed_into_the_body_is_attached():
    assert _floating(_mug(0.05)) == 0
    assert _floating(_mug(-0.015)) == 1  # a handle 1.5 % off the wall floats
    assert _floating(_mug(-0.002)) == 0  # within the default gap (0.5 %): touching


def test_triangles_within_known_distances():
    a = np.array([[[0, 0, 0], [1, 0, 0], [0, 1, 0]]], float)
    for dz, gap, expected in ((0.01, 0.02, True), (0.03, 0.02, False)):
        b = a + [0.2, 0.2, dz]  # parallel, overlapping in top view, dz apart
        assert triangles_within(a, b, gap)[0] == expected
    crossing = np.array([[[0.2, 0.2, -1], [0.3, 0.2, 1], [0.2, 0.3, 1]]], float)
    assert triangles_within(a, crossing, 1e-9)[0]
    # segments: skew lines 0.5 apart; parallel overlapping; a point
    d2 = _segment_distance2(
        np.array([[0, 0, 0], [0, 0, 0], [0, 0, 0]], float),
        np.array([[1, 0, 0], [1, 0, 0], [0, 0, 0]], float),
        np.array([[0.5, -1, 0.5], [0.5, 0.2, 0], [2, 0, 0]], float),
        np.array([[0.5, 1, 0.5], [2, 0.2, 0], [2, 0, 0]], float),
    )
    np.testing.assert_allclose(d2, [0.25, 0.04, 4.0])
