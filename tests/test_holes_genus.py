"""``through_holes`` capped by the exact surface genus (issue 12): on one clean closed surface
(closed, edge-manifold, consistently wound) the solid has exactly ``genus`` tunnels, so voxel
tunnels beyond that are features fused within a voxel (the real misses: a camel's legs, a
man's arms near his body). A sloppy or multi-piece mesh keeps the voxel answer."""

from __future__ import annotations

import pytest
import trimesh
from shapes import _at, _diff
from test_holes import unclean
from trimesh.creation import cylinder

from mme3dr.assets import Asset
from mme3dr.evaluators import build
from mme3dr.evaluators.base import Sample


def split_ring(gap: float = 0.002) -> trimesh.Trimesh:
    """A flat ring (outer radius 0.5, inner 0.3, 0.2 thick) cut through on one side by a slot
    ``gap`` wide: genus 0, but the slot is far under a voxel, so the voxel body is a ring."""
    ring = _diff(
        _at(cylinder(radius=0.5, height=0.2, sections=64), z=0.1),
        _at(cylinder(radius=0.3, height=0.4, sections=64), z=0.1),
    )
    slot = _at(trimesh.creation.box(extents=(0.4, gap, 0.4)), z=0.1)
    slot.apply_translation([0.4, 0.0, 0.0])
    return _diff(ring, slot)


def through_holes(mesh: trimesh.Trimesh) -> tuple[int, dict]:
    s = build("through_holes", {"min": 0}).score(
        Sample(case=None, asset=Asset.from_trimesh(mesh))  # type: ignore[arg-type]
    )
    assert s.status == "ok", s.reason
    return int(s.value), s.details


def test_split_ring_is_clean_genus_zero_but_voxels_fuse_the_slot() -> None:
    mesh = split_ring()
    assert mesh.is_watertight and mesh.body_count == 1
    assert mesh.euler_number == 2
    # the sloppy copy has the same geometry; only the voxel route can answer it
    value, details = through_holes(unclean(mesh))
    assert value == 1 and details["method"].startswith("voxels:")


@pytest.mark.parametrize("yaw, scale", [(0.0, 1.0), (0.4, 7.0), (2.1, 0.05)])
def test_clean_genus_zero_surface_reads_no_hole(yaw: float, scale: float) -> None:
    mesh = split_ring()
    mesh.apply_transform(trimesh.transformations.rotation_matrix(yaw, [0, 0, 1]))
    mesh.apply_scale(scale)
    value, details = through_holes(mesh)
    assert value == 0 and details["method"] == "surface genus 0"


def test_clean_ring_keeps_its_hole() -> None:
    ring = _diff(
        _at(cylinder(radius=0.5, height=0.2, sections=64), z=0.1),
        _at(cylinder(radius=0.3, height=0.4, sections=64), z=0.1),
    )
    value, details = through_holes(ring)
    assert value == 1 and details["method"].startswith("voxels:")


def test_two_pieces_keep_the_voxel_answer() -> None:
    """A second, separate piece: the genus of each piece says nothing of holes between them
    (a handle pushed into a mug), so the voxels answer."""
    cube = trimesh.creation.box(extents=(0.1, 0.1, 0.1))
    cube.apply_translation([0.0, 0.0, 0.05])
    mesh = trimesh.util.concatenate([split_ring(), cube])
    value, details = through_holes(mesh)
    assert value == 1 and "genus" not in details["method"]


def test_cap_only_lowers_the_voxel_count() -> None:
    """A clean genus-2 surface whose voxels see 2 tunnels reads 2 (the cap is not a floor):
    a bar with two round holes."""
    bar = _at(trimesh.creation.box(extents=(1.0, 0.4, 0.1)), z=0.05)
    for x in (-0.25, 0.25):
        bar = _diff(bar, _at(cylinder(radius=0.1, height=0.4, sections=48), x=x, z=0.05))
    assert bar.euler_number == -2
    value, details = through_holes(bar)
    assert value == 2 and details["voxel_tunnels"] == 2
