"""Primitive-built meshes (+Z up, resting on z = 0, units arbitrary: assets are normalised).

Each builder returns a :class:`trimesh.Trimesh`. Solids are unions made with the ``manifold``
boolean engine, so they are watertight single bodies where the real object would be one
(legs fused into a tabletop), and separate bodies where it would not (a tower of blocks).
"""

from __future__ import annotations

import numpy as np
import trimesh
from trimesh.creation import box, cylinder, icosphere, revolve, torus


def _at(mesh: trimesh.Trimesh, x: float = 0.0, y: float = 0.0, z: float = 0.0) -> trimesh.Trimesh:
    mesh = mesh.copy()
    mesh.apply_translation([x, y, z])
    return mesh


def _union(parts: list[trimesh.Trimesh]) -> trimesh.Trimesh:
    return trimesh.boolean.union(parts, engine="manifold")


def _difference(a: trimesh.Trimesh, b: trimesh.Trimesh) -> trimesh.Trimesh:
    return trimesh.boolean.difference([a, b], engine="manifold")


def _concat(parts: list[trimesh.Trimesh]) -> trimesh.Trimesh:
    return trimesh.util.concatenate(parts)


def _leg_positions(n: int, radius: float, phase: float = 0.0) -> list[tuple[float, float]]:
    angles = phase + 2 * np.pi * np.arange(n) / n
    return [(radius * np.cos(a), radius * np.sin(a)) for a in angles]


def legged_table(
    n_legs: int = 4,
    top: tuple[float, float] = (1.2, 0.8),
    height: float = 0.75,
    leg: float = 0.06,
    thickness: float = 0.05,
    round_top: bool = False,
) -> trimesh.Trimesh:
    """A table (or stool) with ``n_legs`` legs fused into its top, one watertight body."""
    if round_top:
        slab = _at(
            cylinder(radius=top[0] / 2, height=thickness, sections=48), z=height - thickness / 2
        )
        feet = _leg_positions(n_legs, top[0] / 2 - 2 * leg, phase=np.pi / 2)
    elif n_legs == 4:
        slab = _at(box((top[0], top[1], thickness)), z=height - thickness / 2)
        hx, hy = top[0] / 2 - 1.5 * leg, top[1] / 2 - 1.5 * leg
        feet = [(hx, hy), (-hx, hy), (-hx, -hy), (hx, -hy)]
    else:
        slab = _at(box((top[0], top[1], thickness)), z=height - thickness / 2)
        feet = _leg_positions(n_legs, min(top) / 2 - 1.5 * leg, phase=np.pi / 2)
    legs = [
        _at(box((leg, leg, height - thickness / 2)), x, y, (height - thickness / 2) / 2)
        for x, y in feet
    ]
    return _union([slab, *legs])


def stool(n_legs: int = 3) -> trimesh.Trimesh:
    """A round-seated stool with ``n_legs`` legs."""
    return legged_table(
        n_legs, top=(0.4, 0.4), height=0.45, leg=0.035, thickness=0.04, round_top=True
    )


def chair(n_legs: int = 4) -> trimesh.Trimesh:
    """A chair: seat at 0.45 of 0.9 m height, four legs, a backrest at the back (+Y)."""
    seat = legged_table(n_legs, top=(0.45, 0.45), height=0.45, leg=0.04, thickness=0.04)
    back = _at(box((0.45, 0.04, 0.45)), 0.0, 0.205, 0.45 + 0.225 - 0.02)
    return _union([seat, back])


def cup(
    radius: float = 0.04, height: float = 0.1, wall: float = 0.006, handle: bool = True
) -> trimesh.Trimesh:
    """A mug (open cylinder with a floor) with an optional torus handle on +X."""
    outer = _at(cylinder(radius=radius, height=height, sections=48), z=height / 2)
    inner = _at(cylinder(radius=radius - wall, height=height, sections=48), z=height / 2 + wall)
    body = _difference(outer, inner)
    if not handle:
        return body
    ring = torus(major_radius=0.028, minor_radius=0.006, major_sections=32, minor_sections=12)
    ring.apply_transform(trimesh.transformations.rotation_matrix(np.pi / 2, [1, 0, 0]))
    ring.apply_translation([radius + 0.012, 0, height / 2])
    return _union([body, ring])


