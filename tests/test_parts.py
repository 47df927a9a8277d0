"""Part decomposition on fused surfaces: ``parts``, ``stacked`` and ``relation`` give the same,
right answers on clean separate components and on generator-style exports of the same shapes
(marching cubes of the 64- and 96-cubed occupancy, blur, smoothing, decimation, split vertices,
flipped triangles, pin-holes), where touching parts are fused into one surface."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
import trimesh
from generator_style import generator_style
from parts_cases import KNOWN
from random_parts import scene

from mme3dr.assets import Asset
from mme3dr.evaluators import build
from mme3dr.evaluators.base import Sample
from mme3dr.geometry.parts import segment_solid
from mme3dr.geometry.relations import find_parts
from mme3dr.geometry.voxels import cached_samples, cached_voxels, voxelize

#: (shape, form) pairs measured wrong (docs/checks.md, "parts"). The snowman's chain at 64 and
#: 96 was one until the neck plane reached over the lower ball's whole skin (stop 23).
KNOWN_MISSES: set[tuple[str, str]] = set()


@cache
def mesh_of(name: str, form: str) -> trimesh.Trimesh:
    mesh = KNOWN[name][0]()
    return mesh if form == "clean" else generator_style(mesh, int(form))


def sample_of(mesh: trimesh.Trimesh, yaw: float = 0.4, scale: float = 1.0,
              shift: tuple[float, float, float] = (0.0, 0.0, 0.0)) -> Sample:
    m = mesh.copy()
    m.apply_transform(trimesh.transformations.rotation_matrix(yaw, [0, 0, 1]))
    m.apply_scale(scale)
    m.apply_translation(shift)
    return Sample(case=None, asset=Asset.from_trimesh(m))  # type: ignore[arg-type]


CASES = [
    pytest.param(
        name, form, id=f"{name}-{form}",
        marks=[pytest.mark.xfail(reason="documented miss", strict=False)]
        if (name, form) in KNOWN_MISSES else [],
    )
    for name, (_, _, generator_too) in KNOWN.items()
    for form in (("clean", "64", "96") if generator_too else ("clean",))
]


@pytest.mark.parametrize("name,form", CASES)
def test_known_answers_clean_and_generator_style(name, form):
    sample = sample_of(mesh_of(name, form))
    for chk in KNOWN[name][1]:
        params = {k: v for k, v in chk.items() if k != "check"}
        score = build(chk["check"], params).score(sample)
        assert score.status == "ok" and score.passed, (chk, score.reason, score.details)


def test_generator_export_is_really_fused():
    """The generator-style ball on a cube is one connected surface (else the test is moot)."""
    from mme3dr.geometry.components import connected_components

    asset = sample_of(mesh_of("ball_on_cube", "64")).asset
    assert connected_components(asset.mesh)[0] == 1
    old = find_parts(asset.mesh, 0.01)  # components only: the method before
    assert old.count == 1
    new = find_parts(asset.mesh, 0.01, grid=cached_voxels(asset), samples=cached_samples(asset))
    assert new.count == 2


@pytest.mark.parametrize("name,expected", [("ball_on_cube", 2), ("cube_tower_3", 3)])
@pytest.mark.parametrize("transform", [
    {"yaw": 1.9, "scale": 40.0, "shift": (3.0, -7.0, 2.0)},
    {"yaw": 2.7, "scale": 0.01},
])
def test_invariant_to_yaw_scale_shift(name, expected, transform):
    score = build("parts", {"expect": expected}).score(sample_of(mesh_of(name, "64"),
                                                                 **transform))
    assert score.value == expected, score.reason


def test_decimated_harder_still_counts():
    mesh = generator_style(KNOWN["ball_on_cube"][0](), 64, decimate=0.15, seed=3)
    assert build("parts", {"expect": 2}).score(sample_of(mesh)).passed


@pytest.mark.parametrize("bar", [0.2, 0.3, 0.7, 0.9])
def test_bar_rule(bar):
    """Bells joined by a bar are one body whatever the bar's thickness: the bar keeps its narrow
    radius over a length, unlike the joint of two touching balls (docs/checks.md)."""
    from parts_cases import dumbbell

    for form in ("clean", "64"):
        mesh = dumbbell(bar) if form == "clean" else generator_style(dumbbell(bar), 64)
        score = build("parts", {"expect": 1}).score(sample_of(mesh))
        assert score.value == 1, (bar, form, score.details)


@pytest.mark.parametrize("waist", [0.3, 0.4, 0.5])
def test_gradual_narrowing_is_one_body(waist):
    """A tube narrowing smoothly to 30-50 % of its radius (a knotted tube, a stem, a shaft)
    is one body; before the neck-length test it was cut at its waist."""
    from parts_cases import waisted_tube

    grid = voxelize(waisted_tube(waist))
    assert segment_solid(grid).count == 1


def test_segmentation_reports_its_cuts():
    grid = voxelize(mesh_of("ball_on_cube", "64"))
    seg = segment_solid(grid)
    assert seg.count == 2 and len(seg.necks) == 1 and not seg.rests
    radius, r_a, r_b = seg.necks[0]
    assert 0 < radius < min(r_a, r_b)
    tower = segment_solid(voxelize(mesh_of("cube_tower_3", "64")))
    assert tower.count == 3 and len(tower.rests) == 2


def test_empty_and_tiny_inputs():
    empty = segment_solid(voxelize(trimesh.creation.box((1, 1, 1)), resolution=8))
    assert empty.count == 1
    flat = trimesh.Trimesh(np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0]], float), [[0, 1, 2]])
    score = build("parts", {"expect": 1}).score(sample_of(flat))
    assert score.status == "ok" and score.value == 1


def _mushroom() -> trimesh.Trimesh:
    """A short stem standing on a thin flat foot under a wide, flat cap: one body. Its cap
    is in its lower half, so only the stem's straight sides tell it from a ball on a plate."""
    from trimesh.creation import cylinder, icosphere

    foot = cylinder(radius=0.3, height=0.03, sections=48).apply_translation([0, 0, 0.015])
    stem = cylinder(radius=0.1, height=0.1, sections=32).apply_translation([0, 0, 0.08])
    cap = icosphere(3, radius=0.3)
    cap.apply_scale([1.0, 1.0, 0.4])
    cap.apply_translation([0, 0, 0.23])
    return trimesh.util.concatenate([foot, stem, cap])


