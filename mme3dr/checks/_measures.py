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
from mme3dr.geometry.stability import FloatingParts, floating_parts
from mme3dr.geometry.voxels import DEFAULT_RESOLUTION, cached_samples, cached_voxels

if TYPE_CHECKING:
    from mme3dr.assets import Asset


def components(asset: Asset) -> tuple[int, np.ndarray]:
    """``(n, per-face labels)`` of the connected components of the mesh."""
    return connected_components(asset.mesh)


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
