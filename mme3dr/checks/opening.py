"""``opening``: the shape is open in a direction (open box vs closed box)."""

from __future__ import annotations

from mme3dr.evaluators import grading
from mme3dr.evaluators.base import Sample, Score
from mme3dr.evaluators.check import Check
from mme3dr.evaluators.fields import Choice, Fraction, Resolution
from mme3dr.evaluators.registry import register
from mme3dr.geometry.containment import DIRECTIONS
from mme3dr.geometry.voxels import DEFAULT_RESOLUTION, cached_voxels


@register
class OpeningCheck(Check):
    """The shape is open in ``direction`` (open box vs closed box): a sideways-enclosed cavity
    visible from that direction of at least ``min_fraction`` of the bounding volume."""

    name = "opening"
    suite = "functional"
    version = "1"
    weight = 1.0
    description = "volume of the cavity open towards direction (up, down or side)"
    robust_to = (
        "empty", "extreme_scale", "inverted_normals", "billboard", "exploded", "near_empty",
        "noise", "convex_hull", "one_view_silhouette",
    )
    schema = {
        "direction": Choice("up", options=DIRECTIONS),
        "min_fraction": Fraction(0.02),
        "resolution": Resolution(DEFAULT_RESOLUTION),
    }

    def evaluate(self, sample: Sample) -> Score:
        from mme3dr.geometry.containment import open_volume

        p = self.values
        grid = cached_voxels(sample.asset, int(p["resolution"]))
        volume, fraction = open_volume(grid, p["direction"])
        threshold = float(p["min_fraction"])
        score, passed = grading.threshold_grade(fraction, threshold)
        return self.make_score(
            score,
            value=round(fraction, 4),
            passed=passed,
            reason=(
                f"cavity open {p['direction']} fills {fraction:.1%} of the bounding volume, "
                f"expected >= {threshold:.1%}"
            ),
            volume=round(volume, 5),
        )
