"""Functional-suite checks, for the old import path: each check is now one unit under
:mod:`mme3dr.checks` (found there by the registry); this module only re-exports them."""

from mme3dr.checks.holds_liquid import HoldsLiquidCheck
from mme3dr.checks.opening import OpeningCheck
from mme3dr.checks.support_surface import SupportSurfaceCheck

__all__ = ["HoldsLiquidCheck", "OpeningCheck", "SupportSurfaceCheck"]