def test_stem_is_rejected_by_its_straight_sides():
    """Without the fillet limit the short stem would be cut off its foot: the test above is not
    moot."""
    from mme3dr.geometry.parts import ContactRule, _contact_bodies

    grid = cached_voxels(sample_of(generator_style(_mushroom(), 64)).asset)
    assert len(_contact_bodies(grid.solid, ContactRule(), 100.0)) == 1
    assert len(_contact_bodies(grid.solid, ContactRule(), 0.03 / grid.pitch)) == 0


@pytest.mark.parametrize("res", [64, 96])
@pytest.mark.parametrize("name,builder,expected", [
    ("ball_on_thin_plate", lambda E: E.on_top(E.ball(0.04), E.plate(0.12, 0.01), dx=0.013), 2),
    ("ball_in_open_box", lambda E: E.inside(E.ball(0.06), E.open_box(0.3, 0.02), floor=0.02), 2),
    ("mushroom_on_foot", lambda E: _mushroom(), 1),
])
def test_contact_on_a_thin_or_walled_support(name, builder, expected, res):
    """A ball on a plate three voxels thick, or inside a box's walls, is cut at its contact
    once fused (the slice-area step of the resting cut is hidden there); a stem standing on a
    flat foot keeps its cross-section over its length and stays joined (docs/checks.md)."""
    from mme3dr.examples import shapes as E

    clean = builder(E)
    mesh = generator_style(clean, res)
    sample = sample_of(mesh)
    from mme3dr.geometry.components import connected_components

    assert connected_components(sample.asset.mesh)[0] == 1 or expected == 1
    score = build("parts", {"expect": expected}).score(sample)
    assert score.value == expected, (name, res, score.reason)


def _lid_with_handle() -> trimesh.Trimesh:
    """A flat lid with a staple-shaped handle: two posts on the lid joined only at the top."""
    lid = trimesh.creation.box((0.6, 0.6, 0.04))
    posts = [trimesh.creation.box((0.04, 0.04, 0.12)) for _ in range(2)]
    for post, x in zip(posts, (-0.12, 0.12), strict=True):
        post.apply_translation((x, 0, 0.02 + 0.06))
    bar = trimesh.creation.box((0.28, 0.04, 0.04))
    bar.apply_translation((0, 0, 0.02 + 0.12 + 0.02))
    return trimesh.util.concatenate([lid, *posts, bar])


