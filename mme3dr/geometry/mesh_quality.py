"""Mesh quality: triangle shape and normal consistency (mesh in, numbers out).

* **triangle quality** ``q = 4 sqrt(3) A / (a^2 + b^2 + c^2)``: 1 for an equilateral triangle,
  0 for a degenerate one (slivers and needles score near 0). Reported as the mean, the
  area-weighted mean, and the fraction of slivers (``q < 0.1``) and of degenerate faces
  (area below 1e-12 of the squared largest extent).
* **normal consistency** over interior edges (exactly two faces): the mean dot product of the two
  face normals (1 = flat, 0 = a right-angle crease, -1 = a face folded back), the fraction of
  edges whose faces are wound inconsistently (both traverse the edge in the same direction:
  one of them has a flipped normal), and the fraction of *bad* edges: inconsistent or folded
  (normal dot below -0.5, sharper than a 120 degree crease).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import trimesh


@dataclass
class MeshQuality:
    n_faces: int
    tri_quality_mean: float
    tri_quality_area_weighted: float
    sliver_fraction: float
    degenerate_fraction: float
    n_interior_edges: int
    normal_consistency: float
    inconsistent_winding_fraction: float
    bad_edge_fraction: float

    def to_dict(self) -> dict[str, float | int]:
        return asdict(self)


def triangle_quality(vertices: np.ndarray, faces: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-face ``(q, area)``; ``q`` as in the module docstring (0 for zero-length triangles)."""
    tri = np.asarray(vertices, np.float64)[np.asarray(faces)]
    e0 = tri[:, 1] - tri[:, 0]
    e1 = tri[:, 2] - tri[:, 1]
    e2 = tri[:, 0] - tri[:, 2]
    area = 0.5 * np.linalg.norm(np.cross(e0, -e2), axis=1)
    sq = (e0**2).sum(1) + (e1**2).sum(1) + (e2**2).sum(1)
    with np.errstate(invalid="ignore", divide="ignore"):
        q = np.where(sq > 0, 4.0 * np.sqrt(3.0) * area / sq, 0.0)
    return np.clip(q, 0.0, 1.0), area


def mesh_quality(mesh: trimesh.Trimesh) -> MeshQuality:
    """Triangle-shape and normal-consistency statistics of ``mesh``."""
    faces = np.asarray(mesh.faces, dtype=np.int64)
    verts = np.asarray(mesh.vertices, dtype=np.float64)
    nf = len(faces)
    if nf == 0:
        nan = float("nan")
        return MeshQuality(0, nan, nan, nan, nan, 0, nan, nan, nan)
    q, area = triangle_quality(verts, faces)
    ext = float(np.ptp(verts, axis=0).max()) if len(verts) else 0.0
    degenerate = area <= 1e-12 * max(ext, 1e-12) ** 2
    total = area.sum()
    q_aw = float((q * area).sum() / total) if total > 0 else 0.0

    # directed edges (a -> b) of every face, grouped by undirected edge
    directed = faces[:, [0, 1, 1, 2, 2, 0]].reshape(-1, 2)
    face_of = np.repeat(np.arange(nf), 3)
    forward = directed[:, 0] < directed[:, 1]
    und = np.sort(directed, axis=1)
    _, inv, counts = np.unique(und, axis=0, return_inverse=True, return_counts=True)
    inv = inv.reshape(-1)
    interior = counts[inv] == 2
    order = np.argsort(inv[interior], kind="stable")
    idx = np.nonzero(interior)[0][order]
    first, second = idx[0::2], idx[1::2]
    n_int = len(first)
    if n_int == 0:
        return MeshQuality(
            nf,
            float(q.mean()),
            q_aw,
            float((q < 0.1).mean()),
            float(degenerate.mean()),
            0,
            float("nan"),
            float("nan"),
            float("nan"),
        )
    inconsistent = forward[first] == forward[second]
    normals = _face_normals(verts, faces)
    dots = (normals[face_of[first]] * normals[face_of[second]]).sum(1)
    # an inconsistently wound pair has one normal flipped: its geometric crease is -dot
    geometric = np.where(inconsistent, -dots, dots)
    folded = geometric < -0.5
    return MeshQuality(
        n_faces=nf,
        tri_quality_mean=float(q.mean()),
        tri_quality_area_weighted=q_aw,
        sliver_fraction=float((q < 0.1).mean()),
        degenerate_fraction=float(degenerate.mean()),
        n_interior_edges=int(n_int),
        normal_consistency=float(dots.mean()),
        inconsistent_winding_fraction=float(inconsistent.mean()),
        bad_edge_fraction=float((inconsistent | folded).mean()),
    )


def _face_normals(verts: np.ndarray, faces: np.ndarray) -> np.ndarray:
    tri = verts[faces]
    n = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    norm = np.linalg.norm(n, axis=1, keepdims=True)
    return np.divide(n, norm, out=np.zeros_like(n), where=norm > 0)
