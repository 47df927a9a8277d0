"""``watertight``: a closed, edge-manifold surface."""

from __future__ import annotations

from mme3dr.checks._measures import edge_report
from mme3dr.evaluators.base import Sample, Score
from mme3dr.evaluators.check import Check
from mme3dr.evaluators.registry import register


def pct(x: float) -> str:
    return f"{100.0 * x:.1f}%"


@register
class WatertightCheck(Check):
    """Closed, edge-manifold surface.

    ``value`` is the fraction of edges that are boundary (one face) or non-manifold (more than
    two faces). Score: 1 when watertight, else ``0.9 * (1 - min(1, fraction / 0.1))`` (a mesh
    with 10 % bad edges scores 0). Passes when closed and manifold.
    """

    name = "watertight"
    suite = "physical"
    version = "1"
    weight = 1.0
    runs_by_default = True
    description = "closed, manifold surface (graded by the fraction of boundary/non-manifold edges)"
    robust_to = (
        "empty", "extreme_scale", "inverted_normals", "billboard", "exploded", "near_empty",
        "noise",
    )
    schema = {}

    def evaluate(self, sample: Sample) -> Score:
        rep = sample.asset.measure(edge_report)
        frac = rep.bad_edge_fraction
        ok = rep.is_watertight
        score = 1.0 if ok else 0.9 * (1.0 - min(1.0, frac / 0.1))
        if ok:
            reason = f"closed and manifold: no boundary or non-manifold edges among {rep.n_edges}"
        else:
            reason = (
                f"not watertight: {rep.boundary_edges} boundary and {rep.nonmanifold_edges} "
                f"non-manifold edges, {pct(frac)} of {rep.n_edges} edges"
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
