"""Dense surface samples and voxel grids of a normalised mesh.

Most spatial and functional checks (:mod:`mme3dr.checks`) work on
a boolean occupancy grid rather than on triangles: a grid does not care about duplicated
vertices, inverted or inconsistent normals, re-triangulation, self-intersections or small
cracks, and flood fills on it are fast.

How a grid is made (:func:`voxelize`):

1. **surface samples** (:func:`surface_samples`): every triangle is covered by a barycentric
   lattice whose spacing is at most ``spacing`` (half a voxel by default), so no triangle is
   skipped, however thin; the samples are deterministic (no random seed involved).
2. **surface voxels**: each voxel holding at least one sample.
3. **sealing**: a morphological closing (``close_iterations`` voxels, 3x3x3 structuring
   element) bridges cracks up to about ``2 * close_iterations`` voxels wide.
4. **solid**: every voxel that the outside air cannot reach (6-connected flood from the grid
   border) is solid, so closed shells become filled bodies and sealed interior cavities are
   filled too.

Conventions: the grid is axis-aligned with the asset frame (+Z up), ``pitch`` is the voxel
edge length in normalised units (``max extent / resolution``), and the grid has ``pad`` empty
voxels on every side so that flood fills from the border reach around the object. Voxel
``(i, j, k)`` covers ``origin + pitch * [i, i + 1) x [j, j + 1) x [k, k + 1)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import trimesh
from scipy import ndimage

from mme3dr.geometry.indices import unique_sorted
from mme3dr.geometry.triples import first_max, first_mean, first_min

#: default voxel resolution along the largest extent of the asset (64 voxels = 1.6 % each).
DEFAULT_RESOLUTION = 64

#: empty voxels added on every side of the grid.
DEFAULT_PAD = 3

#: 6-connectivity (faces) and 26-connectivity (faces, edges, corners) structuring elements.
CONNECT6 = ndimage.generate_binary_structure(3, 1)
CONNECT26 = ndimage.generate_binary_structure(3, 3)


@dataclass(frozen=True)
class SurfaceSamples:
    """Points on the surface of a mesh with the face each came from.

    Attributes:
        points: ``(n, 3)`` float positions, normalised units.
        faces: ``(n,)`` int index of the face each point lies on.
        spacing: the largest lattice step used on any triangle.
    """

    points: np.ndarray
    faces: np.ndarray
    spacing: float


@dataclass(frozen=True)
class VoxelGrid:
    """An occupancy grid of a mesh.

    Attributes:
        surface: ``(nx, ny, nz)`` bool, voxels touched by the surface (before sealing).
        solid: ``(nx, ny, nz)`` bool, the sealed, filled body (see module docstring).
        origin: ``(3,)`` world position of the corner of voxel ``(0, 0, 0)``.
        pitch: voxel edge length, normalised units.
        resolution: voxels along the largest extent of the mesh (padding excluded).
        pad: empty voxels on every side.
        top: ``(nx, ny, nz)`` float32, the highest surface-sample z inside each surface voxel
            (NaN elsewhere); lets flatness tests see sub-voxel heights.
    """

    surface: np.ndarray
    solid: np.ndarray
    origin: np.ndarray
    pitch: float
    resolution: int
    pad: int
    top: np.ndarray | None = None
    _derived: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def cached(self, fn: Callable[[VoxelGrid], np.ndarray]) -> np.ndarray:
        """``fn(self)``, computed once per grid and shared (read-only): for grids derived from
        the asset's shared grid by several checks (the distance to the surface, the dilated
        surface). ``fn`` must be a module-level function of the grid alone; the cache key is
        its module and qualified name (the rule of :func:`mme3dr.assets.measure_key`, repeated
        here because geometry must not import assets: the layers form a DAG)."""
        key = (getattr(fn, "__module__", ""), getattr(fn, "__qualname__", ""))
        if not key[0] or not key[1] or "<" in key[1]:
            raise ValueError(f"cached() needs a module-level function, got {fn!r}")
        if key not in self._derived:
            value = np.asarray(fn(self))
            value.flags.writeable = False
            self._derived[key] = value
        return self._derived[key]

    @property
    def shape(self) -> tuple[int, int, int]:
        return tuple(self.solid.shape)  # type: ignore[return-value]

    def index(self, points: np.ndarray) -> np.ndarray:
        """Integer voxel indices ``(n, 3)`` of world ``points`` (may fall outside the grid)."""
        return np.floor((np.asarray(points, dtype=float) - self.origin) / self.pitch).astype(
            np.int64
        )

    def lookup(self, grid: np.ndarray, points: np.ndarray) -> np.ndarray:
        """``grid`` values at world ``points``; points outside the grid read ``False``."""
        idx = self.index(points)
        inside = np.all((idx >= 0) & (idx < np.array(grid.shape)), axis=1)
        out = np.zeros(len(idx), dtype=bool)
        i = idx[inside]
        out[inside] = grid[i[:, 0], i[:, 1], i[:, 2]]
        return out

    def centers(self, axis: int) -> np.ndarray:
        """World coordinates of the voxel centres along ``axis`` (0 = x, 1 = y, 2 = z)."""
        return self.origin[axis] + self.pitch * (np.arange(self.shape[axis]) + 0.5)

    @property
    def voxel_volume(self) -> float:
        return self.pitch**3


#: faces processed at once by :func:`surface_samples` (bounds its temporary memory).
CHUNK_FACES = 1 << 17


def surface_samples(mesh: trimesh.Trimesh, spacing: float) -> SurfaceSamples:
    """Points covering every triangle of ``mesh`` at a step of at most ``spacing``.

    Works at any mesh density: a triangle whose three edges are all within ``spacing`` (the
    usual case for a dense marching-cubes export, whose triangles are far smaller than a
    voxel) is represented by its centroid alone, which is within ``spacing / sqrt(3)`` of every
    point of the triangle; larger triangles get a barycentric lattice. Either way every surface
    point is within about ``spacing`` of a sample, so a coarse mesh and a dense mesh of the same
    shape mark the same voxels up to the voxel boundaries the surface grazes.

    Lattice: each large triangle ``(a, b, c)`` is reordered so that ``a -> b`` is its shortest
    edge; the lattice ``a + i/k1 (b - a) + j/k2 (c - a)`` with ``k1 = ceil(|ab| / spacing)``,
    ``k2 = ceil(|ac| / spacing)`` and ``i/k1 + j/k2 <= 1`` covers it with cells whose sides are
    at most ``spacing``, and the edge ``b -> c`` is sampled at the same step. The point count is
    proportional to the area (plus the perimeter), so long thin slivers cost little.

    Faces are processed in chunks of :data:`CHUNK_FACES`, so the temporary memory is bounded
    whatever the face count; the result holds at most one point per small face plus the
    lattice points of the large ones. Deterministic (no random seed); degenerate triangles
    yield points along their edges.

    Args:
        mesh: any triangle mesh (normalised units).
        spacing: the largest lattice step, normalised units (half a voxel for the grids).
    """
    if not spacing > 0:
        raise ValueError(f"spacing must be positive, got {spacing}")
    vertices = np.asarray(mesh.vertices, dtype=np.float64)
    faces = np.asarray(mesh.faces, dtype=np.int64)
    points, owners = [], []
    for start in range(0, len(faces), CHUNK_FACES):
        p, f = _chunk_samples(vertices[faces[start : start + CHUNK_FACES]], spacing)
        points += p  # pieces, concatenated once below (each copy of the samples costs)
        owners += [x + start for x in f]
    if not points:
        return SurfaceSamples(np.zeros((0, 3)), np.zeros(0, dtype=np.int64), float(spacing))
    return SurfaceSamples(
        np.concatenate(points), np.concatenate(owners).astype(np.int64), float(spacing)
    )


def surface_points(mesh: trimesh.Trimesh, spacing: float) -> SurfaceSamples:
    """Points covering every triangle of ``mesh`` at a step of at most ``spacing``, each
    shared point once: the vertices, the points dividing each edge (``ceil(length /
    spacing)`` equal steps, an edge shared by two faces sampled once) and, inside each
    triangle, the interior points of the barycentric lattice of :func:`surface_samples`.

    The same cover as :func:`surface_samples` (whose lattice also steps each triangle's two
    lattice edges at ``ceil(length / spacing)`` and its third edge at least that finely), but
    without the copies a point on an edge or at a vertex gets from every face around it, and
    a triangle with all edges within ``spacing`` adds no centroid (its vertices are within
    ``spacing`` of every point of it). On a dense mesh that is about a third of the points.
    Each point's ``faces`` entry is one face it lies on. For grids that need the points only
    (the ``through_holes`` voxel route); the shared grid keeps :func:`surface_samples`, whose
    per-face samples weigh part areas.

    Args:
        mesh: any triangle mesh (normalised units).
        spacing: the largest step, normalised units.
    """
    if not spacing > 0:
        raise ValueError(f"spacing must be positive, got {spacing}")
    vertices = np.asarray(mesh.vertices, dtype=np.float64)
    faces = np.asarray(mesh.faces, dtype=np.int64)
    if len(faces) == 0:
        return SurfaceSamples(np.zeros((0, 3)), np.zeros(0, dtype=np.int64), float(spacing))
    owner = np.full(len(vertices), -1, dtype=np.int64)
    owner[faces.ravel()] = np.repeat(np.arange(len(faces)), 3)
    used = np.flatnonzero(owner >= 0)
    points, owners = [vertices[used]], [owner[used]]
    # every edge once, from its lower vertex index to its higher (face-major: edge e of face
    # f, joining corners e and (e + 1) % 3, is half-edge 3 f + e)
    turned = np.roll(faces, -1, axis=1)
    lo_end, hi_end = np.minimum(faces, turned).ravel(), np.maximum(faces, turned).ravel()
    key = lo_end * len(vertices) + hi_end
    key, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    edge_face = first // 3
    p0, p1 = vertices[lo_end[first]], vertices[hi_end[first]]
    edge_length = _lengths(p1 - p0)
    steps = np.ceil(edge_length / spacing).astype(np.int64)
    long = np.flatnonzero(steps > 1)
    for sel in _groups(steps[long]) if len(long) else []:
        sel = long[sel]
        m = int(steps[sel[0]])
        t = np.arange(1, m) / m
        pts = p0[sel, None, :] + t[None, :, None] * (p1 - p0)[sel, None, :]
        points.append(pts.reshape(-1, 3))
        owners.append(np.repeat(edge_face[sel], len(t)))
    # lattice points strictly inside each triangle (as in _lattice): only triangles whose
    # shortest edge is over ``spacing`` have any (k1, k2 >= 2 and not both 2)
    # (each face's edge lengths are its unique edges' lengths: the same differences, negated)
    lengths = edge_length[inverse.reshape(-1, 3)]
    which = np.flatnonzero(first_min(lengths) > spacing)
    tri, side = _shortest_edge_first(vertices[faces[which]], lengths[which])
    a = tri[:, 0]
    u, v = tri[:, 1] - a, tri[:, 2] - a
    k1 = np.maximum(1, np.ceil(side[:, 0] / spacing)).astype(np.int64)
    k2 = np.maximum(1, np.ceil(side[:, 1] / spacing)).astype(np.int64)
    inner = np.flatnonzero((k1 >= 2) & (k2 >= 2) & (k1 + k2 >= 5))  # else no interior point
    key2 = k1[inner] * (int(k2.max(initial=0)) + 1) + k2[inner]
    for sel in _groups(key2) if len(inner) else []:
        sel = inner[sel]
        kk1, kk2 = int(k1[sel[0]]), int(k2[sel[0]])
        i, j = np.meshgrid(np.arange(1, kk1), np.arange(1, kk2), indexing="ij")
        keep = (i * kk2 + j * kk1) < kk1 * kk2
        t1, t2 = i[keep] / kk1, j[keep] / kk2
        if len(t1) == 0:
            continue
        pts = t1[None, :, None] * u[sel, None, :]
        pts += a[sel, None, :]
        pts += t2[None, :, None] * v[sel, None, :]
        points.append(pts.reshape(-1, 3))
        owners.append(np.repeat(which[sel], len(t1)))
    return SurfaceSamples(np.concatenate(points), np.concatenate(owners), float(spacing))


def _chunk_samples(
    tri: np.ndarray, spacing: float
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Samples of the triangles ``tri`` ``(n, 3, 3)`` and the index of the one each came
    from, as lists of pieces (concatenated once by :func:`surface_samples`)."""
    lengths = np.stack(
        [
            _lengths(tri[:, 1] - tri[:, 0]),  # edge 0-1
            _lengths(tri[:, 2] - tri[:, 1]),  # edge 1-2
            _lengths(tri[:, 0] - tri[:, 2]),  # edge 2-0
        ],
        axis=1,
    )
    small = first_max(lengths) <= spacing
    out_p = [first_mean(tri[small])]
    out_f = [np.nonzero(small)[0]]
    big = np.nonzero(~small)[0]
    if len(big):
        p, f = _lattice(tri[big], lengths[big], spacing)
        out_p += p
        out_f += [big[x] for x in f]
    return out_p, out_f


