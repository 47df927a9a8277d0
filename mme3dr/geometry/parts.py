"""Bodies a person sees in one fused surface: split the solid voxel body at contacts.

Grid decoders (64-cubed occupancy, marching cubes) export objects that touch as one connected,
near-watertight surface: a ball resting on a cube, a tower of blocks, a vase on a table. This
module finds those bodies again on the shared solid voxel grid
(:func:`mme3dr.geometry.voxels.cached_voxels`), so it ignores triangulation, decimation, split
vertices, flipped triangles and pin-holes by construction. Two kinds of contact are cut:

1. **Necks** (bodies touching at a point or a line, in any direction). ``D`` is the distance
   from each solid voxel to the nearest *surface* voxel (the inscribed-ball radius, in voxels;
   measured to the unsealed surface so the grid's crack sealing does not fatten necks). The
   solid is split by a watershed of ``-D`` from its local maxima, and neighbouring regions are
   merged again (highest pass first) unless the pass between them is a **neck**: its radius
   ``s`` is at most the radius of the contact patch that a sphere of the larger region's
   inscribed radius ``R_large`` makes with a plane once gaps thinner than ``fusion_depth`` are
   filled, ``s <= sqrt(2 * fusion_depth * R_large)``, and at least ``MIN_NECK_DEPTH`` voxels
   narrower than the smaller radius ``R_small >= MIN_NECK_RADIUS`` (thinner bodies cannot be
   told from their joints at this resolution). Two spheres touching, a ball on a cube, a can
   on two cans, snowballs are cut; a capsule, a torus, a mug, a table with fused legs are not.
   A dumbbell is cut exactly when its bar radius is below ``sqrt(2 * fusion_depth * R_bell)``:
   its bells then meet like two touching balls. Near a cut neck the border is replaced by a
   plane (:func:`_flatten_neck`).
2. **Resting contacts** (a block standing on a wider top: a tower of blocks, a vase, a lamp
   or a chair on a table). In each neck region, with slices' holes filled, the slice area
   ``A(z)`` steps down at level ``z``; the cut is kept (levels judged top down, a body reaching
   up to the next kept cut) when (:class:`RestingRule`):

   * the fall is abrupt: at least ``abrupt`` times the change over two layers on either side,
     and the lower top is flat within ``flat`` over 3 layers (not a dome, cone or shoulder),
   * the footprint is at most ``max_footprint`` of the lower top it stands on, and is one
     piece (one 8-connected piece holds 90 % of it, opened by one cell): a block stands on
     its whole plan, while an arch over the floor between its feet (a ring standing on its
     rim, a figure eight on its edge) is not a block resting there, and a body on legs is
     the contact cut's,
   * the lower top reaches within 2 cells of at least ``min_ledge`` of the footprint's outline
     (placed on the top, not flush with an edge like a chair back, a sofa arm or a stair),
   * the body survives a tilt of ``min_tilt`` degrees on its footprint (its centre of mass
     over the footprint's convex hull; a lamp's stem on its foot, a chair back do not),
   * it is at least ``min_height`` times as tall as the square root of its top-view area (a
     block, not a layer: cake tiers, step-pyramid terraces, a voxel tree's canopy stay one;
     the area read above the layers a fused fillet can widen),
   * one piece of it stands on the footprint (a cactus's trunk and raised arms are three),
     and it holds at least ``min_volume`` of the region's voxels.

3. **Contacts on a thin or walled support** (an apple on a dinner plate, a ball in an open
   box; applied to each neck region before the resting cut). The resting cut above needs
   the slice area of the whole region to step down and three flat layers under the step; a
   plate two voxels thick, or a rim or walls around the object (filled slices keep their
   area), hide that step. Here each 2D piece ``P`` of layer ``k + 1`` is a candidate foot
   and the body is the 3D piece of the solid above layer ``k`` that stands on ``P`` alone.
   It is cut off when (:class:`ContactRule`):

   * the support is a flat top around the foot: at least ``min_level`` of the cells within
     ``ring`` cells of the foot's outline are the top of the solid at layer ``k`` (solid at
     ``k``, empty at ``k + 1``): the support reaches around the whole contact and is level to
     within a voxel over the ring (a plate, a box's floor, the bottom of a bowl; not a
     shoulder, a dome, an elbow or a part flush with an edge);
   * the body is undercut at its contact: its largest slice in its lower half is at least
     ``widen`` times the foot, and its slices stay within ``1 + straight`` of the foot for no
     more layers than the fused fillet can be tall (``fusion_depth`` in voxels rounded up,
     plus a voxel of rasterisation at either end). A
     curved body resting on a surface touches it at a small patch; fusing the gaps thinner
     than ``fusion_depth`` under it adds a fillet of about the patch's width and at most that
     height, above which the body widens (a ball of radius ``R`` over a gap ``g`` widens as
     ``sqrt(2 R (g + d))`` at height ``d``). A stem, a leg, a neck or a wall that grows out of
     its support keeps its cross-section over its length, so a mushroom's stem on its foot, a
     mug's handle, a vessel's walls and a table's legs stay joined. At 64 cubed the fused
     foot of a ball is about 0.7 of its largest slice, hence ``widen = 1.25``; a body fused
     along most of its underside (a ring lying flat, a marble in a bowl at 64) shows no
     contact and stays joined;
   * the foot is at most ``max_footprint`` of the support's piece under it, the body survives
     a tilt of ``min_tilt`` on its footprint and holds at least ``min_volume`` of the region;
   * a body that is not undercut is still cut off when it is a block (no wider than its foot
     in top view, and ``block_height``: the resting cut's block test) on a level support
     (the layer under the top no larger than the top piece by more than ``straight``: a
     plate, not a slope or a dome): a box on a tray, a can on a plate, which the resting cut
     would cut on a thicker support.

All lengths are in voxels of the grid unless stated; ``fusion_depth`` is in normalised units
(fraction of the largest extent). Labels are ``0`` outside the solid and ``1..n`` for bodies.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage
from scipy.spatial import ConvexHull, QhullError

from mme3dr.geometry.voxels import CONNECT6, VoxelGrid, surface_depth

#: gaps thinner than this (normalised units) are assumed fused by the decoder and the grid.
FUSION_DEPTH = 0.03
#: bodies with an inscribed radius below this many voxels are never cut off at a neck.
MIN_NECK_RADIUS = 3.0
#: a neck must be at least this many voxels narrower than the smaller body's inscribed radius.
MIN_NECK_DEPTH = 2.0
#: voxels of rasterisation slack allowed on the length of a contact neck (:func:`_short_neck`).
NECK_SLACK = 1.0

_SLICE4 = np.zeros((3, 3, 3), dtype=bool)
_SLICE4[1, :, 1] = _SLICE4[:, 1, 1] = True
_CONNECT26 = np.ones((3, 3, 3), dtype=bool)
_CONNECT18 = ndimage.generate_binary_structure(3, 2)


@dataclass(frozen=True)
class RestingRule:
    """Thresholds of the resting-contact cut (see the module docstring)."""

    window: int = 3
    max_footprint: float = 0.95
    min_ledge: float = 0.4
    min_tilt: float = 15.0
    min_height: float = 0.6
    abrupt: float = 3.0
    min_volume: float = 0.01
    flat: float = 0.1


@dataclass(frozen=True)
class ContactRule:
    """Thresholds of the contact-on-a-flat-support cut (module docstring, item 3)."""

    ring: int = 3
    min_level: float = 0.75
    widen: float = 1.25
    straight: float = 0.1
    max_footprint: float = 0.5
    min_tilt: float = 15.0
    #: a body on several feet that join above (a chair) need only survive a nudge: its legs
    #: are the evidence that it stands on the support rather than growing out of it
    min_tilt_legs: float = 5.0
    min_volume: float = 0.01
    min_layers: int = 4
    #: a body no wider than its foot is cut off when it is a block: as tall as this times the
    #: square root of its top-view area (:attr:`RestingRule.min_height`, the same measure)
    block_height: float = 0.6


@dataclass(frozen=True)
class Segmentation:
    """Bodies of a solid voxel grid.

    Attributes:
        labels: ``int32`` grid, ``0`` outside the solid, ``1..count`` bodies; every voxel of the
            grid (outside too) is also given its nearest body in ``nearest``.
        nearest: ``int32`` grid, the nearest body's label for every voxel (``0`` if no solid).
        count: number of bodies.
        necks: ``(radius, inscribed_a, inscribed_b)`` in voxels for each neck that was cut.
        rests: ``(level, footprint, ledge, tilt_deg, compactness)`` for each resting cut kept.
    """

    labels: np.ndarray
    nearest: np.ndarray
    count: int
    necks: list[tuple[float, float, float]] = field(default_factory=list)
    rests: list[tuple[int, float, float, float, float]] = field(default_factory=list)


def segment_solid(
    grid: VoxelGrid, fusion_depth: float = FUSION_DEPTH, rule: RestingRule | None = None,
    walls: np.ndarray | None = None,
) -> Segmentation:
    """Split ``grid.solid`` into bodies at necks and at resting contacts (module docstring).

    ``walls``: surface voxels that bound sealed voids (the grid fills those voids, so their
    walls lie inside the solid); the depth is measured to the other surface voxels, so a
    filled void is not a second body behind a thin "neck" of wall.
    """
    solid = grid.solid
    if not solid.any():
        zero = np.zeros(solid.shape, dtype=np.int32)
        return Segmentation(zero, zero, 0)
    if walls is None or not walls.any():
        depth = grid.cached(surface_depth).astype(np.float32)  # shared with the symmetry
    else:
        depth = ndimage.distance_transform_edt(~(grid.surface & ~walls)).astype(np.float32)
    depth[~solid] = 0.0
    regions, necks = neck_regions(solid, depth, fusion_depth / grid.pitch)
    regions = contact_regions(regions, ContactRule(), fusion_depth / grid.pitch)
    labels, rests = resting_regions(regions, rule or RestingRule(), fusion_depth / grid.pitch)
    count = int(labels.max())
    if count <= 1:  # one body: it is every voxel's nearest (no transform needed)
        nearest = np.full(solid.shape, count, dtype=np.int32)
    else:
        idx = ndimage.distance_transform_edt(labels == 0, return_distances=False,
                                             return_indices=True)
        nearest = labels[tuple(idx)].astype(np.int32)
    return Segmentation(labels, nearest, count, necks, rests)


def neck_regions(
    solid: np.ndarray, depth: np.ndarray, fusion_voxels: float
) -> tuple[np.ndarray, list[tuple[float, float, float]]]:
    """Watershed of ``-depth`` from its local maxima, regions merged unless a neck parts them.

    Returns ``(labels, necks)``: ``int32`` labels ``1..n`` on ``solid`` (0 elsewhere) and the
    ``(radius, R_a, R_b)`` of each neck kept (voxels).
    """
    from skimage.segmentation import watershed

    peaks = (depth == ndimage.maximum_filter(depth, size=3)) & (depth >= 1.0)
    markers, n = ndimage.label(peaks, structure=_CONNECT26)
    if n <= 1:
        return solid.astype(np.int32), []
    basins = watershed(-depth, markers, mask=solid).astype(np.int32)
    top = ndimage.maximum(depth, basins, np.arange(n + 1)).astype(np.float64)
    a, b, s = _passes(basins, depth, n)
    parent = np.arange(n + 1)
    peak = top.copy()
    # each merged region's bounding box (voxel index bounds, end exclusive), so the neck test
    # looks only at the two regions' box, not the whole grid (a cheese with 133 tunnels has
    # hundreds of candidate passes)
    lo = np.zeros((n + 1, 3), dtype=np.int64)
    hi = np.zeros((n + 1, 3), dtype=np.int64)
    for label, box in enumerate(ndimage.find_objects(basins), start=1):
        if box is not None:
            lo[label] = [sl.start for sl in box]
            hi[label] = [sl.stop for sl in box]

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def all_roots() -> np.ndarray:
        r = parent.copy()
        while True:
            nxt = r[r]
            if np.array_equal(nxt, r):
                return r
            r = nxt

    kept = []
    for i in np.argsort(-s, kind="stable"):
        ra, rb = root(int(a[i])), root(int(b[i]))
        if ra == rb:
            continue
        if _is_neck(float(s[i]), peak[ra], peak[rb], fusion_voxels):
            roots = all_roots()
            box = tuple(slice(int(x), int(y)) for x, y in
                        zip(np.minimum(lo[ra], lo[rb]), np.maximum(hi[ra], hi[rb]), strict=True))
            if _short_neck(basins, depth, roots == ra, roots == rb, float(s[i]),
                           min(peak[ra], peak[rb]), box):
                kept.append((ra, rb, float(s[i])))
                continue
        parent[rb] = ra
        peak[ra] = max(peak[ra], peak[rb])
        lo[ra] = np.minimum(lo[ra], lo[rb])
        hi[ra] = np.maximum(hi[ra], hi[rb])
    roots = all_roots()
    _, compact = np.unique(roots[1:], return_inverse=True)
    lut = np.concatenate([[0], compact + 1]).astype(np.int32)
    labels = lut[basins]
    best: dict[tuple[int, int], float] = {}
    for ra, rb, s_ in kept:
        a_, b_ = sorted((int(lut[root(ra)]), int(lut[root(rb)])))
        if a_ != b_:
            best[(a_, b_)] = max(best.get((a_, b_), 0.0), s_)
    necks = []
    for (a_, b_), s_ in best.items():
        r_a = float(peak[root(int(np.flatnonzero(lut == a_)[0]))])
        r_b = float(peak[root(int(np.flatnonzero(lut == b_)[0]))])
        _flatten_neck(labels, depth, a_, b_, s_, min(r_a, r_b))
        necks.append((round(s_, 2), round(r_a, 2), round(r_b, 2)))
    if necks:
        _absorb_islands(labels)
    return labels, necks


#: the smallest radius (voxels) of border round a cut neck that its plane is fitted to
#: (:func:`_flatten_neck`).
FIT_RADIUS = 4.0

#: a detached piece of a body smaller than this fraction of it is a watershed stray
#: (:func:`_absorb_islands`).
ISLAND_FRACTION = 0.05


def _absorb_islands(labels: np.ndarray) -> None:
    """Give each small detached piece of a body to the body it touches most.

    Beyond the plane that :func:`_flatten_neck` lays through a cut neck, the watershed line
    between two bodies can still wander into the thin skin where their surfaces stay within a
    voxel or two of each other (a ball's underside over the top it rests on): single voxels of
    the skin of one body then carry the other's label, apart from the rest of it. A piece of a
    body that is not its largest 26-connected piece, holds under :data:`ISLAND_FRACTION` of its
    voxels and touches another body goes to the body it shares the most faces with. Modifies
    ``labels`` in place."""
    boxes = ndimage.find_objects(labels)
    for body, box in enumerate(boxes, start=1):
        if box is None:
            continue
        grown = tuple(slice(max(b.start - 1, 0), b.stop + 1) for b in box)
        sub = labels[grown]
        pieces, n = ndimage.label(sub == body, structure=_CONNECT26)
        if n < 2:
            continue
        size = np.bincount(pieces.ravel(), minlength=n + 1)
        size[0] = 0
        total, main = int(size.sum()), int(np.argmax(size))
        for piece in np.flatnonzero((size > 0) & (size < ISLAND_FRACTION * total)):
            if piece == main:
                continue
            mine = pieces == piece
            rim = ndimage.binary_dilation(mine, structure=CONNECT6) & ~mine
            around = sub[rim]
            around = around[(around > 0) & (around != body)]
            if len(around):
                sub[mine] = np.bincount(around).argmax()


def _flatten_neck(labels: np.ndarray, depth: np.ndarray, a: int, b: int, radius: float,
                  small: float = 0.0) -> None:
    """Replace the watershed border between bodies ``a`` and ``b`` near their neck by a plane.

    The watershed line through a fused contact wanders into the thin skin around it (the top
    face of a cube under a ball can go to the ball, the underside of a ball to the top it
    rests on). Voxels of either body near the deepest border voxel are given to the side of the
    plane through that voxel whose normal is the least-spread direction of the border there
    (the neck's axis). "Near" is a cylinder about the axis: within ``2 * radius + 2`` voxels
    of the plane, and laterally within that or ``small + 2``, whichever is larger (``small``:
    the smaller body's inscribed radius, voxels, measured to the centres of its surface
    voxels, which reach a voxel farther, plus a voxel of rasterisation), so the skin of a
    ball's underside, which stays within a few voxels of the top it rests on out to nearly its
    radius, is all on its side. The plane is fitted to the border within ``2 * radius + 2``
    voxels of the pass, at least :data:`FIT_RADIUS` (two blocks modelled apart and touching
    have a pass of radius 0, and a plane fitted to the few border voxels within 2 of it can
    tilt; fitted over the whole cylinder it tilts where the border wanders, a can pyramid).
    Modifies ``labels`` in place.
    """
    box = ndimage.find_objects(((labels == a) | (labels == b)).astype(np.int32))
    if not box or box[0] is None:
        return
    sl = box[0]
    sub = labels[sl]
    in_a, in_b = sub == a, sub == b
    border = in_a & ndimage.binary_dilation(in_b, structure=_CONNECT26)
    if not border.any():
        return
    pts = np.argwhere(border).astype(np.float64)
    d = depth[sl][border]
    centre = pts[int(np.argmax(d))]
    reach = 2.0 * radius + 2.0
    wide = max(reach, small + 2.0)
    # the plane is fitted near the pass, over at least 4 voxels (a pass of radius 0 between
    # bodies modelled apart has too few border voxels within 2 of it to fix a plane)
    near = pts[np.linalg.norm(pts - centre, axis=1) <= max(reach, FIT_RADIUS)]
    if len(near) < 3:
        return
    _, vectors = np.linalg.eigh(np.cov((near - near.mean(axis=0)).T))
    normal = vectors[:, 0]
    cells = np.argwhere(in_a | in_b)
    offset = cells - centre
    side = offset @ normal
    lateral = np.linalg.norm(offset - side[:, None] * normal[None, :], axis=1)
    close = (np.abs(side) <= reach) & (lateral <= wide)
    side = side[close]
    mine_a = in_a[tuple(cells[close].T)]
    if side[mine_a].mean() > side[~mine_a].mean():
        side = -side
    sub[tuple(cells[close].T)] = np.where(side < 0, a, b)


def _short_neck(basins: np.ndarray, depth: np.ndarray, in_a: np.ndarray, in_b: np.ndarray,
                radius: float, small: float, box: tuple[slice, ...]) -> bool:
    """The joint of two bodies has no length: their cores come as close as touching bodies'.

    Where two bodies touch, the inscribed radius grows about one voxel per voxel on either side
    of the contact, so the voxels deeper than ``level = radius + k`` lie about ``2 * level``
    apart across it. A bar, a stem, a shaft, a waist or a tube that narrows gradually keeps a
    small radius over a length, and its cores lie farther apart: one body. ``k`` is half the
    depth of the neck below the smaller body's radius ``small`` (at least one voxel), so the
    test looks at the joint's flanks, not at its pass alone; the cores must meet within
    ``2 * level + NECK_SLACK`` 18-connected steps inside the two bodies. ``in_a`` and ``in_b``
    flag the basin labels of either body; ``box`` is the bounding box of their voxels.
    """
    level = radius + max(1.0, 0.5 * (small - radius))
    sub, deep = basins[box], depth[box] > level
    inside = in_a[sub] | in_b[sub]
    core_a, core_b = deep & in_a[sub], deep & in_b[sub]
    if not core_a.any() or not core_b.any():
        return False
    steps = int(np.ceil(2.0 * level + NECK_SLACK))
    reach = ndimage.binary_dilation(core_a, structure=_CONNECT18, iterations=steps, mask=inside)
    return bool((reach & core_b).any())


def _is_neck(radius: float, r_a: float, r_b: float, fusion_voxels: float) -> bool:
    """A pass of ``radius`` between bodies of inscribed radii ``r_a`` and ``r_b`` (voxels)."""
    small, large = min(r_a, r_b), max(r_a, r_b)
    return (
        small >= MIN_NECK_RADIUS
        and small - radius >= MIN_NECK_DEPTH
        and radius <= np.sqrt(2.0 * fusion_voxels * large)
    )


def _passes(labels: np.ndarray, depth: np.ndarray, n: int
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each pair of 6-adjacent regions, the highest ``min(depth)`` across their border."""
    keys, vals = [], []
    for axis in range(3):
        la = np.moveaxis(labels, axis, 0)
        da = np.moveaxis(depth, axis, 0)
        u, v = la[:-1], la[1:]
        m = (u != v) & (u > 0) & (v > 0)
        lo, hi = np.minimum(u[m], v[m]).astype(np.int64), np.maximum(u[m], v[m]).astype(np.int64)
        keys.append(lo * (n + 1) + hi)
        vals.append(np.minimum(da[:-1][m], da[1:][m]))
    key = np.concatenate(keys)
    val = np.concatenate(vals)
    if len(key) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    order = np.argsort(key, kind="stable")
    key, val = key[order], val[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    best = np.maximum.reduceat(val, starts)
    pair = key[starts]
    return pair // (n + 1), pair % (n + 1), best.astype(np.float64)


def contact_regions(regions: np.ndarray, rule: ContactRule, fusion_voxels: float
                    ) -> np.ndarray:
    """Split each region of ``regions`` at its contacts on a flat support (module docstring,
    item 3; ``fusion_voxels``: the fusion depth in voxels). Returns new ``int32`` labels
    ``1..m``; bodies resting on bodies nest (a ball on a block on a plate gives three)."""
    out = np.zeros_like(regions)
    next_label = 1
    for r, box in enumerate(ndimage.find_objects(regions), start=1):
        if box is None:
            continue
        mask = regions[box] == r
        sub = out[box]
        sub[mask] = next_label
        next_label += 1
        # lower contacts first: a body found higher up nests in the one under it
        for body in _contact_bodies(mask, rule, fusion_voxels):
            sub[body] = next_label
            next_label += 1
    return out


def _contact_bodies(mask: np.ndarray, rule: ContactRule, fusion_voxels: float
                    ) -> list[np.ndarray]:
    """Masks (in ``mask``'s box) of the bodies resting on a flat support, lowest first."""
    fillet = int(np.ceil(fusion_voxels)) + 2  # a fused fillet, a voxel of rasterisation each end
    nz = mask.shape[2]
    if nz < rule.min_layers + 2 or mask.sum() < 27:
        return []
    eight = np.ones((3, 3), dtype=bool)
    ring_sel = np.ones((2 * rule.ring + 1, 2 * rule.ring + 1), dtype=bool)
    total = int(mask.sum())
    # a ring counts when it holds at least half the cells of the ring round a one-cell foot,
    # so a layer whose top has fewer than min_level of that many cells has no candidate
    min_ring = ((2 * rule.ring + 1) ** 2 - 1) // 2
    tops = (mask[:, :, :-1] & ~mask[:, :, 1:]).sum(axis=(0, 1))
    bodies: list[np.ndarray] = []
    for k in range(1, nz - rule.min_layers):
        below, layer = mask[:, :, k], mask[:, :, k + 1]
        if tops[k] < rule.min_level * min_ring or not layer.any():
            continue
        top = below & ~layer  # the top of the solid at layer k
        pieces, n = ndimage.label(layer, structure=eight)
        under, _ = ndimage.label(below, structure=eight)
        sub3d = None
        placed = np.zeros(n + 1, dtype=bool)  # pieces that pass as feet on a flat top
        supports: dict[int, np.ndarray] = {}  # the top each placed foot stands on
        for p in range(1, n + 1):
            foot = pieces == p
            area = int(foot.sum())
            support = np.isin(under, np.unique(under[foot & below])) & (under > 0)
            if area > rule.max_footprint * support.sum():
                continue
            ring = ndimage.binary_dilation(foot, structure=ring_sel) & ~foot & ~layer
            if ring.sum() < min_ring or (top & ring).sum() < rule.min_level * ring.sum():
                continue
            placed[p] = True
            supports[p] = support
        judged: set[int] = set()
        for p in np.flatnonzero(placed):
            foot = pieces == p
            if sub3d is None:
                sub3d, _ = ndimage.label(mask[:, :, k + 1:], structure=_CONNECT26)
            ids = np.unique(sub3d[:, :, 0][foot])
            if len(ids) != 1 or ids[0] == 0 or int(ids[0]) in judged:
                continue
            judged.add(int(ids[0]))
            body = sub3d == ids[0]
            if body.sum() < max(27, rule.min_volume * total):
                continue
            if body.any(axis=(0, 1)).sum() < rule.min_layers:
                continue
            sections = body.sum(axis=(0, 1)).astype(np.float64)
            sections = sections[: int(np.flatnonzero(sections)[-1]) + 1]  # up to its top
            legs = np.unique(pieces[body[:, :, 0]])
            if len(legs) > 1:
                # it stands on several feet (a chair's legs on a table top): each must be
                # placed on a flat top, and the legs must join into one wider section
                if not placed[legs].all() or not _legs_join(body, sections, rule):
                    continue
                foot = body[:, :, 0]
            area = int(foot.sum())
            straight = np.flatnonzero(sections > (1.0 + rule.straight) * area)
            grows = len(legs) == 1 and (len(straight) == 0 or straight[0] > fillet)
            undercut = sections[: max(2, (len(sections) + 1) // 2)].max() >= rule.widen * area
            if (grows or not undercut) and not (
                    len(legs) == 1 and _block(body, rule, fillet)
                    and _flat_support(mask, supports[p], k, rule)):
                continue  # keeps its foot's size and is no block: it grows out of its support
            if _tilt_margin(foot, body) < (rule.min_tilt if len(legs) == 1 else rule.min_tilt_legs):
                continue
            full = np.zeros_like(mask)
            full[:, :, k + 1:] = body
            bodies.append(full)
    return bodies


def _block(body: np.ndarray, rule: ContactRule, fillet: int) -> bool:
    """A body that is not undercut still rests on the flat top around its foot when it is a
    block, by the resting cut's measure (a box on a tray, a can on a plate: the resting cut
    needs three layers of support under it, which a thin plate does not have): it stands on
    its whole plan (its top-view area above the ``fillet`` layers that fusing its contact may
    have widened is at most ``rule.widen`` times its foot ``body[:, :, 0]``: no cap or shade
    overhanging a stem) and is at least ``rule.block_height`` times as tall as the square root
    of that area. A layer (a cake tier, a terrace), a mushroom and a lamp are not blocks."""
    layers = np.flatnonzero(body.any(axis=(0, 1)))
    height = float(layers[-1] + 1) if len(layers) else 0.0
    above = body[:, :, fillet:] if len(layers) > fillet else body
    plan = float(above.any(axis=2).sum())
    if plan > rule.widen * float(body[:, :, 0].sum()):
        return False
    return height >= rule.block_height * np.sqrt(max(plan, 1.0))


def _flat_support(mask: np.ndarray, support: np.ndarray, k: int, rule: ContactRule) -> bool:
    """The support's top at layer ``k`` is level: the solid in the layer below it, near the
    support piece, is no larger than the piece by more than ``rule.straight`` (a plate or a
    slab; not a shallow slope or dome, whose every layer reaches farther out than the one
    above it)."""
    near = ndimage.binary_dilation(support, structure=np.ones((3, 3), bool),
                                   iterations=2 * rule.ring)
    below = int((mask[:, :, k - 1] & near).sum())
    return below <= (1.0 + rule.straight) * int(support.sum())


def _legs_join(body: np.ndarray, sections: np.ndarray, rule: ContactRule) -> bool:
    """A body standing on several feet (``body[:, :, 0]`` holds several pieces) is a legged
    body resting on its support, not legs or walls growing out of it: its legs join into
    one 8-connected section in its lower half, and that section is at least ``rule.widen``
    times the feet (a chair's seat over its legs; not a handle's two posts on a lid, which
    meet only at the top, nor a cage's bars). ``sections``: the body's voxels per layer, up
    to its top layer."""
    feet = sections[0]
    half = max(2, (len(sections) + 1) // 2)
    eight = np.ones((3, 3), dtype=bool)
    for z in range(1, min(half, len(sections))):
        if sections[z] < rule.widen * feet:
            continue
        _, n = ndimage.label(body[:, :, z], structure=eight)
        if n == 1:
            return True
    return False


def resting_regions(
    regions: np.ndarray, rule: RestingRule, fusion_voxels: float = 0.0
) -> tuple[np.ndarray, list[tuple[int, float, float, float, float]]]:
    """Cut each region of ``regions`` at the resting contacts that pass ``rule``
    (``fusion_voxels``: the fusion depth in voxels; the block test reads a body's top-view
    area above the fillet that fusing its joint may leave)."""
    out = np.zeros_like(regions)
    rests: list[tuple[int, float, float, float, float]] = []
    next_label = 1
    for r, box in enumerate(ndimage.find_objects(regions), start=1):
        if box is None:
            continue
        mask = regions[box] == r
        cuts, info = _resting_cuts(mask, rule, int(np.ceil(fusion_voxels)) + 2 if fusion_voxels
                                   else 0)
        rests += [(lvl + box[2].start, *rest) for lvl, rest in info]
        bounds = [0, *[c + 1 for c in cuts], mask.shape[2]]
        sub = out[box]
        for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
            piece = np.zeros_like(mask)
            piece[:, :, lo:hi] = mask[:, :, lo:hi]
            sub[piece] = next_label
            next_label += 1
    return out, rests


def _resting_cuts(mask: np.ndarray, rule: RestingRule, fillet: int = 0
                  ) -> tuple[list[int], list[tuple[int, tuple[float, float, float, float]]]]:
    """Levels ``k`` (cut between layers ``k`` and ``k + 1``) of one region's resting contacts."""
    filled = ndimage.binary_fill_holes(mask, structure=_SLICE4)  # each slice on its own
    area = filled.sum(axis=(0, 1)).astype(np.float64)
    w = rule.window
    nz = len(area)
    cuts = [k for k in range(w, nz - w - 1) if _drop_candidate(area, k, rule)]
    cuts = _one_per_drop(cuts, area)
    kept: list[int] = []
    info: list[tuple[int, tuple[float, float, float, float]]] = []
    for cut in reversed(cuts):  # top down: a body reaches up to the next kept cut above it
        hi = kept[-1] if kept else nz - 1
        verdict = _judge(mask, filled, area, cut, hi, rule, fillet)
        if verdict is not None:
            kept.append(cut)
            info.append((cut, verdict))
    return sorted(kept), sorted(info)


def _drop_candidate(area: np.ndarray, k: int, rule: RestingRule) -> bool:
    """The slice area falls from layer ``k`` to every one of the ``window`` layers above."""
    above = area[k + 1: k + 1 + rule.window]
    return bool(above.min() > 0 and above.max() <= rule.max_footprint * area[k])


def _one_per_drop(cuts: list[int], area: np.ndarray) -> list[int]:
    """Keep, in each run of consecutive candidate levels, the level with the largest fall."""
    runs: list[list[int]] = []
    for k in cuts:
        if runs and k - runs[-1][-1] <= 1:
            runs[-1].append(k)
        else:
            runs.append([k])
    return [max(run, key=lambda k: area[k] - area[k + 1]) for run in runs]


def _judge(
    mask: np.ndarray, filled: np.ndarray, area: np.ndarray, cut: int, hi: int, rule: RestingRule,
    fillet: int = 0,
) -> tuple[float, float, float, float] | None:
    """``(footprint, ledge, tilt, height)`` if the body in layers ``cut+1..hi`` rests on the
    layers up to ``cut`` by ``rule``; ``None`` otherwise (module docstring). The block test's
    top-view area is read above the body's lowest ``fillet`` layers (when it is taller)."""
    height = hi - cut
    if height < rule.window + 2 or cut < 3 or not _abrupt(area, cut, rule.abrupt, rule.flat):
        return None
    foot = filled[:, :, cut + 1]
    top = _under(filled[:, :, cut], foot)
    footprint = float(foot.sum() / max(top.sum(), 1))
    if footprint > rule.max_footprint or not _one_foot(foot):
        return None
    body = mask[:, :, cut + 1: hi + 1]
    if body.sum() < max(27, rule.min_volume * mask.sum()) or not _one_standing(body[:, :, 2:]):
        return None
    plan = (body[:, :, fillet:] if body.shape[2] > fillet else body).any(axis=2)
    compact = height / np.sqrt(max(float(plan.sum()), 1.0))
    ledge = _ledge(foot, top)
    core = filled[:, :, cut + 1: cut + rule.window + 1].all(axis=2)
    tilt = _tilt_margin(core if core.sum() >= 0.5 * foot.sum() else foot, body)
    if ledge < rule.min_ledge or compact < rule.min_height or tilt < rule.min_tilt:
        return None
    return (round(footprint, 3), round(ledge, 3), round(tilt, 1), round(float(compact), 3))


#: the share of a footprint (:func:`_one_foot`) or of the pieces standing on it
#: (:func:`_one_standing`) that one piece must hold for them to count as one piece.
ONE_PIECE_SHARE = 0.9


def _one_foot(foot: np.ndarray) -> bool:
    """One 8-connected piece holds at least 90 % of the footprint's core (the footprint opened
    by one cell, so two lobes joined by a strip one or two cells wide are two pieces): a block
    stands on its whole plan, while a body on two or more feet that join above is an arch (a
    ring standing on its rim, over the floor of its own hole) or a body on legs, which the
    contact cut judges (:func:`_contact_bodies`, several feet). A footprint with no core
    (every part of it under three cells wide) is left to the other tests."""
    core = ndimage.binary_opening(foot, structure=np.ones((3, 3), bool))
    pieces, n = ndimage.label(core, structure=np.ones((3, 3), bool))
    if n <= 1:
        return True
    sizes = np.bincount(pieces.ravel(), minlength=n + 1)[1:]
    return bool(sizes.max() >= ONE_PIECE_SHARE * sizes.sum())


def _one_standing(body: np.ndarray) -> bool:
    """Above the joint, one 26-connected piece holds at least 90 % of the voxels of the pieces
    that reach down to its bottom layer (a cactus's trunk and raised arms are three; a piece
    floating higher, joined to the rest only by something too thin for the grid, is ignored)."""
    pieces, n = ndimage.label(body, structure=_CONNECT26)
    standing = np.unique(pieces[:, :, 0])
    standing = standing[standing > 0]
    if len(standing) <= 1:
        return len(standing) == 1
    sizes = np.bincount(pieces.ravel(), minlength=n + 1)[standing]
    return bool(sizes.max() >= ONE_PIECE_SHARE * sizes.sum())


def _abrupt(area: np.ndarray, k: int, factor: float, flat: float) -> bool:
    """The lower body's top layers ``k - 3 .. k - 1`` keep their area within ``flat`` and the
    slice area falls across the joint (layers ``k - 1`` to ``k + 2``) at least ``factor``
    times as much as it changes over the two layers on either side: a step, not the steady
    narrowing of a dome, a cone or a shoulder."""
    if k < 3 or k + 4 >= len(area):
        return False
    if abs(area[k - 3] - area[k - 1]) > flat * area[k - 1]:
        return False  # the lower top is not flat: a shoulder, a dome
    fall = area[k - 1] - area[k + 2]
    around = max(abs(area[k - 3] - area[k - 1]), abs(area[k + 2] - area[k + 4]), 1.0)
    return bool(fall >= factor * around)


def _under(layer: np.ndarray, foot: np.ndarray) -> np.ndarray:
    """The 2D pieces of ``layer`` (8-connected) that lie under ``foot``: the top it stands on."""
    pieces, _ = ndimage.label(layer, structure=np.ones((3, 3), bool))
    return np.isin(pieces, np.unique(pieces[foot & layer])) & (pieces > 0)


def _ledge(foot: np.ndarray, top: np.ndarray) -> float:
    """Fraction of the outline of ``foot`` within 2 cells of the part of ``top`` outside it
    (both with their holes filled: the walls of a vessel do not rest on its floor)."""
    outline = foot & ~ndimage.binary_erosion(foot)
    near = ndimage.binary_dilation(top & ~foot, structure=np.ones((5, 5), bool))
    return float((outline & near).sum() / max(outline.sum(), 1))


def _tilt_margin(foot: np.ndarray, body: np.ndarray) -> float:
    """Tilt (degrees) the body survives on its footprint: ``atan(b / h)`` with ``b`` the
    distance from its centre of mass (top view) to the edge of the footprint's convex hull
    (negative outside) and ``h`` the centre of mass's height above the contact (voxels)."""
    cells = np.argwhere(body)
    com = cells.mean(axis=0) + 0.5
    centres = np.argwhere(foot) + 0.5
    try:
        hull = ConvexHull(centres)
    except QhullError:  # a footprint one cell wide: no width to stand on
        return 0.0
    # half a voxel less: the surface-inclusive grid widens every footprint by that much
    b = float(np.min(-(hull.equations[:, :2] @ com[:2] + hull.equations[:, 2]))) - 0.5
    return float(np.degrees(np.arctan2(b, max(com[2], 0.5))))


def face_bodies(mesh, grid: VoxelGrid, seg: Segmentation) -> np.ndarray:
    """Body label (``1..count``) of each face of ``mesh``, read at its centroid."""
    if len(mesh.faces) == 0 or seg.count == 0:
        return np.zeros(len(mesh.faces), dtype=np.int64)
    return point_bodies(np.asarray(mesh.triangles_center), grid, seg)


def point_bodies(points: np.ndarray, grid: VoxelGrid, seg: Segmentation) -> np.ndarray:
    """Body label of surface ``points``: the body of the voxel each lies in, or the nearest
    body for a point whose voxel is outside the solid."""
    if len(points) == 0 or seg.count == 0:
        return np.zeros(len(points), dtype=np.int64)
    idx = np.clip(grid.index(points), 0, np.array(seg.nearest.shape) - 1)
    return seg.nearest[idx[:, 0], idx[:, 1], idx[:, 2]].astype(np.int64)
