"""Functional-suite checks: can the object do what its kind is for (hold water, support things,
open)? Measured on the shared sealed voxel grid (``Asset.cached`` key ``voxels:<resolution>``);
see ``docs/checks.md`` and :mod:`mme3dr.evaluators.grading` for the scoring rules.
"""

from __future__ import annotations

from typing import Any

from mme3dr.evaluators import grading
from mme3dr.evaluators.base import Evaluator, Sample, Score
from mme3dr.evaluators.registry import register
from mme3dr.geometry.voxels import DEFAULT_RESOLUTION, cached_voxels


@register
class HoldsLiquidCheck(Evaluator):
    """Upright, water poured from above is retained: the retained volume over the bounding
    volume must reach ``min_fraction``."""

    name = "holds_liquid"
    suite = "functional"
    description = "fraction of the bounding volume that keeps water poured from above"
    robust_to = (
        "empty", "extreme_scale", "inverted_normals", "billboard", "exploded", "near_empty",
        "noise", "convex_hull", "one_view_silhouette",
    )

    def __init__(self, *, min_fraction: float = 0.02, resolution: int = DEFAULT_RESOLUTION):
        grading.validate_fraction("holds_liquid", "min_fraction", min_fraction)
        grading.validate_resolution("holds_liquid", resolution)
        super().__init__(min_fraction=min_fraction, resolution=resolution)

    def evaluate(self, sample: Sample) -> Score:
        from mme3dr.geometry.containment import retained_water

        res = int(self.params["resolution"])
        grid = cached_voxels(sample.asset, res)
        water = sample.asset.cached(f"retained_water:{res}", lambda: retained_water(grid))
        threshold = float(self.params["min_fraction"])
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


@register
class SupportSurfaceCheck(Evaluator):
    """A flat, upward-facing, free surface (seat, tabletop, shelf) in a height band, at least
    ``min_area`` of the footprint."""

    name = "support_surface"
    suite = "functional"
    description = "largest flat upward-facing reachable level in the height band"
    robust_to = (
        "empty", "extreme_scale", "inverted_normals", "billboard", "noise", "one_view_silhouette",
    )

    def __init__(
        self,
        *,
        height: list[float] | tuple[float, float] = (0.0, 1.0),
        min_area: float = 0.1,
        clearance: float = 0.05,
        resolution: int = DEFAULT_RESOLUTION,
    ):
        band = grading.validate_range("support_surface", "height", height, 0.0, 1.0)
        grading.validate_fraction("support_surface", "min_area", min_area)
        grading.validate_fraction("support_surface", "clearance", clearance)
        grading.validate_resolution("support_surface", resolution)
        super().__init__(
            height=list(band), min_area=min_area, clearance=clearance, resolution=resolution
        )

    def evaluate(self, sample: Sample) -> Score:
        from mme3dr.geometry.surfaces import support_surface

        p = self.params
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


@register
class OpeningCheck(Evaluator):
    """The shape is open in ``direction`` (open box vs closed box): a sideways-enclosed cavity
    visible from that direction of at least ``min_fraction`` of the bounding volume."""

    name = "opening"
    suite = "functional"
    description = "volume of the cavity open towards direction (up, down or side)"
    robust_to = (
        "empty", "extreme_scale", "inverted_normals", "billboard", "exploded", "near_empty",
        "noise", "convex_hull", "one_view_silhouette",
    )

    def __init__(
        self,
        *,
        direction: str = "up",
        min_fraction: float = 0.02,
        resolution: int = DEFAULT_RESOLUTION,
    ):
        from mme3dr.geometry.containment import DIRECTIONS

        if direction not in DIRECTIONS:
            raise ValueError(
                f"opening: 'direction' must be one of {', '.join(DIRECTIONS)}, got {direction!r}"
            )
        grading.validate_fraction("opening", "min_fraction", min_fraction)
        grading.validate_resolution("opening", resolution)
        super().__init__(direction=direction, min_fraction=min_fraction, resolution=resolution)

    def evaluate(self, sample: Sample) -> Score:
        from mme3dr.geometry.containment import open_volume

        p: dict[str, Any] = self.params
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
