"""``upright``: the object rests in a plausible pose (a case check, not a default)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mme3dr.evaluators.base import Sample, Score
from mme3dr.evaluators.check import Check
from mme3dr.evaluators.fields import Choice, Number
from mme3dr.evaluators.registry import register

if TYPE_CHECKING:
    from mme3dr.assets import Asset
    from mme3dr.geometry.stability import Upright


def pose(asset: Asset) -> Upright:
    """Aspect, flat base and centre-of-mass height of the mesh's resting pose."""
    from mme3dr.geometry.stability import upright

    return upright(asset.mesh)


def pct(x: float) -> str:
    return f"{100.0 * x:.1f}%"


@register
class UprightCheck(Check):
    """The object rests in a plausible pose.

    Without ``expect``: an object with flat sides should rest on a flat base: score =
    ``min(1, base_ratio / 0.5)`` where ``base_ratio`` is the area of the flat base of its convex
    hull over its footprint area (a box, a standing bottle, a table on its legs score 1; a
    bottle lying down or a box tipped on its edge score near 0); objects without flat sides (a
    sphere) score 1. Passes when ``base_ratio >= 0.25``. This says nothing about which end is
    up: an upside-down table also rests on a flat base.

    Not run by default (only as a case check): without knowing the object, "rests on a flat
    base" wrongly fails correct shapes such as a ring standing on its rim, a ball, or a stool
    whose three feet span a third of its footprint.

    ``expect="tall"``: height over the larger horizontal extent should reach ``min_aspect``
    (default 1); score = ``min(1, aspect / min_aspect)``. ``expect="wide"``: the inverse
    (width over height should reach ``min_aspect``).
    """

    name = "upright"
    suite = "physical"
    version = "1"
    weight = 1.0
    runs_by_default = False  # a case check: see the class docstring
    description = "rests on a flat base (or is tall/wide as expected)"
    schema = {
        "expect": Choice(None, options=("tall", "wide")),
        "min_aspect": Number(1.0, lower=0.0, lower_open=True, as_float=True),
    }

    def evaluate(self, sample: Sample) -> Score:
        up = sample.asset.measure(pose)
        expect = self.values["expect"]
        need = self.values["min_aspect"]
        details = {
            "aspect": up.aspect,
            "com_height_ratio": up.com_height_ratio,
            "base_ratio": up.base_ratio,
            "has_flat_side": up.has_flat_side,
        }
        if expect == "tall":
            ok = up.aspect >= need
            reason = (
                f"height is {up.aspect:.2f} times the width (expected tall, at least {need:g})"
            )
            return self.make_score(
                min(1.0, up.aspect / need), value=up.aspect, passed=ok, reason=reason, **details
            )
        if expect == "wide":
            inv = 1.0 / up.aspect if up.aspect > 0 else float("inf")
            ok = inv >= need
            reason = f"width is {inv:.2f} times the height (expected wide, at least {need:g})"
            return self.make_score(min(1.0, inv / need), value=inv, passed=ok, reason=reason,
                                   **details)
        if not up.has_flat_side:
            reason = (
                f"no broad flat side to stand on; centre of mass at {pct(up.com_height_ratio)} "
                "of the height"
            )
            return self.make_score(1.0, value=up.base_ratio, passed=True, reason=reason, **details)
        ok = up.base_ratio >= 0.25
        reason = (
            f"rests on a flat base covering {pct(up.base_ratio)} of its footprint; centre of "
            f"mass at {pct(up.com_height_ratio)} of the height"
        )
        return self.make_score(
            min(1.0, up.base_ratio / 0.5), value=up.base_ratio, passed=ok, reason=reason, **details
        )
