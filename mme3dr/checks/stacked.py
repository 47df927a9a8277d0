"""``stacked``: the longest chain of parts resting one on another."""

from __future__ import annotations

from typing import Any

from mme3dr.checks._measures import parts
from mme3dr.evaluators.base import Sample, Score
from mme3dr.evaluators.check import COUNT, CountCheck
from mme3dr.evaluators.fields import Fraction, Length
from mme3dr.evaluators.registry import register
from mme3dr.geometry.voxels import DEFAULT_RESOLUTION, cached_samples


@register
class StackedCheck(CountCheck):
    """Bodies stacked on each other: the longest chain of parts resting one on another
    (within ``tol``, normalised units)."""

    name = "stacked"
    suite = "spatial"
    version = "4"  # 4: parts v3 (one-piece footprint); 3: trimmed heights (Parts.zlo)
    weight = 1.0
    noun = "stacked bod"
    description = "length of the longest chain of parts resting on one another"
    robust_to = (
        "empty", "extreme_scale", "inverted_normals", "exploded", "convex_hull",
        "duplicate_stacked",
    )
    schema = {"tol": Length(0.02, upper=0.2), "min_area": Fraction(0.01, upper=0.5), **COUNT}

    def graded(self, found: int, **details: Any) -> Score:
        score = super().graded(found, **details)
        score.reason = score.reason.replace("stacked bods", "stacked bodies").replace(
            "stacked bod,", "stacked body,"
        )
        return score

    def evaluate(self, sample: Sample) -> Score:
        from mme3dr.geometry.relations import stacking

        found = sample.asset.measure(parts, min_area=float(self.values["min_area"]))
        samples = cached_samples(sample.asset, DEFAULT_RESOLUTION)
        chain = stacking(
            sample.asset.mesh, found, samples.points, samples.faces, tol=float(self.values["tol"])
        )
        return self.graded(len(chain), chain=chain, parts=found.count)
