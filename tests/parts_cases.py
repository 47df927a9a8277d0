"""Known-answer shapes for the ``parts``, ``stacked`` and ``relation`` checks.

``KNOWN`` maps a name to ``(builder, checks, generator_too)``: ``checks`` are the case-style
check dicts whose answer is known by construction, and ``generator_too`` says whether a
generator-style export (``generator_style.py``: the parts fused into one surface) must give the
same answers. It is ``False`` only where the clean answer comes from modelling alone (a table
whose legs are separate meshes has 5 parts; fused, a person sees one table). Used by
``tests/test_parts.py`` and ``scripts/measure_parts.py``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import shapes as S
import trimesh
from trimesh.creation import capsule, cylinder, icosphere

from mme3dr.examples import shapes as E


def two_spheres(gap: float = 0.0, radius: float = 0.25) -> trimesh.Trimesh:
    """Two equal spheres side by side along X, ``gap`` apart (a fraction of the pair's width
    is ``gap / (4 * radius + gap)``)."""
    return trimesh.util.concatenate([
        icosphere(3, radius=radius).apply_translation([s * (radius + gap / 2), 0, radius])
        for s in (-1, 1)
    ])


def dumbbell(bar: float, radius: float = 0.25, length: float = 1.0) -> trimesh.Trimesh:
    """Two spheres joined by a bar of radius ``bar * radius`` (one fused body)."""
    bells = [icosphere(3, radius=radius).apply_translation([s * length / 2, 0, radius])
             for s in (-1, 1)]
    rod = cylinder(radius=bar * radius, height=length, sections=32)
    rod.apply_transform(trimesh.transformations.rotation_matrix(np.pi / 2, [0, 1, 0]))
    rod.apply_translation([0, 0, radius])
    return trimesh.boolean.union([*bells, rod], engine="manifold")


def waisted_tube(waist: float, length: float = 1.0, radius: float = 0.2,
                 width: float = 0.2) -> trimesh.Trimesh:
    """A lying solid of revolution (axis X) whose radius narrows smoothly to ``waist`` of
    ``radius`` at its middle (a Gaussian profile of ``width``): one body, like a knotted tube,
    a shaft or a stem that thins gradually."""
    z = np.linspace(0.0, length, 81)
    r = radius * (1.0 - (1.0 - waist) * np.exp(-(((z - length / 2) / width) ** 2)))
    profile = np.r_[[[0.0, 0.0]], np.c_[r, z], [[0.0, length]]]
    mesh = trimesh.creation.revolve(profile, sections=48)
    mesh.apply_transform(trimesh.transformations.rotation_matrix(np.pi / 2, [0, 1, 0]))
    return mesh


def lying_capsule() -> trimesh.Trimesh:
    c = capsule(height=1.0, radius=0.25)
    c.apply_transform(trimesh.transformations.rotation_matrix(np.pi / 2, [0, 1, 0]))
    c.apply_translation([0, 0, 0.25 - c.bounds[0, 2]])
    return c


def ring_on_rim(minor: float = 0.1) -> trimesh.Trimesh:
    """A torus standing on its rim (axis horizontal, like a wheel): one body. Above the floor
    of its hole the slice area steps down, and the arch above stands on the two sides."""
    ring = trimesh.creation.torus(major_radius=0.4 - minor, minor_radius=minor,
                                  major_sections=64, minor_sections=24)
    ring.apply_transform(trimesh.transformations.rotation_matrix(np.pi / 2, [1, 0, 0]))
    ring.apply_translation([0, 0, -ring.bounds[0, 2]])
    return ring


def _rel(a: str, b: str, rel: str) -> dict:
    return {"check": "relation", "a": a, "b": b, "rel": rel}


def _n(check: str, expect: int) -> dict:
    return {"check": check, "expect": expect}


ON_TOP = _rel("highest", "lowest", "on_top_of")

KNOWN: dict[str, tuple[Callable[[], trimesh.Trimesh], list[dict], bool]] = {
    "ball_on_cube": (S.ball_on_cube, [
        _n("parts", 2), _n("stacked", 2), _rel("smallest", "largest", "on_top_of"),
        _rel("smallest", "largest", "above"), _rel("largest", "smallest", "below"),
        _rel("smallest", "largest", "touching")], True),
    "cube_tower_3": (lambda: S.cube_tower(3), [
        _n("parts", 3), _n("stacked", 3), _rel("highest", "lowest", "above"),
        _rel("largest:2", "largest", "on_top_of")], True),
    "cube_tower_2": (lambda: S.cube_tower(2), [_n("parts", 2), _n("stacked", 2)], True),
    "block_tower_4": (lambda: E.tower(4, size=0.3, shrink=0.8), [
        _n("parts", 4), _n("stacked", 4)], True),
    "snowman": (lambda: E.snowman(3), [_n("parts", 3), _n("stacked", 3)], True),
    "spheres_touching": (two_spheres, [
        _n("parts", 2), _n("stacked", 1), _rel("largest", "largest:2", "touching")], True),
    "spheres_1.5pc_apart": (lambda: two_spheres(0.015 * 1.015), [_n("parts", 2)], True),
    "cube_on_sphere": (lambda: E.on_top(E.cube(0.25), E.ball(0.15)), [
        _n("parts", 2), ON_TOP], True),
    "lamp_on_table": (lambda: E.on_top(E.lamp(), E.legged_table(4, top=(0.8, 0.6))), [
        _n("parts", 2), _n("stacked", 2), ON_TOP], True),
    "chair_on_table": (lambda: E.on_top(E.chair(), E.legged_table(4, (1.0, 0.8), thickness=0.1)), [
        _n("parts", 2), ON_TOP], True),
    "side_by_side": (S.side_by_side, [
        _n("parts", 2), _n("stacked", 1), _rel("smallest", "largest", "beside")], True),
    "sphere": (S.sphere, [_n("parts", 1), _n("stacked", 1)], True),
    "capsule": (lying_capsule, [_n("parts", 1)], True),
    "torus": (S.torus_ring, [_n("parts", 1)], True),
    "ring_on_rim": (ring_on_rim, [_n("parts", 1)], True),
    "thick_ring_on_rim": (lambda: ring_on_rim(0.16), [_n("parts", 1)], True),
    "mug": (S.mug, [_n("parts", 1)], True),
    "dumbbell_thick_bar": (lambda: dumbbell(0.7), [_n("parts", 1)], True),
    "dumbbell_thin_bar": (lambda: dumbbell(0.3), [_n("parts", 1)], True),
    "waisted_tube": (lambda: waisted_tube(0.4), [_n("parts", 1)], True),
    "table_fused": (lambda: S.table(4, True), [_n("parts", 1), _n("stacked", 1)], True),
    "stool_fused": (lambda: S.stool(3, True), [_n("parts", 1)], True),
    "lamp": (E.lamp, [_n("parts", 1)], True),
    "chair": (E.chair, [_n("parts", 1)], True),
    "staircase": (lambda: S.staircase(3), [_n("parts", 1)], True),
    "table_separate_legs": (lambda: S.table(4), [_n("parts", 5), _n("stacked", 2)], False),
}
