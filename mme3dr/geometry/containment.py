"""Water retention and openings, measured on the sealed solid voxel grid.

Retained water (:func:`retained_water`)
---------------------------------------
Water is poured from above onto the upright object. An empty voxel ``c`` at height ``z(c)``
*drains* when some path of empty voxels (6-connected) leads from ``c`` to the border of the grid
(sides, bottom or top: there is no ground plane under the object, so a pipe standing on the
floor does not count as a container) without ever rising above ``z(c)``. Equivalently its
*spill level* -- the minimum over paths to the border of the highest voxel on the path (a
minimax path) -- is not above ``z(c)``. Voxels whose spill level is above their own height keep
water. The computation sweeps the levels bottom-up: at level ``h`` the empty voxels with
``z <= h`` are labelled once (:func:`scipy.ndimage.label`), and the voxels of height ``h`` in a
region that does not touch the border are retained.

Water is poured *from above*, so a pool only fills if it is open to the sky: a connected pool
of retained voxels counts only when at least one of its voxels has no solid voxel anywhere above
it. A sealed interior (closed box) is already solid in the grid (the fill step) and a box with a
hole in its side below a closed lid is not reachable; both hold nothing.

Openings (:func:`open_volume`)
------------------------------
"Open in direction d" means: there are empty voxels that are enclosed sideways (in the slice
perpendicular to ``d``, the voxel is inside a closed outline of the solid: a 2D hole of the
slice) and visible from infinitely far along ``d`` (no solid between the voxel and the grid
border in direction ``d``). An open box, a cup, a bowl, a flower pot with a drainage hole and a
pipe are open upwards; a closed box, a plate, a table or an upside-down cup are not.

Units: volumes in normalised units cubed, fractions relative to the axis-aligned bounding box
volume of the object (``x extent * y extent * z extent``; at least a one-voxel-thick slab).
Resolution limits: walls thinner than about a voxel may leak after sealing, and gaps narrower
than about two voxels are sealed (see :mod:`mme3dr.geometry.voxels`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from mme3dr.geometry.indices import unique_sorted
from mme3dr.geometry.voxels import CONNECT6, VoxelGrid

#: directions :func:`open_volume` understands.
DIRECTIONS: tuple[str, ...] = ("up", "down", "side")


@dataclass(frozen=True)
class Retention:
    """Water kept by an object when filled from above.

    Attributes:
        volume: retained volume, normalised units cubed.
        fraction: ``volume`` over the object's bounding-box volume.
        pools: number of separate pools that hold water (open to the sky).
        sealed_volume: volume of pools that would hold water but cannot be reached from above.
        water: ``(nx, ny, nz)`` bool grid of the retained voxels (same frame as the voxel grid).
    """

    volume: float
    fraction: float
    pools: int
    sealed_volume: float
    water: np.ndarray


def bounding_volume(grid: VoxelGrid) -> float:
    """Bounding-box volume of the solid voxels (normalised units cubed, at least one voxel)."""
    idx = np.nonzero(grid.solid)
    if len(idx[0]) == 0:
        return grid.voxel_volume
    dims = [int(i.max() - i.min() + 1) for i in idx]
    return float(np.prod(dims)) * grid.voxel_volume


def spill_retained(solid: np.ndarray) -> np.ndarray:
    """Empty voxels whose spill level is above their own height (z is the last axis).

    See the module docstring; ``solid`` must have at least one empty layer on every side.
    """
    empty = ~solid
    nz = solid.shape[2]
    retained = np.zeros_like(solid)
    # a voxel that keeps water cannot escape within its own slice either: only voxels in a
    # 2D hole of their slice are candidates, and levels without candidates are skipped
    candidates = enclosed_sideways(solid)
    for h in np.nonzero(candidates.any(axis=(0, 1)))[0]:
        if h >= nz - 1:
            break
        slab = empty[:, :, : h + 1]
        labels, n = ndimage.label(slab, structure=CONNECT6)
        if n == 0:
            continue
        touches = np.zeros(n + 1, dtype=bool)
        for face in (labels[0], labels[-1], labels[:, 0], labels[:, -1], labels[:, :, 0]):
            touches[unique_sorted(face)] = True
        top = labels[:, :, h]
        retained[:, :, h] = (top > 0) & ~touches[top] & candidates[:, :, h]
    return retained


def sky_visible(solid: np.ndarray) -> np.ndarray:
    """Empty voxels with no solid voxel anywhere above them in their column (+Z)."""
    above = np.flip(np.logical_or.accumulate(np.flip(solid, axis=2), axis=2), axis=2)
    return ~above


def retained_water(grid: VoxelGrid) -> Retention:
    """How much water the upright object keeps when filled from above (module docstring)."""
    pooled = spill_retained(grid.solid)
    labels, n = ndimage.label(pooled, structure=CONNECT6)
    if n == 0:
        return Retention(0.0, 0.0, 0, 0.0, pooled)
    open_pool = np.zeros(n + 1, dtype=bool)
    open_pool[unique_sorted(labels[pooled & sky_visible(grid.solid)])] = True
    open_pool[0] = False
    water = open_pool[labels]
    volume = float(water.sum()) * grid.voxel_volume
    sealed = float((pooled & ~water).sum()) * grid.voxel_volume
    return Retention(
        volume=volume,
        fraction=volume / bounding_volume(grid),
        pools=int(open_pool.sum()),
        sealed_volume=sealed,
        water=water,
    )


#: 4-connectivity within a z-slice and none across slices: labelling with it finds the 2D
#: pieces of every slice at once
_SLICE4 = np.zeros((3, 3, 3), dtype=bool)
_SLICE4[:, :, 1] = ndimage.generate_binary_structure(2, 1)


def enclosed_sideways(solid: np.ndarray) -> np.ndarray:
    """Empty voxels inside a closed outline of their own z-slice (2D holes, 4-connected):
    per slice ``ndimage.binary_fill_holes(layer) & ~layer``, i.e. the empty voxels whose
    4-connected empty piece of the slice does not reach the slice's border; every slice's
    pieces are labelled in one pass (a structure without links across slices)."""
    labels, n = ndimage.label(~np.asarray(solid, dtype=bool), structure=_SLICE4)
    outside = np.zeros(n + 1, dtype=bool)
    outside[0] = True  # solid
    for face in (labels[0], labels[-1], labels[:, 0], labels[:, -1]):
        outside[face.reshape(-1)] = True
    return ~outside[labels]


def open_volume(grid: VoxelGrid, direction: str = "up") -> tuple[float, float]:
    """Volume (and bounding-volume fraction) of the cavity open in ``direction``.

    ``direction`` is ``"up"`` (+Z), ``"down"`` (-Z) or ``"side"`` (the largest over +-X and
    +-Y of the grid; grid axes follow the asset's yaw, so ``side`` is only roughly
    yaw-invariant). Returns ``(volume, fraction)``; see the module docstring.
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}, got {direction!r}")
    solid = grid.solid
    if direction == "up":
        views = [solid]
    elif direction == "down":
        views = [np.flip(solid, axis=2)]
    else:
        views = [
            np.moveaxis(solid, 0, 2),
            np.flip(np.moveaxis(solid, 0, 2), axis=2),
            np.moveaxis(solid, 1, 2),
            np.flip(np.moveaxis(solid, 1, 2), axis=2),
        ]
    best = 0
    for view in views:
        cavity = enclosed_sideways(view) & sky_visible(view)
        best = max(best, int(cavity.sum()))
    volume = best * grid.voxel_volume
    return volume, volume / bounding_volume(grid)
