"""Evaluators that misbehave on purpose, for the worker-budget tests (MME3DR_PLUGINS)."""

from __future__ import annotations

import os
import time

import numpy as np

from mme3dr.evaluators.base import Evaluator, Sample, Score
from mme3dr.evaluators.registry import register


@register
class SleepForever(Evaluator):
    name = "test_sleep"
    suite = "spatial"

    def evaluate(self, sample: Sample) -> Score:
        time.sleep(3600)
        return self.make_score(1.0)


@register
class SleepBriefly(Evaluator):
    name = "test_nap"
    suite = "spatial"

    def evaluate(self, sample: Sample) -> Score:
        time.sleep(0.25)
        return self.make_score(1.0, passed=True)


@register
class HogMemory(Evaluator):
    name = "test_hog"
    suite = "spatial"

    def evaluate(self, sample: Sample) -> Score:
        hoard = []
        for _ in range(400):  # up to 25 GB in 64 MB pages, touched: never finishes in budget
            hoard.append(np.ones(8 * 2**20))
            time.sleep(0.005)
        return self.make_score(1.0)


@register
class Crash(Evaluator):
    name = "test_crash"
    suite = "spatial"

    def evaluate(self, sample: Sample) -> Score:
        os._exit(3)
