"""Sealed cavities: a closed inner shell that is the wall of a void inside another shell.

A hollow solid (a sealed box, a tagine with its lid fused on, a marching-cubes export of a
vessel closed at the top) is one solid bounded by two surfaces: the outer shell and the wall of
its internal void. As a mesh they are two connected components, but the inner one is not a
*part*: it is the other side of the same wall. It is told from a body enclosed in the void
(a ball sealed in a box) by its orientation: a void's wall faces into the void, so its signed
volume has the opposite sign to the enclosing shell's, while an enclosed body faces outwards
like the shell around it. Comparing the two signs (not each sign with a convention) keeps the
rule the same when every normal of the mesh is flipped.

Containment is the generalised winding number (the solid angle the enclosing shell subtends
at a point, over 4 pi; Van Oosterom & Strackee's formula per triangle): about +-1 inside a
closed shell, 0 outside, and still close to that for a shell with pin-holes or a few flipped
triangles, which is what decoders export.

All lengths are in normalised units; nothing here depends on the up axis.
"""

from __future__ import annotations

import numpy as np

#: points of the inner shell whose winding number is tested (centres of faces spread over it)
WALL_PROBES = 9
#: |winding number| above this means "inside the enclosing shell"
INSIDE_WINDING = 0.5
#: triangle-point solid angles evaluated per vectorised chunk (bounds memory)
_CHUNK = 1_000_000


def signed_volumes(triangles: np.ndarray, labels: np.ndarray, n: int) -> np.ndarray:
    """``[n]`` signed volume enclosed by each component's triangles (``[f, 3, 3]``, per-face
    ``labels`` ``0..n-1``): positive for a closed shell wound counter-clockwise seen from
    outside (outward normals), negative for one wound the other way. Each component is measured
    about its own first vertex, so an open component gets a translation-stable value too."""
    if len(triangles) == 0:
        return np.zeros(n)
    first = np.zeros((n, 3))
    seen = np.full(n, len(labels))
    np.minimum.at(seen, labels, np.arange(len(labels)))
    has = seen < len(labels)
    first[has] = triangles[seen[has], 0]
    t = triangles - first[labels][:, None, :]
    det = np.einsum("ij,ij->i", t[:, 0], np.cross(t[:, 1], t[:, 2]))
    return np.bincount(labels, weights=det / 6.0, minlength=n)


def winding_numbers(points: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    """Generalised winding number ``[p]`` of ``points`` ``[p, 3]`` with respect to the surface
    ``triangles`` ``[f, 3, 3]``: the solid angle it subtends, over 4 pi, signed by the winding
    (+1 inside a closed shell with outward normals, -1 inside one wound inwards, 0 outside)."""
    points = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    triangles = np.asarray(triangles, dtype=np.float64).reshape(-1, 3, 3)
    total = np.zeros(len(points))
    if len(triangles) == 0 or len(points) == 0:
        return total
    per = max(1, _CHUNK // len(points))
    for start in range(0, len(triangles), per):
        tri = triangles[start : start + per]
        a = tri[None, :, 0] - points[:, None]
        b = tri[None, :, 1] - points[:, None]
        c = tri[None, :, 2] - points[:, None]
        la, lb, lc = (np.linalg.norm(v, axis=2) for v in (a, b, c))
        det = np.einsum("pfi,pfi->pf", a, np.cross(b, c))
        dot = lambda u, v: np.einsum("pfi,pfi->pf", u, v)  # noqa: E731
        den = la * lb * lc + dot(a, b) * lc + dot(a, c) * lb + dot(b, c) * la
        total += 2.0 * np.arctan2(det, den).sum(axis=1)
    return total / (4.0 * np.pi)


def cavity_walls(
    triangles: np.ndarray,
    labels: np.ndarray,
    n: int,
    bounds_min: np.ndarray,
    bounds_max: np.ndarray,
    inner: np.ndarray,
) -> np.ndarray:
    """Pairs ``[k, 2]`` ``(wall, shell)``: each component of ``inner`` that is the wall of a
    sealed void inside component ``shell`` (see the module docstring).

    Args:
        triangles: ``[f, 3, 3]`` the mesh's triangles; ``labels`` their components ``0..n-1``.
        bounds_min, bounds_max: ``[n, 3]`` each component's bounding box.
        inner: the components to test (e.g. the ones found floating).

    The wall's probe points (face centres) must lie inside solid material of the rest of the
    mesh: the summed winding number of the other components whose boxes contain the wall's box
    is above :data:`INSIDE_WINDING` in magnitude with the sign opposite to the wall's signed
    volume (a wall facing into the void it cuts out of that material). A body in the void is
    not in material (the shell's +1 and the void wall's -1 cancel) and is never a wall. The
    wall is joined to the smallest of those components whose own winding has that sign.
    """
    inner = np.asarray(inner, dtype=np.int64)
    if len(inner) == 0 or n < 2:
        return np.zeros((0, 2), np.int64)
    volume = signed_volumes(triangles, labels, n)
    order = np.argsort(labels, kind="stable")
    starts = np.searchsorted(labels[order], np.arange(n + 1))
    size = np.prod(bounds_max - bounds_min, axis=1)
    found = []
    for wall in inner.tolist():
        if volume[wall] == 0.0:
            continue  # an open or unoriented sheet: no inside to speak of
        holds = np.all(
            (bounds_min <= bounds_min[wall]) & (bounds_max >= bounds_max[wall]), axis=1
        )
        holds[wall] = False
        if not np.any(holds & (np.sign(volume) == -np.sign(volume[wall]))):
            continue  # no shell around it is wound the other way: not a void's wall
        wall_faces = order[starts[wall] : starts[wall + 1]]
        probe_faces = wall_faces[np.linspace(0, len(wall_faces) - 1, WALL_PROBES).astype(int)]
        probes = triangles[probe_faces].mean(axis=1)
        shells = np.flatnonzero(holds)[np.argsort(size[holds], kind="stable")]  # not empty
        winding = np.stack(
            [winding_numbers(probes, triangles[order[starts[s] : starts[s + 1]]]) for s in shells]
        )  # [shells, probes]
        material = -np.sign(volume[wall])
        in_material = (np.abs(winding.sum(axis=0)) > INSIDE_WINDING) & (
            np.sign(winding.sum(axis=0)) == material
        )
        if np.mean(in_material) <= 0.5:
            continue
        own = np.mean(np.sign(winding) * (np.abs(winding) > INSIDE_WINDING) == material, axis=1)
        if np.any(own > 0.5):
            found.append((wall, int(shells[int(np.argmax(own > 0.5))])))
    return np.asarray(found, dtype=np.int64).reshape(-1, 2)


def merge_walls(labels: np.ndarray, n: int, walls: np.ndarray) -> tuple[int, np.ndarray]:
    """Connected-component ``labels`` (``0..n-1`` per face) with each sealed void's wall
    ``walls[i, 0]`` (pairs from :func:`cavity_walls`) given its shell's label ``walls[i, 1]``,
    renumbered ``0..k-1`` keeping the kept labels' order: ``(k, labels)``."""
    if len(walls) == 0:
        return n, labels
    target = np.arange(n)
    target[walls[:, 0]] = walls[:, 1]
    for _ in range(n):  # a wall's shell may itself be a wall (nested voids)
        nxt = target[target]
        if np.array_equal(nxt, target):
            break
        target = nxt
    kept, new = np.unique(target, return_inverse=True)
    return len(kept), new[labels]
