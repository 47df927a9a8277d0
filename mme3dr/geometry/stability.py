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
from mme3dr.geometry.intersections import candidate_pairs, triangles_intersect
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
    of the mesh. Two components touch when their surfaces come within ``gap`` of each other,
    measured on the triangles: candidates are pairs whose bounding boxes (grown by ``gap``)
    overlap; a pair is confirmed by two vertices within ``gap`` (:class:`scipy.spatial.cKDTree`)
    or, failing that, by the exact triangle-triangle distance (crossing, vertex-triangle and
    edge-edge distances, :func:`triangles_within`) over the face pairs of the two parts whose
    grown boxes overlap inside the overlap of the parts' boxes (an R-tree broad phase). So
    interpenetrating parts (a handle pushed into a mug, large triangles crossing mid-face) touch
    and parts 1.5 % apart do not. At most ``max_pair_checks`` face pairs are tested in all;
    candidates beyond that budget are assumed to touch, erring towards "not floating".

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
    """Subset of candidate component ``pairs`` whose surfaces come within ``gap``.

    Fast path: two vertices of the two parts within ``gap`` (a k-d tree). The rest: the exact
    triangle-triangle distance (:func:`triangles_within`) over the face pairs of the two parts
    whose bounding boxes, grown by ``gap``, overlap (an R-tree broad phase), so parts that
    cross mid-triangle or pass within ``gap`` between vertices touch. Face pairs beyond
    ``budget`` are not tested and their component pairs are assumed to touch.
    """
    if len(pairs) == 0:
        return np.zeros((0, 2), np.int64)
    vertices = np.asarray(mesh.vertices, dtype=np.float64)
    faces = np.asarray(mesh.faces, dtype=np.int64)
    vlab = vertex_labels(mesh, labels)
    n = len(stats.area)
    use = np.flatnonzero(np.isin(vlab, np.unique(pairs)))
    close = cKDTree(vertices[use]).query_pairs(gap, output_type="ndarray")
    lab = vlab[use][close] if len(close) else np.zeros((0, 2), np.int64)
    found = np.unique(np.sort(lab[lab[:, 0] != lab[:, 1]], axis=1), axis=0)
    keys = pairs[:, 0] * n + pairs[:, 1]
    remaining = pairs[~np.isin(keys, found[:, 0] * n + found[:, 1])]
    if len(remaining) == 0:
        return found.astype(np.int64)
    extra = _triangle_contacts(vertices[faces], labels, remaining, stats, gap, budget)
    return np.concatenate([found, extra], axis=0).astype(np.int64)


