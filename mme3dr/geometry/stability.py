"""Static stability, floating parts and upright pose of a mesh resting on the ground.

All lengths are in normalised units (fractions of the largest extent); the ground is the
lowest vertex (``z = 0`` for an asset). Measurements only: :mod:`mme3dr.evaluators.physical`
turns them into scores.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import trimesh
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components as _csgraph_components
from scipy.spatial import ConvexHull, cKDTree

from mme3dr.geometry.components import component_stats, connected_components, vertex_labels
from mme3dr.geometry.contacts import GroundContacts, ground_contacts
from mme3dr.geometry.manifold import manifold_report

#: a closed mesh whose |signed volume| is below this (normalised units cubed) uses the surface
#: centroid instead of the solid centre of mass.
MIN_SOLID_VOLUME = 1e-6


# --------------------------------------------------------------------------- centre of mass


def centre_of_mass(mesh: trimesh.Trimesh) -> tuple[np.ndarray, str]:
    """Centre of mass of ``mesh`` and how it was computed.

    Returns ``(com, method)``. ``method`` is ``"volume"`` when the mesh is closed (no boundary
    edges) and its signed volume is meaningfully non-zero: the solid's centre of mass from
    signed tetrahedra against the origin (uniform density; a globally inverted mesh is fine,
    inverted *parts* of a multi-part mesh subtract). Otherwise ``"surface"``: the area-weighted
    centroid of the faces (a thin shell of uniform density).
    """
    tri = np.asarray(mesh.vertices, dtype=np.float64)[np.asarray(mesh.faces)]
    if manifold_report(mesh).is_closed:
        a, b, c = tri[:, 0], tri[:, 1], tri[:, 2]
        vol = np.einsum("ij,ij->i", a, np.cross(b, c)) / 6.0
        total = float(vol.sum())
        if abs(total) > MIN_SOLID_VOLUME:
            com = (vol[:, None] * (a + b + c)).sum(axis=0) / (4.0 * total)
            return com, "volume"
    areas = 0.5 * np.linalg.norm(np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]), axis=1)
    centres = tri.mean(axis=1)
    if areas.sum() <= 0:
        return centres.mean(axis=0), "surface"
    return (areas[:, None] * centres).sum(axis=0) / areas.sum(), "surface"


def signed_margin(point: np.ndarray, polygon: np.ndarray) -> float:
    """Signed distance from 2D ``point`` to a convex ``polygon`` ``[k, 2]`` (counter-clockwise).

    Positive inside (distance to the nearest edge), negative outside (minus the distance to the
    polygon). A one-point or two-point (segment) polygon has no inside: the margin is minus the
    distance to it, ``0`` when the point lies on it. No polygon gives ``-inf``.
    """
    p = np.asarray(point, dtype=np.float64)[:2]
    poly = np.asarray(polygon, dtype=np.float64).reshape(-1, 2)
    if len(poly) == 0:
        return float("-inf")
    if len(poly) == 1:
        return -float(np.linalg.norm(p - poly[0]))
    starts = poly
    ends = np.roll(poly, -1, axis=0)
    if len(poly) == 2:
        starts, ends = poly[:1], poly[1:]
    d = ends - starts
    length2 = np.maximum((d * d).sum(axis=1), 1e-30)
    t = np.clip(((p - starts) * d).sum(axis=1) / length2, 0.0, 1.0)
    dist = float(np.linalg.norm(starts + t[:, None] * d - p, axis=1).min())
    if len(poly) == 2:
        return -dist
    # inside a counter-clockwise convex polygon: left of (or on) every edge
    cross = d[:, 0] * (p[1] - starts[:, 1]) - d[:, 1] * (p[0] - starts[:, 0])
    return dist if bool(np.all(cross >= 0)) else -dist


@dataclass
class Stability:
    """Centre of mass against the support polygon.

    Attributes:
        com: ``[3]`` centre of mass, normalised units.
        method: ``"volume"`` (solid) or ``"surface"`` (shell), see :func:`centre_of_mass`.
        margin: signed distance of the projected COM to the support polygon, normalised units
            (positive inside).
        n_contacts: number of ground contact regions.
        support_polygon: ``[k, 2]`` counter-clockwise.
    """

    com: np.ndarray
    method: str
    margin: float
    n_contacts: int
    support_polygon: np.ndarray


def stability(
    mesh: trimesh.Trimesh, contacts: GroundContacts | None = None, tol: float = 0.01
) -> Stability:
    """Signed margin of the centre of mass over the support polygon of the ground contacts."""
    if contacts is None:
        contacts = ground_contacts(mesh, tol=tol)
    com, method = centre_of_mass(mesh)
    margin = signed_margin(com[:2], contacts.support_polygon)
    return Stability(com, method, margin, contacts.n_regions, contacts.support_polygon)


# --------------------------------------------------------------------------- floating parts


@dataclass
class FloatingParts:
    """Components not supported by the ground through a chain of touching components.

    Attributes:
        n_components: number of connected components.
        floating: labels of the floating components (see :mod:`mme3dr.geometry.components`).
        floating_area_fraction: their share of the total surface area, in [0, 1].
        grounded: labels of the components within ``tol`` of the ground.
    """

    n_components: int
    floating: np.ndarray
    floating_area_fraction: float
    grounded: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    @property
    def n_floating(self) -> int:
        return len(self.floating)


def floating_parts(
    mesh: trimesh.Trimesh,
    components: tuple[int, np.ndarray] | None = None,
    tol: float = 0.01,
    gap: float = 0.005,
    max_pair_checks: int = 20_000_000,
) -> FloatingParts:
    """Find components that neither touch the ground nor (transitively) a grounded component.

    A component touches the ground when its lowest point is within ``tol`` of the lowest point
    of the mesh. Two components touch when some vertex of one lies within ``gap`` of the other's
    surface: candidates are pairs whose bounding boxes (grown by ``gap``) overlap; a pair is
    confirmed by vertex-to-vertex distance (:class:`scipy.spatial.cKDTree`) and, failing that,
    by exact vertex-to-triangle distance over the vertices and triangles inside the overlap of
    the two boxes (at most ``max_pair_checks`` point-triangle tests in all; candidates beyond
    that budget are assumed to touch, erring towards "not floating").

    A part enclosed by another without touching it (an engine inside a car body) is floating.
    """
    n, labels = components if components is not None else connected_components(mesh)
    if n == 0:
        return FloatingParts(0, np.zeros(0, np.int64), 0.0)
    stats = component_stats(mesh, labels, n)
    z0 = float(np.nanmin(stats.bounds_min[:, 2]))
    grounded = np.flatnonzero(stats.bounds_min[:, 2] <= z0 + tol)
    if n == 1:
        return FloatingParts(1, np.zeros(0, np.int64), 0.0, grounded)
    pairs = _bbox_pairs(stats.bounds_min - gap / 2, stats.bounds_max + gap / 2)
    edges = _touching_pairs(mesh, labels, pairs, stats, gap, max_pair_checks)
    graph = coo_matrix(
        (np.ones(len(edges), dtype=np.int8), (edges[:, 0], edges[:, 1])), shape=(n, n)
    )
    _, group = _csgraph_components(graph, directed=False)
    supported = np.isin(group, group[grounded])
    floating = np.flatnonzero(~supported)
    total = float(stats.area.sum())
    frac = float(stats.area[floating].sum() / total) if total > 0 else 0.0
    return FloatingParts(n, floating, frac, grounded)


def _bbox_pairs(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Pairs ``(i, j)``, ``i < j``, of overlapping axis-aligned boxes (sweep along one axis)."""
    n = len(lo)
    axis = int(np.argmax(hi.max(axis=0) - lo.min(axis=0)))
    order = np.argsort(lo[:, axis], kind="stable")
    starts = lo[order, axis]
    # for each box (in sweep order) the boxes starting before it ends are candidates
    stop = np.searchsorted(starts, hi[order, axis], side="right")
    counts = np.maximum(stop - np.arange(n) - 1, 0)
    first = np.repeat(np.arange(n), counts)
    second = first + 1 + (np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts))
    i, j = order[first], order[second]
    overlap = np.all((lo[i] <= hi[j]) & (lo[j] <= hi[i]), axis=1)
    pairs = np.stack([i[overlap], j[overlap]], axis=1)
    return np.sort(pairs, axis=1) if len(pairs) else np.zeros((0, 2), np.int64)


