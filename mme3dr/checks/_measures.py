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
from mme3dr.geometry.manifold import ManifoldReport, manifold_report, pinched_vertices
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


def clean_surface_genus(asset: Asset) -> int | None:
    """Genus ``g = (2 - V + E - F) / 2`` of the mesh when it is **one** connected component
    that is closed, edge-manifold, vertex-manifold (no pinched vertex), consistently wound
    and free of degenerate faces, with an Euler characteristic of at most 2; ``None``
    otherwise. If such a surface also does not cross itself (:func:`crossing_free`), it bounds
    a solid with exactly ``g`` tunnels."""
    n, _ = asset.measure(components)
    if n != 1:
        return None
    rep = asset.measure(edge_report)
    chi = rep.euler_characteristic
    if not (rep.is_watertight and rep.winding_consistent and rep.degenerate_faces == 0):
        return None
    if chi > 2 or chi % 2 or pinched_vertices(asset.mesh.faces):
        return None
    return (2 - chi) // 2


def intersecting_faces(asset: Asset, max_faces: int) -> SelfIntersections:
    """Faces crossing a face they share no vertex with (at most ``max_faces`` tested)."""
    from mme3dr.geometry.intersections import self_intersections

    return self_intersections(asset.mesh, max_faces=max_faces)


def crossing_free(asset: Asset) -> bool | None:
    """Whether no face of the mesh crosses another: ``True`` when every face was tested and
    none crosses, ``False`` when a crossing was found, ``None`` when only a sample of faces
    was tested and none of them crosses (unknown). The same measurement as the
    ``self_intersection`` check's (shared cache entry)."""
    res = asset.measure(intersecting_faces, max_faces=SELF_INTERSECTION_SAMPLE)
    if res.n_intersecting:
        return False
    return None if res.sampled else True


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
    return find_parts(asset.mesh, min_area, grid=grid, samples=samples)
