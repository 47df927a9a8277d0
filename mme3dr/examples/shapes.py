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
    """A mug (open cylinder with a floor) with an optional torus handle on +X. The handle
    ring is fused into the wall and the cavity is cut after, so no piece of the ring shows
    inside the cup (it used to, closing a second, hidden 3 % loop: genus 2)."""
    outer = _at(cylinder(radius=radius, height=height, sections=48), z=height / 2)
    inner = _at(cylinder(radius=radius - wall, height=height, sections=48), z=height / 2 + wall)
    if not handle:
        return _difference(outer, inner)
    ring = torus(major_radius=0.028, minor_radius=0.006, major_sections=32, minor_sections=12)
    ring.apply_transform(trimesh.transformations.rotation_matrix(np.pi / 2, [1, 0, 0]))
    ring.apply_translation([radius + 0.012, 0, height / 2])
    return _difference(_union([outer, ring]), inner)


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


# ------------------------------------------------------------------------------------------
# More builders for the mme3dr case set's reference model (mme3dr/examples/mme3dr_reference.py)
# ------------------------------------------------------------------------------------------

_Z_TO_X = trimesh.transformations.rotation_matrix(np.pi / 2, [0, 1, 0])
_Z_TO_Y = trimesh.transformations.rotation_matrix(np.pi / 2, [1, 0, 0])


def _rot(mesh: trimesh.Trimesh, angle: float, axis: tuple[float, float, float] = (0, 0, 1)):
    mesh = mesh.copy()
    mesh.apply_transform(trimesh.transformations.rotation_matrix(angle, list(axis)))
    return mesh


def _xf(mesh: trimesh.Trimesh, matrix: np.ndarray) -> trimesh.Trimesh:
    mesh = mesh.copy()
    mesh.apply_transform(matrix)
    return mesh


def _profile(points: list[tuple[float, float]], sections: int = 48) -> trimesh.Trimesh:
    """A solid of revolution about +Z from an ``(r, z)`` outline that starts and ends on the
    axis."""
    return revolve(np.asarray(points, dtype=float), sections=sections)


def vessel(
    outline: list[tuple[float, float]], wall: float = 0.01, sections: int = 48
) -> trimesh.Trimesh:
    """A container open at the top: the solid of revolution of ``outline`` (``(r, z)`` pairs
    from the bottom rim to the top rim, r > wall) hollowed by ``wall`` (floor ``wall`` thick)."""
    pts = np.asarray(outline, dtype=float)
    top = pts[-1, 1]
    outer = _profile([(0, pts[0, 1]), *map(tuple, pts), (0, top)], sections)
    inner_pts = [(max(r - wall, wall), max(z, pts[0, 1] + wall)) for r, z in pts]
    inner_pts.append((inner_pts[-1][0], top + 1.0))
    inner = _profile([(0, inner_pts[0][1]), *inner_pts, (0, top + 1.0)], sections)
    return _difference(outer, inner)


def _side_handle(x: float, z: float, major: float, minor: float, yaw: float = 0.0):
    ring_ = torus(major_radius=major, minor_radius=minor, major_sections=32, minor_sections=12)
    ring_.apply_transform(_Z_TO_Y)
    ring_.apply_translation([x, 0, z])
    return _rot(ring_, yaw)


def with_handles(
    body: trimesh.Trimesh, cavity: trimesh.Trimesh, n: int, radius: float, z: float,
    major: float, minor: float,
) -> trimesh.Trimesh:
    """``body`` with ``n`` ring handles around it (each adds one through-hole); ``cavity`` is
    cut again afterwards so no handle closes the opening."""
    handles = [
        _side_handle(radius + major * 0.6, z, major, minor, 2 * np.pi * k / n) for k in range(n)
    ]
    return _difference(_union([body, *handles]), cavity)


def mug2(radius: float = 0.04, height: float = 0.1, handles: int = 1) -> trimesh.Trimesh:
    """A cylindrical mug or pot with ``handles`` ring handles (0, 1, 2...)."""
    wall = radius * 0.15
    body = cup(radius, height, wall, handle=False)
    if handles == 0:
        return body
    cavity = _at(cylinder(radius=radius - wall, height=height, sections=48), z=height / 2 + wall)
    return with_handles(body, cavity, handles, radius, height / 2, height * 0.28, height * 0.06)


def vase(narrow: bool = True) -> trimesh.Trimesh:
    """A revolved vase: round belly, narrow neck, flared lip (open, holds water)."""
    if narrow:
        return vessel([(0.05, 0), (0.09, 0.08), (0.07, 0.2), (0.03, 0.27), (0.045, 0.32)], 0.008)
    return vessel([(0.06, 0), (0.08, 0.1), (0.09, 0.25)], 0.008)