def bowl(radius: float = 0.08, wall: float = 0.006) -> trimesh.Trimesh:
    """A hemispherical bowl open at the top, on a small flat foot (one watertight body)."""
    outer = icosphere(subdivisions=3, radius=radius)
    inner = icosphere(subdivisions=3, radius=radius - wall)
    lid = _at(box((3 * radius, 3 * radius, 2 * radius)), z=radius)
    shell = _difference(_difference(outer, inner), lid)
    shell.apply_translation([0, 0, radius])
    foot = _at(cylinder(radius=radius * 0.4, height=wall * 1.5, sections=32), z=wall * 0.75)
    return _union([shell, foot])


def closed_box(size: float = 0.3) -> trimesh.Trimesh:
    """A closed hollow box (sealed cavity: holds no poured water)."""
    return _difference(box((size,) * 3), box((size * 0.9,) * 3)).apply_translation([0, 0, size / 2])


def open_box(size: float = 0.3, wall: float = 0.02) -> trimesh.Trimesh:
    """A box open at the top (a crate)."""
    outer = _at(box((size, size, size)), z=size / 2)
    inner = _at(box((size - 2 * wall, size - 2 * wall, size)), z=size / 2 + wall)
    return _difference(outer, inner)


def plate(radius: float = 0.12, thickness: float = 0.01) -> trimesh.Trimesh:
    """A flat disc."""
    return _at(cylinder(radius=radius, height=thickness, sections=48), z=thickness / 2)


def ring(major: float = 0.1, minor: float = 0.02) -> trimesh.Trimesh:
    """A torus standing on its rim (its hole faces the viewer along Y)."""
    t = torus(major_radius=major, minor_radius=minor, major_sections=48, minor_sections=16)
    t.apply_transform(trimesh.transformations.rotation_matrix(np.pi / 2, [1, 0, 0]))
    t.apply_translation([0, 0, major + minor])
    return t


def donut(major: float = 0.1, minor: float = 0.04) -> trimesh.Trimesh:
    """A torus lying flat."""
    return _at(
        torus(major_radius=major, minor_radius=minor, major_sections=48, minor_sections=16), z=minor
    )


def shelf(
    levels: int = 4, width: float = 0.8, depth: float = 0.3, height: float = 1.6
) -> trimesh.Trimesh:
    """An open bookshelf: two side panels and ``levels`` horizontal boards (the lowest at the
    base, the highest at the top)."""
    t = 0.03
    sides = [_at(box((t, depth, height)), x, 0, height / 2) for x in (-width / 2, width / 2)]
    zs = np.linspace(t / 2, height - t / 2, levels)
    boards = [_at(box((width, depth, t)), 0, 0, z) for z in zs]
    return _union([*sides, *boards])


def staircase(
    steps: int = 3, width: float = 0.8, tread: float = 0.3, rise: float = 0.18
) -> trimesh.Trimesh:
    """A solid staircase rising toward +Y."""
    blocks = [
        _at(box((width, tread * (steps - i), rise)), 0, tread * i / 2, rise * (i + 0.5))
        for i in range(steps)
    ]
    return _union(blocks)


def star_prism(
    points: int = 5, r_out: float = 0.5, r_in: float = 0.2, height: float = 0.1
) -> trimesh.Trimesh:
    """A flat star (``points`` tips) extruded along +Z from z = 0."""
    angles = np.pi / 2 + np.pi * np.arange(2 * points) / points
    radii = np.where(np.arange(2 * points) % 2 == 0, r_out, r_in)
    return radial_prism(angles, radii, height)


def gear(
    teeth: int = 12, r_root: float = 0.4, r_tip: float = 0.5, height: float = 0.1
) -> trimesh.Trimesh:
    """A spur-gear disc with ``teeth`` square-ish teeth, extruded along +Z."""
    per = 8
    angles = 2 * np.pi * np.arange(teeth * per) / (teeth * per)
    phase = np.arange(teeth * per) % per
    radii = np.where((phase >= 2) & (phase <= 5), r_tip, r_root)
    return radial_prism(angles, radii, height)


