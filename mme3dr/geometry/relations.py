"""Parts (separate bodies), what rests on what, and spatial relations between parts.

Parts are the connected components of the mesh (:mod:`mme3dr.geometry.components`: faces
sharing a vertex), ignoring **debris**: components whose surface area is below
``min_area_fraction`` (default 1 %) of the total. Parts are ordered by decreasing area.
Relations are judged from axis-aligned bounding boxes (in the canonical +Z-up frame) and, for
contact, from the distance between dense surface samples of the two parts. ``tol`` is in
normalised units (a fraction of the largest extent).

Conventions for ``left_of`` / ``right_of``: the canonical front view looks from -Y towards +Y,
so +X is the viewer's right. These two are the only relations that depend on yaw.

What it cannot see: parts fused into one mesh are one part (a fused tower of cubes is one
body); parts that interpenetrate are separate parts (a handle modelled as its own mesh).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import trimesh
from scipy.spatial import cKDTree

from mme3dr.geometry.cavities import cavity_walls, merge_walls
from mme3dr.geometry.components import component_stats, connected_components
from mme3dr.geometry.voxels import SurfaceSamples, VoxelGrid

#: relations understood by :func:`relation_margin`.
RELATIONS: tuple[str, ...] = (
    "above", "below", "on_top_of", "inside", "left_of", "right_of", "beside", "touching",
)

#: selectors understood by :func:`select_part` (``largest:2`` is the second largest...).
SELECTORS: tuple[str, ...] = ("largest", "smallest", "highest", "lowest")


@dataclass(frozen=True)
class Parts:
    """Non-debris parts of a mesh, ordered by decreasing area.

    Attributes:
        labels: ``(n_faces,)`` part index per face, ``-1`` for debris faces.
        area: ``(k,)`` surface areas; ``lo`` / ``hi``: ``(k, 3)`` bounding boxes;
        centroid: ``(k, 3)`` area-weighted surface centroids.
        debris: number of components ignored as debris.
        sample_labels: ``(n_samples,)`` part index of each surface sample the parts were
            found with (``-1`` for debris), or ``None`` when parts are whole components. A
            face on the joint between two fused bodies can hold samples of both, so boxes,
            centroids and the points of a part come from its samples.
        split_pitch: voxel edge (normalised units) of the grid fused bodies were split on, or
            ``0.0`` when every part is a whole component. A sample is given the body of the
            voxel it lies in, so where two bodies meet each box can reach up to one voxel
            into the other: vertical margins between split parts allow for it.
        zlo, zhi: ``(k,)`` the vertical extent the ``above``, ``below`` and ``on_top_of``
            margins read. For a whole component, its box's. For a part split out of a fused
            surface, the :data:`SPLIT_Z_TRIM` and ``1 - SPLIT_Z_TRIM`` quantiles of its
            samples' heights: where the cut between two fused bodies is not level (a can
            resting on two cans of a pyramid), a strip of one body's skin can go to the other
            and reach several voxels past the joint, which the box's extremes would read as
            the body's top; the quantiles ignore a strip of up to that much of its surface.
            ``None`` (older pickles): the box's.
    """

    labels: np.ndarray
    area: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    centroid: np.ndarray
    debris: int
    sample_labels: np.ndarray | None = None
    split_pitch: float = 0.0
    zlo: np.ndarray | None = None
    zhi: np.ndarray | None = None

    @property
    def count(self) -> int:
        return int(len(self.area))

    def bottom(self, i: int) -> float:
        """Height of part ``i``'s bottom for vertical relations (``zlo``, else the box's)."""
        return float(self.lo[i, 2] if self.zlo is None else self.zlo[i])

    def top(self, i: int) -> float:
        """Height of part ``i``'s top for vertical relations (``zhi``, else the box's)."""
        return float(self.hi[i, 2] if self.zhi is None else self.zhi[i])


def find_parts(
    mesh: trimesh.Trimesh,
    min_area_fraction: float = 0.01,
    grid: VoxelGrid | None = None,
    samples: SurfaceSamples | None = None,
    components: tuple[int, np.ndarray] | None = None,
) -> Parts:
    """Parts of ``mesh`` minus debris (see the module docstring).

    Without ``grid`` the parts are the connected components. With the asset's solid voxel
    ``grid`` and its surface ``samples`` each component is further split into the bodies that
    :func:`mme3dr.geometry.parts.segment_solid` finds in the solid (bodies fused at a neck or
    resting on a wider top): a part is a (component, body) pair, and every surface sample is
    given the body of the voxel it lies in (moved one voxel into the surface).
    ``components``: the mesh's :func:`~mme3dr.geometry.components.connected_components`
    when already computed.
    """
    n, labels = components if components is not None else connected_components(mesh)
    wall_face = None
    if n > 1:  # the wall of a sealed void is its shell's other side, not a part
        stats = component_stats(mesh, labels, n)
        tri = np.asarray(mesh.vertices, dtype=np.float64)[np.asarray(mesh.faces, dtype=np.int64)]
        walls = cavity_walls(tri, labels, n, stats.bounds_min, stats.bounds_max, np.arange(n))
        if len(walls):
            wall_face = np.isin(labels, walls[:, 0])
        n, labels = merge_walls(labels, n, walls)
    if grid is None or samples is None or n == 0:
        return _component_parts(mesh, labels, n, min_area_fraction)
    from mme3dr.geometry.parts import face_bodies, point_bodies, segment_solid

    seg = segment_solid(grid, walls=_wall_voxels(grid, samples, wall_face))
    if seg.count <= 1:
        return _component_parts(mesh, labels, n, min_area_fraction)
    faces = np.asarray(samples.faces, dtype=np.int64)
    width = seg.count + 1
    face_key = labels * width + face_bodies(mesh, grid, seg)
    point_key = labels[faces] * width + point_bodies(samples.points, grid, seg)
    per_face = np.bincount(faces, minlength=len(face_key)).astype(np.float64)
    face_area = _face_areas(mesh)
    weight = (face_area / np.maximum(per_face, 1.0))[faces]  # a share of its face
    face_key, point_key = _merge_strays(face_key, point_key, weight, width)
    uniq, inverse = np.unique(np.concatenate([face_key, point_key]), return_inverse=True)
    face_part, point_part = inverse[: len(face_key)], inverse[len(face_key):]
    k = len(uniq)
    area = np.bincount(point_part, weights=weight, minlength=k)
    orphan = per_face == 0  # faces without samples keep their whole area
    area += np.bincount(face_part[orphan], weights=face_area[orphan], minlength=k)
    order = np.argsort(-area, kind="stable")
    total = float(area.sum()) or 1.0
    keep = order[area[order] >= min_area_fraction * total]
    remap = np.full(k, -1, dtype=np.int64)
    remap[keep] = np.arange(len(keep))
    pts = np.asarray(samples.points, dtype=np.float64)
    lo, hi, centroid = _point_boxes(pts, point_part, weight, k)
    zlo, zhi = _trimmed_heights(pts[:, 2], point_part, k, lo[:, 2], hi[:, 2])
    return Parts(
        labels=remap[face_part],
        area=area[keep],
        lo=lo[keep],
        hi=hi[keep],
        centroid=centroid[keep],
        debris=int(k - len(keep)),
        sample_labels=remap[point_part],
        split_pitch=float(grid.pitch),
        zlo=zlo[keep],
        zhi=zhi[keep],
    )


#: fraction of a split part's surface samples left out at each end of its vertical extent
#: (:attr:`Parts.zlo`): 1 %, a strip of skin; a ball's lowest 1 % of area is a cap 0.02 of
#: its radius high, so a body resting on another loses nothing that matters.
SPLIT_Z_TRIM = 0.01


def _trimmed_heights(z: np.ndarray, label: np.ndarray, k: int, lo: np.ndarray, hi: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Per label, the :data:`SPLIT_Z_TRIM` and ``1 - SPLIT_Z_TRIM`` quantiles of the heights
    ``z`` of its samples (the box's ``lo`` / ``hi`` for labels without samples)."""
    zlo, zhi = np.array(lo, dtype=np.float64), np.array(hi, dtype=np.float64)
    if len(z) == 0:
        return zlo, zhi
    sorted_z = z[np.lexsort((z, label))]  # by label, then height
    counts = np.bincount(label, minlength=k)
    start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    has = counts > 0
    for q, out in ((SPLIT_Z_TRIM, zlo), (1.0 - SPLIT_Z_TRIM, zhi)):
        pos = start[has] + np.floor(q * (counts[has] - 1)).astype(np.int64)
        out[has] = sorted_z[pos]
    return zlo, zhi


