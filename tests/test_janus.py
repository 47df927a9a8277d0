"""The Janus measure flags opposite views that both look like the front, never symmetry alone.

Front-likeness comes from a tiny deterministic stand-in for CLIP: a view's "embedding" is the
fraction of its foreground pixels that are face-coloured (red), back-of-head-coloured (blue)
or anything else, and the "text" embeddings of the prompt's front and back are the red and
blue axes. The meshes are rendered with the package's renderer on the orbit8 rig.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapes as S
import trimesh
from trimesh.creation import box, cylinder

from mme3dr.assets import Asset
from mme3dr.cases import Case
from mme3dr.evaluators import registry
from mme3dr.evaluators.aesthetic import (
    front_likeness,
    janus_measure,
    opposite_quads,
    pixel_embeddings,
)
from mme3dr.evaluators.base import Sample
from mme3dr.features.testing import write_random_clip
from mme3dr.render import get_rig, render

RED, BLUE, GREY = (220, 30, 30, 255), (30, 30, 220, 255), (180, 180, 180, 255)
FRONT_AXIS, BACK_AXIS = np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0])


def _coloured(mesh: trimesh.Trimesh, base=GREY, by_normal: dict | None = None) -> trimesh.Trimesh:
    """``mesh`` with face colour ``base``, and ``by_normal[(axis, sign)]`` on the faces whose
    normal points that way (axis 0 = x, 1 = y)."""
    mesh = mesh.copy()
    colours = np.tile(np.array(base, np.uint8), (len(mesh.faces), 1))
    for (axis, sign), col in (by_normal or {}).items():
        colours[mesh.face_normals[:, axis] * sign > 0.9] = col
    mesh.visual.face_colors = colours
    return mesh


def _at(mesh, x=0.0, y=0.0, z=0.0):
    mesh = mesh.copy()
    mesh.apply_translation([x, y, z])
    return mesh


def _yaw(mesh: trimesh.Trimesh, deg: float) -> trimesh.Trimesh:
    mesh = mesh.copy()
    mesh.apply_transform(trimesh.transformations.rotation_matrix(np.radians(deg), [0, 0, 1]))
    return mesh


def toy_embeddings(rgb: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Unit ``[red, blue, other]`` foreground fractions per view (the CLIP stand-in)."""
    x = rgb.astype(np.float64)
    r, g, b = x[..., 0], x[..., 1], x[..., 2]
    red = (r > 2 * g) & (r > 2 * b) & (r > 40)
    blue = (b > 2 * g) & (b > 2 * r) & (b > 40)
    fg = mask.astype(bool)
    e = np.stack(
        [(red & fg).sum((1, 2)), (blue & fg).sum((1, 2)), (fg & ~red & ~blue).sum((1, 2))], 1
    ).astype(np.float64)
    return e / np.maximum(np.linalg.norm(e, axis=1, keepdims=True), 1e-12)


def _measure(mesh: trimesh.Trimesh, rig: str = "orbit8") -> dict:
    views = render(Asset.from_trimesh(mesh), get_rig(rig))
    f = front_likeness(toy_embeddings(views.rgb, views.mask), FRONT_AXIS, BACK_AXIS)
    out = janus_measure(f, views.rig.azimuths_deg, views.rig.elevations_deg)
    assert out is not None
    return out


def _old_indicator(mesh: trimesh.Trimesh) -> float:
    """mv_consistency v1's front/back-minus-side similarity (pixel features, azimuth 0)."""
    views = render(Asset.from_trimesh(mesh), get_rig("orbit8"))
    e = pixel_embeddings(views.rgb)
    flip = pixel_embeddings(np.ascontiguousarray(views.rgb[:1, :, ::-1]))[0]
    opp = max(float(e[0] @ e[4]), float(flip @ e[4]))
    side = float(np.mean([e[x] @ e[y] for x in (0, 4) for y in (2, 6)]))
    return opp - side


def bench() -> trimesh.Trimesh:
    """A bench: seat, backrest at +y whose front (-y) face is face-coloured, four legs."""
    parts = [_at(box([1.6, 0.45, 0.06]), z=0.45)]
    parts.append(_coloured(_at(box([1.6, 0.05, 0.45]), y=0.2, z=0.72), by_normal={(1, -1): RED}))
    for x in (-0.7, 0.7):
        for y in (-0.17, 0.17):
            parts.append(_at(cylinder(radius=0.03, height=0.42, sections=12), x, y, 0.21))
    return trimesh.util.concatenate([_coloured(p) if i != 1 else p for i, p in enumerate(parts)])


def bed() -> trimesh.Trimesh:
    """A bed: mattress on a frame, a headboard at +y with a back-coloured outer face."""
    frame = _coloured(_at(box([1.0, 2.0, 0.3]), z=0.15))
    mattress = _coloured(_at(box([0.95, 1.9, 0.15]), z=0.375), base=(240, 240, 240, 255))
    head = _coloured(_at(box([1.0, 0.06, 0.8]), y=1.0, z=0.4), by_normal={(1, 1): BLUE})
    return trimesh.util.concatenate([frame, mattress, head])


