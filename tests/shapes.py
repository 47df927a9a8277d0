"""Known-answer mesh builders for tests (+Z up, units arbitrary: assets normalise them).

Every builder returns a fresh :class:`trimesh.Trimesh` whose answer to the geometric checks is
known by construction (number of legs, through holes, levels, teeth...). Parts are separate
components unless the builder says ``fused=True`` (a boolean union into one body). Booleans use
the ``manifold`` engine. :func:`asset_of` wraps a mesh into a normalised
:class:`~mme3dr.assets.Asset`, optionally after a random yaw, scale, translation, subdivision
or vertex noise (the invariances every check must have).
"""

from __future__ import annotations

import numpy as np
import trimesh
from trimesh.creation import box, cylinder, icosphere, torus

from mme3dr.assets import Asset

__all__ = [
    "asset_of",
    "ball_on_cube",
    "bowl",
    "broken_symmetry",
    "closed_box",
    "cube_tower",
    "flower_pot",
    "gear",
    "mug",
    "open_box",
    "plate",
    "prism",
    "ring",
    "sample_of",
    "shelf",
    "sphere",
    "staircase",
    "star",
    "stool",
    "table",
    "torus_ring",
    "transformed",
    "tube",
]


def _union(meshes: list[trimesh.Trimesh]) -> trimesh.Trimesh:
    return trimesh.boolean.union(meshes, engine="manifold")


def _diff(a: trimesh.Trimesh, b: trimesh.Trimesh) -> trimesh.Trimesh:
    return trimesh.boolean.difference([a, b], engine="manifold")


def _at(mesh: trimesh.Trimesh, x: float = 0.0, y: float = 0.0, z: float = 0.0) -> trimesh.Trimesh:
    mesh = mesh.copy()
    mesh.apply_translation([x, y, z])
    return mesh


def _join(meshes: list[trimesh.Trimesh], fused: bool) -> trimesh.Trimesh:
    return _union(meshes) if fused else trimesh.util.concatenate(meshes)


def table(
    legs: int = 4, fused: bool = False, top: str = "box", leg_height: float = 0.7
) -> trimesh.Trimesh:
    """A table 1.2 x 0.8 (``top="box"``) or a round table (``"round"``) with ``legs`` legs.

    Legs are cylinders of radius 0.04 evenly placed on an ellipse (or at the four corners for
    a 4-legged box table); the top is 0.05 thick at height ``leg_height``.
    """
    parts = []
    if top == "box":
        parts.append(_at(box([1.2, 0.8, 0.05]), z=leg_height + 0.025))
        ax, ay = 0.5, 0.3
    else:
        parts.append(_at(cylinder(radius=0.5, height=0.05, sections=64), z=leg_height + 0.025))
        ax, ay = 0.38, 0.38
    if legs == 4 and top == "box":
        spots = [(sx * ax, sy * ay) for sx in (-1, 1) for sy in (-1, 1)]
    else:
        angles = np.linspace(0, 2 * np.pi, legs, endpoint=False) + np.pi / 4
        spots = [(ax * np.cos(a), ay * np.sin(a)) for a in angles]
    for x, y in spots:
        leg = cylinder(radius=0.04, height=leg_height, sections=24)
        parts.append(_at(leg, x, y, leg_height / 2))
    return _join(parts, fused)


def stool(legs: int = 3, fused: bool = False) -> trimesh.Trimesh:
    """A round stool: seat radius 0.25 at height 0.5 on ``legs`` legs."""
    parts = [_at(cylinder(radius=0.25, height=0.04, sections=48), z=0.52)]
    for a in np.linspace(0, 2 * np.pi, legs, endpoint=False):
        parts.append(_at(cylinder(radius=0.025, height=0.5, sections=16), 0.18 * np.cos(a),
                         0.18 * np.sin(a), 0.25))
    return _join(parts, fused)


def mug(handle: bool = True) -> trimesh.Trimesh:
    """A cylindrical mug (radius 0.4, height 1, wall 0.06, open top) with a torus handle."""
    body = _diff(
        _at(cylinder(radius=0.4, height=1.0, sections=64), z=0.5),
        _at(cylinder(radius=0.34, height=1.0, sections=64), z=0.56),
    )
    if not handle:
        return body
    ring = torus(major_radius=0.25, minor_radius=0.05, major_sections=48, minor_sections=16)
    ring.apply_transform(trimesh.transformations.rotation_matrix(np.pi / 2, [1, 0, 0]))
    ring.apply_translation([0.45, 0, 0.5])
    outer = _union([body, ring])
    return _diff(outer, _at(cylinder(radius=0.34, height=1.0, sections=64), z=0.56))