def goblet(stem: float = 0.1) -> trimesh.Trimesh:
    """A wine glass / goblet: foot, stem and an open bowl (holds liquid)."""
    foot = _profile([(0, 0), (0.05, 0), (0.05, 0.008), (0.01, 0.012), (0, 0.012)])
    rod = _at(cylinder(radius=0.008, height=stem, sections=24), z=stem / 2 + 0.006)
    bowl_ = vessel([(0.012, 0), (0.04, 0.02), (0.045, 0.06), (0.04, 0.1)], 0.004)
    bowl_.apply_translation([0, 0, stem])
    return _union([foot, rod, bowl_])


def bucket(handle: bool = True) -> trimesh.Trimesh:
    """A tapered bucket with an arched bail handle (one through-hole)."""
    body = vessel([(0.1, 0), (0.13, 0.25)], 0.01)
    if not handle:
        return body
    bail = torus(major_radius=0.14, minor_radius=0.008, major_sections=48, minor_sections=12)
    bail.apply_transform(_Z_TO_Y)
    bail = _difference(bail, _at(box((1, 1, 1)), z=-0.5 + 0.0))
    bail.apply_translation([0, 0, 0.2])
    cavity = _profile([(0, 0.01), (0.09, 0.01), (0.12, 0.26), (0, 0.26)])
    return _difference(_union([body, bail]), cavity)


def amphora() -> trimesh.Trimesh:
    """A two-handled amphora on a small foot (two through-holes, holds liquid)."""
    body = vessel(
        [(0.04, 0), (0.11, 0.12), (0.1, 0.26), (0.04, 0.36), (0.035, 0.44), (0.05, 0.46)], 0.008
    )
    handles = []
    for side in (-1, 1):
        h = torus(major_radius=0.06, minor_radius=0.008, major_sections=32, minor_sections=12)
        h.apply_transform(_Z_TO_Y)
        h.apply_translation([side * 0.06, 0, 0.36])
        handles.append(h)
    cavity = _profile([(0, 0.012), (0.03, 0.012), (0.1, 0.12), (0.09, 0.26), (0.027, 0.36),
                       (0.027, 0.5), (0, 0.5)])
    return _difference(_union([body, *handles]), cavity)


def trophy() -> trimesh.Trimesh:
    """A trophy cup: square plinth, stem, open cup and two side handles."""
    plinth = _at(box((0.16, 0.16, 0.05)), z=0.025)
    rod = _at(cylinder(radius=0.015, height=0.1, sections=24), z=0.1)
    cup_ = vessel([(0.03, 0), (0.08, 0.06), (0.09, 0.15)], 0.008)
    cup_.apply_translation([0, 0, 0.14])
    hs = []
    for side in (-1, 1):
        h = torus(major_radius=0.045, minor_radius=0.008, major_sections=32, minor_sections=12)
        h.apply_transform(_Z_TO_Y)
        h.apply_translation([side * 0.095, 0, 0.23])
        hs.append(h)
    cavity = _profile([(0, 0.148), (0.022, 0.148), (0.072, 0.2), (0.082, 0.3), (0, 0.3)])
    return _difference(_union([plinth, rod, cup_, *hs]), cavity)


def flower_pot(drain: bool = True) -> trimesh.Trimesh:
    """A tapered flower pot, open at the top; with a drainage hole it holds no water."""
    pot = vessel([(0.08, 0), (0.11, 0.2)], 0.01)
    if drain:
        pot = _difference(pot, cylinder(radius=0.02, height=0.1, sections=24))
    return pot


def funnel() -> trimesh.Trimesh:
    """A kitchen funnel: a cone open at the top running into a narrow open spout."""
    outer = _profile([(0, 0), (0.025, 0), (0.025, 0.12), (0.15, 0.3), (0, 0.3)])
    inner = _profile([(0, -0.1), (0.017, -0.1), (0.017, 0.12), (0.142, 0.3), (0.142, 0.5),
                      (0, 0.5)])
    return _difference(outer, inner)


def frying_pan() -> trimesh.Trimesh:
    """A shallow pan with a long straight handle."""
    pan = vessel([(0.11, 0), (0.13, 0.05)], 0.008)
    handle = _at(box((0.22, 0.03, 0.015)), 0.23, 0, 0.04)
    return _union([pan, handle])


def ladder(rungs: int = 5, lying: bool = False) -> trimesh.Trimesh:
    """A straight ladder: two rails and ``rungs`` rungs (``rungs - 1`` framed openings)."""
    h = 0.3 * (rungs + 1)
    rails = [_at(box((0.05, 0.05, h)), x, 0, h / 2) for x in (-0.22, 0.22)]
    steps = [_at(box((0.44, 0.04, 0.04)), 0, 0, 0.3 * (i + 1)) for i in range(rungs)]
    m = _union([*rails, *steps])
    if lying:
        m.apply_transform(_Z_TO_Y)
        m.apply_translation([0, 0, -m.bounds[0, 2]])
    return m


