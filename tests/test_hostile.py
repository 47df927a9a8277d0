"""Hostile inputs through ``run_eval`` and the CLI: each is built in a temp folder and must give
one record per case with the right status and a reason naming the file, in bounded time."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import PIL.Image
import pytest
import trimesh
from trimesh.visual import TextureVisuals
from typer.testing import CliRunner

from mme3dr.assets import load_asset
from mme3dr.cli import app
from mme3dr.errors import AssetError, CaseError, ConfigError
from mme3dr.examples.models import write_mesh
from mme3dr.hostile_files import huge_png, pack_glb, unpack_glb
from mme3dr.results import read_records
from mme3dr.runner import EvalConfig, run_eval


def _cases(path: Path, ids: list[str]) -> Path:
    rows = [
        {
            "id": cid,
            "prompt": f"object {cid}",
            "category": "spatial_structural",
            "suites": ["physical"],
            "checks": [{"check": "watertight"}],
        }
        for cid in ids
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _records(tmp_path: Path, model: Path, ids: list[str]) -> dict:
    cases = _cases(tmp_path / "cases.jsonl", ids)
    out = run_eval(
        EvalConfig(model_dir=model, cases=cases, out_dir=tmp_path / "out"), progress=False
    )
    recs = read_records(out.out_dir / "results.jsonl")
    assert [r.case_id for r in recs] == ids  # exactly one record per case, in order
    return {r.case_id: r for r in recs}


def test_two_d_vertices_are_a_typed_error_and_the_run_goes_on(tmp_path: Path) -> None:
    model = tmp_path / "model"
    model.mkdir()
    (model / "flat.obj").write_text("v 0 0\nv 1 0\nv 0 1\nf 1 2 3\n")
    write_mesh(trimesh.creation.box((1, 1, 1)), model / "after.obj")
    with pytest.raises(AssetError) as info:
        load_asset(model / "flat.obj")
    assert info.value.kind == "bad_vertices" and "(3, 2)" in info.value.reason
    t0 = time.perf_counter()
    recs = _records(tmp_path, model, ["flat", "after"])
    assert time.perf_counter() - t0 < 30
    assert recs["flat"].status == "error"
    assert str(model / "flat.obj") in recs["flat"].error and "bad_vertices" in recs["flat"].error
    assert recs["after"].status == "ok"


def test_symlinks_leaving_the_folder_are_error_records_naming_the_link(tmp_path: Path) -> None:
    model, outside = tmp_path / "model", tmp_path / "outside"
    model.mkdir()
    write_mesh(trimesh.creation.box((1, 1, 1)), outside / "secret.obj")
    (model / "root").symlink_to("/")
    (model / "secret.obj").symlink_to(outside / "secret.obj")
    write_mesh(trimesh.creation.box((1, 1, 1)), model / "good.obj")
    t0 = time.perf_counter()
    recs = _records(tmp_path, model, ["root", "secret", "good"])
    assert time.perf_counter() - t0 < 30
    for cid, link in (("root", model / "root"), ("secret", model / "secret.obj")):
        assert recs[cid].status == "error", cid
        assert str(link) in recs[cid].error
        assert "symlink leaves the model folder" in recs[cid].error
        assert not recs[cid].provenance  # nothing was parsed
    assert recs["good"].status == "ok"


def test_deep_json_is_a_one_line_error_through_the_cli(tmp_path: Path) -> None:
    model = tmp_path / "model"
    model.mkdir()
    write_mesh(trimesh.creation.box((1, 1, 1)), model / "a.obj")
    deep = "[" * 200_000 + "]" * 200_000
    cases = _cases(tmp_path / "cases.jsonl", ["a"])
    (model / "model.json").write_text(deep)
    runner = CliRunner()
    t0 = time.perf_counter()
    r = runner.invoke(app, ["eval", str(model), "--cases", str(cases), "--out", str(tmp_path)])
    assert r.exit_code == 2
    assert "model.json" in r.output and "200000 levels" in r.output
    assert "Traceback" not in r.output and len(r.output.strip().splitlines()) == 1
    (model / "model.json").unlink()
    bad_cases = tmp_path / "deep.jsonl"
    bad_cases.write_text(deep + "\n")
    with pytest.raises(CaseError) as info:
        run_eval(EvalConfig(model_dir=model, cases=bad_cases, out_dir=tmp_path), progress=False)
    assert "deep.jsonl:1" in str(info.value) and "\n" not in str(info.value)
    (model / "model.json").write_text('{"name": ' + deep + "}")
    with pytest.raises(ConfigError):
        run_eval(EvalConfig(model_dir=model, cases=cases, out_dir=tmp_path), progress=False)
    assert time.perf_counter() - t0 < 30


def glb_with_image(png: bytes) -> bytes:
    """A textured unit box as GLB whose base-colour image is ``png`` (bytes spliced in)."""
    box = trimesh.creation.box()
    uv = np.random.default_rng(0).random((len(box.vertices), 2))
    box.visual = TextureVisuals(uv=uv, image=PIL.Image.new("RGB", (2, 2)))
    header, blob = unpack_glb(box.export(file_type="glb"))
    view = header["bufferViews"][header["images"][0]["bufferView"]]
    off, length = view.get("byteOffset", 0), view["byteLength"]
    blob = blob[:off] + png + blob[off + length :]
    for v in header["bufferViews"]:
        if v.get("byteOffset", 0) > off:
            v["byteOffset"] += len(png) - length
    view["byteLength"] = len(png)
    blob += b"\x00" * (-len(blob) % 4)
    header["buffers"][0]["byteLength"] = len(blob)
    return pack_glb(header, blob)


_LOAD_AND_MEASURE = """
import sys, time
t0 = time.perf_counter()
from mme3dr.assets import load_asset
asset = load_asset(sys.argv[1])
# VmHWM is this process's own peak (ru_maxrss keeps the forking parent's peak across exec)
hwm = [int(x.split()[1]) for x in open("/proc/self/status") if x.startswith("VmHWM:")][0]
print(time.perf_counter() - t0, hwm // 1024)
print(asset.provenance.get("warnings"))
"""


def test_texture_over_the_pixel_budget_is_dropped_before_decoding(tmp_path: Path) -> None:
    path = tmp_path / "bomb.glb"
    path.write_bytes(glb_with_image(huge_png(13_000, 13_000)))  # 507 MB decoded, ~0.5 MB here
    assert path.stat().st_size < 1_000_000
    proc = subprocess.run(
        [sys.executable, "-c", _LOAD_AND_MEASURE, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    first, warnings = proc.stdout.strip().splitlines()
    seconds, peak_mb = float(first.split()[0]), int(first.split()[1])
    assert seconds < 10 and peak_mb < 400, (seconds, peak_mb)  # decoding alone takes 507 MB
    assert "dropped before decoding" in warnings and "67108864" in warnings
    asset = load_asset(path)  # the geometry is still measured
    assert len(asset.mesh.faces) == 12 and asset.provenance["warnings"]


def test_texture_within_the_budget_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "ok.glb"
    path.write_bytes(glb_with_image(huge_png(512, 256)))
    asset = load_asset(path)
    assert asset.provenance["visual"] == "texture" and "warnings" not in asset.provenance
    assert asset.render_mesh.visual.material.baseColorTexture.size == (512, 256)


def _soup(n: int, seed: int = 0) -> trimesh.Trimesh:
    """``n`` random triangles in the unit cube: every box overlaps most others (quadratic)."""
    v = np.random.default_rng(seed).random((3 * n, 3))
    return trimesh.Trimesh(v, np.arange(3 * n).reshape(-1, 3), process=False)


def test_self_intersection_cost_is_bounded_on_a_triangle_soup() -> None:
    from mme3dr.geometry.intersections import self_intersections

    soup = _soup(8000)  # ~32M candidate pairs if tested completely (minutes)
    t0 = time.perf_counter()
    res = self_intersections(soup, max_pairs=500_000)
    took = time.perf_counter() - t0
    assert took < 15, took
    assert res.sampled and res.limit == "pairs" and res.n_tested < res.n_faces
    assert 500_000 <= res.n_candidates < 600_000  # stops at the budget, give or take a chunk
    assert res.fraction > 0.9 and res.stderr < 0.05


def test_budgeted_self_intersection_estimates_the_complete_answer() -> None:
    from mme3dr.geometry.intersections import self_intersections

    sphere = trimesh.creation.icosphere(subdivisions=4)  # 5120 clean faces
    sphere.apply_scale(3.0)
    soup = _soup(600, seed=1)  # crossing each other inside the sphere, never its surface
    mesh = trimesh.util.concatenate([sphere, soup])
    full = self_intersections(mesh, max_pairs=10**9)
    assert not full.sampled and full.limit is None and full.stderr == 0.0
    assert 0.05 < full.fraction < 0.11  # about 600 of 5720 faces
    est = self_intersections(mesh, max_pairs=20_000)
    assert est.sampled and est.limit == "pairs" and est.n_candidates < full.n_candidates
    assert abs(est.fraction - full.fraction) < 4 * est.stderr + 1e-9
    faces_cap = self_intersections(mesh, max_faces=2000)
    assert faces_cap.limit == "faces" and faces_cap.n_tested == 2000
    assert abs(faces_cap.fraction - full.fraction) < 4 * faces_cap.stderr + 1e-9


def _gltf_with(tmp_path: Path, name: str, edit) -> Path:
    files = trimesh.exchange.gltf.export_gltf(
        trimesh.Scene(trimesh.creation.box()), embed_buffers=True
    )
    header = json.loads(files["model.gltf"])
    text = edit(header)
    path = tmp_path / name
    path.write_text(text if isinstance(text, str) else json.dumps(header))
    return path


def test_deep_gltf_json_and_buffers_outside_are_typed_errors(tmp_path: Path) -> None:
    (tmp_path / "outside.bin").write_bytes(b"\x00" * 4096)
    case = tmp_path / "model"
    case.mkdir()
    deep = "[" * 100_000 + "]" * 100_000
    paths = {
        "too_deep": _gltf_with(case, "deep.gltf", lambda h: json.dumps(h)[:-1] + f',"x":{deep}}}'),
        "dev_zero": _gltf_with(
            case, "zero.gltf", lambda h: h["buffers"][0].update(uri="/dev/zero")
        ),
        "outside": _gltf_with(
            case, "out.gltf", lambda h: h["buffers"][0].update(uri="../outside.bin")
        ),
    }
    for label, path in paths.items():
        t0 = time.perf_counter()
        with pytest.raises(AssetError) as info:
            load_asset(path)
        assert time.perf_counter() - t0 < 5, label
        assert str(path) in str(info.value), label
        if label == "too_deep":
            assert info.value.kind == "too_deep" and "100001 levels" in info.value.reason
        else:  # the buffer is never read: the mesh has no data
            assert info.value.kind in ("unreadable", "no_faces"), info.value