def bowl() -> trimesh.Trimesh:
    """A hemispherical bowl (outer radius 0.5, wall 0.05) on a flat foot, open at the top."""
    shell = _diff(icosphere(subdivisions=4, radius=0.5), icosphere(subdivisions=4, radius=0.45))
    lower = _diff(shell, _at(box([2, 2, 1]), z=0.5))
    foot = _at(cylinder(radius=0.2, height=0.06, sections=48), z=-0.5 + 0.02)
    return _union([lower, foot])


def open_box(size: float = 1.0, wall: float = 0.06) -> trimesh.Trimesh:
    """A cubic box open at the top (walls and floor ``wall`` thick)."""
    outer = _at(box([size] * 3), z=size / 2)
    inner = _at(box([size - 2 * wall, size - 2 * wall, size]), z=wall + size / 2)
    return _diff(outer, inner)


def closed_box(size: float = 1.0, wall: float = 0.06) -> trimesh.Trimesh:
    """A hollow cube with a sealed interior cavity (two shells: outer and inner)."""
    outer = _at(box([size] * 3), z=size / 2)
    inner = _at(box([size - 2 * wall] * 3), z=size / 2)
    return _diff(outer, inner)


def flower_pot() -> trimesh.Trimesh:
    """An open box with a drainage hole in the floor: open at the top, holds no water."""
    return _diff(open_box(), _at(cylinder(radius=0.15, height=0.5, sections=32), z=0.0))


def tube() -> trimesh.Trimesh:
    """A vertical pipe (no floor): open up and down, holds no water."""
    return _diff(
        _at(cylinder(radius=0.3, height=1.0, sections=48), z=0.5),
        _at(cylinder(radius=0.24, height=1.2, sections=48), z=0.5),
    )


def plate(radius: float = 0.5, thickness: float = 0.03) -> trimesh.Trimesh:
    """A flat disc."""
    return _at(cylinder(radius=radius, height=thickness, sections=64), z=thickness / 2)


def ring(outer: float = 0.5, inner: float = 0.35, height: float = 0.1) -> trimesh.Trimesh:
    """A flat annulus (washer) lying on the ground: one through hole."""
    return _diff(
        _at(cylinder(radius=outer, height=height, sections=64), z=height / 2),
        _at(cylinder(radius=inner, height=height * 2, sections=64), z=height / 2),
    )


def torus_ring(major: float = 0.4, minor: float = 0.1) -> trimesh.Trimesh:
    """A torus lying flat: one through hole."""
    return _at(torus(major_radius=major, minor_radius=minor, major_sections=64,
                     minor_sections=24), z=minor)


def sphere(radius: float = 0.5) -> trimesh.Trimesh:
    return _at(icosphere(subdivisions=4, radius=radius), z=radius)


def shelf(levels: int = 4, fused: bool = True) -> trimesh.Trimesh:
    """An open bookshelf 1 wide, 0.35 deep, 1.5 tall with ``levels`` boards between two sides.

    Boards are evenly spaced from the bottom (z = 0) to the top; their upper faces are the
    ``levels`` horizontal layers.
    """
    height, width, depth, t = 1.5, 1.0, 0.35, 0.04
    parts = [
        _at(box([t, depth, height]), -width / 2 + t / 2, 0, height / 2),
        _at(box([t, depth, height]), width / 2 - t / 2, 0, height / 2),
    ]
    for z in np.linspace(0, height - t, levels):
        parts.append(_at(box([width - 0.01, depth, t]), 0, 0, z + t / 2))
    return _join(parts, fused)


def staircase(steps: int = 3) -> trimesh.Trimesh:
    """A solid staircase of ``steps`` steps (each 0.3 deep, 0.2 high, 1 wide), fused."""
    parts = [
        _at(box([0.3 * (steps - i), 1.0, 0.2]), 0.15 * (steps + i), 0, 0.1 + 0.2 * i)
        for i in range(steps)
    ]
    return _union(parts)


def gear(teeth: int = 12, radius: float = 0.4, tooth: float = 0.1,
         height: float = 0.1) -> trimesh.Trimesh:
    """A flat spur gear: a disc with ``teeth`` rectangular teeth of radial length ``tooth``."""
    parts = [_at(cylinder(radius=radius, height=height, sections=96), z=height / 2)]
    width = 2 * np.pi * radius / teeth * 0.45
    for a in np.linspace(0, 2 * np.pi, teeth, endpoint=False):
        t = box([tooth + 0.04, width, height])
        t.apply_translation([radius + tooth / 2 - 0.02, 0, height / 2])
        t.apply_transform(trimesh.transformations.rotation_matrix(a, [0, 0, 1]))
        parts.append(t)
    return _union(parts)


