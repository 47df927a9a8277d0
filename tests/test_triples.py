"""Row reductions over triangle corners (``mme3dr.geometry.triples``) and the per-grid cache
of derived grids (``VoxelGrid.cached``)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import trimesh

from mme3dr.geometry.symmetry import surface_distance
from mme3dr.geometry.triples import first_max, first_mean, first_min
from mme3dr.geometry.voxels import surface_depth, voxelize


@pytest.mark.parametrize("shape", [(1000, 3, 3), (257, 3, 2), (50, 3)])
def test_triples_equal_numpy_reductions_bit_for_bit(shape):
    rng = np.random.default_rng(3)
    a = rng.normal(size=shape) * rng.choice([1e-9, 1.0, 1e6], size=shape)
    a[0] = np.nan  # NaN propagates as in the reductions
    assert np.array_equal(first_min(a), a.min(axis=1), equal_nan=True)
    assert np.array_equal(first_max(a), a.max(axis=1), equal_nan=True)
    assert np.array_equal(first_mean(a), a.mean(axis=1), equal_nan=True)


def test_triples_reject_other_shapes():
    with pytest.raises(ValueError, match=r"\(n, 3"):
        first_min(np.zeros((4, 2, 3)))
    with pytest.raises(ValueError):
        first_mean(np.zeros(3))


def _grid():
    return voxelize(trimesh.creation.annulus(0.2, 0.5, 0.3), 32)


def test_grid_cache_computes_once_and_is_read_only():
    grid = _grid()
    calls = []

    first = grid.cached(surface_depth)
    assert first is grid.cached(surface_depth)
    assert not first.flags.writeable
    assert np.array_equal(first, surface_depth(grid))
    # a grid's depth is 0 on its surface and grows away from it
    assert np.all(first[grid.surface] == 0) and first.max() > 1

    def count(g):  # nested: no stable name, refused rather than cached under a guess
        calls.append(1)
        return g.solid

    with pytest.raises(ValueError, match="module-level"):
        grid.cached(count)
    assert not calls


def test_grid_cache_is_not_shared_by_a_modified_copy():
    grid = _grid()
    grid.cached(surface_distance)
    other = dataclasses.replace(grid, surface=np.zeros_like(grid.surface))
    assert np.all(np.isinf(other.cached(surface_distance)))  # its own (empty) surface
    assert np.isfinite(grid.cached(surface_distance)).all()
