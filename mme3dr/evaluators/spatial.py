"""Spatial-suite checks: counts, topology, layout and proportions measured on the geometry.

Each check is an :class:`~mme3dr.evaluators.base.Evaluator` listed in a case's ``checks``
(``runs_by_default = False``); the measurements live in :mod:`mme3dr.geometry` and the grading
rules in :mod:`mme3dr.evaluators.grading`; the reference is ``docs/checks.md``. Voxel-based
checks share one grid per asset and resolution through ``Asset.cached`` (key ``voxels:64``).
"""

from __future__ import annotations

from typing import Any, ClassVar

from mme3dr.evaluators import grading
from mme3dr.evaluators.base import Evaluator, Sample, Score
from mme3dr.evaluators.registry import register
from mme3dr.evaluators.weights import CHECK_WEIGHTS  # noqa: F401 - re-exported for discovery
from mme3dr.geometry.voxels import DEFAULT_RESOLUTION, cached_samples, cached_voxels


def cached_parts(sample: Sample, min_area: float) -> Any:
    """The asset's parts above ``min_area`` (:func:`~mme3dr.geometry.relations.find_parts`):
    mesh components, each split into the bodies found in the shared solid voxel grid (bodies
    fused at a neck or resting on a wider top, :mod:`mme3dr.geometry.parts`). Cached under
    ``"parts:<min_area>"`` and shared by ``parts``, ``stacked`` and ``relation``."""
    from mme3dr.geometry.relations import find_parts

    asset = sample.asset

    def compute() -> Any:
        grid = cached_voxels(asset, DEFAULT_RESOLUTION)
        samples = cached_samples(asset, DEFAULT_RESOLUTION)
        return find_parts(asset.mesh, min_area, grid=grid, samples=samples)

    return asset.cached(f"parts:{min_area:g}", compute)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class _CountCheck(Evaluator):
    """A check that counts something and compares with ``expect`` or ``min``/``max``."""

    suite: ClassVar[str] = "spatial"
    noun: ClassVar[str] = "thing"
    extra_params: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self,
        *,
        expect: int | None = None,
        min: int | None = None,  # noqa: A002
        max: int | None = None,  # noqa: A002
        **extra: Any,
    ):
        grading.validate_count(self.name, expect, min, max)
        unknown = sorted(set(extra) - set(self.extra_params))
        if unknown:
            raise ValueError(
                f"{self.name}: unknown parameter(s) {', '.join(unknown)}; "
                f"accepted: expect, min, max{''.join(', ' + p for p in self.extra_params)}"
            )
        self.expect, self.min, self.max = expect, min, max
        given = (("expect", expect), ("min", min), ("max", max))
        params = {k: v for k, v in given if v is not None}
        super().__init__(**params, **extra)

    def graded(self, found: int, **details: Any) -> Score:
        score, passed, text = grading.count_grade(found, self.expect, self.min, self.max)
        return self.make_score(
            score,
            value=int(found),
            passed=passed,
            reason=f"found {_plural(int(found), self.noun)}, {text}",
            **details,
        )

    def resolution(self) -> int:
        return int(self.params.get("resolution", DEFAULT_RESOLUTION))


@register
class GroundContactsCheck(_CountCheck):
    """Separate regions where the object touches the ground plane (legs, feet, a base).

    See :func:`mme3dr.geometry.contacts.ground_contacts`: footprints closer than 2 % in top
    view are one contact only when the surface joins them low down (a crease); feet joined
    only higher up (at the hips) stay separate however close.
    """

    name = "ground_contacts"
    version = "2"  # 2: regions separate in 3D stay separate; bounded raster
    noun = "ground contact"
    extra_params = ("tol",)
    description = "number of separate regions touching the ground (within tol, default 0.01)"
    robust_to = ("empty", "extreme_scale", "inverted_normals", "near_empty", "noise", "convex_hull")

    def __init__(self, *, tol: float = 0.01, **params: Any):
        grading.validate_fraction("ground_contacts", "tol", tol, upper=0.2)
        super().__init__(tol=tol, **params)

    def evaluate(self, sample: Sample) -> Score:
        from mme3dr.evaluators.physical import cached_contacts

        found = cached_contacts(sample, float(self.params["tol"]))
        return self.graded(found.n_regions, region_areas=list(found.region_areas))