def radial_prism(angles: np.ndarray, radii: np.ndarray, height: float) -> trimesh.Trimesh:
    """Extrude a polygon that is star-shaped around the origin (``radii`` at ``angles``)."""
    n = len(angles)
    ring_xy = np.stack([radii * np.cos(angles), radii * np.sin(angles)], axis=1)
    verts = np.vstack(
        [
            [[0, 0, 0]],
            [[0, 0, height]],
            np.column_stack([ring_xy, np.zeros(n)]),
            np.column_stack([ring_xy, np.full(n, height)]),
        ]
    )
    i = np.arange(n)
    j = (i + 1) % n
    bottom = np.column_stack([np.zeros(n), 2 + j, 2 + i])
    top = np.column_stack([np.ones(n), 2 + n + i, 2 + n + j])
    side1 = np.column_stack([2 + i, 2 + j, 2 + n + j])
    side2 = np.column_stack([2 + i, 2 + n + j, 2 + n + i])
    faces = np.vstack([bottom, top, side1, side2]).astype(np.int64)
    mesh = trimesh.Trimesh(verts, faces, process=True)
    mesh.fix_normals()
    return mesh


def tower(n: int = 3, size: float = 0.3, shrink: float = 0.8) -> trimesh.Trimesh:
    """``n`` separate cubes stacked on each other, each ``shrink`` times the one below.

    Each cube rests exactly on the one below but shares no vertex with it (equal cubes would
    share their corners, which the loader's seam merge then fuses into one body).
    """
    parts, z, s = [], 0.0, size
    for _ in range(n):
        parts.append(_at(box((s, s, s)), z=z + s / 2))
        z += s
        s *= shrink
    return _concat(parts)


def ball_on_cube(cube: float = 0.3, ball: float = 0.1) -> trimesh.Trimesh:
    """A sphere resting on top of a cube (two bodies)."""
    return _concat(
        [
            _at(box((cube,) * 3), z=cube / 2),
            _at(icosphere(subdivisions=3, radius=ball), z=cube + ball),
        ]
    )


def arch(width: float = 0.8, height: float = 0.8, post: float = 0.15) -> trimesh.Trimesh:
    """Two posts and a lintel fused into one body with one through-hole."""
    posts = [
        _at(box((post, post, height)), x, 0, height / 2)
        for x in (-width / 2 + post / 2, width / 2 - post / 2)
    ]
    lintel = _at(box((width, post, post)), z=height + post / 2)
    return _union([*posts, lintel])


def trilithon() -> trimesh.Trimesh:
    """Stonehenge-style: two standing stones and a separate lintel resting on them."""
    stones = [_at(box((0.3, 0.25, 1.0)), x, 0, 0.5) for x in (-0.35, 0.35)]
    lintel = _at(box((1.1, 0.25, 0.2)), z=1.1)
    return _concat([*stones, lintel])


def torii() -> trimesh.Trimesh:
    """A torii gate: two posts, a tie beam and a wider top beam, fused."""
    posts = [_at(cylinder(radius=0.06, height=1.2, sections=24), x, 0, 0.6) for x in (-0.5, 0.5)]
    tie = _at(box((1.2, 0.08, 0.08)), z=0.95)
    top = _at(box((1.6, 0.12, 0.1)), z=1.25)
    return _union([*posts, tie, top])


def mushroom() -> trimesh.Trimesh:
    """A stem and a domed cap, revolved (rotationally symmetric)."""
    line = np.array(
        [
            [0, 0],
            [0.06, 0],
            [0.05, 0.12],
            [0.16, 0.12],
            [0.15, 0.17],
            [0.11, 0.21],
            [0.05, 0.235],
            [0, 0.24],
        ]
    )
    return revolve(line, sections=48)


