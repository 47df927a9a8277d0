"""``relation``: a spatial relation between two parts picked by selectors."""

from __future__ import annotations

from typing import Any

from mme3dr.checks._measures import parts
from mme3dr.evaluators import grading
from mme3dr.evaluators.base import Sample, Score
from mme3dr.evaluators.check import Check
from mme3dr.evaluators.fields import Choice, Fraction, Length, Text
from mme3dr.evaluators.registry import register
from mme3dr.geometry.relations import RELATIONS, parse_selector
from mme3dr.geometry.voxels import DEFAULT_RESOLUTION, cached_samples


@register
class RelationCheck(Check):
    """A spatial relation between two parts picked by selectors (``largest``, ``highest:2``...),
    judged on bounding boxes and surface distance (graded by
    :func:`~mme3dr.evaluators.grading.margin_grade`)."""

    name = "relation"
    suite = "spatial"
    version = "4"  # 4: parts v3; highest/lowest by trimmed heights; 3: trimmed margins
    weight = 1.0
    description = "part a <rel> part b, judged on bounding boxes and surface distance"
    robust_to = ("empty", "extreme_scale", "inverted_normals", "exploded", "convex_hull")
    schema = {
        "a": Text(validate=parse_selector, hint="part selector"),
        "b": Text(validate=parse_selector, hint="part selector"),
        "rel": Choice(options=RELATIONS),
        "tol": Length(0.02, upper=0.2),
        "min_area": Fraction(0.01, upper=0.5),
    }

    def validate(self, values: dict[str, Any]) -> dict[str, Any]:
        if values["a"] == values["b"]:
            raise ValueError(f"relation: 'a' and 'b' select the same part ({values['a']!r})")
        return values

    def evaluate(self, sample: Sample) -> Score:
        from mme3dr.geometry.relations import (
            gap_between,
            part_points,
            relation_margin,
            select_part,
        )

        p = self.values
        found = sample.asset.measure(parts, min_area=float(p["min_area"]))
        try:
            ia, ib = select_part(found, p["a"]), select_part(found, p["b"])
        except ValueError as exc:
            return self.make_score(0.0, value=None, passed=False, reason=str(exc),
                                   parts=found.count)
        if ia == ib:
            return self.make_score(
                0.0, passed=False, parts=found.count,
                reason=f"{p['a']!r} and {p['b']!r} are the same part ({found.count} parts)",
            )
        gap = float("inf")
        if p["rel"] in ("touching", "on_top_of"):
            samples = cached_samples(sample.asset, DEFAULT_RESOLUTION)
            mesh = sample.asset.mesh
            gap = gap_between(
                part_points(mesh, found, samples.points, samples.faces, ia),
                part_points(mesh, found, samples.points, samples.faces, ib),
            )
        margin = relation_margin(found, ia, ib, p["rel"], gap, float(p["tol"]))
        score, passed = grading.margin_grade(margin)
        verdict = "holds" if passed else f"fails by {-margin:.3f}"
        return self.make_score(
            score,
            value=round(margin, 4),
            passed=passed,
            reason=f"{p['a']} part {p['rel'].replace('_', ' ')} {p['b']} part: {verdict}",
            parts=found.count,
            gap=None if gap == float("inf") else round(gap, 4),
        )