def stepladder() -> trimesh.Trimesh:
    """An A-frame step ladder: four feet, steps on the front legs, a top platform."""
    parts = []
    for x in (-0.2, 0.2):
        for y0 in (-0.35, 0.35):
            parts.append(cylinder(segment=[[x, y0, 0], [x, 0.0, 1.0]], radius=0.02, sections=12))
    for i, z in enumerate((0.3, 0.6)):
        y = -0.35 + 0.35 * z
        parts.append(_at(box((0.44, 0.1, 0.03)), 0, y + 0.0 * i, z))
    parts.append(_at(box((0.44, 0.16, 0.03)), 0, 0, 1.0))
    return _union(parts)


def step_pyramid(tiers: int = 4, base: float = 1.0, rise: float = 0.12) -> trimesh.Trimesh:
    """A stepped pyramid of ``tiers`` square terraces (each a flat level)."""
    blocks = []
    for i in range(tiers):
        s = base * (1 - i / (tiers + 0.5))
        blocks.append(_at(box((s, s, rise)), z=rise * (i + 0.5)))
    return _union(blocks)


def pyramid(base: float = 1.0, height: float = 0.64) -> trimesh.Trimesh:
    """A square pyramid on its base (sides aligned with the axes)."""
    m = _profile([(0, 0), (base / np.sqrt(2), 0), (0, height)], sections=4)
    return _rot(m, np.pi / 4)


def obelisk(height: float = 1.0, base: float = 0.1) -> trimesh.Trimesh:
    """A tapering four-sided shaft with a pyramidion."""
    r0, r1 = base / np.sqrt(2), base * 0.7 / np.sqrt(2)
    m = _profile([(0, 0), (r0, 0), (r1, height * 0.9), (0, height)], sections=4)
    return _rot(m, np.pi / 4)


def tiered(tiers: int = 3, radius: float = 0.3, rise: float = 0.1) -> trimesh.Trimesh:
    """Round tiers stacked into one body (a layer cake), each narrower than the one below."""
    return _union(
        [
            _at(cylinder(radius=radius * (1 - 0.28 * i), height=rise, sections=48),
                z=rise * (i + 0.5))
            for i in range(tiers)
        ]
    )


def cake_stand(tiers: int = 3) -> trimesh.Trimesh:
    """A tiered serving stand: plates of decreasing size threaded on a central rod."""
    parts = [_at(cylinder(radius=0.012, height=0.34, sections=16), z=0.17)]
    for i in range(tiers):
        r = 0.16 * (1 - 0.25 * i)
        parts.append(_at(cylinder(radius=r, height=0.012, sections=48), z=0.006 + 0.13 * i))
    return _union(parts)


def cylinder_solid(radius: float = 0.25, height: float = 1.0) -> trimesh.Trimesh:
    return _at(cylinder(radius=radius, height=height, sections=48), z=height / 2)


def block(x: float = 1.0, y: float = 1.0, z: float = 1.0) -> trimesh.Trimesh:
    """A box resting on the ground."""
    return _at(box((x, y, z)), z=z / 2)


def washer(outer: float = 0.3, inner: float = 0.12, height: float = 0.08) -> trimesh.Trimesh:
    """A flat annulus lying on the ground (one through-hole)."""
    return _difference(
        _at(cylinder(radius=outer, height=height, sections=64), z=height / 2),
        _at(cylinder(radius=inner, height=height * 3, sections=48), z=height / 2),
    )


def hex_nut() -> trimesh.Trimesh:
    """A hexagonal nut lying flat: six corners, one threaded hole."""
    a = np.arange(6) * np.pi / 3
    body = radial_prism(a, np.full(6, 0.5), 0.4)
    return _difference(body, _at(cylinder(radius=0.22, height=1.0, sections=48), z=0.2))


def button(holes: int = 4) -> trimesh.Trimesh:
    """A round flat button with ``holes`` thread holes."""
    disc = _at(cylinder(radius=0.5, height=0.12, sections=64), z=0.06)
    if holes == 1:
        spots = [(0.0, 0.0)]
    else:
        spots = _leg_positions(holes, 0.17, phase=np.pi / 4)
    cut = [_at(cylinder(radius=0.07, height=0.5, sections=24), x, y, 0.06) for x, y in spots]
    return _difference(disc, _union(cut))


def picture_frame(width: float = 0.6, height: float = 0.8, border: float = 0.08):
    """A rectangular frame standing on its lower edge (one through-hole)."""
    outer = _at(box((width, 0.04, height)), z=height / 2)
    inner = _at(box((width - 2 * border, 0.2, height - 2 * border)), z=height / 2)
    return _difference(outer, inner)


