"""A procedural reference model for the ``mme3dr`` case set: primitives and booleans.

``REFERENCE`` maps a case id to a builder returning a +Z-up :class:`trimesh.Trimesh` that
answers the case's checks (legs, holes, containers, levels, relations...). It covers every case
that lists checks; the cases scored only by the physical, aesthetic and alignment suites are
left out, not faked. A second model of *different* correct designs of the same prompts is
:mod:`mme3dr.examples.mme3dr_variants`.
``build_reference(out)`` writes one file per covered case plus ``model.json``; see
``scripts/make_mme3dr_reference.py``. The shapes are deliberately plain: they are a known
answer to the geometry, not a pretty model, so they score high on the spatial, functional and
physical suites and say nothing about aesthetics or alignment.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import trimesh
from trimesh.creation import box, cylinder, icosphere

from mme3dr.examples import shapes as s
from mme3dr.examples.models import write_model_folder

Builder = Callable[[], trimesh.Trimesh]


def _at(m: trimesh.Trimesh, x: float = 0.0, y: float = 0.0, z: float = 0.0) -> trimesh.Trimesh:
    m = m.copy()
    m.apply_translation([x, y, z])
    return m


def _u(parts: list[trimesh.Trimesh]) -> trimesh.Trimesh:
    return trimesh.boolean.union(parts, engine="manifold")


def _d(a: trimesh.Trimesh, b: trimesh.Trimesh) -> trimesh.Trimesh:
    return trimesh.boolean.difference([a, b], engine="manifold")


def _ground(m: trimesh.Trimesh) -> trimesh.Trimesh:
    m = m.copy()
    m.apply_translation([0, 0, -m.bounds[0, 2]])
    return m


def _ellipsoid(rx: float, ry: float, rz: float, z: float | None = None) -> trimesh.Trimesh:
    e = icosphere(subdivisions=3, radius=1.0)
    e.apply_scale([rx, ry, rz])
    e.apply_translation([0, 0, rz if z is None else z])
    return e


def plank_bridge() -> trimesh.Trimesh:
    posts = [_at(box((0.2, 0.2, 0.3)), x, 0, 0.15) for x in (-0.3, 0.3)]
    plank = _at(box((0.9, 0.24, 0.05)), 0.004, 0.003, 0.325)
    return trimesh.util.concatenate([*posts, plank])


def l_bracket() -> trimesh.Trimesh:
    return _u([_at(box((0.4, 0.3, 0.03)), z=0.015), _at(box((0.03, 0.3, 0.4)), -0.185, 0, 0.2)])


def ice_tray(rows: int = 2, cols: int = 6) -> trimesh.Trimesh:
    tray = s.block(0.6, 0.22, 0.05)
    cells = [
        _at(box((0.08, 0.08, 0.06)), -0.25 + 0.1 * i, -0.05 + 0.1 * j, 0.04)
        for i in range(cols) for j in range(rows)
    ]
    return _d(tray, _u(cells))


def muffin_tin() -> trimesh.Trimesh:
    tray = s.block(0.5, 0.34, 0.05)
    cups = [_at(cylinder(radius=0.06, height=0.06, sections=24), x, y, 0.04)
            for x in (-0.16, 0.0, 0.16) for y in (-0.08, 0.08)]
    return _d(tray, _u(cups))


def birdbath() -> trimesh.Trimesh:
    base = s.cylinder_solid(0.12, 0.05)
    ped = _at(cylinder(radius=0.05, height=0.5, sections=32), z=0.3)
    basin = s.vessel([(0.08, 0), (0.3, 0.08)], 0.02)
    basin.apply_translation([0, 0, 0.54])
    return _u([base, ped, basin])


def mailbox() -> trimesh.Trimesh:
    post = _at(box((0.08, 0.08, 1.0)), z=0.5)
    bx = _at(box((0.2, 0.45, 0.2)), z=1.1)
    return _u([post, bx])


def umbrella_stand() -> trimesh.Trimesh:
    return s.vessel([(0.12, 0), (0.12, 0.5)], 0.01)


def cart() -> trimesh.Trimesh:
    basket = s.open_box(0.5, 0.02)
    basket.apply_scale([1.4, 1.0, 0.8])
    basket.apply_translation([0, 0, 0.5])
    legs = [_at(box((0.03, 0.03, 0.52)), x, y, 0.26) for x in (-0.3, 0.3) for y in (-0.2, 0.2)]
    return _u([basket, *legs])


def sofa() -> trimesh.Trimesh:
    seat = s.block(1.6, 0.8, 0.42)
    back = _at(box((1.6, 0.2, 0.45)), 0, 0.3, 0.62)
    arms = [_at(box((0.15, 0.8, 0.2)), x, 0, 0.52) for x in (-0.725, 0.725)]
    return _u([seat, back, *arms])


def bed() -> trimesh.Trimesh:
    frame = s.legged_table(4, top=(2.0, 1.4), height=0.35, leg=0.08, thickness=0.08)
    mattress = _at(box((1.95, 1.35, 0.2)), z=0.44)
    return _u([frame, mattress])


def park_bench() -> trimesh.Trimesh:
    seat = s.legged_table(4, top=(1.5, 0.45), height=0.45, leg=0.05, thickness=0.05)
    back = _at(box((1.5, 0.05, 0.4)), 0, 0.2, 0.65)
    return _u([seat, back])


def bunk_bed() -> trimesh.Trimesh:
    posts = [_at(box((0.06, 0.06, 1.6)), x, y, 0.8) for x in (-1, 1) for y in (-0.45, 0.45)]
    beds = [_at(box((2.0, 0.9, 0.15)), z=z) for z in (0.35, 1.15)]
    return _u([*posts, *beds])


def bbq() -> trimesh.Trimesh:
    bowl = s.vessel([(0.1, 0), (0.25, 0.2)], 0.01)
    bowl.apply_translation([0, 0, 0.7])
    return s.splayed(3, height=0.72, spread=0.3, leg=0.015, head=bowl)


def swing_set() -> trimesh.Trimesh:
    frame = s.sawhorse()
    frame.apply_scale([2.0, 1.5, 2.0])
    seats = [_at(box((0.3, 0.15, 0.03)), x, 0, 0.5) for x in (-0.4, 0.4)]
    ropes = [_at(box((0.015, 0.015, 0.9)), x + dx, 0, 0.95)
             for x in (-0.4, 0.4) for dx in (-0.13, 0.13)]
    return _u([frame, *seats, *ropes])


def shallow_bowl() -> trimesh.Trimesh:
    return s.vessel([(0.06, 0), (0.15, 0.07)], 0.008)


def barrel_cactus() -> trimesh.Trimesh:
    """A round cactus on a flattened base (it sits on the soil, it does not roll)."""
    return _ground(_d(_ellipsoid(0.3, 0.3, 0.32), _at(box((2, 2, 1)), z=-0.5 + 0.03)))


def column_cactus() -> trimesh.Trimesh:
    return s._profile([(0, 0), (0.08, 0), (0.08, 0.9), (0.05, 0.97), (0, 1.0)])


def penguin() -> trimesh.Trimesh:
    body = _ellipsoid(0.15, 0.13, 0.32, z=0.36)
    feet = [_at(box((0.08, 0.16, 0.03)), x, -0.03, 0.015) for x in (-0.07, 0.07)]
    legs = [_at(cylinder(radius=0.02, height=0.1, sections=8), x, 0, 0.05) for x in (-0.07, 0.07)]
    return _u([body, *feet, *legs])


def sauropod() -> trimesh.Trimesh:
    return s.animal(legs_h=0.4, body=(0.35, 0.9, 0.35), neck=0.7)


def egg() -> trimesh.Trimesh:
    return _ellipsoid(0.35, 0.25, 0.25)


def pumpkin() -> trimesh.Trimesh:
    return _u([_ellipsoid(0.3, 0.3, 0.22), _at(cylinder(radius=0.03, height=0.1, sections=12),
                                               z=0.46)])


def banana() -> trimesh.Trimesh:
    return _ellipsoid(0.5, 0.12, 0.08)


def carrot() -> trimesh.Trimesh:
    c = s._profile([(0, 0), (0.08, 0), (0, 0.8)], sections=24)
    c.apply_transform(s._Z_TO_X)
    return _ground(c)


def snake_coil() -> trimesh.Trimesh:
    return s.donut(0.2, 0.06)


def sea_turtle() -> trimesh.Trimesh:
    shell = _ellipsoid(0.3, 0.4, 0.12)
    flippers = [_at(box((0.7, 0.12, 0.03)), 0, y, 0.06) for y in (-0.2, 0.2)]
    return _u([shell, *flippers])


def butterfly(span: float = 0.5) -> trimesh.Trimesh:
    wings = [_at(_ellipsoid(span / 4, 0.15, 0.01, z=0.01), x) for x in (-span / 4, span / 4)]
    body = _ellipsoid(0.02, 0.16, 0.02)
    return _u([*wings, body])


def flower_on_stem(head: float = 0.2, height: float = 1.0) -> trimesh.Trimesh:
    stem = _at(cylinder(radius=0.015, height=height, sections=12), z=height / 2)
    top = _at(cylinder(radius=head / 2, height=0.05, sections=32), z=height)
    leaf = _at(box((0.2, 0.03, 0.01)), 0.1, 0, height * 0.4)
    return _u([stem, top, leaf])


def tortoise() -> trimesh.Trimesh:
    shell = _d(_ellipsoid(0.3, 0.4, 0.25, z=0.05), _at(box((2, 2, 1)), z=-0.5 + 0.05))
    shell.apply_translation([0, 0, -0.05 + 0.05])
    legs = [_at(box((0.08, 0.08, 0.08)), x, y, 0.04) for x in (-0.2, 0.2) for y in (-0.25, 0.25)]
    head = _at(box((0.1, 0.15, 0.1)), 0, -0.45, 0.12)
    return _ground(_u([shell, *legs, head]))


def pineapple() -> trimesh.Trimesh:
    return _u([_ellipsoid(0.12, 0.12, 0.2), s._profile([(0, 0.35), (0.1, 0.35), (0, 0.65)])])


def pear() -> trimesh.Trimesh:
    return s._profile([(0, 0), (0.05, 0.005), (0.07, 0.04), (0.065, 0.08), (0.035, 0.13),
                       (0.025, 0.16), (0, 0.17)])


def crab() -> trimesh.Trimesh:
    body = _ellipsoid(0.25, 0.18, 0.08)
    claws = [_at(_ellipsoid(0.1, 0.06, 0.05), x, -0.15, 0.06) for x in (-0.15, 0.15)]
    return _u([body, *claws])


def moai() -> trimesh.Trimesh:
    return _u([s.block(0.45, 0.3, 0.7), _at(box((0.35, 0.3, 0.45)), z=0.92)])


def pagoda(storeys: int = 5) -> trimesh.Trimesh:
    parts = []
    for i in range(storeys):
        w = 0.5 - 0.06 * i
        parts.append(_at(box((w * 0.7, w * 0.7, 0.2)), z=0.1 + 0.24 * i))
        parts.append(_at(box((w, w, 0.04)), z=0.22 + 0.24 * i))
    parts.append(_at(cylinder(radius=0.02, height=0.25, sections=8), z=0.24 * storeys + 0.12))
    return _u(parts)


def tipi() -> trimesh.Trimesh:
    return s._profile([(0, 0), (0.4, 0), (0, 0.9)], sections=24)


def longship() -> trimesh.Trimesh:
    hull = _d(_ellipsoid(1.0, 0.2, 0.15), _at(box((3, 1, 1)), z=0.5 + 0.12))
    return _ground(hull)


def abacus() -> trimesh.Trimesh:
    outer = _at(box((0.6, 0.05, 0.4)), z=0.2)
    frame = _d(outer, _at(box((0.52, 0.2, 0.32)), z=0.2))
    rods = [_at(box((0.01, 0.01, 0.33)), x, 0, 0.2) for x in np.linspace(-0.2, 0.2, 7)]
    beads = [_at(box((0.04, 0.04, 0.03)), x, 0, z)
             for x in np.linspace(-0.2, 0.2, 7) for z in (0.1, 0.15, 0.3)]
    return _u([frame, *rods, *beads])


def maneki() -> trimesh.Trimesh:
    return _u([_ellipsoid(0.15, 0.12, 0.18), _ellipsoid(0.13, 0.11, 0.11, z=0.42)])


def matryoshka() -> trimesh.Trimesh:
    return s._profile([(0, 0), (0.1, 0), (0.12, 0.1), (0.09, 0.2), (0.07, 0.24), (0.08, 0.3),
                       (0.05, 0.36), (0, 0.38)])


def clog() -> trimesh.Trimesh:
    return _u([s.block(0.28, 0.1, 0.06), _at(box((0.12, 0.1, 0.06)), -0.08, 0, 0.09)])


def arc_triomphe() -> trimesh.Trimesh:
    body = s.block(0.9, 0.45, 1.0)
    main = _u([_at(box((0.3, 1, 0.55)), z=0.275),
               _at(cylinder(radius=0.15, height=1, sections=32).apply_transform(s._Z_TO_Y),
                   z=0.55)])
    side = _at(box((2, 0.15, 0.35)), z=0.175)
    return _d(body, _u([main, side]))


def taj() -> trimesh.Trimesh:
    base = s.block(1.0, 1.0, 0.1)
    hall = _at(box((0.5, 0.5, 0.35)), z=0.275)
    dome = _ellipsoid(0.2, 0.2, 0.22, z=0.45)
    minarets = [_at(cylinder(radius=0.03, height=0.6, sections=12), x, y, 0.35)
                for x in (-0.45, 0.45) for y in (-0.45, 0.45)]
    return _u([base, hall, dome, *minarets])


def colosseum() -> trimesh.Trimesh:
    w = s.washer(0.5, 0.3, 0.22)
    w.apply_scale([1.0, 0.8, 1.0])
    return w


def saturn_v() -> trimesh.Trimesh:
    body = s.cylinder_solid(0.05, 0.9)
    nose = s._profile([(0, 0.9), (0.05, 0.9), (0.015, 1.05), (0, 1.1)], sections=32)
    return _u([body, nose])


def inukshuk() -> trimesh.Trimesh:
    legs = [_at(box((0.12, 0.12, 0.35)), x, 0, 0.175) for x in (-0.12, 0.12)]
    body = _at(box((0.4, 0.14, 0.15)), z=0.42)
    arms = _at(box((0.7, 0.1, 0.08)), z=0.53)
    head = _at(box((0.12, 0.12, 0.12)), z=0.625)
    return _u([*legs, body, arms, head])


def tagine() -> trimesh.Trimesh:
    return _u([s.cylinder_solid(0.3, 0.06), s._profile([(0, 0.05), (0.26, 0.05), (0, 0.42)])])


def penny_farthing() -> trimesh.Trimesh:
    big = _at(cylinder(radius=0.6, height=0.04, sections=48).apply_transform(s._Z_TO_Y), 0.3,
              0, 0.6)
    small = _at(cylinder(radius=0.15, height=0.04, sections=32).apply_transform(s._Z_TO_Y), -0.5,
                0, 0.15)
    frame = cylinder(segment=[[-0.5, 0, 0.15], [0.25, 0, 1.2]], radius=0.02, sections=8)
    return _u([big, small, frame])


def hourglass() -> trimesh.Trimesh:
    return s._profile([(0, 0), (0.15, 0), (0.15, 0.03), (0.12, 0.05), (0.02, 0.25), (0.12, 0.45),
                       (0.15, 0.47), (0.15, 0.5), (0, 0.5)])


def chariot() -> trimesh.Trimesh:
    wheels = [_at(cylinder(radius=0.35, height=0.04, sections=32).apply_transform(s._Z_TO_Y), 0,
                  y, 0.35) for y in (-0.35, 0.35)]
    axle = _at(box((0.05, 0.7, 0.05)), z=0.35)
    car = _at(box((0.4, 0.6, 0.3)), z=0.5)
    return _u([*wheels, axle, car])


def sword() -> trimesh.Trimesh:
    blade = _at(box((0.8, 0.05, 0.02)), 0.45, 0, 0.01)
    guard = _at(box((0.03, 0.2, 0.03)), 0.04, 0, 0.015)
    grip = _at(box((0.15, 0.03, 0.03)), -0.05, 0, 0.015)
    return _u([blade, guard, grip])


def gingerbread() -> trimesh.Trimesh:
    g = s.figure(t_pose=True)
    g.apply_transform(s._Z_TO_Y)
    g.apply_scale([1.0, 1.0, 0.1])
    return _ground(g)


def heart_slab() -> trimesh.Trimesh:
    t = np.linspace(0, 2 * np.pi, 80, endpoint=False)
    x = 16 * np.sin(t) ** 3
    z = 13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t)
    ang = np.arctan2(z - 2, x)
    rad = np.hypot(x, z - 2)
    m = s.radial_prism(ang, rad / 30, 0.12)
    m.apply_transform(s._Z_TO_Y)
    return _ground(m)


def teacup_saucer() -> trimesh.Trimesh:
    return _u([s.plate(0.08, 0.008), _at(s.cup(0.04, 0.06), z=0.006)])


def boat() -> trimesh.Trimesh:
    return _ground(_d(_ellipsoid(0.5, 0.16, 0.12), _at(box((2, 1, 1)), z=0.5 + 0.1)))


def anvil() -> trimesh.Trimesh:
    return _u([s.block(0.25, 0.18, 0.15), _at(box((0.12, 0.1, 0.12)), z=0.21),
               _at(box((0.5, 0.16, 0.1)), z=0.32)])


def spinning_top() -> trimesh.Trimesh:
    return s._profile([(0, 0), (0.12, 0.1), (0.15, 0.14), (0.03, 0.18), (0.02, 0.28), (0, 0.28)])


def lantern() -> trimesh.Trimesh:
    return s._profile([(0, 0), (0.08, 0), (0.15, 0.1), (0.15, 0.22), (0.08, 0.32), (0, 0.32)])


def hydrant() -> trimesh.Trimesh:
    body = s.cylinder_solid(0.08, 0.4)
    cap = _ellipsoid(0.08, 0.08, 0.06, z=0.4)
    nozzles = _at(box((0.28, 0.05, 0.05)), z=0.28)
    return _u([s.cylinder_solid(0.11, 0.04), body, cap, nozzles])


def key() -> trimesh.Trimesh:
    bow = s.washer(0.08, 0.04, 0.02)
    shaft = _at(box((0.3, 0.025, 0.02)), 0.22, 0, 0.01)
    bit = _at(box((0.03, 0.06, 0.02)), 0.34, 0.03, 0.01)
    return _u([bow, shaft, bit])


def birdhouse_pole() -> trimesh.Trimesh:
    return _u([_at(box((0.05, 0.05, 1.0)), z=0.5), _at(s.house(), z=0.98).apply_scale(1.0)])


def ice_cream() -> trimesh.Trimesh:
    cone = s._profile([(0, 0), (0.06, 0.2), (0, 0.2)], sections=32)
    return _u([cone, _ellipsoid(0.07, 0.07, 0.07, z=0.24)])


def bottle() -> trimesh.Trimesh:
    return s._profile([(0, 0), (0.04, 0), (0.04, 0.2), (0.015, 0.26), (0.015, 0.3), (0, 0.3)],
                      sections=12)


def potted_cactus() -> trimesh.Trimesh:
    pot = s.vessel([(0.1, 0), (0.12, 0.15)], 0.01)
    plant = _at(_ellipsoid(0.07, 0.07, 0.18), z=0.01)
    return _u([pot, plant])


def barrel() -> trimesh.Trimesh:
    return s._profile([(0, 0), (0.25, 0), (0.3, 0.3), (0.25, 0.6), (0, 0.6)], sections=12)


def pancakes() -> trimesh.Trimesh:
    return _u([s.plate(0.15 - 0.005 * i, 0.02).apply_translation([0, 0, 0.02 * i])
               for i in range(3)])


def gem_ring() -> trimesh.Trimesh:
    r = s.ring(0.1, 0.015)
    gem = _at(icosphere(subdivisions=1, radius=0.035), z=0.24)
    return _u([r, gem])


def sparkle() -> trimesh.Trimesh:
    return s.star_prism(4, r_out=0.5, r_in=0.12, height=0.08)


def rocking_horse() -> trimesh.Trimesh:
    rockers = []
    for y in (-0.15, 0.15):
        arc = s.torus(major_radius=0.8, minor_radius=0.025, major_sections=96,
                      minor_sections=8)
        arc.apply_transform(s._Z_TO_Y)
        arc = _d(arc, _at(box((4, 4, 4)), z=2 - 0.6))
        arc.apply_translation([0, y, 0.8])
        rockers.append(arc)
    body = _at(box((0.6, 0.32, 0.2)), z=0.55)
    legs = [_at(box((0.05, 0.05, 0.55)), x, y, 0.3) for x in (-0.2, 0.2) for y in (-0.14, 0.14)]
    return _ground(_u([*rockers, body, *legs]))


def _bike_wheel(r: float, x: float, width: float = 0.03) -> trimesh.Trimesh:
    w = s.torus(major_radius=r, minor_radius=width, major_sections=64, minor_sections=8)
    w.apply_transform(s._Z_TO_Y)
    return _at(w, x, 0, r + width)


def road_bicycle() -> trimesh.Trimesh:
    """Two tyres (tori) on a diamond frame with a saddle and handlebar (two contacts)."""
    r = 0.33
    hubs = [(-0.5, r + 0.03), (0.5, r + 0.03)]
    bb, seat, head = (-0.05, 0.3), (-0.15, 0.85), (0.4, 0.85)
    bars = [(hubs[0], bb), (hubs[0], seat), (bb, seat), (bb, head), (seat, head),
            (head, hubs[1])]
    frame = [cylinder(radius=0.015, segment=[[a[0], 0, a[1]], [b[0], 0, b[1]]], sections=8)
             for a, b in bars]
    spokes = [cylinder(radius=0.006, segment=[[h[0], 0, h[1]], [h[0] + r * np.cos(a), 0,
                                                                h[1] + r * np.sin(a)]], sections=6)
              for h in hubs for a in np.linspace(0, 2 * np.pi, 6, endpoint=False)]
    saddle = _at(box((0.14, 0.06, 0.03)), -0.15, 0, 0.87)
    handlebar = _at(box((0.04, 0.4, 0.03)), 0.4, 0, 0.87)
    return _u([_bike_wheel(r, -0.5), _bike_wheel(r, 0.5), *frame, *spokes, saddle, handlebar])


def motorcycle() -> trimesh.Trimesh:
    """Two thick wheels under a long body with a tank, seat and handlebars (two contacts)."""
    wheels = [_at(cylinder(radius=0.2, height=0.1, sections=32).apply_transform(s._Z_TO_Y), x, 0,
                  0.2) for x in (-0.55, 0.55)]
    body = _at(box((0.9, 0.2, 0.25)), z=0.4)
    tank = _ellipsoid(0.18, 0.12, 0.08, z=0.58)
    forks = cylinder(radius=0.02, segment=[[0.55, 0, 0.2], [0.4, 0, 0.75]], sections=8)
    bar = _at(box((0.04, 0.6, 0.03)), 0.4, 0, 0.75)
    return _u([*wheels, body, tank, forks, bar])


def stone_lantern() -> trimesh.Trimesh:
    """A toro: a square base, a pillar, a firebox with a light window, a pyramidal roof."""
    base = s.block(0.4, 0.4, 0.1)
    pillar = _at(box((0.14, 0.14, 0.45)), z=0.32)
    platform = _at(box((0.36, 0.36, 0.06)), z=0.57)
    firebox = _d(_at(box((0.26, 0.26, 0.2)), z=0.7), _at(box((0.12, 1.0, 0.1)), z=0.7))
    roof = s.pyramid(0.5, 0.2).apply_translation([0, 0, 0.8])
    finial = _ellipsoid(0.04, 0.04, 0.05, z=1.02)
    return _u([base, pillar, platform, firebox, roof, finial])


def samovar() -> trimesh.Trimesh:
    """A samovar: a revolved urn on a foot with a tap, two side handles and a crown."""
    body = s._profile([(0, 0), (0.12, 0), (0.06, 0.08), (0.06, 0.12), (0.16, 0.2), (0.17, 0.45),
                       (0.1, 0.52), (0.04, 0.56), (0.04, 0.62), (0, 0.62)])
    tap = cylinder(radius=0.015, segment=[[0.15, 0, 0.25], [0.26, 0, 0.22]], sections=8)
    handles = [_at(box((0.06, 0.03, 0.03)), x, 0, 0.46) for x in (-0.19, 0.19)]
    return _u([body, tap, *handles])


def harp() -> trimesh.Trimesh:
    """A concert harp: a base under its whole footprint (so it stands: the neck and soundbox
    lean its weight forward), a vertical column, a curved neck and a slanted soundbox, closing
    one triangular opening."""
    base = _at(s.block(0.72, 0.22, 0.06), x=0.19)
    column = cylinder(radius=0.03, segment=[[-0.12, 0, 0.05], [-0.12, 0, 1.5]], sections=12)
    neck = [cylinder(radius=0.03, segment=[[-0.12, 0, 1.5], [0.2, 0, 1.35]], sections=12),
            cylinder(radius=0.03, segment=[[0.2, 0, 1.35], [0.5, 0, 1.45]], sections=12)]
    soundbox = cylinder(radius=0.06, segment=[[0.08, 0, 0.05], [0.5, 0, 1.45]], sections=12)
    return _u([base, column, *neck, soundbox])


def rocking_chair() -> trimesh.Trimesh:
    """A rocking chair: two curved rockers (arcs) under four legs, a seat and a tall back; the
    rockers' lowest point sits under the centre of mass (the back draws it backwards), so the
    chair rests upright on them, as a real one does."""
    rockers = []
    for x in (-0.22, 0.22):
        arc = s.torus(major_radius=1.0, minor_radius=0.025, major_sections=128, minor_sections=8)
        arc.apply_transform(s._Z_TO_X)
        arc = _d(arc, _at(box((4, 4, 4)), z=2 - 0.93))
        arc.apply_translation([x, 0.1, 1.0])
        rockers.append(arc)
    legs = [_at(box((0.04, 0.04, 0.42)), x, y, 0.24) for x in (-0.22, 0.22) for y in (-0.2, 0.2)]
    seat = _at(box((0.5, 0.48, 0.04)), z=0.45)
    back = _at(box((0.5, 0.04, 0.55)), 0, 0.24, 0.74)
    return _ground(_u([*rockers, *legs, seat, back]))


def origami_crane() -> trimesh.Trimesh:
    """An origami crane: a diamond body, two flat wings and a neck and tail raised at the ends
    (mirror symmetric about the body's long axis)."""
    body = trimesh.convex.convex_hull(np.array(
        [[0, -0.2, 0.15], [0, 0.2, 0.15], [-0.06, 0, 0.15], [0.06, 0, 0.15], [0, 0, 0.0],
         [0, 0, 0.25]]))
    wings = [trimesh.convex.convex_hull(np.array(
        [[0, -0.08, 0.2], [0, 0.08, 0.2], [sgn * 0.4, 0.0, 0.3], [0, 0, 0.21]]))
        for sgn in (-1, 1)]
    neck = cylinder(radius=0.012, segment=[[0, -0.18, 0.15], [0, -0.35, 0.4]], sections=8)
    tail = cylinder(radius=0.012, segment=[[0, 0.18, 0.15], [0, 0.35, 0.38]], sections=8)
    return _ground(_u([body, *wings, neck, tail]))


def star_with_hole() -> trimesh.Trimesh:
    return _d(s.star_prism(5), _at(cylinder(radius=0.07, height=0.5, sections=32), z=0.05))


def square_button() -> trimesh.Trimesh:
    holes = [_at(cylinder(radius=0.07, height=0.5, sections=24), x, 0, 0.06) for x in (-0.15, 0.15)]
    return _d(s.block(1.0, 1.0, 0.12), _u(holes))


def robot() -> trimesh.Trimesh:
    return s.figure()


REFERENCE: dict[str, Builder] = {
    # spatial_structural
    "spa-001": lambda: s.tower(3),
    "spa-002": lambda: s.tower(4, size=0.25, shrink=0.9),
    "spa-003": lambda: s.book_stack(5),
    "spa-004": lambda: s.tower(2, size=0.4, shrink=0.9),
    "spa-005": lambda: s.on_top(s.ball(0.08), s.block(0.4, 0.4, 0.3)),
    "spa-006": lambda: s.on_top(s.ball(0.04), s.plate(0.12, 0.01), dx=0.013),
    "spa-007": lambda: s.tower(2, size=0.4, shrink=0.4),
    "spa-008": lambda: s.inside(s.ball(0.11),
                                s.legged_table(4, top=(0.6, 0.6), height=0.5, leg=0.04)),
    "spa-009": star_with_hole,
    "spa-010": lambda: s.star_prism(6, r_in=0.25),
    "spa-011": lambda: s.star_prism(8, r_in=0.3, height=0.05),
    "spa-012": lambda: s.cross_prism(4),
    "spa-013": lambda: s.staircase(6, rise=0.12),
    "spa-014": lambda: s.staircase(5, width=1.0),
    "spa-015": lambda: s.staircase(2),
    "spa-016": lambda: s.step_pyramid(4),
    "spa-017": lambda: s.tiered(3),
    "spa-018": lambda: s.shelf(4),
    "spa-019": lambda: s.shelf(5, width=0.6, height=1.8),
    "spa-020": lambda: s.shelf(2, width=0.8, height=0.5),
    "spa-021": s.arch,
    "spa-022": lambda: s.arch(width=0.9, height=2.0, post=0.1),
    "spa-023": s.ring,
    "spa-024": s.donut,
    "spa-025": s.picture_frame,
    "spa-026": s.washer,
    "spa-027": s.pipe,
    "spa-028": lambda: s.button(4),
    "spa-029": square_button,
    "spa-030": s.hex_nut,
    "spa-031": s.pyramid,
    "spa-032": s.cube,
    "spa-033": lambda: s.cylinder_solid(0.25, 1.0),
    "spa-034": lambda: s.plate(0.5, 0.1),
    "spa-035": lambda: s.block(2.0, 0.2, 0.2),
    "spa-036": lambda: s.beside(s.cube(0.3), s.cube(0.25), gap=0.0),
    "spa-037": lambda: s.beside(s.cube(0.3), s.ball(0.06)),
    "spa-038": lambda: s.beside(s.cube(0.3), s.ball(0.08)),
    "spa-039": lambda: s.beside(s.cube(0.12), s.cylinder_solid(0.2, 0.5)),
    "spa-040": lambda: s.inside(s.ball(0.06), s.open_box(0.3, 0.02), floor=0.02),
    "spa-041": lambda: s.inside(s.ball(0.015), s.bowl(), floor=0.0065),
    "spa-042": lambda: s.on_top(s.vase(), s.legged_table(4, top=(0.5, 0.5), height=0.6)),
    "spa-043": lambda: s.on_top(s.donut(0.1, 0.03), s.cube(0.3)),
    "spa-044": s.can_pyramid,
    "spa-045": lambda: s.washer_stack(3),
    "spa-046": lambda: s.block(0.2, 0.2, 1.0),
    "spa-047": lambda: s.stone_circle(8),
    "spa-048": lambda: s.cake_stand(3),
    "spa-049": lambda: s.drilled_cube(1),
    "spa-050": lambda: s.drilled_cube(-2, radius=0.12),
    "spa-051": lambda: s.drilled_cube(3),
    "spa-052": l_bracket,
    "spa-053": plank_bridge,
    # mechanical_affordances
    "mech-001": lambda: s.stool(3),
    "mech-002": lambda: s.legged_table(4, top=(0.4, 0.4), height=0.75, leg=0.035,
                                       round_top=True),
    "mech-003": lambda: s.legged_table(3, top=(0.35, 0.35), height=0.25, leg=0.035,
                                       round_top=True),
    "mech-004": lambda: s.legged_table(4),
    "mech-005": lambda: s.legged_table(3, top=(0.7, 0.7), height=0.75, round_top=True),
    "mech-006": lambda: s.legged_table(4, top=(0.5, 0.5), height=0.55, leg=0.04),
    "mech-007": lambda: s.legged_table(4, top=(1.6, 0.35), height=0.45, leg=0.05),
    "mech-008": lambda: s.legged_table(4, top=(1.2, 0.6), height=0.45),
    "mech-009": lambda: s.legged_table(6, top=(2.0, 0.9)),
    "mech-010": s.chair,
    "mech-011": s.chair,
    "mech-012": s.office_chair,
    "mech-013": s.cup,
    "mech-014": lambda: s.mug2(0.04, 0.16),
    "mech-015": lambda: s.cup(handle=False),
    "mech-016": s.bowl,
    "mech-017": shallow_bowl,
    "mech-018": s.bucket,
    "mech-019": s.vase,
    "mech-020": s.goblet,
    "mech-021": s.open_box,
    "mech-022": lambda: s.open_box(0.4, 0.015),
    "mech-023": lambda: s.shelf(3, height=1.0),
    "mech-024": lambda: s.gear(14),
    "mech-025": lambda: s.gear(8),
    "mech-026": lambda: s.gear(16),
    "mech-027": s.padlock,
    "mech-028": s.scissors,
    "mech-029": s.hammer,
    "mech-030": s.stepladder,
    "mech-031": lambda: s.ladder(6, lying=True),
    "mech-032": s.vehicle,
    "mech-033": lambda: s.vehicle(3, length=1.4),
    "mech-034": s.tricycle,
    "mech-035": s.skateboard,
    "mech-036": s.wheelbarrow,
    "mech-037": s.splayed,
    "mech-038": s.sawhorse,
    "mech-039": bed,
    "mech-040": park_bench,
    "mech-041": s.lamp,
    "mech-042": lambda: s.mug2(0.08, 0.15),
    "mech-043": lambda: s.mug2(0.08, 0.12),
    "mech-044": lambda: s.mug2(0.07, 0.2),
    "mech-045": s.coat_hanger,
    "mech-046": lambda: s.ceiling_fan(5),
    "mech-047": lambda: s.ceiling_fan(3),
    "mech-048": s.dumbbell,
    "mech-049": s.trophy,
    "mech-050": lambda: s.open_box(0.5, 0.02),
    "mech-051": s.flower_pot,
    "mech-052": s.funnel,
    "mech-053": lambda: s.mug2(0.12, 0.14, handles=2),
    "mech-054": s.frying_pan,
    "mech-055": ice_tray,
    "mech-056": muffin_tin,
    "mech-057": birdbath,
    "mech-058": lambda: s.spoked_wheel(6),
    "mech-060": swing_set,
    "mech-061": bbq,
    "mech-062": mailbox,
    "mech-063": umbrella_stand,
    "mech-065": cart,
    "mech-067": lambda: s.hammer(),
    "mech-068": sofa,
    "mech-069": bunk_bed,
    # biological_organic
    "bio-001": s.mushroom,
    "bio-002": s.mushroom,
    "bio-003": lambda: s.flower(8),
    "bio-004": lambda: s.flower(5),
    "bio-005": lambda: s.flower(6),
    "bio-006": lambda: s.flower(4),
    "bio-007": lambda: s.star_prism(5, r_in=0.15),
    "bio-008": lambda: s.star_prism(6, r_in=0.15),
    "bio-009": s.cactus,
    "bio-010": column_cactus,
    "bio-011": barrel_cactus,
    "bio-012": s.quadruped,
    "bio-013": lambda: s.animal(legs_h=0.55, body=(0.25, 0.7, 0.28)),
    "bio-014": lambda: s.animal(legs_h=0.45, body=(0.35, 0.8, 0.35)),
    "bio-015": lambda: s.animal(legs_h=0.2, body=(0.22, 0.45, 0.15)),
    "bio-016": lambda: s.animal(legs_h=0.3, body=(0.3, 0.55, 0.3)),
    "bio-017": lambda: s.animal(legs_h=0.15, body=(0.3, 0.6, 0.3)),
    "bio-018": lambda: s.animal(legs_h=0.6, body=(0.25, 0.6, 0.25), neck=0.7),
    "bio-019": lambda: s.animal(legs_h=0.5, body=(0.5, 0.9, 0.5)),
    "bio-020": lambda: s.animal(legs_h=0.6, body=(0.3, 0.7, 0.3), neck=0.3),
    "bio-021": lambda: s.animal(legs_h=0.12, body=(0.24, 0.8, 0.18)),
    "bio-022": lambda: s.bird(1),
    "bio-023": lambda: s.bird(2),
    "bio-024": lambda: s.bird(2),
    "bio-025": penguin,
    "bio-026": lambda: s.critter(8),
    "bio-027": lambda: s.critter(6),
    "bio-028": lambda: s.critter(6, body=0.15, reach=0.32),
    "bio-029": s.tree,
    "bio-030": lambda: s.tree("pine"),
    "bio-031": s.tree,
    "bio-032": lambda: _ellipsoid(0.2, 0.25, 0.2),
    "bio-033": egg,
    "bio-034": pumpkin,
    "bio-035": banana,
    "bio-036": carrot,
    "bio-039": snake_coil,
    "bio-040": sea_turtle,
    "bio-041": s.bowl,
    "bio-042": s.figure,
    "bio-043": lambda: s.figure(t_pose=True),
    "bio-044": butterfly,
    "bio-045": lambda: butterfly(0.8),
    "bio-046": lambda: s.star_prism(5, r_in=0.3, height=0.02),
    "bio-048": flower_on_stem,
    "bio-049": lambda: flower_on_stem(0.1, 0.5),
    "bio-053": lambda: s.ball(0.2),
    "bio-055": lambda: s.bird(2),
    "bio-056": sauropod,
    "bio-059": tortoise,
    "bio-061": pineapple,
    "bio-062": pear,
    "bio-065": crab,
    "bio-067": lambda: s.ball(0.2),
    # world_knowledge_rare
    "wk-001": s.tower_frame,
    "wk-002": s.torii,
    "wk-003": s.trilithon,
    "wk-004": s.cauldron,
    "wk-005": s.cube,
    "wk-006": s.windmill,
    "wk-007": s.pyramid,
    "wk-008": lambda: s.step_pyramid(4),
    "wk-009": s.leaning_tower,
    "wk-010": moai,
    "wk-011": s.lighthouse,
    "wk-012": s.amphora,
    "wk-013": pagoda,
    "wk-014": s.dome_hut,
    "wk-015": tipi,
    "wk-016": lambda: s.dome_hut("yurt"),
    "wk-017": longship,
    "wk-018": s.obelisk,
    "wk-021": abacus,
    "wk-022": s.grand_piano,
    "wk-024": maneki,
    "wk-025": matryoshka,
    "wk-026": clog,
    "wk-028": s.column,
    "wk-029": arc_triomphe,
    "wk-030": taj,
    "wk-032": colosseum,
    "wk-033": lambda: s.block(0.15, 0.15, 1.0),
    "wk-034": lambda: s.block(0.7, 0.31, 0.15),
    "wk-035": s.obelisk,
    "wk-036": saturn_v,
    "wk-038": inukshuk,
    "wk-040": tagine,
    "wk-041": lambda: s.plate(0.5, 0.08),
    "wk-042": lambda: s.block(0.9, 0.26, 0.2),
    "wk-043": penny_farthing,
    "wk-044": s.donut,
    "wk-045": s.donut,
    "wk-046": s.caltrop,
    "wk-047": hourglass,
    "wk-048": s.splayed,
    "wk-049": chariot,
    "wk-052": lambda: _ellipsoid(0.3, 0.3, 0.3),
    # stylized
    "sty-001": s.low_poly_fox,
    "sty-002": s.voxel_tree,
    "sty-003": s.rocket,
    "sty-004": s.pawn,
    "sty-005": s.lamp,
    "sty-006": s.donut,
    "sty-007": lambda: s.mug2(0.05, 0.1),
    "sty-008": lambda: s.stool(3),
    "sty-009": lambda: s.legged_table(4, leg=0.1),
    "sty-010": s.vehicle,
    "sty-011": lambda: s.block(0.32, 0.16, 0.11),
    "sty-012": lambda: s.tree("pine"),
    "sty-013": sword,
    "sty-014": lambda: s.block(0.6, 0.35, 0.35),
    "sty-015": lambda: s.star_prism(5),
    "sty-016": lambda: s.star_prism(8, r_in=0.3),
    "sty-017": lambda: s.star_prism(6, r_in=0.28),
    "sty-018": gingerbread,
    "sty-019": robot,
    "sty-020": s.mushroom,
    "sty-021": s.windmill,
    "sty-022": teacup_saucer,
    "sty-024": boat,
    "sty-025": lambda: s.vase(narrow=False),
    "sty-026": lambda: s.stool(3),
    "sty-027": heart_slab,
    "sty-029": s.house,
    "sty-030": lambda: s.snowman(3, separate=False),
    "sty-031": lambda: s.tiered(3),
    "sty-032": anvil,
    "sty-033": spinning_top,
    "sty-035": lantern,
    "sty-036": s.column,
    "sty-037": rocking_horse,
    "sty-038": hydrant,
    "sty-039": s.quadruped,
    "sty-041": key,
    "sty-043": birdhouse_pole,
    "sty-044": ice_cream,
    "sty-046": bottle,
    "sty-051": potted_cactus,
    "sty-053": s.trophy,
    "sty-054": s.vehicle,
    "sty-055": barrel,
    "sty-056": s.flower_pot,
    "sty-057": lambda: s.ceiling_fan(3),
    "sty-058": s.padlock,
    "sty-059": lambda: s.vehicle(3, length=1.3),
    "sty-060": s.bucket,
    "sty-061": lambda: s.legged_table(4),
    "sty-062": s.quadruped,
    "sty-063": lambda: s.ladder(4, lying=True),
    "sty-064": lambda: s.shelf(3, height=1.0),
    "sty-065": lambda: s.gear(10),
    "sty-066": lambda: s.critter(8),
    "sty-067": s.dumbbell,
    "sty-068": s.house,
    "sty-069": s.lighthouse,
    "sty-070": s.goblet,
    "sty-071": s.splayed,
    "sty-072": lambda: s.bird(2),
    "sty-073": lambda: s.step_pyramid(3),
    "sty-074": pancakes,
    "sty-075": s.tricycle,
    "sty-076": gem_ring,
    "sty-077": sparkle,
    "sty-078": s.open_box,
    "sty-079": s.office_chair,
    "sty-080": mailbox,
    "sty-082": s.chair,
    # added in 3.0.0: the cases with checks that had no reference yet (kept last so that the
    # samples taken by position, e.g. list(REFERENCE)[::3], stay the same)
    "mech-059": road_bicycle,
    "mech-064": motorcycle,
    "wk-019": stone_lantern,
    "wk-020": samovar,
    "wk-023": harp,
    "sty-042": rocking_chair,
    "sty-045": origami_crane,
}


def build_reference(out: Path, case_ids: list[str] | None = None, fmt: str = "ply") -> Path:
    """Write the reference model folder for the ``mme3dr`` set (one ``<id>.<fmt>`` per case)."""
    ids = case_ids or list(REFERENCE)
    return write_model_folder(out, REFERENCE, ids, fmt, {
        "name": "mme3dr-reference",
        "notes": "primitive-and-boolean meshes answering a subset of the mme3dr cases "
        "(mme3dr/examples/mme3dr_reference.py)",
        "cases_covered": len(ids),
    })
