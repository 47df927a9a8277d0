"""``horizontal_layers``: distinct flat upward-facing levels (shelves, tiers, steps)."""

from __future__ import annotations

from mme3dr.evaluators.base import Sample, Score
from mme3dr.evaluators.check import COUNT, CountCheck
from mme3dr.evaluators.fields import Fraction, Resolution
from mme3dr.evaluators.registry import register
from mme3dr.geometry.voxels import DEFAULT_RESOLUTION, cached_voxels


@register
class HorizontalLayersCheck(CountCheck):
    """Distinct flat upward-facing levels (shelves, tiers, steps) in the shared voxel grid,
    each larger than ``min_area`` (fraction of the footprint)."""

    name = "horizontal_layers"
    suite = "spatial"
    version = "1"
    weight = 1.0
    noun = "horizontal layer"
    description = "flat upward-facing levels larger than min_area (fraction of the footprint)"
    robust_to = (
        "empty", "extreme_scale", "inverted_normals", "billboard", "near_empty", "noise",
        "convex_hull",
    )
    schema = {"min_area": Fraction(0.1), "resolution": Resolution(DEFAULT_RESOLUTION), **COUNT}

    def evaluate(self, sample: Sample) -> Score:
        from mme3dr.geometry.surfaces import horizontal_layers

        grid = cached_voxels(sample.asset, int(self.values["resolution"]))
        found = horizontal_layers(grid, min_fraction=float(self.values["min_area"]))
        return self.graded(
            len(found),
            heights=[round(lv.height_fraction, 3) for lv in found],
            areas=[round(lv.fraction, 3) for lv in found],
        )