def _wall_voxels(grid: VoxelGrid, samples: SurfaceSamples, wall_face: np.ndarray | None
                 ) -> np.ndarray | None:
    """Surface voxels of ``grid`` that hold only samples of sealed-void walls (faces marked in
    ``wall_face``), or ``None`` when there are no walls. The grid fills sealed voids, so their
    walls lie inside the solid and are left out of its depth (:func:`segment_solid`)."""
    if wall_face is None or not wall_face.any() or len(samples.points) == 0:
        return None
    idx = np.clip(grid.index(samples.points), 0, np.array(grid.shape) - 1)
    on_wall = wall_face[np.asarray(samples.faces, dtype=np.int64)]
    walls = np.zeros(grid.solid.shape, dtype=bool)
    other = np.zeros(grid.solid.shape, dtype=bool)
    walls[tuple(idx[on_wall].T)] = True
    other[tuple(idx[~on_wall].T)] = True
    return walls & ~other


def _merge_strays(face_key: np.ndarray, point_key: np.ndarray, weight: np.ndarray, width: int
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Give a component's stray pieces to its main piece.

    Keys are ``component * width + body``. A piece of a component *owns* its body when it
    holds at least half of the body's surface (that body lies mostly in this component: a
    body fused into it). The component's main piece is its largest owning piece, or its
    largest piece when none owns. A piece is kept when it owns its body or is the main one;
    otherwise it is a sliver of another body's voxels (the faces of two separately modelled
    parts that touch share voxels) and goes to the main piece.
    """
    uniq, inv = np.unique(point_key, return_inverse=True)
    piece_area = np.bincount(inv, weights=weight, minlength=len(uniq))
    comp, body = uniq // width, uniq % width
    body_area = np.bincount(body, weights=piece_area, minlength=width)
    owns = piece_area >= 0.5 * body_area[body]
    # by component, pieces that own their body first, then the largest: a separate part
    # (a ball sealed in a box) whose surface voxels went to the neighbouring body keeps the
    # body of its own interior
    order = np.lexsort((-piece_area, ~owns, comp))
    first = np.r_[True, comp[order][1:] != comp[order][:-1]]
    main = np.full(int(max(comp.max(), face_key.max() // width)) + 1, -1, dtype=np.int64)
    main[comp[order][first]] = uniq[order][first]
    keep = owns | np.isin(uniq, main[comp])
    target = np.where(keep, uniq, main[comp])
    pos = np.clip(np.searchsorted(uniq, face_key), 0, len(uniq) - 1)
    known = uniq[pos] == face_key
    fallback = main[face_key // width]
    fixed = np.where(known, target[pos], np.where(fallback >= 0, fallback, face_key))
    return fixed, target[inv]


def _component_parts(
    mesh: trimesh.Trimesh, labels: np.ndarray, n: int, min_area_fraction: float
) -> Parts:
    """Whole connected components as parts, debris removed."""
    stats = component_stats(mesh, labels, n)
    total = float(stats.area.sum()) or 1.0
    keep = np.nonzero(stats.area >= min_area_fraction * total)[0]  # already by decreasing area
    remap = np.full(n + 1, -1, dtype=np.int64)
    remap[keep] = np.arange(len(keep))
    return Parts(
        labels=remap[labels],
        area=stats.area[keep],
        lo=stats.bounds_min[keep],
        hi=stats.bounds_max[keep],
        centroid=stats.centroid[keep],
        debris=int(n - len(keep)),
    )


def _point_boxes(points: np.ndarray, label: np.ndarray, weight: np.ndarray, k: int
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-label bounding boxes and weighted centroids of ``points`` (NaN for empty labels)."""
    import pandas as pd

    lo = np.full((k, 3), np.nan)
    hi = np.full((k, 3), np.nan)
    centroid = np.full((k, 3), np.nan)
    if len(points) == 0:
        return lo, hi, centroid
    grouped = pd.DataFrame(points).groupby(label, sort=False)  # hash grouping: no sort
    mins, maxs = grouped.min(), grouped.max()
    lo[mins.index.to_numpy()] = mins.to_numpy()
    hi[maxs.index.to_numpy()] = maxs.to_numpy()
    total = np.bincount(label, weights=weight, minlength=k)
    for axis in range(3):
        s = np.bincount(label, weights=weight * points[:, axis], minlength=k)
        with np.errstate(invalid="ignore", divide="ignore"):
            centroid[:, axis] = s / total
    return lo, hi, centroid


