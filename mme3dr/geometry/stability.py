"""Static stability, floating parts and upright pose of a mesh resting on the ground.

All lengths are in normalised units (fractions of the largest extent); the ground is the
lowest vertex (``z = 0`` for an asset). Measurements only: :mod:`mme3dr.checks.stable`
turns them into scores.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import trimesh
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components as _csgraph_components
from scipy.spatial import ConvexHull, cKDTree

from mme3dr.geometry.cavities import cavity_walls
from mme3dr.geometry.components import component_stats, connected_components, vertex_labels
from mme3dr.geometry.contacts import (
    GroundContacts,
    clip_below,
    ground_contacts,
    support_polygon,
)
from mme3dr.geometry.indices import referenced_vertices, unique_sorted
from mme3dr.geometry.intersections import candidate_pairs, triangles_intersect
from mme3dr.geometry.manifold import consistent_winding, manifold_report
from mme3dr.geometry.triples import first_max, first_mean, first_min

#: a closed mesh whose |signed volume| is below this (normalised units cubed) uses the surface
#: centroid instead of the solid centre of mass.
MIN_SOLID_VOLUME = 1e-6
#: a flat base (and a sharp contact) is the set of vertices within this fraction of ``tol`` of
#: the lowest point.
BASE_FLATNESS = 0.1


# --------------------------------------------------------------------------- centre of mass


def centre_of_mass(mesh: trimesh.Trimesh) -> tuple[np.ndarray, str]:
    """Centre of mass of ``mesh`` and how it was computed.

    Returns ``(com, method)``. ``method`` is ``"volume"`` when the mesh is closed (no boundary
    edges) and its signed volume is meaningfully non-zero: the solid's centre of mass from
    signed tetrahedra against the origin (uniform density; a globally inverted mesh is fine,
    inverted *parts* of a multi-part mesh subtract; faces wound against their neighbours, a
    few flipped triangles of a generator export, are first re-wound by
    :func:`~mme3dr.geometry.manifold.consistent_winding`). Otherwise ``"surface"``: the
    area-weighted centroid of the faces (a thin shell of uniform density).
    """
    faces = np.asarray(mesh.faces, dtype=np.int64)
    report = manifold_report(mesh)
    if report.inconsistent_edges:  # a few flipped triangles would corrupt the signed volume
        faces = consistent_winding(faces)
    tri = np.asarray(mesh.vertices, dtype=np.float64)[faces]
    if report.is_closed:
        a, b, c = tri[:, 0], tri[:, 1], tri[:, 2]
        vol = np.einsum("ij,ij->i", a, np.cross(b, c)) / 6.0
        total = float(vol.sum())
        if abs(total) > MIN_SOLID_VOLUME:
            com = (vol[:, None] * (a + b + c)).sum(axis=0) / (4.0 * total)
            return com, "volume"
    areas = 0.5 * np.linalg.norm(np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]), axis=1)
    centres = first_mean(tri)
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


#: a body that comes to rest within this rotation (degrees) of its pose as built stands: feet
#: that are not quite coplanar, a sole's curvature or a faceted ball let it rock a little; one
#: that must turn further to find rest (an L that tips onto its arm) falls over. A body
#: released on a vertex of its hull gets the extra turn to the nearest facet on top (see
#: :func:`resting_facet_angle`): a coarsely tessellated ball rolls onto a facet and stands.
SETTLE_ANGLE = 8.0
#: step of the settling walk (degrees): a rest pose must resist tilts of this size (a body
#: whose tipping angle is under half of it is balanced on a knife edge, and falls).
TILT_STEP = 1.0
#: azimuths tried around the current pose at each step of the settling walk.
TILT_AZIMUTHS = 24
#: a walk that leaves the settling cone is *neutral* (a ball, a cylinder on its side) when the
#: centre of mass dropped by less than this fraction of the drop of a body pivoting about its
#: lowest point (see :func:`settle`): the support's centre of curvature is within 10 % of the
#: centre of mass.
NEUTRAL_DROP = 0.1
#: the largest tilt (degrees) a *rounded* support is tested at past the facet it rests on
#: (see ``_facet_tilt``), so a capsule on its end does not stand on the one facet under its
#: pole (a 36-sided circle has 10 degree facets).
COARSE_TILT = 10.0
#: a support is rounded when the hull of the geometry within ``ROUND_BAND * tol`` of the floor
#: is more than ``ROUND_GROWTH`` times the area of that within ``tol`` (see ``_rounded``).
ROUND_BAND = 4.0
ROUND_GROWTH = 1.5
#: vertices used for the potential :func:`support_height` (hull vertices, or a fixed-seed
#: sample of the vertices plus every vertex in the lowest 10 % of the height).
POTENTIAL_SAMPLE = 20_000


@dataclass
class Settling:
    """Where a rigid body released in its pose as built comes to rest on a flat floor.

    Attributes:
        equilibrium: ``"stable"`` (it rests, within ``SETTLE_ANGLE``, in a pose that resists
            ``TILT_STEP`` tilts in every direction), ``"neutral"`` (it rolls without its centre
            of mass dropping: a ball) or ``"falls"`` (it rotates beyond ``SETTLE_ANGLE``
            with the centre of mass dropping: a capsule on its end, a leaning tower).
        tilt: rotation from the pose as built to the settled pose (or to where the walk left
            the cone), degrees.
        down: ``[3]`` the body-frame direction that points down in that pose.
        drop: how far the centre of mass fell on the way, normalised units.
        drop_ratio: ``drop`` over the drop of a body pivoting about its lowest point by the
            same angle, ``H0 (1 - cos tilt)`` (0 for a ball, ``1 - R / h`` for a round support of
            radius ``R`` under a centre of mass at height ``h``; large for a body tipping
            over an edge).
    """

    equilibrium: str
    tilt: float
    down: np.ndarray
    drop: float
    drop_ratio: float


@dataclass
class Stability:
    """Centre of mass against the support of the settled body.

    Attributes:
        com: ``[3]`` centre of mass, normalised units (frame of the asset as built).
        method: ``"volume"`` (solid) or ``"surface"`` (shell), see :func:`centre_of_mass`.
        margin: signed distance of the projected COM to the support polygon of the settled
            pose, normalised units (positive inside); for a body that falls, at most 0 (see
            :func:`stability`).
        n_contacts: number of ground contact regions in the settled pose.
        support_polygon: ``[k, 2]`` counter-clockwise, in the settled pose's frame.
        equilibrium: ``"stable"``, ``"neutral"``, ``"falls"``, ``"flat"`` (no height above the
            contact band: it lies, it does not stand) or ``"none"`` (no surface), see
            :class:`Settling`.
        tilt: rotation to the settled pose, degrees.
        rest_margin: the margin in the pose as built (the band contacts as found).
    """

    com: np.ndarray
    method: str
    margin: float
    n_contacts: int
    support_polygon: np.ndarray
    equilibrium: str = "stable"
    tilt: float = 0.0
    rest_margin: float = float("nan")
    com_height: float = float("nan")

    @property
    def stands(self) -> bool:
        """Comes to rest near its pose as built (stable or neutral equilibrium)."""
        return self.equilibrium in ("stable", "neutral")

    @property
    def tipping_angle(self) -> float:
        """Tilt (degrees) about the nearest edge of the support that brings the centre of mass
        over it, ``atan(margin / com_height)``: how hard a nudge it takes to topple a body that
        stands on a flat base (0 for a neutral ball, negative when it falls)."""
        if self.equilibrium == "neutral" or not np.isfinite(self.margin):
            return 0.0
        return float(np.degrees(np.arctan2(self.margin, max(self.com_height, 1e-12))))


def stability(
    mesh: trimesh.Trimesh, contacts: GroundContacts | None = None, tol: float = 0.01
) -> Stability:
    """Does the body stand: settle it (:func:`settle`), then weigh its centre of mass against
    the support polygon of the ground contacts in the settled pose.

    Physics: a rigid body on a flat floor has potential energy proportional to the height of
    its centre of mass above its lowest point, ``H(d) = max_v (v . d) - c . d`` for the
    body-frame down direction ``d`` (the support function of its convex hull minus the centre
    of mass). It rests where ``H`` has a local minimum. On a flat base the minimum is sharp
    and the margin of the centre of mass inside the base is the lever that resists a push. On
    a rounded support of radius ``R`` under a centre of mass at height ``h``, ``H`` grows as
    ``(R - h) theta^2 / 2``: the body rocks back when ``h < R`` and falls when ``h > R`` (a
    capsule balanced on its hemispherical end: ``R`` is its radius, ``h`` half its length
    and more). A ball (``h = R``) is in neutral equilibrium: it stays where it is put, and
    counts as standing. A figure on rounded or not quite coplanar soles rocks a few degrees
    until a second contact stops it, and stands in that settled pose. The settling cone is
    ``SETTLE_ANGLE`` plus :func:`resting_facet_angle`: a tessellated body released on a hull
    vertex turns onto its nearest facet first (a 320-face icosphere on a vertex, 9.7 deg).

    ``margin``: in the settled pose (stable or neutral), the signed distance of the centre of
    mass to the support polygon of the contacts within ``tol`` of the floor; for a body that
    falls, the smallest of that, the margin over the vertices within ``tol / 10`` of the
    floor (the sharp contact: a point under a capsule's end) and 0. A mesh whose height is
    within ``tol`` (a sheet, a lone flat triangle) is ``"flat"`` and its margin is ``-inf``:
    it lies on the floor, nothing stands up.
    """
    if contacts is None:
        contacts = ground_contacts(mesh, tol=tol)
    com, method = centre_of_mass(mesh)
    rest = signed_margin(com[:2], contacts.support_polygon)
    vertices = _referenced_vertices(mesh)

    def result(margin, found, kind, tilt, height=None):
        h = float(com[2] - vertices[:, 2].min()) if height is None else height
        return Stability(com, method, margin, found.n_regions, found.support_polygon, kind,
                         tilt, rest, h)

    if len(vertices) == 0 or contacts.n_regions == 0:
        return result(rest, contacts, "none", 0.0, 0.0)
    if float(np.ptp(vertices[:, 2])) <= tol:
        return result(float("-inf"), contacts, "flat", 0.0)
    pts = _potential_points(vertices)
    st = settle(pts, com, cone=SETTLE_ANGLE + resting_facet_angle(pts))
    if st.equilibrium == "falls":
        return result(_falling_margin(vertices, com, rest, tol), contacts, "falls", st.tilt)
    if st.equilibrium == "neutral":
        return result(rest, contacts, "neutral", st.tilt)
    rot = _rotation_to_down(st.down)
    found = contacts
    if st.tilt > 0:
        found = ground_contacts(
            trimesh.Trimesh(np.asarray(mesh.vertices) @ rot.T, mesh.faces, process=False),
            tol=tol,
        )
    c = rot @ com
    margin = signed_margin(c[:2], found.support_polygon)
    height = float(c[2] - (vertices @ rot.T)[:, 2].min())
    if _rounded(mesh, rot, tol):
        # walk again with steps that carry it past the facet it rests on
        step = _facet_tilt(vertices @ rot.T, c, height, tol)
        coarse = settle(pts @ rot.T, c, step=step)
        if coarse.equilibrium == "neutral":
            return result(margin, found, "neutral", st.tilt, height)
        if coarse.equilibrium == "falls":
            falling = _falling_margin(vertices @ rot.T, c, margin, tol)
            return result(falling, found, "falls", st.tilt, height)
    return result(margin, found, "stable", st.tilt, height)


def _facet_tilt(vertices: np.ndarray, com: np.ndarray, height: float, tol: float) -> float:
    """Step (degrees) that carries a body on a rounded support past the facet it rests on:
    twice the tipping angle over its sharp contact (the vertices within ``BASE_FLATNESS * tol``
    of the floor: one facet or voxel plateau of a tessellated cap) plus ``TILT_STEP``, at most
    ``COARSE_TILT``. Past it, a support whose centre of curvature is above the centre of
    mass keeps raising it (it stands); one below lets it fall (a second settling walk with
    this step tells which)."""
    sharp = vertices[vertices[:, 2] <= vertices[:, 2].min() + BASE_FLATNESS * tol, :2]
    margin = max(signed_margin(com[:2], support_polygon(sharp)), 0.0)
    beta = float(np.degrees(np.arctan2(margin, max(height, 1e-12))))
    return min(COARSE_TILT, 2.0 * beta + TILT_STEP)


def _falling_margin(vertices: np.ndarray, com: np.ndarray, band: float, tol: float) -> float:
    """Margin of a body that falls: at most 0, and at most the margin over the sharp
    contact (the vertices within ``BASE_FLATNESS * tol`` of the floor)."""
    sharp = vertices[vertices[:, 2] <= vertices[:, 2].min() + BASE_FLATNESS * tol, :2]
    return min(band, signed_margin(com[:2], support_polygon(sharp)), 0.0)


def _rounded(mesh: trimesh.Trimesh, rot: np.ndarray, tol: float) -> bool:
    """Is the support of ``mesh`` turned by ``rot`` rounded at the scale of ``tol``: the area
    of the convex hull of the geometry within ``ROUND_BAND * tol`` of the floor is more than
    ``ROUND_GROWTH`` times that within ``tol``. The area of a cap of radius ``R`` grows in
    proportion to the height (``2 pi R z``: 4 times), a flat base with steep sides does not
    grow (1), whatever the tessellation: one facet or a voxel plateau under a round end does
    not make it flat."""
    tri = np.asarray(mesh.vertices, dtype=np.float64) @ rot.T
    tri = tri[np.asarray(mesh.faces, dtype=np.int64)]
    z0 = float(tri[:, :, 2].min())
    near = _polygon_area(support_polygon(clip_below(tri, z0 + tol)[:, :, :2].reshape(-1, 2)))
    wide = clip_below(tri, z0 + ROUND_BAND * tol)[:, :, :2].reshape(-1, 2)
    return _polygon_area(support_polygon(wide)) > ROUND_GROWTH * near


def _polygon_area(poly: np.ndarray) -> float:
    """Area of a counter-clockwise polygon ``[k, 2]`` (0 for fewer than 3 points)."""
    if len(poly) < 3:
        return 0.0
    x, y = poly[:, 0], poly[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def support_height(points: np.ndarray, com: np.ndarray, down: np.ndarray) -> np.ndarray:
    """Height of the centre of mass above the floor when ``down`` ``[k, 3]`` (unit, body
    frame) points down: ``max_v (v . d) - com . d`` over the body's ``points`` ``[n, 3]``."""
    return (points @ down.T).max(axis=0) - down @ com


def resting_facet_angle(points: np.ndarray) -> float:
    """How far (degrees) a body released on its lowest hull vertex turns before a facet of
    its convex hull lands: the smallest angle between straight down and the outward normal of
    a hull facet through the lowest point, at most ``COARSE_TILT``. 0 when it already rests
    on a facet (a flat base); about 9.7 degrees for a ball tessellated as a twice-subdivided
    icosahedron (320 faces) balanced on a vertex. That turn comes from the tessellation, not
    from the shape: a smooth ball would not turn at all, so the settling cone is widened by
    it (:func:`stability`). ``COARSE_TILT`` bounds it by the facets of a 36-sided circle."""
    pts = np.asarray(points, dtype=np.float64)
    if len(pts) < 4:
        return 0.0
    try:
        hull = ConvexHull(pts)
    except Exception:  # noqa: BLE001 - flat or degenerate input: no facets to land on
        return 0.0
    z = pts[:, 2]
    low = np.flatnonzero(z <= z.min() + 1e-9 * max(float(np.ptp(pts, axis=0).max()), 1e-12))
    incident = np.isin(hull.simplices, low).any(axis=1)
    if not incident.any():
        return 0.0
    cos = np.clip(-hull.equations[incident, 2], -1.0, 1.0)  # outward normal against down
    return float(min(np.degrees(np.arccos(cos.max())), COARSE_TILT))


def settle(points: np.ndarray, com: np.ndarray, step: float = TILT_STEP,
           cone: float = SETTLE_ANGLE) -> Settling:
    """Release the body in its pose as built and let it rock to rest (see :func:`stability`).

    A steepest-descent walk on the potential ``H`` (:func:`support_height`) over down
    directions: from the current pose, try ``TILT_AZIMUTHS`` tilts of ``step`` degrees
    (default ``TILT_STEP``) and move to the lowest if it lowers the centre of mass; stop at a
    local minimum (``"stable"``) or when the pose is more than ``cone`` degrees (default
    ``SETTLE_ANGLE``) from the start, where the walk is ``"neutral"`` if
    ``drop_ratio < NEUTRAL_DROP`` and ``"falls"`` otherwise. ``points`` should hold the convex
    hull (other points cannot be lowest).
    """
    pts = _potential_points(points)
    start = np.array([0.0, 0.0, -1.0])
    h0 = float(support_height(pts, com, start[None])[0])
    eps = 1e-9 * max(float(np.ptp(pts, axis=0).max()), 1e-12)
    down, h = start, h0
    n_steps = int(4 * cone / step) + 8
    step = np.radians(step)
    phi = np.linspace(0.0, 2 * np.pi, TILT_AZIMUTHS, endpoint=False)
    limit = np.radians(cone)
    for _ in range(n_steps):
        u, w = _basis(down)
        ring = np.cos(step) * down + np.sin(step) * (
            np.cos(phi)[:, None] * u + np.sin(phi)[:, None] * w
        )
        hs = support_height(pts, com, ring)
        k = int(np.argmin(hs))
        if hs[k] >= h - eps:
            return Settling("stable", _angle(down, start), down, h0 - h, _ratio(h0, h, down))
        down, h = ring[k] / np.linalg.norm(ring[k]), float(hs[k])
        if np.arccos(np.clip(-down[2], -1.0, 1.0)) > limit:
            break
    ratio = _ratio(h0, h, down)
    kind = "neutral" if ratio < NEUTRAL_DROP else "falls"
    return Settling(kind, _angle(down, start), down, h0 - h, ratio)


def _ratio(h0: float, h: float, down: np.ndarray) -> float:
    """Drop of the centre of mass over ``h0 (1 - cos tilt)``, the drop when pivoting."""
    pivot = h0 * (1.0 + down[2])  # 1 - cos(tilt), with cos(tilt) = -down_z
    return float((h0 - h) / pivot) if pivot > 0 else 0.0


def _angle(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.degrees(np.arccos(np.clip(float(a @ b), -1.0, 1.0))))


def _basis(d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two unit vectors spanning the plane perpendicular to unit ``d``."""
    helper = np.array([1.0, 0.0, 0.0]) if abs(d[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    u = np.cross(d, helper)
    u /= np.linalg.norm(u)
    return u, np.cross(d, u)


def _rotation_to_down(d: np.ndarray) -> np.ndarray:
    """Rotation matrix taking unit vector ``d`` to ``(0, 0, -1)`` (the shortest rotation)."""
    target = np.array([0.0, 0.0, -1.0])
    axis = np.cross(d, target)
    sin, cos = float(np.linalg.norm(axis)), float(d @ target)
    if sin < 1e-12:
        return np.eye(3) if cos > 0 else np.diag([1.0, -1.0, -1.0])
    return trimesh.transformations.rotation_matrix(np.arctan2(sin, cos), axis / sin)[:3, :3]


def _referenced_vertices(mesh: trimesh.Trimesh) -> np.ndarray:
    faces = np.asarray(mesh.faces, dtype=np.int64)
    if len(faces) == 0:
        return np.zeros((0, 3))
    used = referenced_vertices(faces, len(mesh.vertices))
    return np.asarray(mesh.vertices, dtype=np.float64)[used]


def _potential_points(points: np.ndarray) -> np.ndarray:
    """The convex hull's vertices of ``points`` (only they can be lowest), or, when qhull
    fails or there are too many, a fixed-seed sample plus every point in the lowest 10 %."""
    try:
        hull = points[ConvexHull(points).vertices]
        if len(hull) <= POTENTIAL_SAMPLE:
            return hull
        points = hull
    except Exception:  # noqa: BLE001 - flat or degenerate input: every point is a candidate
        if len(points) <= POTENTIAL_SAMPLE:
            return points
    z = points[:, 2]
    low = z <= z.min() + 0.1 * (z.max() - z.min())
    pick = np.random.default_rng(0).choice(len(points), POTENTIAL_SAMPLE, replace=False)
    keep = np.zeros(len(points), dtype=bool)
    keep[pick] = True
    return points[keep | low]


# --------------------------------------------------------------------------- floating parts


@dataclass
class FloatingParts:
    """Components not supported by the ground through a chain of touching components.

    Attributes:
        n_components: number of connected components.
        floating: labels of the floating components (see :mod:`mme3dr.geometry.components`).
        floating_area_fraction: their share of the total surface area, in [0, 1].
        grounded: labels of the components within ``tol`` of the ground.
        body: ``[n_components]`` which body each component belongs to: components joined by
            a chain of touching components form one body (labels ``0..k-1``).
    """

    n_components: int
    floating: np.ndarray
    floating_area_fraction: float
    grounded: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    body: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

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

    The wall of a sealed void (the inner shell of a hollow solid, facing into the void) is
    joined to the shell around it (:func:`~mme3dr.geometry.cavities.cavity_walls`): it is the
    same solid, not a part. A body enclosed by another without touching it (an engine inside
    a car body, a ball sealed in a box) faces outwards and is floating.
    """
    n, labels = components if components is not None else connected_components(mesh)
    if n == 0:
        return FloatingParts(0, np.zeros(0, np.int64), 0.0)
    stats = component_stats(mesh, labels, n)
    z0 = float(np.nanmin(stats.bounds_min[:, 2]))
    grounded = np.flatnonzero(stats.bounds_min[:, 2] <= z0 + tol)
    if n == 1:
        return FloatingParts(1, np.zeros(0, np.int64), 0.0, grounded, np.zeros(1, np.int64))
    pairs = _bbox_pairs(stats.bounds_min - gap / 2, stats.bounds_max + gap / 2)
    edges = _touching_pairs(mesh, labels, pairs, stats, gap, max_pair_checks)
    graph = coo_matrix(
        (np.ones(len(edges), dtype=np.int8), (edges[:, 0], edges[:, 1])), shape=(n, n)
    )
    _, group = _csgraph_components(graph, directed=False)
    supported = np.isin(group, group[grounded])
    if not supported.all():  # a sealed void's wall is the other side of its shell's solid
        walls = cavity_walls(
            np.asarray(mesh.vertices, dtype=np.float64)[np.asarray(mesh.faces, dtype=np.int64)],
            labels, n, stats.bounds_min, stats.bounds_max, np.flatnonzero(~supported),
        )
        if len(walls):
            edges = np.concatenate([edges.reshape(-1, 2), walls], axis=0)
            graph = coo_matrix(
                (np.ones(len(edges), dtype=np.int8), (edges[:, 0], edges[:, 1])), shape=(n, n)
            )
            _, group = _csgraph_components(graph, directed=False)
            supported = np.isin(group, group[grounded])
    floating = np.flatnonzero(~supported)
    total = float(stats.area.sum())
    frac = float(stats.area[floating].sum() / total) if total > 0 else 0.0
    return FloatingParts(n, floating, frac, grounded, group.astype(np.int64))


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
    use = np.flatnonzero(np.isin(vlab, unique_sorted(pairs)))
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
    f_lo, f_hi = first_min(tri) - gap / 2, first_max(tri) + gap / 2
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
        touching.update(unique_sorted(key[sl][todo][hit]).tolist())
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
