"""``radial_count``: radial protrusions around the vertical axis."""

from __future__ import annotations

from mme3dr.evaluators.base import Sample, Score
from mme3dr.evaluators.check import COUNT, CountCheck
from mme3dr.evaluators.fields import Fraction
from mme3dr.evaluators.registry import register
from mme3dr.geometry.voxels import DEFAULT_RESOLUTION, cached_samples, cached_voxels


@register
class RadialCountCheck(CountCheck):
    """Radial protrusions around the vertical axis (gear teeth, star points, petals): peaks of
    the top-view outline radius profile with at least ``min_prominence`` (fraction of the
    largest radius)."""

    name = "radial_count"
    suite = "spatial"
    version = "1"
    weight = 1.0
    noun = "radial protrusion"
    description = "peaks of the top-view outline radius profile"
    robust_to = (
        "empty", "extreme_scale", "inverted_normals", "billboard", "near_empty", "noise",
        "convex_hull",
    )
    schema = {"min_prominence": Fraction(0.1), **COUNT}

    def evaluate(self, sample: Sample) -> Score:
        from mme3dr.geometry.radial import radial_profile, silhouette_centroid

        grid = cached_voxels(sample.asset, DEFAULT_RESOLUTION)
        samples = cached_samples(sample.asset, DEFAULT_RESOLUTION)
        prof = radial_profile(
            samples.points,
            silhouette_centroid(grid),
            min_prominence=float(self.values["min_prominence"]),
        )
        return self.graded(prof.count, prominences=[round(float(p), 3) for p in prof.prominences])