@register
class ThroughHolesCheck(_CountCheck):
    """Tunnels through the solid (a mug handle, a ring, a torus, a chair back with a gap)."""

    name = "through_holes"
    noun = "through hole"
    extra_params = ("resolution",)
    description = "genus of the sealed solid voxel body at a resolution from its proportions"
    robust_to = ("empty", "extreme_scale", "inverted_normals", "near_empty", "convex_hull")

    def __init__(self, *, resolution: int | None = None, **params: Any):
        if resolution is not None:
            grading.validate_resolution("through_holes", resolution)
            params["resolution"] = resolution
        super().__init__(**params)

    def evaluate(self, sample: Sample) -> Score:
        from mme3dr.geometry.holes import hole_grid, hole_resolution, through_holes

        asset = sample.asset
        res = int(self.params.get("resolution") or hole_resolution(asset.mesh.extents))
        grid = asset.cached(
            f"voxels:{res}:holes",
            lambda: hole_grid(asset.mesh, res, cached_samples(asset, DEFAULT_RESOLUTION)),
        )
        topo = asset.cached(f"topology:{res}", lambda: through_holes(grid))
        return self.graded(
            topo.tunnels, components=topo.components, cavities=topo.cavities, euler=topo.euler,
            method=f"voxels:{res}",
        )


@register
class HorizontalLayersCheck(_CountCheck):
    """Distinct flat upward-facing levels (shelves, tiers, steps)."""

    name = "horizontal_layers"
    noun = "horizontal layer"
    extra_params = ("min_area", "resolution")
    description = "flat upward-facing levels larger than min_area (fraction of the footprint)"
    robust_to = (
        "empty", "extreme_scale", "inverted_normals", "billboard", "near_empty", "noise",
        "convex_hull",
    )

    def __init__(
        self, *, min_area: float = 0.1, resolution: int = DEFAULT_RESOLUTION, **params: Any
    ):
        grading.validate_fraction("horizontal_layers", "min_area", min_area)
        grading.validate_resolution("horizontal_layers", resolution)
        super().__init__(min_area=min_area, resolution=resolution, **params)

    def evaluate(self, sample: Sample) -> Score:
        from mme3dr.geometry.surfaces import horizontal_layers

        grid = cached_voxels(sample.asset, self.resolution())
        found = horizontal_layers(grid, min_fraction=float(self.params["min_area"]))
        return self.graded(
            len(found),
            heights=[round(lv.height_fraction, 3) for lv in found],
            areas=[round(lv.fraction, 3) for lv in found],
        )


@register
class PartsCheck(_CountCheck):
    """Separate bodies (mesh components), ignoring debris below ``min_area`` of the area."""

    name = "parts"
    noun = "part"
    extra_params = ("min_area",)
    description = "connected components larger than min_area (fraction of the surface area)"
    robust_to = ("empty", "extreme_scale", "inverted_normals", "exploded")

    def __init__(self, *, min_area: float = 0.01, **params: Any):
        grading.validate_fraction("parts", "min_area", min_area, upper=0.5)
        super().__init__(min_area=min_area, **params)

    def evaluate(self, sample: Sample) -> Score:
        parts = cached_parts(sample, float(self.params["min_area"]))
        return self.graded(parts.count, debris=parts.debris)


@register
class StackedCheck(_CountCheck):
    """Bodies stacked on each other: the longest chain of parts resting one on another."""

    name = "stacked"
    noun = "stacked bod"
    extra_params = ("tol", "min_area")
    description = "length of the longest chain of parts resting on one another"
    robust_to = (
        "empty", "extreme_scale", "inverted_normals", "exploded", "convex_hull",
        "duplicate_stacked",
    )

    def __init__(self, *, tol: float = 0.02, min_area: float = 0.01, **params: Any):
        grading.validate_fraction("stacked", "tol", tol, upper=0.2)
        grading.validate_fraction("stacked", "min_area", min_area, upper=0.5)
        super().__init__(tol=tol, min_area=min_area, **params)

    def graded(self, found: int, **details: Any) -> Score:
        score = super().graded(found, **details)
        score.reason = score.reason.replace("stacked bods", "stacked bodies").replace(
            "stacked bod,", "stacked body,"
        )
        return score

    def evaluate(self, sample: Sample) -> Score:
        from mme3dr.geometry.relations import stacking

        parts = cached_parts(sample, float(self.params["min_area"]))
        samples = cached_samples(sample.asset, DEFAULT_RESOLUTION)
        chain = stacking(
            sample.asset.mesh, parts, samples.points, samples.faces, tol=float(self.params["tol"])
        )
        return self.graded(len(chain), chain=chain, parts=parts.count)


