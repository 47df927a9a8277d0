"""Learned encoders batched across cases: the same numbers as one case at a time, failures stay
in their case, and a pool run (workers render, the parent encodes) keeps one record per case.

A tiny random open_clip model stands in for CLIP ViT-B/32 and ViT-L/14 (written by the test;
nothing is downloaded)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import trimesh

from mme3dr.case_scoring import CaseOptions, score_case_batch, score_case_file
from mme3dr.cases import Case
from mme3dr.examples.models import write_mesh
from mme3dr.features import clip as clip_mod
from mme3dr.features.testing import write_random_aesthetic_head, write_random_clip
from mme3dr.render import get_rig
from mme3dr.results import Record, read_records
from mme3dr.runner import EvalConfig, case_options, run_eval

SUITES = ("alignment", "aesthetic")
#: score fields that are measurements (timings are not)
FIELDS = ("evaluator", "suite", "status", "passed", "reason", "params")


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("mme3dr_home")
    write_random_clip(root=root / "weights" / "clip-vit-b-32")
    write_random_aesthetic_head(32, root=root / "weights" / "laion-aesthetic-v2")
    return root


@pytest.fixture()
def weights(home: Path, monkeypatch: pytest.MonkeyPatch):
    """The tiny CLIP as ViT-B/32 and (explicit path, a second model) as ViT-L/14."""
    from mme3dr import weights as w

    monkeypatch.setenv("MME3DR_HOME", str(home))
    w.set_override("clip-vit-l-14", next((home / "weights" / "clip-vit-b-32").glob("*.bin")))
    yield home
    w.set_override("clip-vit-l-14", None)


def _coloured(mesh: trimesh.Trimesh, rgb: tuple[int, int, int]) -> trimesh.Trimesh:
    mesh.visual.vertex_colors = np.tile([*rgb, 255], (len(mesh.vertices), 1)).astype(np.uint8)
    return mesh


MESHES = {
    "box": lambda: _coloured(trimesh.creation.box((1, 0.6, 0.4)), (40, 90, 200)),
    "ball": lambda: _coloured(trimesh.creation.icosphere(2), (200, 200, 40)),
    "red": lambda: _coloured(trimesh.creation.cylinder(0.3, 1.0), (250, 0, 0)),
    "cone": lambda: _coloured(trimesh.creation.cone(0.5, 1.0), (30, 160, 60)),
}


def _case(cid: str) -> Case:
    checks = [{"check": "janus"}] if cid == "cone" else []
    return Case(id=cid, prompt=f"a {cid} on a table", category="stylized",
                suites=list(SUITES), checks=checks)


def _folder(tmp_path: Path, ids: list[str]) -> tuple[Path, Path]:
    model = tmp_path / "model"
    for cid in ids:
        if cid in MESHES:
            write_mesh(MESHES[cid](), model / f"{cid}.ply")
    (model / "bad.obj").write_text("v 0 0 0\nf 1 2 3\n")  # a file that cannot be loaded
    rows = [_case(c).to_dict() for c in dict.fromkeys([*ids, "bad"])]
    cases = tmp_path / "cases.jsonl"
    cases.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return model, cases


def _close(a: Any, b: Any, tol: float = 1e-4) -> bool:
    """Equal, with floats (also inside lists and dicts) compared to ``tol``."""
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is b
        return math.isclose(float(a), float(b), rel_tol=tol, abs_tol=tol)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k], tol) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_close(x, y, tol) for x, y in zip(a, b, strict=True))
    return a == b


def _same_record(a: Record, b: Record) -> None:
    assert a.case_id == b.case_id and a.status == b.status, (a.case_id, a.error, b.error)
    assert [s["evaluator"] for s in a.scores] == [s["evaluator"] for s in b.scores]
    assert _close(a.suites, b.suites) and _close(a.overall, b.overall), a.case_id
    for x, y in zip(a.scores, b.scores, strict=True):
        where = (a.case_id, x["evaluator"])
        for k in FIELDS:
            if k == "reason":  # numbers in the sentence are rounded: compare the words
                assert x[k].split(" ")[:3] == y[k].split(" ")[:3], where
            else:
                assert x[k] == y[k], where
        assert _close(x["score"], y["score"]) and _close(x["value"], y["value"]), where
        assert _close(x["details"], y["details"]), where


def _items(model: Path, ids: list[str]) -> list[tuple[Case, Path | None]]:
    paths = {p.stem: p for p in model.iterdir()}
    return [(_case(c), paths.get(c)) for c in ids]


def _per_case(items, cfg: EvalConfig, rig) -> list[Record]:
    opts = CaseOptions(suites=cfg.suites, rig=rig, limits=cfg.limits)
    return [score_case_file(c, p, opts) for c, p in items]


def test_a_batch_gives_the_numbers_of_one_case_at_a_time(weights: Path, tmp_path: Path) -> None:
    ids = ["box", "ball", "red", "missing", "cone", "bad"]
    model, _ = _folder(tmp_path, ids)
    rig = get_rig("orbit8").with_(resolution=64)
    cfg = EvalConfig(model_dir=model, suites=SUITES)
    items = _items(model, ids)
    one = _per_case(items, cfg, rig)
    calls: list[int] = []
    real = clip_mod.ClipEncoder.encode_images

    def counting(self, rgb, batch_size=None):
        calls.append(len(rgb))
        return real(self, rgb, batch_size)

    clip_mod.ClipEncoder.encode_images = counting  # type: ignore[method-assign]
    try:
        batched = score_case_batch(items, case_options(cfg, rig))
    finally:
        clip_mod.ClipEncoder.encode_images = real  # type: ignore[method-assign]
    assert [r.status for r in batched] == ["ok", "ok", "ok", "missing", "ok", "error"]
    for a, b in zip(one, batched, strict=True):
        _same_record(a, b)
    by = {s["evaluator"]: s for s in batched[0].scores}
    assert {"clip_score", "laion_aesthetic", "mv_consistency"} <= set(by)
    assert all(by[n]["status"] == "ok" for n in ("clip_score", "laion_aesthetic"))
    # one call per model for the four loaded cases (8 views each): ViT-B/32 and ViT-L/14
    assert sorted(calls) == [32, 32]


def test_a_failure_in_one_case_of_a_batch_stays_in_that_case(
    weights: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = ["box", "red", "ball"]
    model, _ = _folder(tmp_path, ids)
    rig = get_rig("orbit8").with_(resolution=64)
    cfg = EvalConfig(model_dir=model, suites=("alignment",))
    real = clip_mod.ClipEncoder.encode_images

    def poisoned(self, rgb, batch_size=None):  # the red cylinder's views break the encoder
        red = (rgb[..., 0] > 80) & (rgb[..., 1] < 10) & (rgb[..., 2] < 10)
        if red.reshape(len(rgb), -1).mean(axis=1).max() > 0.02:
            raise ValueError("poisoned views")
        return real(self, rgb, batch_size)

    monkeypatch.setattr(clip_mod.ClipEncoder, "encode_images", poisoned)
    items = _items(model, ids)
    one = _per_case(items, cfg, rig)
    batched = score_case_batch(items, case_options(cfg, rig))
    for a, b in zip(one, batched, strict=True):
        _same_record(a, b)
    clip = [next(s for s in r.scores if s["evaluator"] == "clip_score") for r in batched]
    assert [s["status"] for s in clip] == ["ok", "error", "ok"]
    assert "poisoned views" in clip[1]["reason"]
    assert batched[1].suites["alignment"] == 0.0  # rule 3: a failed evaluator counts as 0


def test_a_case_that_cannot_render_does_not_stop_the_batch(
    weights: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mme3dr.render as render_mod

    ids = ["box", "ball"]
    model, _ = _folder(tmp_path, ids)
    rig = get_rig("orbit8").with_(resolution=64)
    cfg = EvalConfig(model_dir=model, suites=("alignment",))
    real = render_mod.render

    def flaky(asset, rig, backend="gl"):
        if asset.path.stem == "box":
            raise RuntimeError("no GL for boxes")
        return real(asset, rig, backend)

    monkeypatch.setattr(render_mod, "render", flaky)
    items = _items(model, ids)
    one = _per_case(items, cfg, rig)
    batched = score_case_batch(items, case_options(cfg, rig))
    for a, b in zip(one, batched, strict=True):
        _same_record(a, b)
    clip = [next(s for s in r.scores if s["evaluator"] == "clip_score") for r in batched]
    assert clip[0]["status"] == "error" and "no GL for boxes" in clip[0]["reason"]
    assert clip[1]["status"] == "ok"


def test_pool_run_encodes_in_the_parent_with_the_numbers_of_one_process(
    weights: Path, tmp_path: Path
) -> None:
    ids = ["box", "ball", "red", "cone", "missing"]
    model, cases = _folder(tmp_path, ids)
    runs: dict[str, dict[str, Record]] = {}
    summaries = {}
    for name, workers in (("one", 1), ("pool", 2)):
        out = run_eval(
            EvalConfig(model_dir=model, cases=cases, out_dir=tmp_path / name, suites=SUITES,
                       workers=workers, encode_batch=3),
            progress=False,
        )
        runs[name] = {r.case_id: r for r in read_records(out.out_dir / "results.jsonl")}
        summaries[name] = out.summary
    assert set(runs["one"]) == set(runs["pool"]) == set(ids) | {"bad"}
    for cid in runs["one"]:
        _same_record(runs["one"][cid], runs["pool"][cid])
    stamp = summaries["pool"]["stamp"]["execution"]
    assert stamp["workers"] == 2 and stamp["encode_batch"] == 3  # R-precision kept the pool
    rp = [s["set_metrics"]["clip_r_precision"] for s in summaries.values()]
    assert rp[0]["status"] == rp[1]["status"] == "ok" and rp[0]["ranks"] == rp[1]["ranks"]
    assert runs["pool"]["box"].timings["encode_in_parent"] > 0

    # a run stopped after some cases resumes, in the pool, to exactly one record per case
    results = tmp_path / "pool" / "model" / "results.jsonl"
    lines = results.read_text().splitlines(keepends=True)
    results.write_text("".join(lines[:2]) + lines[2][: len(lines[2]) // 2])  # torn last line
    out = run_eval(
        EvalConfig(model_dir=model, cases=cases, out_dir=tmp_path / "pool", suites=SUITES,
                   workers=2, encode_batch=3, resume=True),
        progress=False,
    )
    recs = read_records(out.out_dir / "results.jsonl")
    assert sorted(r.case_id for r in recs) == sorted(set(ids) | {"bad"})
    for r in recs:
        _same_record(runs["one"][r.case_id], r)
