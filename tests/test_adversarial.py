"""Asset-side attacks: each returns the degenerate mesh it promises, leaves the honest mesh
alone, and is deterministic for a seed; the reference/degenerate script writes both models."""

from __future__ import annotations

import numpy as np
import pytest
import trimesh

from mme3dr.adversarial import ATTACKS, apply_attack
from mme3dr.adversarial.attacks import extrude_mask
from mme3dr.assets import Asset
from mme3dr.errors import AssetError
from mme3dr.examples import shapes

EXPECTED = {
    "billboard", "empty", "near_empty", "exploded", "noise", "extreme_scale",
    "inverted_normals", "duplicate_stacked", "one_view_silhouette", "convex_hull",
}


@pytest.fixture(scope="module")
def honest() -> trimesh.Trimesh:
    return shapes.chair()


def test_registry_has_every_attack() -> None:
    assert set(ATTACKS) == EXPECTED
    with pytest.raises(KeyError, match="known"):
        apply_attack("nope", shapes.cube())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_attack_is_pure_and_deterministic(name: str, honest: trimesh.Trimesh) -> None:
    before = honest.vertices.copy()
    a = apply_attack(name, honest, None, 3)
    b = apply_attack(name, honest, None, 3)
    assert isinstance(a, trimesh.Trimesh)
    np.testing.assert_array_equal(honest.vertices, before)
    np.testing.assert_allclose(a.vertices, b.vertices)
    np.testing.assert_array_equal(a.faces, b.faces)


def test_attacks_do_what_they_say(honest: trimesh.Trimesh) -> None:
    ext = honest.extents
    card = apply_attack("billboard", honest)
    assert card.extents[1] == 0 and np.allclose(card.extents[[0, 2]], ext[[0, 2]])
    with pytest.raises(AssetError, match="no_faces"):
        Asset.from_trimesh(apply_attack("empty", honest))
    assert len(apply_attack("near_empty", honest).faces) == 1
    boom = apply_attack("exploded", honest)
    assert (boom.extents > ext).all() and len(boom.split(only_watertight=False)) > 1
    soup = apply_attack("noise", honest)
    assert (soup.bounds[0] >= honest.bounds[0] - 1e-9).all() and len(soup.faces) > 300
    big = apply_attack("extreme_scale", honest)
    np.testing.assert_allclose(big.extents, 1000 * ext, rtol=1e-9)
    assert Asset.from_trimesh(big).mesh.extents.max() == pytest.approx(1.0)
    inv = apply_attack("inverted_normals", honest)
    assert inv.volume == pytest.approx(-honest.volume)
    dup = apply_attack("duplicate_stacked", honest)
    assert dup.extents[2] == pytest.approx(2 * ext[2]) and len(dup.faces) == 2 * len(honest.faces)
    slab = apply_attack("one_view_silhouette", honest)
    assert slab.is_watertight and slab.extents[1] < 0.1 * ext.max()
    np.testing.assert_allclose(slab.extents[[0, 2]], ext[[0, 2]], atol=0.05 * ext.max())
    hull = apply_attack("convex_hull", honest)
    assert hull.is_convex and hull.volume > honest.volume


def test_one_view_silhouette_keeps_the_front_holes() -> None:
    """A standing ring's slab still shows the hole from the front (it is the silhouette)."""
    mask = np.ones((10, 10), dtype=bool)
    mask[3:7, 3:7] = False
    m = extrude_mask(mask, 0.1, 0.05)
    assert m.is_watertight and m.euler_number == 0  # a closed surface of genus 1
    ring = apply_attack("one_view_silhouette", shapes.ring())
    assert ring.is_watertight and ring.euler_number == 0


def test_reference_script_writes_both_models(tmp_path) -> None:
    import importlib.util
    import sys
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "scripts" / "make_mme3dr_reference.py"
    spec = importlib.util.spec_from_file_location("make_mme3dr_reference", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules["make_mme3dr_reference"] = mod
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    from mme3dr.examples.mme3dr_reference import build_reference

    ids = ["mech-001", "spa-018", "bio-012"]
    ref = build_reference(tmp_path / "ref", ids)
    assert sorted(p.stem for p in ref.glob("*.ply")) == sorted(ids)
    for p in ref.glob("*.ply"):
        Asset.from_trimesh(trimesh.load(p, force="mesh"))
    assert (ref / "model.json").is_file()
    assert callable(mod.build_degenerate) and mod.main([]) == 2
