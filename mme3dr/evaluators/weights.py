"""How the geometric checks of a case combine into a suite score: the one place for weights.

A suite score is the weighted mean of the scores of the checks (and default evaluators) of that
suite that produced a score (``score is None``, i.e. skipped or errored, is left out of the
mean and reported separately by the runner). Every check weighs 1.0 unless listed here; a case
may still list a check twice, each counting once.

Rationale for the defaults: every check is a pass/fail question the case author chose, so they
weigh equally; raise a weight here (not in evaluators) if one kind of check should dominate.
"""

from __future__ import annotations

from collections.abc import Iterable

from mme3dr.evaluators.base import Score

#: weight of each check in its suite score; names not listed weigh :data:`DEFAULT_WEIGHT`.
CHECK_WEIGHTS: dict[str, float] = {
    # spatial
    "ground_contacts": 1.0,
    "through_holes": 1.0,
    "horizontal_layers": 1.0,
    "parts": 1.0,
    "stacked": 1.0,
    "radial_count": 1.0,
    "symmetry": 1.0,
    "aspect": 1.0,
    "relation": 1.0,
    # functional
    "holds_liquid": 1.0,
    "support_surface": 1.0,
    "opening": 1.0,
}

DEFAULT_WEIGHT = 1.0


def check_weight(name: str) -> float:
    """The weight of check ``name`` in its suite score."""
    return CHECK_WEIGHTS.get(name, DEFAULT_WEIGHT)


def suite_score(scores: Iterable[Score]) -> float | None:
    """Weighted mean of the non-``None`` scores; ``None`` when none scored."""
    total = weight_sum = 0.0
    for s in scores:
        if s.score is None:
            continue
        w = check_weight(s.evaluator)
        total += w * s.score
        weight_sum += w
    return total / weight_sum if weight_sum > 0 else None