def pipe(length: float = 1.0, radius: float = 0.12, wall: float = 0.025) -> trimesh.Trimesh:
    """A straight pipe lying on its side along X (open both ends: one through-hole)."""
    tube = _difference(
        cylinder(radius=radius, height=length, sections=48),
        cylinder(radius=radius - wall, height=length * 2, sections=48),
    )
    return _at(_xf(tube, _Z_TO_X), z=radius)


def drilled_cube(axes: int = 1, size: float = 1.0, radius: float = 0.18) -> trimesh.Trimesh:
    """A cube with straight holes drilled through its centre along 1, 2 or 3 axes (a block
    with ``axes == -2`` has two parallel vertical holes)."""
    c = _at(box((size,) * 3), z=size / 2)
    drill = cylinder(radius=radius, height=size * 2, sections=32)
    if axes == -2:
        cuts = [_at(drill, x, 0, size / 2) for x in (-size / 4, size / 4)]
    else:
        mats = [np.eye(4), _Z_TO_X, _Z_TO_Y][:axes]
        cuts = [_at(_xf(drill, m), z=size / 2) for m in mats]
    return _difference(c, _union(cuts))


def cross_prism(arms: int = 4, length: float = 0.5, width: float = 0.14, height: float = 0.08):
    """A flat plus-shaped (or ``arms``-armed) cross lying on the ground."""
    bars = [
        _rot(_at(box((length, width, height)), length / 2 - width / 2, 0, height / 2),
             2 * np.pi * k / arms)
        for k in range(arms)
    ]
    return _union(bars)


def scissors() -> trimesh.Trimesh:
    """A pair of closed scissors lying flat: two finger rings (two holes) and blades."""
    rings = [washer(0.09, 0.06, 0.02).apply_translation([x, -0.12, 0]) for x in (-0.13, 0.13)]
    blades = [cylinder(segment=[[0.0, 0.03, 0.01], [0.0, 0.45, 0.01]], radius=0.02, sections=8)]
    shanks = [cylinder(segment=[[x, -0.06, 0.01], [0.0, 0.05, 0.01]], radius=0.015, sections=8)
              for x in (-0.13, 0.13)]
    m = _union([*rings, *blades, *shanks])
    m.apply_translation([0, 0, -m.bounds[0, 2]])
    return m


def padlock() -> trimesh.Trimesh:
    """A padlock: a block body and a closed U-shaped shackle (one through-hole)."""
    body = _at(box((0.3, 0.12, 0.25)), z=0.125)
    shackle = torus(major_radius=0.1, minor_radius=0.02, major_sections=48, minor_sections=12)
    shackle.apply_transform(_Z_TO_Y)
    shackle = _difference(shackle, _at(box((1, 1, 1)), z=-0.5))
    legs = [_at(cylinder(radius=0.02, height=0.08, sections=12), x, 0, 0.04) for x in (-0.1, 0.1)]
    shackle = _union([shackle, *legs])
    shackle.apply_translation([0, 0, 0.22])
    return _union([body, shackle])


def hammer() -> trimesh.Trimesh:
    """A claw hammer lying flat: a long handle and a head across its end."""
    handle = _at(box((0.33, 0.035, 0.03)), 0.165, 0, 0.015)
    head = _at(box((0.04, 0.13, 0.03)), 0.34, 0, 0.015)
    return _union([handle, head])


def coat_hanger() -> trimesh.Trimesh:
    """A wire coat hanger hanging upright: a triangle frame (one hole) and a hook."""
    pts = [(-0.22, 0.0), (0.22, 0.0), (0.0, 0.14)]
    bars = [
        cylinder(segment=[[pts[i][0], 0, pts[i][1]], [pts[i - 1][0], 0, pts[i - 1][1]]],
                 radius=0.008, sections=8)
        for i in range(3)
    ]
    hook = cylinder(segment=[[0, 0, 0.14], [0, 0, 0.22]], radius=0.008, sections=8)
    m = _union([*bars, hook])
    m.apply_translation([0, 0, -m.bounds[0, 2]])
    return m


def _wheel(radius: float, width: float, x: float, y: float) -> trimesh.Trimesh:
    w = cylinder(radius=radius, height=width, sections=32)
    return _at(_xf(w, _Z_TO_Y), x, y, radius)


def vehicle(
    axles: int = 2, length: float = 1.0, width: float = 0.45, height: float = 0.3,
    wheel: float = 0.09,
) -> trimesh.Trimesh:
    """A car-like body on ``axles`` axles of two wheels each (``2 * axles`` ground contacts)."""
    body = _at(box((length, width * 0.9, height)), z=wheel * 0.8 + height / 2)
    cabin = _at(box((length * 0.5, width * 0.8, height * 0.6)), -length * 0.05,
                0, wheel * 0.8 + height * 1.25)
    xs = np.linspace(-length / 2 + 1.3 * wheel, length / 2 - 1.3 * wheel, axles)
    wheels = [_wheel(wheel, 0.06, x, s * (width / 2 - 0.02)) for x in xs for s in (-1, 1)]
    return _union([body, cabin, *wheels])


