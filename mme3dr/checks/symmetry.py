"""``symmetry``: mirror symmetry about a vertical plane or n-fold rotational symmetry."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from mme3dr.evaluators.base import Sample, Score
from mme3dr.evaluators.check import Check
from mme3dr.evaluators.fields import Choice, Fraction, Integer, Length
from mme3dr.evaluators.registry import register
from mme3dr.geometry.voxels import DEFAULT_RESOLUTION, cached_samples, cached_voxels

if TYPE_CHECKING:
    from mme3dr.assets import Asset


def surface_points(asset: Asset) -> np.ndarray:
    """The surface points the symmetry overlap is measured on
    (:func:`~mme3dr.geometry.symmetry.symmetry_points` on the shared 64-voxel grid)."""
    from mme3dr.geometry.symmetry import symmetry_points

    grid = cached_voxels(asset, DEFAULT_RESOLUTION)
    return symmetry_points(grid, cached_samples(asset, DEFAULT_RESOLUTION))


@register
class SymmetryCheck(Check):
    """Mirror symmetry about a vertical plane, or n-fold rotational symmetry about the vertical
    axis: the fraction of transformed surface points landing back on the surface, and no
    asymmetric feature (a part with no counterpart farther than ``tol`` from the surface)
    of ``max_feature`` or more across.

    Score: ``clip((overlap - 0.3) / (min - 0.3), 0, 1)``, capped when an asymmetric feature
    reaches ``max_feature`` at ``1 - feature / (4 max_feature)`` (0.75 at the limit)."""

    name = "symmetry"
    suite = "spatial"
    version = "1"
    weight = 1.0
    description = "self-overlap under the best vertical mirror or the n-fold rotation"
    robust_to = ("empty", "extreme_scale", "inverted_normals")
    # max_feature and tol are recorded only when not the defaults, so existing records keep
    # their parameters; order defaults to 2 for kind="rotational" and applies to it only
    schema = {
        "kind": Choice("mirror", options=("mirror", "rotational")),
        "order": Integer(None, minimum=2, absent="2 if rotational"),
        "min": Fraction(0.9),
        "max_feature": Fraction(0.05, record="non_default"),
        "tol": Length(0.04, upper=0.2, record="non_default"),
    }

    #: overlap at which the score is 0 (what an unrelated shape typically reaches).
    FLOOR: ClassVar[float] = 0.3

    def validate(self, values: dict[str, Any]) -> dict[str, Any]:
        if values["kind"] == "rotational":
            if values["order"] is None:
                values["order"] = 2
        elif values["order"] is not None:
            raise ValueError("symmetry: 'order' applies to kind='rotational' only")
        return values

    def evaluate(self, sample: Sample) -> Score:
        from mme3dr.geometry.symmetry import mirror_symmetry, rotational_symmetry

        asset = sample.asset
        grid = cached_voxels(asset, DEFAULT_RESOLUTION)
        points = asset.measure(surface_points)
        v = self.values
        threshold, max_feature, tol = float(v["min"]), float(v["max_feature"]), float(v["tol"])
        if v["kind"] == "mirror":
            res = mirror_symmetry(grid, points, tol)
            what = "mirror symmetry"
        else:
            res = rotational_symmetry(grid, points, int(v["order"]), tol)
            what = f"{v['order']}-fold rotational symmetry"
        span = max(threshold - self.FLOOR, 1e-6)
        score = min(1.0, max(0.0, (res.overlap - self.FLOOR) / span))
        broken = res.feature >= max_feature
        if broken:
            # at the limit 0.75, falling to 0 for a feature four times the limit
            score = min(score, max(0.0, 1.0 - res.feature / (4 * max_feature)))
        passed = res.overlap >= threshold and not broken
        reason = f"{what}: {res.overlap:.0%} self-overlap, expected at least {threshold:.0%}"
        if broken:
            reason += (
                f"; an asymmetric feature {res.feature:.0%} across has no counterpart "
                f"(allowed < {max_feature:.0%})"
            )
        return self.make_score(
            score,
            value=round(res.overlap, 4),
            passed=passed,
            reason=reason,
            angle_deg=round(float(res.angle) * 180 / math.pi, 1),
            feature=round(res.feature, 4),
        )
