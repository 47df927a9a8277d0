"""``self_intersection``: faces do not cross other faces of the same mesh."""

from __future__ import annotations

from mme3dr.checks._measures import SELF_INTERSECTION_SAMPLE, intersecting_faces
from mme3dr.evaluators.base import Sample, Score
from mme3dr.evaluators.check import Check
from mme3dr.evaluators.fields import Fraction
from mme3dr.evaluators.registry import register


@register
class SelfIntersectionCheck(Check):
    """Faces do not cross other faces of the same mesh.

    ``value`` is the fraction of faces that intersect a face they share no vertex with (see
    :mod:`mme3dr.geometry.intersections`). Score: ``1 - min(1, fraction / 0.1)``. Passes when
    the fraction is at most ``max_fraction`` (default 0).
    """

    name = "self_intersection"
    suite = "physical"
    version = "1"
    weight = 1.0
    runs_by_default = True
    description = "no face crosses another face (graded by the fraction of intersecting faces)"
    robust_to = ("empty", "extreme_scale", "inverted_normals", "noise")
    schema = {"max_fraction": Fraction(0.0, zero_ok=True, as_float=True)}

    def evaluate(self, sample: Sample) -> Score:
        res = sample.asset.measure(intersecting_faces, max_faces=SELF_INTERSECTION_SAMPLE)
        frac = res.fraction
        est = " (estimated on a sample of faces)" if res.sampled else ""
        if res.n_intersecting == 0:
            reason = f"no self-intersections among {res.n_faces} faces{est}"
        else:
            reason = (
                f"{res.n_intersecting} of {res.n_tested} faces ({100.0 * frac:.1f}%) intersect "
                f"another face{est}"
            )
        return self.make_score(
            1.0 - min(1.0, frac / 0.1),
            value=frac,
            passed=frac <= self.values["max_fraction"],
            reason=reason,
            n_faces=res.n_faces,
            n_intersecting=res.n_intersecting,
            n_pairs=res.n_pairs,
            sampled=res.sampled,
        )