def tricycle() -> trimesh.Trimesh:
    """A child's tricycle: one front wheel, two rear wheels, a frame and a seat."""
    front = _wheel(0.12, 0.04, 0.3, 0)
    rear = [_wheel(0.08, 0.04, -0.15, y) for y in (-0.17, 0.17)]
    axle = _at(box((0.04, 0.38, 0.03)), -0.15, 0, 0.08)
    frame = cylinder(segment=[[-0.15, 0, 0.08], [0.3, 0, 0.3]], radius=0.02, sections=12)
    fork = cylinder(segment=[[0.3, 0, 0.12], [0.3, 0, 0.38]], radius=0.015, sections=12)
    bar = _at(box((0.04, 0.3, 0.03)), 0.3, 0, 0.38)
    seat = _at(box((0.12, 0.1, 0.03)), -0.05, 0, 0.2)
    post = _at(cylinder(radius=0.015, height=0.12, sections=12), -0.05, 0, 0.14)
    return _union([front, *rear, axle, frame, fork, bar, seat, post])


def skateboard() -> trimesh.Trimesh:
    """A skateboard: a long flat deck on two trucks of two small wheels."""
    deck = _at(box((0.8, 0.21, 0.015)), z=0.07)
    trucks = [_at(box((0.04, 0.16, 0.03)), x, 0, 0.05) for x in (-0.27, 0.27)]
    wheels = [_wheel(0.027, 0.03, x, y) for x in (-0.27, 0.27) for y in (-0.08, 0.08)]
    return _union([deck, *trucks, *wheels])


def wheelbarrow() -> trimesh.Trimesh:
    """A wheelbarrow: an open tray, one front wheel and two rear legs (three contacts)."""
    tray = open_box(0.5, 0.02)
    tray.apply_scale([1.3, 1.0, 0.6])
    tray.apply_translation([0, 0, 0.25])
    wheel_ = _wheel(0.12, 0.05, 0.42, 0)
    fork = _at(box((0.2, 0.08, 0.03)), 0.33, 0, 0.14)
    legs = [_at(box((0.03, 0.03, 0.27)), -0.22, y, 0.135) for y in (-0.2, 0.2)]
    handles = [_at(box((0.5, 0.03, 0.03)), -0.4, y, 0.35) for y in (-0.2, 0.2)]
    return _union([tray, wheel_, fork, *legs, *handles])


def splayed(n: int = 3, height: float = 1.0, spread: float = 0.4, leg: float = 0.02,
            head: trimesh.Trimesh | None = None) -> trimesh.Trimesh:
    """``n`` legs splayed from a hub at ``height`` to the ground (a tripod), with a head."""
    legs = [
        cylinder(segment=[[x, y, 0], [0, 0, height]], radius=leg, sections=12)
        for x, y in _leg_positions(n, spread, phase=np.pi / 2)
    ]
    top = head if head is not None else _at(box((0.1, 0.1, 0.08)), z=height + 0.02)
    return _union([*legs, top])


def sawhorse() -> trimesh.Trimesh:
    """A sawhorse: a top beam on two splayed pairs of legs (four contacts)."""
    beam = _at(box((1.0, 0.08, 0.08)), z=0.7)
    legs = [
        cylinder(segment=[[x * 0.42, y * 0.22, 0], [x * 0.42, 0, 0.7]], radius=0.025, sections=8)
        for x in (-1, 1) for y in (-1, 1)
    ]
    return _union([beam, *legs])


def office_chair(spokes: int = 5) -> trimesh.Trimesh:
    """An office chair: a star base on ``spokes`` casters, a gas lift, seat and backrest."""
    base = []
    for x, y in _leg_positions(spokes, 0.3):
        base.append(cylinder(segment=[[0, 0, 0.08], [x, y, 0.06]], radius=0.02, sections=8))
        base.append(icosphere(subdivisions=1, radius=0.03).apply_translation([x, y, 0.03]))
    lift = _at(cylinder(radius=0.025, height=0.35, sections=16), z=0.25)
    seat = _at(box((0.45, 0.45, 0.06)), z=0.45)
    back = _at(box((0.42, 0.05, 0.5)), 0, 0.22, 0.72)
    return _union([*base, lift, seat, back])


