"""Shared judgement helpers for the geometric checks: graded scores (parameters are validated
by the typed fields of :mod:`mme3dr.evaluators.fields`).

Graded scores (documented once, used by every check):

* **counts** (``expect``, or ``min`` and/or ``max``): with ``d`` the distance from the found
  count to the expected count (or to the allowed range), and ``ref`` the expected count (or the
  violated bound), ``score = exp(-K * d / max(1, ref))`` with ``K = 2``. Exact is 1.0; for an
  expected 4, off by one scores 0.61 and off by four 0.14; for an expected 1, off by one scores
  0.14. ``passed`` means ``d == 0``.
* **fractions with a threshold** (``min_fraction``, ``min_area``, ``min``): ``score =
  min(1, value / threshold)``, ``passed = value >= threshold``.
* **ranges** (``[lo, hi]`` ratios): 1.0 inside; outside, ``exp(-K * |log(value / bound)|)``
  with the nearest bound (a ratio off by a factor 1.5 scores 0.44).
* **margins** (relations, in normalised units): 1.0 when the margin is >= 0, else
  ``exp(margin / 0.1)`` (violated by 10 % of the object's size scores 0.37).
"""

from __future__ import annotations

import math

#: steepness of the graded scores.
K = 2.0


def count_grade(
    found: int, expect: int | None = None, min: int | None = None, max: int | None = None  # noqa: A002
) -> tuple[float, bool, str]:
    """``(score, passed, expectation text)`` for a found count (see the module docstring)."""
    if expect is not None:
        d, ref, text = abs(found - expect), expect, f"expected {expect}"
    else:
        d, ref = 0, 1
        if min is not None and found < min:
            d, ref = min - found, min
        if max is not None and found > max:
            d, ref = found - max, max
        if min is not None and max is not None:
            text = f"expected {min} to {max}"
        elif min is not None:
            text = f"expected at least {min}"
        else:
            text = f"expected at most {max}"
    return math.exp(-K * d / max_(1, ref)), d == 0, text


def max_(a: float, b: float) -> float:
    return a if a > b else b


def threshold_grade(value: float, threshold: float) -> tuple[float, bool]:
    """``(min(1, value / threshold), value >= threshold)``."""
    return min(1.0, value / threshold) if threshold > 0 else 1.0, value >= threshold


def range_grade(value: float, lo: float, hi: float) -> tuple[float, bool]:
    """1.0 inside ``[lo, hi]``, ``exp(-K |log(value / nearest bound)|)`` outside."""
    if lo <= value <= hi:
        return 1.0, True
    bound = lo if value < lo else hi
    if value <= 0 or bound <= 0:
        return 0.0, False
    return math.exp(-K * abs(math.log(value / bound))), False


def margin_grade(margin: float, scale: float = 0.1) -> tuple[float, bool]:
    """1.0 when ``margin >= 0``, else ``exp(margin / scale)``."""
    return (1.0, True) if margin >= 0 else (math.exp(margin / scale), False)
