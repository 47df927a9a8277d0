"""The contact raster fills triangles by column runs and draws axis-aligned edges as runs, and
the merge test of nearby footprints dilates by a disc: the same masks, bit for bit, as the
code before it was sped up (kept here as the reference): every edge sampled at a third of a
pixel, every pixel centre of every triangle's bounding box tested, the distance transform
thresholded.

The triangles are the kinds the benchmark and the trainer give it: random ones, ones on a
lattice (pixel centres exactly on edges, as on the voxel meshes of ``trainers/voxels.py``),
slivers, vertical walls (zero-area triangles), axis-aligned ones, tiny ones; and the voxel
meshes themselves, coarse, refined and tilted.
"""

from __future__ import annotations

import numpy as np
import pytest
import trimesh

from mme3dr.assets import Asset
from mme3dr.geometry import contacts as C


def _reference_rasterise(xy, origin, pixel, shape):
    """The rasteriser as it was: edges sampled at a third of a pixel, then every pixel centre
    of each triangle's bounding box tested with ``_inside_triangles``."""
    mask = np.zeros(shape, dtype=bool)
    grid = (xy - origin) / pixel
    starts = grid.reshape(-1, 2)
    ends = np.roll(grid, -1, axis=1).reshape(-1, 2)
    steps = np.ceil(np.linalg.norm(ends - starts, axis=1) * 3).astype(np.int64) + 1
    for part in C._chunks(np.arange(len(starts)), steps):
        seg = np.repeat(part, steps[part])
        offsets = np.arange(len(seg)) - np.repeat(np.cumsum(steps[part]) - steps[part], steps[part])
        t = offsets / np.maximum(steps[seg] - 1, 1)
        C._mark(mask, starts[seg] + t[:, None] * (ends[seg] - starts[seg]))
    lo = np.floor(grid.min(axis=1) - 0.5).astype(np.int64) + 1
    hi = np.floor(grid.max(axis=1) - 0.5).astype(np.int64)
    nx = np.maximum(hi[:, 0] - lo[:, 0] + 1, 0)
    ny = np.maximum(hi[:, 1] - lo[:, 1] + 1, 0)
    # every pixel centre of every bounding box: the old interior test, kept in the module as
    # the column runs' fallback
    C._interior_by_pixels(mask, grid, lo, nx, ny, np.arange(len(grid)))
    return mask


def _reference_within(mask, radius):
    """The merge test's neighbourhood as it was: the thresholded distance transform."""
    from scipy import ndimage

    return ndimage.distance_transform_edt(~mask) <= radius


def _frame(xy, pixel, pad=3):
    points = xy.reshape(-1, 2)
    origin = points.min(axis=0) - pad * pixel
    shape = tuple(np.ceil((points.max(axis=0) - origin) / pixel).astype(int) + pad + 1)
    return origin, shape


def _triangles(rng, kind, m):
    if kind == "random":
        return rng.uniform(-1, 1, (m, 3, 2))
    if kind == "lattice":  # vertices on a lattice: many pixel centres lie exactly on edges
        return rng.integers(0, 12, (m, 3, 2)) / 11.0
    if kind == "half-pixel":
        return rng.integers(0, 9, (m, 3, 2)) / 8.0 + 1.0 / 16.0
    if kind == "sliver":
        xy = rng.uniform(0, 1, (m, 3, 2))
        xy[:, 2] = xy[:, 0] + rng.normal(0, 1e-9, (m, 2))
        return xy
    if kind == "wall":  # collinear corners: vertical walls seen from above
        a, b = rng.uniform(0, 1, (m, 2)), rng.uniform(0, 1, (m, 2))
        t = rng.uniform(0, 1, (m, 1))
        return np.stack([a, b, a + t * (b - a)], axis=1)
    if kind == "axis":  # axis-aligned right triangles (voxel faces)
        a = rng.integers(0, 6, (m, 2)) / 5.0
        s = rng.integers(1, 4, (m, 2)) / 5.0 * rng.choice([-1, 1], (m, 2))
        return np.stack([a, a + [1, 0] * s, a + s], axis=1)
    if kind == "tiny":
        return rng.uniform(0, 1, (m, 1, 2)) + rng.normal(0, 1e-4, (m, 3, 2))
    raise ValueError(kind)


KINDS = ("random", "lattice", "half-pixel", "sliver", "wall", "axis", "tiny")