def _touching_pairs(
    mesh: trimesh.Trimesh,
    labels: np.ndarray,
    pairs: np.ndarray,
    stats,
    gap: float,
    budget: int,
) -> np.ndarray:
    """Subset of candidate component ``pairs`` whose surfaces come within ``gap``."""
    if len(pairs) == 0:
        return np.zeros((0, 2), np.int64)
    vertices = np.asarray(mesh.vertices, dtype=np.float64)
    faces = np.asarray(mesh.faces, dtype=np.int64)
    vlab = vertex_labels(mesh, labels)
    candidates = np.unique(pairs)
    use = np.flatnonzero(np.isin(vlab, candidates))
    tree = cKDTree(vertices[use])
    close = tree.query_pairs(gap, output_type="ndarray")
    lab = vlab[use][close] if len(close) else np.zeros((0, 2), np.int64)
    found = np.unique(np.sort(lab[lab[:, 0] != lab[:, 1]], axis=1), axis=0)
    n = len(stats.area)
    found_keys = set((found[:, 0] * n + found[:, 1]).tolist())
    remaining = [tuple(p) for p in pairs.tolist() if p[0] * n + p[1] not in found_keys]
    edges = [found]
    if remaining:
        by_label_faces = np.argsort(labels, kind="stable")
        face_starts = np.searchsorted(labels[by_label_faces], np.arange(n + 1))
        vertex_order = np.argsort(vlab, kind="stable")
        vertex_starts = np.searchsorted(vlab[vertex_order], np.arange(n + 1))
        extra = []
        rem = np.asarray(remaining, dtype=np.int64)
        nv = np.diff(vertex_starts)
        nf = np.diff(face_starts)
        cost = nv[rem[:, 0]] * nf[rem[:, 1]] + nv[rem[:, 1]] * nf[rem[:, 0]]
        small = cost <= _SMALL_PAIR_COST
        if small.any():  # many small parts (debris, triangle soup): one vectorised batch
            hit = _small_pairs_touch(
                vertices,
                faces,
                rem[small],
                face_starts,
                by_label_faces,
                vertex_starts,
                vertex_order,
                gap,
            )
            budget -= int(cost[small].sum())
            extra.extend(map(tuple, rem[small][hit].tolist()))
        for a, b in rem[~small].tolist():
            if budget <= 0:
                extra.append((a, b))
                continue
            hit, cost = _pair_touches(
                vertices,
                faces,
                a,
                b,
                by_label_faces,
                face_starts,
                vertex_order,
                vertex_starts,
                stats,
                gap,
            )
            budget -= cost
            if hit:
                extra.append((a, b))
        if extra:
            edges.append(np.asarray(extra, dtype=np.int64))
    return np.concatenate(edges, axis=0).astype(np.int64)


