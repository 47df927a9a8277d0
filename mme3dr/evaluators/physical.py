"""Physical suite: watertightness, floating parts, static stability, self-intersection, pose.

Measurements come from :mod:`mme3dr.geometry` and are shared between evaluators of one sample
through ``asset.cached`` under namespaced keys (``"components"``, ``"manifold"``,
``"ground_contacts:<tol>"``, ``"self_intersections"``...). Every score is in [0, 1]; the
mapping from measurement to score is stated in each class docstring.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import trimesh

from mme3dr.evaluators.base import Evaluator, Sample, Score
from mme3dr.evaluators.registry import register
from mme3dr.geometry.components import connected_components
from mme3dr.geometry.contacts import GroundContacts, ground_contacts
from mme3dr.geometry.intersections import SelfIntersections, self_intersections
from mme3dr.geometry.manifold import ManifoldReport, manifold_report
from mme3dr.geometry.stability import (
    SETTLE_ANGLE,
    FloatingParts,
    Stability,
    Upright,
    floating_parts,
    stability,
    upright,
)

#: faces tested for self-intersection; larger meshes test a fixed-seed sample of this many
#: faces against all faces (the fraction is then an estimate, said so in the reason). Keeps
#: the evaluator near 0.3 s on a 100k-face mesh instead of several seconds.
SELF_INTERSECTION_SAMPLE = 20_000
#: separate bodies (groups of touching parts) whose stability ``stable`` weighs, largest first.
MAX_BODIES = 8
#: a standing body that tips only past this many degrees (a firm nudge) gets full marks.
ROBUST_TILT = 10.0

# ------------------------------------------------------------------ shared, cached measurements


def cached_components(sample: Sample) -> tuple[int, np.ndarray]:
    """``(n, per-face labels)`` of the asset's mesh, cached under ``"components"``."""
    asset = sample.asset
    return asset.cached("components", lambda: connected_components(asset.mesh))


def cached_contacts(sample: Sample, tol: float = 0.01) -> GroundContacts:
    """Ground contacts of the asset, cached under ``"ground_contacts:<tol>"``."""
    asset = sample.asset
    return asset.cached(f"ground_contacts:{tol:g}", lambda: ground_contacts(asset.mesh, tol=tol))


def cached_manifold(sample: Sample) -> ManifoldReport:
    """Edge topology report, cached under ``"manifold"``."""
    asset = sample.asset
    return asset.cached("manifold", lambda: manifold_report(asset.mesh))


def cached_stability(sample: Sample, tol: float = 0.01) -> Stability:
    """Centre of mass against the support polygon, cached under ``"stability:<tol>"``."""
    asset = sample.asset
    return asset.cached(
        f"stability:{tol:g}", lambda: stability(asset.mesh, cached_contacts(sample, tol), tol)
    )


def cached_floating(sample: Sample, tol: float = 0.01, gap: float = 0.005) -> FloatingParts:
    """Floating parts of the asset, cached under ``"floating_parts:<tol>:<gap>"``."""
    asset = sample.asset
    return asset.cached(
        f"floating_parts:{tol:g}:{gap:g}",
        lambda: floating_parts(asset.mesh, cached_components(sample), tol=tol, gap=gap),
    )


def cached_bodies(sample: Sample, tol: float = 0.01) -> list[Stability]:
    """Stability of each separate body (components joined by touching, see
    :func:`~mme3dr.geometry.stability.floating_parts`) when there are several, the
    ``MAX_BODIES`` largest by area; ``[]`` for one body. Cached under ``"bodies:<tol>"``."""
    asset = sample.asset

    def build() -> list[Stability]:
        floating = cached_floating(sample, tol)
        n_bodies = len(np.unique(floating.body)) if len(floating.body) else 0
        if n_bodies <= 1:
            return []
        _, labels = cached_components(sample)
        face_body = floating.body[labels]
        mesh = asset.mesh
        tri = mesh.vertices[mesh.faces]
        area = 0.5 * np.linalg.norm(np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]), axis=1)
        body_area = np.bincount(face_body, weights=area, minlength=n_bodies)
        out = []
        for b in np.argsort(-body_area, kind="stable")[:MAX_BODIES]:
            part = trimesh.Trimesh(mesh.vertices, mesh.faces[face_body == b], process=False)
            out.append(stability(part, tol=tol))
        return out

    return asset.cached(f"bodies:{tol:g}", build)