@pytest.mark.parametrize("form", ["64", "96"])
def test_legged_body_on_a_top_is_cut_and_a_handle_on_a_lid_is_not(form):
    """A chair's four legs stand on the table top and join under its seat: a second body. A
    lid's handle also stands on two feet on a flat top, but its posts keep their section and
    meet only at the top, not in its lower half: it grows out of the lid, one body."""
    chair = sample_of(mesh_of("chair_on_table", form))
    assert build("parts", {"expect": 2}).score(chair).value == 2
    lid = sample_of(generator_style(_lid_with_handle(), int(form)))
    assert build("parts", {"expect": 1}).score(lid).value == 1


@pytest.mark.parametrize("form", [64, 96])
@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("kind", [
    "ball_on_box", "tower3", "ball_on_ball", "can_on_box", "box_on_plate", "capsule",
])
def test_random_scenes_fused(kind, seed, form):
    """Scenes drawn at random (``tests/random_parts.py``: sizes, offsets, yaw), fused by a
    generator-style export: the bodies a person sees. A ball's underside stays within a voxel
    or two of the top it rests on out to nearly its radius, and the watershed gave that skin
    to the top (the top's box then reached above the ball's bottom and ``stacked`` read 1); a
    box on a plate two voxels thick is not undercut and had no step under it (one part)."""
    mesh, parts, stacked = scene(kind, seed)
    sample = sample_of(generator_style(mesh, form, seed=seed), yaw=0.0)
    assert build("parts", {"expect": parts}).score(sample).value == parts, (kind, seed, form)
    if stacked is not None:
        assert build("stacked", {"expect": stacked}).score(sample).value == stacked


def test_random_scenes_are_reproducible_and_rest_on_the_floor():
    a, b = scene("tower3", 5)[0], scene("tower3", 5)[0]
    assert np.array_equal(a.vertices, b.vertices)
    assert not np.array_equal(a.vertices, scene("tower3", 6)[0].vertices)
    assert abs(a.bounds[0, 2]) < 1e-9
    with pytest.raises(KeyError, match="unknown scene"):
        scene("teapot", 0)


def test_small_detached_pieces_join_the_body_they_touch():
    from mme3dr.geometry.parts import _absorb_islands

    labels = np.zeros((12, 12, 12), dtype=np.int32)
    labels[1:6, 1:11, 1:11] = 1                # body 1, a slab
    labels[6:11, 1:11, 1:11] = 2               # body 2 on it
    labels[8, 5, 5] = 1                        # a one-voxel stray of body 1 inside body 2
    labels[10, 1, 1] = 0
    lone = labels.copy()
    _absorb_islands(labels)
    assert labels[8, 5, 5] == 2                # given to the body around it
    assert (labels == 1).sum() == (lone == 1).sum() - 1
    # a large detached piece is a body's own (not a stray): kept
    big = np.zeros((12, 12, 12), dtype=np.int32)
    big[1:6, 1:5, 1:11] = 1
    big[1:6, 7:11, 1:11] = 1                   # body 1 in two equal pieces
    big[1:6, 5:7, 1:11] = 2
    kept = big.copy()
    _absorb_islands(big)
    assert np.array_equal(big, kept)
    # a stray that touches no other body stays
    alone = np.zeros((12, 12, 12), dtype=np.int32)
    alone[1:6, 1:11, 1:11] = 1
    alone[9, 9, 9] = 1
    kept = alone.copy()
    _absorb_islands(alone)
    assert np.array_equal(alone, kept)


def test_flat_support_is_a_slab_not_a_slope():
    from mme3dr.geometry.parts import ContactRule, _flat_support

    rule = ContactRule()
    slab = np.zeros((30, 30, 8), dtype=bool)
    slab[2:28, 2:28, 0:3] = True               # a plate three layers thick
    top = slab[:, :, 2].copy()
    assert _flat_support(slab, top, 2, rule)
    cone = np.zeros((30, 30, 8), dtype=bool)
    i, j = np.mgrid[:30, :30]
    for z in range(8):                         # each layer three cells narrower than the last
        cone[:, :, z] = np.hypot(i - 14.5, j - 14.5) <= 14 - 3 * z
    assert not _flat_support(cone, cone[:, :, 2], 2, rule)