def ceiling_fan(blades: int = 5) -> trimesh.Trimesh:
    """A ceiling fan: a motor hub on a short downrod with ``blades`` long flat blades."""
    hub = _at(cylinder(radius=0.08, height=0.08, sections=32), z=0.04)
    rod = _at(cylinder(radius=0.015, height=0.2, sections=12), z=0.18)
    canopy = _at(cylinder(radius=0.06, height=0.04, sections=32), z=0.3)
    arms = [
        _rot(_at(box((0.55, 0.12, 0.012)), 0.34, 0, 0.04), 2 * np.pi * k / blades)
        for k in range(blades)
    ]
    return _union([hub, rod, canopy, *arms])


def dumbbell() -> trimesh.Trimesh:
    """A dumbbell lying on the floor: two weight discs on a bar (two contacts)."""
    discs = [_at(_xf(cylinder(radius=0.09, height=0.06, sections=32), _Z_TO_X), x, 0, 0.09)
             for x in (-0.16, 0.16)]
    bar = _at(_xf(cylinder(radius=0.018, height=0.4, sections=16), _Z_TO_X), z=0.09)
    return _union([*discs, bar])


def spoked_wheel(spokes: int = 6, radius: float = 0.5) -> trimesh.Trimesh:
    """A wheel standing on its rim: rim, hub and ``spokes`` spokes (``spokes`` holes)."""
    rim = torus(major_radius=radius, minor_radius=0.04, major_sections=64, minor_sections=12)
    hub = cylinder(radius=0.07, height=0.1, sections=24)
    bars = [
        _rot(_at(box((radius, 0.04, 0.04)), radius / 2), 2 * np.pi * k / spokes + 0.1)
        for k in range(spokes)
    ]
    m = _union([rim, hub, *bars])
    m.apply_transform(_Z_TO_Y)
    m.apply_translation([0, 0, -m.bounds[0, 2]])
    return m


def bird(legs: int = 2) -> trimesh.Trimesh:
    """A standing bird: an egg-shaped body, a head with a beak, and one or two legs."""
    body = icosphere(subdivisions=2, radius=1.0).apply_scale([0.12, 0.2, 0.12])
    body.apply_translation([0, 0, 0.4])
    head = icosphere(subdivisions=2, radius=0.07).apply_translation([0, -0.15, 0.5])
    beak = _at(box((0.03, 0.08, 0.03)), 0, -0.24, 0.5)
    xs = [0.0] if legs == 1 else [-0.05, 0.05]
    shanks = [_at(cylinder(radius=0.012, height=0.32, sections=8), x, 0, 0.16) for x in xs]
    feet = [_at(box((0.05, 0.09, 0.02)), x, -0.02, 0.01) for x in xs]
    return _union([body, head, beak, *shanks, *feet])


def critter(legs: int = 8, body: float = 0.12, reach: float = 0.38) -> trimesh.Trimesh:
    """A spider or an insect: a round body held up by ``legs`` legs bent down to the ground."""
    parts = [icosphere(subdivisions=2, radius=1.0).apply_scale([body, body * 1.4, body * 0.7])
             .apply_translation([0, 0, 0.16])]
    for a in 2 * np.pi * (np.arange(legs) + 0.5) / legs:
        knee = [0.6 * reach * np.cos(a), 0.6 * reach * np.sin(a), 0.26]
        foot = [reach * np.cos(a), reach * np.sin(a), 0.0]
        parts.append(cylinder(segment=[[0, 0, 0.16], knee], radius=0.014, sections=8))
        parts.append(cylinder(segment=[knee, foot], radius=0.014, sections=8))
        parts.append(icosphere(subdivisions=1, radius=0.014).apply_translation(knee))
    m = _union(parts)
    m.apply_translation([0, 0, -m.bounds[0, 2]])
    return m


def animal(legs_h: float = 0.36, body: tuple[float, float, float] = (0.25, 0.6, 0.22),
           neck: float = 0.0) -> trimesh.Trimesh:
    """A blocky quadruped (four ground contacts); ``neck`` raises the head (a giraffe)."""
    bx, by, bz = body
    zc = legs_h + bz / 2
    parts = [_at(box(body), z=zc)]
    for x in (-bx / 2 + 0.035, bx / 2 - 0.035):
        for y in (-by / 2 + 0.05, by / 2 - 0.05):
            parts.append(_at(box((0.07, 0.07, legs_h + 0.02)), x, y, (legs_h + 0.02) / 2))
    if neck > 0:
        parts.append(cylinder(segment=[[0, -by / 2 + 0.05, zc], [0, -by / 2 - 0.1, zc + neck]],
                              radius=0.05, sections=12))
        parts.append(_at(box((0.12, 0.22, 0.1)), 0, -by / 2 - 0.16, zc + neck))
    else:
        parts.append(_at(box((0.18, 0.2, 0.18)), 0, -by / 2 - 0.06, zc + 0.12))
    parts.append(_at(box((0.04, 0.2, 0.04)), 0, by / 2 + 0.08, zc + 0.08))
    return _union(parts)


