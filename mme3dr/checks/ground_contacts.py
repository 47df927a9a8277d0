"""``ground_contacts``: separate regions where the object touches the ground plane."""

from __future__ import annotations

from mme3dr.checks._measures import contacts
from mme3dr.evaluators.base import Sample, Score
from mme3dr.evaluators.check import COUNT, CountCheck
from mme3dr.evaluators.fields import Length
from mme3dr.evaluators.registry import register


@register
class GroundContactsCheck(CountCheck):
    """Separate regions where the object touches the ground plane (legs, feet, a base).

    See :func:`mme3dr.geometry.contacts.ground_contacts`: footprints closer than 2 % in top
    view are one contact only when the surface joins them low down (a crease); feet joined
    only higher up (at the hips) stay separate however close.
    """

    name = "ground_contacts"
    suite = "spatial"
    version = "2"  # 2: regions separate in 3D stay separate; bounded raster
    weight = 1.0
    noun = "ground contact"
    description = "number of separate regions touching the ground (within tol, default 0.01)"
    robust_to = ("empty", "extreme_scale", "inverted_normals", "near_empty", "noise", "convex_hull")
    schema = {"tol": Length(0.01, upper=0.2), **COUNT}

    def evaluate(self, sample: Sample) -> Score:
        found = sample.asset.measure(contacts, tol=float(self.values["tol"]))
        return self.graded(found.n_regions, region_areas=list(found.region_areas))
