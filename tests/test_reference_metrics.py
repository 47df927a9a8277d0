"""FD and KID: math against torchmetrics' implementations on the same features, the feature
extractors with random weights, and the reference-set post-pass of a run."""

from __future__ import annotations

import json

import numpy as np
import pytest
import trimesh

from mme3dr.examples.models import write_mesh
from mme3dr.features.distances import (
    frechet_distance,
    gaussian_stats,
    kernel_distance,
    mmd2_unbiased,
)
from mme3dr.runner import EvalConfig, run_eval


def _feats(seed: int, n: int = 300, d: int = 24, shift: float = 0.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(d, d)) / np.sqrt(d)
    return rng.normal(size=(n, d)) @ a + shift


def test_fd_matches_torchmetrics():
    torch = pytest.importorskip("torch")
    fid = pytest.importorskip("torchmetrics.image.fid")
    x, y = _feats(0), _feats(1, n=250, shift=0.3)
    mu1, s1 = gaussian_stats(x)
    mu2, s2 = gaussian_stats(y)
    ref = fid._compute_fid(
        torch.from_numpy(mu1), torch.from_numpy(s1), torch.from_numpy(mu2), torch.from_numpy(s2)
    )
    assert frechet_distance(x, y) == pytest.approx(float(ref), rel=1e-9, abs=1e-9)
    # the torchmetrics metric object, fed the features through an identity extractor
    metric = fid.FrechetInceptionDistance(feature=_Identity(x.shape[1]), normalize=True)
    metric = metric.double()
    metric.update(torch.from_numpy(y), real=True)
    metric.update(torch.from_numpy(x), real=False)
    assert frechet_distance(x, y) == pytest.approx(float(metric.compute()), rel=1e-6)


class _Identity:
    """Minimal stand-in: a module whose output is its input (features already extracted)."""

    def __new__(cls, d: int):
        import torch

        class Identity(torch.nn.Module):
            num_features = d

            def forward(self, x):
                return x if x.ndim == 2 else torch.zeros(x.shape[0], d, dtype=torch.float64)

        return Identity()


def test_fd_known_answers():
    x = _feats(2)
    assert frechet_distance(x, x) == pytest.approx(0.0, abs=1e-8)
    # a pure shift adds |shift|^2
    assert frechet_distance(x, x + 0.5) == pytest.approx(0.25 * x.shape[1], rel=1e-9)
    with pytest.raises(ValueError):
        frechet_distance(x[:1], x)


def test_kid_matches_torchmetrics_poly_mmd_subset_by_subset():
    torch = pytest.importorskip("torch")
    kid = pytest.importorskip("torchmetrics.image.kid")
    x, y = _feats(3, n=120), _feats(4, n=90, shift=0.2)
    for a, b in ((x[:50], y[:50]), (x[10:90], y[5:85])):
        ref = kid.poly_mmd(torch.from_numpy(a), torch.from_numpy(b))
        assert mmd2_unbiased(a, b) == pytest.approx(float(ref), rel=1e-9, abs=1e-12)
    res = kernel_distance(x, y, subsets=20, subset_size=50, seed=7)
    rng = np.random.default_rng(7)
    vals = []
    for _ in range(20):
        xi = x[rng.choice(len(x), 50, replace=False)]
        yi = y[rng.choice(len(y), 50, replace=False)]
        vals.append(float(kid.poly_mmd(torch.from_numpy(xi), torch.from_numpy(yi))))
    assert res["mean"] == pytest.approx(np.mean(vals), rel=1e-9)
    assert res["std"] == pytest.approx(np.std(vals), rel=1e-9)
    assert res["subset_size"] == 50 and res["subsets"] == 20


def test_kid_is_unbiased_near_zero_for_same_distribution_and_positive_when_shifted():
    a, b = _feats(5, n=400), _feats(5, n=400)
    same = kernel_distance(a[:200], b[200:], subsets=30, subset_size=100)
    shifted = kernel_distance(a, b + 1.0, subsets=30, subset_size=100)
    assert abs(same["mean"]) < 3 * same["std"] + 1e-3
    assert shifted["mean"] > 10 * max(same["std"], 1e-6)
    capped = kernel_distance(a[:30], b[:20], subsets=3, subset_size=1000)
    assert capped["subset_size"] == 20


def test_dinov2_extractor_random_tiny(tmp_path, monkeypatch):
    pytest.importorskip("transformers")
    monkeypatch.setenv("MME3DR_HOME", str(tmp_path))
    from mme3dr.features.backbones import get_extractor
    from mme3dr.features.testing import write_random_dinov2

    write_random_dinov2()
    ext = get_extractor("dinov2")
    rgb = (np.random.default_rng(0).random((3, 64, 64, 3)) * 255).astype(np.uint8)
    f = ext.extract(rgb)
    assert f.shape == (3, 32) and np.isfinite(f).all()
    assert ext.info()["weights"] == "random weights"
    assert np.allclose(ext.extract(rgb[:1]), f[:1], atol=1e-5)  # batch-independent


