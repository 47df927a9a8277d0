"""Mirror and rotational symmetry about vertical planes and the vertical axis.

Measure: surface points (``n`` area-weighted samples, fixed seed) are transformed (reflected in
a vertical plane, or rotated about the vertical axis) and the **overlap** is the fraction of the
transformed points that land on the object's surface, i.e. inside the surface voxels dilated by
one voxel (a tolerance of about 1.5 voxels, ~2.3 % of the largest extent at 64 voxels). 1.0 is
a perfect symmetry; a random asymmetric object typically scores 0.2-0.6.

Planes and axes pass through the **volume centroid** of the solid voxels in xy (a symmetric
object's centroid lies on all of its mirror planes and rotation axes). Mirror planes are
searched over yaw: every 5 deg over [0, 180), then refined to 1 deg around the three best.
Only vertical planes and the vertical axis are considered (the object is assumed upright);
a mirror about a horizontal plane is not searched.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import trimesh
from scipy import ndimage

from mme3dr.geometry.voxels import CONNECT26, VoxelGrid


@dataclass(frozen=True)
class SymmetryResult:
    """Best overlap found and where.

    Attributes:
        overlap: fraction of transformed surface points on the surface, in [0, 1].
        angle: mirror: yaw of the plane's normal (radians, from +X); rotation: the worst angle.
        centre: ``(2,)`` xy point the planes / axis pass through.
    """

    overlap: float
    angle: float
    centre: np.ndarray


def symmetry_points(mesh: trimesh.Trimesh, n: int = 4000, seed: int = 0) -> np.ndarray:
    """``n`` area-weighted random surface points with a fixed seed."""
    points, _ = trimesh.sample.sample_surface(mesh, n, seed=seed)
    return np.asarray(points, dtype=float)


def solid_centroid_xy(grid: VoxelGrid) -> np.ndarray:
    """xy centroid of the solid voxels (normalised units)."""
    i, j, _ = np.nonzero(grid.solid)
    if len(i) == 0:
        return np.zeros(2)
    return np.array([grid.centers(0)[i].mean(), grid.centers(1)[j].mean()])


def surface_shell(grid: VoxelGrid, iterations: int = 1) -> np.ndarray:
    """Surface voxels dilated by ``iterations`` voxels (26-connected)."""
    return ndimage.binary_dilation(grid.surface, structure=CONNECT26, iterations=iterations)


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


def mirror_symmetry(grid: VoxelGrid, points: np.ndarray) -> SymmetryResult:
    """Best mirror overlap over vertical planes through the solid centroid (see module doc)."""
    shell = surface_shell(grid)
    centre = solid_centroid_xy(grid)

    def overlap(angle: float) -> float:
        return _on_shell(grid, shell, reflect(points, centre, angle))

    coarse = np.deg2rad(np.arange(0.0, 180.0, 5.0))
    scores = np.array([overlap(a) for a in coarse])
    best_angle, best = float(coarse[int(np.argmax(scores))]), float(scores.max())
    for a0 in coarse[np.argsort(-scores)[:3]]:
        for a in a0 + np.deg2rad(np.arange(-4.0, 5.0, 1.0)):
            s = overlap(float(a))
            if s > best:
                best, best_angle = s, float(a) % np.pi
    return SymmetryResult(overlap=best, angle=best_angle, centre=centre)


def rotational_symmetry(grid: VoxelGrid, points: np.ndarray, order: int) -> SymmetryResult:
    """Overlap under rotations by ``2 pi k / order`` (k = 1 .. order-1) about the vertical axis
    through the solid centroid; the worst rotation's overlap is reported."""
    if order < 2:
        raise ValueError(f"order must be at least 2, got {order}")
    shell = surface_shell(grid)
    centre = solid_centroid_xy(grid)
    worst, worst_angle = 1.0, 0.0
    for k in range(1, order):
        a = 2 * np.pi * k / order
        s = _on_shell(grid, shell, rotate(points, centre, a))
        if s < worst:
            worst, worst_angle = s, a
    return SymmetryResult(overlap=worst, angle=worst_angle, centre=centre)
