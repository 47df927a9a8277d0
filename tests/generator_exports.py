"""The generator-export corpus: known-answer shapes exported the way grid decoders export them.

Each item is a clean procedural shape with the answers its checks must give (the ``mme3dr``
case set's procedural references with their cases' geometric checks, plus the part shapes of
``tests/parts_cases.py``), and a list of *forms*:

* ``clean``: the procedural mesh itself;
* ``mc64``, ``mc96``, ``mc128``: :func:`export` at that decoder resolution: occupancy of the
  solid on an ``n``-cubed grid, a slight blur, marching cubes, Taubin smoothing, vertex-clustering
  decimation to about half the faces, a few flipped triangles, a few pin-holes, every triangle
  with its own three vertices;
* ``dense``: marching cubes at 256 with smoothing and no decimation (300k-2M faces), the other
  defects as above.

The answers of a generator export are those of the clean shape: the decoder saw the same object.
Nothing here is random without a seed, so an item always yields the same mesh.

Units: the builders make +Z-up meshes in their own units; checks see them normalised (largest
extent 1, resting on z = 0).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import trimesh
from scipy import ndimage

from mme3dr.geometry.voxels import voxelize

#: checks that take no weights and no rendering, judged by the corpus.
GEOMETRIC = (
    "ground_contacts", "through_holes", "horizontal_layers", "parts", "stacked", "radial_count",
    "symmetry", "aspect", "relation", "holds_liquid", "support_surface", "opening",
    "floating_parts", "stable",
)

#: decoder resolution of each generator form (``dense`` is 256 without decimation).
FORMS: dict[str, int] = {"mc64": 64, "mc96": 96, "mc128": 128, "dense": 256}


@dataclass(frozen=True)
class Item:
    """One known-answer shape: ``build()`` makes the clean mesh, ``checks`` its answers."""

    name: str
    build: Callable[[], trimesh.Trimesh]
    checks: tuple[dict, ...]
    generator_too: bool = True


def occupancy_field(mesh: trimesh.Trimesh, n: int, blur: float) -> tuple[np.ndarray, np.ndarray,
                                                                         float]:
    """The blurred occupancy of ``mesh`` on an ``n``-voxel grid along its largest extent.

    Returns ``(field, origin, pitch)``: ``field`` is float32 with one extra zero voxel on every
    side (so marching cubes closes the surface); voxel ``i`` of ``field`` is centred at
    ``origin + (i - 0.5) * pitch`` in the mesh's units.
    """
    grid = voxelize(mesh, resolution=n, close_iterations=0, pad=1)
    field = np.pad(grid.solid.astype(np.float32), 1)
    if blur > 0:
        field = ndimage.gaussian_filter(field, blur)
    return field, grid.origin, grid.pitch


def cluster_decimate(mesh: trimesh.Trimesh, keep: float) -> trimesh.Trimesh:
    """Vertex-clustering decimation to about ``keep`` of the faces.

    Vertices are snapped to cells of a cubic lattice and each cell's vertices merged at their
    mean; faces that collapse are dropped. The cell edge is searched (bisection on its log) so
    the result has about ``keep * len(mesh.faces)`` faces. Like any decimation of a
    marching-cubes surface, it leaves uneven, sometimes sliver triangles and may pinch thin
    features.
    """
    if keep >= 1.0 or len(mesh.faces) < 100:
        return mesh
    verts, faces = np.asarray(mesh.vertices), np.asarray(mesh.faces)
    mean_edge = float(mesh.edges_unique_length.mean())
    lo, hi = np.log(mean_edge * 0.3), np.log(mean_edge * 6.0)
    best = mesh
    for _ in range(12):
        cell = float(np.exp(0.5 * (lo + hi)))
        out = _cluster(verts, faces, cell)
        ratio = len(out.faces) / len(faces)
        best = out
        if abs(ratio - keep) < 0.03:
            break
        if ratio > keep:
            lo = np.log(cell)
        else:
            hi = np.log(cell)
    return best


def _cluster(verts: np.ndarray, faces: np.ndarray, cell: float) -> trimesh.Trimesh:
    """Merge the vertices of each ``cell``-sized lattice cell at their mean."""
    keys = np.floor(verts / cell).astype(np.int64)
    _, label = np.unique(keys, axis=0, return_inverse=True)
    label = label.reshape(-1)
    count = np.bincount(label).astype(float)
    merged = np.stack([np.bincount(label, verts[:, i]) for i in range(3)], axis=1)
    merged /= count[:, None]
    tri = label[faces]
    good = (tri[:, 0] != tri[:, 1]) & (tri[:, 1] != tri[:, 2]) & (tri[:, 0] != tri[:, 2])
    return trimesh.Trimesh(merged, tri[good], process=True)


def export(mesh: trimesh.Trimesh, n: int = 64, seed: int = 0, blur: float = 0.5,
           smooth: int = 5, keep: float = 0.5, flipped: float = 0.01,
           holes: int = 4) -> trimesh.Trimesh:
    """A generator-style export of ``mesh`` (see the module docstring).

    Args:
        mesh: the clean known-answer mesh (any units, +Z up).
        n: decoder grid resolution along the largest extent.
        seed: seeds the flipped triangles and the pin-holes.
        blur: Gaussian sigma (voxels) of the occupancy before marching cubes.
        smooth: Taubin smoothing iterations (0: none).
        keep: fraction of the faces kept by decimation (1: none).
        flipped: fraction of triangles whose winding is reversed.
        holes: number of pin-holes (single triangles removed).
    """
    from skimage.measure import marching_cubes

    field, origin, pitch = occupancy_field(mesh, n, blur)
    verts, faces, _, _ = marching_cubes(field, level=0.5)
    verts = (verts - 0.5) * pitch + origin
    out = trimesh.Trimesh(verts, faces, process=True)
    if smooth:
        trimesh.smoothing.filter_taubin(out, iterations=smooth)
    out = cluster_decimate(out, keep)
    return defects(out, seed, flipped, holes)


def defects(mesh: trimesh.Trimesh, seed: int, flipped: float, holes: int) -> trimesh.Trimesh:
    """Flip a fraction ``flipped`` of the triangles, delete ``holes`` of them (pin-holes) and
    give every triangle its own three vertices, seeded by ``seed``."""
    rng = np.random.default_rng(seed)
    tri = np.asarray(mesh.faces).copy()
    flip = rng.random(len(tri)) < flipped
    tri[flip] = tri[flip][:, ::-1]
    keep = np.ones(len(tri), dtype=bool)
    keep[rng.choice(len(tri), size=min(holes, len(tri) // 10), replace=False)] = False
    split = np.asarray(mesh.vertices)[tri[keep]].reshape(-1, 3)
    return trimesh.Trimesh(split, np.arange(len(split)).reshape(-1, 3), process=False)


def form_mesh(item: Item, form: str, seed: int = 0) -> trimesh.Trimesh:
    """The mesh of ``item`` in ``form`` (``clean`` or a key of :data:`FORMS`)."""
    mesh = item.build()
    if form == "clean":
        return mesh
    n = FORMS[form]
    if form == "dense":
        return export(mesh, n, seed=seed, keep=1.0)
    return export(mesh, n, seed=seed)


def reference_items() -> list[Item]:
    """Every ``mme3dr`` case with a procedural reference, with its geometric checks, plus
    ``floating_parts`` (a reference never has floating parts)."""
    from mme3dr.cases import load_cases
    from mme3dr.examples.mme3dr_reference import REFERENCE

    items = []
    for case in load_cases("mme3dr", validate_checks=False).cases:
        if case.id not in REFERENCE:
            continue
        checks = [dict(c) for c in case.checks if c["check"] in GEOMETRIC]
        checks.append({"check": "floating_parts"})
        items.append(Item(case.id, REFERENCE[case.id], tuple(checks)))
    return items


def part_items() -> list[Item]:
    """The known-answer part shapes of ``tests/parts_cases.py``."""
    from parts_cases import KNOWN

    return [Item(name, build, tuple(checks), generator_too)
            for name, (build, checks, generator_too) in KNOWN.items()]


def all_items() -> list[Item]:
    """The whole generator-export corpus: references, then part shapes."""
    return reference_items() + part_items()
