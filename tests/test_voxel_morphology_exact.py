"""The voxel grid's sealing (a closing by the 3x3x3 cube, as separable 1-D filters) and the
slice holes of :func:`~mme3dr.geometry.containment.enclosed_sideways` (one labelling of all
slices) give the same voxels, bit for bit, as the scipy calls they replaced
(``binary_closing`` with ``CONNECT26``; ``binary_fill_holes`` slice by slice), on random
grids (objects touching the grid border too), views with moved axes, and the grids of
voxel meshes like the trainer's."""

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
