"""Evaluator classes and their registry; one module per suite."""

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