@register
class RadialCountCheck(_CountCheck):
    """Radial protrusions around the vertical axis (gear teeth, star points, petals)."""

    name = "radial_count"
    noun = "radial protrusion"
    extra_params = ("min_prominence",)
    description = "peaks of the top-view outline radius profile"
    robust_to = (
        "empty", "extreme_scale", "inverted_normals", "billboard", "near_empty", "noise",
        "convex_hull",
    )

    def __init__(self, *, min_prominence: float = 0.1, **params: Any):
        grading.validate_fraction("radial_count", "min_prominence", min_prominence)
        super().__init__(min_prominence=min_prominence, **params)

    def evaluate(self, sample: Sample) -> Score:
        from mme3dr.geometry.radial import radial_profile, silhouette_centroid

        grid = cached_voxels(sample.asset, DEFAULT_RESOLUTION)
        samples = cached_samples(sample.asset, DEFAULT_RESOLUTION)
        prof = radial_profile(
            samples.points,
            silhouette_centroid(grid),
            min_prominence=float(self.params["min_prominence"]),
        )
        return self.graded(prof.count, prominences=[round(float(p), 3) for p in prof.prominences])


@register
class SymmetryCheck(Evaluator):
    """Mirror symmetry about a vertical plane, or n-fold rotational symmetry about the vertical
    axis: the fraction of transformed surface points landing back on the surface, and no
    asymmetric feature (a part with no counterpart farther than ``tol`` from the surface)
    of ``max_feature`` or more across."""

    name = "symmetry"
    suite = "spatial"
    description = "self-overlap under the best vertical mirror or the n-fold rotation"
    robust_to = ("empty", "extreme_scale", "inverted_normals")

    #: overlap at which the score is 0 (what an unrelated shape typically reaches).
    FLOOR: ClassVar[float] = 0.3

    def __init__(
        self,
        *,
        kind: str = "mirror",
        order: int | None = None,
        min: float = 0.9,  # noqa: A002
        max_feature: float = 0.05,
        tol: float = 0.04,
    ):
        if kind not in ("mirror", "rotational"):
            raise ValueError(f"symmetry: 'kind' must be 'mirror' or 'rotational', got {kind!r}")
        if kind == "rotational":
            if order is None:
                order = 2
            if not isinstance(order, int) or isinstance(order, bool) or order < 2:
                raise ValueError(f"symmetry: 'order' must be an integer >= 2, got {order!r}")
        elif order is not None:
            raise ValueError("symmetry: 'order' applies to kind='rotational' only")
        grading.validate_fraction("symmetry", "min", min)
        grading.validate_fraction("symmetry", "max_feature", max_feature)
        grading.validate_fraction("symmetry", "tol", tol, upper=0.2)
        params: dict[str, Any] = {"kind": kind, "min": min}
        if order is not None:
            params["order"] = order
        # recorded only when not the defaults, so existing records keep their parameters
        if max_feature != 0.05:
            params["max_feature"] = max_feature
        if tol != 0.04:
            params["tol"] = tol
        super().__init__(**params)

    def evaluate(self, sample: Sample) -> Score:
        from mme3dr.geometry.symmetry import mirror_symmetry, rotational_symmetry, symmetry_points

        asset = sample.asset
        grid = cached_voxels(asset, DEFAULT_RESOLUTION)
        points = asset.cached(
            "symmetry_points",
            lambda: symmetry_points(grid, cached_samples(asset, DEFAULT_RESOLUTION)),
        )
        threshold = float(self.params["min"])
        max_feature = float(self.params.get("max_feature", 0.05))
        tol = float(self.params.get("tol", 0.04))
        if self.params["kind"] == "mirror":
            res = mirror_symmetry(grid, points, tol)
            what = "mirror symmetry"
        else:
            res = rotational_symmetry(grid, points, int(self.params["order"]), tol)
            what = f"{self.params['order']}-fold rotational symmetry"
        span = max(threshold - self.FLOOR, 1e-6)
        score = min(1.0, max(0.0, (res.overlap - self.FLOOR) / span))
        broken = res.feature >= max_feature
        if broken:
            # at the limit 0.75, falling to 0 for a feature four times the limit
            score = min(score, max(0.0, 1.0 - res.feature / (4 * max_feature)))
        passed = res.overlap >= threshold and not broken
        reason = f"{what}: {res.overlap:.0%} self-overlap, expected at least {threshold:.0%}"
        if broken:
            reason += (
                f"; an asymmetric feature {res.feature:.0%} across has no counterpart "
                f"(allowed < {max_feature:.0%})"
            )
        return self.make_score(
            score,
            value=round(res.overlap, 4),
            passed=passed,
            reason=reason,
            angle_deg=round(float(res.angle) * 180 / 3.141592653589793, 1),
            feature=round(res.feature, 4),
        )


