"""The attack functions (see :mod:`mme3dr.adversarial` for the table)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import trimesh

#: ``(honest mesh, case, rng) -> attacked mesh``; ``case`` may be ``None``.
Attack = Callable[[trimesh.Trimesh, Any, np.random.Generator], trimesh.Trimesh]

ATTACKS: dict[str, Attack] = {}


def register_attack(name: str) -> Callable[[Attack], Attack]:
    """Decorator: add an attack to :data:`ATTACKS` under ``name``."""

    def deco(fn: Attack) -> Attack:
        if name in ATTACKS:
            raise ValueError(f"attack {name!r} registered twice")
        ATTACKS[name] = fn
        return fn

    return deco


def apply_attack(
    name: str, honest: trimesh.Trimesh, case: Any = None, seed: int | np.random.Generator = 0
) -> trimesh.Trimesh:
    """Run attack ``name`` on a copy of ``honest``; ``KeyError`` lists the known attacks."""
    try:
        fn = ATTACKS[name]
    except KeyError:
        raise KeyError(f"unknown attack {name!r}; known: {', '.join(sorted(ATTACKS))}") from None
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    return fn(honest.copy(), case, rng)


def _plain(mesh: trimesh.Trimesh) -> trimesh.Trimesh:
    return trimesh.Trimesh(np.asarray(mesh.vertices), np.asarray(mesh.faces), process=False)


@register_attack("billboard")
def billboard(honest: trimesh.Trimesh, case: Any, rng: np.random.Generator) -> trimesh.Trimesh:
    """Flatten onto the XZ plane: a zero-thickness card showing the front silhouette."""
    m = _plain(honest)
    v = m.vertices.copy()
    v[:, 1] = 0.0
    return trimesh.Trimesh(v, m.faces, process=False)


@register_attack("empty")
def empty(honest: trimesh.Trimesh, case: Any, rng: np.random.Generator) -> trimesh.Trimesh:
    """No faces at all."""
    return trimesh.Trimesh(np.zeros((0, 3)), np.zeros((0, 3), dtype=np.int64), process=False)


@register_attack("near_empty")
def near_empty(honest: trimesh.Trimesh, case: Any, rng: np.random.Generator) -> trimesh.Trimesh:
    """A single small triangle lying flat where the object stood."""
    lo, hi = honest.bounds
    c = (lo + hi) / 2
    s = 0.02 * float((hi - lo).max())
    v = np.array([[c[0], c[1], lo[2]], [c[0] + s, c[1], lo[2]], [c[0], c[1] + s, lo[2]]])
    return trimesh.Trimesh(v, [[0, 1, 2]], process=False)


@register_attack("exploded")
def exploded(honest: trimesh.Trimesh, case: Any, rng: np.random.Generator) -> trimesh.Trimesh:
    """Cut the surface into octants around the centre and push each piece outwards by 30 %
    of the largest extent (open shards floating apart)."""
    m = _plain(honest)
    lo, hi = m.bounds
    centre = (lo + hi) / 2
    push = 0.3 * float((hi - lo).max())
    tri = m.triangles_center - centre
    octant = (tri > 0).astype(int) @ np.array([1, 2, 4])
    pieces = []
    for k in np.unique(octant):
        sub = m.submesh([np.nonzero(octant == k)[0]], append=True)
        sign = np.array([1 if k & 1 else -1, 1 if k & 2 else -1, 1 if k & 4 else -1])
        sub.apply_translation(sign * push + rng.uniform(-0.02, 0.02, 3) * push)
        pieces.append(sub)
    return trimesh.util.concatenate(pieces)


@register_attack("noise")
def noise(honest: trimesh.Trimesh, case: Any, rng: np.random.Generator) -> trimesh.Trimesh:
    """400 random triangles over 200 random vertices in the honest bounding box (a tangled
    soup, mostly one connected component, like a diverged generator's output)."""
    lo, hi = honest.bounds
    v = rng.uniform(lo, hi, size=(200, 3))
    f = rng.integers(0, 200, size=(400, 3))
    f = f[(f[:, 0] != f[:, 1]) & (f[:, 1] != f[:, 2]) & (f[:, 0] != f[:, 2])]
    return trimesh.Trimesh(v, f, process=False)


@register_attack("extreme_scale")
def extreme_scale(
    honest: trimesh.Trimesh, case: Any, rng: np.random.Generator
) -> trimesh.Trimesh:
    """The same shape, 1000 times larger and 10^4 units from the origin."""
    m = _plain(honest)
    m.apply_scale(1000.0)
    m.apply_translation([1.0e4, -2.0e4, 5.0e3])
    return m


@register_attack("inverted_normals")
def inverted_normals(
    honest: trimesh.Trimesh, case: Any, rng: np.random.Generator
) -> trimesh.Trimesh:
    """Every face's winding reversed (normals point inwards)."""
    m = _plain(honest)
    return trimesh.Trimesh(m.vertices, m.faces[:, ::-1], process=False)


@register_attack("duplicate_stacked")
def duplicate_stacked(
    honest: trimesh.Trimesh, case: Any, rng: np.random.Generator
) -> trimesh.Trimesh:
    """Two copies of the object, the second resting on top of the first."""
    a = _plain(honest)
    b = a.copy()
    b.apply_translation([0.0, 0.0, float(a.bounds[1, 2] - a.bounds[0, 2])])
    return trimesh.util.concatenate([a, b])


@register_attack("one_view_silhouette")
def one_view_silhouette(
    honest: trimesh.Trimesh, case: Any, rng: np.random.Generator, resolution: int = 48
) -> trimesh.Trimesh:
    """A slab a few voxels thick whose front (XZ) silhouette is exactly the object's: it looks
    right from the front camera and wrong from everywhere else."""
    m = _plain(honest)
    lo, hi = m.bounds
    pitch = float((hi - lo).max()) / resolution
    # sample the surface densely and mark the XZ cells it covers
    n = 20 * resolution * resolution
    pts, _ = trimesh.sample.sample_surface(m, n, seed=int(rng.integers(1 << 31)))
    pts = np.vstack([pts, m.vertices])
    ij = np.floor((pts[:, [0, 2]] - lo[[0, 2]]) / pitch).astype(int)
    shape = np.maximum(ij.max(axis=0) + 1, 1)
    mask = np.zeros(shape, dtype=bool)
    mask[ij[:, 0], ij[:, 1]] = True
    from scipy import ndimage

    # the surface projects onto the whole silhouette; closing only bridges sampling gaps
    mask = ndimage.binary_closing(np.pad(mask, 2), iterations=1)[2:-2, 2:-2]
    slab = extrude_mask(mask, pitch, 3 * pitch)
    slab.apply_translation([lo[0], 0.0, lo[2]])
    return slab


def extrude_mask(mask: np.ndarray, pitch: float, thickness: float) -> trimesh.Trimesh:
    """A closed slab from a 2D boolean ``mask[i, k]`` (cells ``pitch`` wide in X and Z),
    ``thickness`` deep in Y and centred on y = 0: front and back faces plus side walls."""
    nx, nz = mask.shape
    padded = np.pad(mask, 1)

    def vid(i: np.ndarray, k: np.ndarray, layer: int) -> np.ndarray:
        return (i * (nz + 1) + k) * 2 + layer

    ii, kk = np.nonzero(mask)
    i1, k1 = ii + 1, kk + 1
    quads = [
        np.stack([vid(ii, kk, 0), vid(i1, kk, 0), vid(i1, k1, 0), vid(ii, k1, 0)], 1),
        np.stack([vid(ii, kk, 1), vid(ii, k1, 1), vid(i1, k1, 1), vid(i1, kk, 1)], 1),
    ]
    for di, dk in ((1, 0), (-1, 0), (0, 1), (0, -1)):
        open_side = ~padded[ii + 1 + di, kk + 1 + dk]
        i, k = ii[open_side], kk[open_side]
        if di:
            x = i + (di > 0)
            q = [vid(x, k, 0), vid(x, k + 1, 0), vid(x, k + 1, 1), vid(x, k, 1)]
        else:
            z = k + (dk > 0)
            q = [vid(i, z, 0), vid(i + 1, z, 0), vid(i + 1, z, 1), vid(i, z, 1)]
        quads.append(np.stack(q, 1))
    q = np.vstack(quads)
    faces = np.vstack([q[:, [0, 1, 2]], q[:, [0, 2, 3]]])
    gi, gk, gl = np.meshgrid(np.arange(nx + 1), np.arange(nz + 1), np.arange(2), indexing="ij")
    verts = np.stack(
        [gi.ravel() * pitch, (gl.ravel() - 0.5) * thickness, gk.ravel() * pitch], axis=1
    )
    mesh = trimesh.Trimesh(verts, faces, process=False)
    mesh.remove_unreferenced_vertices()
    trimesh.repair.fix_normals(mesh)
    return mesh


@register_attack("convex_hull")
def convex_hull(honest: trimesh.Trimesh, case: Any, rng: np.random.Generator) -> trimesh.Trimesh:
    """The convex hull: every cavity, tunnel and gap between legs filled."""
    return _plain(honest.convex_hull)
