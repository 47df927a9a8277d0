"""Occupancy grids to closed triangle meshes: the decoder behind the reference policy.

A grid is a boolean array ``occ[x, y, z]`` (+Z up, one cell = one unit before
normalisation). The mesh is the boundary of the union of occupied cells: one quad (two
triangles, outward winding) for every face between an occupied and an empty cell. Vertices
sit on the integer lattice and are shared, so cells that touch along a face become one
connected, closed surface; cells that touch only along an edge or at a corner give
non-manifold edges/vertices (the ``watertight`` evaluator sees them). The mesh never
self-intersects. The result is in grid units; :class:`mme3dr.assets.Asset` normalises it.
"""

from __future__ import annotations

import numpy as np
import trimesh

# For each axis-aligned direction: the (dx, dy, dz) of the neighbour and the four corner
# offsets of the shared face, ordered counter-clockwise seen from outside.
_FACES: tuple[tuple[tuple[int, int, int], tuple[tuple[int, int, int], ...]], ...] = (
    ((1, 0, 0), ((1, 0, 0), (1, 1, 0), (1, 1, 1), (1, 0, 1))),
    ((-1, 0, 0), ((0, 0, 0), (0, 0, 1), (0, 1, 1), (0, 1, 0))),
    ((0, 1, 0), ((0, 1, 0), (0, 1, 1), (1, 1, 1), (1, 1, 0))),
    ((0, -1, 0), ((0, 0, 0), (1, 0, 0), (1, 0, 1), (0, 0, 1))),
    ((0, 0, 1), ((0, 0, 1), (1, 0, 1), (1, 1, 1), (0, 1, 1))),
    ((0, 0, -1), ((0, 0, 0), (0, 1, 0), (1, 1, 0), (1, 0, 0))),
)


class EmptyShapeError(ValueError):
    """The grid has no occupied cell: there is no mesh to decode (an undecodable sample)."""


def occupancy_to_mesh(occ: np.ndarray) -> trimesh.Trimesh:
    """Boundary mesh of the occupied cells of ``occ`` (bool, shape ``[X, Y, Z]``).

    Raises :class:`EmptyShapeError` when nothing is occupied.
    """
    occ = np.asarray(occ, dtype=bool)
    if occ.ndim != 3:
        raise ValueError(f"occupancy must be 3-D, got shape {occ.shape}")
    if not occ.any():
        raise EmptyShapeError("no occupied cell")
    padded = np.pad(occ, 1)
    cells = np.argwhere(occ)  # [M, 3], unpadded coordinates
    quads = []
    for (dx, dy, dz), corners in _FACES:
        neighbour = padded[cells[:, 0] + 1 + dx, cells[:, 1] + 1 + dy, cells[:, 2] + 1 + dz]
        exposed = cells[~neighbour]
        if len(exposed):
            quads.append(exposed[:, None, :] + np.asarray(corners)[None, :, :])
    corners = np.concatenate(quads)  # [Q, 4, 3] lattice points
    vertices, inverse = np.unique(corners.reshape(-1, 3), axis=0, return_inverse=True)
    idx = inverse.reshape(-1, 4)
    faces = np.concatenate([idx[:, [0, 1, 2]], idx[:, [0, 2, 3]]])
    return trimesh.Trimesh(vertices=vertices.astype(np.float64), faces=faces, process=False)


def refine(coarse: np.ndarray, patterns: np.ndarray, codes: np.ndarray, factor: int) -> np.ndarray:
    """Replace each occupied coarse cell by a ``factor**3`` sub-pattern.

    ``coarse`` is bool ``[X, Y, Z]``; ``codes`` holds one pattern index per occupied cell in
    C order (the order of ``np.argwhere(coarse)``); ``patterns`` is bool
    ``[P, factor, factor, factor]``. Returns the fine grid, bool ``[f X, f Y, f Z]``.
    """
    cells = np.argwhere(coarse)
    if len(codes) != len(cells):
        raise ValueError(f"{len(codes)} refinement codes for {len(cells)} occupied cells")
    f = factor
    fine = np.zeros(tuple(s * f for s in coarse.shape), dtype=bool)
    for (x, y, z), code in zip(cells, codes, strict=True):
        fine[x * f:(x + 1) * f, y * f:(y + 1) * f, z * f:(z + 1) * f] = patterns[int(code)]
    return fine