def pawn() -> trimesh.Trimesh:
    """A chess pawn: base, waist, collar and head, revolved."""
    line = np.array(
        [
            [0, 0],
            [0.16, 0],
            [0.16, 0.04],
            [0.12, 0.07],
            [0.07, 0.12],
            [0.05, 0.3],
            [0.1, 0.32],
            [0.05, 0.34],
            [0.09, 0.38],
            [0.1, 0.43],
            [0.08, 0.48],
            [0.04, 0.51],
            [0, 0.52],
        ]
    )
    return revolve(line, sections=48)


def flower(petals: int = 8) -> trimesh.Trimesh:
    """A flat flower head: a disc with ``petals`` elongated petals around it."""
    parts = [_at(cylinder(radius=0.08, height=0.04, sections=32), z=0.02)]
    for a in 2 * np.pi * np.arange(petals) / petals:
        p = icosphere(subdivisions=2, radius=1.0)
        p.apply_scale([0.12, 0.035, 0.015])
        p.apply_translation([0.17, 0, 0.015])
        p.apply_transform(trimesh.transformations.rotation_matrix(a, [0, 0, 1]))
        parts.append(p)
    return _union(parts)


def cactus() -> trimesh.Trimesh:
    """A tall saguaro: a trunk and two raised arms."""
    trunk = _at(cylinder(radius=0.08, height=1.0, sections=24), z=0.5)
    arms = []
    for side in (-1, 1):
        arms.append(
            _at(
                cylinder(radius=0.05, height=0.22, sections=16).apply_transform(
                    trimesh.transformations.rotation_matrix(np.pi / 2, [0, 1, 0])
                ),
                side * 0.15,
                0,
                0.45,
            )
        )
        arms.append(_at(cylinder(radius=0.05, height=0.3, sections=16), side * 0.25, 0, 0.58))
    return _union([trunk, *arms])


def quadruped() -> trimesh.Trimesh:
    """A blocky four-legged animal (a dog) facing −Y."""
    body = _at(box((0.25, 0.6, 0.22)), z=0.45)
    legs = [_at(box((0.07, 0.07, 0.36)), x, y, 0.18) for x in (-0.09, 0.09) for y in (-0.24, 0.24)]
    head = _at(box((0.18, 0.2, 0.18)), 0, -0.36, 0.6)
    tail = _at(box((0.04, 0.2, 0.04)), 0, 0.38, 0.56)
    return _union([body, *legs, head, tail])


def tower_frame() -> trimesh.Trimesh:
    """An Eiffel-like lattice tower: four splayed legs joined by platforms, and a spire."""
    parts = []
    for x, y in ((1, 1), (-1, 1), (-1, -1), (1, -1)):
        leg = cylinder(
            segment=[[0.35 * x, 0.35 * y, 0.0], [0.06 * x, 0.06 * y, 1.6]],
            radius=0.035,
            sections=12,
        )
        parts.append(leg)
    parts.append(_at(box((0.5, 0.5, 0.04)), z=0.5))
    parts.append(_at(box((0.26, 0.26, 0.04)), z=1.1))
    parts.append(_at(cylinder(radius=0.06, height=0.6, sections=16), z=1.85))
    return _union(parts)


def cauldron() -> trimesh.Trimesh:
    """A ding: a bowl on three legs with two upright handles (holds liquid)."""
    body = _at(cup(radius=0.2, height=0.2, wall=0.015, handle=False), z=0.15)
    legs = [
        _at(cylinder(radius=0.025, height=0.18, sections=12), x, y, 0.09)
        for x, y in _leg_positions(3, 0.13, phase=np.pi / 2)
    ]
    return _union([body, *legs])


def rocket() -> trimesh.Trimesh:
    """A cartoon rocket: body, nose cone and three fins that reach the ground."""
    body = _at(cylinder(radius=0.1, height=0.6, sections=32), z=0.4)
    nose = revolve(np.array([[0, 0], [0.1, 0], [0, 0.25]]), sections=32).apply_translation(
        [0, 0, 0.7]
    )
    fins = []
    for a in np.pi / 2 + 2 * np.pi * np.arange(3) / 3:
        fin = _at(box((0.2, 0.02, 0.3)), 0.15, 0, 0.15)
        fin.apply_transform(trimesh.transformations.rotation_matrix(a, [0, 0, 1]))
        fins.append(fin)
    return _union([body, nose, *fins])


