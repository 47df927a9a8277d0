"""``through_holes``: tunnels through the solid: the genus of one clean surface, else of the sealed
voxel body."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mme3dr.checks._measures import exact_tunnels
from mme3dr.evaluators.base import Sample, Score
from mme3dr.evaluators.check import COUNT, CountCheck
from mme3dr.evaluators.fields import Resolution
from mme3dr.evaluators.registry import register
from mme3dr.geometry.voxels import DEFAULT_RESOLUTION, cached_samples

if TYPE_CHECKING:
    from mme3dr.assets import Asset
    from mme3dr.geometry.holes import Topology


def hole_topology(asset: Asset, resolution: int) -> Topology:
    """Betti numbers of the sealed solid voxel body of the asset at ``resolution`` (voxels on
    the largest extent), on the finer grid of :func:`~mme3dr.geometry.holes.hole_grid`."""
    from mme3dr.geometry.holes import hole_grid, through_holes

    grid = hole_grid(asset.mesh, resolution, cached_samples(asset, DEFAULT_RESOLUTION))
    return through_holes(grid)


@register
class ThroughHolesCheck(CountCheck):
    """Tunnels through the solid (a mug handle, a ring, a torus, a chair back with a gap)."""

    name = "through_holes"
    suite = "spatial"
    version = "3"  # 3: the genus of one clean closed surface that does not cross itself
    weight = 1.0
    noun = "through hole"
    description = (
        "genus of one clean closed surface that does not cross itself, else of the sealed "
        "solid voxel body at a resolution from its proportions"
    )
    robust_to = ("empty", "extreme_scale", "inverted_normals", "near_empty", "convex_hull")
    #: resolution: none = chosen from the asset's proportions (hole_resolution)
    schema = {"resolution": Resolution(None, absent="automatic"), **COUNT}

    def evaluate(self, sample: Sample) -> Score:
        from mme3dr.geometry.holes import hole_resolution

        asset = sample.asset
        genus = asset.measure(exact_tunnels)
        if genus is not None:  # a trusted surface: its genus is the number of tunnels
            return self.graded(genus, components=1, euler=2 - 2 * genus,
                               method=f"surface genus {genus}")
        res = int(self.values["resolution"] or hole_resolution(asset.mesh.extents))
        topo = asset.measure(hole_topology, resolution=res)
        return self.graded(
            topo.tunnels, components=topo.components, cavities=topo.cavities, euler=topo.euler,
            method=f"voxels:{res}",
        )