def test_block_is_read_above_its_fillet():
    from mme3dr.geometry.parts import ContactRule, _block

    rule = ContactRule()
    body = np.zeros((20, 20, 10), dtype=bool)
    body[6:14, 6:14, :] = True                 # 8 x 8 cells, 10 layers: a block (10 / 8)
    body[4:16, 4:16, :2] = True                # a wide fused fillet at its foot
    assert _block(body, rule, fillet=2)
    assert not _block(body[:, :, :4], rule, fillet=2)   # 4 layers on 8 x 8: a layer
    slab = np.zeros((20, 20, 4), dtype=bool)
    slab[2:18, 2:18, :] = True
    assert not _block(slab, rule, fillet=2)


def test_vertical_relations_ignore_a_strip_of_skin_past_a_split_joint():
    """A split part's top for ``on_top_of`` is its 99th height percentile: a strip of its
    skin the cut left above the joint (1 % of its samples, 0.035 higher) does not lift it."""
    from mme3dr.geometry.relations import Parts, _trimmed_heights, relation_margin

    rng = np.random.default_rng(0)
    lower = np.concatenate([rng.uniform(0.0, 0.34, 990), np.full(10, 0.375)])
    upper = rng.uniform(0.33, 0.7, 1000)
    z = np.concatenate([lower, upper])
    label = np.repeat([0, 1], 1000)
    lo = np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 0.33]])
    hi = np.array([[1.0, 1.0, 0.375], [1.0, 1.0, 0.7]])
    zlo, zhi = _trimmed_heights(z, label, 2, lo[:, 2], hi[:, 2])
    assert zhi[0] < 0.345 and zlo[1] < 0.34 and zhi[1] > 0.69
    common = dict(labels=np.zeros(0, np.int64), area=np.ones(2), centroid=np.zeros((2, 3)),
                  debris=0, split_pitch=1 / 64)
    boxes = Parts(lo=lo, hi=hi, **common)
    trimmed = Parts(lo=lo, hi=hi, zlo=zlo, zhi=zhi, **common)
    assert relation_margin(boxes, 1, 0, "on_top_of", 0.0, 0.0) < 0  # the box's top: 0.375
    assert relation_margin(trimmed, 1, 0, "on_top_of", 0.0, 0.0) >= 0


def test_height_selectors_read_the_trimmed_heights():
    """``highest`` and ``lowest`` pick by the heights the vertical margins read: a wide flat
    lower body whose split left a strip of its skin above the top of a small body beside it
    on the floor is not the highest on that strip's account."""
    from mme3dr.geometry.relations import Parts, _trimmed_heights, select_part

    rng = np.random.default_rng(1)
    z = np.concatenate([rng.uniform(0.0, 0.3, 990), np.full(10, 0.42),  # slab, strip at 0.42
                        rng.uniform(0.02, 0.4, 1000)])  # a small body beside it, top 0.4
    label = np.repeat([0, 1], 1000)
    lo = np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 0.02]])
    hi = np.array([[1.0, 1.0, 0.42], [0.2, 0.2, 0.4]])
    zlo, zhi = _trimmed_heights(z, label, 2, lo[:, 2], hi[:, 2])
    common = dict(labels=np.zeros(0, np.int64), area=np.ones(2), centroid=np.zeros((2, 3)),
                  debris=0, split_pitch=1 / 64, lo=lo, hi=hi)
    assert select_part(Parts(**common), "highest") == 0  # by the box: the strip's 0.42
    trimmed = Parts(zlo=zlo, zhi=zhi, **common)
    assert select_part(trimmed, "highest") == 1 and select_part(trimmed, "lowest") == 0
    assert select_part(trimmed, "highest:2") == 0


@pytest.mark.parametrize("yaw", [0.2, 0.4])
def test_can_pyramid_exported_at_96_stacks_three_high(yaw):
    """Six cans in a 3-2-1 pyramid, yawed and fused at 96: six parts and a chain of three.
    Read from the box extremes, the upper cans' bottoms sank below the lower cans' tops (a
    strip of skin past a tilted cut) and the chain was one high at both yaws. Not every yaw
    passes yet (docs/checks.md: 5 of 10 draws at 64 and 96, 0 of 10 before)."""
    from mme3dr.examples.mme3dr_reference import REFERENCE

    mesh = REFERENCE["spa-044"]()
    mesh.apply_transform(trimesh.transformations.rotation_matrix(yaw, [0, 0, 1]))
    sample = sample_of(generator_style(mesh, 96), yaw=0.0)
    found = build("parts", {"expect": 6}).score(sample)
    assert found.passed, found.reason
    chain = build("stacked", {"expect": 3}).score(sample)
    assert chain.passed, chain.reason