def lamp() -> trimesh.Trimesh:
    """A table lamp: a heavy base, a stem and a conical shade."""
    base = _at(cylinder(radius=0.12, height=0.03, sections=32), z=0.015)
    stem = _at(cylinder(radius=0.012, height=0.42, sections=16), z=0.23)
    bar = _at(box((0.23, 0.015, 0.015)), z=0.42)
    outer = revolve(np.array([[0, 0], [0.16, 0.0], [0.09, 0.18], [0, 0.18]]), sections=32)
    inner = revolve(np.array([[0, -0.01], [0.15, -0.01], [0.08, 0.19], [0, 0.19]]), sections=32)
    shade = _difference(outer, inner).apply_translation([0, 0, 0.3])
    return _union([base, stem, bar, shade])


def voxel_tree() -> trimesh.Trimesh:
    """A blocky (voxel-art) tree: a trunk of cubes and a canopy of cubes."""
    s = 0.1
    cells = [(0, 0, k) for k in range(4)]
    cells += [
        (i, j, k) for i in range(-2, 3) for j in range(-2, 3) for k in (4, 5) if abs(i) + abs(j) < 4
    ]
    cells += [(i, j, 6) for i in range(-1, 2) for j in range(-1, 2)]
    return _union([_at(box((s, s, s)), i * s, j * s, (k + 0.5) * s) for i, j, k in cells])


def low_poly_fox() -> trimesh.Trimesh:
    """A faceted fox-like figure: body, head, ears, tail and four legs (low poly)."""
    body = icosphere(subdivisions=1, radius=1.0).apply_scale([0.12, 0.25, 0.12])
    body.apply_translation([0, 0, 0.26])
    head = icosphere(subdivisions=1, radius=0.09).apply_translation([0, -0.27, 0.36])
    ears = [
        revolve(np.array([[0, 0], [0.03, 0], [0, 0.08]]), sections=4).apply_translation(
            [x, -0.27, 0.42]
        )
        for x in (-0.045, 0.045)
    ]
    tail = icosphere(subdivisions=1, radius=1.0).apply_scale([0.05, 0.16, 0.05])
    tail.apply_translation([0, 0.32, 0.3])
    legs = [_at(box((0.04, 0.04, 0.2)), x, y, 0.1) for x in (-0.06, 0.06) for y in (-0.14, 0.14)]
    return _union([body, head, *ears, tail, *legs])


def windmill() -> trimesh.Trimesh:
    """A toy windmill: a tapered tower and four blades on a hub facing −Y."""
    tower_ = revolve(np.array([[0, 0], [0.2, 0], [0.12, 0.8], [0, 0.8]]), sections=8)
    hub = _at(
        cylinder(radius=0.04, height=0.1, sections=16).apply_transform(
            trimesh.transformations.rotation_matrix(np.pi / 2, [1, 0, 0])
        ),
        0,
        -0.17,
        0.7,
    )
    blades = []
    for a in np.pi / 4 + np.pi / 2 * np.arange(4):
        b = _at(box((0.06, 0.02, 0.4)), 0, 0, 0.22)
        b.apply_transform(trimesh.transformations.rotation_matrix(a, [0, 1, 0]))
        b.apply_translation([0, -0.2, 0.7])
        blades.append(b)
    return _union([tower_, hub, *blades])


def cube(size: float = 0.3) -> trimesh.Trimesh:
    """A solid cube on the ground."""
    return _at(box((size,) * 3), z=size / 2)


def billboard(width: float = 1.0, height: float = 1.0) -> trimesh.Trimesh:
    """A flat vertical card (zero thickness) in the XZ plane: the classic degenerate output."""
    verts = np.array(
        [[-width / 2, 0, 0], [width / 2, 0, 0], [width / 2, 0, height], [-width / 2, 0, height]]
    )
    return trimesh.Trimesh(verts, [[0, 1, 2], [0, 2, 3]], process=False)
