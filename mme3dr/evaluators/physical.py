"""Physical suite: watertightness, floating parts, static stability, self-intersection, pose.

Measurements come from :mod:`mme3dr.geometry` and are shared between evaluators of one sample
through ``asset.cached`` under namespaced keys (``"components"``, ``"manifold"``,
``"ground_contacts:<tol>"``, ``"self_intersections"``...). Every score is in [0, 1]; the
mapping from measurement to score is stated in each class docstring.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mme3dr.evaluators.base import Evaluator, Sample, Score
from mme3dr.evaluators.registry import register
from mme3dr.geometry.components import connected_components
from mme3dr.geometry.contacts import GroundContacts, ground_contacts
from mme3dr.geometry.intersections import SelfIntersections, self_intersections
from mme3dr.geometry.manifold import ManifoldReport, manifold_report
from mme3dr.geometry.stability import (
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
        asset = sample.asset
        res: FloatingParts = asset.cached(
            f"floating_parts:{tol:g}:{gap:g}",
            lambda: floating_parts(asset.mesh, cached_components(sample), tol=tol, gap=gap),
        )
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
    """The centre of mass lies over the support polygon of the ground contacts.

    ``value`` is the signed margin (normalised units, positive inside). Score:
    ``0.5 + 0.5 * clip(margin / 0.1, -1, 1)`` (0.5 on the edge, 1 when 0.1 or more inside, 0
    when 0.1 or more outside). Passes when ``margin > min_margin`` (default 0).
    """

    name = "stable"
    suite = "physical"
    version = "1"
    runs_by_default = True
    description = "centre of mass inside the support polygon (graded by the signed margin)"
    robust_to = ("empty", "extreme_scale", "inverted_normals", "billboard")

    def __init__(self, *, min_margin: float = 0.0, tol: float = 0.01, scale: float = 0.1):
        tol = _check_tol(tol, "tol")
        scale = _check_tol(scale, "scale", upper=1.0)
        super().__init__(min_margin=float(min_margin), tol=tol, scale=scale)

    def evaluate(self, sample: Sample) -> Score:
        tol, scale = self.params["tol"], self.params["scale"]
        st = cached_stability(sample, tol)
        margin = float(st.margin)
        n = st.n_contacts
        if not np.isfinite(margin):
            return self.make_score(
                0.0, value=None, passed=False, reason="no ground contact was found", n_contacts=n
            )
        score = 0.5 + 0.5 * float(np.clip(margin / scale, -1.0, 1.0))
        contacts = f"{n} ground contact{'s' if n != 1 else ''}"
        shape = {1: "point", 2: "line"}.get(len(st.support_polygon), "polygon")
        where = "inside" if margin > 0 else ("on the edge of" if margin == 0 else "outside")
        reason = (
            f"centre of mass ({st.method}) is {abs(margin):.3f} {where} the support {shape} "
            f"of {contacts}"
        )
        return self.make_score(
            score,
            value=margin,
            passed=margin > self.params["min_margin"],
            reason=reason,
            com=[round(float(c), 6) for c in st.com],
            com_method=st.method,
            n_contacts=n,
            support_polygon=np.round(st.support_polygon, 6).tolist(),
        )


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
