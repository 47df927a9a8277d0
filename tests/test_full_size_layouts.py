"""Full-size architectures load the published checkpoints' key layouts strictly, on the meta
device (no weights, no memory): CLIP ViT-B/32 and ViT-L/14 (open_clip), HPS v2.1's ViT-H-14
(``{"state_dict": {"module.<key>": ...}}``), the LAION head, torchvision's Inception-v3 file
(with ``AuxLogits``) and the TF-FID Inception. Shapes asserted are those of the published
files."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from mme3dr import weights
from mme3dr.features import backbones
from mme3dr.features import clip as clip_mod
from mme3dr.weights import CATALOGUE, Resolved

open_clip = pytest.importorskip("open_clip")

#: (weights name, {key: shape} from the published checkpoint, visual / text block counts)
OPEN_CLIP = [
    (
        "clip-vit-b-32",
        {
            "visual.conv1.weight": (768, 3, 32, 32),
            "visual.proj": (768, 512),
            "text_projection": (512, 512),
            "positional_embedding": (77, 512),
        },
        12,
        12,
    ),
    (
        "clip-vit-l-14",
        {
            "visual.conv1.weight": (1024, 3, 14, 14),
            "visual.proj": (1024, 768),
            "text_projection": (768, 768),
            "positional_embedding": (77, 768),
        },
        24,
        12,
    ),
    (
        "hpsv2.1",
        {
            "visual.conv1.weight": (1280, 3, 14, 14),
            "visual.proj": (1280, 1024),
            "text_projection": (1024, 1024),
            "positional_embedding": (77, 1024),
        },
        32,
        24,
    ),
]


def _blocks(sd: dict, prefix: str) -> int:
    return len({k.split(".")[len(prefix.split("."))] for k in sd if k.startswith(prefix)})


def _meta_clip(name: str):
    spec = CATALOGUE[name]
    with torch.device("meta"):
        return open_clip.create_model(
            spec.arch, pretrained=None, force_quick_gelu=spec.quick_gelu, device="meta"
        )


@pytest.mark.parametrize(("name", "shapes", "n_visual", "n_text"), OPEN_CLIP)
def test_open_clip_full_size_strict_load_on_meta(name, shapes, n_visual, n_text, monkeypatch):
    sd = _meta_clip(name).state_dict()
    for key, shape in shapes.items():
        assert tuple(sd[key].shape) == shape, key
    assert _blocks(sd, "visual.transformer.resblocks") == n_visual
    assert _blocks(sd, "transformer.resblocks") == n_text
    # HPS v2.1 ships a training checkpoint: {"state_dict": {"module.<key>": tensor}}
    payload = {"state_dict": {f"module.{k}": v for k, v in sd.items()}} if name == "hpsv2.1" else sd
    monkeypatch.setattr(torch, "load", lambda *a, **k: payload)
    resolved = Resolved(CATALOGUE[name], Path(f"/published/{name}.bin"), "explicit")
    with torch.device("meta"):
        model = clip_mod._build(resolved, "meta")
    assert model.visual.proj.shape == shapes["visual.proj"]
    # the load is strict: a file missing one tensor is refused
    short = dict(sd)
    short.pop("visual.ln_post.weight")
    monkeypatch.setattr(torch, "load", lambda *a, **k: short)
    with torch.device("meta"), pytest.raises(RuntimeError, match="visual.ln_post.weight"):
        clip_mod._build(resolved, "meta")


def test_laion_head_layout_matches_the_published_file():
    from mme3dr.evaluators.aesthetic import AestheticHead

    with torch.device("meta"):
        sd = AestheticHead(768).state_dict()
    want = {
        "layers.0.weight": (1024, 768),
        "layers.2.weight": (128, 1024),
        "layers.4.weight": (64, 128),
        "layers.6.weight": (16, 64),
        "layers.7.weight": (1, 16),
    }
    assert {k: tuple(v.shape) for k, v in sd.items() if k.endswith("weight")} == want
    assert len(sd) == 10


def test_torchvision_inception_file_with_aux_logits_loads_strictly(monkeypatch):
    from torchvision.models import inception_v3

    with torch.device("meta"):
        published = inception_v3(weights=None, aux_logits=True, init_weights=False).state_dict()
    assert tuple(published["AuxLogits.fc.weight"].shape) == (1000, 768)
    assert tuple(published["fc.weight"].shape) == (1000, 2048)
    monkeypatch.setattr(torch, "load", lambda *a, **k: published)
    resolved = Resolved(CATALOGUE["inception-v3"], Path("/published/inception.pth"), "explicit")
    with torch.device("meta"):
        model = backbones._load_inception(resolved, "meta")
    assert isinstance(model.fc, torch.nn.Identity) and model.AuxLogits is None


def test_tf_fid_inception_layout_loads_strictly(monkeypatch):
    pytest.importorskip("torch_fidelity")
    from mme3dr.features.testing import tf_inception_state_dict

    published = tf_inception_state_dict("meta")
    assert tuple(published["fc.weight"].shape) == (1008, 2048)
    assert not any(k.startswith("AuxLogits") for k in published)
    monkeypatch.setattr(torch, "load", lambda *a, **k: published)
    resolved = Resolved(CATALOGUE["inception-v3-tf"], Path("/published/pt_inc.pth"), "explicit")
    with torch.device("meta"):
        model = backbones._load_tf_inception(resolved, "meta")
    assert tuple(model.fc.weight.shape) == (1008, 2048)


def test_hps_weights_found_in_hpsv2_caches(tmp_path, monkeypatch):
    monkeypatch.setenv("MME3DR_HOME", str(tmp_path / "m"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("HPS_ROOT", raising=False)
    with pytest.raises(weights.WeightsMissing):
        weights.resolve("hpsv2.1")
    # hpsv2's default cache, laid out as a Hugging Face cache (hf_hub_download(cache_dir=...))
    snap = tmp_path / "home" / ".cache" / "hpsv2" / "models--xswu--HPSv2" / "snapshots" / "s1"
    snap.mkdir(parents=True)
    (snap / "HPS_v2.1_compressed.pt").write_bytes(b"x")
    assert weights.resolve("hpsv2.1").path == snap / "HPS_v2.1_compressed.pt"
    # $HPS_ROOT comes first, and a file directly in it counts
    root = tmp_path / "hps_root"
    root.mkdir()
    (root / "HPS_v2.1_compressed.pt").write_bytes(b"y")
    monkeypatch.setenv("HPS_ROOT", str(root))
    r = weights.resolve("hpsv2.1")
    assert r.path == root / "HPS_v2.1_compressed.pt" and r.source == str(root)
