"""Measurements that several checks share, as functions ``fn(asset, **kwargs)`` for
:meth:`mme3dr.assets.Asset.measure` (computed once per asset and arguments).

Thin adapters over :mod:`mme3dr.geometry` (the measurements themselves): they pick the asset's
normalised mesh (+Z up, resting on z = 0, largest extent 1, so lengths are fractions of the
largest extent) and the shared voxel grid and surface samples (``cached_voxels``,
``cached_samples`` at the default 64 voxels). Always pass every argument by keyword, so two
checks asking for the same measurement hit the same cache entry.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from mme3dr.geometry.components import connected_components
from mme3dr.geometry.contacts import GroundContacts, ground_contacts
from mme3dr.geometry.manifold import ManifoldReport, manifold_report
from mme3dr.geometry.stability import FloatingParts, floating_parts
from mme3dr.geometry.voxels import DEFAULT_RESOLUTION, cached_samples, cached_voxels

if TYPE_CHECKING:
    from mme3dr.assets import Asset
    from mme3dr.geometry.intersections import SelfIntersections

#: faces tested for self-intersection; larger meshes test a fixed-seed sample of this many
#: faces against all faces (the fraction is then an estimate). Keeps the test near 0.3 s on a
#: 100k-face mesh instead of several seconds.
SELF_INTERSECTION_SAMPLE = 20_000


def components(asset: Asset) -> tuple[int, np.ndarray]:
    """``(n, per-face labels)`` of the connected components of the mesh."""
    return connected_components(asset.mesh)


def edge_report(asset: Asset) -> ManifoldReport:
    """Edge topology of the mesh: boundary, non-manifold and inconsistently wound edges, and
    the Euler characteristic (:func:`~mme3dr.geometry.manifold.manifold_report`)."""
    return manifold_report(asset.mesh)


def intersecting_faces(asset: Asset, max_faces: int) -> SelfIntersections:
    """Faces crossing a face they share no vertex with (at most ``max_faces`` tested)."""
    from mme3dr.geometry.intersections import self_intersections

    return self_intersections(asset.mesh, max_faces=max_faces)


def exact_tunnels(asset: Asset) -> int | None:
    """The exact number of tunnels through the solid, from the surface, when it can be had:
    the genus ``g = (2 - V + E - F) / 2`` of a mesh that is **one** connected component,
    closed, edge-manifold, vertex-manifold (no pinched vertex), consistently wound, free of
    degenerate faces and of faces crossing another; ``None`` otherwise.

    Why each condition: several pieces can close tunnels between them; at a pinched vertex
    ``V - E + F`` is not ``2 - 2g``; a surface crossing itself can close a tunnel its genus
    does not count (a handle pushed into a body and welded). Crossings are tested exactly
    (every face: the ``self_intersection`` check's measurement, shared), so meshes of more than
    :data:`SELF_INTERSECTION_SAMPLE` faces get ``None`` without testing. The conditions are
    tested cheapest first."""
    from mme3dr.geometry.manifold import pinched_vertices

    n, _ = asset.measure(components)
    if n != 1 or len(asset.mesh.faces) > SELF_INTERSECTION_SAMPLE:
        return None
    rep = asset.measure(edge_report)
    chi = rep.euler_characteristic
    if not (rep.is_watertight and rep.winding_consistent and rep.degenerate_faces == 0):
        return None
    if chi > 2 or chi % 2 or pinched_vertices(asset.mesh.faces):
        return None
    crossings = asset.measure(intersecting_faces, max_faces=SELF_INTERSECTION_SAMPLE)
    if crossings.n_intersecting or crossings.sampled:
        return None
    return (2 - chi) // 2


def contacts(asset: Asset, tol: float) -> GroundContacts:
    """Ground contacts: regions of the surface within ``tol`` (normalised units) of the floor."""
    return ground_contacts(asset.mesh, tol=tol)


def floating(asset: Asset, tol: float, gap: float) -> FloatingParts:
    """Parts not within ``tol`` of the ground nor touching (within ``gap``) a supported part."""
    return floating_parts(asset.mesh, asset.measure(components), tol=tol, gap=gap)


def parts(asset: Asset, min_area: float) -> Any:
    """The asset's parts above ``min_area`` (fraction of the surface area;
    :func:`~mme3dr.geometry.relations.find_parts`): mesh components, each split into the
    bodies found in the shared solid voxel grid (bodies fused at a neck or resting on a wider
    top, :mod:`mme3dr.geometry.parts`). Shared by ``parts``, ``stacked`` and ``relation``."""
    from mme3dr.geometry.relations import find_parts

    grid = cached_voxels(asset, DEFAULT_RESOLUTION)
    samples = cached_samples(asset, DEFAULT_RESOLUTION)
    return find_parts(asset.mesh, min_area, grid=grid, samples=samples,
                      components=asset.measure(components))
