"""``holds_liquid``: upright, water poured from above is retained."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mme3dr.evaluators import grading
from mme3dr.evaluators.base import Sample, Score
from mme3dr.evaluators.check import Check
from mme3dr.evaluators.fields import Fraction, Resolution
from mme3dr.evaluators.registry import register
from mme3dr.geometry.voxels import DEFAULT_RESOLUTION, cached_voxels

if TYPE_CHECKING:
    from mme3dr.assets import Asset
    from mme3dr.geometry.containment import Retention


def retained(asset: Asset, resolution: int) -> Retention:
    """Water poured from above that the sealed voxel grid at ``resolution`` retains."""
    from mme3dr.geometry.containment import retained_water

    return retained_water(cached_voxels(asset, resolution))


@register
class HoldsLiquidCheck(Check):
    """Upright, water poured from above is retained: the retained volume over the bounding
    volume must reach ``min_fraction`` (graded by
    :func:`~mme3dr.evaluators.grading.threshold_grade`)."""

    name = "holds_liquid"
    suite = "functional"
    version = "1"
    weight = 1.0
    description = "fraction of the bounding volume that keeps water poured from above"
    robust_to = (
        "empty", "extreme_scale", "inverted_normals", "billboard", "exploded", "near_empty",
        "noise", "convex_hull", "one_view_silhouette",
    )
    schema = {"min_fraction": Fraction(0.02), "resolution": Resolution(DEFAULT_RESOLUTION)}

    def evaluate(self, sample: Sample) -> Score:
        water = sample.asset.measure(retained, resolution=int(self.values["resolution"]))
        threshold = float(self.values["min_fraction"])
        score, passed = grading.threshold_grade(water.fraction, threshold)
        reason = f"retains {water.fraction:.1%} of its bounding volume, expected >= {threshold:.1%}"
        if water.sealed_volume > 0 and not passed:
            reason += " (a basin exists but cannot be filled from above)"
        return self.make_score(
            score,
            value=round(water.fraction, 4),
            passed=passed,
            reason=reason,
            volume=round(water.volume, 5),
            pools=water.pools,
        )
