"""Ground contacts that are separate in 3D stay separate when their top-view footprints
nearly touch (issue 12), and creases or shallow grooves in one contact do not split it."""

from __future__ import annotations

import numpy as np
import pytest
import trimesh

from mme3dr.assets import Asset
from mme3dr.geometry.contacts import ground_contacts


def _box(extents, centre) -> trimesh.Trimesh:
    m = trimesh.creation.box(extents=extents)
    m.apply_translation(centre)
    return m


def _figure(gap: float, bridge: float | None = None, fused: bool = True) -> trimesh.Trimesh:
    """Two legs 0.1 wide ``gap`` apart (top view), joined by a hip block at 0.5-1.0 height.

    ``bridge``: also join the feet with a plate from the ground up to this height (the feet
    then form one sole with a crease). ``fused``: one manifold surface (boolean union)."""
    half = 0.05 + gap / 2
    parts = [
        _box((0.1, 0.2, 0.5), (-half, 0, 0.25)),
        _box((0.1, 0.2, 0.5), (half, 0, 0.25)),
        _box((0.4, 0.2, 0.5), (0, 0, 0.75)),
    ]
    if bridge is not None:
        parts.append(_box((2 * half, 0.2, bridge), (0, 0, bridge / 2)))
    if fused:
        return trimesh.boolean.union(parts, engine="manifold")
    return trimesh.util.concatenate(parts)


def _grooved_block(width: float, depth: float) -> trimesh.Trimesh:
    """A 0.6 x 0.3 x 1 block with a slot ``width`` wide and ``depth`` deep cut up from the
    bottom across its middle (fused: one manifold surface)."""
    block = _box((0.6, 0.3, 1.0), (0, 0, 0.5))
    slot = _box((width, 0.4, 2 * depth), (0, 0, 0.0))
    return trimesh.boolean.difference([block, slot], engine="manifold")


def _variants(mesh: trimesh.Trimesh):
    yield "clean", mesh
    yield "subdivided", mesh.subdivide()
    faces = mesh.faces.copy()
    faces[::5] = faces[::5, ::-1]
    yield "flipped", trimesh.Trimesh(mesh.vertices, faces, process=False)
    tri = mesh.triangles.reshape(-1, 3)
    yield "split", trimesh.Trimesh(tri, np.arange(len(tri)).reshape(-1, 3), process=False)


def _count(mesh: trimesh.Trimesh) -> int:
    return ground_contacts(Asset.from_trimesh(mesh).mesh).n_regions


@pytest.mark.parametrize("variant", ["clean", "subdivided", "flipped", "split"])
@pytest.mark.parametrize("gap", [0.004, 0.008, 0.015, 0.03])
def test_two_feet_close_in_top_view_are_two_contacts(variant, gap):
    assert _count(dict(_variants(_figure(gap)))[variant]) == 2


@pytest.mark.parametrize("fused", [True, False])
def test_two_feet_as_separate_parts_are_two_contacts(fused):
    assert _count(_figure(0.008, fused=fused)) == 2


@pytest.mark.parametrize("variant", ["clean", "flipped", "split"])
def test_feet_joined_by_a_low_sole_are_one_contact(variant):
    # a sole plate 2 % high joins the feet: the gap between them is a crease, not a slit
    assert _count(dict(_variants(_figure(0.008, bridge=0.02)))[variant]) == 1


@pytest.mark.parametrize(
    "width, depth, expected",
    [
        (0.008, 0.005, 1),  # within the contact band: the footprint is one piece
        (0.008, 0.02, 1),  # a shallow groove (below tol + merge_gap): a crease
        (0.008, 0.2, 2),  # a deep slit: the block stands on two separate feet
        (0.05, 0.02, 2),  # a wide groove: separate in top view (as before)
    ],
)
def test_grooves_and_slits(width, depth, expected):
    assert _count(_grooved_block(width, depth)) == expected
