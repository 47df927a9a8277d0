"""Aesthetic suite: weight-free appearance and mesh-quality statistics, multi-view consistency,
the LAION-style head and the HPS-style preference interface (tiny random models)."""

from __future__ import annotations

import numpy as np
import pytest
import trimesh

from mme3dr.appearance import colourfulness, view_appearance
from mme3dr.assets import Asset
from mme3dr.cases import Case
from mme3dr.evaluators import registry
from mme3dr.evaluators.aesthetic import pixel_embeddings, ring_pairs, rings
from mme3dr.evaluators.base import Sample
from mme3dr.features.testing import write_random_aesthetic_head, write_random_clip
from mme3dr.geometry.mesh_quality import mesh_quality, triangle_quality
from mme3dr.render import get_rig


def _sample(mesh, rig=None) -> Sample:
    case = Case(id="c", prompt="a wooden crate", category="stylized")
    return Sample(case=case, asset=Asset.from_trimesh(mesh), rig=rig)


@pytest.fixture()
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("MME3DR_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
    monkeypatch.setenv("HOME", str(tmp_path))
    return tmp_path / "home"


# ------------------------------------------------------------------------------ appearance


def test_colourfulness_contrast_texture_known_answers():
    mask = np.ones((32, 32), bool)
    grey = np.full((32, 32, 3), 128, np.uint8)
    assert colourfulness(grey, mask) == pytest.approx(0.0)
    red = np.zeros((32, 32, 3), np.uint8)
    red[..., 0] = 255
    # rg = 255, yb = 127.5, no spread: M = 0.3 * hypot(255, 127.5)
    assert colourfulness(red, mask) == pytest.approx(0.3 * np.hypot(255, 127.5))
    flat = view_appearance(grey, mask)
    assert flat.contrast == pytest.approx(0.0) and flat.texture == 0.0
    checker = ((np.indices((32, 32)).sum(0) % 2) * 255).astype(np.uint8)
    checker = np.repeat(checker[..., None], 3, -1)
    tex = view_appearance(checker, mask)
    assert tex.texture == pytest.approx(1.0) and tex.contrast == pytest.approx(0.5, abs=1e-3)
    # background pixels do not count
    half = mask.copy()
    half[:, 16:] = False
    assert view_appearance(np.where(half[..., None], grey, red), half).colourfulness == 0.0


def test_appearance_evaluator_plain_white_scores_low():
    sc = registry.build("appearance").score(_sample(trimesh.creation.box((1, 1, 1))))
    assert sc.status == "ok" and sc.score < 0.3
    assert sc.value["colourfulness"] == pytest.approx(0.0, abs=1e-6)
    assert len(sc.details["per_view"]) == 8
    coloured = trimesh.creation.icosphere(3)
    coloured.visual.face_colors = np.where(
        (np.arange(len(coloured.faces)) % 2 == 0)[:, None], [255, 0, 0, 255], [0, 0, 255, 255]
    )
    richer = registry.build("appearance").score(_sample(coloured))
    assert richer.score > sc.score


# ------------------------------------------------------------------------------ mesh quality


def test_triangle_quality_known_answers():
    v = np.array([[0, 0, 0], [1, 0, 0], [0.5, np.sqrt(3) / 2, 0], [2, 0, 0], [1, 1e-4, 0.0]])
    q, area = triangle_quality(v, np.array([[0, 1, 2], [0, 3, 4], [0, 0, 1]]))
    assert q[0] == pytest.approx(1.0) and q[1] < 0.01 and q[2] == 0.0
    assert area[0] == pytest.approx(np.sqrt(3) / 4)


def test_mesh_quality_normals_and_winding():
    box = trimesh.creation.box((1, 1, 1))
    good = mesh_quality(box)
    assert good.bad_edge_fraction == 0.0 and good.inconsistent_winding_fraction == 0.0
    sphere = mesh_quality(trimesh.creation.icosphere(3))
    assert sphere.normal_consistency > 0.95 and sphere.tri_quality_mean > 0.9
    flipped = trimesh.creation.icosphere(2)
    faces = flipped.faces.copy()
    faces[0] = faces[0][::-1]
    bad = mesh_quality(trimesh.Trimesh(flipped.vertices, faces, process=False))
    assert bad.inconsistent_winding_fraction == pytest.approx(3 / bad.n_interior_edges)
    assert bad.bad_edge_fraction == pytest.approx(3 / bad.n_interior_edges)
    sc = registry.build("mesh_quality").score(_sample(box))
    assert sc.status == "ok" and sc.score > 0.9


# ------------------------------------------------------------------------------ multi-view


def test_rings_and_neighbour_pairs():
    rig = get_rig("orbit24")
    rs = rings(rig.azimuths_deg, rig.elevations_deg)
    assert [len(r) for r in rs] == [8, 8, 8]
    assert len(ring_pairs(rs[0], rig.azimuths_deg)) == 8  # closes the circle
    assert ring_pairs([0, 1, 2], (0.0, 30.0, 60.0)) == [(0, 1), (1, 2)]  # a partial arc does not


def test_flat_card_scores_low_on_neighbour_consistency():
    ev = registry.build("mv_consistency", {"features": "pixels"})
    card = ev.score(_sample(trimesh.creation.box((1.0, 0.02, 1.0))))
    cube = ev.score(_sample(trimesh.creation.box((1, 1, 1))))
    ball = ev.score(_sample(trimesh.creation.icosphere(3)))
    assert card.score < cube.score and ball.score > 0.9
    assert all("janus" not in s.details for s in (card, cube, ball))
    one = registry.build("mv_consistency").score(_sample(trimesh.creation.box(), get_rig("front")))
    assert one.status == "skipped" and "neighbouring views" in one.reason


def test_pixel_embeddings_are_unit_correlations():
    rgb = (np.random.default_rng(0).random((3, 64, 64, 3)) * 255).astype(np.uint8)
    e = pixel_embeddings(rgb)
    assert e.shape == (3, 1024) and np.allclose(np.linalg.norm(e, axis=1), 1.0)


# ------------------------------------------------------------------------------ learned heads


def test_laion_head_and_preference_model_with_random_weights(home):
    ckpt = write_random_clip(root=home / "weights" / "clip-vit-l-14")
    write_random_aesthetic_head(32)
    s = _sample(trimesh.creation.box((1, 1, 1)))
    mean = registry.build("laion_aesthetic").score(s)
    mx = registry.build("laion_aesthetic", {"reduce": "max"}).score(s)
    assert mean.status == "ok" and mx.status == "ok"
    assert mx.value == pytest.approx(max(mean.details["per_view"]), abs=1e-3)
    assert mx.value >= mean.value - 1e-9
    assert "random weights" in mean.reason and mean.details["weights"] == "random weights"
    with pytest.raises(ValueError):
        registry.build("laion_aesthetic", {"reduce": "median"})
    # a preference checkpoint of the same kind plugs into the HPS v2.1 interface
    hps = registry.build("hps_v21", {"checkpoint": str(ckpt)}).score(s)
    assert hps.status == "ok" and len(hps.details["per_view"]) == 8
    assert hps.value == pytest.approx(np.mean(hps.details["per_view"]), abs=1e-5)


def test_head_dimension_mismatch_is_an_error_not_a_score(home):
    write_random_clip(root=home / "weights" / "clip-vit-l-14")
    write_random_aesthetic_head(48)
    sc = registry.build("laion_aesthetic").score(_sample(trimesh.creation.box()))
    assert sc.status == "error" and "48-d" in sc.reason


def test_learned_evaluators_skip_without_weights(home):
    s = _sample(trimesh.creation.box())
    for name in ("laion_aesthetic", "hps_v21", "mv_consistency"):
        sc = registry.build(name).score(s)
        assert sc.status == "skipped" and "mme3dr weights fetch" in sc.reason, name
