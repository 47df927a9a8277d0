"""Evaluator classes and their registry: the evaluator contract (``base``), the check-unit
base and its typed parameter fields (``check``, ``fields``), the graded-score rules
(``grading``) and the learned evaluators, one module per suite. The weight-free checks are
units in :mod:`mme3dr.checks`, which build on this package (never the other way round).

Naming: a weight-free check class ends in ``Check`` (``StableCheck``), any other evaluator in
``Evaluator`` (``ClipScoreEvaluator``), a set metric in ``Metric`` (``ClipRPrecisionMetric``)."""

from mme3dr.evaluators.base import SUITES, Evaluator, Sample, Score
from mme3dr.evaluators.registry import build, default_evaluators, get, known_names, register

__all__ = [
    "SUITES",
    "Evaluator",
    "Sample",
    "Score",
    "build",
    "default_evaluators",
    "get",
    "known_names",
    "register",
]
