"""Known-answer tests: components, contacts, manifold, stability and intersections."""

from __future__ import annotations

import time

import numpy as np
import pytest
import trimesh

from mme3dr.assets import Asset
from mme3dr.geometry.components import component_stats, connected_components
from mme3dr.geometry.contacts import clip_below, ground_contacts, support_polygon
from mme3dr.geometry.intersections import self_intersections
from mme3dr.geometry.manifold import manifold_report
from mme3dr.geometry.stability import (
    centre_of_mass,
    floating_parts,
    signed_margin,
    stability,
    upright,
)

# ------------------------------------------------------------------------------ mesh builders


def box_at(extents, centre) -> trimesh.Trimesh:
    m = trimesh.creation.box(extents=extents)
    m.apply_translation(centre)
    return m


def legged(n_legs: int, radius: float = 0.4, leg: float = 0.08) -> trimesh.Trimesh:
    """A top on ``n_legs`` legs, fused into ONE mesh with a manifold boolean union."""
    parts = [box_at((1.0, 1.0, 0.08), (0, 0, 0.76))]
    for k in range(n_legs):
        ang = 2 * np.pi * k / n_legs + np.pi / 4
        parts.append(
            box_at((leg, leg, 0.8), (radius * np.cos(ang), radius * np.sin(ang), 0.4))
        )
    return trimesh.boolean.union(parts, engine="manifold")


def perturbed(mesh: trimesh.Trimesh, seed: int, noise: float = 0.001) -> trimesh.Trimesh:
    """Random yaw, two subdivisions and Gaussian vertex noise."""
    rng = np.random.default_rng(seed)
    m = mesh.copy()
    m.apply_transform(trimesh.transformations.rotation_matrix(rng.uniform(0, 2 * np.pi), [0, 0, 1]))
    m = m.subdivide().subdivide()
    m.vertices = m.vertices + rng.normal(0.0, noise, m.vertices.shape)
    return m


def many_pyramids(n: int, seed: int = 0) -> trimesh.Trimesh:
    """``n`` disjoint square pyramids (5 vertices, 6 faces each) scattered in a unit cube."""
    base = np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0], [0.5, 0.5, 1]], float) * 0.004
    pf = np.array([[0, 2, 1], [0, 3, 2], [0, 1, 4], [1, 2, 4], [2, 3, 4], [3, 0, 4]])
    off = np.random.default_rng(seed).uniform(0, 1, (n, 3))
    verts = (base[None] + off[:, None]).reshape(-1, 3)
    faces = (pf[None] + 5 * np.arange(n)[:, None, None]).reshape(-1, 3)
    return trimesh.Trimesh(verts, faces, process=False)


def asset(mesh: trimesh.Trimesh) -> trimesh.Trimesh:
    """The normalised, seam-merged mesh an evaluator would see."""
    return Asset.from_trimesh(mesh).mesh


# ------------------------------------------------------------------------------- components


def test_components_count_and_order():
    big = box_at((1, 1, 1), (0, 0, 0))
    small = box_at((0.1, 0.1, 0.1), (3, 0, 0))
    n, labels = connected_components(trimesh.util.concatenate([small, big]))
    assert n == 2
    assert labels.dtype == np.int64
    # label 0 is the largest by area: the big box (its faces come second)
    assert set(labels[12:]) == {0} and set(labels[:12]) == {1}
    stats = component_stats(trimesh.util.concatenate([small, big]), labels, n)
    assert stats.face_count.tolist() == [12, 12]
    assert stats.area[0] == pytest.approx(6.0) and stats.area[1] == pytest.approx(0.06)
    np.testing.assert_allclose(stats.bounds_min[1], [2.95, -0.05, -0.05])
    np.testing.assert_allclose(stats.bounds_max[0], [0.5, 0.5, 0.5])
    np.testing.assert_allclose(stats.centroid[1], [3, 0, 0], atol=1e-12)


