"""``stable``: the object stands when released on a flat floor."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import trimesh

from mme3dr.checks._measures import components, contacts, floating
from mme3dr.evaluators.base import Sample, Score
from mme3dr.evaluators.check import Check
from mme3dr.evaluators.fields import Length, Number
from mme3dr.evaluators.registry import register
from mme3dr.geometry.stability import SETTLE_ANGLE, Stability, stability

if TYPE_CHECKING:
    from mme3dr.assets import Asset

#: separate bodies (groups of touching parts) whose stability ``stable`` weighs, largest first.
MAX_BODIES = 8
#: a standing body that tips only past this many degrees (a firm nudge) gets full marks.
ROBUST_TILT = 10.0
#: the touching distance between parts (normalised units) that makes them one body
BODY_GAP = 0.005


def settled(asset: Asset, tol: float) -> Stability:
    """The whole mesh settled on the floor: its centre of mass against the support polygon of
    its ground contacts (within ``tol``)."""
    return stability(asset.mesh, asset.measure(contacts, tol=tol), tol)


def bodies(asset: Asset, tol: float) -> list[Stability]:
    """Stability of each separate body (components joined by touching, see
    :func:`~mme3dr.geometry.stability.floating_parts`) when there are several, the
    ``MAX_BODIES`` largest by area; ``[]`` for one body."""
    found = asset.measure(floating, tol=tol, gap=BODY_GAP)
    n_bodies = len(np.unique(found.body)) if len(found.body) else 0
    if n_bodies <= 1:
        return []
    _, labels = asset.measure(components)
    face_body = found.body[labels]
    mesh = asset.mesh
    tri = mesh.vertices[mesh.faces]
    area = 0.5 * np.linalg.norm(np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]), axis=1)
    body_area = np.bincount(face_body, weights=area, minlength=n_bodies)
    out = []
    for b in np.argsort(-body_area, kind="stable")[:MAX_BODIES]:
        part = trimesh.Trimesh(mesh.vertices, mesh.faces[face_body == b], process=False)
        out.append(stability(part, tol=tol))
    return out


@register
class StableCheck(Check):
    """The object stands: released as built on a flat floor, it comes to rest, with its
    centre of mass over the support polygon of its ground contacts.

    Physics (see :func:`mme3dr.geometry.stability.stability`): the body is settled first, a
    rigid body rocking down its potential (the height of its centre of mass over its lowest
    point) for up to 15 degrees: feet that are not quite coplanar or rounded soles rock a
    little and stand; a body on a rounded support whose centre of mass is above the support's
    centre of curvature (a capsule balanced on its hemispherical end, a cone on its tip, an egg
    on its end) falls; a ball is in neutral equilibrium and counts as standing.

    ``value`` is the signed margin of the centre of mass inside the support polygon of the
    settled pose (normalised units; at most 0 for a body that falls). Passes when the body
    stands and the margin exceeds ``min_margin`` (default 0). Score: a body that passes scores
    ``0.75 + 0.25 * min(1, tipping / 10 degrees)``, where ``tipping`` is the tilt about the
    nearest support edge that topples it, ``atan(margin / height of the centre of mass)`` (a
    nudge; 0 for a ball in neutral equilibrium): a slender vase that stands scores at least
    0.75, one that resists a 10 degree tilt 1. A body that fails scores
    ``0.5 + 0.5 * clip(margin / scale, -1, 0)``: 0.5 balanced on the edge, 0 when its centre of
    mass is ``scale`` (0.1) or more outside.

    Several separate bodies (groups of touching parts that do not touch each other, all on
    the ground) are not one rigid body: each is settled on its own and the weakest decides
    (the 8 largest by area are weighed).

    Not a standing body, score 0: no surface touching the ground; a flat asset (its height
    within the contact band ``tol``: a sheet or a lone triangle lies on the floor, nothing
    stands up); an asset with floating parts (they fall, so it is not at rest; see
    ``floating_parts``). So no degenerate asset outscores an honest one that stands.
    """

    name = "stable"
    suite = "physical"
    version = "2"  # 2: settled pose, rounded supports, flat and floating assets score 0
    weight = 1.0
    runs_by_default = True
    description = "stands when released: settles, centre of mass inside the support polygon"
    robust_to = ("empty", "extreme_scale", "inverted_normals", "billboard", "near_empty",
                 "exploded")
    schema = {
        "min_margin": Number(0.0, as_float=True),
        "tol": Length(0.01, upper=0.5, as_float=True),
        "scale": Length(0.1, upper=1.0, as_float=True),
    }

    def evaluate(self, sample: Sample) -> Score:
        asset = sample.asset
        tol = self.values["tol"]
        st = asset.measure(settled, tol=tol)
        n = st.n_contacts
        if st.equilibrium == "flat":
            return self.make_score(
                0.0, value=None, passed=False, n_contacts=n, equilibrium="flat",
                reason=f"flat: its whole height is within the contact band ({tol:g}); it lies "
                "on the floor, nothing stands up",
            )
        if st.equilibrium == "none" or not np.isfinite(st.margin):
            return self.make_score(
                0.0, value=None, passed=False, reason="no ground contact was found", n_contacts=n
            )
        found = asset.measure(floating, tol=tol, gap=BODY_GAP)
        if found.n_floating:
            return self.make_score(
                0.0, value=None, passed=False, n_contacts=n, equilibrium="floating",
                reason=f"not at rest: {found.n_floating} of {found.n_components} parts "
                "float and would fall",
            )
        several = asset.measure(bodies, tol=tol)
        if len(several) > 1:  # separate bodies: the weakest decides
            st = min(several, key=lambda b: self._grade(b)[0])
        score, passed = self._grade(st)
        margin = float(st.margin)
        reason = _stability_reason(st)
        if len(several) > 1:
            reason = f"the weakest of {len(several)} separate bodies: {reason}"
        return self.make_score(
            score,
            value=margin,
            passed=passed,
            reason=reason,
            n_bodies=max(len(several), 1),
            tipping_deg=round(st.tipping_angle, 2),
            com=[round(float(c), 6) for c in st.com],
            com_method=st.method,
            n_contacts=st.n_contacts,
            equilibrium=st.equilibrium,
            tilt_deg=round(float(st.tilt), 2),
            support_polygon=np.round(st.support_polygon, 6).tolist(),
        )

    def _grade(self, st: Stability) -> tuple[float, bool]:
        """``(score, passed)`` of one body (see the class docstring)."""
        margin = float(st.margin)
        if not np.isfinite(margin):
            return 0.0, False
        if st.stands and margin > self.values["min_margin"]:
            return 0.75 + 0.25 * min(1.0, max(st.tipping_angle, 0.0) / ROBUST_TILT), True
        return 0.5 + 0.5 * float(np.clip(margin / self.values["scale"], -1.0, 0.0)), False


def _stability_reason(st: Stability) -> str:
    """One sentence: how the body settles and where its centre of mass is."""
    n = st.n_contacts
    contacts_text = f"{n} ground contact{'s' if n != 1 else ''}"
    shape = {1: "point", 2: "line"}.get(len(st.support_polygon), "polygon")
    margin = st.margin
    where = "inside" if margin > 0 else ("on the edge of" if margin == 0 else "outside")
    com = (
        f"centre of mass ({st.method}) is {abs(margin):.3f} {where} the support {shape} of "
        f"{contacts_text}"
    )
    if st.equilibrium == "falls":
        return (
            f"falls: released as built it tips or rolls over (no rest within {SETTLE_ANGLE:g} "
            f"degrees); {com}"
        )
    if st.equilibrium == "neutral":
        return f"neutral equilibrium: it rolls without falling, like a ball; {com}"
    if st.tilt > 0:
        return f"settles after rocking {st.tilt:.1f} degrees; {com}"
    return com
