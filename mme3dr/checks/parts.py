"""``parts``: separate bodies, ignoring debris."""

from __future__ import annotations

from mme3dr.checks._measures import parts
from mme3dr.evaluators.base import Sample, Score
from mme3dr.evaluators.check import COUNT, CountCheck
from mme3dr.evaluators.fields import Fraction
from mme3dr.evaluators.registry import register


@register
class PartsCheck(CountCheck):
    """Separate bodies (mesh components split into the bodies of the solid voxel grid),
    ignoring debris below ``min_area`` of the surface area."""

    name = "parts"
    suite = "spatial"
    version = "3"  # 3: a resting cut needs a one-piece footprint; 2: a sealed void's wall
    weight = 1.0
    noun = "part"
    description = "connected components larger than min_area (fraction of the surface area)"
    robust_to = ("empty", "extreme_scale", "inverted_normals", "exploded")
    schema = {"min_area": Fraction(0.01, upper=0.5), **COUNT}

    def evaluate(self, sample: Sample) -> Score:
        found = sample.asset.measure(parts, min_area=float(self.values["min_area"]))
        return self.graded(found.count, debris=found.debris)
