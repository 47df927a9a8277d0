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

from mme3dr.geometry.indices import unique_sorted


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
    n_vertices = len(unique_sorted(faces)) if len(faces) else 0
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


def pinched_vertices(faces: np.ndarray) -> int:
    """Extra face fans at vertices of an edge-manifold mesh: ``sum over vertices of (fans - 1)``.

    A vertex of a manifold surface has one fan: its faces, ordered around it, each sharing an
    edge with the next. Two surfaces touching at one vertex (two cones tip to tip, a tube
    pinched to a point) give that vertex two fans, and the Euler characteristic then no longer
    gives the genus. Corners ``(face, vertex)`` are joined when their faces share an edge
    through that vertex (edges used by exactly two faces); each connected group of corners is
    one fan. Faces with a repeated vertex index are ignored. ``0`` for an empty mesh.
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    faces = np.asarray(faces, dtype=np.int64)
    if len(faces):
        faces = faces[
            (faces[:, 0] != faces[:, 1]) & (faces[:, 1] != faces[:, 2])
            & (faces[:, 2] != faces[:, 0])
        ]
    n = len(faces)
    if n == 0:
        return 0
    k = np.arange(3)
    u = faces.reshape(-1)  # corner 3f + k holds vertex faces[f, k]
    cu = np.arange(3 * n)
    cw = (3 * np.arange(n)[:, None] + (k[None, :] + 1) % 3).reshape(-1)  # edge (k, k+1)
    w = u[cw]
    lo, hi = np.minimum(u, w), np.maximum(u, w)
    key = lo * (int(faces.max()) + 1) + hi
    order = np.argsort(key, kind="stable")
    ks = key[order]
    start = np.flatnonzero(np.concatenate([[True], ks[1:] != ks[:-1]]))
    counts = np.diff(np.concatenate([start, [len(ks)]]))
    two = start[counts == 2]
    i, j = order[two], order[two + 1]
    same = u[i] == u[j]  # the two faces list the edge's vertices in the same order
    a = np.concatenate([cu[i], cw[i]])
    b = np.concatenate([np.where(same, cu[j], cw[j]), np.where(same, cw[j], cu[j])])
    graph = coo_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(3 * n, 3 * n))
    fans, _ = connected_components(graph, directed=False)
    return int(fans - len(unique_sorted(u)))


def consistent_winding(faces: np.ndarray) -> np.ndarray:
    """Faces ``[f, 3]`` re-wound so that every two faces sharing an edge traverse it in
    opposite directions (a consistent orientation), component by component.

    Faces connected through edges used by exactly two faces are oriented by a breadth-first
    walk (:func:`scipy.sparse.csgraph.breadth_first_order` from one virtual root joined to a
    face of every component; the parity of each face relative to its component's root is found
    by pointer doubling, no Python loop over faces). Each component then keeps the orientation
    of the majority of its original faces, so a component wound inwards on purpose (a cavity
    shell) stays inwards and a few flipped triangles of a generator export are turned back.
    Non-orientable surfaces (a Moebius strip) get some orientation; edges used by more than
    two faces do not join faces.
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import breadth_first_order, connected_components

    faces = np.asarray(faces, dtype=np.int64)
    n = len(faces)
    if n < 2:
        return faces.copy()
    directed = np.concatenate([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]])
    owner = np.tile(np.arange(n), 3)
    forward = directed[:, 0] < directed[:, 1]
    lo, hi = directed.min(axis=1), directed.max(axis=1)
    keys = lo * (int(faces.max()) + 1) + hi
    order = np.argsort(keys, kind="stable")
    k_sorted = keys[order]
    starts = np.flatnonzero(np.r_[True, k_sorted[1:] != k_sorted[:-1]])
    counts = np.diff(np.r_[starts, len(keys)])
    pair = starts[counts == 2]
    a, b = order[pair], order[pair + 1]
    # two faces agree when they traverse the shared edge in opposite directions
    flip = (forward[a] == forward[b]).astype(np.int8)
    fa, fb = owner[a], owner[b]
    graph = coo_matrix((np.ones(len(fa)), (fa, fb)), shape=(n, n)).tocsr()
    n_comp, comp = connected_components(graph, directed=False)
    roots = np.unique(comp, return_index=True)[1]
    rows = np.r_[fa, fb, np.full(len(roots), n)]
    cols = np.r_[fb, fa, roots]
    walk = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n + 1, n + 1)).tocsr()
    _, pred = breadth_first_order(walk, n, directed=False, return_predecessors=True)
    pred = pred[:n].astype(np.int64)
    pred[pred < 0] = n  # unreachable cannot happen (every component has a root); be safe
    # the flip between each face and its predecessor, looked up by sorted pair keys
    pair_keys = np.r_[fa * n + fb, fb * n + fa]
    pair_flip = np.r_[flip, flip]
    by_key = np.argsort(pair_keys, kind="stable")
    parity = np.zeros(n + 1, dtype=np.int8)
    inner = np.flatnonzero(pred < n)
    at = np.searchsorted(pair_keys[by_key], pred[inner] * n + inner)
    parity[inner] = pair_flip[by_key[at]]
    up = np.r_[pred, n]
    for _ in range(int(np.ceil(np.log2(n + 1))) + 1):  # pointer doubling to the root
        parity = parity ^ parity[up]
        up = up[up]
    parity = parity[:n].astype(bool)
    majority = np.bincount(comp, weights=parity, minlength=n_comp) > np.bincount(comp) / 2
    parity ^= majority[comp]
    out = faces.copy()
    out[parity] = out[parity][:, ::-1]
    return out
