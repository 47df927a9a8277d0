"""``floating_parts``: no part hangs in the air unsupported."""

from __future__ import annotations

import numpy as np

from mme3dr.checks._measures import components, floating
from mme3dr.evaluators.base import Sample, Score
from mme3dr.evaluators.check import Check
from mme3dr.evaluators.fields import Count, Fraction, Length
from mme3dr.evaluators.registry import register


@register
class FloatingPartsCheck(Check):
    """No part hangs in the air unsupported.

    A part (connected component) floats when it is not within ``tol`` of the ground and not
    connected through touching parts (within ``gap``) to a part that is. Score:
    ``1 - sqrt(area fraction floating)`` over every floating piece (1 % of the surface floating
    costs 0.1, 25 % costs 0.5).

    ``value`` counts the floating parts of at least ``min_area`` of the surface (default 0.1 %);
    smaller floating pieces are *debris* (the specks a grid decoder's marching cubes leaves
    around a thin feature, invisible in a render). Passes when at most ``max_floating`` parts
    float and all the debris together stays under ``min_area``: a speck or two passes, a
    cloud of shards does not.
    """

    name = "floating_parts"
    suite = "physical"
    # 2: parts touch by triangle-triangle distance (interpenetration counts)
    # 3: floating debris under min_area (in all) does not fail the check
    # 4: the wall of a sealed void is joined to its shell (a hollow solid does not float)
    version = "4"
    weight = 1.0
    runs_by_default = True
    description = "no disconnected part floats in the air (graded by the floating surface area)"
    robust_to = ("empty", "extreme_scale", "inverted_normals", "exploded")
    schema = {
        "tol": Length(0.01, upper=0.5, as_float=True),
        "gap": Length(0.005, upper=0.5, as_float=True),
        "max_floating": Count(0),
        "min_area": Fraction(0.001, upper=0.5),
    }

    def evaluate(self, sample: Sample) -> Score:
        tol, gap = self.values["tol"], self.values["gap"]
        min_area = float(self.values["min_area"])
        res = sample.asset.measure(floating, tol=tol, gap=gap)
        frac = res.floating_area_fraction
        score = 1.0 - float(np.sqrt(max(frac, 0.0)))
        n, labels = sample.asset.measure(components)
        area = np.bincount(labels, weights=sample.asset.mesh.area_faces, minlength=n)
        total = float(area.sum())
        share = area[res.floating] / total if total > 0 else np.zeros(len(res.floating))
        visible = res.floating[share >= min_area]
        debris_share = float(share[share < min_area].sum())
        n_debris = int((share < min_area).sum())
        k = len(visible)
        if res.n_floating == 0:
            reason = f"no floating parts: all {res.n_components} parts are supported by the ground"
        elif k == 0 and debris_share < min_area:
            reason = (
                f"no floating parts: {n_debris} floating speck(s) of debris, "
                f"{100.0 * debris_share:.2f}% of the surface area in all"
            )
        elif k == 0:
            reason = (
                f"{n_debris} floating pieces, each under {100 * min_area:g}% of the surface, "
                f"cover {100.0 * debris_share:.2f}% of it together"
            )
        else:
            reason = (
                f"{k} of {res.n_components} parts float (not touching the ground or a supported "
                f"part), {100.0 * frac:.1f}% of the surface area"
            )
        return self.make_score(
            score,
            value=k,
            passed=k <= self.values["max_floating"] and debris_share < min_area,
            reason=reason,
            n_components=res.n_components,
            floating_area_fraction=frac,
            floating=visible.tolist()[:50],
            debris=n_debris,
            debris_area_fraction=round(debris_share, 6),
        )