def vase() -> trimesh.Trimesh:
    """A rotationally symmetric vase (revolved profile)."""
    prof = np.array([[0.0, 0.0], [0.3, 0.0], [0.4, 0.3], [0.25, 0.7], [0.18, 0.9], [0.25, 1.0]])
    return _coloured(trimesh.creation.revolve(prof, sections=48))


def head(faces: int) -> trimesh.Trimesh:
    """A block head with a face (red) on -y and, for ``faces=2``, a second face on +y; with one
    face the +y side is the back of the head (blue)."""
    back = RED if faces == 2 else BLUE
    skull = _coloured(box([0.5, 0.6, 0.7]), by_normal={(1, -1): RED, (1, 1): back})
    nose = _coloured(_at(box([0.08, 0.1, 0.12]), y=-0.35), base=RED)
    parts = [skull, nose]
    if faces == 2:
        parts.append(_coloured(_at(box([0.08, 0.1, 0.12]), y=0.35), base=RED))
    return _at(trimesh.util.concatenate(parts), z=0.35)


@pytest.mark.parametrize("name", ["table", "bench", "bed", "vase"])
def test_symmetric_furniture_is_not_flagged(name):
    mesh = {"table": lambda: _coloured(S.table()), "bench": bench, "bed": bed, "vase": vase}[name]()
    for yaw in (0.0, 90.0):
        out = _measure(_yaw(mesh, yaw))
        assert out["janus"] < 0.05, (name, yaw, out["pairs"])


def test_old_front_back_indicator_did_flag_the_symmetric_table():
    # the failure this measure replaces: a plain table looks the same front and back
    assert _old_indicator(_coloured(S.table())) > 0.15


@pytest.mark.parametrize("yaw", [0.0, 90.0, 45.0])
def test_two_faced_head_is_flagged_wherever_its_faces_point(yaw):
    out = _measure(_yaw(head(2), yaw))
    assert out["janus"] > 0.3, out["pairs"]
    face_az = {(yaw % 180.0), (yaw % 180.0) + 180.0}
    i, j = out["axis"]["views"]
    assert {get_rig("orbit8").azimuths_deg[v] for v in (i, j)} == face_az


@pytest.mark.parametrize("yaw", [0.0, 90.0, 225.0])
def test_one_faced_head_is_not_flagged_and_its_front_is_found(yaw):
    out = _measure(_yaw(head(1), yaw))
    assert out["janus"] < 0.05
    assert out["front_azimuth"] == pytest.approx(yaw % 360.0)


def test_measure_arithmetic_and_rigs_without_opposite_views():
    az, el = get_rig("orbit8").azimuths_deg, get_rig("orbit8").elevations_deg
    f = np.zeros(8)
    f[[2, 6]] = 0.4  # both faces at 90 / 270, sides (0 / 180) neutral
    out = janus_measure(f, az, el)
    assert out["janus"] == pytest.approx(0.4) and set(out["axis"]["views"]) == {2, 6}
    f[6] = -0.4  # the back of the head looks like a back
    assert janus_measure(f, az, el)["janus"] <= 0.0
    assert janus_measure(np.zeros(1), (0.0,), (20.0,)) is None
    assert opposite_quads(*[(0.0, 90.0, 180.0), (20.0,) * 3]) == []
    # orbit24 uses its eye-level ring
    r24 = get_rig("orbit24")
    assert all(
        r24.elevations_deg[v] == 0.0
        for q in opposite_quads(r24.azimuths_deg, r24.elevations_deg)
        for v in q
    )


def test_janus_evaluator_is_opt_in_and_runs_with_clip(tmp_path, monkeypatch):
    monkeypatch.setenv("MME3DR_HOME", str(tmp_path / "home"))
    write_random_clip(root=tmp_path / "home" / "weights" / "clip-vit-b-32")
    cls = registry.get("janus")
    assert cls.runs_by_default is False and cls.suite == "aesthetic"
    s = Sample(
        case=Case(id="h", prompt="a head", category="stylized"), asset=Asset.from_trimesh(head(2))
    )
    sc = registry.build("janus").score(s)
    assert sc.status == "ok" and sc.details["validated"] is False
    assert sc.reason.startswith("[random weights") and "front view" in sc.reason
    assert 0.0 <= sc.score <= 1.0 and sc.passed == (sc.value < 0.01)
    one = Sample(case=s.case, asset=s.asset, rig=get_rig("front"))
    assert registry.build("janus").score(one).status == "skipped"
    with pytest.raises(ValueError):
        registry.build("janus", {"front_template": "no placeholder"})


def test_mv_consistency_no_longer_penalises_front_back_symmetry():
    ev = registry.build("mv_consistency", {"features": "pixels"})
    tab = ev.score(
        Sample(
            case=Case(id="t", prompt="a table", category="stylized"),
            asset=Asset.from_trimesh(_coloured(S.table())),
        )
    )
    assert tab.status == "ok" and "janus" not in tab.details
    assert tab.score == pytest.approx(np.clip((tab.value - 0.5) / 0.45, 0.0, 1.0))
