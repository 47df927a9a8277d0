"""Where a mesh touches the ground: contact regions, the support polygon and the contact area.

Method (all vectorised):

1. the ground is the plane ``z = ground`` (``0`` for a normalised asset; by default the lowest
   vertex of the mesh, which is the same thing for an asset);
2. every triangle is clipped to the slab ``z <= ground + tol``; what is left is the geometry
   that "touches" the ground (``tol`` is in normalised units, i.e. a fraction of the largest
   extent; the default 0.01 is 1 %);
3. the xy projection of that geometry is rasterised on a square grid (``resolution`` cells
   along the longer side of the footprint): the pixel centres inside each clipped triangle and
   the pixels crossed by its edges (so vertical walls, which project to lines, are drawn);
4. the 8-connected pieces of the mask are patches; patches closer than ``merge_gap`` in top
   view (a Euclidean distance transform of the mask thresholded at ``merge_gap / 2``) are one
   region only when the surface also joins them in 3D low down: a connected piece of the mesh
   clipped to ``z <= ground + tol + merge_gap`` draws both (a crease, a shallow groove, a sole
   in fragments). Two feet side by side, joined only at the hips, stay two contacts however
   close their footprints are. Regions are labelled with :func:`scipy.ndimage.label` and a
   sparse-graph connected-components pass.

The pixel size is ``span / resolution`` of the near-ground footprint, never finer than
``max(merge_gap, tol) / 8`` and coarsened when the triangles would need more than
:data:`MAX_RASTER_WORK` pixel tests, so the raster (about ``resolution + 20`` cells a side at
most) and the time are bounded whatever the geometry (a speck of a footprint under a long
spike, a soup of large overlapping triangles).

This counts the four legs of a table even when legs and top are one fused mesh, and is
invariant to yaw, uniform scale, re-triangulation and mild vertex noise (anything that keeps
the near-ground geometry within ``tol``). Feet that are not coplanar still count as long as
each reaches within ``tol`` of the lowest point.

What it cannot see: a contact that is lower than ``tol`` but does not bear weight (a tail that
dips to the floor counts as a contact); geometry that stops just above ``tol`` (a leg 2 %
short is not a contact); regions closer than ``merge_gap`` and joined within ``merge_gap``
above the band merge into one (toes joined higher than that count separately); rounded bottoms
produce a band-shaped "contact" whose size grows with ``sqrt(tol)``. The support polygon is
the convex hull of all clipped near-ground vertices, so it is slightly generous for rounded
feet.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import trimesh
from scipy import ndimage
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import ConvexHull, QhullError

from mme3dr.geometry.indices import referenced_vertices, unique_sorted


@dataclass
class GroundContacts:
    """Contacts of a mesh with the ground plane.

    Attributes:
        n_regions: number of separate contact regions (legs, feet, a base...).
        region_points: one ``[k, 2]`` array of xy points per region (the vertices of the
            clipped near-ground geometry falling in that region), ordered by decreasing size.
        region_areas: approximate xy area of each region, normalised units squared.
        support_polygon: ``[k, 2]`` convex hull of all contact points, counter-clockwise;
            a single point gives ``[1, 2]``, collinear points give the two end points
            ``[2, 2]``, no contact gives ``[0, 2]``.
        contact_area: approximate total xy area touching the ground (rasterised), normalised
            units squared.
        tol: the height band used, normalised units.
        ground: the z of the ground plane used.
    """

    n_regions: int
    region_points: list[np.ndarray]
    support_polygon: np.ndarray
    contact_area: float
    region_areas: list[float] = field(default_factory=list)
    tol: float = 0.01
    ground: float = 0.0


def ground_contacts(
    mesh: trimesh.Trimesh,
    tol: float = 0.01,
    *,
    ground: float | None = None,
    resolution: int = 256,
    merge_gap: float = 0.02,
) -> GroundContacts:
    """Find the regions where ``mesh`` touches the ground plane (see the module docstring).

    Args:
        mesh: a normalised, +Z-up mesh.
        tol: height band above the ground that counts as touching, normalised units.
        ground: z of the ground plane; ``None`` uses the lowest vertex (``0`` for an asset).
        resolution: raster cells along the longer side of the near-ground footprint.
        merge_gap: regions closer than this (normalised units) count as one.
    """
    vertices = np.asarray(mesh.vertices, dtype=np.float64)
    faces = np.asarray(mesh.faces, dtype=np.int64)
    if len(faces) == 0:
        return GroundContacts(0, [], np.zeros((0, 2)), 0.0, [], tol, 0.0)
    if ground is None:
        z0 = float(vertices[referenced_vertices(faces, len(vertices)), 2].min())
    else:
        z0 = float(ground)
    triangles, source = clip_below_indexed(vertices[faces], z0 + tol)
    if len(triangles) == 0:
        return GroundContacts(0, [], np.zeros((0, 2)), 0.0, [], tol, z0)
    xy = triangles[:, :, :2]
    points = xy.reshape(-1, 2)
    lo = points.min(axis=0)
    pixel = raster_pixel(xy, resolution, merge_gap, tol)
    # pad by enough pixels for the merge gap so distance fields are not cut at the border
    pad = int(np.ceil(merge_gap / pixel)) + 2
    origin = lo - pad * pixel
    shape = tuple(np.ceil((points.max(axis=0) - origin) / pixel).astype(int) + pad + 1)
    mask = _rasterise(xy, origin, pixel, shape)
    labels = _regions(mask, pixel, merge_gap, xy, origin, source, vertices, faces, z0 + tol)
    n_labels = int(labels.max())
    pixel_counts = np.bincount(labels.reshape(-1), minlength=n_labels + 1)[1:]
    # order regions by decreasing size for stable, readable output
    order = np.argsort(-pixel_counts, kind="stable")
    point_group = labels[tuple(_cells(points, origin, pixel, shape).T)]
    region_points = []
    region_areas = []
    for g in order:
        pts = np.unique(points[point_group == g + 1], axis=0)
        if pixel_counts[g] == 0 or len(pts) == 0:
            continue
        region_points.append(pts)
        region_areas.append(float(pixel_counts[g]) * pixel * pixel)
    support = support_polygon(np.concatenate(region_points)) if region_points else np.zeros((0, 2))
    return GroundContacts(
        n_regions=len(region_points),
        region_points=region_points,
        support_polygon=support,
        contact_area=float(mask.sum()) * pixel * pixel,
        region_areas=region_areas,
        tol=tol,
        ground=z0,
    )


#: most raster cells (interior tests plus edge samples) one :func:`ground_contacts` call may
#: touch; a footprint whose triangles would need more gets coarser pixels instead.
MAX_RASTER_WORK = 4_000_000
#: the finest pixel is this fraction of the larger of ``merge_gap`` and ``tol``: finer pixels
#: cannot change which regions merge, and would let a tiny footprint (a mesh whose near-ground
#: part is a speck, e.g. an object with one far vertex) ask for an unbounded padded grid.
MIN_PIXEL_FRACTION = 1.0 / 8.0


def raster_pixel(xy: np.ndarray, resolution: int, merge_gap: float, tol: float) -> float:
    """Pixel size (normalised units) of the contact raster of 2D triangles ``xy`` ``[m, 3, 2]``.

    ``span / resolution`` for the footprint's longer side ``span``, but never finer than
    ``MIN_PIXEL_FRACTION * max(merge_gap, tol)`` (so the padded grid has at most about
    ``resolution + 20`` cells a side), and coarsened until the rasterising work (pixel centres
    in the triangles' bounding boxes plus edge samples) is at most :data:`MAX_RASTER_WORK`, so
    time and memory are bounded whatever the geometry (a soup of large overlapping triangles).
    """
    points = xy.reshape(-1, 2)
    span = float((points.max(axis=0) - points.min(axis=0)).max()) if len(points) else 0.0
    floor = MIN_PIXEL_FRACTION * max(float(merge_gap), float(tol), 1e-6)
    pixel = max(span / max(int(resolution), 1), floor)
    extent = xy.max(axis=1) - xy.min(axis=1)
    box_area = float(((extent[:, 0] + 2 * pixel) * (extent[:, 1] + 2 * pixel)).sum())
    edge_length = float(np.linalg.norm(xy - np.roll(xy, -1, axis=1), axis=2).sum())
    for _ in range(60):  # the work falls at least quadratically-or-linearly in the pixel size
        work = box_area / pixel**2 + 3.0 * edge_length / pixel + 4 * len(xy)
        if work <= MAX_RASTER_WORK:
            break
        pixel *= max(1.25, float(np.sqrt(work / MAX_RASTER_WORK)))
        box_area = float(((extent[:, 0] + 2 * pixel) * (extent[:, 1] + 2 * pixel)).sum())
    return pixel


def _cells(points: np.ndarray, origin: np.ndarray, pixel: float, shape: tuple) -> np.ndarray:
    """Raster cell ``[k, 2]`` of each 2D point (the same rule as the rasteriser's marks)."""
    cells = np.floor((points - origin) / pixel).astype(np.int64)
    return np.clip(cells, 0, np.array(shape) - 1)


def _regions(
    mask: np.ndarray,
    pixel: float,
    merge_gap: float,
    xy: np.ndarray,
    origin: np.ndarray,
    source: np.ndarray,
    vertices: np.ndarray,
    faces: np.ndarray,
    z_band: float,
) -> np.ndarray:
    """Contact-region label of every pixel (0 outside the mask, regions 1..n).

    Patches are the 8-connected pieces of the mask. Two patches are one region when they are
    closer than ``merge_gap`` in top view (the distance transform of the mask thresholded at
    half the gap) **and** the surface joins them in 3D low down: some connected piece of the
    mesh clipped to ``z <= z_band + merge_gap`` draws both (a crease, a shallow groove, a
    ring of fragments). Patches joined only higher up (two feet side by side, joined at the
    hips) stay separate however close their footprints are.
    """
    structure = np.ones((3, 3), dtype=bool)
    patches, n_patches = ndimage.label(mask, structure=structure)
    if n_patches <= 1:
        return patches
    near = _within(mask, max(merge_gap / 2 / pixel, 0.0))
    groups, _ = ndimage.label(near, structure=structure)
    cells = _cells(xy[:, 0], origin, pixel, mask.shape)
    tri_patch = patches[cells[:, 0], cells[:, 1]]
    tri_group = groups[cells[:, 0], cells[:, 1]]
    piece = _low_pieces(vertices, faces, z_band + merge_gap)[source]
    # bipartite graph: patch nodes 0..n_patches, and one node per (low piece, near group)
    key = piece * (int(tri_group.max()) + 1) + tri_group
    _, link = np.unique(key, return_inverse=True)
    n_nodes = n_patches + 1 + int(link.max()) + 1
    graph = coo_matrix(
        (np.ones(len(link), np.int8), (tri_patch, n_patches + 1 + link.reshape(-1))),
        shape=(n_nodes, n_nodes),
    )
    _, comp = connected_components(graph, directed=False)
    # renumber the patches' components 1..n (patch 0 is the background)
    _, region = np.unique(comp[1 : n_patches + 1], return_inverse=True)
    lookup = np.concatenate([[0], region.reshape(-1) + 1])
    return lookup[patches]


#: :func:`_within` dilates by a disc of at most this radius (pixels), column by column; a
#: larger radius takes the distance transform (the same set, slower for small radii)
_DISC_RADIUS = 8


def _within(mask: np.ndarray, radius: float) -> np.ndarray:
    """Pixels whose centre is within ``radius`` (pixel units) of the centre of a pixel of
    ``mask``: ``distance_transform_edt(~mask) <= radius``, computed as the dilation of ``mask``
    by the disc of the offsets ``(dx, dy)`` with ``sqrt(dx**2 + dy**2) <= radius`` (the same
    float test as the distance transform's, on its exact integer squared distances): the
    union over the disc's columns ``dx`` of the mask dilated by ``[-h, h]`` along y and
    shifted by ``dx``."""
    if radius > _DISC_RADIUS:
        return ndimage.distance_transform_edt(~mask) <= radius
    r = int(np.floor(radius)) + 1
    dx, dy = np.mgrid[-r : r + 1, -r : r + 1]
    disc = np.sqrt((dx * dx + dy * dy).astype(np.float64)) <= radius
    reach = np.where(disc.any(axis=1), np.abs(np.where(disc, dy, 0)).max(axis=1), -1)
    out = np.zeros_like(mask)
    n = mask.shape[0]
    columns: dict[int, np.ndarray] = {}
    for shift, h in zip(range(-r, r + 1), reach.tolist(), strict=True):
        if h < 0 or abs(shift) >= n:
            continue
        if h not in columns:
            columns[h] = mask if h == 0 else ndimage.maximum_filter1d(
                mask, 2 * h + 1, axis=1, mode="constant", cval=0)
        grown = columns[h]
        if shift >= 0:  # out[x] |= grown[x - shift]
            out[shift:] |= grown[: n - shift]
        else:
            out[: n + shift] |= grown[-shift:]
    return out


def _low_pieces(vertices: np.ndarray, faces: np.ndarray, z_max: float) -> np.ndarray:
    """Per face: which connected piece of the mesh clipped to ``z <= z_max`` it belongs to.

    Clipped faces connect through their shared vertices below ``z_max`` (an edge crossing the
    plane connects through its lower end); faces entirely above get their own labels.
    """
    n_faces, n_vertices = len(faces), len(vertices)
    low = vertices[faces, 2] <= z_max  # [f, 3]
    f_idx = np.repeat(np.arange(n_faces), 3)[low.reshape(-1)]
    v_idx = faces.reshape(-1)[low.reshape(-1)]
    graph = coo_matrix(
        (np.ones(len(f_idx), np.int8), (f_idx, n_faces + v_idx)),
        shape=(n_faces + n_vertices, n_faces + n_vertices),
    )
    _, comp = connected_components(graph, directed=False)
    return comp[:n_faces].astype(np.int64)


def clip_below(triangles: np.ndarray, z_max: float) -> np.ndarray:
    """Clip triangles ``[m, 3, 3]`` to the half-space ``z <= z_max``; returns ``[k, 3, 3]``.

    A triangle fully below is kept, one fully above is dropped, one crossing the plane becomes
    one triangle (one vertex below) or two triangles (two vertices below).
    """
    return clip_below_indexed(triangles, z_max)[0]


def clip_below_indexed(triangles: np.ndarray, z_max: float) -> tuple[np.ndarray, np.ndarray]:
    """:func:`clip_below`, also returning for each output triangle the index of its source."""
    triangles = np.asarray(triangles, dtype=np.float64)
    below = triangles[:, :, 2] <= z_max
    count = below.sum(axis=1)
    out = [triangles[count == 3]]
    src = [np.flatnonzero(count == 3)]
    for n_below in (1, 2):
        sel = triangles[count == n_below]
        if len(sel) == 0:
            continue
        ids = np.flatnonzero(count == n_below)
        flags = below[count == n_below]
        # roll each triangle so the odd vertex (the lone one below, or the lone one above)
        # comes first; rolling keeps the winding
        odd = np.argmax(flags if n_below == 1 else ~flags, axis=1)
        idx = (odd[:, None] + np.arange(3)[None, :]) % 3
        tri = np.take_along_axis(sel, idx[:, :, None], axis=1)
        a, b, c = tri[:, 0], tri[:, 1], tri[:, 2]
        ab = _cut(a, b, z_max)
        ac = _cut(a, c, z_max)
        if n_below == 1:  # a below, b and c above
            out.append(np.stack([a, ab, ac], axis=1))
            src.append(ids)
        else:  # a above, b and c below: quad b, c, ca, ab
            out.append(np.stack([b, c, ac], axis=1))
            out.append(np.stack([b, ac, ab], axis=1))
            src.extend([ids, ids])
    return np.concatenate(out, axis=0), np.concatenate(src).astype(np.int64)


def _cut(p: np.ndarray, q: np.ndarray, z: float) -> np.ndarray:
    """Point where segments ``p -> q`` cross the plane ``z`` (rows; assumes they cross)."""
    dz = q[:, 2] - p[:, 2]
    t = np.divide(z - p[:, 2], dz, out=np.zeros_like(dz), where=np.abs(dz) > 1e-15)
    return p + np.clip(t, 0.0, 1.0)[:, None] * (q - p)


def _rasterise(
    xy: np.ndarray, origin: np.ndarray, pixel: float, shape: tuple[int, ...]
) -> np.ndarray:
    """Boolean mask of pixels covered by 2D triangles ``xy`` ``[m, 3, 2]``.

    A pixel is covered when its centre lies inside a triangle or when a triangle edge passes
    through it (edges are sampled at a third of a pixel), so degenerate triangles still draw.
    """
    mask = np.zeros(shape, dtype=bool)
    grid = (xy - origin) / pixel  # in pixel units; pixel (i, j) has centre (i + .5, j + .5)
    # edges, in chunks of at most _CHUNK_CELLS samples
    starts = grid.reshape(-1, 2)
    delta = np.roll(grid, -1, axis=1).reshape(-1, 2) - starts
    steps = np.ceil(np.linalg.norm(delta, axis=1) * 3).astype(np.int64) + 1
    along_x = delta[:, 1] == 0
    along_y = ~along_x & (delta[:, 0] == 0)
    for part in _chunks(np.flatnonzero(~along_x & ~along_y), steps):
        seg = np.repeat(part, steps[part])
        offsets = np.arange(len(seg)) - np.repeat(np.cumsum(steps[part]) - steps[part], steps[part])
        t = offsets / np.maximum(steps[seg] - 1, 1)
        _mark(mask, starts[seg] + t[:, None] * delta[seg])
    # an axis-aligned edge's samples (under a pixel apart, the last one at start + delta)
    # fall in one run of pixels of one row or column: marked as that run
    runs = []
    for axis, sel in ((0, along_x), (1, along_y)):
        a = np.floor(starts[sel]).astype(np.int64)
        b = np.floor(starts[sel] + delta[sel]).astype(np.int64)
        runs.append((a[:, 1 - axis], np.minimum(a[:, axis], b[:, axis]),
                     np.maximum(a[:, axis], b[:, axis])))
    _mark_spans(mask, *runs[0], along=0)  # runs along x in one row y
    # interiors: the pixel centres inside each triangle, column by column
    lo = np.floor(grid.min(axis=1) - 0.5).astype(np.int64) + 1
    hi = np.floor(grid.max(axis=1) - 0.5).astype(np.int64)
    nx = np.maximum(hi[:, 0] - lo[:, 0] + 1, 0)
    ny = np.maximum(hi[:, 1] - lo[:, 1] + 1, 0)
    todo = np.flatnonzero((nx > 0) & (ny > 0))
    spans = [runs[1]]  # runs along y, marked with the interiors' runs
    brute = []
    for part in _chunks(todo, nx * (3 * _WINDOW)):
        cols, first, last, failed = _column_spans(grid, lo, hi, nx, part)
        spans.append((cols, first, last))
        brute.append(failed)
    _mark_spans(mask, *(np.concatenate(x) for x in zip(*spans, strict=True)))
    failed = np.concatenate(brute) if brute else np.zeros(0, np.int64)
    _interior_by_pixels(mask, grid, lo, nx, ny, failed)
    return mask


#: pixel samples handled at once while rasterising (bounds the temporary arrays)
_CHUNK_CELLS = 250_000
#: rows around a triangle edge's crossing of a pixel column at which the exact inside test is
#: evaluated (:func:`_column_spans`); the crossing computed in floating point is within a row
#: of the exact one.
_WINDOW = 6


def _column_spans(
    grid: np.ndarray, lo: np.ndarray, hi: np.ndarray, nx: np.ndarray, tris: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The pixel centres inside triangles ``grid[tris]`` (pixel units) as runs of rows.

    The same test as :func:`_inside_triangles` (the signs of the three edge functions
    ``d_k``, computed by the same floating-point operations), found without testing every
    pixel of the bounding box: in one pixel column ``d_k`` is a monotone function of the row
    (rounding is monotone), so the rows where ``d_k >= 0`` (or ``<= 0``) are one run, and
    its end is found by evaluating ``d_k`` exactly at the ``_WINDOW`` rows around the
    crossing computed in floating point. The centres inside are the rows where all three are
    ``>= 0`` or all three ``<= 0``: at most two runs per column.

    Returns ``(columns, first rows, last rows, failed triangles)``: one row run per entry
    (``first > last`` when empty; two entries per triangle column), and the triangles of
    ``tris`` for which the window did not pin a run end down (a crossing computed too far
    from the exact one; not seen in practice), whose pixels must be tested one by one.
    """
    count = nx[tris]
    tri = np.repeat(tris, count)
    n = len(tri)
    ix = lo[tri, 0] + (np.arange(n) - np.repeat(np.cumsum(count) - count, count))
    cx = ix + 0.5
    ly, hy = lo[tri, 1], hi[tri, 1]
    g = grid[tri]
    ge_lo, ge_hi = ly.copy(), hy.copy()  # rows where every d_k >= 0
    le_lo, le_hi = ly.copy(), hy.copy()  # rows where every d_k <= 0
    bad = np.zeros(n, dtype=bool)
    w = np.arange(_WINDOW)
    for k in range(3):
        o, p = g[:, k], g[:, (k + 1) % 3]
        ex, ey = p[:, 0] - o[:, 0], p[:, 1] - o[:, 1]
        second = ey * (cx - o[:, 0])  # as _inside_triangles' cross(o, p, centre)
        with np.errstate(divide="ignore", invalid="ignore"):
            cross_row = second / ex + o[:, 1] - 0.5  # where ex * (row + .5 - oy) = second
        cross_row = np.where(np.isfinite(cross_row), cross_row, ly)
        cross_row = np.clip(cross_row, ly - 4, hy + 4)
        base = np.floor(cross_row).astype(np.int64) - 2
        base = np.clip(base, ly - 2, np.maximum(hy - (_WINDOW - 3), ly - 2))
        rows = base[:, None] + w[None, :]
        d = ex[:, None] * ((rows + 0.5) - o[:, 1][:, None]) - second[:, None]
        ge, le = d >= 0, d <= 0
        top = base + _WINDOW - 1
        up, down, flat = ex > 0, ex < 0, ex == 0
        # d is non-decreasing in the row where ex > 0, non-increasing where ex < 0: rows
        # outside the window share the sign of its nearer end only when that is strict
        below_ok = (base <= ly) | np.where(up, d[:, 0] < 0, d[:, 0] > 0)
        above_ok = (top >= hy) | np.where(up, d[:, -1] > 0, d[:, -1] < 0)
        bad |= ~flat & ~(below_ok & above_ok)
        first_ge = base + np.where(ge.any(axis=1), np.argmax(ge, axis=1), _WINDOW)
        last_ge = base + np.where(ge.any(axis=1), _WINDOW - 1 - np.argmax(ge[:, ::-1], axis=1), -1)
        first_le = base + np.where(le.any(axis=1), np.argmax(le, axis=1), _WINDOW)
        last_le = base + np.where(le.any(axis=1), _WINDOW - 1 - np.argmax(le[:, ::-1], axis=1), -1)
        # the run of each predicate: a suffix or a prefix of the column (all or none if flat)
        big = np.iinfo(np.int64).max
        g_lo = np.where(up, first_ge, np.where(down, ly, np.where(ge[:, 0], ly, big)))
        g_hi = np.where(up, hy, np.where(down, last_ge, hy))
        l_lo = np.where(up, ly, np.where(down, first_le, np.where(le[:, 0], ly, big)))
        l_hi = np.where(up, last_le, np.where(down, hy, hy))
        np.maximum(ge_lo, g_lo, out=ge_lo)
        np.minimum(ge_hi, g_hi, out=ge_hi)
        np.maximum(le_lo, l_lo, out=le_lo)
        np.minimum(le_hi, l_hi, out=le_hi)
    failed = unique_sorted(tri[bad]) if bad.any() else np.zeros(0, np.int64)
    keep = ~bad
    cols = np.concatenate([ix[keep], ix[keep]])
    return cols, np.concatenate([ge_lo[keep], le_lo[keep]]), np.concatenate(
        [ge_hi[keep], le_hi[keep]]), failed


def _mark_spans(
    mask: np.ndarray, cols: np.ndarray, first: np.ndarray, last: np.ndarray, along: int = 1
) -> None:
    """Set ``mask[col, first:last + 1]`` (``along=1``; ``mask[first:last + 1, col]`` with
    ``along=0``) for every non-empty run, indices clipped into the mask as :func:`_mark`
    clips its samples. ``mask`` must be C-contiguous (it is written through its flat view);
    the runs are expanded to pixels in chunks of about ``_CHUNK_CELLS``."""
    keep = first <= last
    if not keep.any():
        return
    shape = mask.shape
    c = np.clip(cols[keep], 0, shape[1 - along] - 1)
    a = np.clip(first[keep], 0, shape[along] - 1)
    n = np.clip(last[keep], 0, shape[along] - 1) + 1 - a
    step = 1 if along == 1 else shape[1]
    start = c * shape[1] + a if along == 1 else a * shape[1] + c
    flat = mask.reshape(-1)
    for part in _chunks(np.arange(len(n)), n):
        k = n[part]
        offset = np.arange(int(k.sum())) - np.repeat(np.cumsum(k) - k, k)
        flat[np.repeat(start[part], k) + step * offset] = True


def _interior_by_pixels(
    mask: np.ndarray, grid: np.ndarray, lo: np.ndarray, nx: np.ndarray, ny: np.ndarray,
    tris: np.ndarray,
) -> None:
    """Mark the pixel centres inside triangles ``grid[tris]``, testing every pixel centre of
    their bounding boxes (:func:`_inside_triangles`)."""
    counts = nx * ny
    for part in _chunks(tris[counts[tris] > 0], counts):
        kept = counts[part]
        tri_idx = np.repeat(part, kept)
        local = np.arange(len(tri_idx)) - np.repeat(np.cumsum(kept) - kept, kept)
        ix = lo[tri_idx, 0] + local // ny[tri_idx]
        iy = lo[tri_idx, 1] + local % ny[tri_idx]
        centres = np.stack([ix + 0.5, iy + 0.5], axis=1)
        inside = _inside_triangles(centres, grid[tri_idx])
        _mark(mask, centres[inside])


def _chunks(items: np.ndarray, sizes: np.ndarray) -> list[np.ndarray]:
    """Split ``items`` into consecutive runs whose ``sizes[items]`` sum to about
    ``_CHUNK_CELLS`` (a single larger item gets a run of its own)."""
    if len(items) == 0:
        return []
    total = np.cumsum(sizes[items])
    cuts = np.searchsorted(total, np.arange(1, int(total[-1]) // _CHUNK_CELLS + 1) * _CHUNK_CELLS)
    return [run for run in np.split(items, np.unique(cuts)) if len(run)]


def _inside_triangles(points: np.ndarray, tris: np.ndarray) -> np.ndarray:
    """Row-wise test: is ``points[i]`` inside (or on) 2D triangle ``tris[i]`` (either winding)."""
    a, b, c = tris[:, 0], tris[:, 1], tris[:, 2]

    def cross(o: np.ndarray, p: np.ndarray, q: np.ndarray) -> np.ndarray:
        return (p[:, 0] - o[:, 0]) * (q[:, 1] - o[:, 1]) - (p[:, 1] - o[:, 1]) * (q[:, 0] - o[:, 0])

    d1 = cross(a, b, points)
    d2 = cross(b, c, points)
    d3 = cross(c, a, points)
    neg = (d1 < 0) | (d2 < 0) | (d3 < 0)
    pos = (d1 > 0) | (d2 > 0) | (d3 > 0)
    return ~(neg & pos)


def _mark(mask: np.ndarray, samples: np.ndarray) -> None:
    """Set the pixels containing ``samples`` (pixel units) to True."""
    cells = np.floor(samples).astype(np.int64)
    cells = np.clip(cells, 0, np.array(mask.shape) - 1)
    mask[cells[:, 0], cells[:, 1]] = True


#: above this many points, :func:`support_polygon` first keeps only the vertices of their hull
#: (the same polygon; a flat base of a dense mesh has hundreds of thousands of points)
_PREFILTER_POINTS = 4096


def support_polygon(points: np.ndarray) -> np.ndarray:
    """Convex hull of 2D ``points``, counter-clockwise, handling degenerate inputs.

    Returns ``[k, 2]``: the hull vertices for ``k >= 3``; the two extreme points for
    collinear input; the single point when all points coincide; ``[0, 2]`` for no points.
    """
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if len(points) == 0:
        return np.zeros((0, 2))
    if len(points) > _PREFILTER_POINTS:  # the hull's vertices are among the raw hull's
        try:
            points = points[ConvexHull(points).vertices]
        except QhullError:
            pass  # degenerate: handled below on all points
    unique = np.unique(points, axis=0)
    if len(unique) == 1:
        return unique
    centred = unique - unique.mean(axis=0)
    scale = float(np.abs(centred).max())
    _, sing, vt = np.linalg.svd(centred, full_matrices=False)
    if len(unique) >= 3 and sing[-1] > 1e-9 * max(scale, 1e-12) * np.sqrt(len(unique)):
        try:
            hull = ConvexHull(unique)
            return unique[hull.vertices]  # qhull returns 2D hulls counter-clockwise
        except QhullError:
            pass
    # collinear: the two extreme points along the principal direction
    proj = centred @ vt[0]
    return unique[[int(np.argmin(proj)), int(np.argmax(proj))]]
