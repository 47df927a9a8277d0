"""Connected components of a triangle mesh, labelled per face, and their vectorised statistics.

Two faces belong to the same component when they share a vertex (directly or through a chain
of faces). Vertices at the same position are expected to be merged already (the
:class:`~mme3dr.assets.Asset` loader merges seam-split vertices), so a part split along UV seams
is still one component; parts that merely touch or interpenetrate without sharing vertices are
separate components.

Labels are ``0 .. n-1`` ordered by **decreasing surface area** (label 0 is the largest part;
ties keep the order of first appearance). Everything here is vectorised: there is no Python
loop over components, so a mesh with tens of thousands of parts labels in milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import trimesh
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components as _csgraph_components

from mme3dr.geometry.triples import first_max, first_mean, first_min


def connected_components(mesh: trimesh.Trimesh) -> tuple[int, np.ndarray]:
    """Label the faces of ``mesh`` by connected component (faces sharing a vertex connect).

    Returns ``(n, labels)``: the number of components and an ``int64`` array with one label per
    face, labels ``0 .. n-1`` ordered by decreasing total face area (label 0 is the largest
    component by surface area). Unreferenced vertices are ignored. An empty mesh gives
    ``(0, empty array)``.
    """
    faces = np.asarray(mesh.faces, dtype=np.int64)
    if len(faces) == 0:
        return 0, np.zeros(0, dtype=np.int64)
    n_vertices = int(max(len(mesh.vertices), faces.max() + 1))
    # vertex adjacency graph: each face links its first vertex to the other two (enough to
    # make all three vertices of a face connected; half the edges of the full triangle)
    rows = np.concatenate([faces[:, 0], faces[:, 0]])
    cols = np.concatenate([faces[:, 1], faces[:, 2]])
    graph = coo_matrix(
        (np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(n_vertices, n_vertices)
    ).tocsr()
    _, vertex_labels = _csgraph_components(graph, directed=False)
    raw = vertex_labels[faces[:, 0]]
    # compact the labels to the components that own faces, then order by decreasing area
    uniq, compact = np.unique(raw, return_inverse=True)
    n = len(uniq)
    area = np.bincount(compact, weights=_face_areas(mesh), minlength=n)
    order = np.argsort(-area, kind="stable")
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n, dtype=np.int64)
    return n, rank[compact.reshape(-1)].astype(np.int64)


@dataclass
class ComponentStats:
    """Per-component statistics; every array has one row per component label.

    Attributes:
        face_count: ``[n]`` number of faces.
        area: ``[n]`` surface area in normalised units squared.
        bounds_min: ``[n, 3]`` minimum corner of the axis-aligned bounding box of the faces.
        bounds_max: ``[n, 3]`` maximum corner of the axis-aligned bounding box.
        centroid: ``[n, 3]`` area-weighted surface centroid (mean of face centroids weighted
            by face area; the plain mean of face centroids for a zero-area component).
    """

    face_count: np.ndarray
    area: np.ndarray
    bounds_min: np.ndarray
    bounds_max: np.ndarray
    centroid: np.ndarray

    @property
    def count(self) -> int:
        """Number of components."""
        return len(self.face_count)

    @property
    def extents(self) -> np.ndarray:
        """``[n, 3]`` bounding-box extents."""
        return self.bounds_max - self.bounds_min


def component_stats(mesh: trimesh.Trimesh, labels: np.ndarray, n: int) -> ComponentStats:
    """Vectorised statistics of the components given per-face ``labels`` (``0 .. n-1``).

    Units are those of the mesh (normalised units for an asset).
    """
    labels = np.asarray(labels, dtype=np.int64)
    triangles = np.asarray(mesh.vertices, dtype=np.float64)[np.asarray(mesh.faces)]
    if n == 0 or len(labels) == 0:
        empty = np.zeros((0, 3))
        return ComponentStats(np.zeros(0, np.int64), np.zeros(0), empty, empty, empty)
    face_count = np.bincount(labels, minlength=n)
    areas = _face_areas(mesh)
    area = np.bincount(labels, weights=areas, minlength=n)
    face_centres = first_mean(triangles)
    centroid = np.empty((n, 3))
    plain = np.empty((n, 3))
    for axis in range(3):
        centroid[:, axis] = np.bincount(labels, weights=face_centres[:, axis] * areas, minlength=n)
        plain[:, axis] = np.bincount(labels, weights=face_centres[:, axis], minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        centroid /= area[:, None]
        plain /= np.maximum(face_count, 1)[:, None]
    degenerate = ~(area > 0)
    centroid[degenerate] = plain[degenerate]
    if n == 1:  # one component: its bounds are the faces' (the same values, no sort)
        return ComponentStats(
            face_count=face_count,
            area=area,
            bounds_min=first_min(triangles).min(axis=0)[None, :],
            bounds_max=first_max(triangles).max(axis=0)[None, :],
            centroid=centroid,
        )
    # per-label min/max with a sort + reduceat (much faster than np.minimum.at)
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    starts = np.flatnonzero(np.r_[True, sorted_labels[1:] != sorted_labels[:-1]])
    present = sorted_labels[starts]
    bounds_min = np.full((n, 3), np.nan)
    bounds_max = np.full((n, 3), np.nan)
    bounds_min[present] = np.minimum.reduceat(first_min(triangles)[order], starts, axis=0)
    bounds_max[present] = np.maximum.reduceat(first_max(triangles)[order], starts, axis=0)
    return ComponentStats(
        face_count=face_count,
        area=area,
        bounds_min=bounds_min,
        bounds_max=bounds_max,
        centroid=centroid,
    )


def vertex_labels(mesh: trimesh.Trimesh, labels: np.ndarray) -> np.ndarray:
    """Per-vertex component label from per-face ``labels``; ``-1`` for unreferenced vertices."""
    out = np.full(len(mesh.vertices), -1, dtype=np.int64)
    faces = np.asarray(mesh.faces, dtype=np.int64)
    out[faces.reshape(-1)] = np.repeat(np.asarray(labels, dtype=np.int64), 3)
    return out


#: key of the face areas in a mesh's trimesh cache (dropped when its vertices or faces change)
_AREAS_KEY = "mme3dr_triangle_areas"


def _face_areas(mesh: trimesh.Trimesh) -> np.ndarray:
    """Triangle areas (:func:`triangle_areas`), kept in the mesh's trimesh cache, which
    drops them when the vertices or faces change, so the several measurements of one asset
    that weigh faces by area compute them once. Read-only."""
    cache = getattr(mesh, "_cache", None)
    areas = cache[_AREAS_KEY] if cache is not None else None
    if areas is None:
        areas = triangle_areas(np.asarray(mesh.vertices, dtype=np.float64)[np.asarray(mesh.faces)])
        if cache is not None:
            areas.flags.writeable = False
            cache[_AREAS_KEY] = areas
    return areas


def triangle_areas(tri: np.ndarray) -> np.ndarray:
    """Areas of triangles ``tri`` ``[n, 3, 3]``: half the norm of the edge cross product,
    written out per component (about 2.5 times faster than ``np.cross`` + ``norm``)."""
    e1 = tri[:, 1] - tri[:, 0]
    e2 = tri[:, 2] - tri[:, 0]
    cx = e1[:, 1] * e2[:, 2] - e1[:, 2] * e2[:, 1]
    cy = e1[:, 2] * e2[:, 0] - e1[:, 0] * e2[:, 2]
    cz = e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0]
    return 0.5 * np.sqrt(cx * cx + cy * cy + cz * cz)
