"""TF-FID Inception through torch-fidelity: random weights in the TF-FID layout prove the loader
and the feature path; FD/KID on its features are pinned against torchmetrics; DINOv2 defaults."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from mme3dr import weights
from mme3dr.features import backbones
from mme3dr.features.distances import frechet_distance, kernel_distance
from mme3dr.features.testing import write_random_dinov2, write_random_tf_inception

fid_mod = pytest.importorskip("torchmetrics.image.fid")
pytest.importorskip("torch_fidelity")


@pytest.fixture(scope="module")
def tf_weights(tmp_path_factory) -> Path:
    return write_random_tf_inception(root=tmp_path_factory.mktemp("tfw"))


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("MME3DR_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setenv("HOME", str(tmp_path))
    weights.clear_failures()
    yield
    weights.set_override("inception-v3-tf", None)
    weights.clear_failures()


def _images(seed: int, n: int, size: int = 64) -> np.ndarray:
    rng = np.random.default_rng(seed)
    base = rng.random((n, 1, 1, 3)) * 200
    yy, xx = np.mgrid[0:size, 0:size] / size
    return np.clip(
        base
        + 55 * np.sin(6 * xx + seed)[None, :, :, None] * yy[None, :, :, None]
        + rng.normal(0, 10, (n, size, size, 3)),
        0,
        255,
    ).astype(np.uint8)


def _torchmetrics_inception(path: Path):
    return fid_mod.NoTrainInceptionV3(
        "inception-v3-compat", ["2048"], feature_extractor_weights_path=str(path), antialias=False
    )


@pytest.fixture(scope="module")
def tf_features(tf_weights) -> dict:
    """Our extractor's features of 6 images, and torchmetrics' of the first 2 (CPU: ~1 s each)."""
    weights.set_override("inception-v3-tf", tf_weights)
    try:
        ext = backbones.get_extractor("inception", batch_size=4)
        rgb = _images(0, 6)
        ours = ext.extract(rgb)
        one = ext.extract(rgb[1:2])
        info = ext.info()
    finally:
        weights.set_override("inception-v3-tf", None)
    ref = _torchmetrics_inception(tf_weights)
    with torch.inference_mode():
        theirs = ref(torch.from_numpy(rgb[:2]).permute(0, 3, 1, 2).contiguous()).numpy()
    return {"ours": ours, "one": one, "theirs": theirs, "info": info}


def test_tf_layout_loads_and_features_match_torchmetrics(tf_features):
    f = tf_features["ours"]
    assert f.shape == (6, 2048) and f.dtype == np.float32 and np.isfinite(f).all()
    assert f.std(axis=0).mean() > 1e-4  # informative, not collapsed
    info = tf_features["info"]
    assert info["graph"] == "TF-FID" and info["weights"] == "random weights"
    assert "torch_fidelity" in info["implementation"]
    assert np.allclose(f[:2], tf_features["theirs"], atol=1e-5)
    assert np.allclose(tf_features["one"], f[1:2], atol=1e-5)  # batch-independent


def test_pytorch_fid_file_name_resolves_from_the_torch_cache(tf_weights):
    target = Path(weights.torch_hub_checkpoints()) / "pt_inception-2015-12-05-6726825d.pth"
    target.parent.mkdir(parents=True)
    target.write_bytes(tf_weights.read_bytes())
    r = weights.resolve("inception-v3-tf")
    assert r.source == "torch" and r.path == target


def test_torchvision_file_in_place_of_tf_weights_fails_clearly(tmp_path):
    from torchvision.models import inception_v3

    with torch.device("meta"):
        sd = inception_v3(weights=None, aux_logits=True, init_weights=False).state_dict()
    path = tmp_path / "weights-inception-2015-12-05-6726825d.pth"
    torch.save({k: torch.zeros(v.shape) for k, v in sd.items()}, path)
    weights.set_override("inception-v3-tf", path)
    with pytest.raises(weights.WeightsLoadError) as info:
        backbones.get_extractor("inception")
    msg = str(info.value)
    assert "fc.weight [1000, 2048] in file vs [1008, 2048] in model" in msg
    assert "unexpected keys, e.g. AuxLogits." in msg and len(msg) < 900


class _Identity(torch.nn.Module):
    """torchmetrics ``feature`` module that passes extracted features through."""

    def __init__(self, d: int):
        super().__init__()
        self.num_features = d

    def forward(self, x):
        return x if x.ndim == 2 else torch.zeros(x.shape[0], self.num_features)


def test_fd_kid_on_tf_features_match_torchmetrics(tf_features):
    kid_mod = pytest.importorskip("torchmetrics.image.kid")
    f = tf_features["ours"].astype(np.float64)
    a, b = f[:3], f[3:]
    # FD on the first 2 feature dimensions (full-rank covariances from 3 images, and fast:
    # a 2048-d FD in torchmetrics takes minutes on a shared CPU)
    fid = fid_mod.FrechetInceptionDistance(feature=_Identity(2), normalize=True)
    fid.set_dtype(torch.float64)
    fid.update(torch.from_numpy(b[:, :2]), real=True)
    fid.update(torch.from_numpy(a[:, :2]), real=False)
    assert frechet_distance(a[:, :2], b[:, :2]) == pytest.approx(float(fid.compute()), rel=1e-9)
    # KID on one full subset each side (no subset sampling to differ): exactly poly_mmd
    ours = kernel_distance(a, b, subsets=1, subset_size=3)["mean"]
    ref = kid_mod.poly_mmd(torch.from_numpy(a), torch.from_numpy(b))
    assert ours == pytest.approx(float(ref), rel=1e-6) and ours != 0.0


def test_dinov2_defaults_to_vit_l14_and_b14_is_selectable():
    assert backbones.BACKBONES["dinov2"][0] == "dinov2-vit-l-14"
    assert backbones.BACKBONES["dinov2_b14"][0] == "dinov2-vit-b-14"
    assert weights.CATALOGUE["dinov2-vit-l-14"].hf_repo == "facebook/dinov2-large"
    write_random_dinov2(name="dinov2-vit-b-14")
    with pytest.raises(weights.WeightsMissing, match="dinov2-vit-l-14"):
        backbones.get_extractor("dinov2")
    ext = backbones.get_extractor("dinov2_b14")
    rgb = _images(3, 2)
    f = ext.extract(rgb)
    # the CLS token after the final layer norm
    with torch.inference_mode():
        x = torch.from_numpy(
            backbones.to_tensor(
                rgb, 224, backbones.IMAGENET_MEAN, backbones.IMAGENET_STD, "cpu"
            ).numpy()
        )
        out = ext.model(pixel_values=x)
        cls = out.last_hidden_state[:, 0]  # HF applies the final layernorm to it
    assert np.allclose(f, cls.numpy(), atol=1e-5) and ext.dim == f.shape[1]
    assert ext.info()["feature"] == "CLS after final norm" and ext.name == "dinov2_b14"
