"""Through holes (tunnels, handles) of a body, from the topology of its solid voxel grid.

The solid grid of :mod:`mme3dr.geometry.voxels` is read as a union of **closed** unit cubes
(so cubes sharing only a corner or an edge are connected: 26-connectivity for the solid, and
6-connectivity for the empty space around it). For such a cubical complex the Euler
characteristic is

    chi = V - E + F - C

where ``V, E, F, C`` count the lattice vertices, edges, square faces and cubes that belong to at
least one solid cube. By the Euler-Poincare formula, ``chi = b0 - b1 + b2`` with ``b0`` the
number of connected pieces, ``b1`` the number of independent tunnels (a ring, a mug handle and a
torus each have one; a pretzel three) and ``b2`` the number of enclosed cavities (empty regions
not connected to the outside). Hence

    tunnels = b1 = b0 + b2 - chi.

``b0`` is counted with 26-connectivity on the solid, ``b2`` with 6-connectivity on the empty
voxels (components that do not touch the grid border). For a multi-body object the tunnels of
all bodies add up.

Resolution (:func:`hole_resolution`): the voxel route runs on its own grid, the finest of
:data:`HOLE_RESOLUTIONS` whose padded grid holds at most :data:`VOXEL_BUDGET` voxels, so the
resolution follows the object's proportions: a flat plate gets 192 voxels along its largest
extent, a compact body 64 to 128. With the one-voxel closing a square hole
reads as a hole from about five voxels across (measured in ``tests/test_holes.py``): about
2.5 % of the largest extent at 192 voxels, 4 % at 128, 7 % at 64.

Robustness: the grid is sealed by a morphological closing (cracks up to about two voxels wide
close; so do holes narrower than that). Tunnels thinner than about a voxel (a thin wire
handle at 64 voxels is ~1.6 % of the largest extent) may break; diagonal voxel contacts can in
principle create spurious one-voxel loops, which the closing removes in practice.

Exact route for clean surfaces (:func:`surface_topology`)
--------------------------------------------------------
When the mesh is a closed surface (every edge shared by exactly two faces), the tunnels follow
from the surface alone, at any size: a closed surface component with Euler characteristic
``chi_c = V_c - E_c + F_c`` has genus ``g_c = (2 - chi_c) / 2``, and for a solid bounded by
embedded closed surfaces in space ``b1 = sum of the genera`` (Alexander duality). Components
whose bounding boxes overlap (a handle pushed into a mug, a cavity shell inside its box) are
first united with the ``manifold3d`` boolean engine, each oriented outward, so the result is
the filled union -- the same solid the voxel route measures (cavities filled). No voxel scale
is involved: a 0.5 % bolt hole and two strands 1 % apart are resolved. It is not used when the
surface is open (cracks, pin-holes, single-sided sheets), when a component's Euler
characteristic is not that of a closed orientable surface, or when the union fails (``None``).
A surface that passes through itself within one connected component is not detected and is
read as if embedded. The ``through_holes`` check does not count with it: for one clean
component that does not cross itself it uses that component's genus directly
(``mme3dr.checks._measures.exact_tunnels``, which tests the crossings this function does not),
and for several pieces it keeps the voxel route, because this function keeps touching bodies
apart (a stack of washers is three holes to it, one to a person).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import trimesh
from scipy import ndimage
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from mme3dr.geometry.triples import first_max, first_min
from mme3dr.geometry.voxels import (
    CONNECT6,
    CONNECT26,
    DEFAULT_PAD,
    SurfaceSamples,
    VoxelGrid,
    surface_points,
    voxelize,
)

#: resolutions the voxel route may use, finest first.
HOLE_RESOLUTIONS: tuple[int, ...] = (192, 160, 128, 96, 64)

#: the most voxels (padding included) the voxel route's grid may hold: about 1 M, built and
#: measured in ~0.1-0.2 s on one core, which keeps a case within its check-time target.
VOXEL_BUDGET = 1 << 20


@dataclass(frozen=True)
class Topology:
    """Betti numbers of a solid voxel body.

    Attributes:
        components: ``b0``, connected pieces (26-connected).
        tunnels: ``b1``, independent through holes (the genus for a single closed body).
        cavities: ``b2``, sealed empty regions inside the body.
        euler: the Euler characteristic ``b0 - b1 + b2``.
    """

    components: int
    tunnels: int
    cavities: int
    euler: int


def euler_characteristic(solid: np.ndarray) -> int:
    """Euler characteristic of the union of closed unit cubes at the ``True`` voxels."""
    p = np.pad(np.asarray(solid, dtype=bool), 1)
    cubes = int(p.sum())
    faces = 0
    edges = 0
    for axis in range(3):
        # faces perpendicular to `axis`: shared by the two cubes on either side
        a = np.moveaxis(p, axis, 0)
        faces += int((a[1:] | a[:-1]).sum())
        # edges parallel to `axis`: shared by the four cubes around them
        edges += int((a[:, 1:, 1:] | a[:, :-1, 1:] | a[:, 1:, :-1] | a[:, :-1, :-1]).sum())
    vertices = p[1:, 1:, 1:] | p[:-1, 1:, 1:] | p[1:, :-1, 1:] | p[1:, 1:, :-1]
    vertices |= p[:-1, :-1, 1:] | p[:-1, 1:, :-1] | p[1:, :-1, :-1] | p[:-1, :-1, :-1]
    return int(vertices.sum()) - edges + faces - cubes


def topology(solid: np.ndarray) -> Topology:
    """Components, tunnels and cavities of a boolean voxel body (see the module docstring)."""
    solid = np.asarray(solid, dtype=bool)
    chi = euler_characteristic(solid)
    _, b0 = ndimage.label(solid, structure=CONNECT26)
    padded = np.pad(solid, 1)
    _, n_empty = ndimage.label(~padded, structure=CONNECT6)
    # the padding is one empty component touching the border; every other one is a cavity
    b2 = max(n_empty - 1, 0)
    return Topology(components=int(b0), tunnels=int(b0 + b2 - chi), cavities=int(b2), euler=chi)


def through_holes(grid: VoxelGrid) -> Topology:
    """Topology of the sealed solid of ``grid`` (tunnels = through holes)."""
    return topology(grid.solid)


def surface_topology(mesh: trimesh.Trimesh) -> Topology | None:
    """Exact topology of the solid bounded by a closed surface (module docstring), or ``None``
    when the surface is not a clean closed one (the voxel route applies then)."""
    faces = np.asarray(mesh.faces, dtype=np.int64)
    if len(faces) == 0 or not mesh.is_watertight:
        return None
    label, n = _face_components(mesh)
    lo, hi = _component_bounds(mesh, label, n)
    overlapping = _overlapping(lo, hi)
    genus = _component_genus(mesh, label, n)
    if genus is None:
        return None
    alone = ~overlapping
    tunnels, pieces = int(genus[alone].sum()), int(alone.sum())
    if overlapping.any():
        united = _united_genus(mesh, label, np.nonzero(overlapping)[0])
        if united is None:
            return None
        tunnels += sum(united)
        pieces += len(united)
    return Topology(
        components=pieces, tunnels=tunnels, cavities=0, euler=pieces - tunnels
    )


def _face_components(mesh: trimesh.Trimesh) -> tuple[np.ndarray, int]:
    """Component index per face (faces sharing a vertex are connected) and the count."""
    faces = np.asarray(mesh.faces, dtype=np.int64)
    nv = len(mesh.vertices)
    rows = np.concatenate([faces[:, 0], faces[:, 1]])
    cols = np.concatenate([faces[:, 1], faces[:, 2]])
    graph = coo_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(nv, nv))
    _, vertex_label = connected_components(graph, directed=False)
    face_label = vertex_label[faces[:, 0]]
    _, dense = np.unique(face_label, return_inverse=True)
    return dense.astype(np.int64), int(dense.max()) + 1


def _component_bounds(
    mesh: trimesh.Trimesh, label: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per-component axis-aligned bounds ``(n, 3)`` of the faces' corners."""
    tri = np.asarray(mesh.vertices)[np.asarray(mesh.faces)]
    lo = np.full((n, 3), np.inf)
    hi = np.full((n, 3), -np.inf)
    np.minimum.at(lo, label, first_min(tri))
    np.maximum.at(hi, label, first_max(tri))
    return lo, hi