def test_components_seam_merged_by_asset():
    # a box with unmerged (seam-split) vertices is one component once loaded as an asset
    box = trimesh.creation.box()
    tri = box.triangles.reshape(-1, 3)
    split = trimesh.Trimesh(tri, np.arange(36).reshape(-1, 3), process=False)
    assert connected_components(split)[0] == 12
    assert connected_components(asset(split))[0] == 1


def test_components_fast_on_many_parts():
    mesh = many_pyramids(20_000)
    assert len(mesh.faces) == 120_000
    t0 = time.perf_counter()
    n, labels = connected_components(mesh)
    stats = component_stats(mesh, labels, n)
    elapsed = time.perf_counter() - t0
    print(f"components: 120k faces, 20k parts labelled + stats in {elapsed:.3f} s")
    assert n == 20_000
    assert labels.min() == 0 and labels.max() == n - 1
    assert (stats.face_count == 6).all()
    assert elapsed < 5.0


# ----------------------------------------------------------------------------------- contacts


def test_clip_below_keeps_the_lower_part():
    tri = np.array([[[0, 0, 0], [1, 0, 1], [0, 1, 1]]], float)
    out = clip_below(tri, 0.5)
    assert out.shape == (1, 3, 3)
    assert out[..., 2].max() == pytest.approx(0.5)
    two_below = np.array([[[0, 0, 1], [1, 0, 0], [0, 1, 0]]], float)
    assert clip_below(two_below, 0.5).shape == (2, 3, 3)
    assert clip_below(two_below, -1.0).shape == (0, 3, 3)


def test_support_polygon_degenerate_cases():
    assert support_polygon(np.zeros((0, 2))).shape == (0, 2)
    assert support_polygon(np.array([[1.0, 2.0], [1.0, 2.0]])).shape == (1, 2)
    line = support_polygon(np.array([[0, 0], [1, 1], [2, 2], [0.5, 0.5]], float))
    assert sorted(map(tuple, line.tolist())) == [(0.0, 0.0), (2.0, 2.0)]
    square = support_polygon(np.array([[0, 0], [1, 0], [1, 1], [0, 1], [0.5, 0.5]], float))
    assert len(square) == 4
    x, y = square[:, 0], square[:, 1]
    assert 0.5 * np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y) > 0  # counter-clockwise


def test_cube_has_one_contact_of_full_area():
    gc = ground_contacts(asset(trimesh.creation.box()))
    assert gc.n_regions == 1
    assert gc.contact_area == pytest.approx(1.0, rel=0.03)
    assert len(gc.support_polygon) == 4


@pytest.mark.parametrize("n_legs", [3, 4])
def test_fused_legs_are_counted(n_legs):
    mesh = legged(n_legs)
    assert connected_components(mesh)[0] == 1  # one fused mesh
    assert ground_contacts(asset(mesh)).n_regions == n_legs
    for seed in range(3):
        gc = ground_contacts(asset(perturbed(mesh, seed)))
        assert gc.n_regions == n_legs
        assert len(gc.support_polygon) >= n_legs


def test_feet_not_coplanar_within_tolerance():
    mesh = legged(4)
    # lift one leg tip by 0.4 % of the height: still within the 1 % band
    v = mesh.vertices.copy()
    lift = (v[:, 2] < 1e-6) & (v[:, 0] > 0) & (v[:, 1] > 0)
    v[lift, 2] += 0.004
    mesh.vertices = v
    assert ground_contacts(asset(mesh), tol=0.01).n_regions == 4
    # but a leg lifted above the band is no contact
    v[lift, 2] += 0.05
    mesh.vertices = v
    assert ground_contacts(asset(mesh), tol=0.01).n_regions == 3


def test_sphere_single_contact():
    gc = ground_contacts(asset(trimesh.creation.icosphere(subdivisions=3)))
    assert gc.n_regions == 1


# ----------------------------------------------------------------------------------- manifold


def test_manifold_closed_box():
    rep = manifold_report(asset(trimesh.creation.box()))
    assert rep.is_watertight and rep.winding_consistent
    assert rep.euler_characteristic == 2
    assert rep.boundary_fraction == 0.0


