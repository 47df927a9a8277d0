"""Weights resolution order, random-weight stamping, overrides and the `mme3dr weights` CLI."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mme3dr import weights
from mme3dr.cli import app


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("MME3DR_HOME", str(tmp_path / "mme3dr"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
    monkeypatch.delenv("HF_HOME", raising=False)
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    yield tmp_path
    for name in weights.CATALOGUE:
        weights.set_override(name, None)


def _hf_snapshot(root: Path, repo: str, fname: str, data: bytes = b"hf") -> Path:
    snap = root / "hf" / ("models--" + repo.replace("/", "--")) / "snapshots" / "abc123"
    snap.mkdir(parents=True)
    (snap / fname).write_bytes(data)
    return snap / fname


def test_resolution_order_explicit_then_mme3dr_then_hf_then_torch(isolated: Path):
    name = "inception-v3"
    with pytest.raises(weights.WeightsMissing) as info:
        weights.resolve(name)
    msg = str(info.value)
    assert "\n" not in msg and "mme3dr weights fetch inception-v3" in msg
    assert str(weights.weights_dir(name)) in msg and "--weights inception-v3=PATH" in msg
    torch_file = isolated / "torch" / "hub" / "checkpoints" / "inception_v3_google-0cc3c7bd.pth"
    torch_file.parent.mkdir(parents=True)
    torch_file.write_bytes(b"torch")
    assert weights.resolve(name).source == "torch"
    mine = weights.weights_dir(name) / "inception_v3_google-0cc3c7bd.pth"
    mine.parent.mkdir(parents=True)
    mine.write_bytes(b"mine")
    r = weights.resolve(name)
    assert r.source == "mme3dr" and r.path == mine and not r.random
    explicit = isolated / "elsewhere.pth"
    explicit.write_bytes(b"explicit")
    assert weights.resolve(name, explicit).path == explicit
    weights.set_override(name, explicit)
    assert weights.resolve(name).source == "explicit"
    weights.set_override(name, isolated / "nope.pth")
    with pytest.raises(weights.WeightsMissing, match="explicit path"):
        weights.resolve(name)


def test_hugging_face_cache_is_searched(isolated: Path):
    spec = weights.CATALOGUE["clip-vit-b-32"]
    f = _hf_snapshot(isolated, spec.hf_repo, "open_clip_model.safetensors")
    r = weights.resolve("clip-vit-b-32")
    assert r.source == "huggingface" and r.path == f
    # an HF model folder needs config.json beside the weights
    dino = weights.CATALOGUE["dinov2-vit-b-14"]
    w = _hf_snapshot(isolated, dino.hf_repo, "model.safetensors")
    with pytest.raises(weights.WeightsMissing):
        weights.resolve("dinov2-vit-b-14")
    (w.parent / "config.json").write_text("{}")
    assert weights.resolve("dinov2-vit-b-14").path == w.parent


def test_stamp_has_sha256_or_random_weights(isolated: Path):
    real = weights.weights_dir("laion-aesthetic-v2") / "aesthetic_head.pt"
    real.parent.mkdir(parents=True)
    real.write_bytes(b"not really a head")
    st = weights.resolve("laion-aesthetic-v2").stamp()
    assert st["sha256"] == hashlib.sha256(b"not really a head").hexdigest()
    assert st["checkpoint"] == str(real) and "weights" not in st
    weights.save_random_checkpoint({"w": __import__("torch").zeros(2)}, real)
    st = weights.resolve("laion-aesthetic-v2").stamp()
    assert st["sha256"] == "random weights" and st["weights"] == "random weights"


def test_parse_overrides():
    got = weights.parse_overrides(["clip-vit-b-32=/w/b32.pt"])
    assert got == {"clip-vit-b-32": Path("/w/b32.pt")}
    for bad in ("clip-vit-b-32", "nosuch=/x", "=/x"):
        with pytest.raises(ValueError):
            weights.parse_overrides([bad])


def test_cli_weights_list_and_fetch_failure(isolated: Path, monkeypatch):
    runner = CliRunner()
    res = runner.invoke(app, ["weights", "list"], env={"COLUMNS": "250"})
    assert res.exit_code == 0, res.output
    for name in weights.CATALOGUE:
        assert name in res.output
    assert "clip_score" in res.output and " no " in res.output
    assert runner.invoke(app, ["weights", "fetch", "nosuch"]).exit_code == 2

    import huggingface_hub

    def offline(*a, **k):
        raise OSError("network is unreachable")

    monkeypatch.setattr(huggingface_hub, "hf_hub_download", offline)
    res = runner.invoke(app, ["weights", "fetch", "clip-vit-b-32"])
    assert res.exit_code == 1 and "could not download clip-vit-b-32" in res.output


def test_cli_eval_rejects_bad_weights_option(tmp_path: Path):
    model = tmp_path / "m"
    model.mkdir()
    res = CliRunner().invoke(app, ["eval", str(model), "--weights", "nosuch=/x"])
    assert res.exit_code == 2 and "unknown name" in res.output
