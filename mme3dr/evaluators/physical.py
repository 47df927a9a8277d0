"""Physical-suite evaluators, for the old import path (and the old class names): each is now
one check unit under :mod:`mme3dr.checks` (found there by the registry); this module only
re-exports them."""

from mme3dr.checks.floating_parts import FloatingPartsCheck
from mme3dr.checks.self_intersection import SELF_INTERSECTION_SAMPLE, SelfIntersectionCheck
from mme3dr.checks.stable import MAX_BODIES, ROBUST_TILT, StableCheck
from mme3dr.checks.upright import UprightCheck
from mme3dr.checks.watertight import WatertightCheck

#: the class names before the checks moved to :mod:`mme3dr.checks`
Watertight = WatertightCheck
FloatingPartsEvaluator = FloatingPartsCheck
Stable = StableCheck
SelfIntersection = SelfIntersectionCheck
UprightEvaluator = UprightCheck

__all__ = [
    "MAX_BODIES",
    "ROBUST_TILT",
    "SELF_INTERSECTION_SAMPLE",
    "FloatingPartsCheck",
    "FloatingPartsEvaluator",
    "SelfIntersection",
    "SelfIntersectionCheck",
    "Stable",
    "StableCheck",
    "UprightCheck",
    "UprightEvaluator",
    "Watertight",
    "WatertightCheck",
]