def test_manifold_open_box():
    box = trimesh.creation.box()
    keep = box.face_normals[:, 2] < 0.5  # drop the two top triangles
    open_box = trimesh.Trimesh(box.vertices, box.faces[keep], process=False)
    rep = manifold_report(open_box)
    assert not rep.is_closed and rep.is_manifold
    assert rep.boundary_edges == 4
    assert rep.euler_characteristic == 1


def test_manifold_nonmanifold_and_winding():
    box = trimesh.creation.box()
    extra = trimesh.Trimesh(box.vertices, np.vstack([box.faces, box.faces[:1]]), process=False)
    assert manifold_report(extra).nonmanifold_edges == 3
    flipped = box.faces.copy()
    flipped[0] = flipped[0][::-1]
    rep = manifold_report(trimesh.Trimesh(box.vertices, flipped, process=False))
    assert rep.inconsistent_edges == 3


# ---------------------------------------------------------------------------------- stability


def test_signed_margin():
    square = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], float)
    assert signed_margin([0, 0], square) == pytest.approx(1.0)
    assert signed_margin([2, 0], square) == pytest.approx(-1.0)
    assert signed_margin([0.5, 0.5], np.array([[0.0, 0.0]])) == pytest.approx(-np.sqrt(0.5))
    seg = np.array([[0, 0], [2, 0]], float)
    assert signed_margin([1, 0], seg) == 0.0
    assert signed_margin([1, 1], seg) == pytest.approx(-1.0)


def test_cube_is_stable():
    st = stability(asset(trimesh.creation.box()))
    assert st.method == "volume"
    assert st.margin == pytest.approx(0.5, abs=0.01)
    np.testing.assert_allclose(st.com, [0, 0, 0.5], atol=1e-9)


def test_leaning_L_is_unstable():
    tower = box_at((0.2, 0.2, 1.0), (0, 0, 0.5))
    arm = box_at((1.2, 0.2, 0.2), (0.7, 0, 0.9))
    st = stability(asset(trimesh.boolean.union([tower, arm], engine="manifold")))
    assert st.n_contacts == 1
    assert st.margin < 0


def test_open_mesh_uses_surface_centroid():
    box = trimesh.creation.box()
    open_box = trimesh.Trimesh(box.vertices, box.faces[box.face_normals[:, 2] < 0.5], process=False)
    com, method = centre_of_mass(open_box)
    assert method == "surface"
    assert com[2] < 0  # the missing top pulls the shell centroid down


def floaters_scene() -> trimesh.Trimesh:
    ground = box_at((1.0, 1.0, 0.2), (0, 0, 0.1))
    stacked = box_at((0.2, 0.2, 0.2), (0, 0, 0.3))  # sits on the ground box: supported
    f1 = box_at((0.1, 0.1, 0.1), (0.3, 0.3, 0.6))
    f2 = box_at((0.1, 0.1, 0.1), (-0.3, 0.3, 0.6))
    return trimesh.util.concatenate([ground, stacked, f1, f2])


def test_floating_parts():
    mesh = asset(floaters_scene())
    res = floating_parts(mesh)
    assert res.n_components == 4
    assert res.n_floating == 2
    assert 0 < res.floating_area_fraction < 0.1
    assert floating_parts(asset(trimesh.creation.box())).n_floating == 0


def test_touching_without_shared_vertices_is_supported():
    # a small box resting in the middle of a big one: no vertex near a vertex of the other
    ground = box_at((1.0, 1.0, 0.2), (0, 0, 0.1))
    top = box_at((0.2, 0.2, 0.2), (0.1, -0.1, 0.3))
    high = box_at((0.2, 0.2, 0.2), (0.1, -0.1, 0.5))  # on top of `top`: supported by a chain
    res = floating_parts(asset(trimesh.util.concatenate([ground, top, high])))
    assert res.n_floating == 0


