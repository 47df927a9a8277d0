"""Flat, upward-facing surfaces: seats, tabletops, shelves, tiers and steps.

Measured on the sealed solid voxel grid (:mod:`mme3dr.geometry.voxels`), so face normals are
never trusted (inverted or inconsistent normals, duplicated or fused geometry do not matter):

1. **exposed tops**: solid voxels whose voxel directly above is empty;
2. **flat**: each exposed top carries the sub-voxel height of the surface inside it (highest
   surface sample). Looking at pairs of adjacent layers (a plane lying on a voxel boundary
   splits between two layers under noise), a top is flat when it lies in a 5 x 5 window
   (``flat_radius`` 2) of exposed tops whose heights span at most half a voxel
   (``tolerance``): slopes up to about ``atan(0.5 / 4) = 7 deg`` pass; patches must be at
   least 5 voxels (about 8 % of the largest extent at 64) across somewhere; each flat window
   is then grown over the exposed tops connected to it whose height is within ``tolerance``
   of its own (the connected surface at that level: treads whose edges a decoder's
   smoothing rounded, see :func:`_level_growth`);
3. **levels**: layers holding flat tops are grouped when they are at most ``merge_gap`` voxels
   apart (default 1); a level's area is the union of its columns (top-view area, normalised
   units squared) and its height is the top of its voxels (normalised units; ``height_fraction``
   is that over the object's height);
4. **clearance**: for support surfaces, a flat top counts only when the ``clearance`` above it
   (normalised units, default 0.05) is free of solid: a shelf under the next shelf still
   counts, a surface hidden under a lid does not.

Areas are reported as fractions of the **footprint** (the top-view silhouette area of the
whole object). What it cannot see: surfaces smaller than the opening disc, surfaces tilted
more than ~20 deg, and levels closer than ``merge_gap`` voxels merge.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from mme3dr.geometry.voxels import VoxelGrid


@dataclass(frozen=True)
class Level:
    """One flat upward-facing level.

    Attributes:
        height: z of the surface, normalised units (above the ground at z = 0).
        height_fraction: ``height`` over the object's height (0 = ground, 1 = top).
        area: top-view area of the level, normalised units squared.
        fraction: ``area`` over the object's footprint area.
    """

    height: float
    height_fraction: float
    area: float
    fraction: float


def footprint_area(grid: VoxelGrid) -> float:
    """Top-view silhouette area of the solid, normalised units squared."""
    return float(grid.solid.any(axis=2).sum()) * grid.pitch**2


def exposed_tops(solid: np.ndarray) -> np.ndarray:
    """Solid voxels whose upper neighbour is empty (or outside the grid)."""
    above = np.zeros_like(solid)
    above[:, :, :-1] = solid[:, :, 1:]
    return solid & ~above


def clearance_voxels(solid: np.ndarray) -> np.ndarray:
    """For each voxel, the number of empty voxels directly above it before the next solid one
    (a very large number when nothing is above)."""
    nz = solid.shape[2]
    out = np.zeros(solid.shape, dtype=np.int32)
    run = np.full(solid.shape[:2], np.iinfo(np.int32).max // 2, dtype=np.int32)
    for k in range(nz - 1, -1, -1):
        out[:, :, k] = run
        run = np.where(solid[:, :, k], 0, run + 1)
    return out


def surface_heights(grid: VoxelGrid) -> np.ndarray:
    """Sub-voxel height (normalised units) of every exposed top voxel, NaN elsewhere.

    The highest surface sample inside the voxel when there is one, else the top of the voxel.
    """
    tops = exposed_tops(grid.solid)
    k = np.arange(grid.shape[2], dtype=np.float32)
    voxel_top = (grid.origin[2] + grid.pitch * (k + 1)).astype(np.float32)
    h = np.broadcast_to(voxel_top, grid.shape).copy()
    if grid.top is not None:
        known = np.isfinite(grid.top)
        h[known] = grid.top[known]
    h[~tops] = np.nan
    return h


def flat_tops(grid: VoxelGrid, flat_radius: int = 2, tolerance: float = 0.5) -> np.ndarray:
    """Exposed tops lying on a locally flat horizontal patch (see the module docstring).

    A top voxel is flat when it belongs to a ``(2 r + 1)^2`` window (``r = flat_radius``) of
    exposed tops in its layer pair whose sub-voxel heights span at most ``tolerance`` voxels.
    """
    tops = exposed_tops(grid.solid)
    heights = surface_heights(grid)
    size = 2 * flat_radius + 1
    limit = tolerance * grid.pitch
    flat = np.zeros_like(tops)
    nz = tops.shape[2]
    layers = np.nonzero(tops.any(axis=(0, 1)))[0]
    ks = np.unique(np.concatenate([layers, layers - 1]))
    ks = ks[(ks >= 0) & (ks + 1 < nz)]
    if len(ks) == 0:
        return flat
    # every layer pair at once, stacked along the last axis; the filters' windows span
    # (size, size, 1), so each pair is filtered on its own exactly as one 2-D slice
    pairs = np.fmax(heights[:, :, ks], heights[:, :, ks + 1])
    valid = np.isfinite(pairs)
    keep = valid.sum(axis=(0, 1)) >= size * size
    ks, pairs, valid = ks[keep], pairs[:, :, keep], valid[:, :, keep]
    if len(ks) == 0:
        return flat
    window = (size, size, 1)
    box = np.ones(window, dtype=bool)
    hi = ndimage.maximum_filter(np.where(valid, pairs, -np.inf), size=window)
    lo = ndimage.minimum_filter(np.where(valid, pairs, np.inf), size=window)
    full = ndimage.binary_erosion(valid, structure=box)
    cores = full & (hi - lo <= limit)
    has_core = cores.any(axis=(0, 1))
    if not has_core.any():
        return flat
    ks, pairs, valid, cores = ks[has_core], pairs[:, :, has_core], valid[:, :, has_core], cores[
        :, :, has_core]
    regions = ndimage.binary_dilation(cores, structure=box) & valid
    for i, k in enumerate(ks.tolist()):
        region = regions[:, :, i] | _level_growth(cores[:, :, i], pairs[:, :, i],
                                                   valid[:, :, i], limit)
        flat[:, :, k] |= region & tops[:, :, k]
        flat[:, :, k + 1] |= region & tops[:, :, k + 1]
    return flat


def _level_growth(core: np.ndarray, pair: np.ndarray, valid: np.ndarray, limit: float
                  ) -> np.ndarray:
    """The exposed tops connected (8-connected, through tops) to a flat core whose height is
    within ``limit`` of the height of the nearest core cell: the whole surface at that level.

    Flatness is decided where a window fits; a tread or a shelf narrower than the window
    after the decoder rounded its edges (a step pyramid's 8-voxel treads at 64, of which
    smoothing leaves 4-5 voxels level) still has windows along its length, and the level is
    the connected surface at their height, not only the windows. A curved top adds only the
    cells within ``limit`` of its summit (a sphere of radius ``R`` voxels: a disc of radius
    ``sqrt(2 R limit / pitch)``)."""
    idx = ndimage.distance_transform_edt(~core, return_distances=False, return_indices=True)
    near = pair[idx[0], idx[1]]
    close = valid & (np.abs(np.where(valid, pair, np.inf) - near) <= limit)
    pieces, _ = ndimage.label(close, structure=np.ones((3, 3), dtype=bool))
    keep = np.unique(pieces[core & close])
    return np.isin(pieces, keep[keep > 0])


def levels(
    grid: VoxelGrid,
    *,
    flat_radius: int = 2,
    merge_gap: int = 1,
    clearance: float = 0.0,
    min_fraction: float = 0.0,
) -> list[Level]:
    """Flat upward-facing levels, lowest first (see the module docstring).

    Args:
        grid: the voxel grid of the object.
        flat_radius: 2D opening radius in voxels that defines "flat".
        merge_gap: layers at most this many voxels apart form one level.
        clearance: free height required above a surface, normalised units.
        min_fraction: drop levels smaller than this fraction of the footprint.
    """
    flat = flat_tops(grid, flat_radius)
    if clearance > 0:
        need = int(np.ceil(clearance / grid.pitch))
        flat &= clearance_voxels(grid.solid) >= need
    per_layer = flat.sum(axis=(0, 1))
    ks = np.nonzero(per_layer)[0]
    if len(ks) == 0:
        return []
    zs = np.nonzero(grid.solid.any(axis=(0, 1)))[0]
    z_lo = grid.origin[2] + grid.pitch * zs.min()
    z_hi = grid.origin[2] + grid.pitch * (zs.max() + 1)
    height = max(z_hi - z_lo, grid.pitch)
    footprint = max(footprint_area(grid), grid.pitch**2)
    groups = np.split(ks, np.nonzero(np.diff(ks) > merge_gap + 1)[0] + 1)
    out: list[Level] = []
    for group in groups:
        columns = flat[:, :, group].any(axis=2)
        area = float(columns.sum()) * grid.pitch**2
        weights = per_layer[group].astype(float)
        top = grid.origin[2] + grid.pitch * (float(np.average(group, weights=weights)) + 1.0)
        level = Level(
            height=float(top - z_lo),
            height_fraction=float((top - z_lo) / height),
            area=area,
            fraction=area / footprint,
        )
        if level.fraction >= min_fraction:
            out.append(level)
    return out


def horizontal_layers(grid: VoxelGrid, min_fraction: float = 0.1, **kwargs) -> list[Level]:
    """Distinct flat upward-facing levels of at least ``min_fraction`` of the footprint."""
    return levels(grid, min_fraction=min_fraction, **kwargs)


def support_surface(
    grid: VoxelGrid,
    band: tuple[float, float] = (0.0, 1.0),
    clearance: float = 0.05,
    **kwargs,
) -> Level | None:
    """The largest flat, upward-facing level with free ``clearance`` above it whose height
    fraction lies in ``band`` (inclusive, with a half-voxel tolerance); ``None`` if none."""
    found = levels(grid, clearance=clearance, **kwargs)
    if not found:
        return None
    zs = np.nonzero(grid.solid.any(axis=(0, 1)))[0]
    tol = 0.5 / max(len(range(zs.min(), zs.max() + 1)), 1)
    inside = [lv for lv in found if band[0] - tol <= lv.height_fraction <= band[1] + tol]
    if not inside:
        return None
    return max(inside, key=lambda lv: lv.area)