def _overlapping(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Components whose bounding box overlaps (or touches) another component's."""
    n = len(lo)
    if n < 2:
        return np.zeros(n, dtype=bool)
    meets = np.all((lo[:, None, :] <= hi[None, :, :]) & (lo[None, :, :] <= hi[:, None, :]), axis=2)
    np.fill_diagonal(meets, False)
    return meets.any(axis=1)


def _component_genus(mesh: trimesh.Trimesh, label: np.ndarray, n: int) -> np.ndarray | None:
    """Genus of each closed surface component, ``None`` if one is not a closed orientable
    surface (odd or too large Euler characteristic)."""
    faces = np.asarray(mesh.faces, dtype=np.int64)
    edges = np.asarray(mesh.edges_unique, dtype=np.int64)
    vertex_label = np.full(len(mesh.vertices), -1, dtype=np.int64)
    vertex_label[faces.ravel()] = np.repeat(label, 3)
    v = np.bincount(vertex_label[vertex_label >= 0], minlength=n)
    e = np.bincount(vertex_label[edges[:, 0]], minlength=n)
    f = np.bincount(label, minlength=n)
    chi = v - e + f
    if np.any(chi % 2) or np.any(chi > 2):
        return None
    return (2 - chi) // 2


def _united_genus(mesh: trimesh.Trimesh, label: np.ndarray, which: np.ndarray) -> list[int] | None:
    """Genus of each body of the boolean union of the components ``which`` (each oriented
    outward first); ``None`` if the boolean engine rejects one of them."""
    import manifold3d

    vertices = np.asarray(mesh.vertices, dtype=np.float64)
    faces = np.asarray(mesh.faces, dtype=np.int64)
    solids = []
    for c in which:
        f = faces[label == c]
        used, local = np.unique(f, return_inverse=True)
        local = local.reshape(-1, 3)
        v = vertices[used]
        a, b, cc = v[local[:, 0]], v[local[:, 1]], v[local[:, 2]]
        if np.einsum("ij,ij->i", a, np.cross(b, cc)).sum() < 0:
            local = local[:, ::-1]
        solid = manifold3d.Manifold(
            manifold3d.Mesh(
                vert_properties=v.astype(np.float32), tri_verts=local.astype(np.uint32)
            )
        )
        if solid.status() != manifold3d.Error.NoError:
            return None
        solids.append(solid)
    union = manifold3d.Manifold.batch_boolean(solids, manifold3d.OpType.Add)
    return [int(body.genus()) for body in union.decompose()]


def hole_resolution(extents: np.ndarray, budget: int = VOXEL_BUDGET) -> int:
    """The finest of :data:`HOLE_RESOLUTIONS` whose grid of a body with bounding-box
    ``extents`` (normalised units, any scale) holds at most ``budget`` voxels; the coarsest
    one when none fits."""
    e = np.asarray(extents if extents is not None else (), dtype=float).ravel()
    if e.size != 3 or not np.all(np.isfinite(e)) or e.max() <= 0:
        return HOLE_RESOLUTIONS[-1]
    e = e / float(e.max())
    for res in HOLE_RESOLUTIONS:
        dims = np.maximum(np.ceil(e * res), 1) + 2 * DEFAULT_PAD
        if float(np.prod(dims)) <= budget:
            return res
    return HOLE_RESOLUTIONS[-1]


def hole_grid(
    mesh: trimesh.Trimesh, resolution: int, shared: SurfaceSamples | None = None
) -> VoxelGrid:
    """The voxel route's grid at ``resolution``, made as in
    :func:`~mme3dr.geometry.voxels.voxelize` (samples at most half a voxel apart: the
    ``shared`` ones when they are that fine, else fresh ones). A one-voxel step would halve
    the cost but leaves gaps in thin curved shells that the closing does not always seal (a
    torus then reads dozens of tunnels), so it is not used."""
    extent = float(np.max(mesh.extents)) if len(mesh.faces) else 1.0
    step = extent / resolution / 2
    samples = shared
    if samples is None or samples.spacing > step + 1e-12:
        samples = surface_points(mesh, step)
    return voxelize(mesh, resolution, samples=samples, heights=False)
