"""The ground-contact raster is bounded whatever the geometry (issue 11).

A mesh whose near-ground part is a speck next to a huge extent (a cube plus one 1000-unit
spike, a far vertex, a standing needle) used to ask for a 40 000 x 40 000 raster; a soup of
large overlapping flat triangles asks for billions of pixel tests. Each case here must finish
in bounded time and memory and still give the sensible answer.
"""

from __future__ import annotations

import time
import tracemalloc

import numpy as np
import pytest
import trimesh

from mme3dr.assets import Asset
from mme3dr.geometry.contacts import MAX_RASTER_WORK, ground_contacts, raster_pixel
from mme3dr.geometry.stability import stability

#: generous bounds: the fixed raster is ~300 x 300 cells, a few MB and a few ms
MAX_SECONDS = 5.0
MAX_PEAK_MB = 200.0


def _spike(direction: tuple[float, float, float]) -> trimesh.Trimesh:
    """A unit cube plus one triangle reaching 1000 units away along ``direction``."""
    box = trimesh.creation.box()
    tip = 1000.0 * np.asarray(direction, float)
    v = np.vstack([box.vertices, [tip]])
    f = np.vstack([box.faces, [[0, 1, 8]]])
    return trimesh.Trimesh(v, f, process=False)


def _needle(standing: bool) -> trimesh.Trimesh:
    """One needle triangle 1 long and 1e-7 wide, lying flat or standing on its tip."""
    if standing:
        v = [[0, 0, 0], [1e-7, 0, 1.0], [0, 0, 1.0]]
    else:
        v = [[0, 0, 0], [1.0, 0, 0], [1.0, 1e-7, 0]]
    return trimesh.Trimesh(np.asarray(v, float), [[0, 1, 2]], process=False)


def _far_vertex() -> trimesh.Trimesh:
    """A cube whose first vertex is moved 1000 units out (one stretched corner)."""
    box = trimesh.creation.box()
    v = box.vertices.copy()
    v[0] = [1000.0, -3.0, -0.5]
    return trimesh.Trimesh(v, box.faces, process=False)


def _measured(fn):
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        out = fn()
        elapsed = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()
    return out, elapsed, peak


@pytest.mark.parametrize(
    "name, build",
    [
        ("spike_up", lambda: _spike((0, 0, 1))),
        ("spike_sideways", lambda: _spike((1, 0, 0.3))),
        ("standing_needle", lambda: _needle(True)),
        ("flat_needle", lambda: _needle(False)),
        ("far_vertex", _far_vertex),
    ],
)
def test_hostile_geometry_is_bounded_in_time_and_memory(name, build):
    mesh = Asset.from_trimesh(build()).mesh
    (contacts, st), elapsed, peak = _measured(
        lambda: (ground_contacts(mesh), stability(mesh))
    )
    print(f"{name}: {elapsed:.3f} s, peak {peak:.1f} MB, {contacts.n_regions} contacts")
    assert elapsed < MAX_SECONDS
    assert peak < MAX_PEAK_MB
    assert contacts.n_regions >= 1
    # a flat needle lies flat (no margin); the others get a finite margin
    assert np.isfinite(st.margin) or st.equilibrium == "flat"


def test_spike_on_a_cube_keeps_the_cube_answer():
    # after normalisation the cube's base is a speck 0.1 % wide under a unit-long spike
    mesh = Asset.from_trimesh(_spike((0, 0, 1))).mesh
    c = ground_contacts(mesh)
    assert c.n_regions == 1
    lo, hi = c.support_polygon.min(axis=0), c.support_polygon.max(axis=0)
    assert (hi - lo).max() < 0.01  # the cube's base, not a blown-up raster artefact


def test_far_vertex_contact_is_the_whole_stretched_base():
    mesh = Asset.from_trimesh(_far_vertex()).mesh
    c = ground_contacts(mesh)
    assert c.n_regions == 1
    # the stretched bottom face spans the whole unit extent along x
    assert np.ptp(c.support_polygon[:, 0]) > 0.99


def test_raster_pixel_has_a_floor_and_a_work_budget():
    speck = np.array([[[0, 0], [1e-9, 0], [0, 1e-9]]], float)
    assert raster_pixel(speck, 256, 0.02, 0.01) == pytest.approx(0.02 / 8)
    # 20 000 unit triangles stacked on each other: coarser pixels keep the work bounded
    rng = np.random.default_rng(0)
    soup = rng.uniform(0, 1, (20_000, 3, 2))
    pixel = raster_pixel(soup, 256, 0.02, 0.01)
    assert pixel > 1.0 / 256
    extent = soup.max(axis=1) - soup.min(axis=1)
    work = ((extent[:, 0] + 2 * pixel) * (extent[:, 1] + 2 * pixel)).sum() / pixel**2
    assert work <= MAX_RASTER_WORK


def test_overlapping_flat_soup_is_bounded():
    rng = np.random.default_rng(1)
    v = rng.uniform(0, 1, (30_000, 3))
    v[:, 2] *= 0.005  # all within the contact band
    mesh = trimesh.Trimesh(v, np.arange(30_000).reshape(-1, 3), process=False)
    (c, _), elapsed, peak = _measured(lambda: (ground_contacts(mesh), None))
    print(f"soup: {elapsed:.3f} s, peak {peak:.1f} MB")
    assert elapsed < MAX_SECONDS and peak < MAX_PEAK_MB
    assert c.n_regions == 1  # one tangled sheet