def prism(outline: np.ndarray, height: float) -> trimesh.Trimesh:
    """Extrude a star-shaped (visible from its centroid) 2D ``outline`` ``[n, 2]`` to a prism."""
    outline = np.asarray(outline, dtype=float)
    n = len(outline)
    centre = outline.mean(axis=0)
    bottom = np.column_stack([outline, np.zeros(n)])
    top = np.column_stack([outline, np.full(n, height)])
    vertices = np.vstack([bottom, top, [[*centre, 0.0]], [[*centre, height]]])
    cb, ct = 2 * n, 2 * n + 1
    faces = []
    for i in range(n):
        j = (i + 1) % n
        faces += [[cb, j, i], [ct, n + i, n + j], [i, j, n + j], [i, n + j, n + i]]
    mesh = trimesh.Trimesh(vertices, np.array(faces), process=True)
    mesh.fix_normals()
    return mesh


def star(points: int = 5, outer: float = 0.5, inner: float = 0.22,
         height: float = 0.1) -> trimesh.Trimesh:
    """A flat ``points``-pointed star prism."""
    angles = np.linspace(0, 2 * np.pi, 2 * points, endpoint=False) + np.pi / 2
    radii = np.where(np.arange(2 * points) % 2 == 0, outer, inner)
    outline = np.column_stack([radii * np.cos(angles), radii * np.sin(angles)])
    return prism(outline, height)


def cube_tower(n: int = 3, size: float = 0.3, shrink: float = 0.04, offset: float = 0.013,
               fused: bool = False) -> trimesh.Trimesh:
    """``n`` cubes stacked on each other (each ``shrink`` smaller than the one below and shifted
    by ``offset`` in x and y, so no two cubes share a vertex position even after subdivision:
    shared positions would merge the cubes into one mesh component)."""
    parts, z = [], 0.0
    for i in range(n):
        s = size - shrink * i
        parts.append(_at(box([s, s, s]), offset * i, offset * i, z + s / 2))
        z += s
    return _join(parts, fused)


def ball_on_cube(size: float = 0.5, radius: float = 0.2) -> trimesh.Trimesh:
    """A sphere resting on top of a cube (two separate bodies touching at one point)."""
    return trimesh.util.concatenate(
        [_at(box([size] * 3), z=size / 2), _at(icosphere(3, radius=radius), z=size + radius)]
    )


def side_by_side(gap: float = 0.2) -> trimesh.Trimesh:
    """A big cube at x < 0 and a smaller sphere at x > 0 on the ground (left/right relation)."""
    return trimesh.util.concatenate(
        [_at(box([0.5, 0.5, 0.5]), x=-0.25 - gap / 2, z=0.25),
         _at(icosphere(3, radius=0.15), x=0.15 + gap / 2, z=0.15)]
    )


def broken_symmetry() -> trimesh.Trimesh:
    """A box with a block attached off-centre on one side: no mirror plane, no rotation."""
    return _union(
        [_at(box([1.0, 0.6, 0.4]), z=0.2), _at(box([0.25, 0.3, 0.3]), 0.35, 0.4, 0.15),
         _at(box([0.2, 0.2, 0.3]), -0.3, -0.1, 0.55)]
    )


def transformed(
    mesh: trimesh.Trimesh,
    yaw: float = 0.0,
    scale: float = 1.0,
    shift: tuple[float, float, float] = (0.0, 0.0, 0.0),
    subdivide: bool = False,
    noise: float = 0.0,
    seed: int = 0,
) -> trimesh.Trimesh:
    """A copy of ``mesh`` rotated by ``yaw`` radians about +Z, scaled, shifted, optionally
    subdivided once and with uniform vertex noise of amplitude ``noise`` x its extent."""
    mesh = mesh.copy()
    if subdivide:
        mesh = mesh.subdivide()
    mesh.apply_transform(trimesh.transformations.rotation_matrix(yaw, [0, 0, 1]))
    mesh.apply_scale(scale)
    mesh.apply_translation(shift)
    if noise > 0:
        rng = np.random.default_rng(seed)
        extent = float(mesh.extents.max())
        mesh.vertices = mesh.vertices + rng.uniform(-1, 1, mesh.vertices.shape) * noise * extent
    return mesh


def asset_of(mesh: trimesh.Trimesh, **transform) -> Asset:
    """A normalised asset of ``mesh`` after :func:`transformed` with ``transform``."""
    return Asset.from_trimesh(transformed(mesh, **transform) if transform else mesh)


def sample_of(mesh: trimesh.Trimesh, **transform):
    """A :class:`~mme3dr.evaluators.base.Sample` (no case) of :func:`asset_of`."""
    from mme3dr.evaluators.base import Sample

    return Sample(case=None, asset=asset_of(mesh, **transform))  # type: ignore[arg-type]