def _face_areas(mesh: trimesh.Trimesh) -> np.ndarray:
    """Triangle areas (trimesh caches them on the mesh)."""
    return np.asarray(mesh.area_faces, dtype=np.float64)


def select_part(parts: Parts, selector: str) -> int:
    """Index of the part named by ``selector``: ``largest``, ``smallest``, ``highest`` (the
    highest top, :meth:`Parts.top`), ``lowest`` (the lowest bottom, :meth:`Parts.bottom`),
    optionally ``:n`` for the n-th (1-based) in that order, e.g. ``largest:2``. The heights
    are the ones the vertical relations compare (a split part's trimmed heights, so a strip of
    skin past a joint does not make the lower body the highest). Raises ``ValueError`` when
    there are too few parts."""
    kind, _, nth = selector.partition(":")
    rank = int(nth) if nth else 1
    if kind == "largest":
        order = np.argsort(-parts.area, kind="stable")
    elif kind == "smallest":
        order = np.argsort(parts.area, kind="stable")
    elif kind == "highest":
        order = np.argsort([-parts.top(i) for i in range(parts.count)], kind="stable")
    elif kind == "lowest":
        order = np.argsort([parts.bottom(i) for i in range(parts.count)], kind="stable")
    else:
        raise ValueError(f"unknown selector {selector!r}; use one of {SELECTORS} (optionally :n)")
    if rank < 1 or rank > len(order):
        raise ValueError(f"selector {selector!r} needs {rank} parts, found {len(order)}")
    return int(order[rank - 1])