def _lattice(
    tri: np.ndarray, lengths: np.ndarray, spacing: float
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Barycentric lattice samples of large triangles (see :func:`surface_samples`), as lists
    of pieces (points, index of the triangle of each)."""
    tri, side = _shortest_edge_first(tri, lengths)
    a, b, c = tri[:, 0], tri[:, 1], tri[:, 2]
    u, v = b - a, c - a
    k1 = np.maximum(1, np.ceil(side[:, 0] / spacing)).astype(np.int64)
    k2 = np.maximum(1, np.ceil(side[:, 1] / spacing)).astype(np.int64)
    m = np.maximum(1, np.ceil(side[:, 2] / spacing)).astype(np.int64)
    # interior lattice, grouped by (k1, k2) so each group is one broadcast against a template
    # of (i / k1, j / k2) with i / k1 + j / k2 <= 1; likewise the edge b -> c grouped by m
    out_p, out_f = [], []
    key = k1 * (int(k2.max()) + 1) + k2
    for sel in _groups(key):
        t1, t2 = _template(int(k1[sel[0]]), int(k2[sel[0]]))
        # a + t1 u + t2 v, summed in that order, with one temporary less
        pts = t1[None, :, None] * u[sel, None, :]
        pts += a[sel, None, :]
        pts += t2[None, :, None] * v[sel, None, :]
        out_p.append(pts.reshape(-1, 3))
        out_f.append(np.repeat(sel, len(t1)))
    for sel in _groups(m):
        mm = int(m[sel[0]])
        t = np.arange(1, mm) / mm  # the end points are corners b and c, already sampled
        if len(t) == 0:
            continue
        pts = b[sel, None, :] + t[None, :, None] * (c - b)[sel, None, :]
        out_p.append(pts.reshape(-1, 3))
        out_f.append(np.repeat(sel, len(t)))
    return out_p, out_f


def _shortest_edge_first(tri: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The triangles ``tri`` ``[n, 3, 3]`` (edge lengths ``lengths``, edge ``e`` joining
    corners ``e`` and ``(e + 1) % 3``) reordered so that corners 0 -> 1 are the shortest
    edge, starting at its lexicographically smaller end, so the lattice does not depend on
    the triangle's winding (flipped triangles sample the same). Returns the new corners and
    the lengths ``[n, 3]`` of their edges 0-1, 0-2 and 1-2 (the given ones, permuted: an
    edge's length does not depend on its direction)."""
    n = len(tri)
    base = np.arange(n) * 3  # rows of the (3 n, 3) corner list and the 3 n edge lengths
    shortest = np.argmin(lengths, axis=1)
    nxt, last = (shortest + 1) % 3, (shortest + 2) % 3
    corners = np.asarray(tri).reshape(-1, 3)
    swap = _lex_greater(np.take(corners, base + shortest, axis=0),
                        np.take(corners, base + nxt, axis=0))
    order = np.stack([np.where(swap, nxt, shortest), np.where(swap, shortest, nxt), last], axis=1)
    out = np.take(corners, (base[:, None] + order).ravel(), axis=0).reshape(n, 3, 3)
    # 0-2 is edge `last` (corners last, shortest) unless swapped; 1-2 is edge `nxt` unless
    edge = np.stack([shortest, np.where(swap, nxt, last), np.where(swap, last, nxt)], axis=1)
    side = np.take(np.asarray(lengths).ravel(), (base[:, None] + edge).ravel()).reshape(n, 3)
    return out, side


def _lengths(d: np.ndarray) -> np.ndarray:
    """Row lengths of ``d`` ``[n, 3]``: ``np.linalg.norm(d, axis=1)`` summed in the same
    order (the same values), without its slow reduction over a 3-long axis."""
    x, y, z = d[:, 0], d[:, 1], d[:, 2]
    return np.sqrt(x * x + y * y + z * z)


def _groups(key: np.ndarray) -> list[np.ndarray]:
    """Indices of ``key`` grouped by value, groups in increasing value, indices increasing
    within a group (one stable sort instead of a scan per value)."""
    order = np.argsort(key, kind="stable")
    ks = key[order]
    cuts = np.flatnonzero(ks[1:] != ks[:-1]) + 1
    return np.split(order, cuts)


def _lex_greater(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Row-wise ``p > q`` in lexicographic (x, then y, then z) order."""
    out = np.zeros(len(p), dtype=bool)
    undecided = np.ones(len(p), dtype=bool)
    for axis in range(3):
        out |= undecided & (p[:, axis] > q[:, axis])
        undecided &= p[:, axis] == q[:, axis]
    return out


def _template(k1: int, k2: int) -> tuple[np.ndarray, np.ndarray]:
    """Lattice fractions ``(i / k1, j / k2)`` with ``i / k1 + j / k2 <= 1`` (corner c too)."""
    i, j = np.meshgrid(np.arange(k1 + 1), np.arange(k2 + 1), indexing="ij")
    keep = (i * k2 + j * k1) <= k1 * k2
    return (i[keep] / k1).astype(np.float64), (j[keep] / k2).astype(np.float64)


def voxelize(
    mesh: trimesh.Trimesh,
    resolution: int = DEFAULT_RESOLUTION,
    close_iterations: int = 1,
    pad: int = DEFAULT_PAD,
    samples: SurfaceSamples | None = None,
    max_step: float = 0.5,
    heights: bool = True,
) -> VoxelGrid:
    """Voxelise ``mesh`` into surface and sealed solid occupancy (see the module docstring).

    Args:
        mesh: the normalised mesh.
        resolution: voxels along the largest bounding-box extent.
        close_iterations: closing radius in voxels used to seal cracks (0 disables sealing).
        pad: empty voxels on each side (at least ``close_iterations + 1``).
        samples: surface samples with spacing at most ``max_step * pitch``; computed (at that
            spacing) when omitted or coarser.
        max_step: the largest sample spacing allowed, in voxels (half a voxel by default; the
            closing seals the rare one-voxel gaps a coarser step can leave).
        heights: whether to record ``top`` (the highest sample per surface voxel; ``None``
            without it, which saves a scatter over every sample).
    """
    if resolution < 4:
        raise ValueError(f"resolution must be at least 4, got {resolution}")
    pad = max(pad, close_iterations + 1)
    lo, hi = np.asarray(mesh.bounds, dtype=float)
    extent = float((hi - lo).max())
    pitch = extent / resolution
    dims = np.ceil((hi - lo) / pitch - 1e-9).astype(np.int64)
    dims = np.maximum(dims, 1) + 2 * pad
    origin = lo - pad * pitch
    if samples is None or samples.spacing > max_step * pitch + 1e-12:
        samples = surface_samples(mesh, max_step * pitch)
    idx = np.floor((samples.points - origin) / pitch).astype(np.int64)
    idx = np.clip(idx, 0, dims - 1)
    flat = (idx[:, 0] * dims[1] + idx[:, 1]) * dims[2] + idx[:, 2]  # C-order voxel index
    size = int(np.prod(dims))
    surface = np.zeros(size, dtype=bool)
    surface[flat] = True
    surface = surface.reshape(tuple(dims))
    top = None
    if heights:
        top = np.full(size, -np.inf, dtype=np.float32)
        np.maximum.at(top, flat, samples.points[:, 2].astype(np.float32))
        top = top.reshape(tuple(dims))
        top[~surface] = np.nan
    sealed = surface
    if close_iterations > 0:
        sealed = close26(surface, close_iterations)
    solid = fill_enclosed(sealed)
    return VoxelGrid(
        surface=surface,
        solid=solid,
        origin=origin,
        pitch=pitch,
        resolution=resolution,
        pad=pad,
        top=top,
    )


def surface_depth(grid: VoxelGrid) -> np.ndarray:
    """Euclidean distance (voxels, float64) from each voxel centre of ``grid`` to the nearest
    surface voxel centre (0 on the surface). Share it with ``grid.cached(surface_depth)``."""
    return ndimage.distance_transform_edt(~grid.surface)


def close26(occupied: np.ndarray, iterations: int = 1) -> np.ndarray:
    """Morphological closing by the 3x3x3 cube, ``iterations`` times:
    ``ndimage.binary_closing(occupied, structure=CONNECT26, iterations=iterations)`` (outside
    the grid counts as empty), computed with the cube's separability as 1-D maxima then 1-D
    minima of 3 voxels along each axis (the same voxels, a fraction of the time)."""
    out = np.asarray(occupied, dtype=bool)
    for op in (ndimage.maximum_filter1d, ndimage.minimum_filter1d):
        for _ in range(iterations):
            for axis in range(out.ndim):
                out = op(out, 3, axis=axis, mode="constant", cval=0)
    return out


def outside_air(occupied: np.ndarray) -> np.ndarray:
    """Empty voxels 6-connected to the grid border (the air around the object)."""
    labels, _ = ndimage.label(~occupied, structure=CONNECT6)
    border = unique_sorted(
        np.concatenate(
            [
                labels[0].ravel(), labels[-1].ravel(),
                labels[:, 0].ravel(), labels[:, -1].ravel(),
                labels[:, :, 0].ravel(), labels[:, :, -1].ravel(),
            ]
        )
    )
    border = border[border > 0]
    return np.isin(labels, border)


def fill_enclosed(occupied: np.ndarray) -> np.ndarray:
    """``occupied`` plus every empty voxel the border air cannot reach (6-connected)."""
    return ~outside_air(occupied)


def asset_voxels(asset, resolution: int, close_iterations: int) -> VoxelGrid:
    """The asset's sealed voxel grid (:func:`voxelize` of ``asset.mesh`` on its shared
    surface samples). Call through :func:`cached_voxels`, which caches it on the asset."""
    return voxelize(
        asset.mesh,
        resolution=resolution,
        close_iterations=close_iterations,
        samples=cached_samples(asset, resolution),
    )


def asset_samples(asset, resolution: int) -> SurfaceSamples:
    """Surface samples of ``asset.mesh`` with spacing half a voxel at ``resolution``. Call
    through :func:`cached_samples`."""
    mesh = asset.mesh
    extent = float((mesh.bounds[1] - mesh.bounds[0]).max())
    return surface_samples(mesh, extent / resolution / 2)


def cached_voxels(asset, resolution: int = DEFAULT_RESOLUTION, close_iterations: int = 1):
    """The asset's voxel grid at ``resolution``, computed once per asset and shared
    (:meth:`mme3dr.assets.Asset.measure` of :func:`asset_voxels`; the dense surface samples
    are shared too, :func:`cached_samples`)."""
    return asset.measure(
        asset_voxels, resolution=int(resolution), close_iterations=int(close_iterations)
    )


def cached_samples(asset, resolution: int = DEFAULT_RESOLUTION) -> SurfaceSamples:
    """Surface samples with spacing half a voxel at ``resolution`` (shared through the cache)."""
    return asset.measure(asset_samples, resolution=int(resolution))