@register
class AspectCheck(Evaluator):
    """Proportions: height and the minimum-area footprint rectangle (length >= width)."""

    name = "aspect"
    suite = "spatial"
    description = "height/width, height/length or length/width within [lo, hi]"
    robust_to = (
        "empty", "extreme_scale", "inverted_normals", "billboard", "near_empty",
        "one_view_silhouette",
    )

    def __init__(self, **params: Any):
        from mme3dr.geometry.proportions import RATIOS

        if not params:
            raise ValueError(f"aspect: give at least one of {', '.join(RATIOS)} as [lo, hi]")
        for key, value in params.items():
            if key not in RATIOS:
                raise ValueError(
                    f"aspect: unknown parameter {key!r}; accepted: {', '.join(RATIOS)}"
                )
            grading.validate_range("aspect", key, value, lower=0.0)
        super().__init__(**{k: list(v) for k, v in params.items()})

    def evaluate(self, sample: Sample) -> Score:
        from mme3dr.geometry.proportions import proportions

        props = sample.asset.cached("proportions", lambda: proportions(sample.asset.mesh))
        scores, texts, values, passed = [], [], {}, True
        for key, (lo, hi) in self.params.items():
            value = props.ratio(key)
            s, ok = grading.range_grade(value, lo, hi)
            scores.append(s)
            passed &= ok
            values[key] = round(value, 4)
            texts.append(f"{key.replace('_', ' ')} {value:.2f} (expected {lo:g} to {hi:g})")
        return self.make_score(
            min(scores),
            value=values if len(values) > 1 else next(iter(values.values())),
            passed=passed,
            reason="; ".join(texts),
            height=round(props.height, 4),
            length=round(props.length, 4),
            width=round(props.width, 4),
        )


@register
class RelationCheck(Evaluator):
    """A spatial relation between two parts picked by selectors (``largest``, ``highest:2``...)."""

    name = "relation"
    suite = "spatial"
    description = "part a <rel> part b, judged on bounding boxes and surface distance"
    robust_to = ("empty", "extreme_scale", "inverted_normals", "exploded", "convex_hull")

    def __init__(
        self, *, a: str, b: str, rel: str, tol: float = 0.02, min_area: float = 0.01
    ):
        from mme3dr.geometry.relations import RELATIONS, parse_selector

        parse_selector(a)
        parse_selector(b)
        if a == b:
            raise ValueError(f"relation: 'a' and 'b' select the same part ({a!r})")
        if rel not in RELATIONS:
            raise ValueError(f"relation: 'rel' must be one of {', '.join(RELATIONS)}, got {rel!r}")
        grading.validate_fraction("relation", "tol", tol, upper=0.2)
        grading.validate_fraction("relation", "min_area", min_area, upper=0.5)
        super().__init__(a=a, b=b, rel=rel, tol=tol, min_area=min_area)

    def evaluate(self, sample: Sample) -> Score:
        from mme3dr.geometry.relations import (
            gap_between,
            part_points,
            relation_margin,
            select_part,
        )

        p = self.params
        parts = cached_parts(sample, float(p["min_area"]))
        try:
            ia, ib = select_part(parts, p["a"]), select_part(parts, p["b"])
        except ValueError as exc:
            return self.make_score(0.0, value=None, passed=False, reason=str(exc),
                                   parts=parts.count)
        if ia == ib:
            return self.make_score(
                0.0, passed=False, parts=parts.count,
                reason=f"{p['a']!r} and {p['b']!r} are the same part ({parts.count} parts)",
            )
        gap = float("inf")
        if p["rel"] in ("touching", "on_top_of"):
            samples = cached_samples(sample.asset, DEFAULT_RESOLUTION)
            mesh = sample.asset.mesh
            gap = gap_between(
                part_points(mesh, parts, samples.points, samples.faces, ia),
                part_points(mesh, parts, samples.points, samples.faces, ib),
            )
        margin = relation_margin(parts, ia, ib, p["rel"], gap, float(p["tol"]))
        score, passed = grading.margin_grade(margin)
        verdict = "holds" if passed else f"fails by {-margin:.3f}"
        return self.make_score(
            score,
            value=round(margin, 4),
            passed=passed,
            reason=f"{p['a']} part {p['rel'].replace('_', ' ')} {p['b']} part: {verdict}",
            parts=parts.count,
            gap=None if gap == float("inf") else round(gap, 4),
        )