def test_upright():
    bottle = trimesh.creation.cylinder(radius=0.1, height=1.0)
    standing = upright(asset(bottle))
    assert standing.aspect == pytest.approx(5.0)
    assert standing.base_ratio == pytest.approx(1.0, abs=0.05)
    lying = bottle.copy()
    lying.apply_transform(trimesh.transformations.rotation_matrix(np.pi / 2, [1, 0, 0]))
    assert upright(asset(lying)).base_ratio < 0.25
    book = box_at((0.5, 0.1, 1.0), (0, 0, 0))  # a book standing on end rests on its base
    assert upright(asset(book)).base_ratio == pytest.approx(1.0, abs=0.01)
    tipped = trimesh.creation.box()
    tipped.apply_transform(trimesh.transformations.rotation_matrix(np.pi / 4, [1, 0, 0]))
    assert upright(asset(tipped)).base_ratio < 0.05
    assert upright(asset(legged(4))).base_ratio > 0.25  # legs span 64 % of the top
    assert upright(asset(trimesh.creation.box())).com_height_ratio == pytest.approx(0.5)


# ------------------------------------------------------------------------------ intersections


def test_clean_box_does_not_self_intersect():
    res = self_intersections(asset(trimesh.creation.box()))
    assert res.n_intersecting == 0 and res.fraction == 0.0


def test_overlapping_boxes_self_intersect():
    a = trimesh.creation.box()
    b = box_at((1, 1, 1), (0.3, 0.3, 0.3))
    res = self_intersections(asset(trimesh.util.concatenate([a, b])))
    assert res.n_intersecting > 0 and res.fraction > 0.2


def test_stacked_boxes_touch_but_do_not_intersect():
    assert self_intersections(asset(floaters_scene())).n_intersecting == 0


def test_self_intersection_speed_and_sampling():
    sphere = trimesh.creation.icosphere(subdivisions=5)  # 20480 faces
    t0 = time.perf_counter()
    res = self_intersections(sphere)
    print(f"self-intersections: {len(sphere.faces)} faces in {time.perf_counter() - t0:.3f} s")
    assert res.n_intersecting == 0
    two = trimesh.util.concatenate([sphere, sphere.copy().apply_translation((0.5, 0, 0))])
    sampled = self_intersections(two, max_faces=5000, seed=1)
    assert sampled.sampled and sampled.n_tested == 5000
    full = self_intersections(two)
    assert abs(sampled.fraction - full.fraction) < 0.05


def test_floating_parts_soup_matches_brute_force():
    """A soup of separate triangles (thousands of candidate pairs): the broad phase plus the
    exact triangle distance must find exactly the contacts of an all-pairs brute force."""
    from scipy.sparse.csgraph import connected_components as cc

    from mme3dr.geometry.stability import triangles_within

    rng = np.random.default_rng(3)
    centres = rng.random((150, 1, 3))
    corners = centres + 0.3 * (rng.random((150, 3, 3)) - 0.5)  # triangles about 0.2 across
    soup = trimesh.Trimesh(corners.reshape(-1, 3), np.arange(450).reshape(-1, 3), process=False)
    mesh = Asset.from_trimesh(soup).mesh
    res = floating_parts(mesh)
    print(f"soup: {len(res.floating)} of 150 float")
    assert res.n_components == 150
    assert 0 < len(res.floating) < 150
    n, labels = connected_components(mesh)
    tri = mesh.vertices[mesh.faces]
    i, j = np.triu_indices(len(tri), 1)
    touch = triangles_within(tri[i], tri[j], 0.005)
    adj = np.zeros((n, n), bool)
    adj[labels[i[touch]], labels[j[touch]]] = True
    _, group = cc(adj, directed=False)
    z0 = tri[:, :, 2].min()
    low = np.zeros(n, bool)
    np.logical_or.at(low, labels, tri[:, :, 2].min(axis=1) <= z0 + 0.01)
    expected = np.flatnonzero(~np.isin(group, group[low]))
    assert sorted(res.floating.tolist()) == expected.tolist()