def test_reference_post_pass_in_a_run(tmp_path, monkeypatch):
    pytest.importorskip("transformers")
    monkeypatch.setenv("MME3DR_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setenv("HOME", str(tmp_path))
    from mme3dr.features.testing import write_random_dinov2

    write_random_dinov2()
    model, ref = tmp_path / "model", tmp_path / "ref"
    write_mesh(trimesh.creation.box((1, 1, 1)), model / "a.obj")
    write_mesh(trimesh.creation.icosphere(2), model / "b.obj")
    write_mesh(trimesh.creation.cylinder(0.4, 1.0), ref / "r1.obj")
    write_mesh(trimesh.creation.cone(0.5, 1.0), ref / "sub" / "r2.ply")
    cases = tmp_path / "cases.jsonl"
    rows = [
        {"id": c, "prompt": f"object {c}", "category": "stylized", "suites": ["physical"]}
        for c in ("a", "b")
    ]
    cases.write_text("".join(json.dumps(r) + "\n" for r in rows))
    cfg = EvalConfig(
        model_dir=model, cases=cases, out_dir=tmp_path / "out", rig="orbit4", reference=ref
    )
    summary = run_eval(cfg, progress=False).summary
    res = summary["set_metrics"]["reference"]
    assert res["status"] == "ok" and res["n_reference_meshes"] == 2
    dino = res["dinov2"]
    assert dino["status"] == "ok" and dino["n_model_images"] == 8
    assert dino["n_reference_images"] == 8 and dino["fd"] >= 0
    assert set(dino["kid"]) >= {"mean", "std", "subsets", "subset_size"}
    assert res["inception"]["status"] == "skipped"
    assert "mme3dr weights fetch inception-v3-tf" in res["inception"]["reason"]
    assert summary["stamp"]["weights"]["dinov2-vit-l-14"]["sha256"] == "random weights"
    # 8 images < 32 feature dimensions of the tiny model: FD is flagged as biased
    assert dino["small_sample"] == {"n_model": 8, "n_reference": 8, "feature_dim": 32}
    assert "biased" in dino["warning"]
    # the reference features are cached for a rerun
    assert (tmp_path / "out" / "model" / "features" / "dinov2" / "_reference.npz").is_file()


def test_reference_metrics_recomputed_over_merged_shards(tmp_path, monkeypatch):
    pytest.importorskip("transformers")
    from typer.testing import CliRunner

    from mme3dr.cli import app

    monkeypatch.setenv("MME3DR_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setenv("HOME", str(tmp_path))
    from mme3dr.features.testing import write_random_dinov2

    write_random_dinov2()
    model, ref = tmp_path / "model", tmp_path / "ref"
    meshes = [
        trimesh.creation.box((1, 1, 1)),
        trimesh.creation.icosphere(2),
        trimesh.creation.box((1, 0.4, 0.2)),
        trimesh.creation.cone(0.4, 1.0),
    ]
    for i, m in enumerate(meshes):
        write_mesh(m, model / f"c{i}.obj")
    write_mesh(trimesh.creation.cylinder(0.4, 1.0), ref / "r1.obj")
    write_mesh(trimesh.creation.torus(0.4, 0.1), ref / "r2.obj")
    cases = tmp_path / "cases.jsonl"
    rows = [
        {"id": f"c{i}", "prompt": f"object {i}", "category": "stylized", "suites": ["physical"]}
        for i in range(4)
    ]
    cases.write_text("".join(json.dumps(r) + "\n" for r in rows))

    def run(out, shard=None):
        cfg = EvalConfig(
            model_dir=model, cases=cases, out_dir=out, rig="orbit4", reference=ref, shard=shard
        )
        return run_eval(cfg, progress=False).summary["set_metrics"]["reference"]

    full = run(tmp_path / "full")["dinov2"]
    for k in (1, 2):
        shard = run(tmp_path / "sh", (k, 2))["dinov2"]
        assert shard["n_model_images"] == 8
    res = CliRunner().invoke(app, ["merge", str(tmp_path / "sh" / "model")])
    assert res.exit_code == 0, res.output
    merged = json.loads((tmp_path / "sh" / "model" / "summary.json").read_text())
    m = merged["set_metrics"]["reference"]["dinov2"]
    assert m["status"] == "ok" and m["n_model_images"] == 16 == full["n_model_images"]
    assert m["fd"] == pytest.approx(full["fd"], rel=1e-6)
    assert m["kid_mean"] == pytest.approx(full["kid_mean"], rel=1e-6, abs=1e-9)
    assert merged["set_metrics"]["reference"]["inception"]["status"] == "skipped"
