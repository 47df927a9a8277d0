"""A weights file that is found but does not load: one clear, cached failure, then `skipped`.

Corrupt files are random bytes; wrong-architecture files are state dicts of tiny random models
of another shape. Nothing is downloaded.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest
import trimesh

from mme3dr import weights
from mme3dr.assets import Asset
from mme3dr.cases import Case
from mme3dr.evaluators import registry
from mme3dr.evaluators.base import Sample
from mme3dr.features import clip as clip_mod
from mme3dr.features.testing import TINY_CLIP_CFG, write_random_clip

ANSI = "\x1b["


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("MME3DR_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setenv("HOME", str(tmp_path))
    weights.clear_failures()
    clip_mod.clear_cache()
    yield tmp_path / "home"
    weights.clear_failures()
    clip_mod.clear_cache()


def _sample(case_id: str = "c") -> Sample:
    case = Case(id=case_id, prompt="a wooden crate", category="stylized")
    return Sample(case=case, asset=Asset.from_trimesh(trimesh.creation.box((1, 1, 1))))


def _corrupt(path: Path, n: int = 4096, cfg: dict | None = TINY_CLIP_CFG) -> Path:
    """Random bytes at ``path`` (with a sidecar giving a tiny architecture, so the failing
    load is quick; the bytes are what fails)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(os.urandom(n))
    if cfg is not None:
        weights.sidecar_path(path).write_text(json.dumps({"model_cfg": cfg}))
    return path


def test_summary_of_key_dumps_is_short_and_countable():
    import torch

    model = torch.nn.Sequential(*[torch.nn.Linear(4, 4) for _ in range(200)])
    with pytest.raises(RuntimeError) as info:
        model.load_state_dict({"other.weight": torch.zeros(1)})
    raw = str(info.value)
    assert raw.count('"') > 700  # torch lists all 400 missing keys
    text = weights.summarise_load_error(info.value)
    assert "400 missing keys, e.g. 0.weight, 0.bias, 1.weight" in text
    assert "1 unexpected keys, e.g. other.weight" in text
    assert len(text) < 200 and "\n" not in text


def test_ansi_codes_are_stripped_from_failure_messages(home):
    path = _corrupt(weights.weights_dir("clip-vit-b-32") / "open_clip_pytorch_model.bin")
    resolved = weights.resolve("clip-vit-b-32")

    def coloured():
        raise RuntimeError("\x1b[31mError\x1b[0m loading \x1b[1mthing\x1b[0m\nsecond line")

    with pytest.raises(weights.WeightsLoadError) as info:
        weights.guarded_load(resolved, coloured)
    msg = str(info.value)
    assert ANSI not in msg and "\n" not in msg and "Error loading thing" in msg
    assert str(path) in msg


def test_corrupt_clip_fails_once_names_file_and_is_cached(home, monkeypatch, caplog):
    path = _corrupt(weights.weights_dir("clip-vit-b-32") / "open_clip_pytorch_model.bin")
    sha = weights.sha256_of(path)[:12]
    builds = []
    real = clip_mod._build
    monkeypatch.setattr(clip_mod, "_build", lambda r, d: builds.append(1) or real(r, d))
    ev = registry.build("clip_score")
    with caplog.at_level(logging.WARNING, logger="mme3dr.weights"):
        scores = [ev.score(_sample(f"c{i}")) for i in range(4)]
    assert len(builds) == 1  # the load is not retried for the later cases
    warned = [r for r in caplog.records if r.name == "mme3dr.weights"]
    assert len(warned) == 1  # one log line for the run
    reasons = {s.reason for s in scores}
    assert len(reasons) == 1 and all(s.status == "skipped" for s in scores)
    reason = reasons.pop()
    assert "weights clip-vit-b-32" in reason and str(path) in reason
    assert "4096 bytes" in reason and f"sha256 {sha}" in reason
    assert "not a loadable PyTorch checkpoint" in reason
    assert "mme3dr weights fetch clip-vit-b-32" in reason
    assert "weights_only" not in reason and ANSI not in reason and "\n" not in reason
    # replacing the file forgets the failure
    write_random_clip(root=weights.weights_dir("clip-vit-b-32"))
    assert ev.score(_sample("again")).status == "ok"


def test_wrong_architecture_state_dict_summarised(home):
    # a tiny CLIP state dict, but the sidecar claims a wider architecture
    path = write_random_clip(root=weights.weights_dir("clip-vit-b-32"))
    wider = json.loads(json.dumps(TINY_CLIP_CFG))
    wider["vision_cfg"]["width"] = 96
    wider["vision_cfg"]["layers"] = 3
    meta = json.loads(weights.sidecar_path(path).read_text())
    meta["model_cfg"] = wider
    weights.sidecar_path(path).write_text(json.dumps(meta))
    sc = registry.build("clip_score").score(_sample())
    assert sc.status == "skipped"
    assert "state dict does not fit the architecture" in sc.reason
    assert "missing keys, e.g. visual.transformer.resblocks.2" in sc.reason
    assert "size mismatches, e.g." in sc.reason
    assert sc.reason.count("visual.") <= 6 and len(sc.reason) < 900


def test_corrupt_and_wrong_aesthetic_head(home):
    write_random_clip(root=weights.weights_dir("clip-vit-l-14"))
    head = weights.weights_dir("laion-aesthetic-v2") / "aesthetic_head.pt"
    _corrupt(head, cfg=None)
    ev = registry.build("laion_aesthetic")
    a, b = ev.score(_sample("a")), ev.score(_sample("b"))
    assert a.status == b.status == "skipped" and a.reason == b.reason
    assert "weights laion-aesthetic-v2" in a.reason and str(head) in a.reason
    import torch

    torch.save({"fc.weight": torch.zeros(2, 2)}, head)  # a state dict of something else
    c = ev.score(_sample("c"))
    assert c.status == "skipped" and "not a LAION aesthetic head" in c.reason


def test_corrupt_backbone_is_one_skip_for_the_set_metric(home):
    from mme3dr.features.backbones import get_extractor

    path = weights.weights_dir("inception-v3-tf") / "weights-inception-2015-12-05-6726825d.pth"
    _corrupt(path, cfg=None)
    with pytest.raises(weights.WeightsLoadError) as first:
        get_extractor("inception")
    with pytest.raises(weights.WeightsLoadError) as second:
        get_extractor("inception")
    assert str(first.value) == str(second.value)
    assert isinstance(first.value, weights.WeightsMissing)