#: pairs needing at most this many vertex-triangle tests are checked in one vectorised batch.
_SMALL_PAIR_COST = 4096


def _small_pairs_touch(
    vertices, faces, pairs, face_starts, face_order, vert_starts, vert_order, gap
) -> np.ndarray:
    """For each pair ``(a, b)``: does a vertex of one lie within ``gap`` of the other's faces.

    Every vertex of one part is tested against every face of the other, both ways, for all
    pairs at once (the pairs are small: see ``_SMALL_PAIR_COST``). Returns a bool per pair.
    """
    both = np.concatenate([pairs, pairs[:, ::-1]])  # (vertex part, face part)
    p, q = both[:, 0], both[:, 1]
    nv = vert_starts[p + 1] - vert_starts[p]
    nf = face_starts[q + 1] - face_starts[q]
    total = nv * nf
    owner = np.repeat(np.arange(len(both)), total)
    local = np.arange(total.sum()) - np.repeat(np.cumsum(total) - total, total)
    vi = vert_order[vert_starts[p][owner] + local // nf[owner]]
    fi = face_order[face_starts[q][owner] + local % nf[owner]]
    near = np.zeros(len(owner), dtype=bool)
    for start in range(0, len(owner), 200_000):
        sl = slice(start, start + 200_000)
        pts = vertices[vi[sl]]
        closest = trimesh.triangles.closest_point(vertices[faces[fi[sl]]], pts)
        near[sl] = np.linalg.norm(closest - pts, axis=1) <= gap
    touched = np.zeros(len(both), dtype=bool)
    touched[owner[near]] = True
    return touched[: len(pairs)] | touched[len(pairs) :]


def _pair_touches(
    vertices, faces, a, b, face_order, face_starts, vert_order, vert_starts, stats, gap
) -> tuple[bool, int]:
    """Exact check: does a vertex of one component lie within ``gap`` of the other's faces."""
    lo = np.maximum(stats.bounds_min[a], stats.bounds_min[b]) - gap
    hi = np.minimum(stats.bounds_max[a], stats.bounds_max[b]) + gap
    cost = 0
    for p, q in ((a, b), (b, a)):
        verts = vertices[vert_order[vert_starts[p] : vert_starts[p + 1]]]
        verts = verts[np.all((verts >= lo) & (verts <= hi), axis=1)]
        tris = vertices[faces[face_order[face_starts[q] : face_starts[q + 1]]]]
        inside = np.all((tris.max(axis=1) >= lo) & (tris.min(axis=1) <= hi), axis=1)
        tris = tris[inside]
        if len(verts) == 0 or len(tris) == 0:
            continue
        cost += len(verts) * len(tris)
        for chunk in range(0, len(verts), max(1, 200_000 // len(tris))):
            v = verts[chunk : chunk + max(1, 200_000 // len(tris))]
            pts = np.repeat(v, len(tris), axis=0)
            tt = np.tile(tris, (len(v), 1, 1))
            closest = trimesh.triangles.closest_point(tt, pts)
            if np.any(np.linalg.norm(closest - pts, axis=1) <= gap):
                return True, cost
    return False, cost


# --------------------------------------------------------------------------- upright pose


@dataclass
class Upright:
    """Simple pose measurements of a mesh resting on the ground.

    Attributes:
        com_height_ratio: height of the centre of mass over the total height, in [0, 1]
            (0.5 for a uniform box; tables are top-heavy, around 0.8).
        aspect: height over the larger horizontal extent (> 1: tall, < 1: wide/flat).
        base_ratio: area of the flat base of the convex hull (its downward-facing faces within
            ``tol`` of the ground) over the area of the footprint (the convex hull of the xy
            projection), in [0, 1]: about 1 for a box, a standing bottle or a book on end,
            0.6-0.8 for a table on its legs, near 0 when it rests on an edge or a rounded side
            (a bottle lying down, a box tipped on its edge).
        has_flat_side: whether the convex hull has any flat side (faces sharing a normal) larger
            than 2 % of its area; ``base_ratio`` means little without one (a sphere).
        method: how the centre of mass was computed (``volume`` or ``surface``).
    """

    com_height_ratio: float
    aspect: float
    base_ratio: float
    has_flat_side: bool
    method: str


#: vertices used for the 3D convex hull in :func:`upright` (fixed-seed sample above this).
HULL_SAMPLE = 20_000
#: a flat base is the set of vertices within this fraction of ``tol`` of the lowest point.
BASE_FLATNESS = 0.1


def upright(mesh: trimesh.Trimesh, tol: float = 0.01) -> Upright:
    """Measure how the mesh rests: centre-of-mass height, aspect ratio and flat base.

    See :class:`Upright` for the definitions. Flat sides of the convex hull are groups of hull
    faces with the same normal (rounded to 0.01), exact for a convex surface.
    """
    vertices = np.asarray(mesh.vertices, dtype=np.float64)
    lo, hi = vertices.min(axis=0), vertices.max(axis=0)
    height = float(hi[2] - lo[2])
    width = float(max(hi[0] - lo[0], hi[1] - lo[1]))
    com, method = centre_of_mass(mesh)
    ratio = float((com[2] - lo[2]) / height) if height > 0 else 0.0
    aspect = height / width if width > 0 else float("inf")
    base_ratio, has_flat = 0.0, False
    try:
        # the hull of a fixed-seed sample of at most HULL_SAMPLE vertices: coplanar points stay
        # coplanar, so flat sides survive; scipy directly (trimesh's hull re-processes the mesh)
        pts = vertices
        if len(pts) > HULL_SAMPLE:
            pick = np.random.default_rng(0).choice(len(pts), HULL_SAMPLE, replace=False)
            pts = pts[np.sort(pick)]
        hull = ConvexHull(pts)
        tri = pts[hull.simplices]
        normals = hull.equations[:, :3]  # outward unit normals
        areas = 0.5 * np.linalg.norm(np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]), axis=1)
        keys = np.round(normals / 0.01).astype(np.int64)
        _, group = np.unique(keys, axis=0, return_inverse=True)
        facet_area = np.bincount(group.reshape(-1), weights=areas)
        has_flat = bool(facet_area.max() > 0.02 * float(areas.sum()))
        # the hull's bottom facet is the 2D hull of the vertices on the lowest plane (within
        # BASE_FLATNESS * tol, so a curved side resting on a line does not count as a base)
        base = vertices[vertices[:, 2] <= lo[2] + BASE_FLATNESS * tol, :2]
        footprint = ConvexHull(vertices[:, :2]).volume  # a 2D hull's "volume" is its area
        if footprint > 0 and len(base) >= 3:
            try:
                base_ratio = float(min(1.0, ConvexHull(base).volume / footprint))
            except Exception:  # noqa: BLE001 - collinear base points: a line has no area
                base_ratio = 0.0
    except Exception:  # noqa: BLE001 - qhull fails on flat or degenerate input
        pass
    return Upright(ratio, aspect, base_ratio, has_flat, method)
