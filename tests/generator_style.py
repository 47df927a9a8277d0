"""Generator-style versions of known-answer meshes (what text-to-3D decoders export).

:func:`generator_style` turns a clean mesh into the kind of surface a grid decoder exports:
the occupancy of the object on an ``n``-cubed grid over its bounding box (a voxel is occupied
when the solid reaches into it, so parts that touch fuse, as they do in a decoded grid), a
slight blur of the occupancy (decoders output soft logits), marching cubes at level 0.5,
Taubin smoothing, quadric decimation when ``fast_simplification`` is installed, every triangle
with its own three vertices, a few triangles wound the other way and a few pin-holes (deleted
triangles). Everything is seeded, so a shape always yields the same mesh.
"""

from __future__ import annotations

import numpy as np
import trimesh
from scipy import ndimage

from mme3dr.geometry.voxels import voxelize


def occupancy(mesh: trimesh.Trimesh, n: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Occupancy of ``mesh`` on an ``n``-voxel grid along its largest extent (1 voxel padding).

    Returns ``(grid, origin, pitch)``: a voxel is occupied when the closed solid reaches into it.
    """
    grid = voxelize(mesh, resolution=n, close_iterations=0, pad=1)
    return grid.solid, grid.origin, grid.pitch


def generator_style(
    mesh: trimesh.Trimesh,
    n: int = 64,
    seed: int = 0,
    blur: float = 0.5,
    smooth: int = 5,
    decimate: float = 0.5,
    flipped: float = 0.01,
    holes: int = 4,
) -> trimesh.Trimesh:
    """A generator-style export of ``mesh`` (see the module docstring).

    Args:
        mesh: the clean known-answer mesh (any units).
        n: decoder grid resolution along the largest extent (64 or 96).
        seed: seeds the flipped triangles and the pin-holes.
        blur: Gaussian sigma (voxels) applied to the occupancy before marching cubes.
        smooth: Taubin smoothing iterations (0: none).
        decimate: fraction of the faces kept by quadric decimation (1: none).
        flipped: fraction of triangles whose winding is reversed.
        holes: number of pin-holes (single triangles removed).
    """
    from skimage.measure import marching_cubes

    solid, origin, pitch = occupancy(mesh, n)
    field = np.pad(solid.astype(np.float32), 1)
    if blur > 0:
        field = ndimage.gaussian_filter(field, blur)
    verts, faces, _, _ = marching_cubes(field, level=0.5)
    verts = (verts - 1.0 + 0.5) * pitch + origin  # sample i sits at the centre of voxel i
    out = trimesh.Trimesh(verts, faces, process=True)
    if smooth:
        trimesh.smoothing.filter_taubin(out, iterations=smooth)
    if decimate < 1.0:
        try:
            out = out.simplify_quadric_decimation(percent=1.0 - decimate)
        except (ImportError, ModuleNotFoundError):
            pass
    rng = np.random.default_rng(seed)
    tri = np.asarray(out.faces).copy()
    flip = rng.random(len(tri)) < flipped
    tri[flip] = tri[flip][:, ::-1]
    keep = np.ones(len(tri), dtype=bool)
    keep[rng.choice(len(tri), size=min(holes, len(tri) // 10), replace=False)] = False
    tri = tri[keep]
    split = np.asarray(out.vertices)[tri].reshape(-1, 3)
    return trimesh.Trimesh(split, np.arange(len(split)).reshape(-1, 3), process=False)
