"""CLIP score, R-precision and the alignment/aesthetic CLI run, with a tiny random open_clip model
(written by the test; nothing is downloaded)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import trimesh
from typer.testing import CliRunner

from mme3dr.assets import Asset
from mme3dr.cases import Case
from mme3dr.evaluators import registry
from mme3dr.evaluators.alignment import r_precision, trimmed_mean
from mme3dr.evaluators.base import Sample
from mme3dr.examples.models import write_mesh
from mme3dr.features import clip as clip_mod
from mme3dr.features.testing import write_random_aesthetic_head, write_random_clip


@pytest.fixture(scope="module")
def clip_home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("mme3dr_home")
    write_random_clip(root=home / "weights" / "clip-vit-b-32")
    return home


@pytest.fixture(autouse=True)
def _no_leftover_overrides():
    yield
    from mme3dr import weights

    for name in list(weights.CATALOGUE):
        weights.set_override(name, None)


@pytest.fixture()
def with_clip(clip_home, monkeypatch) -> Path:
    monkeypatch.setenv("MME3DR_HOME", str(clip_home))
    return clip_home


@pytest.fixture()
def no_weights(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("MME3DR_HOME", str(tmp_path / "empty_home"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return tmp_path


def _sample(prompt: str = "a blue cube", mesh=None) -> Sample:
    mesh = mesh if mesh is not None else trimesh.creation.box((1, 1, 1))
    return Sample(
        case=Case(id="c1", prompt=prompt, category="stylized"), asset=Asset.from_trimesh(mesh)
    )


def _gradient() -> np.ndarray:
    yy, xx = np.mgrid[0:64, 0:64]
    return np.stack([xx * 4, yy * 4, (xx + yy) * 2], -1).astype(np.uint8)[None]


def test_known_pair_through_fixed_random_model_gives_stored_value(with_clip):
    enc = clip_mod.load_clip()
    img = enc.encode_images(_gradient())
    cos = float(img[0] @ enc.encode_texts(["a blue cube"])[0])
    assert cos == pytest.approx(0.0051951780915260315, abs=2e-5)
    cos2 = float(img[0] @ enc.encode_texts(["a red chair"])[0])
    assert cos2 == pytest.approx(-0.08574994653463364, abs=2e-5)
    assert enc.info()["weights"] == "random weights"


def test_clip_score_details_scale_and_random_stamp(with_clip):
    sc = registry.build("clip_score").score(_sample())
    assert sc.status == "ok", sc.reason
    d = sc.details
    assert d["scale"] == "100 * max(cos, 0)"
    assert len(d["per_view"]) == 8 and d["views"] == list(range(8))
    assert d["per_view"] == [pytest.approx(100 * max(c, 0), abs=1e-3) for c in d["cosine"]]
    assert sc.value == pytest.approx(d["mean"])
    assert d["min"] <= d["trimmed_mean"] <= max(d["per_view"]) + 1e-9
    assert d["model"].startswith("ViT-B-32") and d["pretrained"] == "openai"
    assert d["weights"] == "random weights" and "random weights" in sc.reason
    assert len(d["view_embedding_mean"]) == 32
    sub = registry.build("clip_score", {"views": [0, 2], "aggregate": "min"}).score(_sample())
    assert sub.details["views"] == [0, 2] and sub.value == pytest.approx(sub.details["min"])
    with pytest.raises(ValueError):
        registry.build("clip_score", {"aggregate": "median"})


def test_long_prompt_is_truncated_never_skipped(with_clip):
    long = "a very tall wooden bookshelf with many carved shelves " * 12
    sc = registry.build("clip_score").score(_sample(long))
    assert sc.status == "ok" and sc.score is not None
    assert sc.details["prompt_truncated"] and sc.details["prompt_tokens"] > 77
    assert "truncated" in sc.reason


def test_text_once_per_prompt_images_once_per_case_render_once(with_clip, monkeypatch):
    import mme3dr.render as render_mod

    enc = clip_mod.load_clip()
    calls = {"render": 0, "text": 0, "image": 0}
    real_render, real_text, real_image = render_mod.render, enc.model.encode_text, enc.encode_images

    def count(key, fn):
        def wrapped(*a, **k):
            calls[key] += 1
            return fn(*a, **k)

        return wrapped

    monkeypatch.setattr(render_mod, "render", count("render", real_render))
    monkeypatch.setattr(enc.model, "encode_text", count("text", real_text))
    monkeypatch.setattr(enc, "encode_images", count("image", real_image))
    prompt = "a prompt seen only by this test"
    s1, s2 = _sample(prompt), _sample(prompt)
    for s in (s1, s2):
        for name in ("clip_score", "mv_consistency", "appearance"):
            assert registry.build(name).score(s).status == "ok"
    assert calls["render"] == 2  # one render per case, shared by every evaluator
    assert calls["text"] == 1  # one text encoding per distinct prompt
    # one batch of all views per case, shared by clip_score and mv_consistency
    assert calls["image"] == 2


def test_view_embeddings_are_cached_per_rig_on_the_views(with_clip, monkeypatch):
    from mme3dr.evaluators.view_helpers import view_embeddings
    from mme3dr.render import get_rig

    enc = clip_mod.load_clip()
    calls = []
    real = enc.encode_images

    def counted(rgb, **kw):
        calls.append(len(rgb))
        return real(rgb, **kw)

    monkeypatch.setattr(enc, "encode_images", counted)
    mesh = trimesh.creation.box((1.0, 0.4, 0.2))
    asset = Asset.from_trimesh(mesh)
    case = Case(id="c1", prompt="a box", category="stylized")
    front = Sample(case=case, asset=asset, rig=get_rig("front"))
    orbit = Sample(case=case, asset=asset, rig=get_rig("orbit8"))
    a, b = view_embeddings(front, enc), view_embeddings(orbit, enc)
    assert a.shape[0] == get_rig("front").n_views and b.shape[0] == 8
    assert view_embeddings(front, enc) is a  # a second use reads the views' cache
    assert calls == [get_rig("front").n_views, 8]  # one encoding per rig, none on the asset
    assert enc.view_cache_key in front.views().cache
    assert all(enc.view_cache_key != k for k in asset.cache)


def test_missing_weights_skip_with_fix(no_weights):
    sc = registry.build("clip_score").score(_sample())
    assert sc.status == "skipped" and sc.score is None
    assert "clip-vit-b-32" in sc.reason and "mme3dr weights fetch clip-vit-b-32" in sc.reason


def test_trimmed_mean_and_r_precision_math():
    assert trimmed_mean(np.array([0.0, 1, 2, 3, 100]), 0.2) == pytest.approx(2.0)
    assert trimmed_mean(np.array([1.0, 3.0]), 0.4) == pytest.approx(2.0)
    text = np.eye(4)
    img = np.array([[1.0, 0, 0, 0], [0, 0.2, 0.9, 0], [0, 0, 0, 1], [0.5, 0.5, 0.5, 0.5]])
    res, ranks = r_precision(img, text, np.array([0, 1, 3, 3]), ks=(1, 2))
    assert list(ranks) == [1, 2, 1, 4]  # a 4-way tie counts against the asset
    assert res == {"r@1": 0.5, "r@2": 0.75}


def _model_dir(tmp_path: Path) -> tuple[Path, Path]:
    model = tmp_path / "model"
    model.mkdir()
    write_mesh(trimesh.creation.box((1, 1, 1)), model / "a.obj")
    write_mesh(trimesh.creation.icosphere(2), model / "b.obj")
    write_mesh(trimesh.creation.cylinder(0.3, 1.0), model / "c.obj")
    rows = [
        {
            "id": "a",
            "prompt": "a cube",
            "category": "stylized",
            "suites": ["alignment", "aesthetic"],
        },
        {
            "id": "b",
            "prompt": "a ball",
            "category": "stylized",
            "suites": ["alignment", "aesthetic"],
        },
        {"id": "c", "prompt": "a can", "category": "stylized", "suites": ["alignment", "physical"]},
    ]
    cases = tmp_path / "cases.jsonl"
    cases.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return model, cases


def test_cli_eval_with_weights_fills_suites_and_set_metrics(with_clip, tmp_path):
    from mme3dr.cli import app

    write_random_aesthetic_head(32, root=with_clip / "weights" / "laion-aesthetic-v2")
    # the tiny CLIP stands in for ViT-L/14 too (explicit path): same file, random weights
    ckpt = next((with_clip / "weights" / "clip-vit-b-32").glob("*.bin"))
    model, cases = _model_dir(tmp_path)
    args = ["eval", str(model), "--cases", str(cases), "--out", str(tmp_path / "out")]
    args += ["--suites", "alignment,aesthetic", "--weights", f"clip-vit-l-14={ckpt}"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    out = tmp_path / "out" / "model"
    recs = {json.loads(x)["case_id"]: json.loads(x) for x in (out / "results.jsonl").open()}
    for cid in ("a", "b"):
        assert recs[cid]["suites"]["alignment"] is not None
        assert recs[cid]["suites"]["aesthetic"] is not None
        by = {s["evaluator"]: s for s in recs[cid]["scores"]}
        assert (
            by["clip_score"]["status"] == "ok" and len(by["clip_score"]["details"]["per_view"]) == 8
        )
        assert by["laion_aesthetic"]["status"] == "ok"
        assert len(by["laion_aesthetic"]["details"]["per_view"]) == 8
        assert by["hps_v21"]["status"] == "skipped"
    assert "physical" not in recs["c"]["suites"]
    summary = json.loads((out / "summary.json").read_text())
    w = summary["stamp"]["weights"]
    assert w["clip-vit-b-32"]["sha256"] == "random weights"
    assert w["clip-vit-b-32"]["pretrained"] == "openai"
    assert w["laion-aesthetic-v2"]["weights"] == "random weights"
    rp = summary["set_metrics"]["clip_r_precision"]
    assert rp["status"] == "ok" and rp["n_cases"] == 3 and rp["pool_size"] == 3
    assert 0.0 <= rp["r@1"] <= 1.0 and rp["r@5"] is None and rp["r@10"] is None
    assert "3 prompts" in rp["undefined"]["r@5"]
    assert "hps_v21" in summary["skipped_evaluators"]


def test_cli_eval_without_weights_completes_with_clear_skips(no_weights, tmp_path):
    from mme3dr.cli import app

    model, cases = _model_dir(tmp_path)
    args = ["eval", str(model), "--cases", str(cases), "--out", str(tmp_path / "out")]
    res = CliRunner().invoke(app, args + ["--suites", "alignment,aesthetic"])
    assert res.exit_code == 0, res.output
    summary = json.loads((tmp_path / "out" / "model" / "summary.json").read_text())
    skipped = summary["skipped_evaluators"]
    assert {"clip_score", "laion_aesthetic", "hps_v21", "mv_consistency"} <= set(skipped)
    assert "mme3dr weights fetch clip-vit-b-32" in skipped["clip_score"]
    assert summary["suites"].get("alignment") is None  # absent, never a made-up number
    assert summary["suites"].get("aesthetic") is None
    assert summary["set_metrics"]["clip_r_precision"]["status"] == "skipped"
    assert summary["stamp"]["weights"] == {}
    out = res.output
    assert out.count("skipped clip_score:") == 1  # one line per evaluator, not per case