@pytest.mark.parametrize("kind", KINDS)
def test_column_runs_match_every_pixel_tested(kind):
    rng = np.random.default_rng(sum(map(ord, kind)))
    for trial in range(150):
        xy = _triangles(rng, kind, int(rng.integers(1, 30)))
        pixel = float(rng.choice([1 / 300, 0.01, 1 / 44, 1 / 64, 0.0625, 0.1, 1 / 3]))
        if trial % 5 == 0:  # the pixel grid aligned with the lattice
            pixel = 1.0 / float(rng.choice([8, 11, 16, 22, 33]))
        origin, shape = _frame(xy, pixel)
        got = C._rasterise(xy, origin, pixel, shape)
        want = _reference_rasterise(xy, origin, pixel, shape)
        assert np.array_equal(got, want), (kind, trial)


def test_pixel_by_pixel_fallback_is_the_same_test():
    """Triangles whose runs the window cannot pin down are tested pixel by pixel: that path
    alone gives the reference interiors too."""
    rng = np.random.default_rng(7)
    for kind in KINDS:
        xy = _triangles(rng, kind, 25)
        origin, shape = _frame(xy, 0.02)
        grid = (xy - origin) / 0.02
        lo = np.floor(grid.min(axis=1) - 0.5).astype(np.int64) + 1
        hi = np.floor(grid.max(axis=1) - 0.5).astype(np.int64)
        nx = np.maximum(hi[:, 0] - lo[:, 0] + 1, 0)
        ny = np.maximum(hi[:, 1] - lo[:, 1] + 1, 0)
        every = np.zeros(shape, dtype=bool)
        C._interior_by_pixels(every, grid, lo, nx, ny, np.arange(len(xy)))
        runs = np.zeros(shape, dtype=bool)
        todo = np.flatnonzero((nx > 0) & (ny > 0))
        cols, first, last, failed = C._column_spans(grid, lo, hi, nx, todo)
        assert len(failed) == 0
        C._mark_spans(runs, cols, first, last)
        assert np.array_equal(runs, every), kind


def _voxel_mesh(rng):
    from trainers.voxels import occupancy_to_mesh

    occ = rng.random((3, 3, 4)) < 0.45
    occ[rng.integers(0, 3), rng.integers(0, 3), 0] = True
    if rng.random() < 0.5:  # a refined grid, as step 2 decodes
        occ = np.kron(occ, np.ones((2, 2, 2), bool)) & (rng.random((6, 6, 8)) < 0.8)
        occ[0:2, 0:2, 0] |= True
    return occupancy_to_mesh(occ)


def test_ground_contacts_unchanged_on_voxel_meshes(monkeypatch):
    """On the trainer's voxel meshes (coarse and refined, tilted too) the contacts with the
    new raster and neighbourhood equal those with the reference ones, every field."""
    rng = np.random.default_rng(3)
    meshes = [_voxel_mesh(rng) for _ in range(25)]
    rot = trimesh.transformations.rotation_matrix(0.07, [1, 0.3, 0])
    meshes += [m.copy().apply_transform(rot) for m in meshes[:8]]
    for mesh in meshes:
        asset = Asset.from_trimesh(mesh)
        for tol in (0.01, 0.03):
            got = C.ground_contacts(asset.mesh, tol=tol)
            with monkeypatch.context() as mp:
                mp.setattr(C, "_rasterise", _reference_rasterise)
                mp.setattr(C, "_within", _reference_within)
                want = C.ground_contacts(asset.mesh, tol=tol)
            assert got.n_regions == want.n_regions
            assert got.contact_area == want.contact_area
            assert got.region_areas == want.region_areas
            assert np.array_equal(got.support_polygon, want.support_polygon)
            for a, b in zip(got.region_points, want.region_points, strict=True):
                assert np.array_equal(a, b)


@pytest.mark.parametrize("radius", [0.0, 0.5, 1.0, np.sqrt(2), 2.0, 2.56, 3.0, np.sqrt(13),
                                    3.9999, 4.0, 1 / 0.3, 6.2, 8.0, 9.5])
def test_within_is_the_thresholded_distance_transform(radius):
    """``_within`` (a dilation by the disc) is ``distance_transform_edt(~mask) <= radius``."""
    from scipy import ndimage

    rng = np.random.default_rng(int(radius * 1000))
    for _ in range(40):
        shape = tuple(int(x) for x in rng.integers(1, 120, 2))
        mask = np.zeros(shape, dtype=bool)
        for _ in range(int(rng.integers(1, 6))):
            x, y = rng.integers(0, shape[0]), rng.integers(0, shape[1])
            mask[x : x + rng.integers(1, 40), y : y + rng.integers(1, 40)] = True
        mask |= rng.random(shape) < 0.002
        want = ndimage.distance_transform_edt(~mask) <= radius
        assert np.array_equal(C._within(mask, radius), want)
