"""Proportions of an upright object, invariant to yaw.

The footprint is the xy convex hull of the vertices; its **minimum-area bounding rectangle**
(rotating calipers, :func:`trimesh.bounds.oriented_bounds_2D`) gives ``length`` (its longer
side) and ``width`` (its shorter side); ``height`` is the z extent. Units: normalised (the
largest of the three is about 1 for an asset). Ratios are therefore independent of yaw, scale
and translation. A few outlier vertices (debris) do widen the hull: remove debris first when
it matters.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import trimesh
from scipy.spatial import ConvexHull, QhullError

from mme3dr.geometry.indices import referenced_vertices


@dataclass(frozen=True)
class Proportions:
    """Height, length (longer footprint side) and width (shorter side), normalised units."""

    height: float
    length: float
    width: float

    def ratio(self, name: str) -> float:
        """``height_over_width``, ``height_over_length`` or ``length_over_width``."""
        eps = 1e-9
        if name == "height_over_width":
            return self.height / max(self.width, eps)
        if name == "height_over_length":
            return self.height / max(self.length, eps)
        if name == "length_over_width":
            return self.length / max(self.width, eps)
        raise ValueError(f"unknown ratio {name!r}")


RATIOS: tuple[str, ...] = ("height_over_width", "height_over_length", "length_over_width")


def proportions(mesh: trimesh.Trimesh) -> Proportions:
    """Height and the minimum-area footprint rectangle of ``mesh`` (see module docstring)."""
    used = referenced_vertices(np.asarray(mesh.faces), len(mesh.vertices))
    vertices = np.asarray(mesh.vertices, dtype=float)[used]
    height = float(vertices[:, 2].max() - vertices[:, 2].min())
    xy = vertices[:, :2]
    try:
        hull = xy[ConvexHull(xy).vertices]
        _, extents = trimesh.bounds.oriented_bounds_2D(hull)
        a, b = float(extents[0]), float(extents[1])
    except (QhullError, ValueError):
        ext = xy.max(axis=0) - xy.min(axis=0)
        a, b = float(ext[0]), float(ext[1])
    return Proportions(height=height, length=max(a, b), width=min(a, b))