def _triangle_contacts(
    tri: np.ndarray, labels: np.ndarray, pairs: np.ndarray, stats, gap: float, budget: int
) -> np.ndarray:
    """Component ``pairs`` (``a < b``) with a face of ``a`` within ``gap`` of a face of ``b``.

    Only faces inside the overlap of the pair's bounding boxes (grown by ``gap``) can touch;
    for each component the union of its pairs' overlap boxes selects its candidate faces.
    """
    n = len(stats.area)
    lo = np.maximum(stats.bounds_min[pairs[:, 0]], stats.bounds_min[pairs[:, 1]]) - gap
    hi = np.minimum(stats.bounds_max[pairs[:, 0]], stats.bounds_max[pairs[:, 1]]) + gap
    zone_lo = np.full((n, 3), np.inf)
    zone_hi = np.full((n, 3), -np.inf)
    for col in (0, 1):
        np.minimum.at(zone_lo, pairs[:, col], lo)
        np.maximum.at(zone_hi, pairs[:, col], hi)
    f_lo, f_hi = tri.min(axis=1) - gap / 2, tri.max(axis=1) + gap / 2
    cand = np.flatnonzero(np.all((f_hi >= zone_lo[labels]) & (f_lo <= zone_hi[labels]), axis=1))
    if len(cand) < 2:
        return np.zeros((0, 2), np.int64)
    first, second = candidate_pairs(f_lo[cand], f_hi[cand])
    first, second = cand[first], cand[second]
    la, lb = np.minimum(labels[first], labels[second]), np.maximum(labels[first], labels[second])
    key = la * n + lb
    wanted = np.isin(key, pairs[:, 0] * n + pairs[:, 1])
    first, second, key = first[wanted], second[wanted], key[wanted]
    touching: set[int] = set()
    for start in range(0, len(key), _FACE_PAIR_CHUNK):
        sl = slice(start, start + _FACE_PAIR_CHUNK)
        todo = ~np.isin(key[sl], np.fromiter(touching, np.int64, len(touching)))
        if start >= budget:  # over budget: every undecided pair is assumed to touch
            touching.update(key[start:][~np.isin(key[start:], list(touching))].tolist())
            break
        f1, f2 = first[sl][todo], second[sl][todo]
        hit = triangles_within(tri[f1], tri[f2], gap)
        touching.update(np.unique(key[sl][todo][hit]).tolist())
    if not touching:
        return np.zeros((0, 2), np.int64)
    k = np.fromiter(touching, np.int64, len(touching))
    return np.stack([k // n, k % n], axis=1)


#: face pairs tested per vectorised chunk in :func:`_triangle_contacts` (bounds memory).
_FACE_PAIR_CHUNK = 50_000


def triangles_within(t1: np.ndarray, t2: np.ndarray, gap: float) -> np.ndarray:
    """Row-wise: is the distance between triangles ``t1[i]`` and ``t2[i]`` (``[m, 3, 3]``) at
    most ``gap``.

    Exact: two triangles that do not cross are closest at a vertex of one and the other
    triangle, or at a pair of edges. Crossing (:func:`triangles_intersect`) is distance 0.
    """
    m = len(t1)
    if m == 0:
        return np.zeros(0, dtype=bool)
    hit = triangles_intersect(t1, t2)
    gap2 = gap * gap
    for a, b in ((t1, t2), (t2, t1)):
        for k in range(3):
            q = trimesh.triangles.closest_point(b, a[:, k])
            hit |= ((q - a[:, k]) ** 2).sum(axis=1) <= gap2
    for i in range(3):
        for j in range(3):
            d2 = _segment_distance2(t1[:, i], t1[:, (i + 1) % 3], t2[:, j], t2[:, (j + 1) % 3])
            hit |= d2 <= gap2
    return hit


def _segment_distance2(p1: np.ndarray, q1: np.ndarray, p2: np.ndarray, q2: np.ndarray):
    """Row-wise squared distance between segments ``p1 q1`` and ``p2 q2`` (``[m, 3]`` each).

    The closest points ``p1 + s d1`` and ``p2 + t d2``: ``s`` from the unconstrained
    minimum clamped to [0, 1], ``t`` recomputed for that ``s`` and clamped, then ``s``
    recomputed for the clamped ``t`` (exact for segments; degenerate segments are points).
    """
    d1, d2, r = q1 - p1, q2 - p2, p1 - p2
    a = (d1 * d1).sum(axis=1)
    e = (d2 * d2).sum(axis=1)
    b = (d1 * d2).sum(axis=1)
    c = (d1 * r).sum(axis=1)
    f = (d2 * r).sum(axis=1)
    denom = a * e - b * b
    tiny = 1e-30
    skew = denom > 1e-12 * np.maximum(a * e, tiny)  # not parallel
    s = np.clip(np.where(skew, (b * f - c * e) / np.maximum(denom, tiny), 0.0), 0.0, 1.0)
    t = np.where(e > tiny, (b * s + f) / np.maximum(e, tiny), 0.0)
    t = np.clip(t, 0.0, 1.0)
    s = np.where(a > tiny, np.clip((b * t - c) / np.maximum(a, tiny), 0.0, 1.0), 0.0)
    diff = p1 + s[:, None] * d1 - p2 - t[:, None] * d2
    return (diff * diff).sum(axis=1)


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