def tree(canopy: str = "round") -> trimesh.Trimesh:
    """A tree on a single trunk with a round canopy or a conical (pine) one."""
    trunk = _at(cylinder(radius=0.05, height=0.5, sections=16), z=0.25)
    if canopy == "round":
        top = icosphere(subdivisions=2, radius=0.3).apply_translation([0, 0, 0.7])
    else:
        top = _profile([(0, 0.2), (0.3, 0.2), (0, 1.2)], sections=32)
    return _union([trunk, top])


def snowman(balls: int = 3, separate: bool = True) -> trimesh.Trimesh:
    """Snowballs of decreasing size resting on each other (separate bodies unless fused)."""
    parts, z = [], 0.0
    for i in range(balls):
        r = 0.3 * 0.75**i
        parts.append(icosphere(subdivisions=3, radius=r).apply_translation([0.003 * i, 0, z + r]))
        z += 2 * r
    return _concat(parts) if separate else _union(parts)


def book_stack(n: int = 5) -> trimesh.Trimesh:
    """``n`` books (boxes) lying flat on each other, slightly offset and of varying size."""
    rng = np.random.default_rng(n)
    parts, z = [], 0.0
    for _ in range(n):
        w, d, t = 0.24 + rng.uniform(-0.03, 0.03), 0.17 + rng.uniform(-0.02, 0.02), 0.035
        b = _at(box((w, d, t)).subdivide().subdivide(), rng.uniform(-0.015, 0.015),
                rng.uniform(-0.015, 0.015), z + t / 2)
        parts.append(_rot(b, rng.uniform(-0.15, 0.15)))
        z += t
    return _concat(parts)


def on_top(top: trimesh.Trimesh, base: trimesh.Trimesh, dx: float = 0.0, dy: float = 0.0):
    """``top`` placed (centred, plus an offset) on the highest point of ``base``: two bodies."""
    top = top.copy()
    c = top.bounds.mean(axis=0)
    top.apply_translation([dx - c[0], dy - c[1], base.bounds[1, 2] - top.bounds[0, 2]])
    return _concat([base, top])


def inside(small: trimesh.Trimesh, container: trimesh.Trimesh, floor: float = 0.0):
    """``small`` placed on the floor (height ``floor``) at the centre of ``container``."""
    small = small.copy()
    c = small.bounds.mean(axis=0)
    small.apply_translation([-c[0], -c[1], floor - small.bounds[0, 2]])
    return _concat([container, small])


def beside(a: trimesh.Trimesh, b: trimesh.Trimesh, gap: float = 0.1) -> trimesh.Trimesh:
    """``a`` on the left (-X) and ``b`` on the right (+X), both on the ground."""
    a, b = a.copy(), b.copy()
    a.apply_translation([-a.bounds[1, 0] - gap / 2, -a.bounds.mean(axis=0)[1], -a.bounds[0, 2]])
    b.apply_translation([-b.bounds[0, 0] + gap / 2, -b.bounds.mean(axis=0)[1], -b.bounds[0, 2]])
    return _concat([a, b])


def ball(radius: float = 0.1) -> trimesh.Trimesh:
    return _at(icosphere(subdivisions=3, radius=radius), z=radius)


def can_pyramid() -> trimesh.Trimesh:
    """Six cans stacked three, two, one (six bodies, a chain of three)."""
    parts = []
    r, h = 0.05, 0.12
    for row, n in enumerate((3, 2, 1)):
        for i in range(n):
            x = (i - (n - 1) / 2) * 2.05 * r
            parts.append(_at(cylinder(radius=r, height=h, sections=24), x, 0.001 * row,
                             h * (row + 0.5)))
    return _concat(parts)


def washer_stack(n: int = 3) -> trimesh.Trimesh:
    """``n`` separate washers lying flat on each other."""
    parts = []
    for i in range(n):
        w = washer(0.3 - 0.01 * i, 0.12, 0.06)
        parts.append(w.apply_translation([0.004 * i, 0, 0.06 * i]))
    return _concat(parts)


def stone_circle(n: int = 8, radius: float = 0.5) -> trimesh.Trimesh:
    """``n`` separate standing stones in a ring."""
    return _concat(
        [
            _rot(_at(box((0.08, 0.12, 0.3)), radius, 0, 0.15), 2 * np.pi * k / n)
            for k in range(n)
        ]
    )


def column(height: float = 1.0, radius: float = 0.07) -> trimesh.Trimesh:
    """A classical column: square plinth, round shaft, square capital."""
    plinth = _at(box((radius * 3, radius * 3, 0.05)), z=0.025)
    shaft = _at(cylinder(radius=radius, height=height - 0.1, sections=32), z=height / 2)
    cap = _at(box((radius * 3, radius * 3, 0.05)), z=height - 0.025)
    return _union([plinth, shaft, cap])


