"""``support_surface``: a flat, upward-facing, free surface in a height band."""

from __future__ import annotations

from mme3dr.evaluators import grading
from mme3dr.evaluators.base import Sample, Score
from mme3dr.evaluators.check import Check
from mme3dr.evaluators.fields import Fraction, Range, Resolution
from mme3dr.evaluators.registry import register
from mme3dr.geometry.voxels import DEFAULT_RESOLUTION, cached_voxels


@register
class SupportSurfaceCheck(Check):
    """A flat, upward-facing, free surface (seat, tabletop, shelf) in a height band (fractions
    of the height), at least ``min_area`` of the footprint, with ``clearance`` (fraction of the
    height) free above it."""

    name = "support_surface"
    suite = "functional"
    version = "1"
    weight = 1.0
    description = "largest flat upward-facing reachable level in the height band"
    robust_to = (
        "empty", "extreme_scale", "inverted_normals", "billboard", "noise", "one_view_silhouette",
    )
    schema = {
        "height": Range((0.0, 1.0), lower=0.0, upper=1.0, as_float=True),
        "min_area": Fraction(0.1),
        "clearance": Fraction(0.05),
        "resolution": Resolution(DEFAULT_RESOLUTION),
    }

    def evaluate(self, sample: Sample) -> Score:
        from mme3dr.geometry.surfaces import support_surface

        p = self.values
        grid = cached_voxels(sample.asset, int(p["resolution"]))
        lo, hi = p["height"]
        level = support_surface(grid, (lo, hi), clearance=float(p["clearance"]))
        band = f"between {lo:.0%} and {hi:.0%} of the height"
        if level is None:
            return self.make_score(
                0.0, value=0.0, passed=False, reason=f"no flat upward-facing surface {band}"
            )
        threshold = float(p["min_area"])
        score, passed = grading.threshold_grade(level.fraction, threshold)
        return self.make_score(
            score,
            value=round(level.fraction, 4),
            passed=passed,
            reason=(
                f"flat surface at {level.height_fraction:.0%} of the height covers "
                f"{level.fraction:.0%} of the footprint, expected >= {threshold:.0%} {band}"
            ),
            height_fraction=round(level.height_fraction, 4),
            area=round(level.area, 5),
        )
