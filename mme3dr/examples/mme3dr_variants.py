"""A second procedural reference model for the ``mme3dr`` case set: *different* correct designs.

``VARIANTS`` maps a case id to a builder returning a +Z-up :class:`trimesh.Trimesh` (metres
are not implied: the evaluators normalise every asset so its largest extent is 1 and it rests
on z = 0). Each builder answers the same prompt as the first reference model
(:mod:`mme3dr.examples.mme3dr_reference`) with another design a careful modeller could
choose: round legs instead of square ones, splayed legs, a base plate or plinth, a tapered or
flared body, a D-shaped handle made of bars instead of a torus, parts modelled as separate
pieces instead of fused, rounded teeth, a raised hub, an alternative pose or orientation the
prompt allows. A case's listed checks must hold on both models (``tests/test_case_sets.py``);
a variant that fails a check either is not a correct answer (then the builder is wrong) or
exposes an expectation that is too narrow (then the case is fixed and the change logged).

``BINDINGS`` holds known answers for the adversarial cases whose checks were changed to test a
binding or a negation: correct designs that must pass every listed check, and the swapped or
opposite object that must fail at least one.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import trimesh
from trimesh.creation import box, cylinder, icosphere

from mme3dr.examples import shapes as s
from mme3dr.examples.mme3dr_reference import _at, _d, _ground, _u  # the same helpers
from mme3dr.examples.models import write_model_folder

Builder = Callable[[], trimesh.Trimesh]


# ----------------------------------------------------------------------------- helpers


def _cat(parts: list[trimesh.Trimesh]) -> trimesh.Trimesh:
    return trimesh.util.concatenate(parts)


def _rod(a: list[float], b: list[float], r: float, sections: int = 12) -> trimesh.Trimesh:
    return cylinder(radius=r, segment=[a, b], sections=sections)


def _disc(r: float, h: float, z: float = 0.0, x: float = 0.0, y: float = 0.0,
          sections: int = 48) -> trimesh.Trimesh:
    """A vertical-axis cylinder of radius ``r`` from height ``z`` to ``z + h``."""
    return _at(cylinder(radius=r, height=h, sections=sections), x, y, z + h / 2)


def _ell(rx: float, ry: float, rz: float, x: float = 0.0, y: float = 0.0,
         z: float = 0.0) -> trimesh.Trimesh:
    """An ellipsoid centred at ``(x, y, z)``."""
    e = icosphere(subdivisions=3, radius=1.0)
    e.apply_scale([rx, ry, rz])
    e.apply_translation([x, y, z])
    return e


def _ring_xy(n: int, r: float, phase: float = 0.0) -> list[tuple[float, float]]:
    a = phase + 2 * np.pi * np.arange(n) / n
    return [(r * np.cos(t), r * np.sin(t)) for t in a]


def _d_handle(x0: float, z0: float, z1: float, reach: float, bar: float) -> trimesh.Trimesh:
    """A D-shaped handle of three square bars on the +X side, from the wall at ``x0``
    between heights ``z0`` and ``z1`` (one closed loop with the wall)."""
    mid = (z0 + z1) / 2
    top = _at(box((reach + bar, bar, bar)), x0 + reach / 2, 0, z1)
    bot = _at(box((reach + bar, bar, bar)), x0 + reach / 2, 0, z0)
    side = _at(box((bar, bar, z1 - z0 + bar)), x0 + reach, 0, mid)
    return _u([top, bot, side])


# ------------------------------------------------------------------ furniture with legs


def round_legged(n: int, top: tuple[float, float], height: float, leg: float = 0.025,
                 thickness: float = 0.04, round_top: bool = False, splay: float = 0.0,
                 inset: float = 0.1) -> trimesh.Trimesh:
    """A table or stool on ``n`` round legs (optionally splayed outward by ``splay``),
    fused to its top: the other design of :func:`shapes.legged_table`."""
    if round_top:
        slab = _disc(top[0] / 2, thickness, height - thickness)
        feet = _ring_xy(n, top[0] / 2 - inset, np.pi / 2)
    elif n == 4:
        slab = _at(box((top[0], top[1], thickness)), z=height - thickness / 2)
        hx, hy = top[0] / 2 - inset, top[1] / 2 - inset
        feet = [(hx, hy), (-hx, hy), (-hx, -hy), (hx, -hy)]
    else:
        slab = _at(box((top[0], top[1], thickness)), z=height - thickness / 2)
        xs = np.linspace(-top[0] / 2 + inset, top[0] / 2 - inset, n // 2)
        feet = [(x, y) for x in xs for y in (-top[1] / 2 + inset, top[1] / 2 - inset)]
    legs = []
    for x, y in feet:
        rr = np.hypot(x, y) or 1.0
        fx, fy = x + splay * x / rr, y + splay * y / rr
        legs.append(_rod([fx, fy, 0.0], [x, y, height - thickness / 2], leg))
    return _u([slab, *legs])


def chair_slatted(seat_h: float = 0.46, back_h: float = 0.5) -> trimesh.Trimesh:
    """A chair on round legs with a spindle backrest (three vertical slats and a top rail)."""
    base = round_legged(4, (0.44, 0.42), seat_h, leg=0.02, thickness=0.05, inset=0.05)
    posts = [_at(box((0.035, 0.035, back_h)), x, 0.19, seat_h + back_h / 2) for x in (-0.2, 0.2)]
    rail = _at(box((0.44, 0.035, 0.07)), 0, 0.19, seat_h + back_h - 0.035)
    slats = [_at(box((0.03, 0.02, back_h)), x, 0.19, seat_h + back_h / 2) for x in (-0.08, 0, 0.08)]
    return _u([base, *posts, rail, *slats])


def office_chair_v(spokes: int = 5) -> trimesh.Trimesh:
    """An office chair with box-section spokes, wheel-shaped casters and armless seat."""
    parts = []
    for x, y in _ring_xy(spokes, 0.28, 0.3):
        parts.append(_rod([0, 0, 0.1], [x, y, 0.05], 0.018, 6))
        w = cylinder(radius=0.035, height=0.025, sections=16)
        w.apply_transform(trimesh.geometry.align_vectors([0, 0, 1], [-y, x, 0]))
        parts.append(_at(w, x, y, 0.035))
    parts += [_disc(0.045, 0.04, 0.07), _disc(0.02, 0.35, 0.1),
              _at(box((0.48, 0.46, 0.08)), z=0.48), _at(box((0.44, 0.06, 0.45)), 0, 0.22, 0.72)]
    return _u(parts)


def bench_v() -> trimesh.Trimesh:
    """A park bench on two slab-shaped end frames, with a separate-looking slatted back."""
    ends = [_at(box((0.06, 0.5, 0.45)), x, 0, 0.225) for x in (-0.7, 0.7)]
    seat = _at(box((1.6, 0.5, 0.05)), z=0.45)
    posts = [_at(box((0.06, 0.05, 0.5)), x, 0.22, 0.7) for x in (-0.7, 0.7)]
    slats = [_at(box((1.5, 0.03, 0.08)), 0, 0.22, z) for z in (0.62, 0.76, 0.9)]
    return _u([*ends, seat, *posts, *slats])


def bed_v() -> trimesh.Trimesh:
    """A bed with a headboard, round legs and a thick mattress."""
    frame = round_legged(4, (2.0, 1.5), 0.3, leg=0.04, thickness=0.08, inset=0.08)
    mattress = _at(box((1.95, 1.45, 0.22)), z=0.41)
    head = _at(box((1.5, 0.06, 0.5)), 0, -0.72, 0.55).apply_transform(
        trimesh.transformations.rotation_matrix(np.pi / 2, [0, 0, 1]))
    return _u([frame, mattress, head])


def sofa_v() -> trimesh.Trimesh:
    """A sofa on four short feet with two separate seat cushions."""
    base = round_legged(4, (1.7, 0.85), 0.32, leg=0.03, thickness=0.18, inset=0.1)
    cushions = [_at(box((0.72, 0.7, 0.12)), x, -0.05, 0.38) for x in (-0.37, 0.37)]
    back = _at(box((1.7, 0.2, 0.5)), 0, 0.33, 0.57)
    arms = [_at(box((0.14, 0.85, 0.28)), x, 0, 0.46) for x in (-0.78, 0.78)]
    return _u([base, *cushions, back, *arms])


def bunk_v() -> trimesh.Trimesh:
    """A bunk bed on six posts (a middle post pair on one side) with a ladder on the other."""
    posts = [_at(box((0.07, 0.07, 1.7)), x, y, 0.85) for x in (-1, 1) for y in (-0.47, 0.47)]
    beds = [_at(box((2.05, 1.0, 0.16)), z=z) for z in (0.35, 1.2)]
    rails = [_at(box((0.04, 0.04, 1.25)), x, -0.5, 0.62) for x in (0.55, 0.85)]
    rungs = [_at(box((0.34, 0.04, 0.03)), 0.7, -0.5, z) for z in (0.2, 0.5, 0.8, 1.05)]
    return _u([*posts, *beds, *rails, *rungs])


# ------------------------------------------------------------------------- containers


def mug_d(radius: float = 0.045, height: float = 0.11, wall: float = 0.007,
          taper: float = 0.85) -> trimesh.Trimesh:
    """A slightly tapered mug with a D-shaped handle of square bars (one through-hole)."""
    body = s.vessel([(radius * taper, 0.0), (radius, height)], wall)
    handle = _d_handle(radius * 0.9, height * 0.25, height * 0.8, 0.04, 0.01)
    return _u([body, handle])


def tumbler_v() -> trimesh.Trimesh:
    """A tumbler with a thick heavy base and flared walls."""
    return _u([s.vessel([(0.035, 0.0), (0.045, 0.12)], 0.004), _disc(0.036, 0.015, 0.0)])


def bowl_v(r: float = 0.1, depth: float = 0.07) -> trimesh.Trimesh:
    """A conical bowl on a foot ring (a revolved profile, not a hemisphere)."""
    body = s.vessel([(r * 0.45, 0.0), (r * 0.75, depth * 0.5), (r, depth)], 0.006)
    foot = _d(_disc(r * 0.42, 0.012, -0.011), _disc(r * 0.32, 0.05, -0.03))
    return _ground(_u([body, foot]))


def bucket_v() -> trimesh.Trimesh:
    """A straight-walled bucket with a squared bail handle of three bars."""
    body = s.vessel([(0.12, 0.0), (0.14, 0.26)], 0.008)
    lugs = [_at(box((0.03, 0.03, 0.05)), x, 0, 0.235) for x in (-0.145, 0.145)]
    bail = [_at(box((0.012, 0.012, 0.14)), x, 0, 0.32) for x in (-0.155, 0.155)]
    top = _at(box((0.32, 0.012, 0.012)), z=0.39)
    return _u([body, *lugs, *bail, top])


def vase_v() -> trimesh.Trimesh:
    """A bottle-like vase: a tall ovoid belly and a narrow straight neck."""
    return s.vessel([(0.05, 0.0), (0.11, 0.1), (0.1, 0.2), (0.04, 0.28), (0.035, 0.34),
                     (0.045, 0.36)], 0.008)


def wine_glass_v(stem: float = 0.12) -> trimesh.Trimesh:
    """A wine glass with a conical bowl on a stem and a wide foot disc."""
    foot = _disc(0.055, 0.008, 0.0)
    st = _disc(0.006, stem, 0.006, sections=16)
    bowl = s.vessel([(0.01, 0.0), (0.04, 0.05), (0.045, 0.1)], 0.004)
    bowl.apply_translation([0, 0, stem])
    return _u([foot, st, bowl])


def bin_v(w: float = 0.5, d: float = 0.35, h: float = 0.3, wall: float = 0.015) -> trimesh.Trimesh:
    """A rectangular bin, wider at the top (a tapered open box)."""
    outer = _at(box((w, d, h)), z=h / 2)
    outer.vertices[outer.vertices[:, 2] < h / 2, :2] *= 0.85
    inner = _at(box((w - 2 * wall, d - 2 * wall, h)), z=h / 2 + wall)
    inner.vertices[inner.vertices[:, 2] < h / 2 + wall, :2] *= 0.85
    return _d(outer, inner)


def trophy_v() -> trimesh.Trimesh:
    """A trophy: round stepped base, stem, a tulip cup and two D-shaped handles, each a
    closed loop with the tapering wall (the lower bar runs on into the wall, which is
    narrower there)."""
    base = _u([_disc(0.09, 0.03, 0.0), _disc(0.06, 0.03, 0.03)])
    st = _disc(0.015, 0.1, 0.06, sections=16)
    cup = s.vessel([(0.02, 0.0), (0.07, 0.08), (0.08, 0.16)], 0.006)
    cup.apply_translation([0, 0, 0.16])
    hs = []
    for sign in (-1, 1):
        h = _u([_d_handle(0.065, 0.21, 0.3, 0.05, 0.012),
                _at(box((0.02, 0.012, 0.012)), 0.056, 0, 0.21)])  # wall at x = 0.044-0.051
        if sign < 0:
            h.apply_transform(trimesh.transformations.rotation_matrix(np.pi, [0, 0, 1]))
        hs.append(h)
    return _u([base, st, cup, *hs])


def pot_v() -> trimesh.Trimesh:
    """A cooking pot with two horizontal loop handles (bars) near the rim."""
    body = s.vessel([(0.13, 0.0), (0.13, 0.15)], 0.006)
    hs = []
    for sign in (-1, 1):
        for y in (-0.035, 0.035):
            hs.append(_at(box((0.05, 0.012, 0.012)), sign * 0.15, y, 0.135))
        hs.append(_at(box((0.012, 0.082, 0.012)), sign * 0.17, 0, 0.135))
    return _u([body, *hs])


def pan_v() -> trimesh.Trimesh:
    """A frying pan with sloped sides and a handle of round bar rising at an angle."""
    body = s.vessel([(0.1, 0.0), (0.14, 0.045)], 0.005)
    handle = _rod([0.13, 0, 0.035], [0.42, 0, 0.08], 0.012)
    return _u([body, handle])


def flower_pot_v(drain: bool = True) -> trimesh.Trimesh:
    """A flower pot with a thick rim band and a drainage hole through its floor."""
    body = s.vessel([(0.08, 0.0), (0.11, 0.18)], 0.01)
    rim = _d(_disc(0.122, 0.03, 0.16), _disc(0.1, 0.2, 0.1))
    pot = _u([body, rim])
    return _d(pot, _disc(0.015, 0.1, -0.05)) if drain else pot


def birdbath_v() -> trimesh.Trimesh:
    """A birdbath: a round plinth, a tapering revolved pedestal and a wide shallow basin."""
    ped = s._profile([(0, 0), (0.15, 0), (0.15, 0.04), (0.07, 0.08), (0.05, 0.5), (0.08, 0.56),
                      (0, 0.56)])
    basin = s.vessel([(0.1, 0.0), (0.28, 0.06), (0.32, 0.09)], 0.02)
    basin.apply_translation([0, 0, 0.54])
    return _u([ped, basin])


def umbrella_stand_v() -> trimesh.Trimesh:
    """A square umbrella stand (an open box taller than it is wide)."""
    outer = _at(box((0.24, 0.24, 0.5)), z=0.25)
    return _d(outer, _at(box((0.21, 0.21, 0.5)), z=0.265))


def funnel_v() -> trimesh.Trimesh:
    """A funnel with a short cylindrical collar above the cone and a long spout."""
    cone = s.vessel([(0.012, 0.0), (0.012, 0.1), (0.1, 0.2), (0.1, 0.24)], 0.004)
    return _d(cone, _disc(0.008, 0.3, -0.1))


# ------------------------------------------------------------------------ flat radial shapes


def gear_round(teeth: int, r_root: float = 0.42, r_tip: float = 0.5, height: float = 0.08,
               hub: bool = True) -> trimesh.Trimesh:
    """A gear with rounded (sinusoid-like) teeth, a raised hub and a bore."""
    k = 24
    a = 2 * np.pi * np.arange(teeth * k) / (teeth * k)
    prof = np.clip(np.cos(teeth * a) * 1.6, -1, 1)
    r = r_root + (r_tip - r_root) * (prof + 1) / 2
    g = s.radial_prism(a, r, height)
    if hub:
        g = _u([g, _disc(0.15, height * 1.6, 0.0)])
    return _d(g, _disc(0.06, 1.0, -0.5))


def star_bevel(points: int, r_in: float = 0.2, height: float = 0.06) -> trimesh.Trimesh:
    """A star with a raised (pyramidal) centre on a thin slab: a bevelled ornament."""
    slab = s.star_prism(points, r_in=r_in, height=height)
    top = s.star_prism(points, r_out=0.3, r_in=r_in * 0.6, height=height * 0.6)
    return _u([slab, _at(top, z=height * 0.99)])


def petal_flower(petals: int, length: float = 0.32, width: float = 0.11,
                 thick: float = 0.03) -> trimesh.Trimesh:
    """A flat flower: ``petals`` ellipsoid petals around a domed centre disc."""
    parts = [_ell(0.13, 0.13, 0.04, z=0.04)]
    for k in range(petals):
        t = 2 * np.pi * k / petals
        p = _ell(length / 2, width / 2, thick / 2, z=thick / 2)
        p.apply_translation([0.1 + length / 2, 0, 0])
        p.apply_transform(trimesh.transformations.rotation_matrix(t, [0, 0, 1]))
        parts.append(p)
    return _ground(_u(parts))


def starfish_v(arms: int) -> trimesh.Trimesh:
    """A starfish with tapering cone-like arms on a domed body."""
    parts = [_ell(0.14, 0.14, 0.06, z=0.0)]
    for k in range(arms):
        t = 2 * np.pi * k / arms
        arm = s._profile([(0, 0), (0.07, 0), (0.015, 0.38), (0, 0.4)], sections=12)
        arm.apply_scale([1.0, 1.0, 1.0])
        arm.apply_transform(s._Z_TO_X)
        arm.apply_scale([1.0, 1.0, 0.55])
        arm.apply_transform(trimesh.transformations.rotation_matrix(t, [0, 0, 1]))
        parts.append(arm)
    m = _u(parts)
    return _d(_ground(m), _at(box((3, 3, 1)), z=-0.5 + 0.0))


def sparkle_v() -> trimesh.Trimesh:
    """A four-pointed sparkle with concave (curved) sides."""
    a = np.linspace(0, 2 * np.pi, 160, endpoint=False)
    r = 0.14 + 0.36 * np.abs(np.cos(2 * a)) ** 6
    return s.radial_prism(a, r, 0.05)


def cross_v() -> trimesh.Trimesh:
    """A plus sign with rounded arm ends (two crossed bars with cylinder caps)."""
    bars = [_at(box((0.8, 0.2, 0.1)), z=0.05), _at(box((0.2, 0.8, 0.1)), z=0.05)]
    caps = [_disc(0.1, 0.1, 0.0, x, y, 24) for x, y in ((0.4, 0), (-0.4, 0), (0, 0.4), (0, -0.4))]
    return _u([*bars, *caps])


def sun_v(rays: int = 8) -> trimesh.Trimesh:
    """A cartoon sun: a thick disc face with triangular rays on a thinner plate."""
    rays_ = s.star_prism(rays, r_out=0.5, r_in=0.28, height=0.04)
    face = _disc(0.26, 0.08, 0.0)
    return _u([rays_, face])


# ------------------------------------------------------------------------ animals and figures


def quad_round(legs_h: float, body: tuple[float, float, float], neck: float = 0.0,
               splay: float = 0.03, leg_r: float = 0.03) -> trimesh.Trimesh:
    """A quadruped with an ellipsoid body, round splayed legs, a head and a tail."""
    bx, by, bz = body
    zc = legs_h + bz / 2
    parts = [_ell(bx / 2, by / 2, bz / 2, z=zc)]
    for x in (-bx / 4, bx / 4):
        for y in (-by / 3, by / 3):
            parts.append(_rod([x + np.sign(x) * splay, y + np.sign(y) * splay, 0.0],
                              [x, y, zc], leg_r))
    if neck > 0:
        parts.append(_rod([0, -by / 2 + 0.05, zc], [0, -by / 2 - 0.08, zc + neck], 0.05))
        parts.append(_ell(0.06, 0.11, 0.06, 0, -by / 2 - 0.14, zc + neck))
    else:
        parts.append(_ell(0.09, 0.1, 0.09, 0, -by / 2 - 0.02, zc + 0.05))
    parts.append(_rod([0, by / 2 - 0.02, zc + 0.02], [0, by / 2 + 0.15, zc + 0.12], 0.02))
    return _u(parts)


def bird_v(legs: int = 2, height: float = 0.35) -> trimesh.Trimesh:
    """A bird with toed feet (three toes per foot), a neck and a tail."""
    body = _ell(0.11, 0.18, 0.11, z=height + 0.08)
    neck = _rod([0, -0.12, height + 0.1], [0, -0.16, height + 0.22], 0.035)
    head = _ell(0.05, 0.06, 0.05, 0, -0.17, height + 0.25)
    beak = _at(box((0.02, 0.07, 0.02)), 0, -0.25, height + 0.25)
    tail = _at(box((0.12, 0.1, 0.02)), 0, 0.2, height + 0.1)
    parts = [body, neck, head, beak, tail]
    xs = [0.0] if legs == 1 else [-0.05, 0.05]
    for x in xs:
        parts.append(_rod([x, 0, 0.01], [x, 0, height + 0.05], 0.01))
        for t in (-0.5, 0.0, 0.5):
            parts.append(_rod([x, 0, 0.008], [x + 0.06 * np.sin(t), -0.06 * np.cos(t), 0.008],
                              0.008, 6))
    return _ground(_u(parts))


def critter_v(legs: int, reach: float = 0.4) -> trimesh.Trimesh:
    """A spider or insect with two body segments and three-segment legs (hip, knee, foot)."""
    parts = [_ell(0.1, 0.12, 0.07, 0, 0.1, 0.18), _ell(0.08, 0.09, 0.06, 0, -0.1, 0.17)]
    for a in 2 * np.pi * (np.arange(legs) + 0.5) / legs:
        c, sn = np.cos(a), np.sin(a)
        hip = [0.06 * c, 0.06 * sn, 0.17]
        knee = [0.45 * reach * c, 0.45 * reach * sn, 0.3]
        ankle = [0.8 * reach * c, 0.8 * reach * sn, 0.12]
        foot = [reach * c, reach * sn, 0.0]
        for p, q in ((hip, knee), (knee, ankle), (ankle, foot)):
            parts.append(_rod(p, q, 0.012, 8))
        parts += [icosphere(subdivisions=1, radius=0.012).apply_translation(p)
                  for p in (knee, ankle)]
    return _ground(_u(parts))


def figure_v(t_pose: bool = False) -> trimesh.Trimesh:
    """A human figure of rounded parts: cylinder legs with feet, ellipsoid torso and head."""
    parts = [_rod([x, 0, 0.04], [x, 0, 0.88], 0.055) for x in (-0.08, 0.08)]
    parts += [_at(box((0.1, 0.22, 0.05)), x, -0.04, 0.025) for x in (-0.08, 0.08)]
    parts.append(_ell(0.18, 0.1, 0.32, z=1.18))
    parts.append(_ell(0.1, 0.11, 0.12, z=1.6))
    if t_pose:
        parts.append(_rod([-0.82, 0, 1.38], [0.82, 0, 1.38], 0.045))
    else:
        parts += [_rod([x, 0, 0.82], [x, 0, 1.4], 0.04) for x in (-0.22, 0.22)]
    return _u(parts)


def tree_v(kind: str = "round") -> trimesh.Trimesh:
    """A tree with a flared root base and a canopy of overlapping spheres (or stacked cones)."""
    trunk = s._profile([(0, 0), (0.1, 0), (0.05, 0.08), (0.04, 0.6), (0, 0.6)], sections=24)
    if kind == "round":
        crown = _u([icosphere(subdivisions=2, radius=r).apply_translation(c)
                    for r, c in ((0.25, (0, 0, 0.75)), (0.18, (0.18, 0, 0.7)),
                                 (0.18, (-0.16, 0.05, 0.72)), (0.17, (0, 0.1, 0.95)))])
    else:
        crown = _u([s._profile([(0, z), (w, z), (0, z + 0.45)], sections=24)
                    for z, w in ((0.3, 0.32), (0.55, 0.25), (0.8, 0.18))])
    return _u([trunk, crown])


def palm_v() -> trimesh.Trimesh:
    """A palm with a curved (leaning, segmented) trunk and drooping fronds."""
    pts = [(0.0, 0.0), (0.05, 0.3), (0.12, 0.6), (0.22, 0.9)]
    trunk = [_rod([a[0], 0, a[1]], [b[0], 0, b[1]], 0.05)
             for a, b in zip(pts, pts[1:], strict=False)]
    joints = [icosphere(subdivisions=1, radius=0.05).apply_translation([p[0], 0, p[1]])
              for p in pts[1:]]
    top = np.array([0.22, 0, 0.9])
    fronds = [_rod(top, top + [0.35 * np.cos(t), 0.35 * np.sin(t), -0.12], 0.025, 8)
              for t in 2 * np.pi * np.arange(6) / 6]
    return _ground(_u([*trunk, *joints, *fronds]))


# ------------------------------------------------------------------------ vehicles and wheels


def vehicle_v(axles: int = 2, length: float = 1.1, width: float = 0.5,
              wheel: float = 0.11) -> trimesh.Trimesh:
    """A vehicle with a stepped body (bonnet, cab, load bed) and wide wheels with hubs."""
    body = _at(box((length, width * 0.85, 0.18)), z=wheel + 0.09)
    cab = _at(box((length * 0.3, width * 0.8, 0.2)), -length * 0.1, 0, wheel + 0.27)
    xs = np.linspace(-length / 2 + 1.4 * wheel, length / 2 - 1.4 * wheel, axles)
    wheels = []
    for x in xs:
        for sgn in (-1, 1):
            w = _u([cylinder(radius=wheel, height=0.08, sections=32),
                    cylinder(radius=wheel * 0.4, height=0.1, sections=16)])
            wheels.append(_at(w.apply_transform(s._Z_TO_Y), x, sgn * (width / 2 - 0.03), wheel))
    return _u([body, cab, *wheels])


def tricycle_v() -> trimesh.Trimesh:
    """A tricycle with a big front wheel and pedals, two rear wheels on a long axle."""
    front = _at(cylinder(radius=0.15, height=0.04, sections=32).apply_transform(s._Z_TO_Y),
                0.32, 0, 0.15)
    rear = [_at(cylinder(radius=0.09, height=0.04, sections=24).apply_transform(s._Z_TO_Y),
                -0.2, y, 0.09) for y in (-0.2, 0.2)]
    axle = _at(box((0.03, 0.42, 0.03)), -0.2, 0, 0.09)
    frame = _rod([-0.2, 0, 0.09], [0.3, 0, 0.38], 0.02)
    fork = _rod([0.32, 0, 0.15], [0.3, 0, 0.45], 0.015)
    bar = _at(box((0.03, 0.34, 0.03)), 0.3, 0, 0.45)
    seat = _at(box((0.14, 0.12, 0.04)), -0.02, 0, 0.3)
    post = _rod([-0.02, 0, 0.2], [-0.02, 0, 0.3], 0.015)
    pedals = _at(box((0.03, 0.16, 0.02)), 0.32, 0, 0.15)
    return _u([front, *rear, axle, frame, fork, bar, seat, post, pedals])


def skateboard_v() -> trimesh.Trimesh:
    """A skateboard with kicked-up ends and round wheels on two trucks."""
    deck = _at(box((0.6, 0.21, 0.015)), z=0.075)
    kicks = []
    for sgn in (-1, 1):
        k = _at(box((0.14, 0.21, 0.015)), sgn * 0.065, 0, 0)
        k.apply_transform(trimesh.transformations.rotation_matrix(sgn * -0.35, [0, 1, 0]))
        kicks.append(_at(k, sgn * 0.295, 0, 0.095))
    trucks = [_at(box((0.05, 0.17, 0.035)), x, 0, 0.05) for x in (-0.25, 0.25)]
    wheels = [_at(cylinder(radius=0.03, height=0.035, sections=20).apply_transform(s._Z_TO_Y),
                  x, y, 0.03) for x in (-0.25, 0.25) for y in (-0.085, 0.085)]
    return _u([deck, *kicks, *trucks, *wheels])


def wheelbarrow_v() -> trimesh.Trimesh:
    """A wheelbarrow with a tapered tub, tubular frame, front wheel and two bent legs."""
    tub = bin_v(0.6, 0.45, 0.22, 0.015)
    tub.apply_translation([0, 0, 0.28])
    wheel = _at(cylinder(radius=0.13, height=0.06, sections=32).apply_transform(s._Z_TO_Y),
                0.45, 0, 0.13)
    rails = [_rod([0.45, y * 0.3, 0.13], [-0.6, y, 0.4], 0.015) for y in (-0.2, 0.2)]
    legs = [_rod([-0.25, y, 0.0], [-0.25, y, 0.32], 0.015) for y in (-0.2, 0.2)]
    return _u([tub, wheel, *rails, *legs])


def spoked_v(spokes: int = 6) -> trimesh.Trimesh:
    """A wagon wheel with a flat (box-section) rim ring and round spokes."""
    rim = _d(_disc(0.5, 0.06, -0.03, sections=64), _disc(0.44, 0.2, -0.1, sections=64))
    hub = _disc(0.08, 0.12, -0.06, sections=24)
    bars = [_rod([0.06 * np.cos(t), 0.06 * np.sin(t), 0], [0.46 * np.cos(t), 0.46 * np.sin(t), 0],
                 0.02) for t in 2 * np.pi * np.arange(spokes) / spokes]
    m = _u([rim, hub, *bars])
    m.apply_transform(s._Z_TO_Y)
    return _ground(m)


def fan_v(blades: int) -> trimesh.Trimesh:
    """A ceiling fan with tapered blades on brackets and a light bowl under the hub."""
    hub = _disc(0.09, 0.09, 0.06)
    light = _ell(0.07, 0.07, 0.06, z=0.06)
    rod = _disc(0.012, 0.25, 0.15)
    canopy = _disc(0.07, 0.04, 0.38)
    blades_ = []
    for k in range(blades):
        bl = s.radial_prism(np.array([-0.3, 0.3, 0.02, -0.02]),
                            np.array([0.06, 0.06, 0.62, 0.62]), 0.012)
        bl.apply_translation([0, 0, 0.09])
        bl.apply_transform(trimesh.transformations.rotation_matrix(2 * np.pi * k / blades,
                                                                   [0, 0, 1]))
        blades_.append(bl)
    return _ground(_u([hub, light, rod, canopy, *blades_]))


# ------------------------------------------------------------------------ holes and frames


def arch_round(width: float = 0.8, height: float = 0.8, post: float = 0.15) -> trimesh.Trimesh:
    """An arch with a semicircular opening cut from a block (one body on two feet)."""
    block = _at(box((width, post, height)), z=height / 2)
    r = width / 2 - post
    cut = _u([_at(box((2 * r, 1.0, height - post - r)), z=(height - post - r) / 2 - 0.01),
              _at(cylinder(radius=r, height=1.0, sections=48).apply_transform(s._Z_TO_Y),
                  z=height - post - r - 0.01)])
    return _d(block, cut)


def ring_square(r_out: float = 0.12, r_in: float = 0.095, width: float = 0.03):
    """A ring of square-ish cross-section standing on its edge."""
    m = _d(_disc(r_out, width, -width / 2, sections=64), _disc(r_in, 1.0, -0.5, sections=64))
    m.apply_transform(s._Z_TO_Y)
    return _ground(m)


def frame_v() -> trimesh.Trimesh:
    """A picture frame with a bevelled (stepped) moulding and a small stand foot at the back."""
    outer = s.picture_frame(0.6, 0.8, 0.1)
    lip = _d(_at(box((0.56, 0.06, 0.76)), z=0.4), _at(box((0.44, 0.2, 0.64)), z=0.4))
    return _u([outer, lip])


def washer_v() -> trimesh.Trimesh:
    """A washer with a chamfered outer edge (a revolved profile)."""
    return _d(s._profile([(0, 0), (0.3, 0), (0.3, 0.05), (0.27, 0.08), (0, 0.08)], sections=64),
              _disc(0.12, 1.0, -0.5))


def pipe_v() -> trimesh.Trimesh:
    """A pipe lying on its side with a flange at one end."""
    tube = _d(_u([_disc(0.12, 1.0, -0.5), _disc(0.16, 0.04, 0.46)]), _disc(0.095, 2.0, -1.0))
    tube.apply_transform(s._Z_TO_X)
    return _ground(tube)


def button_v(holes: int = 4) -> trimesh.Trimesh:
    """A button with a raised rim and a dished centre, ``holes`` holes in the dish."""
    disc = s._profile([(0, 0), (0.5, 0), (0.5, 0.12), (0.42, 0.12), (0.38, 0.07), (0, 0.07)],
                      sections=64)
    spots = [(0.0, 0.0)] if holes == 1 else _ring_xy(holes, 0.14)
    cuts = [_disc(0.06, 0.5, -0.2, x, y, 24) for x, y in spots]
    return _d(disc, _u(cuts))


def square_button_v() -> trimesh.Trimesh:
    """A square button with rounded corners and a raised rim, two holes."""
    base = _u([_at(box((0.8, 1.0, 0.1)), z=0.05), _at(box((1.0, 0.8, 0.1)), z=0.05)]
              + [_disc(0.1, 0.1, 0.0, x, y, 24) for x in (-0.4, 0.4) for y in (-0.4, 0.4)])
    rim = _d(_at(box((0.9, 0.9, 0.05)), z=0.12), _at(box((0.7, 0.7, 0.2)), z=0.12))
    cuts = [_disc(0.06, 0.5, -0.2, x, 0, 24) for x in (-0.14, 0.14)]
    return _d(_u([base, rim]), _u(cuts))


def hex_nut_v() -> trimesh.Trimesh:
    """A hex nut with chamfered top corners (intersected with a cone) and a bore."""
    a = np.arange(6) * np.pi / 3 + np.pi / 6
    body = s.radial_prism(a, np.full(6, 0.5), 0.42)
    cone = s._profile([(0, 0), (0.62, 0), (0.62, 0.3), (0.42, 0.5), (0, 0.5)], sections=64)
    body = trimesh.boolean.intersection([body, cone], engine="manifold")
    return _d(body, _disc(0.22, 1.0, -0.3))


def drilled_square(axes: int = 1) -> trimesh.Trimesh:
    """A cube with square (not round) holes through it along ``axes`` axes (``-2``: two
    parallel vertical holes)."""
    c = _at(box((1.0, 1.0, 1.0)), z=0.5)
    hole = box((0.3, 0.3, 2.0))
    if axes == -2:
        cuts = [_at(box((0.2, 0.2, 2.0)), x, 0, 0.5) for x in (-0.25, 0.25)]
    else:
        mats = [np.eye(4), s._Z_TO_X, s._Z_TO_Y][:axes]
        cuts = [_at(hole.copy().apply_transform(m), z=0.5) for m in mats]
    return _d(c, _u(cuts))


def ladder_v(rungs: int) -> trimesh.Trimesh:
    """A ladder lying flat with round rungs through square rails that stick out at the ends."""
    n = rungs
    length = 0.3 * (n + 1)
    rails = [_at(box((length, 0.05, 0.05)), 0, y, 0.025) for y in (-0.2, 0.2)]
    xs = np.linspace(-length / 2 + 0.3, length / 2 - 0.3, n)
    bars = [_rod([x, -0.2, 0.025], [x, 0.2, 0.025], 0.015) for x in xs]
    return _u([*rails, *bars])


# ------------------------------------------------------------------------ stacks and relations


def block_tower(sizes: list[float]) -> trimesh.Trimesh:
    """Separate bricks (flatter than cubes), each resting on the one below, slightly offset."""
    parts, z = [], 0.0
    for i, a in enumerate(sizes):
        h = a * 0.7
        parts.append(_at(box((a, a * 0.9, h)), 0.01 * (i % 2), -0.008 * i, z + h / 2))
        z += h
    return _cat(parts)


def crate(size: float = 0.4) -> trimesh.Trimesh:
    """A crate modelled from a base, four walls and corner posts fused (one body)."""
    return _u([s.open_box(size, 0.02), *[_at(box((0.04, 0.04, size)), x, y, size / 2)
                                        for x in (-size / 2 + 0.02, size / 2 - 0.02)
                                        for y in (-size / 2 + 0.02, size / 2 - 0.02)]])


def plate_rim(r: float = 0.13, well: float = 0.03) -> trimesh.Trimesh:
    """A dinner plate with a raised rim and a recessed well (a shallow vessel)."""
    return s.vessel([(r * 0.6, 0.0), (r * 0.65, well * 0.5), (r, well)], 0.006)


def apple() -> trimesh.Trimesh:
    """An apple: a slightly squashed sphere with a short stalk."""
    return _u([_ell(0.045, 0.045, 0.04, z=0.04), _disc(0.004, 0.025, 0.075, sections=8)])


def side_table_v() -> trimesh.Trimesh:
    """A round side table on a pedestal and a disc foot."""
    return _u([_disc(0.2, 0.03, 0.0), _disc(0.03, 0.55, 0.02), _disc(0.25, 0.03, 0.57)])


def small_vase() -> trimesh.Trimesh:
    return s.vessel([(0.03, 0.0), (0.05, 0.06), (0.025, 0.14), (0.03, 0.16)], 0.005)


def bowl_deep() -> trimesh.Trimesh:
    return s.vessel([(0.05, 0.0), (0.1, 0.04), (0.12, 0.09)], 0.006)


def plank_posts() -> trimesh.Trimesh:
    """Two round log posts and a plank across them (three separate bodies)."""
    posts = [_disc(0.1, 0.35, 0.0, x, 0) for x in (-0.32, 0.32)]
    plank = _at(box((0.95, 0.2, 0.04)), 0.003, 0.002, 0.37)
    return _cat([*posts, plank])


# ------------------------------------------------------------------------ misc solids


def pyramid_plinth(base: float = 1.0, height: float = 0.6) -> trimesh.Trimesh:
    """A square pyramid on a low square plinth."""
    p = s.pyramid(base * 0.9, height)
    return _u([s.block(base, base, 0.04), _at(p, z=0.039)])


def bevelled_cube(size: float = 1.0, bevel: float = 0.08) -> trimesh.Trimesh:
    """A cube with bevelled edges (the convex hull of three inset boxes)."""
    pts = np.vstack([box(e).vertices for e in
                     ((size, size - 2 * bevel, size - 2 * bevel),
                      (size - 2 * bevel, size, size - 2 * bevel),
                      (size - 2 * bevel, size - 2 * bevel, size))])
    return _ground(trimesh.convex.convex_hull(pts))


def chamfered_cylinder(r: float = 0.25, h: float = 1.0, c: float = 0.03) -> trimesh.Trimesh:
    return s._profile([(0, 0), (r - c, 0), (r, c), (r, h - c), (r - c, h), (0, h)], sections=64)


def disc_rim(r: float = 0.5, h: float = 0.1) -> trimesh.Trimesh:
    """A disc with a slightly raised rim (a revolved profile)."""
    return s._profile([(0, 0), (r, 0), (r, h), (r * 0.9, h), (r * 0.88, h * 0.8), (0, h * 0.8)],
                      sections=64)


def beam_chamfer(length: float = 2.0, w: float = 0.2) -> trimesh.Trimesh:
    m = s.radial_prism(np.pi / 4 + np.pi / 2 * np.arange(4) + np.array([0, 0, 0, 0]),
                       np.full(4, w / np.sqrt(2)), length)
    m = trimesh.boolean.intersection([m, _at(box((w * 0.92, w * 0.92, 4 * length)))],
                                     engine="manifold")
    m.apply_transform(s._Z_TO_X)
    return _ground(m)


def square_tower(h: float = 1.0, w: float = 0.2) -> trimesh.Trimesh:
    """A slender square tower with a slight taper and a pyramidal cap."""
    shaft = s.obelisk(height=h * 0.92, base=w)
    return _u([shaft, s.block(w * 1.1, w * 1.1, 0.04)])


def obelisk_v(height: float = 1.0, base: float = 0.11) -> trimesh.Trimesh:
    """An obelisk on a stepped square pedestal."""
    return _u([s.block(base * 1.5, base * 1.5, 0.05), _at(s.obelisk(height - 0.05, base), z=0.049)])


def lighthouse_v() -> trimesh.Trimesh:
    """A lighthouse with a straight (untapered) tower, a wide gallery and a domed lantern."""
    tower = _disc(0.09, 0.8, 0.0, sections=48)
    base = _disc(0.13, 0.06, 0.0)
    gallery = _disc(0.13, 0.03, 0.8)
    lantern = _disc(0.06, 0.1, 0.83)
    dome = _ell(0.065, 0.065, 0.06, z=0.93)
    return _u([base, tower, gallery, lantern, dome])


def column_v(height: float = 1.0, r: float = 0.07) -> trimesh.Trimesh:
    """A column with round base and capital mouldings (tori) on a square plinth."""
    plinth = _at(box((r * 3.2, r * 3.2, 0.04)), z=0.02)
    shaft = _disc(r, height - 0.06, 0.03, sections=32)
    tor = [_at(trimesh.creation.torus(r * 1.1, r * 0.25, 32, 12), z=z)
           for z in (0.06, height - 0.08)]
    abacus = _at(box((r * 3.0, r * 3.0, 0.05)), z=height - 0.025)
    return _u([plinth, shaft, *tor, abacus])


def mushroom_v() -> trimesh.Trimesh:
    """A mushroom with a slender flared stem, a ring (annulus) and a flatter cap."""
    return s._profile([(0, 0), (0.09, 0), (0.06, 0.05), (0.05, 0.3), (0.08, 0.32), (0.05, 0.34),
                       (0.05, 0.4), (0.3, 0.42), (0.26, 0.52), (0.12, 0.6), (0, 0.62)])


def cactus_column_v() -> trimesh.Trimesh:
    """A columnar cactus with eight ribs (a ribbed prism) and a rounded top."""
    a = np.linspace(0, 2 * np.pi, 96, endpoint=False)
    r = 0.08 + 0.012 * np.cos(8 * a)
    return _u([s.radial_prism(a, r, 0.9), _ell(0.085, 0.085, 0.06, z=0.9)])


def saguaro_v() -> trimesh.Trimesh:
    """A saguaro with round arms bent upward (cylinders and spheres)."""
    trunk = _u([_disc(0.08, 1.0, 0.0, sections=24), _ell(0.08, 0.08, 0.06, z=1.0)])
    arms = []
    for sgn, z in ((-1, 0.4), (1, 0.55)):
        arms += [_rod([0, 0, z], [sgn * 0.25, 0, z], 0.05),
                 _rod([sgn * 0.25, 0, z], [sgn * 0.25, 0, z + 0.3], 0.05),
                 icosphere(subdivisions=2, radius=0.05).apply_translation([sgn * 0.25, 0, z]),
                 icosphere(subdivisions=2, radius=0.05).apply_translation([sgn * 0.25, 0, z + 0.3])]
    return _u([trunk, *arms])


def barrel_cactus_v() -> trimesh.Trimesh:
    a = np.linspace(0, 2 * np.pi, 96, endpoint=False)
    r = 0.28 + 0.02 * np.cos(14 * a)
    body = s.radial_prism(a, r, 0.3)
    return _u([body, _ell(0.27, 0.27, 0.12, z=0.3)])


def padlock_v() -> trimesh.Trimesh:
    """A padlock whose body has rounded ends (a box between two vertical cylinders)."""
    ends = [_disc(0.06, 0.25, 0.0, x, 0, 24) for x in (-0.12, 0.12)]
    return _u([_at(box((0.24, 0.12, 0.25)), z=0.125), *ends, s.padlock()])


def lamp_v() -> trimesh.Trimesh:
    """A desk lamp: a heavy round base, an angled two-part arm and a cone shade."""
    base = _disc(0.12, 0.04, 0.0)
    arm1 = _rod([0, 0, 0.03], [0.1, 0, 0.3], 0.012)
    arm2 = _rod([0.1, 0, 0.3], [0.0, 0, 0.45], 0.012)
    shade = s._profile([(0, 0), (0.08, 0), (0.03, 0.1), (0, 0.1)], sections=32)
    shade.apply_translation([-0.04, 0, 0.37])
    return _u([base, arm1, arm2, shade, icosphere(subdivisions=1, radius=0.02)
               .apply_translation([0.1, 0, 0.3])])


def table_lamp_v() -> trimesh.Trimesh:
    """A table lamp with a ball-shaped base on a foot disc, a stem and a conical shade."""
    return _u([_disc(0.09, 0.02, 0.0), _ell(0.1, 0.1, 0.08, z=0.09),
               _disc(0.015, 0.35, 0.12, sections=16),
               s._profile([(0, 0.4), (0.2, 0.4), (0.1, 0.62), (0, 0.62)], sections=32)])


def mailbox_v() -> trimesh.Trimesh:
    """A mailbox with a rounded top on a round post set in a square foot plate."""
    foot = s.block(0.2, 0.2, 0.02)
    post = _disc(0.04, 1.0, 0.0, sections=24)
    bx = _at(box((0.22, 0.46, 0.16)), z=1.08)
    top = _at(cylinder(radius=0.11, height=0.46, sections=32).apply_transform(s._Z_TO_Y), z=1.16)
    return _u([foot, post, bx, top])


def birdhouse_v() -> trimesh.Trimesh:
    return _u([_disc(0.025, 1.0, 0.0, sections=16), _at(s.house(), z=0.99)])


def stepladder_v() -> trimesh.Trimesh:
    """A step ladder with splayed round rear legs and front rails carrying treads."""
    front = [_rod([x, -0.3, 0], [x, -0.05, 1.0], 0.02) for x in (-0.2, 0.2)]
    rear = [_rod([x, 0.35, 0], [x, 0.05, 1.0], 0.02) for x in (-0.2, 0.2)]
    treads = [_at(box((0.44, 0.1, 0.025)), 0, -0.3 + 0.25 * t, t) for t in (0.25, 0.5, 0.75)]
    top = _at(box((0.46, 0.2, 0.04)), z=1.0)
    return _u([*front, *rear, *treads, top])


def tripod_v(n: int = 3, head: trimesh.Trimesh | None = None) -> trimesh.Trimesh:
    """A tripod with telescoping (two-diameter) legs and a centre column."""
    legs = []
    for x, y in _ring_xy(n, 0.45, np.pi / 6):
        mid = [x * 0.5, y * 0.5, 0.5]
        legs += [_rod([x, y, 0], mid, 0.012), _rod(mid, [0, 0, 1.0], 0.02)]
    top = head if head is not None else _u([_disc(0.015, 0.2, 0.9), _at(box((0.12, 0.08, 0.07)),
                                                                      z=1.12)])
    return _u([*legs, top])


def sawhorse_v() -> trimesh.Trimesh:
    """A sawhorse with square legs and cross braces at each end."""
    beam = _at(box((1.0, 0.1, 0.06)), z=0.72)
    legs = [_rod([x * 0.45, y * 0.25, 0], [x * 0.4, 0, 0.7], 0.022) for x in (-1, 1)
            for y in (-1, 1)]
    braces = [_at(box((0.03, 0.4, 0.03)), x * 0.44, 0, 0.25) for x in (-1, 1)]
    return _u([beam, *legs, *braces])


def swing_v() -> trimesh.Trimesh:
    """A swing set: two A-frames of round poles, a top bar and one seat on chains."""
    parts = [_rod([-1.0, 0, 1.8], [1.0, 0, 1.8], 0.04)]
    for x in (-1.0, 1.0):
        parts += [_rod([x, y, 0.0], [x, 0, 1.8], 0.035) for y in (-0.6, 0.6)]
    parts.append(_at(box((0.4, 0.18, 0.03)), 0, 0, 0.5))
    parts += [_rod([dx, 0, 0.5], [dx, 0, 1.8], 0.01, 6) for dx in (-0.18, 0.18)]
    return _u(parts)


def cart_v() -> trimesh.Trimesh:
    """A shopping cart: a tapered wire-like basket (solid walls) on a frame with four casters."""
    basket = bin_v(0.85, 0.5, 0.35, 0.02)
    basket.apply_translation([0, 0, 0.5])
    frame = [_rod([x, y, 0.08], [x, y, 0.52], 0.015) for x in (-0.35, 0.35) for y in (-0.2, 0.2)]
    wheels = [_at(cylinder(radius=0.05, height=0.03, sections=16).apply_transform(s._Z_TO_Y),
                  x, y, 0.05) for x in (-0.35, 0.35) for y in (-0.2, 0.2)]
    forks = [_at(box((0.03, 0.05, 0.06)), x, y, 0.09) for x in (-0.35, 0.35) for y in (-0.2, 0.2)]
    handle = _rod([-0.55, -0.27, 0.95], [-0.55, 0.27, 0.95], 0.015)
    posts = [_rod([-0.42, y, 0.8], [-0.55, y, 0.95], 0.015) for y in (-0.25, 0.25)]
    return _u([basket, *frame, *wheels, *forks, handle, *posts])


def bbq_v() -> trimesh.Trimesh:
    """A kettle grill: a spherical bowl on three straight legs with a bottom shelf ring."""
    bowl = s.vessel([(0.12, 0), (0.25, 0.12), (0.27, 0.22)], 0.01)
    bowl.apply_translation([0, 0, 0.62])
    legs = [_rod([x, y, 0], [x * 0.6, y * 0.6, 0.7], 0.015) for x, y in _ring_xy(3, 0.32)]
    return _u([bowl, *legs])


def torii_v() -> trimesh.Trimesh:
    """A torii of two round pillars with base rings, a tie beam and a curved-looking top beam."""
    pillars = [_disc(0.05, 1.0, 0.0, x, 0, 24) for x in (-0.4, 0.4)]
    bases = [_disc(0.07, 0.06, 0.0, x, 0, 24) for x in (-0.4, 0.4)]
    tie = _at(box((1.0, 0.06, 0.07)), z=0.78)
    top = _u([_at(box((1.3, 0.1, 0.08)), z=1.02), _at(box((1.4, 0.12, 0.05)), z=1.08)])
    return _u([*pillars, *bases, tie, top])


def trilithon_v() -> trimesh.Trimesh:
    """Two rough standing stones (tapered) and a lintel laid on them: three bodies."""
    stones = []
    for x in (-0.35, 0.35):
        st = _at(box((0.3, 0.25, 1.0)), x, 0, 0.5)
        st.vertices[st.vertices[:, 2] > 0.5, 0] = x + (st.vertices[st.vertices[:, 2] > 0.5, 0]
                                                       - x) * 0.8
        stones.append(st)
    lintel = _at(box((1.1, 0.25, 0.22)), 0.004, 0.003, 1.11)
    return _cat([*stones, lintel])


def cauldron_v() -> trimesh.Trimesh:
    """A ding with a rounded belly on three tapering legs and two loop handles on the rim."""
    bowl = s.vessel([(0.12, 0), (0.2, 0.1), (0.2, 0.25)], 0.012)
    bowl.apply_translation([0, 0, 0.2])
    legs = [s._profile([(0, 0), (0.03, 0), (0.02, 0.25), (0, 0.25)], sections=12)
            .apply_translation([x, y, 0]) for x, y in _ring_xy(3, 0.13)]
    hs = [_d(_at(box((0.1, 0.02, 0.1)), x, 0, 0.5), _at(box((0.06, 0.1, 0.06)), x, 0, 0.5))
          for x in (-0.15, 0.15)]
    return _u([bowl, *legs, *hs])


def amphora_v() -> trimesh.Trimesh:
    """An amphora with a tall ovoid body, a neck and two D-shaped handles of bars."""
    body = s.vessel([(0.04, 0.0), (0.12, 0.2), (0.1, 0.38), (0.04, 0.45), (0.04, 0.55),
                     (0.055, 0.57)], 0.008)
    hs = []
    for sgn in (-1, 1):
        h = _d_handle(0.035, 0.4, 0.52, 0.07, 0.014)
        if sgn < 0:
            h.apply_transform(trimesh.transformations.rotation_matrix(np.pi, [0, 0, 1]))
        hs.append(h)
    return _u([body, *hs])


def piano_v() -> trimesh.Trimesh:
    """A grand piano with round tapered legs on casters and a raised lid prop."""
    outline = np.array([[-0.75, -0.7], [0.75, -0.7], [0.75, 0.2], [0.3, 1.0], [-0.6, 1.15],
                        [-0.75, 0.8]])
    c = outline.mean(axis=0)
    ang = np.arctan2(outline[:, 1] - c[1], outline[:, 0] - c[0])
    rad = np.linalg.norm(outline - c, axis=1)
    body = s.radial_prism(ang, rad, 0.32).apply_translation([c[0], c[1], 0.62])
    legs = [s._profile([(0, 0), (0.05, 0), (0.07, 0.64), (0, 0.64)], sections=16)
            .apply_translation([x, y, 0]) for x, y in ((-0.6, -0.55), (0.6, -0.55), (-0.45, 0.95))]
    keys = _at(box((1.4, 0.2, 0.08)), 0, -0.8, 0.7)
    return _u([body, *legs, keys])


def windmill_v() -> trimesh.Trimesh:
    """A windmill with an octagonal tapered tower, a cap and four lattice-free sails."""
    tower = s._profile([(0, 0), (0.22, 0), (0.14, 0.8), (0, 0.8)], sections=8)
    cap = _ell(0.15, 0.15, 0.1, z=0.8)
    hub = _at(cylinder(radius=0.04, height=0.1, sections=16).apply_transform(s._Z_TO_Y),
              0, -0.18, 0.82)
    sails = [s.radial_prism(np.array([-0.5, 0.5, 0.03, -0.03]) + t,
                            np.array([0.03, 0.03, 0.55, 0.55]), 0.02) for t in
             np.pi / 4 + np.pi / 2 * np.arange(4)]
    sails = [m.apply_transform(s._Z_TO_Y).apply_translation([0, -0.2, 0.82]) for m in sails]
    return _ground(_u([tower, cap, hub, *sails]))


def lantern_v() -> trimesh.Trimesh:
    """A paper lantern: a round body between a foot ring and a top ring."""
    body = _ell(0.15, 0.15, 0.15, z=0.17)
    return _u([body, _disc(0.07, 0.03, 0.0), _disc(0.07, 0.03, 0.31)])


def snowman_v() -> trimesh.Trimesh:
    """A snowman of three fused balls with a hat (cylinder) and a carrot nose."""
    m = s.snowman(3, separate=False)
    hat = _u([_disc(0.1, 0.01, 1.03 - 0.005), _disc(0.07, 0.12, 1.03)])
    nose = _rod([0, -0.16, 0.88], [0, -0.28, 0.88], 0.015)
    return _u([m, hat, nose])


def cake_v(tiers: int = 3) -> trimesh.Trimesh:
    """A tiered cake whose tiers have a decorative bead ring at each base (fused)."""
    parts, z = [], 0.0
    for i in range(tiers):
        r = 0.3 - 0.08 * i
        parts.append(_disc(r, 0.12, z))
        parts.append(_at(trimesh.creation.torus(r, 0.012, 48, 8), z=z + 0.012))
        z += 0.12
    return _u(parts)


def stand_v(tiers: int = 3) -> trimesh.Trimesh:
    """A serving stand: plates with raised rims threaded on a rod with a finial."""
    parts = [_disc(0.012, 0.62, 0.0, sections=16), icosphere(subdivisions=2, radius=0.03)
             .apply_translation([0, 0, 0.64])]
    for i, r in enumerate((0.3, 0.22, 0.15)[:tiers]):
        parts.append(_disc(r, 0.012, 0.02 + 0.24 * i))
    return _u(parts)


def step_pyramid_v(tiers: int = 4) -> trimesh.Trimesh:
    """A stepped pyramid with a low stair block against each side of the bottom tier."""
    p = s.step_pyramid(tiers)
    stairs = [_at(box((0.12, 0.3, 0.04)), 0, -0.42, 0.02).apply_transform(
        trimesh.transformations.rotation_matrix(k * np.pi / 2, [0, 0, 1])) for k in range(4)]
    return _u([p, *stairs])


def stairs_v(steps: int, rise: float = 0.15) -> trimesh.Trimesh:
    """A staircase of separate stacked slabs (each tread a block from the ground)."""
    return _u([_at(box((0.9, 0.28, rise * (i + 1))), 0, 0.28 * i, rise * (i + 1) / 2)
               for i in range(steps)])


def shelf_v(levels: int, width: float = 0.8, depth: float = 0.3,
            height: float = 1.6) -> trimesh.Trimesh:
    """A bookshelf with a kick plate under the lowest shelf and an overhanging top board."""
    t = 0.03
    sides = [_at(box((t, depth, height)), x, 0, height / 2) for x in (-width / 2, width / 2)]
    zs = np.linspace(0.08, height - t / 2, levels)
    boards = [_at(box((width + (0.06 if z == zs[-1] else 0), depth, t)), 0, 0, z) for z in zs]
    kick = _at(box((width, t, 0.07)), 0, -depth / 2 + t / 2, 0.035)
    return _u([*sides, *boards, kick])


def pagoda_v(storeys: int = 5) -> trimesh.Trimesh:
    parts = [s.block(0.6, 0.6, 0.06)]
    for i in range(storeys):
        w = 0.45 - 0.05 * i
        parts.append(_at(box((w * 0.75, w * 0.75, 0.18)), z=0.15 + 0.22 * i))
        parts.append(s._profile([(0, 0), (w * 0.75, 0), (w * 0.3, 0.06), (0, 0.06)], sections=4)
                     .apply_translation([0, 0, 0.24 + 0.22 * i]))
    parts.append(_disc(0.015, 0.3, 0.22 * storeys + 0.08, sections=8))
    return _u(parts)


def house_v() -> trimesh.Trimesh:
    """A cottage with a chimney on the ridge line and a door step, mirror symmetric."""
    h = s.house()
    chimney = _at(box((0.08, 0.08, 0.2)), 0, 0.2, 0.72)
    step = _at(box((0.16, 0.08, 0.03)), 0, -0.44, 0.015)
    return _u([h, chimney, step])


def robot_v() -> trimesh.Trimesh:
    legs = [_at(box((0.14, 0.16, 0.5)), x, 0, 0.25) for x in (-0.1, 0.1)]
    feet = [_at(box((0.16, 0.24, 0.05)), x, -0.03, 0.025) for x in (-0.1, 0.1)]
    body = _at(box((0.44, 0.26, 0.45)), z=0.72)
    head = _at(box((0.24, 0.22, 0.2)), z=1.04)
    antenna = _disc(0.01, 0.1, 1.13, sections=8)
    arms = [_at(box((0.08, 0.1, 0.4)), x, 0, 0.72) for x in (-0.25, 0.25)]
    return _u([*legs, *feet, body, head, antenna, *arms])


def fox_v() -> trimesh.Trimesh:
    """A faceted fox with low-subdivision ellipsoids and straight legs."""
    def facet(rx, ry, rz, x=0.0, y=0.0, z=0.0):
        e = icosphere(subdivisions=1, radius=1.0)
        e.apply_scale([rx, ry, rz])
        return e.apply_translation([x, y, z])
    body = facet(0.12, 0.28, 0.11, z=0.3)
    head = facet(0.09, 0.12, 0.08, 0, -0.28, 0.38)
    tail = facet(0.06, 0.2, 0.06, 0, 0.38, 0.32)
    legs = [_at(box((0.05, 0.05, 0.24)), x, y, 0.12) for x in (-0.06, 0.06) for y in (-0.18, 0.18)]
    ears = [facet(0.025, 0.02, 0.05, x, -0.28, 0.47) for x in (-0.045, 0.045)]
    return _u([body, head, tail, *legs, *ears])


def rocket_v() -> trimesh.Trimesh:
    """A rocket with swept (triangular) fins reaching the ground and a round window."""
    body = s._profile([(0, 0.15), (0.1, 0.15), (0.1, 0.7), (0.0, 1.0)], sections=32)
    nozzle = s._profile([(0, 0.1), (0.06, 0.1), (0.08, 0.16), (0, 0.16)], sections=32)
    fins = []
    for t in np.pi / 2 + 2 * np.pi * np.arange(3) / 3:
        f = _at(box((0.2, 0.02, 0.3)), 0.15, 0, 0.2)
        f.vertices[f.vertices[:, 2] > 0.3, 0] = np.minimum(
            f.vertices[f.vertices[:, 2] > 0.3, 0], 0.1)
        f.apply_transform(trimesh.transformations.rotation_matrix(t, [0, 0, 1]))
        fins.append(f)
    return _ground(_u([body, nozzle, *fins]))


def pawn_v() -> trimesh.Trimesh:
    return s._profile([(0, 0), (0.2, 0), (0.2, 0.04), (0.15, 0.08), (0.1, 0.2), (0.07, 0.4),
                       (0.13, 0.44), (0.06, 0.47), (0.1, 0.53), (0.11, 0.6), (0.08, 0.68),
                       (0, 0.71)])


def dumbbell_v() -> trimesh.Trimesh:
    """A hexagonal dumbbell (hex heads) lying on the floor."""
    heads = []
    for x in (-0.18, 0.18):
        h = s.radial_prism(np.arange(6) * np.pi / 3 + np.pi / 6, np.full(6, 0.1), 0.08)
        h.apply_translation([0, 0, -0.04])
        h.apply_transform(s._Z_TO_X)
        heads.append(_at(h, x, 0, 0.1 * np.sqrt(3) / 2))
    bar = _at(cylinder(radius=0.02, height=0.3, sections=16).apply_transform(s._Z_TO_X),
              z=0.1 * np.sqrt(3) / 2)
    return _ground(_u([*heads, bar]))


def rocking_horse_v() -> trimesh.Trimesh:
    """A rocking horse on two flat (box-section) rockers bent as arcs, with a head and neck."""
    rockers = []
    for y in (-0.16, 0.16):
        ring = _d(_disc(0.9, 0.04, -0.02, sections=128), _disc(0.86, 1.0, -0.5, sections=128))
        ring.apply_transform(s._Z_TO_Y)
        ring = _d(ring, _at(box((4, 4, 4)), z=2 - 0.62))
        ring.apply_translation([0, y, 0.9])
        rockers.append(ring)
    legs = [_rod([x, y, 0.03], [x * 0.8, y * 0.6, 0.55], 0.025) for x in (-0.22, 0.22)
            for y in (-0.16, 0.16)]
    body = _ell(0.32, 0.12, 0.1, z=0.6)
    neck = _rod([-0.25, 0, 0.62], [-0.35, 0, 0.85], 0.05)
    return _ground(_u([*rockers, *legs, body, neck]))


def key_v() -> trimesh.Trimesh:
    """A skeleton key with a trefoil bow (three holes) and a two-tooth bit, lying flat."""
    bow = _d(_u([_disc(0.06, 0.02, 0.0, x, y) for x, y in ((0, 0.04), (-0.04, -0.02),
                                                            (0.04, -0.02))]),
             _u([_disc(0.025, 0.1, -0.05, x, y, 24) for x, y in ((0, 0.045), (-0.045, -0.025),
                                                                  (0.045, -0.025))]))
    shaft = _at(box((0.32, 0.022, 0.02)), 0.22, 0, 0.01)
    bit = _u([_at(box((0.025, 0.05, 0.02)), x, 0.03, 0.01) for x in (0.33, 0.36)])
    return _u([bow, shaft, bit])


def gem_ring_v() -> trimesh.Trimesh:
    band = ring_square(0.1, 0.085, 0.03)
    gem = _at(trimesh.creation.cone(radius=0.04, height=0.05, sections=8), z=0.205)
    setting = _disc(0.04, 0.02, 0.19)
    return _u([band, setting, gem])


def crab_v() -> trimesh.Trimesh:
    body = _ell(0.24, 0.17, 0.07, z=0.1)
    claws = [_ell(0.08, 0.12, 0.05, x, -0.25, 0.07) for x in (-0.18, 0.18)]
    arms = [_rod([x * 0.5, -0.1, 0.08], [x, -0.2, 0.07], 0.025) for x in (-0.18, 0.18)]
    legs = [_rod([sgn * 0.18, y, 0.08], [sgn * 0.38, y * 1.2, 0.0], 0.015)
            for sgn in (-1, 1) for y in (-0.05, 0.02, 0.09, 0.15)]
    return _ground(_u([body, *claws, *arms, *legs]))


def tortoise_v() -> trimesh.Trimesh:
    shell = _d(_ell(0.28, 0.36, 0.28, z=0.08), _at(box((2, 2, 1)), z=-0.5 + 0.08))
    legs = [_disc(0.05, 0.1, 0.0, x, y, 16) for x in (-0.18, 0.18) for y in (-0.22, 0.22)]
    head = _ell(0.06, 0.09, 0.06, 0, -0.42, 0.12)
    neck = _rod([0, -0.3, 0.12], [0, -0.38, 0.12], 0.04)
    return _ground(_u([shell, *legs, head, neck]))


def pumpkin_v() -> trimesh.Trimesh:
    a = np.linspace(0, 2 * np.pi, 96, endpoint=False)
    r = 0.3 + 0.02 * np.cos(10 * a)
    body = s.radial_prism(a, r, 0.2)
    return _u([_ground(body), _ell(0.29, 0.29, 0.12, z=0.2), _ell(0.29, 0.29, 0.08, z=0.02),
               _disc(0.025, 0.08, 0.3, sections=8)])


def banana_v() -> trimesh.Trimesh:
    """A curved banana lying on its side: tapering segments along an arc, with a stalk."""
    a = np.linspace(-0.9, 0.9, 10)
    pts = np.column_stack([0.5 * np.sin(a), 0.5 * (1 - np.cos(a)), np.full(a.size, 0.07)])
    radii = 0.07 * np.cos(a * 0.9)
    parts = [_rod(p, q, r, 16) for p, q, r in zip(pts, pts[1:], radii, strict=False)]
    parts += [icosphere(subdivisions=2, radius=r).apply_translation(p)
              for p, r in zip(pts[1:-1], radii[1:], strict=False)]
    parts.append(_rod(pts[-1], pts[-1] + [0.06, -0.02, 0.02], 0.015))
    return _ground(_u(parts))


def ground_ellipsoid(rx: float, ry: float, rz: float) -> trimesh.Trimesh:
    return _ell(rx, ry, rz, z=rz)


def figurine_cat_v() -> trimesh.Trimesh:
    body = _ell(0.13, 0.11, 0.16, z=0.16)
    head = _ell(0.12, 0.1, 0.1, z=0.4)
    paw = _rod([0.08, -0.06, 0.45], [0.12, -0.06, 0.58], 0.03)
    ears = [trimesh.creation.cone(radius=0.035, height=0.06, sections=8).apply_translation(
        [x, 0, 0.48]) for x in (-0.07, 0.07)]
    return _u([body, head, paw, *ears])


def matryoshka_v() -> trimesh.Trimesh:
    return s._profile([(0, 0), (0.11, 0), (0.13, 0.12), (0.11, 0.22), (0.08, 0.26), (0.09, 0.33),
                       (0.06, 0.39), (0, 0.41)], sections=64)


def spinning_top_v() -> trimesh.Trimesh:
    return s._profile([(0, 0), (0.02, 0.01), (0.14, 0.12), (0.14, 0.15), (0.04, 0.2),
                       (0.015, 0.21), (0.015, 0.32), (0, 0.32)])


def hourglass_v() -> trimesh.Trimesh:
    """An hourglass: a glass double cone between two round plates joined by three posts."""
    glass = s._profile([(0, 0.03), (0.12, 0.03), (0.12, 0.06), (0.015, 0.25), (0.12, 0.44),
                        (0.12, 0.47), (0, 0.47)])
    plates = [_disc(0.16, 0.03, 0.0), _disc(0.16, 0.03, 0.47)]
    posts = [_disc(0.012, 0.44, 0.03, x, y, 12) for x, y in _ring_xy(3, 0.14)]
    return _u([glass, *plates, *posts])


def barrel_v() -> trimesh.Trimesh:
    body = s._profile([(0, 0), (0.24, 0), (0.29, 0.15), (0.3, 0.3), (0.29, 0.45), (0.24, 0.6),
                       (0, 0.6)], sections=16)
    hoops = [_at(trimesh.creation.torus(r, 0.012, 16, 8), z=z)
             for r, z in ((0.255, 0.06), (0.255, 0.54))]
    return _u([body, *hoops])


def oak_v() -> trimesh.Trimesh:
    return tree_v("round")


def voxel_tree_v() -> trimesh.Trimesh:
    """A voxel tree: a two-cube trunk and a stepped canopy of cubes (one body)."""
    c = 0.12
    trunk = [_at(box((c, c, c * 1.1)), z=c / 2 + c * i) for i in range(5)]
    canopy = [_at(box((c, c, c)), x * c, y * c, 4.5 * c + z * c) for z in range(3)
              for x in range(-2 + z, 3 - z) for y in range(-2 + z, 3 - z)]
    return _u([*trunk, *canopy])


def anvil_v() -> trimesh.Trimesh:
    base = s._profile([(0, 0), (0.16, 0), (0.1, 0.12), (0, 0.12)], sections=4)
    waist = _at(box((0.12, 0.1, 0.1)), z=0.16)
    face = _at(box((0.36, 0.15, 0.1)), 0.02, 0, 0.26)
    horn = trimesh.creation.cone(radius=0.05, height=0.2, sections=16)
    horn.apply_transform(s._Z_TO_X)
    horn.apply_translation([0.2, 0, 0.26])
    return _u([base, waist, face, horn])


def hydrant_v() -> trimesh.Trimesh:
    return _u([_disc(0.12, 0.04, 0.0), _disc(0.08, 0.36, 0.04), _ell(0.085, 0.085, 0.07, z=0.4),
               _rod([-0.13, 0, 0.28], [0.13, 0, 0.28], 0.03), _rod([0, 0, 0.28], [0, -0.13, 0.28],
                                                                  0.035)])


def heart_v() -> trimesh.Trimesh:
    """A pixel heart: unit cubes laid out in the classic 7 x 6 heart grid, standing upright."""
    rows = ["0110110", "1111111", "1111111", "0111110", "0011100", "0001000"]
    c = 0.1
    cubes = [_at(box((c, 0.15, c)), (j - 3) * c, 0, (5 - i) * c + c / 2)
             for i, row in enumerate(rows) for j, ch in enumerate(row) if ch == "1"]
    return _u(cubes)


def gingerbread_v() -> trimesh.Trimesh:
    """A gingerbread man of round parts (discs for head, body and limbs), lying flat."""
    parts = [_disc(0.1, 0.04, 0.0, 0, 0.3), _disc(0.15, 0.04, 0.0, 0, 0.07)]
    parts += [_rod([sgn * 0.1, 0.12, 0.02], [sgn * 0.28, 0.2, 0.02], 0.045) for sgn in (-1, 1)]
    parts += [_rod([sgn * 0.06, -0.05, 0.02], [sgn * 0.16, -0.3, 0.02], 0.05) for sgn in (-1, 1)]
    return _ground(_u(parts))


def teacup_v() -> trimesh.Trimesh:
    saucer = s.vessel([(0.05, 0.0), (0.09, 0.012)], 0.004)
    cup = mug_d(0.04, 0.055, 0.004, 0.75)
    return _u([saucer, _at(cup, z=0.003)])


def boat_v() -> trimesh.Trimesh:
    hull = _d(_ell(0.55, 0.18, 0.14), _at(box((2, 1, 1)), z=0.5 + 0.1))
    seat = _at(box((0.04, 0.3, 0.02)), 0, 0, 0.05)
    return _ground(_u([hull, seat]))


def butterfly_v(span: float = 0.6) -> trimesh.Trimesh:
    """A butterfly with four wings (fore and hind pairs) and antennae, spread flat."""
    parts = [_ell(0.02, 0.18, 0.025, z=0.025)]
    for sgn in (-1, 1):
        parts.append(_ell(span / 4, 0.12, 0.008, sgn * span / 4, -0.05, 0.02))
        parts.append(_ell(span / 6, 0.09, 0.008, sgn * span / 6, 0.1, 0.02))
        parts.append(_rod([0, -0.17, 0.03], [sgn * 0.06, -0.27, 0.03], 0.004, 6))
    return _ground(_u(parts))


def maple_v() -> trimesh.Trimesh:
    a = np.linspace(0, 2 * np.pi, 180, endpoint=False)
    r = 0.3 + 0.15 * np.abs(np.cos(2.5 * (a - np.pi / 2))) ** 3
    return s.radial_prism(a, r, 0.015)


def flower_stem_v(head: float = 0.24, height: float = 1.0) -> trimesh.Trimesh:
    """A flower on a slightly curved stem with two leaves and a cup-shaped head."""
    stem = _u([_rod([0, 0, 0], [0.03, 0, height * 0.5], 0.015),
               _rod([0.03, 0, height * 0.5], [0, 0, height], 0.015),
               icosphere(subdivisions=1, radius=0.015).apply_translation([0.03, 0, height * 0.5])])
    top = s._profile([(0, 0), (0.02, 0), (head / 2, 0.06), (0, 0.06)], sections=24)
    leaves = [_ell(0.09, 0.02, 0.008, sgn * 0.09, 0, height * 0.3) for sgn in (-1, 1)]
    return _u([stem, _at(top, z=height - 0.01), *leaves])


# ------------------------------------------------------------------ more designs (landmarks...)


def can_pyramid_v() -> trimesh.Trimesh:
    """Six cans with rims (revolved profiles), three, two, one, each a separate body."""
    can = s._profile([(0, 0), (0.05, 0), (0.055, 0.008), (0.055, 0.122), (0.05, 0.13),
                      (0, 0.13)], sections=32)
    parts = []
    for row, n in enumerate((3, 2, 1)):
        for i in range(n):
            parts.append(_at(can, (i - (n - 1) / 2) * 0.115, 0.002 * row, 0.13 * row))
    return _cat(parts)


def kettle_v(spout: float = 0.14) -> trimesh.Trimesh:
    """A closed kettle: a revolved body with a lid knob, a spout and a handle arched over it."""
    body = s._profile([(0, 0), (0.11, 0), (0.12, 0.08), (0.08, 0.17), (0.02, 0.18), (0.02, 0.2),
                       (0, 0.2)])
    sp = _rod([0.08, 0, 0.06], [0.08 + spout, 0, 0.18], 0.015)
    posts = [_rod([x, 0, 0.15], [x, 0, 0.28], 0.012) for x in (-0.07, 0.07)]
    bar = _rod([-0.075, 0, 0.28], [0.075, 0, 0.28], 0.014)
    return _u([body, sp, *posts, bar])


def teapot_v() -> trimesh.Trimesh:
    """A round teapot: ellipsoid body, lid and knob, side D-handle and a curved spout."""
    body = _ell(0.12, 0.12, 0.09, z=0.09)
    lid = _ell(0.06, 0.06, 0.04, z=0.17)
    handle = _d_handle(0.1, 0.05, 0.15, 0.06, 0.015)
    handle.apply_transform(trimesh.transformations.rotation_matrix(np.pi, [0, 0, 1]))
    spout = _u([_rod([0.09, 0, 0.06], [0.17, 0, 0.12], 0.015),
                _rod([0.17, 0, 0.12], [0.2, 0, 0.17], 0.012)])
    return _u([body, lid, handle, spout])


def watering_can_v() -> trimesh.Trimesh:
    """A watering can: an oval tank, a top handle from front to back and a long spout."""
    tank = _at(_ell(0.16, 0.1, 0.13), z=0.13)
    tank = _u([tank, _disc(0.12, 0.02, 0.0)])
    handle = [_rod([-0.1, 0, 0.22], [-0.1, 0, 0.33], 0.012), _rod([0.05, 0, 0.24],
                                                                  [0.05, 0, 0.33], 0.012),
              _rod([-0.105, 0, 0.33], [0.055, 0, 0.33], 0.014)]
    spout = _rod([0.12, 0, 0.06], [0.42, 0, 0.3], 0.014)
    rose = _disc(0.03, 0.02, 0.29, 0.42, 0)
    return _u([tank, *handle, spout, rose])


def hanger_v() -> trimesh.Trimesh:
    """A coat hanger with sloped shoulders and a bottom bar (a closed five-sided frame)."""
    pts = [(-0.22, 0.0), (0.22, 0.0), (0.2, 0.05), (0.0, 0.15), (-0.2, 0.05)]
    bars = [_rod([pts[i][0], 0, pts[i][1]], [pts[i - 1][0], 0, pts[i - 1][1]], 0.008, 8)
            for i in range(5)]
    joints = [icosphere(subdivisions=1, radius=0.008).apply_translation([x, 0, z])
              for x, z in pts]
    hook = _u([_rod([0, 0, 0.15], [0, 0, 0.22], 0.007, 8),
               _rod([0, 0, 0.22], [0.03, 0, 0.25], 0.007, 8)])
    return _ground(_u([*bars, *joints, hook]))


def ice_tray_v() -> trimesh.Trimesh:
    """An ice tray of 2 x 8 smaller cells with a lip around the top."""
    tray = _u([s.block(0.62, 0.2, 0.045), _at(box((0.66, 0.24, 0.01)), z=0.04)])
    cells = [_at(box((0.06, 0.07, 0.05)), -0.27 + 0.077 * i, y, 0.045)
             for i in range(8) for y in (-0.045, 0.045)]
    return _d(tray, _u(cells))


def muffin_tin_v() -> trimesh.Trimesh:
    """A muffin tin: tapered round cups (cones) pressed into a plate with a rim."""
    plate = _u([s.block(0.5, 0.34, 0.06), _at(box((0.54, 0.38, 0.01)), z=0.055)])
    cups = [s._profile([(0, 0.012), (0.045, 0.012), (0.065, 0.07), (0, 0.07)], sections=24)
            .apply_translation([x, y, 0]) for x in (-0.16, 0.0, 0.16) for y in (-0.08, 0.08)]
    return _d(plate, _u(cups))


def wrench_v() -> trimesh.Trimesh:
    """An adjustable wrench lying flat: a tapered handle with a hanging hole and an open jaw."""
    handle = s.radial_prism(np.array([0.0, np.pi / 2, np.pi, 3 * np.pi / 2]),
                            np.array([0.2, 0.025, 0.2, 0.025]), 0.02)
    handle = _d(handle.apply_translation([0.0, 0, 0]), _disc(0.012, 0.1, -0.05, -0.17, 0))
    head = _d(_disc(0.07, 0.02, 0.0, 0.24, 0), _at(box((0.1, 0.04, 0.1)), 0.28, 0, 0))
    return _u([handle, head])


def clover_v() -> trimesh.Trimesh:
    """A four-leaf clover: four heart-shaped leaflets (two discs each) around a small centre."""
    parts = [_disc(0.05, 0.02, 0.0)]
    for k in range(4):
        t = np.pi / 4 + k * np.pi / 2
        c, sn = np.cos(t), np.sin(t)
        for off in (-0.06, 0.06):
            x, y = 0.16 * c - off * sn, 0.16 * sn + off * c
            parts.append(_disc(0.09, 0.02, 0.0, x, y, 32))
    return _u(parts)


def skull_v() -> trimesh.Trimesh:
    """A skull: an egg-shaped cranium, a jaw block and two eye sockets (mirror symmetric)."""
    cranium = _ell(0.16, 0.2, 0.17, z=0.22)
    jaw = _at(box((0.16, 0.12, 0.1)), 0, -0.12, 0.06)
    eyes = [_ell(0.035, 0.05, 0.035, x, -0.19, 0.2) for x in (-0.06, 0.06)]
    return _ground(_d(_u([cranium, jaw]), _u(eyes)))


def sauropod_v() -> trimesh.Trimesh:
    m = quad_round(0.4, (0.4, 1.0, 0.4), neck=0.8, leg_r=0.05)
    tail = _rod([0, 0.45, 0.55], [0, 1.0, 0.3], 0.04)
    return _u([m, tail])


def eiffel_v() -> trimesh.Trimesh:
    """An Eiffel-like tower: four splayed round legs to a first deck, a tapering tower above."""
    legs = [_rod([x, y, 0], [x * 0.55, y * 0.55, 0.35], 0.035) for x in (-0.22, 0.22)
            for y in (-0.22, 0.22)]
    deck = _at(box((0.3, 0.3, 0.03)), z=0.36)
    upper = s._profile([(0, 0.37), (0.12, 0.37), (0.06, 0.75), (0.02, 1.2), (0, 1.25)],
                       sections=4)
    upper.apply_transform(trimesh.transformations.rotation_matrix(np.pi / 4, [0, 0, 1]))
    return _u([*legs, deck, upper])


def pisa_v() -> trimesh.Trimesh:
    """The leaning tower with a narrower belfry on top, leaning 5 degrees."""
    t = _u([_disc(0.14, 0.9, 0.0, sections=32), _disc(0.1, 0.15, 0.89, sections=32)]
           + [_disc(0.155, 0.02, z, sections=32) for z in np.linspace(0.15, 0.85, 6)])
    t.apply_transform(trimesh.transformations.rotation_matrix(np.radians(5.0), [1, 0, 0]))
    return _ground(t)


def igloo_v() -> trimesh.Trimesh:
    """An igloo: a revolved dome with a rounded (half-cylinder) entrance tunnel."""
    dome = s._profile([(0, 0), (0.5, 0), (0.45, 0.22), (0.3, 0.4), (0, 0.47)], sections=48)
    tunnel = _at(cylinder(radius=0.13, height=0.35, sections=24).apply_transform(s._Z_TO_Y),
                 0, -0.52, 0.0)
    return _d(_u([dome, tunnel]), _at(box((3, 3, 1)), z=-0.5))


def longship_v() -> trimesh.Trimesh:
    """A longship: an open hull, a mast with a square sail and raised stem and stern posts."""
    hull = _d(_ell(1.0, 0.18, 0.15), _at(box((3, 1, 1)), z=0.5 + 0.1))
    hull = _ground(hull)
    mast = _disc(0.015, 0.6, 0.05, sections=12)
    sail = _at(box((0.03, 0.5, 0.35)), 0, 0, 0.45)
    posts = [_rod([x * 0.95, 0, 0.2], [x * 1.1, 0, 0.35], 0.025) for x in (-1, 1)]
    return _ground(_u([hull, mast, sail, *posts]))


def abacus_v() -> trimesh.Trimesh:
    """An abacus with a round-rod frame, a divider bar and ring-shaped beads."""
    frame = [_rod([-0.3, 0, 0.0 + z], [0.3, 0, 0.0 + z], 0.02) for z in (0.02, 0.38)]
    frame += [_rod([x, 0, 0.0], [x, 0, 0.4], 0.02) for x in (-0.3, 0.3)]
    frame.append(_rod([-0.3, 0, 0.28], [0.3, 0, 0.28], 0.012))
    rods = [_rod([x, 0, 0.02], [x, 0, 0.38], 0.006, 8) for x in np.linspace(-0.22, 0.22, 7)]
    beads = [_at(trimesh.creation.torus(0.018, 0.01, 16, 8), x, 0, z)
             for x in np.linspace(-0.22, 0.22, 7) for z in (0.08, 0.12, 0.33)]
    return _ground(_u([*frame, *rods, *beads]))


def clog_v() -> trimesh.Trimesh:
    """A clog: an elongated ellipsoid with the foot opening cut in its top, on a flat sole."""
    shoe = _ell(0.15, 0.055, 0.06, z=0.06)
    opening = _ell(0.07, 0.04, 0.05, -0.05, 0, 0.11)
    return _ground(_d(_u([shoe, _at(box((0.28, 0.09, 0.02)), z=0.01)]), opening))


def arc_v() -> trimesh.Trimesh:
    """A triumphal arch: a block cut by one round-topped main vault and a cross vault
    (four piers on the ground), with an attic storey on top."""
    body = s.block(0.9, 0.45, 0.85)
    main = _u([_at(box((0.32, 1.0, 0.45)), z=0.225),
               _at(cylinder(radius=0.16, height=1.0, sections=32).apply_transform(s._Z_TO_Y),
                   z=0.45)])
    cross = _u([_at(box((2.0, 0.16, 0.3)), z=0.15),
                _at(cylinder(radius=0.08, height=2.0, sections=24).apply_transform(s._Z_TO_X),
                    z=0.3)])
    attic = _at(box((0.86, 0.43, 0.15)), z=0.92)
    return _u([_d(body, _u([main, cross])), attic])


def taj_v() -> trimesh.Trimesh:
    """A Taj-like mausoleum: a plinth, a chamfered hall, an onion dome on a drum, four
    minarets with cupolas."""
    base = s.block(1.0, 1.0, 0.08)
    hall = _at(s.radial_prism(np.pi / 8 + np.pi / 4 * np.arange(8), np.full(8, 0.3), 0.35),
               z=0.08)
    drum = _disc(0.15, 0.08, 0.43)
    dome = s._profile([(0, 0.5), (0.18, 0.5), (0.2, 0.6), (0.12, 0.72), (0.02, 0.78),
                       (0, 0.82)], sections=32)
    minarets = [_u([_disc(0.025, 0.55, 0.08, x, y, 12), _ell(0.035, 0.035, 0.03, x, y, 0.63)])
                for x in (-0.44, 0.44) for y in (-0.44, 0.44)]
    return _u([base, hall, drum, dome, *minarets])


def colosseum_v() -> trimesh.Trimesh:
    """An elliptic amphitheatre ring with a lower outer wall on one side (a ruined section)."""
    w = s.washer(0.5, 0.32, 0.2)
    w.apply_scale([1.0, 0.82, 1.0])
    cut = _at(box((0.4, 0.3, 0.2)), 0.42, 0, 0.2)
    return _d(w, cut)


def elizabeth_tower_v() -> trimesh.Trimesh:
    """A clock tower: a square shaft, a wider clock stage, a belfry and a pyramidal spire."""
    shaft = s.block(0.16, 0.16, 0.7)
    clock = _at(box((0.2, 0.2, 0.15)), z=0.775)
    belfry = _at(box((0.14, 0.14, 0.1)), z=0.9)
    spire = s.pyramid(0.14, 0.25).apply_translation([0, 0, 0.95])
    return _u([shaft, clock, belfry, spire])


def parthenon_v() -> trimesh.Trimesh:
    """A temple: a three-step stylobate, a peristyle of 8 x 17 columns and a gabled roof."""
    steps = [s.block(0.7 - 0.02 * i, 0.31 - 0.02 * i, 0.015).apply_translation([0, 0, 0.015 * i])
             for i in range(3)]
    cols = [_disc(0.012, 0.1, 0.045, x, y, 8) for x in np.linspace(-0.3, 0.3, 17)
            for y in (-0.12, 0.12)]
    cols += [_disc(0.012, 0.1, 0.045, x, y, 8) for x in (-0.3, 0.3)
             for y in np.linspace(-0.12, 0.12, 8)[1:-1]]
    entab = _at(box((0.66, 0.27, 0.03)), z=0.16)
    pts = np.array([[x, y, 0.175] for x in (-0.33, 0.33) for y in (-0.135, 0.135)]
                   + [[x, 0, 0.22] for x in (-0.33, 0.33)])
    roof = trimesh.convex.convex_hull(pts)
    return _u([*steps, *cols, entab, roof])


def saturn_v_v() -> trimesh.Trimesh:
    """A Saturn V: three stages of decreasing radius, small fins, and an escape tower."""
    st = _u([_disc(0.05, 0.45, 0.0, sections=32), _disc(0.05, 0.3, 0.45, sections=32),
             _disc(0.033, 0.15, 0.75, sections=32),
             s._profile([(0, 0.9), (0.033, 0.9), (0.01, 1.0), (0, 1.0)], sections=32),
             _disc(0.004, 0.08, 0.99, sections=8)])
    fins = [_at(box((0.03, 0.006, 0.08)), 0.06, 0, 0.04).apply_transform(
        trimesh.transformations.rotation_matrix(t, [0, 0, 1])) for t in np.pi / 2 * np.arange(4)]
    return _u([st, *fins])


def swiss_knife_v() -> trimesh.Trimesh:
    """A closed pocket knife lying flat: a slab with round ends and a key ring."""
    body = _u([_at(box((0.2, 0.06, 0.03)), z=0.015), _disc(0.03, 0.03, 0.0, -0.1, 0),
               _disc(0.03, 0.03, 0.0, 0.1, 0)])
    ring = _at(trimesh.creation.torus(0.012, 0.003, 16, 8), 0.14, 0, 0.015)
    return _u([body, ring])


def penny_farthing_v() -> trimesh.Trimesh:
    """A penny-farthing with spoked tyres (tori), a curved backbone and a saddle."""
    big = _at(trimesh.creation.torus(0.58, 0.025, 64, 8).apply_transform(s._Z_TO_Y), 0.3, 0,
              0.605)
    small = _at(trimesh.creation.torus(0.13, 0.02, 32, 8).apply_transform(s._Z_TO_Y), -0.55,
                0, 0.15)
    spokes = [_rod([0.3, 0, 0.605], [0.3 + 0.58 * np.cos(t), 0, 0.605 + 0.58 * np.sin(t)],
                   0.006, 6) for t in np.linspace(0, 2 * np.pi, 12, endpoint=False)]
    hub = _at(cylinder(radius=0.04, height=0.08, sections=16).apply_transform(s._Z_TO_Y), 0.3,
              0, 0.605)
    frame = [_rod([-0.55, 0, 0.15], [-0.1, 0, 1.0], 0.02), _rod([-0.1, 0, 1.0], [0.3, 0, 1.2],
                                                               0.02),
             _rod([0.3, 0, 1.2], [0.3, 0, 0.605], 0.02)]
    saddle = _at(box((0.15, 0.08, 0.04)), 0.2, 0, 1.23)
    return _u([big, small, *spokes, hub, *frame, saddle])


def trefoil_v(n: int = 90, r: float = 0.05) -> trimesh.Trimesh:
    """A trefoil knot: a tube of short cylinders and joint spheres along the trefoil curve."""
    u = np.linspace(0, 2 * np.pi, n, endpoint=False)
    pts = 0.12 * np.column_stack([np.sin(u) + 2 * np.sin(2 * u), np.cos(u) - 2 * np.cos(2 * u),
                                  -np.sin(3 * u)])
    parts = [_rod(pts[i], pts[(i + 1) % n], r, 12) for i in range(n)]
    parts += [icosphere(subdivisions=1, radius=r).apply_translation(p) for p in pts]
    return _ground(_u(parts))


def chariot_v() -> trimesh.Trimesh:
    """A chariot on two spoked wheels with a draught pole resting on the ground."""
    wheels = []
    for y in (-0.35, 0.35):
        w = spoked_v(6)
        w.apply_scale(0.7)
        wheels.append(_at(w, 0, y - w.bounds.mean(axis=0)[1], 0))
    axle = _at(box((0.05, 0.75, 0.05)), z=0.35)
    car = _at(box((0.4, 0.6, 0.3)), z=0.5)
    pole = _rod([-0.2, 0, 0.4], [-1.0, 0, 0.02], 0.025)
    return _u([*wheels, axle, car, pole])


def brick_v() -> trimesh.Trimesh:
    """A toy brick with eight hollow studs (tubes) on top."""
    block = s.block(0.32, 0.16, 0.096)
    studs = [_d(_disc(0.024, 0.02, 0.095, x, y, 24), _disc(0.014, 0.05, 0.1, x, y, 16))
             for x in (-0.12, -0.04, 0.04, 0.12) for y in (-0.04, 0.04)]
    return _u([block, *studs])


def sword_v() -> trimesh.Trimesh:
    """A sword lying flat: a tapering blade, a curved crossguard, a grip and a ball pommel."""
    blade = s.radial_prism(np.array([0.0, np.pi / 2, np.pi, 3 * np.pi / 2]),
                           np.array([0.8, 0.03, 0.005, 0.03]), 0.015)
    blade.apply_translation([0.06, 0, 0])
    guard = _at(box((0.03, 0.22, 0.025)), 0.05, 0, 0.0125)
    grip = _rod([0.05, 0, 0.0125], [-0.12, 0, 0.0125], 0.014)
    pommel = _ell(0.025, 0.025, 0.02, -0.13, 0, 0.02)
    return _ground(_u([blade, guard, grip, pommel]))


def balloon_dog_v() -> trimesh.Trimesh:
    """A balloon dog of sausage segments: four legs, body, neck, head, ears and tail."""
    seg = lambda a, b, r=0.045: _u([_rod(a, b, r, 16),  # noqa: E731
                                    icosphere(subdivisions=2, radius=r).apply_translation(a),
                                    icosphere(subdivisions=2, radius=r).apply_translation(b)])
    parts = [seg([0, -0.15, 0.3], [0, 0.15, 0.3])]
    for y in (-0.15, 0.15):
        for x in (-0.06, 0.06):
            parts.append(seg([x, y, 0.3], [x * 1.5, y, 0.045]))
    parts += [seg([0, -0.15, 0.3], [0, -0.2, 0.5]), seg([0, -0.2, 0.5], [0, -0.34, 0.5]),
              seg([0, -0.2, 0.5], [-0.05, -0.18, 0.62], 0.035),
              seg([0, -0.2, 0.5], [0.05, -0.18, 0.62], 0.035),
              seg([0, 0.15, 0.3], [0, 0.22, 0.45], 0.03)]
    return _ground(_u(parts))


def ice_cream_v() -> trimesh.Trimesh:
    """A cone with a rolled rim band and a scoop with a drip ring, standing on its tip."""
    cone = s._profile([(0, 0), (0.065, 0.22), (0, 0.22)], sections=32)
    rim = _at(trimesh.creation.torus(0.065, 0.01, 32, 8), z=0.22)
    scoop = _ell(0.075, 0.075, 0.07, z=0.25)
    drip = _at(trimesh.creation.torus(0.07, 0.015, 32, 8), z=0.235)
    return _u([cone, rim, scoop, drip])


def bicycle_kickstand() -> trimesh.Trimesh:
    """A road bicycle with solid disc wheels, a sloping top tube and a kickstand down (three
    ground contacts)."""
    wheels = [_at(cylinder(radius=0.34, height=0.025, sections=48).apply_transform(s._Z_TO_Y),
                  x, 0, 0.34) for x in (-0.5, 0.5)]
    pts = {"rear": (-0.5, 0.34), "bb": (-0.02, 0.28), "seat": (-0.12, 0.82),
           "head": (0.38, 0.9), "front": (0.5, 0.34)}
    bars = [("rear", "bb"), ("rear", "seat"), ("bb", "seat"), ("bb", "head"), ("seat", "head"),
            ("head", "front")]
    frame = [_rod([pts[a][0], 0, pts[a][1]], [pts[b][0], 0, pts[b][1]], 0.018, 8)
             for a, b in bars]
    stand = _rod([-0.05, 0.0, 0.28], [-0.1, 0.22, 0.0], 0.012, 8)
    saddle = _at(box((0.14, 0.07, 0.03)), -0.12, 0, 0.84)
    bar = _at(box((0.04, 0.42, 0.03)), 0.38, 0, 0.92)
    return _u([*wheels, *frame, stand, saddle, bar])


def motorcycle_v() -> trimesh.Trimesh:
    """A motorcycle on torus tyres with a side stand down (three ground contacts)."""
    tyres = [_at(trimesh.creation.torus(0.17, 0.05, 48, 12).apply_transform(s._Z_TO_Y), x, 0,
                 0.22) for x in (-0.6, 0.6)]
    hubs = [_at(cylinder(radius=0.12, height=0.06, sections=24).apply_transform(s._Z_TO_Y), x,
                0, 0.22) for x in (-0.6, 0.6)]
    body = _at(box((0.8, 0.22, 0.22)), z=0.42)
    seat = _at(box((0.4, 0.24, 0.06)), -0.15, 0, 0.56)
    fork = _rod([0.6, 0, 0.22], [0.45, 0, 0.8], 0.025)
    rear = _rod([-0.6, 0, 0.22], [-0.3, 0, 0.4], 0.025)
    bar = _at(box((0.04, 0.65, 0.03)), 0.45, 0, 0.8)
    stand = _rod([0.0, 0.1, 0.35], [-0.05, 0.3, 0.0], 0.012)
    return _u([*tyres, *hubs, body, seat, fork, rear, bar, stand])


def stone_lantern_v() -> trimesh.Trimesh:
    """A toro with a round pillar, a hexagonal firebox and a hexagonal curved-eave roof."""
    hexa = np.arange(6) * np.pi / 3
    base = s.radial_prism(hexa, np.full(6, 0.22), 0.1)
    pillar = _disc(0.07, 0.45, 0.09, sections=24)
    platform = _at(s.radial_prism(hexa, np.full(6, 0.2), 0.06), z=0.53)
    firebox = _d(_at(s.radial_prism(hexa, np.full(6, 0.15), 0.2), z=0.58),
                 _at(box((0.1, 1.0, 0.1)), z=0.68))
    roof = s._profile([(0, 0.78), (0.3, 0.78), (0.3, 0.8), (0.12, 0.9), (0, 1.0)], sections=6)
    jewel = _ell(0.04, 0.04, 0.05, z=1.03)
    return _u([base, pillar, platform, firebox, roof, jewel])


def samovar_v() -> trimesh.Trimesh:
    """A samovar as a cylinder urn on a square base with four feet, a tap and ring handles."""
    feet = [_ell(0.03, 0.03, 0.03, x, y, 0.03) for x in (-0.1, 0.1) for y in (-0.1, 0.1)]
    base = _at(box((0.26, 0.26, 0.05)), z=0.07)
    neck = _disc(0.05, 0.08, 0.09)
    urn = _u([_disc(0.16, 0.3, 0.16), _ell(0.16, 0.16, 0.06, z=0.46), _disc(0.05, 0.08, 0.5)])
    tap = _rod([0.15, 0, 0.22], [0.26, 0, 0.2], 0.015)
    handles = [_at(trimesh.creation.torus(0.04, 0.01, 24, 8).apply_transform(s._Z_TO_Y), x, 0,
                   0.4) for x in (-0.19, 0.19)]
    return _u([*feet, base, neck, urn, tap, *handles])


def harp_v() -> trimesh.Trimesh:
    """A harp with strings strung between its neck and soundbox (many openings)."""
    frame = _u([s.block(0.3, 0.2, 0.06), _rod([-0.12, 0, 0.05], [-0.12, 0, 1.4], 0.035),
                _rod([-0.12, 0, 1.4], [0.5, 0, 1.3], 0.035),
                _rod([0.08, 0, 0.05], [0.5, 0, 1.3], 0.07)])
    strings = []
    for f in np.linspace(0.15, 0.85, 8):
        a = np.array([0.08, 0, 0.05]) + f * np.array([0.42, 0, 1.25])
        b = np.array([-0.12, 0, 1.4]) + f * np.array([0.62, 0, -0.1])
        strings.append(_rod(a, b, 0.006, 6))
    return _u([frame, *strings])


def rocking_chair_v() -> trimesh.Trimesh:
    """A rocking chair with armrests on turned posts, a spindle back and longer rockers."""
    rockers = []
    for x in (-0.24, 0.24):
        ring = _d(_disc(1.3, 0.04, -0.02, sections=160), _disc(1.26, 1.0, -0.5, sections=160))
        ring.apply_transform(s._Z_TO_X)
        ring = _d(ring, _at(box((4, 4, 4)), z=2 - 1.23))
        ring.apply_translation([x, 0, 1.3])
        rockers.append(ring)
    legs = [_rod([x, y, 0.04], [x, y, 0.44], 0.02) for x in (-0.24, 0.24) for y in (-0.2, 0.2)]
    seat = _at(box((0.54, 0.5, 0.05)), z=0.46)
    posts = [_rod([x, -0.2, 0.46], [x, -0.2, 0.66], 0.02) for x in (-0.25, 0.25)]
    arms = [_at(box((0.06, 0.5, 0.03)), x, 0.0, 0.67) for x in (-0.25, 0.25)]
    back_posts = [_at(box((0.04, 0.04, 0.6)), x, 0.23, 0.76) for x in (-0.24, 0.24)]
    rail = _at(box((0.52, 0.04, 0.06)), 0, 0.23, 1.03)
    spindles = [_rod([x, 0.23, 0.48], [x, 0.23, 1.0], 0.012) for x in (-0.12, 0.0, 0.12)]
    return _ground(_u([*rockers, *legs, seat, *posts, *arms, *back_posts, rail, *spindles]))


def origami_crane_v() -> trimesh.Trimesh:
    """An origami crane with wings folded down at the tips and a head fold on the neck."""
    body = trimesh.convex.convex_hull(np.array(
        [[0, -0.22, 0.12], [0, 0.22, 0.12], [-0.07, 0, 0.12], [0.07, 0, 0.12], [0, 0, 0.0],
         [0, 0, 0.22]]))
    wings = []
    for sgn in (-1, 1):
        wings.append(trimesh.convex.convex_hull(np.array(
            [[0, -0.1, 0.17], [0, 0.1, 0.17], [sgn * 0.3, 0.0, 0.25], [0, 0, 0.18]])))
        wings.append(trimesh.convex.convex_hull(np.array(
            [[sgn * 0.28, -0.03, 0.24], [sgn * 0.28, 0.03, 0.24], [sgn * 0.42, 0.0, 0.16],
             [sgn * 0.3, 0, 0.26]])))
    neck = _rod([0, -0.2, 0.12], [0, -0.36, 0.42], 0.012, 8)
    head = _rod([0, -0.36, 0.42], [0, -0.42, 0.38], 0.01, 8)
    tail = _rod([0, 0.2, 0.12], [0, 0.36, 0.4], 0.012, 8)
    return _ground(_u([body, *wings, neck, head, tail]))


def scissors_v() -> trimesh.Trimesh:
    """Closed scissors lying flat: one round and one oval finger loop, tapered blades."""
    loops = [_d(_disc(0.07, 0.02, 0.0, -0.1, -0.12), _disc(0.045, 0.1, -0.05, -0.1, -0.12)),
             _d(_at(_ell(0.09, 0.06, 0.01), 0.1, -0.12, 0.01),
                _at(_ell(0.065, 0.035, 0.05), 0.1, -0.12, 0.0))]
    blade = s.radial_prism(np.array([0.0, np.pi / 2, np.pi, 3 * np.pi / 2]),
                           np.array([0.03, 0.42, 0.03, 0.02]), 0.02).apply_translation([0, 0.02, 0])
    shanks = [_rod([x, -0.07, 0.01], [0.0, 0.04, 0.01], 0.014, 8) for x in (-0.09, 0.09)]
    pivot = _disc(0.02, 0.025, 0.0, 0, 0.03, 16)
    return _ground(_u([*loops, blade, *shanks, pivot]))


def stone_circle_v(n: int = 8) -> trimesh.Trimesh:
    """Eight standing stones (slabs narrowing upward, of varying height, turned to face the
    centre) in a ring, each a separate body."""
    stones = []
    for k, (x, y) in enumerate(_ring_xy(n, 0.55)):
        h = 0.3 + 0.06 * ((k * 5) % 3)
        st = _at(box((0.1, 0.14, h)), z=h / 2)
        st.vertices[st.vertices[:, 2] > h / 2, :2] *= 0.8  # narrower at the top
        st.apply_transform(trimesh.transformations.rotation_matrix(np.arctan2(y, x), [0, 0, 1]))
        stones.append(_at(st, x, y, 0))
    return _cat(stones)


def book_pile_v(n: int = 5) -> trimesh.Trimesh:
    """Hardcover books of different sizes piled flat: boards slightly larger than the pages,
    fused per book, each book a separate body."""
    sizes = [(0.3, 0.22), (0.26, 0.19), (0.28, 0.2), (0.22, 0.16), (0.24, 0.17)][:n]
    parts, z = [], 0.0
    for i, (w, d) in enumerate(sizes):
        t = 0.03 + 0.008 * (i % 2)
        book = _u([_at(box((w, d, 0.005)), z=0.0025), _at(box((w - 0.01, d - 0.01, t - 0.01)),
                                                          -0.004, 0, t / 2),
                   _at(box((w, d, 0.005)), z=t - 0.0025), _at(box((0.006, d, t)), -w / 2 + 0.003,
                                                              0, t / 2)])
        parts.append(_at(book, 0.01 * (i % 3 - 1), 0.008 * (i % 2), z))
        z += t
    return _cat(parts)


VARIANTS: dict[str, Builder] = {
    # spatial_structural
    "spa-001": lambda: block_tower([0.4, 0.3, 0.22]),
    "spa-002": lambda: block_tower([0.26, 0.25, 0.24, 0.23]),
    "spa-003": book_pile_v,
    "spa-004": lambda: _cat([crate(0.4), _at(crate(0.36), 0.01, 0.01, 0.4)]),
    "spa-005": lambda: s.on_top(s.ball(0.07), s.block(0.5, 0.35, 0.3), dx=0.08, dy=-0.04),
    "spa-006": lambda: _cat([plate_rim(), _at(apple(), 0.01, 0, 0.006)]),
    "spa-007": lambda: s.on_top(_at(box((0.12, 0.12, 0.12)), z=0.06), s.block(0.45, 0.45, 0.45),
                                dx=0.1, dy=0.08),
    "spa-008": lambda: s.inside(s.ball(0.1), round_legged(4, (0.6, 0.6), 0.5, leg=0.025)),
    "spa-009": lambda: _d(star_bevel(5), _disc(0.08, 1.0, -0.5)),
    "spa-010": lambda: star_bevel(6, r_in=0.28, height=0.08),
    "spa-011": lambda: star_bevel(8, r_in=0.3, height=0.04),
    "spa-012": cross_v,
    "spa-013": lambda: stairs_v(6, rise=0.12),
    "spa-014": lambda: stairs_v(5),
    "spa-015": lambda: stairs_v(2),
    "spa-016": lambda: step_pyramid_v(4),
    "spa-017": lambda: cake_v(3),
    "spa-018": lambda: shelf_v(4),
    "spa-019": lambda: shelf_v(5, width=0.6, height=1.8),
    "spa-020": lambda: shelf_v(2, width=0.8, height=0.5),
    "spa-021": arch_round,
    "spa-022": lambda: _d(s.block(0.9, 0.12, 2.0), _at(box((0.7, 1.0, 1.9)), z=0.94)),
    "spa-023": ring_square,
    "spa-024": lambda: _ground(s.donut(0.1, 0.055).apply_scale([1.0, 1.0, 0.8])),
    "spa-025": frame_v,
    "spa-026": washer_v,
    "spa-027": pipe_v,
    "spa-028": lambda: button_v(4),
    "spa-029": square_button_v,
    "spa-030": hex_nut_v,
    "spa-031": pyramid_plinth,
    "spa-032": bevelled_cube,
    "spa-033": chamfered_cylinder,
    "spa-034": disc_rim,
    "spa-035": beam_chamfer,
    "spa-036": lambda: s.beside(s.block(0.3, 0.3, 0.3), s.block(0.26, 0.26, 0.26), gap=0.0),
    "spa-037": lambda: s.beside(s.block(0.4, 0.4, 0.4), s.ball(0.05), gap=0.2),
    "spa-038": lambda: s.beside(s.block(0.4, 0.3, 0.3), s.ball(0.1), gap=0.05),
    "spa-039": lambda: s.beside(s.block(0.1, 0.1, 0.1), chamfered_cylinder(0.22, 0.6), gap=0.2),
    "spa-040": lambda: s.inside(s.ball(0.08), bin_v(0.4, 0.35, 0.3, 0.02), floor=0.02),
    "spa-041": lambda: s.inside(s.ball(0.015), bowl_v(0.1, 0.07), floor=0.012),
    "spa-042": lambda: s.on_top(small_vase(), side_table_v()),
    "spa-043": lambda: s.on_top(s.donut(0.12, 0.025), s.block(0.4, 0.4, 0.3)),
    "spa-044": can_pyramid_v,
    "spa-045": lambda: _cat([s.washer(0.28, 0.1, 0.05).apply_translation([0, 0, 0.05 * i])
                             for i in range(3)]),
    "spa-046": square_tower,
    "spa-047": stone_circle_v,
    "spa-048": stand_v,
    "spa-049": drilled_square,
    "spa-050": lambda: drilled_square(-2),
    "spa-051": lambda: drilled_square(3),
    "spa-052": lambda: _u([_at(box((0.4, 0.3, 0.03)), z=0.015),
                           _at(box((0.03, 0.3, 0.4)), -0.185, 0, 0.2),
                           _at(box((0.08, 0.03, 0.08)), -0.15, 0, 0.06)]),
    "spa-053": plank_posts,
    # mechanical_affordances
    "mech-001": lambda: round_legged(3, (0.36, 0.36), 0.32, round_top=True, splay=0.06),
    "mech-002": lambda: round_legged(4, (0.38, 0.38), 0.78, round_top=True, splay=0.05),
    "mech-003": lambda: round_legged(3, (0.34, 0.34), 0.22, leg=0.03, round_top=True),
    "mech-004": lambda: round_legged(4, (1.2, 0.6), 0.75, leg=0.025),
    "mech-005": lambda: round_legged(3, (0.7, 0.7), 0.74, round_top=True, splay=0.05,
                                     inset=0.15),
    "mech-006": lambda: round_legged(4, (0.5, 0.48), 0.55, leg=0.02),
    "mech-007": lambda: round_legged(4, (1.6, 0.32), 0.45, leg=0.025, inset=0.08),
    "mech-008": lambda: round_legged(4, (1.2, 0.6), 0.4, leg=0.03, thickness=0.06),
    "mech-009": lambda: round_legged(6, (2.0, 0.9), 0.75, leg=0.03),
    "mech-010": lambda: chair_slatted(0.46, 0.55),
    "mech-011": chair_slatted,
    "mech-012": office_chair_v,
    "mech-013": mug_d,
    "mech-014": lambda: mug_d(0.04, 0.17, 0.006, 0.8),
    "mech-015": tumbler_v,
    "mech-016": lambda: bowl_v(0.1, 0.08),
    "mech-017": lambda: bowl_v(0.15, 0.05),
    "mech-018": bucket_v,
    "mech-019": vase_v,
    "mech-020": wine_glass_v,
    "mech-021": lambda: crate(0.4),
    "mech-022": bin_v,
    "mech-023": lambda: shelf_v(3, height=1.0),
    "mech-024": lambda: gear_round(14),
    "mech-025": lambda: gear_round(8),
    "mech-026": lambda: gear_round(16, r_root=0.44, height=0.03, hub=False),
    "mech-027": padlock_v,
    "mech-028": scissors_v,
    "mech-029": lambda: _u([s.hammer(), _at(box((0.06, 0.05, 0.03)), 0.34, 0.07, 0.015)]),
    "mech-030": stepladder_v,
    "mech-031": lambda: ladder_v(6),
    "mech-032": lambda: vehicle_v(2, 1.1, 0.5),
    "mech-033": lambda: vehicle_v(3, 1.5, 0.5),
    "mech-034": tricycle_v,
    "mech-035": skateboard_v,
    "mech-036": wheelbarrow_v,
    "mech-037": tripod_v,
    "mech-038": sawhorse_v,
    "mech-039": bed_v,
    "mech-040": bench_v,
    "mech-041": lamp_v,
    "mech-042": kettle_v,
    "mech-043": teapot_v,
    "mech-044": watering_can_v,
    "mech-045": hanger_v,
    "mech-046": lambda: fan_v(5),
    "mech-047": lambda: fan_v(3),
    "mech-048": dumbbell_v,
    "mech-049": trophy_v,
    "mech-050": lambda: bin_v(0.5, 0.4, 0.4, 0.02),
    "mech-051": flower_pot_v,
    "mech-052": funnel_v,
    "mech-053": pot_v,
    "mech-054": pan_v,
    "mech-055": ice_tray_v,
    "mech-056": muffin_tin_v,
    "mech-057": birdbath_v,
    "mech-058": spoked_v,
    "mech-059": bicycle_kickstand,
    "mech-060": swing_v,
    "mech-061": bbq_v,
    "mech-062": mailbox_v,
    "mech-063": umbrella_stand_v,
    "mech-064": motorcycle_v,
    "mech-065": cart_v,
    "mech-067": wrench_v,
    "mech-068": sofa_v,
    "mech-069": bunk_v,
    # biological_organic
    "bio-001": mushroom_v,
    "bio-002": mushroom_v,
    "bio-003": lambda: petal_flower(8, 0.3, 0.09),
    "bio-004": lambda: petal_flower(5, 0.3, 0.16),
    "bio-005": lambda: petal_flower(6, 0.3, 0.14),
    "bio-006": clover_v,
    "bio-007": lambda: starfish_v(5),
    "bio-008": lambda: starfish_v(6),
    "bio-009": saguaro_v,
    "bio-010": cactus_column_v,
    "bio-011": barrel_cactus_v,
    "bio-012": lambda: quad_round(0.3, (0.24, 0.6, 0.22)),
    "bio-013": lambda: quad_round(0.6, (0.28, 0.75, 0.3), neck=0.25),
    "bio-014": lambda: quad_round(0.45, (0.4, 0.85, 0.38), neck=0.2),
    "bio-015": lambda: quad_round(0.2, (0.18, 0.45, 0.16), leg_r=0.02),
    "bio-016": lambda: quad_round(0.3, (0.34, 0.6, 0.34)),
    "bio-017": lambda: quad_round(0.12, (0.32, 0.62, 0.3), leg_r=0.035),
    "bio-018": lambda: quad_round(0.7, (0.26, 0.6, 0.26), neck=0.8),
    "bio-019": lambda: quad_round(0.5, (0.55, 0.9, 0.5), leg_r=0.07),
    "bio-020": lambda: quad_round(0.65, (0.3, 0.75, 0.3), neck=0.35),
    "bio-021": lambda: quad_round(0.12, (0.22, 0.85, 0.16), leg_r=0.02, splay=0.01),
    "bio-022": lambda: bird_v(1, 0.5),
    "bio-023": bird_v,
    "bio-024": lambda: bird_v(2, 0.7),
    "bio-025": lambda: _u([_ell(0.14, 0.12, 0.33, z=0.33), _ell(0.08, 0.08, 0.08, 0, -0.03, 0.7),
                           *[_at(box((0.07, 0.1, 0.025)), x, -0.06, 0.0125)
                             for x in (-0.06, 0.06)]]),
    "bio-026": lambda: critter_v(8),
    "bio-027": lambda: critter_v(6, 0.35),
    "bio-028": lambda: critter_v(6, 0.3),
    "bio-029": oak_v,
    "bio-030": lambda: tree_v("pine"),
    "bio-031": palm_v,
    "bio-032": skull_v,
    "bio-033": lambda: _ell(0.3, 0.22, 0.22, z=0.22),
    "bio-034": pumpkin_v,
    "bio-035": lambda: banana_v(),
    "bio-036": lambda: _ground(s._profile([(0, 0), (0.09, 0), (0.08, 0.3), (0, 0.9)],
                                          sections=12).apply_transform(s._Z_TO_X)),
    "bio-039": lambda: _u([s.donut(0.2, 0.05), _at(s.donut(0.12, 0.045), z=0.03),
                           _ell(0.06, 0.08, 0.04, 0.12, 0, 0.12)]),
    "bio-040": lambda: _u([_ell(0.3, 0.38, 0.1, z=0.1),
                           *[_ell(0.2, 0.07, 0.02, sgn * 0.33, y, 0.05)
                             for sgn in (-1, 1) for y in (-0.2, 0.22)],
                           _ell(0.07, 0.1, 0.06, 0, -0.45, 0.1)]),
    "bio-041": lambda: bowl_v(0.2, 0.12),
    "bio-042": figure_v,
    "bio-043": lambda: figure_v(True),
    "bio-044": butterfly_v,
    "bio-045": lambda: butterfly_v(0.9),
    "bio-046": maple_v,
    "bio-048": flower_stem_v,
    "bio-049": lambda: flower_stem_v(0.12, 0.55),
    "bio-053": lambda: ground_ellipsoid(0.22, 0.22, 0.17),
    "bio-055": lambda: bird_v(2, 0.5),
    "bio-056": sauropod_v,
    "bio-059": tortoise_v,
    "bio-061": lambda: _u([_ell(0.13, 0.13, 0.22, z=0.22),
                           s._profile([(0, 0.4), (0.12, 0.4), (0, 0.75)], sections=8)]),
    "bio-062": lambda: s._profile([(0, 0), (0.06, 0.01), (0.075, 0.05), (0.06, 0.1), (0.03, 0.15),
                                   (0.025, 0.18), (0.005, 0.2), (0, 0.2)]),
    "bio-065": crab_v,
    "bio-067": lambda: ground_ellipsoid(0.22, 0.25, 0.18),
    # world_knowledge_rare
    "wk-001": eiffel_v,
    "wk-002": torii_v,
    "wk-003": trilithon_v,
    "wk-004": cauldron_v,
    "wk-005": lambda: bevelled_cube(1.0, 0.04),
    "wk-006": windmill_v,
    "wk-007": pyramid_plinth,
    "wk-008": lambda: step_pyramid_v(5),
    "wk-009": pisa_v,
    "wk-010": lambda: _u([s.block(0.5, 0.35, 0.1), _at(box((0.4, 0.3, 0.8)), z=0.5),
                          _at(box((0.1, 0.1, 0.12)), 0, -0.18, 0.75)]),
    "wk-011": lighthouse_v,
    "wk-012": amphora_v,
    "wk-013": pagoda_v,
    "wk-014": igloo_v,
    "wk-015": lambda: _u([s._profile([(0, 0), (0.42, 0), (0, 0.85)], sections=16),
                          *[_rod([0, 0, 0.7], [0.08 * np.cos(t), 0.08 * np.sin(t), 1.0], 0.01, 6)
                            for t in 2 * np.pi * np.arange(5) / 5]]),
    "wk-016": lambda: _u([s._profile([(0, 0), (0.5, 0), (0.5, 0.3), (0.1, 0.45), (0.1, 0.48),
                                      (0, 0.48)], sections=48)]),
    "wk-018": obelisk_v,
    "wk-017": longship_v,
    "wk-021": abacus_v,
    "wk-019": stone_lantern_v,
    "wk-020": samovar_v,
    "wk-022": piano_v,
    "wk-023": harp_v,
    "wk-024": figurine_cat_v,
    "wk-025": matryoshka_v,
    "wk-026": clog_v,
    "wk-028": column_v,
    "wk-029": arc_v,
    "wk-030": taj_v,
    "wk-032": colosseum_v,
    "wk-033": elizabeth_tower_v,
    "wk-034": parthenon_v,
    "wk-035": lambda: _u([s.obelisk(1.0, 0.09), _at(box((0.03, 0.02, 0.04)), 0, -0.05, 0.02)]),
    "wk-038": lambda: _u([_at(box((0.14, 0.12, 0.3)), x, 0, 0.15) for x in (-0.13, 0.13)]
                         + [_at(box((0.45, 0.16, 0.12)), z=0.36), _at(box((0.8, 0.1, 0.1)),
                                                                     z=0.47),
                            _at(box((0.2, 0.14, 0.14)), z=0.59)]),
    "wk-036": saturn_v_v,
    "wk-042": swiss_knife_v,
    "wk-043": penny_farthing_v,
    "wk-040": lambda: _cat([s.vessel([(0.22, 0), (0.3, 0.07)], 0.01),
                          s._profile([(0, 0.069), (0.3, 0.069), (0.1, 0.2), (0.05, 0.38),
                                      (0.06, 0.42), (0, 0.44)])]),
    "wk-041": lambda: _u([s.plate(0.5, 0.035), _at(s.plate(0.5, 0.035), z=0.045),
                          s.plate(0.46, 0.08)]),
    "wk-044": lambda: _ground(_mobius()),
    "wk-045": trefoil_v,
    "wk-046": lambda: s.caltrop(0.4),
    "wk-047": hourglass_v,
    "wk-049": chariot_v,
    "wk-048": lambda: tripod_v(3, head=_u([_disc(0.08, 0.04, 0.99), _at(box((0.1, 0.2, 0.12)),
                                                                       z=1.08)])),
    "wk-052": lambda: _ground(trimesh.creation.icosahedron()),
    # stylized
    "sty-001": fox_v,
    "sty-002": voxel_tree_v,
    "sty-003": rocket_v,
    "sty-004": pawn_v,
    "sty-005": table_lamp_v,
    "sty-006": lambda: _u([s.donut(0.12, 0.05), _at(s.donut(0.12, 0.045), z=0.012)]),
    "sty-007": lambda: mug_d(0.05, 0.1, 0.012, 0.95),
    "sty-008": lambda: round_legged(3, (0.38, 0.38), 0.45, leg=0.03, round_top=True, splay=0.05),
    "sty-009": lambda: _u([s.block(1.0, 0.7, 0.1).apply_translation([0, 0, 0.6])]
                          + [_at(box((0.1, 0.1, 0.65)), x, y, 0.325) for x in (-0.45, 0.45)
                             for y in (-0.3, 0.3)]),
    "sty-010": lambda: vehicle_v(2, 1.0, 0.5, 0.13),
    "sty-011": brick_v,
    "sty-012": lambda: tree_v("pine"),
    "sty-013": sword_v,
    "sty-014": lambda: _u([s.block(0.6, 0.35, 0.25), _at(cylinder(radius=0.175, height=0.6,
                                                                   sections=24)
                                                          .apply_transform(s._Z_TO_X), z=0.25)]),
    "sty-015": lambda: star_bevel(5, r_in=0.22, height=0.06),
    "sty-016": sun_v,
    "sty-017": lambda: star_bevel(6, r_in=0.3, height=0.06),
    "sty-018": gingerbread_v,
    "sty-019": robot_v,
    "sty-020": mushroom_v,
    "sty-021": windmill_v,
    "sty-022": teacup_v,
    "sty-024": boat_v,
    "sty-025": lambda: s.vessel([(0.06, 0), (0.09, 0.08), (0.06, 0.2), (0.09, 0.3)], 0.008),
    "sty-026": lambda: round_legged(3, (0.36, 0.36), 0.44, round_top=True, splay=0.09),
    "sty-027": heart_v,
    "sty-029": house_v,
    "sty-030": lambda: s.snowman(3, separate=True),
    "sty-031": lambda: cake_v(3),
    "sty-032": anvil_v,
    "sty-033": spinning_top_v,
    "sty-035": lantern_v,
    "sty-036": column_v,
    "sty-037": rocking_horse_v,
    "sty-038": hydrant_v,
    "sty-039": balloon_dog_v,
    "sty-041": key_v,
    "sty-042": rocking_chair_v,
    "sty-043": birdhouse_v,
    "sty-044": ice_cream_v,
    "sty-045": origami_crane_v,
    "sty-046": lambda: s._profile([(0, 0), (0.045, 0), (0.045, 0.18), (0.03, 0.22),
                                   (0.015, 0.24), (0.015, 0.3), (0, 0.3)], sections=8),
    "sty-051": lambda: _u([flower_pot_v(False), _at(_ell(0.06, 0.06, 0.16), z=0.165)]),
    "sty-053": trophy_v,
    "sty-054": lambda: vehicle_v(2, 0.9, 0.45, 0.1),
    "sty-055": barrel_v,
    "sty-056": flower_pot_v,
    "sty-057": lambda: fan_v(3),
    "sty-058": lambda: _u([s.padlock(), _at(box((0.32, 0.13, 0.03)), z=0.06)]),
    "sty-059": lambda: vehicle_v(3, 1.3, 0.5),
    "sty-060": bucket_v,
    "sty-061": lambda: round_legged(4, (1.2, 0.8), 0.75, leg=0.04),
    "sty-062": lambda: quad_round(0.25, (0.24, 0.55, 0.22), leg_r=0.04, splay=0.0),
    "sty-063": lambda: ladder_v(4),
    "sty-064": lambda: shelf_v(3, height=1.0),
    "sty-065": lambda: gear_round(10),
    "sty-066": lambda: critter_v(8, 0.45),
    "sty-067": dumbbell_v,
    "sty-068": house_v,
    "sty-069": lighthouse_v,
    "sty-070": lambda: wine_glass_v(0.08),
    "sty-071": tripod_v,
    "sty-072": lambda: bird_v(2, 0.25),
    "sty-073": lambda: step_pyramid_v(3),
    "sty-074": lambda: _u([_disc(0.16 - 0.01 * i, 0.03, 0.03 * i) for i in range(3)]
                          + [_at(box((0.06, 0.06, 0.015)), z=0.097)]),
    "sty-075": tricycle_v,
    "sty-076": gem_ring_v,
    "sty-077": sparkle_v,
    "sty-078": lambda: crate(0.4),
    "sty-079": office_chair_v,
    "sty-080": mailbox_v,
    "sty-082": chair_slatted,
}


def _mobius(r: float = 0.4, w: float = 0.12, t: float = 0.03, n: int = 160) -> trimesh.Trimesh:
    """A thick Moebius band standing on its edge: a swept rectangle with a half twist."""
    u = np.linspace(0, 2 * np.pi, n, endpoint=False)
    corners = np.array([[-w / 2, -t / 2], [w / 2, -t / 2], [w / 2, t / 2], [-w / 2, t / 2]])
    verts = []
    for a in u:
        c, sn = np.cos(a / 2), np.sin(a / 2)
        for x, y in corners:
            rx, rz = c * x - sn * y, sn * x + c * y
            verts.append([(r + rx) * np.cos(a), (r + rx) * np.sin(a), rz])
    verts = np.array(verts)
    faces = []
    for i in range(n):
        j = (i + 1) % n
        for k in range(4):
            a0, a1 = 4 * i + k, 4 * i + (k + 1) % 4
            if j == 0:  # the half twist maps corner k onto corner (k + 2) % 4
                b0, b1 = 4 * j + (k + 2) % 4, 4 * j + (k + 3) % 4
            else:
                b0, b1 = 4 * j + k, 4 * j + (k + 1) % 4
            faces += [[a0, b0, b1], [a0, b1, a1]]
    m = trimesh.Trimesh(verts, faces, process=True)
    m.fix_normals()
    m.apply_transform(s._Z_TO_Y)
    return m


def build_variants(out: Path, case_ids: list[str] | None = None, fmt: str = "ply") -> Path:
    """Write the design-variant model folder (one ``<id>.<fmt>`` per covered case)."""
    ids = case_ids or list(VARIANTS)
    return write_model_folder(out, VARIANTS, ids, fmt, {
        "name": "mme3dr-variants",
        "notes": "different correct designs of the mme3dr prompts "
        "(mme3dr/examples/mme3dr_variants.py)",
        "cases_covered": len(ids),
    })


# ------------------------------------------------------------------ adversarial known answers


def _cyl(r: float, h: float, x: float = 0.0) -> trimesh.Trimesh:
    return _disc(r, h, 0.0, x, 0.0)


def _tower(sizes: list[float]) -> trimesh.Trimesh:
    parts, z = [], 0.0
    for a in sizes:
        parts.append(_at(box((a, a, a * 0.6)), z=z + a * 0.3))
        z += a * 0.6
    return _cat(parts)


def _sq_ring(r_out: float, r_in: float, h: float) -> trimesh.Trimesh:
    return _d(_disc(r_out, h, 0.0, sections=64), _disc(r_in, 1.0, -0.5, sections=64))


def _pyramid_ball(upside_down: bool) -> trimesh.Trimesh:
    pyr = s.pyramid(0.6, 0.5)
    ball = s.ball(0.12)
    if not upside_down:
        return _cat([pyr, _at(ball, z=0.5 - 0.005)])
    pyr.apply_transform(trimesh.transformations.rotation_matrix(np.pi, [1, 0, 0]))
    pyr.apply_translation([0, 0, -pyr.bounds[0, 2] + 0.24 - 0.005])
    return _cat([ball, pyr])


def _stool3(square: bool, splay: float = 0.0, n: int = 3) -> trimesh.Trimesh:
    seat = (_at(box((0.36, 0.36, 0.04)), z=0.43) if square else _disc(0.2, 0.04, 0.41))
    legs = []
    for x, y in _ring_xy(n, 0.14, np.pi / 2):
        rr = np.hypot(x, y)
        legs.append(_rod([x + splay * x / rr, y + splay * y / rr, 0.0], [x, y, 0.43], 0.018))
    return _u([seat, *legs])


#: case id -> (correct designs, the swapped or opposite object)
BINDINGS: dict[str, tuple[tuple[Builder, ...], Builder]] = {
    "adv-bind-003": ((lambda: _cat([_cyl(0.06, 1.0, -0.3), _cyl(0.25, 0.3, 0.15)]),
                      lambda: _cat([_cyl(0.1, 0.8, -0.3), _cyl(0.2, 0.4, 0.1)])),
                     lambda: _cat([_cyl(0.25, 1.0, -0.3), _cyl(0.06, 0.3, 0.15)])),
    "adv-bind-007": ((lambda: _sq_ring(0.5, 0.35, 0.15), lambda: _sq_ring(0.5, 0.42, 0.08)),
                     lambda: s.donut(0.4, 0.08)),
    "adv-bind-009": ((lambda: s.beside(s.block(0.4, 0.4, 0.3), s.block(0.15, 0.15, 0.8)),
                      lambda: s.beside(s.block(0.15, 0.12, 0.7), s.block(0.35, 0.3, 0.35))),
                     lambda: s.beside(s.block(0.4, 0.4, 0.8), s.block(0.15, 0.15, 0.3))),
    "adv-bind-010": ((lambda: _stool3(True), lambda: _stool3(True, 0.12)),
                     lambda: _stool3(False, 0.12)),
    "adv-bind-012": ((lambda: s.beside(s.ball(0.3), s.block(0.2, 0.2, 0.2), gap=0.1),
                      lambda: s.beside(s.ball(0.25), s.block(0.25, 0.15, 0.2), gap=0.3)),
                     lambda: s.beside(s.ball(0.1), s.block(0.5, 0.5, 0.5), gap=0.1)),
    "adv-bind-013": ((lambda: _tower([0.2, 0.3, 0.5]), lambda: _tower([0.3, 0.2, 0.5])),
                     lambda: _tower([0.3, 0.5, 0.2])),
    "adv-bind-014": ((lambda: _pyramid_ball(False),), lambda: _pyramid_ball(True)),
    "adv-neg-011": ((lambda: s.legged_table(4, top=(0.4, 0.4), height=0.45, leg=0.035),
                     lambda: round_legged(4, (0.42, 0.4), 0.46, leg=0.02, splay=0.04)),
                    s.chair),
}
