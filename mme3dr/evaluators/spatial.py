"""Spatial-suite checks, for the old import path: each check is now one unit under
:mod:`mme3dr.checks` (found there by the registry); this module only re-exports them."""

from mme3dr.checks.aspect import AspectCheck
from mme3dr.checks.ground_contacts import GroundContactsCheck
from mme3dr.checks.horizontal_layers import HorizontalLayersCheck
from mme3dr.checks.parts import PartsCheck
from mme3dr.checks.radial_count import RadialCountCheck
from mme3dr.checks.relation import RelationCheck
from mme3dr.checks.stacked import StackedCheck
from mme3dr.checks.symmetry import SymmetryCheck
from mme3dr.checks.through_holes import ThroughHolesCheck

__all__ = [
    "AspectCheck",
    "GroundContactsCheck",
    "HorizontalLayersCheck",
    "PartsCheck",
    "RadialCountCheck",
    "RelationCheck",
    "StackedCheck",
    "SymmetryCheck",
    "ThroughHolesCheck",
]
