"""``aspect``: proportions (height, length and width of the footprint rectangle)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mme3dr.evaluators import grading
from mme3dr.evaluators.base import Sample, Score
from mme3dr.evaluators.check import Check
from mme3dr.evaluators.fields import Range
from mme3dr.evaluators.registry import register
from mme3dr.geometry.proportions import RATIOS

if TYPE_CHECKING:
    from mme3dr.assets import Asset
    from mme3dr.geometry.proportions import Proportions


def asset_proportions(asset: Asset) -> Proportions:
    """Height and the minimum-area footprint rectangle of the mesh (length >= width)."""
    from mme3dr.geometry.proportions import proportions

    return proportions(asset.mesh)


@register
class AspectCheck(Check):
    """Proportions: height and the minimum-area footprint rectangle (length >= width); each
    given ratio must lie in its ``[lo, hi]`` (graded by
    :func:`~mme3dr.evaluators.grading.range_grade`, the worst ratio decides)."""

    name = "aspect"
    suite = "spatial"
    version = "1"
    weight = 1.0
    description = "height/width, height/length or length/width within [lo, hi]"
    robust_to = (
        "empty", "extreme_scale", "inverted_normals", "billboard", "near_empty",
        "one_view_silhouette",
    )
    schema = {ratio: Range(None, lower=0.0) for ratio in RATIOS}

    def validate(self, values: dict[str, Any]) -> dict[str, Any]:
        if all(v is None for v in values.values()):
            raise ValueError(f"aspect: give at least one of {', '.join(RATIOS)} as [lo, hi]")
        return values

    def evaluate(self, sample: Sample) -> Score:
        props = sample.asset.measure(asset_proportions)
        scores, texts, values, passed = [], [], {}, True
        for key, (lo, hi) in self.params.items():
            value = props.ratio(key)
            s, ok = grading.range_grade(value, lo, hi)
            scores.append(s)
            passed &= ok
            values[key] = round(value, 4)
            texts.append(f"{key.replace('_', ' ')} {value:.2f} (expected {lo:g} to {hi:g})")
        return self.make_score(
            min(scores),
            value=values if len(values) > 1 else next(iter(values.values())),
            passed=passed,
            reason="; ".join(texts),
            height=round(props.height, 4),
            length=round(props.length, 4),
            width=round(props.width, 4),
        )
