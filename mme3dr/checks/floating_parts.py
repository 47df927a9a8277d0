"""``floating_parts``: no part hangs in the air unsupported."""

from __future__ import annotations

import numpy as np

from mme3dr.checks._measures import floating
from mme3dr.evaluators.base import Sample, Score
from mme3dr.evaluators.check import Check
from mme3dr.evaluators.fields import Count, Length
from mme3dr.evaluators.registry import register


@register
class FloatingPartsCheck(Check):
    """No part hangs in the air unsupported.

    A part (connected component) floats when it is not within ``tol`` of the ground and not
    connected through touching parts (within ``gap``) to a part that is. ``value`` is the number
    of floating parts. Score: ``1 - sqrt(area fraction floating)`` (1 % of the surface floating
    costs 0.1, 25 % costs 0.5). Passes when at most ``max_floating`` parts float (default 0).
    """

    name = "floating_parts"
    suite = "physical"
    version = "2"  # 2: parts touch by triangle-triangle distance (interpenetration counts)
    weight = 1.0
    runs_by_default = True
    description = "no disconnected part floats in the air (graded by the floating surface area)"
    robust_to = ("empty", "extreme_scale", "inverted_normals", "exploded")
    schema = {
        "tol": Length(0.01, upper=0.5, as_float=True),
        "gap": Length(0.005, upper=0.5, as_float=True),
        "max_floating": Count(0),
    }

    def evaluate(self, sample: Sample) -> Score:
        tol, gap = self.values["tol"], self.values["gap"]
        res = sample.asset.measure(floating, tol=tol, gap=gap)
        frac = res.floating_area_fraction
        score = 1.0 - float(np.sqrt(max(frac, 0.0)))
        k = res.n_floating
        if k == 0:
            reason = f"no floating parts: all {res.n_components} parts are supported by the ground"
        else:
            reason = (
                f"{k} of {res.n_components} parts float (not touching the ground or a supported "
                f"part), {100.0 * frac:.1f}% of the surface area"
            )
        return self.make_score(
            score,
            value=k,
            passed=k <= self.values["max_floating"],
            reason=reason,
            n_components=res.n_components,
            floating_area_fraction=frac,
            floating=res.floating.tolist()[:50],
        )