def parse_selector(selector: str) -> None:
    """Validate a selector string (``ValueError`` with a readable message if malformed)."""
    kind, sep, nth = str(selector).partition(":")
    if kind not in SELECTORS or (sep and (not nth.isdigit() or int(nth) < 1)):
        raise ValueError(
            f"bad part selector {selector!r}: use one of {', '.join(SELECTORS)}, "
            "optionally followed by ':n' (n >= 1), e.g. 'largest:2'"
        )


def part_points(
    mesh: trimesh.Trimesh, parts: Parts, points: np.ndarray, faces: np.ndarray, index: int,
    limit: int = 20000,
) -> np.ndarray:
    """Surface samples (``points`` with their ``faces``) belonging to part ``index``, thinned
    to at most ``limit`` by a regular stride."""
    if parts.sample_labels is not None and len(parts.sample_labels) == len(points):
        mine = points[parts.sample_labels == index]
    else:
        mine = points[parts.labels[faces] == index]
    if len(mine) > limit:
        mine = mine[:: int(np.ceil(len(mine) / limit))]
    return mine


def gap_between(a_points: np.ndarray, b_points: np.ndarray) -> float:
    """Smallest distance between two point sets (normalised units); ``inf`` if one is empty."""
    if len(a_points) == 0 or len(b_points) == 0:
        return float("inf")
    d, _ = cKDTree(b_points).query(a_points, k=1)
    return float(d.min())


def _overlap_1d(lo_a: float, hi_a: float, lo_b: float, hi_b: float) -> float:
    return min(hi_a, hi_b) - max(lo_a, lo_b)


def xy_overlap(parts: Parts, a: int, b: int) -> float:
    """Overlap of the two parts' xy boxes, as a fraction of the smaller box's area (0..1)."""
    ox = max(0.0, _overlap_1d(parts.lo[a, 0], parts.hi[a, 0], parts.lo[b, 0], parts.hi[b, 0]))
    oy = max(0.0, _overlap_1d(parts.lo[a, 1], parts.hi[a, 1], parts.lo[b, 1], parts.hi[b, 1]))
    ext = parts.hi - parts.lo
    smaller = min(ext[a, 0] * ext[a, 1], ext[b, 0] * ext[b, 1])
    return float(ox * oy / smaller) if smaller > 0 else float(ox * oy > 0)