def _check_tol(value: float, name: str, upper: float = 0.5) -> float:
    value = float(value)
    if not 0.0 < value <= upper:
        raise ValueError(f"{name} must be in (0, {upper}], got {value}")
    return value


def _pct(x: float) -> str:
    return f"{100.0 * x:.1f}%"


# ---------------------------------------------------------------------------------- evaluators


@register
class Watertight(Evaluator):
    """Closed, edge-manifold surface.

    ``value`` is the fraction of edges that are boundary (one face) or non-manifold (more than
    two faces). Score: 1 when watertight, else ``0.9 * (1 - min(1, fraction / 0.1))`` (a mesh
    with 10 % bad edges scores 0). Passes when closed and manifold.
    """

    name = "watertight"
    suite = "physical"
    version = "1"
    runs_by_default = True
    description = "closed, manifold surface (graded by the fraction of boundary/non-manifold edges)"
    robust_to = (
        "empty", "extreme_scale", "inverted_normals", "billboard", "exploded", "near_empty",
        "noise",
    )

    def evaluate(self, sample: Sample) -> Score:
        rep = cached_manifold(sample)
        frac = rep.bad_edge_fraction
        ok = rep.is_watertight
        score = 1.0 if ok else 0.9 * (1.0 - min(1.0, frac / 0.1))
        if ok:
            reason = f"closed and manifold: no boundary or non-manifold edges among {rep.n_edges}"
        else:
            reason = (
                f"not watertight: {rep.boundary_edges} boundary and {rep.nonmanifold_edges} "
                f"non-manifold edges, {_pct(frac)} of {rep.n_edges} edges"
            )
        if rep.inconsistent_edges:
            reason += f"; {rep.inconsistent_edges} edges join faces with inconsistent winding"
        return self.make_score(
            score,
            value=frac,
            passed=ok,
            reason=reason,
            boundary_edges=rep.boundary_edges,
            nonmanifold_edges=rep.nonmanifold_edges,
            inconsistent_edges=rep.inconsistent_edges,
            n_edges=rep.n_edges,
            euler_characteristic=rep.euler_characteristic,
        )


@register
class FloatingPartsEvaluator(Evaluator):
    """No part hangs in the air unsupported.

    A part (connected component) floats when it is not within ``tol`` of the ground and not
    connected through touching parts (within ``gap``) to a part that is. ``value`` is the number
    of floating parts. Score: ``1 - sqrt(area fraction floating)`` (1 % of the surface floating
    costs 0.1, 25 % costs 0.5). Passes when at most ``max_floating`` parts float (default 0).
    """

    name = "floating_parts"
    suite = "physical"
    version = "2"  # 2: parts touch by triangle-triangle distance (interpenetration counts)
    runs_by_default = True
    description = "no disconnected part floats in the air (graded by the floating surface area)"
    robust_to = ("empty", "extreme_scale", "inverted_normals", "exploded")

    def __init__(self, *, tol: float = 0.01, gap: float = 0.005, max_floating: int = 0):
        tol = _check_tol(tol, "tol")
        gap = _check_tol(gap, "gap")
        if int(max_floating) < 0:
            raise ValueError(f"max_floating must be >= 0, got {max_floating}")
        super().__init__(tol=tol, gap=gap, max_floating=int(max_floating))

    def evaluate(self, sample: Sample) -> Score:
        tol, gap = self.params["tol"], self.params["gap"]
        res = cached_floating(sample, tol, gap)
        frac = res.floating_area_fraction
        score = 1.0 - float(np.sqrt(max(frac, 0.0)))
        k = res.n_floating
        if k == 0:
            reason = f"no floating parts: all {res.n_components} parts are supported by the ground"
        else:
            reason = (
                f"{k} of {res.n_components} parts float (not touching the ground or a supported "
                f"part), {_pct(frac)} of the surface area"
            )
        return self.make_score(
            score,
            value=k,
            passed=k <= self.params["max_floating"],
            reason=reason,
            n_components=res.n_components,
            floating_area_fraction=frac,
            floating=res.floating.tolist()[:50],
        )


