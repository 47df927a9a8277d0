"""Voxel-grid morphology computed faster gives the same voxels, bit for bit, as the code it
replaced (kept here as the reference): the sealing closing by the 3x3x3 cube as separable
1-D filters (``binary_closing`` with ``CONNECT26``), the slice holes of
:func:`~mme3dr.geometry.containment.enclosed_sideways` in one labelling of all slices
(``binary_fill_holes`` slice by slice) and the flat tops of every layer pair filtered in one
stack (pair by pair); on random grids (objects touching the grid border too), views with
moved axes, and the grids of voxel meshes like the trainer's and of a few shapes."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

from mme3dr.assets import Asset
from mme3dr.geometry.containment import enclosed_sideways, open_volume, retained_water
from mme3dr.geometry.voxels import CONNECT26, close26, voxelize


def _reference_enclosed(solid):
    out = np.zeros_like(solid)
    for k in np.nonzero(solid.any(axis=(0, 1)))[0]:
        layer = solid[:, :, k]
        out[:, :, k] = ndimage.binary_fill_holes(layer) & ~layer
    return out


def _grids(seed, n=40):
    rng = np.random.default_rng(seed)
    for i in range(n):
        shape = tuple(int(x) for x in rng.integers(1, 24, 3))
        kind = i % 4
        if kind == 0:
            g = rng.random(shape) < rng.uniform(0.05, 0.6)
        elif kind == 1:  # boxes with walls: cups, rings, closed boxes, touching the border
            g = np.zeros(shape, bool)
            for _ in range(int(rng.integers(1, 5))):
                lo = rng.integers(0, np.maximum(np.array(shape) - 1, 1))
                hi = lo + rng.integers(1, 10, 3)
                g[lo[0]:hi[0], lo[1]:hi[1], lo[2]:hi[2]] = True
                inner_lo, inner_hi = lo + 1, hi - 1
                if rng.random() < 0.7:
                    g[inner_lo[0]:inner_hi[0], inner_lo[1]:inner_hi[1],
                      inner_lo[2]:hi[2] if rng.random() < 0.5 else inner_hi[2]] = False
        elif kind == 2:  # sparse shells with cracks
            g = np.zeros(shape, bool)
            g[0::3] = True
            g &= rng.random(shape) < 0.9
        else:
            g = np.kron(rng.random(tuple(max(1, s // 3) for s in shape)) < 0.5,
                        np.ones((3, 3, 3), bool))
        yield g


@pytest.mark.parametrize("iterations", [1, 2])
def test_close26_is_binary_closing(iterations):
    for g in _grids(iterations):
        want = ndimage.binary_closing(g, structure=CONNECT26, iterations=iterations)
        assert np.array_equal(close26(g, iterations), want)


def test_enclosed_sideways_is_fill_holes_per_slice():
    for g in _grids(11, 60):
        assert np.array_equal(enclosed_sideways(g), _reference_enclosed(g))
        for view in (np.moveaxis(g, 0, 2), np.flip(np.moveaxis(g, 1, 2), axis=2)):
            assert np.array_equal(enclosed_sideways(view), _reference_enclosed(view))


def test_voxel_meshes_unchanged(monkeypatch):
    """Grids, retained water and openings of voxel meshes (a cup among them) with the new
    morphology equal those with the reference calls."""
    import mme3dr.geometry.containment as containment
    import mme3dr.geometry.voxels as voxels
    from trainers.voxels import occupancy_to_mesh

    rng = np.random.default_rng(5)
    grids = [rng.random((6, 6, 8)) < 0.5 for _ in range(12)]
    cup = np.ones((6, 6, 8), bool)
    cup[1:5, 1:5, 1:] = False
    grids.append(cup)
    for occ in grids:
        if not occ.any():
            continue
        asset = Asset.from_trimesh(occupancy_to_mesh(occ))
        got = voxelize(asset.mesh)
        with monkeypatch.context() as mp:
            mp.setattr(voxels, "close26", lambda s, k: ndimage.binary_closing(
                s, structure=CONNECT26, iterations=k))
            want = voxelize(asset.mesh)
        assert np.array_equal(got.solid, want.solid)
        water, opening = retained_water(got), open_volume(got, "up")
        with monkeypatch.context() as mp:
            mp.setattr(containment, "enclosed_sideways", _reference_enclosed)
            water_ref, opening_ref = retained_water(got), open_volume(got, "up")
        assert (water.volume, water.pools, water.sealed_volume) == (
            water_ref.volume, water_ref.pools, water_ref.sealed_volume)
        assert np.array_equal(water.water, water_ref.water)
        assert opening == opening_ref


def _reference_flat_tops(grid, flat_radius=2, tolerance=0.5):
    """``surfaces.flat_tops`` as it was: one layer pair at a time."""
    from mme3dr.geometry import surfaces

    tops = surfaces.exposed_tops(grid.solid)
    heights = surfaces.surface_heights(grid)
    size = 2 * flat_radius + 1
    structure = np.ones((size, size), dtype=bool)
    limit = tolerance * grid.pitch
    flat = np.zeros_like(tops)
    nz = tops.shape[2]
    layers = np.nonzero(tops.any(axis=(0, 1)))[0]
    for k in np.unique(np.concatenate([layers, layers - 1])):
        if k < 0 or k + 1 >= nz:
            continue
        pair = np.fmax(heights[:, :, k], heights[:, :, k + 1])
        valid = np.isfinite(pair)
        if valid.sum() < size * size:
            continue
        hi = ndimage.maximum_filter(np.where(valid, pair, -np.inf), footprint=structure)
        lo = ndimage.minimum_filter(np.where(valid, pair, np.inf), footprint=structure)
        full = ndimage.binary_erosion(valid, structure=structure)
        core = full & (hi - lo <= limit)
        if not core.any():
            continue
        region = ndimage.binary_dilation(core, structure=structure) & valid
        region |= surfaces._level_growth(core, pair, valid, limit)
        flat[:, :, k] |= region & tops[:, :, k]
        flat[:, :, k + 1] |= region & tops[:, :, k + 1]
    return flat


def test_flat_tops_all_pairs_at_once_is_pair_by_pair():
    """Flat tops filtered for every layer pair in one stack equal the pair-by-pair loop, on
    voxel meshes (coarse, refined), stairs, a tilted slab and a noisy dome."""
    import trimesh

    from mme3dr.geometry.surfaces import flat_tops
    from trainers.voxels import occupancy_to_mesh

    rng = np.random.default_rng(9)
    meshes = []
    for i in range(16):
        occ = rng.random((3, 3, 4)) < 0.5
        if i % 2:
            occ = np.kron(occ, np.ones((2, 2, 2), bool)) & (rng.random((6, 6, 8)) < 0.85)
        if occ.any():
            meshes.append(occupancy_to_mesh(occ))
    stairs = np.zeros((4, 3, 4), bool)
    for x in range(4):
        stairs[x, :, : x + 1] = True
    meshes.append(occupancy_to_mesh(stairs))
    slab = trimesh.creation.box([1.0, 1.0, 0.1])
    slab.apply_transform(trimesh.transformations.rotation_matrix(0.05, [1, 0, 0]))
    meshes.append(slab)
    dome = trimesh.creation.icosphere(3)
    dome.vertices += rng.normal(0, 0.003, dome.vertices.shape)
    meshes.append(dome)
    for mesh in meshes:
        grid = voxelize(Asset.from_trimesh(mesh).mesh)
        for radius, tolerance in ((2, 0.5), (1, 0.25), (3, 1.0)):
            got = flat_tops(grid, radius, tolerance)
            assert np.array_equal(got, _reference_flat_tops(grid, radius, tolerance))


def test_binning_and_lattice_unchanged():
    """The surface voxels and top heights binned by flat index, and the lattice summed in
    place, equal the multi-index binning and the plain sum ``a + t1 u + t2 v``."""
    import trimesh

    from mme3dr.geometry import voxels as V

    meshes = [trimesh.creation.icosphere(2), trimesh.creation.capsule(),
              trimesh.creation.annulus(0.3, 0.5, 0.4), trimesh.creation.box((1, 0.2, 0.05))]
    for mesh in meshes:
        m = Asset.from_trimesh(mesh).mesh
        grid = voxelize(m, 48)
        samples = V.surface_samples(m, grid.pitch / 2)
        idx = np.floor((samples.points - grid.origin) / grid.pitch).astype(np.int64)
        idx = np.clip(idx, 0, np.array(grid.shape) - 1)
        surface = np.zeros(grid.shape, dtype=bool)
        surface[idx[:, 0], idx[:, 1], idx[:, 2]] = True
        top = np.full(grid.shape, -np.inf, dtype=np.float32)
        np.maximum.at(top, (idx[:, 0], idx[:, 1], idx[:, 2]),
                      samples.points[:, 2].astype(np.float32))
        top[~surface] = np.nan
        assert np.array_equal(grid.surface, surface)
        assert np.array_equal(grid.top, top, equal_nan=True)
        tri = np.asarray(m.vertices)[np.asarray(m.faces)]
        a, u, v = tri[:, 0], tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]
        t1, t2 = V._template(5, 7)
        want = a[:, None, :] + t1[None, :, None] * u[:, None, :] + t2[None, :, None] * v[:, None, :]
        got = t1[None, :, None] * u[:, None, :]
        got += a[:, None, :]
        got += t2[None, :, None] * v[:, None, :]
        assert np.array_equal(got, want)
