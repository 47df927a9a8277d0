"""Watertightness and manifoldness of a triangle mesh, measured on its edges.

Edges are found by sorting the vertex indices of the three half-edges of every face and grouping
equal pairs with :func:`numpy.unique`; no Python loops. The measures assume coincident vertices
are merged (an :class:`~mme3dr.assets.Asset` mesh is), otherwise seams look like holes.

Definitions (one undirected edge = one unordered vertex pair used by at least one face):

* boundary edge: used by exactly one face (a hole or an open border);
* non-manifold edge: used by more than two faces;
* inconsistent edge: used by exactly two faces that traverse it in the same direction
  (their windings disagree, so normals flip across the edge);
* closed: no boundary edges; manifold: no non-manifold edges;
* Euler characteristic ``V - E + F`` over referenced vertices (2 for a closed sphere-like
  surface, ``2 - 2g`` for a closed surface of genus ``g``, summed over components).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import trimesh


@dataclass
class ManifoldReport:
    """Edge-based topology measures of one mesh (counts are integers, fractions in [0, 1])."""

    n_vertices: int
    n_edges: int
    n_faces: int
    boundary_edges: int
    nonmanifold_edges: int
    inconsistent_edges: int
    degenerate_faces: int
    euler_characteristic: int

    @property
    def boundary_fraction(self) -> float:
        """Fraction of edges used by exactly one face."""
        return self.boundary_edges / self.n_edges if self.n_edges else 0.0

    @property
    def nonmanifold_fraction(self) -> float:
        """Fraction of edges used by more than two faces."""
        return self.nonmanifold_edges / self.n_edges if self.n_edges else 0.0

    @property
    def bad_edge_fraction(self) -> float:
        """Fraction of edges that are boundary or non-manifold."""
        if not self.n_edges:
            return 0.0
        return (self.boundary_edges + self.nonmanifold_edges) / self.n_edges

    @property
    def is_closed(self) -> bool:
        return self.boundary_edges == 0 and self.n_edges > 0

    @property
    def is_manifold(self) -> bool:
        return self.nonmanifold_edges == 0

    @property
    def winding_consistent(self) -> bool:
        return self.inconsistent_edges == 0

    @property
    def is_watertight(self) -> bool:
        """Closed and edge-manifold."""
        return self.is_closed and self.is_manifold


def manifold_report(mesh: trimesh.Trimesh) -> ManifoldReport:
    """Measure boundary, non-manifold and inconsistently wound edges of ``mesh``.

    Faces with a repeated vertex index are counted as degenerate and left out of the edge
    statistics.
    """
    faces = np.asarray(mesh.faces, dtype=np.int64)
    degenerate = (
        (faces[:, 0] == faces[:, 1]) | (faces[:, 1] == faces[:, 2]) | (faces[:, 2] == faces[:, 0])
    )
    good = faces[~degenerate]
    n_vertices = len(np.unique(faces)) if len(faces) else 0
    if len(good) == 0:
        return ManifoldReport(n_vertices, 0, len(faces), 0, 0, 0, int(degenerate.sum()), 0)
    directed = np.concatenate([good[:, [0, 1]], good[:, [1, 2]], good[:, [2, 0]]])
    forward = directed[:, 0] < directed[:, 1]
    undirected = np.sort(directed, axis=1)
    # one int64 key per unordered pair: much faster than np.unique(axis=0)
    keys = undirected[:, 0] * (int(faces.max()) + 1) + undirected[:, 1]
    _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    n_forward = np.bincount(inverse, weights=forward, minlength=len(counts))
    two = counts == 2
    # two faces wound consistently traverse their shared edge once in each direction
    inconsistent = int(np.count_nonzero(two & (n_forward != 1)))
    n_edges = len(counts)
    return ManifoldReport(
        n_vertices=n_vertices,
        n_edges=n_edges,
        n_faces=len(faces),
        boundary_edges=int(np.count_nonzero(counts == 1)),
        nonmanifold_edges=int(np.count_nonzero(counts > 2)),
        inconsistent_edges=inconsistent,
        degenerate_faces=int(degenerate.sum()),
        euler_characteristic=int(n_vertices - n_edges + len(faces)),
    )
