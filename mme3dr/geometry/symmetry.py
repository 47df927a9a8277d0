"""Mirror and rotational symmetry about vertical planes and the vertical axis.

Points: one surface sample per surface voxel of the grid (:func:`symmetry_points`, taken from
the dense deterministic samples of :mod:`mme3dr.geometry.voxels`), so every part of the
surface weighs by its area at voxel scale, whatever the mesh density, and no random seed is
involved.

Two measures under a transform ``T`` (a reflection in a vertical plane, or a rotation about
the vertical axis):

* **overlap**: the fraction of transformed points that land on the object's surface, i.e.
  inside the surface voxels dilated by one voxel (a tolerance of about 1.5 voxels, ~2.3 % of
  the largest extent at 64 voxels). 1.0 is a perfect symmetry; a random asymmetric object
  typically scores 0.2-0.6. Area-weighted, so a large symmetric body can hide small features:
  a teapot's spout and handle are ~3 % of its surface.
* **largest asymmetric feature** (:func:`asymmetric_feature`): the points whose transformed
  position lies farther than ``tol`` (normalised units, default 0.04 = 2.5 voxels at 64) from
  the surface have no counterpart; their surface voxels are grouped into 26-connected patches
  and the feature size is the largest patch's bounding-box side (normalised units). A spout, a
  handle or a missing leg makes a patch as large as itself, however small a share of the area
  it is; an embossed logo that sticks out less than ``tol`` makes none. Patches of one or two
  voxels (sampling noise) stay below any useful ``max_feature``.

Planes and axes pass through the **volume centroid** of the solid voxels in xy (a symmetric
object's centroid lies on all of its mirror planes and rotation axes). Mirror planes are
searched over yaw: every 5 deg over [0, 180), refined to 1 deg around the three best and to
0.25 deg around the best, by the overlap of a regular subset of at most 4000 points; the
overlap and the feature are then measured with all points at the best plane. Only vertical
planes and the vertical axis are considered (the object is assumed upright); a mirror about a
horizontal plane is not searched.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from mme3dr.geometry.voxels import CONNECT26, SurfaceSamples, VoxelGrid, surface_depth

#: default distance (normalised units) beyond which a transformed point has no counterpart.
DEFAULT_TOL = 0.04

#: points used while searching the mirror plane (a regular subset of the surface points).
SEARCH_POINTS = 4000


@dataclass(frozen=True)
class SymmetryResult:
    """Best overlap found and where.

    Attributes:
        overlap: fraction of transformed surface points on the surface, in [0, 1].
        angle: mirror: yaw of the plane's normal (radians, from +X); rotation: the worst angle.
        centre: ``(2,)`` xy point the planes / axis pass through.
        feature: largest asymmetric feature (normalised units; 0 when none), see the module
            docstring; for rotations the largest over the rotations.
    """

    overlap: float
    angle: float
    centre: np.ndarray
    feature: float = 0.0


def symmetry_points(grid: VoxelGrid, samples: SurfaceSamples) -> np.ndarray:
    """One surface sample per surface voxel of ``grid`` (``(n, 3)``, normalised units)."""
    idx = np.clip(grid.index(samples.points), 0, np.array(grid.shape) - 1)
    lin = np.ravel_multi_index(idx.T, grid.shape)
    owner = np.full(int(np.prod(grid.shape)), -1, dtype=np.int64)
    owner[lin[::-1]] = np.arange(len(lin))[::-1]  # the first sample in each voxel
    return samples.points[owner[owner >= 0]]


def solid_centroid_xy(grid: VoxelGrid) -> np.ndarray:
    """xy centroid of the solid voxels (normalised units)."""
    i, j, _ = np.nonzero(grid.solid)
    if len(i) == 0:
        return np.zeros(2)
    return np.array([grid.centers(0)[i].mean(), grid.centers(1)[j].mean()])


def surface_shell(grid: VoxelGrid, iterations: int = 1) -> np.ndarray:
    """Surface voxels dilated by ``iterations`` voxels (26-connected)."""
    return ndimage.binary_dilation(grid.surface, structure=CONNECT26, iterations=iterations)


def surface_distance(grid: VoxelGrid) -> np.ndarray:
    """Distance (normalised units, float32) from each voxel centre to the nearest surface
    voxel centre."""
    if not grid.surface.any():
        return np.full(grid.shape, np.inf, dtype=np.float32)
    return (grid.cached(surface_depth) * grid.pitch).astype(np.float32)


def _on_shell(grid: VoxelGrid, shell: np.ndarray, points: np.ndarray) -> float:
    return float(grid.lookup(shell, points).mean()) if len(points) else 0.0


def reflect(points: np.ndarray, centre: np.ndarray, angle: float) -> np.ndarray:
    """Reflect points in the vertical plane through ``centre`` with normal at yaw ``angle``."""
    normal = np.array([np.cos(angle), np.sin(angle), 0.0])
    c = np.array([centre[0], centre[1], 0.0])
    d = (points - c) @ normal
    return points - 2 * d[:, None] * normal[None, :]


def rotate(points: np.ndarray, centre: np.ndarray, angle: float) -> np.ndarray:
    """Rotate points by ``angle`` radians about the vertical axis through ``centre``."""
    c, s = np.cos(angle), np.sin(angle)
    out = points.copy()
    x, y = points[:, 0] - centre[0], points[:, 1] - centre[1]
    out[:, 0] = centre[0] + c * x - s * y
    out[:, 1] = centre[1] + s * x + c * y
    return out


def asymmetric_feature(
    grid: VoxelGrid,
    distance: np.ndarray,
    points: np.ndarray,
    moved: np.ndarray,
    tol: float = DEFAULT_TOL,
) -> float:
    """Size of the largest patch of ``points`` whose transforms ``moved`` lie farther than
    ``tol`` from the surface (module docstring); normalised units, 0 when there is none."""
    if len(points) == 0:
        return 0.0
    idx = grid.index(moved)
    inside = np.all((idx >= 0) & (idx < np.array(grid.shape)), axis=1)
    far = np.ones(len(points), dtype=bool)
    i = idx[inside]
    far[inside] = distance[i[:, 0], i[:, 1], i[:, 2]] > tol
    if not far.any():
        return 0.0
    mark = np.zeros(grid.shape, dtype=bool)
    own = np.clip(grid.index(points[far]), 0, np.array(grid.shape) - 1)
    mark[own[:, 0], own[:, 1], own[:, 2]] = True
    labels, n = ndimage.label(mark, structure=CONNECT26)
    sides = [max(s.stop - s.start for s in box) for box in ndimage.find_objects(labels) if box]
    return float(max(sides, default=0)) * grid.pitch


def mirror_symmetry(
    grid: VoxelGrid, points: np.ndarray, tol: float = DEFAULT_TOL
) -> SymmetryResult:
    """Best mirror overlap over vertical planes through the solid centroid, and the largest
    asymmetric feature at that plane (see the module docstring)."""
    shell = grid.cached(surface_shell)
    centre = solid_centroid_xy(grid)
    # the plane is searched on a regular subset of at most SEARCH_POINTS points; the overlap
    # and the feature at the chosen plane use them all
    search = points[:: max(1, int(np.ceil(len(points) / SEARCH_POINTS)))]

    def overlap(angle: float) -> float:
        return _on_shell(grid, shell, reflect(search, centre, angle))

    coarse = np.deg2rad(np.arange(0.0, 180.0, 5.0))
    scores = np.array([overlap(a) for a in coarse])
    best_angle, best = float(coarse[int(np.argmax(scores))]), float(scores.max())
    for a0 in coarse[np.argsort(-scores)[:3]]:
        for a in a0 + np.deg2rad(np.arange(-4.0, 5.0, 1.0)):
            s = overlap(float(a))
            if s > best:
                best, best_angle = s, float(a) % np.pi
    for a in best_angle + np.deg2rad(np.arange(-0.75, 1.0, 0.25)):
        s = overlap(float(a))
        if s > best:
            best, best_angle = s, float(a) % np.pi
    moved = reflect(points, centre, best_angle)
    feature = asymmetric_feature(grid, grid.cached(surface_distance), points, moved, tol)
    return SymmetryResult(
        overlap=_on_shell(grid, shell, moved), angle=best_angle, centre=centre, feature=feature
    )


def rotational_symmetry(
    grid: VoxelGrid, points: np.ndarray, order: int, tol: float = DEFAULT_TOL
) -> SymmetryResult:
    """Overlap under rotations by ``2 pi k / order`` (k = 1 .. order-1) about the vertical axis
    through the solid centroid; the worst rotation's overlap and the largest asymmetric feature
    over all of them are reported."""
    if order < 2:
        raise ValueError(f"order must be at least 2, got {order}")
    shell = grid.cached(surface_shell)
    distance = grid.cached(surface_distance)
    centre = solid_centroid_xy(grid)
    worst, worst_angle, feature = 1.0, 0.0, 0.0
    for k in range(1, order):
        a = 2 * np.pi * k / order
        moved = rotate(points, centre, a)
        s = _on_shell(grid, shell, moved)
        if s < worst:
            worst, worst_angle = s, a
        feature = max(feature, asymmetric_feature(grid, distance, points, moved, tol))
    return SymmetryResult(overlap=worst, angle=worst_angle, centre=centre, feature=feature)
