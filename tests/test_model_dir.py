"""The model-folder index: confined to the folder, bounded, and the unmatched-file hints."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
import trimesh
from typer.testing import CliRunner

from mme3dr import model_dir as md
from mme3dr.assets import RefusedFile, load_asset
from mme3dr.cli import app
from mme3dr.errors import AssetError, ConfigError
from mme3dr.examples.models import write_mesh


def _cube(path: Path) -> Path:
    return write_mesh(trimesh.creation.box((1, 1, 1)), path)


def test_links_inside_the_folder_are_followed_and_outside_refused(tmp_path: Path) -> None:
    model, outside = tmp_path / "model", tmp_path / "outside"
    _cube(model / "real" / "mesh.obj")
    _cube(outside / "secret.obj")
    (model / "inside.obj").symlink_to(model / "real" / "mesh.obj")
    (model / "leaves.obj").symlink_to(outside / "secret.obj")
    (model / "root").symlink_to("/")
    (model / "nested").mkdir()
    (model / "nested" / "up.obj").symlink_to(outside / "secret.obj")
    t0 = time.perf_counter()
    index = md.index_model_dir(model)
    assert time.perf_counter() - t0 < 2.0  # never a walk of the filesystem
    assert index["inside"] == [model / "inside.obj"]
    assert index["real"] == [model / "real" / "mesh.obj"]
    for key, link in (("leaves", "leaves.obj"), ("root", "root"), ("nested", "nested/up.obj")):
        (entry,) = index[key]
        assert isinstance(entry, RefusedFile) and entry.kind == "symlink"
        assert entry.path == model / link and "leaves the model folder" in entry.reason
        picked = md.pick_asset_file(index[key])
        with pytest.raises(AssetError) as info:  # never opened: the record names the link
            load_asset(picked)
        assert str(model / link) in str(info.value) and "symlink" in str(info.value)


def test_link_loops_depth_and_width_are_bounded(tmp_path: Path, monkeypatch) -> None:
    model = tmp_path / "model"
    case = model / "loop"
    _cube(case / "a" / "mesh.obj")
    (case / "a" / "back").symlink_to(case)  # a loop inside the folder
    deep = model / "deep"
    d = deep
    for i in range(md.MAX_DEPTH + 3):
        d = d / f"d{i}"
    _cube(d / "mesh.obj")
    index = md.index_model_dir(model)
    assert index["loop"] == [case / "a" / "mesh.obj"]
    (entry,) = index["deep"]
    assert isinstance(entry, RefusedFile) and entry.kind == "too_deep"
    monkeypatch.setattr(md, "MAX_CASE_ENTRIES", 5)
    wide = model / "wide"
    wide.mkdir()
    for i in range(8):
        (wide / f"f{i}.txt").write_text("x")
    (entry,) = md.index_model_dir(model)["wide"]
    assert entry.kind == "too_large" and "more than 5 entries" in entry.reason


def test_special_files_are_refused_not_opened(tmp_path: Path) -> None:
    model = tmp_path / "model"
    model.mkdir()
    os.mkfifo(model / "fifo.obj")  # opening it would block forever
    (model / "broken.obj").symlink_to(model / "gone.obj")
    index = md.index_model_dir(model)
    assert index["fifo"][0].kind == "unreadable" and "not a regular file" in index["fifo"][0].reason
    assert index["broken"][0].kind == "unreadable"
    t0 = time.perf_counter()
    with pytest.raises(AssetError, match="fifo.obj"):
        load_asset(md.pick_asset_file(index["fifo"]))
    assert time.perf_counter() - t0 < 1.0


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every folder")
def test_an_unreadable_case_folder_is_a_refused_entry(tmp_path: Path) -> None:
    model = tmp_path / "model"
    _cube(model / "locked" / "mesh.obj")
    (model / "locked").chmod(0)
    try:
        (entry,) = md.index_model_dir(model)["locked"]
    finally:
        (model / "locked").chmod(0o755)
    assert entry.kind == "unreadable" and "cannot list" in entry.reason


def test_deep_model_json_is_a_one_line_config_error(tmp_path: Path) -> None:
    model = tmp_path / "model"
    model.mkdir()
    (model / "model.json").write_text("[" * 200_000 + "]" * 200_000)  # 400 kB, under the cap
    t0 = time.perf_counter()
    with pytest.raises(ConfigError) as info:
        md.read_model_meta(model)
    assert time.perf_counter() - t0 < 2.0
    msg = str(info.value)
    assert "\n" not in msg and "model.json" in msg and "200000 levels" in msg


def test_model_json_link_leaving_the_folder_is_refused(tmp_path: Path) -> None:
    model = tmp_path / "model"
    model.mkdir()
    (tmp_path / "meta.json").write_text(json.dumps({"name": "elsewhere"}))
    (model / "model.json").symlink_to(tmp_path / "meta.json")
    with pytest.raises(ConfigError, match="symlink leaves the model folder"):
        md.read_model_meta(model)


def test_unmatched_files_and_ambiguous_cases(tmp_path: Path) -> None:
    model = tmp_path / "model"
    _cube(model / "chair_01.glb")
    _cube(model / "chiar_02.glb")  # a typo of chair_02
    _cube(model / "table" / "mesh.obj")
    _cube(model / "table" / "mesh_low.obj")
    _cube(model / "lamp.obj")
    _cube(model / "lamp.glb")
    (model / "README.md").write_text("notes")  # not a mesh: no hint
    ids = ["chair_01", "chair_02", "table", "lamp"]
    index = md.index_model_dir(model)
    assert list(md.unmatched_entries(index, ids)) == ["chiar_02"]
    amb = md.ambiguous_cases(index, ids)
    assert amb["lamp"][0] == model / "lamp.glb"  # glb before obj
    assert amb["table"][0] == model / "table" / "mesh.obj"
    lines = md.folder_hints(model, ids)
    assert len(lines) == 3
    assert "chiar_02.glb (did you mean 'chair_02'?)" in lines[0] and "1 file(s)" in lines[0]
    assert f"used {model / 'lamp.glb'}" in lines[1] and "lamp.obj" in lines[1]
    fixed = md.folder_hints(model, [*ids, "chiar_02"])
    assert not any("match no case id" in line for line in fixed)


def test_cli_eval_lists_unmatched_files_once(tmp_path: Path) -> None:
    model = tmp_path / "model"
    _cube(model / "cube.obj")
    _cube(model / "cueb.obj")
    cases = tmp_path / "cases.jsonl"
    row = {
        "id": "cube",
        "prompt": "a cube",
        "category": "spatial_structural",
        "suites": ["physical"],
        "checks": [{"check": "watertight"}],
    }
    cases.write_text(json.dumps(row) + "\n")
    r = CliRunner().invoke(
        app, ["eval", str(model), "--cases", str(cases), "--out", str(tmp_path / "o"), "--quiet"]
    )
    assert r.exit_code == 0, r.output
    assert r.output.count("match no case id") == 1
    assert "cueb.obj (did you mean 'cube'?)" in r.output