def lighthouse() -> trimesh.Trimesh:
    """A tapering round tower with a gallery and a lantern room."""
    tower_ = _profile([(0, 0), (0.12, 0), (0.08, 0.8), (0, 0.8)])
    gallery = _at(cylinder(radius=0.11, height=0.03, sections=32), z=0.815)
    lantern = _profile([(0, 0.83), (0.06, 0.83), (0.06, 0.93), (0.0, 1.0)])
    return _union([tower_, gallery, lantern])


def leaning_tower(tilt_deg: float = 4.0) -> trimesh.Trimesh:
    """A round tower of stacked galleries, leaning by ``tilt_deg`` degrees."""
    t = _union([_at(cylinder(radius=0.14, height=1.0, sections=32), z=0.5),
                *[_at(cylinder(radius=0.155, height=0.02, sections=32), z=z)
                  for z in np.linspace(0.15, 0.95, 7)]])
    t.apply_transform(trimesh.transformations.rotation_matrix(np.radians(tilt_deg), [0, 1, 0]))
    t.apply_translation([0, 0, -t.bounds[0, 2]])
    return t


def dome_hut(kind: str = "igloo") -> trimesh.Trimesh:
    """An igloo (snow dome with an entrance tunnel) or a yurt (drum wall and shallow cone)."""
    if kind == "igloo":
        dome = _profile([(0, 0), (0.5, 0), (0.43, 0.25), (0.25, 0.43), (0, 0.5)], sections=32)
        tunnel = _at(box((0.25, 0.4, 0.22)), 0, -0.55, 0.11)
        return _union([dome, tunnel])
    return _union(
        [_profile([(0, 0), (0.5, 0), (0.5, 0.25), (0.06, 0.45), (0, 0.45)], sections=32),
         _at(box((0.14, 0.1, 0.18)), 0, -0.5, 0.09)]
    )


def house() -> trimesh.Trimesh:
    """A small house: box walls and a gable roof (mirror symmetric)."""
    walls = _at(box((0.6, 0.8, 0.4)), z=0.2)
    pts = np.array([[x, y, z] for x in (-0.35, 0.35) for y in (-0.45, 0.45) for z in (0.4,)]
                   + [[0, y, 0.7] for y in (-0.45, 0.45)])
    roof = trimesh.convex.convex_hull(pts)
    return _union([walls, roof])


def figure(t_pose: bool = False) -> trimesh.Trimesh:
    """A standing human figure (boxes): two legs, torso, head and arms down or out."""
    parts = [_at(box((0.1, 0.12, 0.85)), x, 0, 0.425) for x in (-0.08, 0.08)]
    parts.append(_at(box((0.36, 0.18, 0.6)), z=1.15))
    parts.append(icosphere(subdivisions=2, radius=0.11).apply_translation([0, 0, 1.55]))
    if t_pose:
        parts.append(_at(box((1.7, 0.08, 0.08)), z=1.4))
    else:
        parts += [_at(box((0.08, 0.08, 0.6)), x, 0, 1.12) for x in (-0.21, 0.21)]
    return _union(parts)


def grand_piano() -> trimesh.Trimesh:
    """A grand piano: a wing-shaped case on three legs (three ground contacts)."""
    outline = np.array([[-0.75, -0.7], [0.75, -0.7], [0.75, 0.1], [0.35, 0.9], [-0.55, 1.1],
                        [-0.75, 0.8]])
    c = outline.mean(axis=0)
    ang = np.arctan2(outline[:, 1] - c[1], outline[:, 0] - c[0])
    rad = np.linalg.norm(outline - c, axis=1)
    case = radial_prism(ang, rad, 0.35).apply_translation([c[0], c[1], 0.6])
    legs = [_at(box((0.08, 0.08, 0.62)), x, y, 0.31) for x, y in ((-0.65, -0.6), (0.65, -0.6),
                                                                   (-0.45, 0.9))]
    return _union([case, *legs])


def caltrop(length: float = 0.3) -> trimesh.Trimesh:
    """A caltrop: four spikes along tetrahedron directions; three rest on the ground."""
    dirs = np.array([[0, 0, 1.0]] + [[np.sqrt(8 / 9) * np.cos(a), np.sqrt(8 / 9) * np.sin(a),
                                      -1 / 3] for a in (np.pi / 2 + 2 * np.pi * np.arange(3) / 3)])
    spikes = [
        _profile([(0, 0), (0.04, 0), (0, length)], sections=12).apply_transform(
            trimesh.geometry.align_vectors([0, 0, 1], d))
        for d in dirs
    ]
    m = _union(spikes)
    m.apply_translation([0, 0, -m.bounds[0, 2]])
    return m