@register
class Stable(Evaluator):
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
    runs_by_default = True
    description = "stands when released: settles, centre of mass inside the support polygon"
    robust_to = ("empty", "extreme_scale", "inverted_normals", "billboard", "near_empty",
                 "exploded")

    def __init__(self, *, min_margin: float = 0.0, tol: float = 0.01, scale: float = 0.1):
        tol = _check_tol(tol, "tol")
        scale = _check_tol(scale, "scale", upper=1.0)
        super().__init__(min_margin=float(min_margin), tol=tol, scale=scale)

    def evaluate(self, sample: Sample) -> Score:
        tol = self.params["tol"]
        st = cached_stability(sample, tol)
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
        floating = cached_floating(sample, tol)
        if floating.n_floating:
            return self.make_score(
                0.0, value=None, passed=False, n_contacts=n, equilibrium="floating",
                reason=f"not at rest: {floating.n_floating} of {floating.n_components} parts "
                "float and would fall",
            )
        bodies = cached_bodies(sample, tol)
        if len(bodies) > 1:  # separate bodies: the weakest decides
            st = min(bodies, key=lambda b: self._grade(b)[0])
        score, passed = self._grade(st)
        margin = float(st.margin)
        reason = _stability_reason(st)
        if len(bodies) > 1:
            reason = f"the weakest of {len(bodies)} separate bodies: {reason}"
        return self.make_score(
            score,
            value=margin,
            passed=passed,
            reason=reason,
            n_bodies=max(len(bodies), 1),
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
        if st.stands and margin > self.params["min_margin"]:
            return 0.75 + 0.25 * min(1.0, max(st.tipping_angle, 0.0) / ROBUST_TILT), True
        return 0.5 + 0.5 * float(np.clip(margin / self.params["scale"], -1.0, 0.0)), False


def _stability_reason(st: Stability) -> str:
    """One sentence: how the body settles and where its centre of mass is."""
    n = st.n_contacts
    contacts = f"{n} ground contact{'s' if n != 1 else ''}"
    shape = {1: "point", 2: "line"}.get(len(st.support_polygon), "polygon")
    margin = st.margin
    where = "inside" if margin > 0 else ("on the edge of" if margin == 0 else "outside")
    com = (
        f"centre of mass ({st.method}) is {abs(margin):.3f} {where} the support {shape} of "
        f"{contacts}"
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


@register
class SelfIntersection(Evaluator):
    """Faces do not cross other faces of the same mesh.

    ``value`` is the fraction of faces that intersect a face they share no vertex with (see
    :mod:`mme3dr.geometry.intersections`). Score: ``1 - min(1, fraction / 0.1)``. Passes when
    the fraction is at most ``max_fraction`` (default 0).
    """

    name = "self_intersection"
    suite = "physical"
    version = "1"
    runs_by_default = True
    description = "no face crosses another face (graded by the fraction of intersecting faces)"
    robust_to = ("empty", "extreme_scale", "inverted_normals", "noise")

    def __init__(self, *, max_fraction: float = 0.0):
        max_fraction = float(max_fraction)
        if not 0.0 <= max_fraction <= 1.0:
            raise ValueError(f"max_fraction must be in [0, 1], got {max_fraction}")
        super().__init__(max_fraction=max_fraction)

    def evaluate(self, sample: Sample) -> Score:
        asset = sample.asset
        res: SelfIntersections = asset.cached(
            "self_intersections",
            lambda: self_intersections(asset.mesh, max_faces=SELF_INTERSECTION_SAMPLE),
        )
        frac = res.fraction
        est = " (estimated on a sample of faces)" if res.sampled else ""
        if res.n_intersecting == 0:
            reason = f"no self-intersections among {res.n_faces} faces{est}"
        else:
            reason = (
                f"{res.n_intersecting} of {res.n_tested} faces ({_pct(frac)}) intersect another "
                f"face{est}"
            )
        return self.make_score(
            1.0 - min(1.0, frac / 0.1),
            value=frac,
            passed=frac <= self.params["max_fraction"],
            reason=reason,
            n_faces=res.n_faces,
            n_intersecting=res.n_intersecting,
            n_pairs=res.n_pairs,
            sampled=res.sampled,
        )


@register
class UprightEvaluator(Evaluator):
    """The object rests in a plausible pose.

    Without ``expect``: an object with flat sides should rest on a flat base: score =
    ``min(1, base_ratio / 0.5)`` where ``base_ratio`` is the area of the flat base of its convex
    hull over its footprint area (a box, a standing bottle, a table on its legs score 1; a
    bottle lying down or a box tipped on its edge score near 0); objects without flat sides (a
    sphere) score 1. Passes when ``base_ratio >= 0.25``. This says nothing about which end is
    up: an upside-down table also rests on a flat base.

    Not run by default (only as a case check): without knowing the object, "rests on a flat
    base" wrongly fails correct shapes such as a ring standing on its rim, a ball, or a stool
    whose three feet span a third of its footprint.

    ``expect="tall"``: height over the larger horizontal extent should reach ``min_aspect``
    (default 1); score = ``min(1, aspect / min_aspect)``. ``expect="wide"``: the inverse
    (width over height should reach ``min_aspect``).
    """

    name = "upright"
    suite = "physical"
    version = "1"
    runs_by_default = False  # a case check: see the class docstring
    description = "rests on a flat base (or is tall/wide as expected)"

    def __init__(self, *, expect: str | None = None, min_aspect: float = 1.0):
        if expect not in (None, "tall", "wide"):
            raise ValueError(f"expect must be 'tall', 'wide' or omitted, got {expect!r}")
        min_aspect = float(min_aspect)
        if min_aspect <= 0:
            raise ValueError(f"min_aspect must be > 0, got {min_aspect}")
        params: dict[str, Any] = {"min_aspect": min_aspect}
        if expect is not None:
            params["expect"] = expect
        super().__init__(**params)

    def evaluate(self, sample: Sample) -> Score:
        asset = sample.asset
        up: Upright = asset.cached("upright", lambda: upright(asset.mesh))
        expect = self.params.get("expect")
        need = self.params["min_aspect"]
        details = {
            "aspect": up.aspect,
            "com_height_ratio": up.com_height_ratio,
            "base_ratio": up.base_ratio,
            "has_flat_side": up.has_flat_side,
        }
        if expect == "tall":
            ok = up.aspect >= need
            reason = (
                f"height is {up.aspect:.2f} times the width (expected tall, at least {need:g})"
            )
            return self.make_score(
                min(1.0, up.aspect / need), value=up.aspect, passed=ok, reason=reason, **details
            )
        if expect == "wide":
            inv = 1.0 / up.aspect if up.aspect > 0 else float("inf")
            ok = inv >= need
            reason = f"width is {inv:.2f} times the height (expected wide, at least {need:g})"
            return self.make_score(min(1.0, inv / need), value=inv, passed=ok, reason=reason,
                                   **details)
        if not up.has_flat_side:
            reason = (
                f"no broad flat side to stand on; centre of mass at {_pct(up.com_height_ratio)} "
                "of the height"
            )
            return self.make_score(1.0, value=up.base_ratio, passed=True, reason=reason, **details)
        ok = up.base_ratio >= 0.25
        reason = (
            f"rests on a flat base covering {_pct(up.base_ratio)} of its footprint; centre of "
            f"mass at {_pct(up.com_height_ratio)} of the height"
        )
        return self.make_score(
            min(1.0, up.base_ratio / 0.5), value=up.base_ratio, passed=ok, reason=reason, **details
        )