def relation_margin(parts: Parts, a: int, b: int, rel: str, gap: float, tol: float = 0.02) -> float:
    """Signed margin (normalised units) by which "part a ``rel`` part b" holds.

    ``>= 0`` means the relation holds; a negative value says by how much it is violated.
    ``gap`` is the smallest distance between the parts' surfaces (for ``touching`` and
    ``on_top_of``). Definitions (boxes ``lo``/``hi``, centroids ``c``):

    * ``above``: ``lo_a.z - hi_b.z + tol`` (a's bottom no lower than b's top, within ``tol``)
    * ``below``: ``above`` with a and b swapped
    * ``on_top_of``: ``above`` and touching (``tol - gap``) and overlapping in xy; the
      smallest of the three margins (xy overlap counts as ``0`` if present, else the xy gap)
    * ``inside``: how far a's box is within b's box (smallest inner clearance, ``+ tol``)
    * ``left_of`` / ``right_of``: ``lo_b.x - hi_a.x + tol`` / ``lo_a.x - hi_b.x + tol``
    * ``beside``: vertical ranges overlap and the xy boxes are apart (``xy gap + tol``)
    * ``touching``: ``tol - gap``

    For parts split out of one fused surface (``parts.split_pitch > 0``) the vertical
    margins of ``above``, ``below`` and ``on_top_of`` also allow the split's resolution, one
    voxel: the boxes of two bodies meeting at a joint are only known to within it; and they
    read the trimmed heights :attr:`Parts.zlo` / :attr:`Parts.zhi` (a strip of skin the cut
    gave to the wrong body does not count as that body's top).
    """
    lo, hi = parts.lo, parts.hi
    vtol = tol + parts.split_pitch
    if rel == "above":
        return float(parts.bottom(a) - parts.top(b) + vtol)
    if rel == "below":
        return float(parts.bottom(b) - parts.top(a) + vtol)
    if rel == "touching":
        return float(tol - gap)
    if rel == "on_top_of":
        sep = _xy_gap(parts, a, b)
        xy = 0.0 if sep <= 0 else -sep
        return float(min(parts.bottom(a) - parts.top(b) + vtol, tol - gap, xy))
    if rel == "inside":
        return float(min(np.min(lo[a] - lo[b]), np.min(hi[b] - hi[a])) + tol)
    if rel == "left_of":
        return float(lo[b, 0] - hi[a, 0] + tol)
    if rel == "right_of":
        return float(lo[a, 0] - hi[b, 0] + tol)
    if rel == "beside":
        vertical = _overlap_1d(lo[a, 2], hi[a, 2], lo[b, 2], hi[b, 2])
        return float(min(vertical + tol, _xy_gap(parts, a, b) + tol))
    raise ValueError(f"unknown relation {rel!r}; use one of {RELATIONS}")


def _xy_gap(parts: Parts, a: int, b: int) -> float:
    """Separation of the xy boxes (> 0 apart, <= 0 overlapping: minus the overlap depth)."""
    ox = _overlap_1d(parts.lo[a, 0], parts.hi[a, 0], parts.lo[b, 0], parts.hi[b, 0])
    oy = _overlap_1d(parts.lo[a, 1], parts.hi[a, 1], parts.lo[b, 1], parts.hi[b, 1])
    if ox <= 0 or oy <= 0:
        return float(max(-min(ox, 0.0), -min(oy, 0.0)))
    return float(-min(ox, oy))


def resting_pairs(parts: Parts, gaps: dict[tuple[int, int], float], tol: float = 0.02
                  ) -> list[tuple[int, int]]:
    """Pairs ``(a, b)`` where part a rests on part b: ``on_top_of`` holds (margin >= 0)."""
    out = []
    for (a, b), gap in gaps.items():
        if relation_margin(parts, a, b, "on_top_of", gap, tol) >= 0:
            out.append((a, b))
    return out


def longest_stack(n: int, resting: list[tuple[int, int]]) -> list[int]:
    """Longest chain ``[bottom, ..., top]`` of parts each resting on the previous one."""
    above: dict[int, list[int]] = {i: [] for i in range(n)}
    for a, b in resting:
        above[b].append(a)
    best: dict[int, list[int]] = {}

    def chain(i: int, seen: frozenset[int]) -> list[int]:
        if i in best:
            return best[i]
        longest: list[int] = []
        for j in above[i]:
            if j in seen:
                continue
            c = chain(j, seen | {j})
            if len(c) > len(longest):
                longest = c
        best[i] = [i, *longest]
        return best[i]

    chains = [chain(i, frozenset({i})) for i in range(n)]
    return max(chains, key=len) if chains else []


def stacking(
    mesh: trimesh.Trimesh, parts: Parts, points: np.ndarray, faces: np.ndarray,
    tol: float = 0.02, max_parts: int = 30,
) -> list[int]:
    """Longest chain of parts resting on one another (bottom first), over the ``max_parts``
    largest parts. A single part is a chain of one; no parts give ``[]``."""
    k = min(parts.count, max_parts)
    if k == 0:
        return []
    pts = [part_points(mesh, parts, points, faces, i, limit=5000) for i in range(k)]
    gaps: dict[tuple[int, int], float] = {}
    for a in range(k):
        for b in range(k):
            if a == b:
                continue
            # cheap box test first: a's bottom must be near b's top
            if abs(parts.bottom(a) - parts.top(b)) > 2 * tol + 0.05:
                continue
            gaps[(a, b)] = gap_between(pts[a], pts[b])
    return longest_stack(k, resting_pairs(parts, gaps, tol))
