"""The thin CLI: render, cases, checks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import trimesh
from PIL import Image
from typer.testing import CliRunner

from mme3dr.cli import app
from mme3dr.examples.models import write_mesh

runner = CliRunner()


def test_render_writes_views_and_contact_sheet(tmp_path: Path) -> None:
    tall = trimesh.creation.box((0.2, 0.2, 1.0))
    path = write_mesh(tall, tmp_path / "tall.glb")
    out = tmp_path / "renders"
    r = runner.invoke(
        app, ["render", str(path), "--rig", "orbit8", "--resolution", "64", "--out", str(out)]
    )
    assert r.exit_code == 0, r.output
    rgb = sorted(out.glob("view_*_rgb.png"))
    assert len(rgb) == 8
    assert len(list(out.glob("view_*_mask.png"))) == 8
    assert (out / "contact_sheet.png").is_file()
    mask = np.asarray(Image.open(out / "view_00_mask.png").convert("L")) > 127
    rows, cols = np.nonzero(mask)
    # the +Z-up box is taller than wide in the image (a GLB, converted from +Y up)
    assert np.ptp(rows) > 2 * np.ptp(cols)


def test_render_reports_bad_asset_and_rig(tmp_path: Path) -> None:
    bad = tmp_path / "bad.obj"
    bad.write_text("v 0 0 0\n")
    r = runner.invoke(app, ["render", str(bad), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2 and "bad.obj" in r.output and "no_faces" in r.output
    good = write_mesh(trimesh.creation.box(), tmp_path / "box.ply")
    r = runner.invoke(app, ["render", str(good), "--rig", "nope", "--out", str(tmp_path / "o")])
    assert r.exit_code == 2 and "orbit8" in r.output


def test_cases_commands() -> None:
    r = runner.invoke(app, ["cases", "validate", "starter"])
    assert r.exit_code == 0 and "ok starter" in r.output
    r = runner.invoke(app, ["cases", "stats", "starter"])
    assert (
        r.exit_code == 0 and "mechanical_affordances" in r.output and "ground_contacts" in r.output
    )
    r = runner.invoke(app, ["cases", "show", "mech-001"])
    assert r.exit_code == 0 and "three legs" in r.output
    r = runner.invoke(app, ["cases", "show", "nope-404"])
    assert r.exit_code == 2 and "nope-404" in r.output


def test_cases_validate_fails_on_a_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "prompt": "x", "category": "nope"}\n')
    r = runner.invoke(app, ["cases", "validate", str(bad)])
    assert r.exit_code == 1 and "bad.jsonl:1: category" in r.output


def test_checks_lists_every_suite() -> None:
    r = runner.invoke(app, ["checks"])
    assert r.exit_code == 0
    for name in ("stable", "ground_contacts", "holds_liquid", "watertight"):
        assert name in r.output


def _one_line_usage_error(args: list[str], *needles: str) -> None:
    r = runner.invoke(app, args)
    lines = [x for x in r.output.splitlines() if x.strip()]
    assert r.exit_code == 2, r.output
    assert len(lines) == 1 and lines[0].startswith("error:"), r.output
    for needle in needles:
        assert needle in lines[0], r.output


def test_render_refuses_bad_backend_and_resolution_in_one_line(tmp_path: Path) -> None:
    good = str(write_mesh(trimesh.creation.box(), tmp_path / "box.ply"))
    out = str(tmp_path / "o")
    _one_line_usage_error(["render", good, "--backend", "vulkan", "--out", out], "vulkan", "gl")
    _one_line_usage_error(["render", good, "--resolution", "0", "--out", out], "resolution")
    assert not (tmp_path / "o").exists()


def test_unknown_case_set_is_one_line() -> None:
    _one_line_usage_error(["cases", "list", "no-such-set"], "no-such-set", "starter")
    _one_line_usage_error(["cases", "stats", "no-such-set"], "bundled sets")


def test_audit_usage_errors_are_one_line() -> None:
    _one_line_usage_error(["audit", "--n", "-1"], "--n")
    _one_line_usage_error(["audit", "--suites", "vibes", "--n", "1"], "unknown suite", "vibes")


def test_module_entry_point_has_every_command() -> None:
    import subprocess
    import sys

    r = subprocess.run(
        [sys.executable, "-m", "mme3dr.cli", "--help"], capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 0, r.stderr
    for command in ("eval", "render", "leaderboard", "train", "audit"):
        assert command in r.stdout


def test_eval_encode_batch_flag_is_checked_and_stamped(tmp_path: Path) -> None:
    model = tmp_path / "model"
    write_mesh(trimesh.creation.box(), model / "mech-001.ply")
    out = str(tmp_path / "o")
    _one_line_usage_error(
        ["eval", str(model), "--out", out, "--encode-batch", "0", "--workers", "1"],
        "encode_batch",
    )
    r = runner.invoke(app, ["eval", str(model), "--out", out, "--encode-batch", "3",
                            "--workers", "1", "--suites", "physical", "--quiet"])
    assert r.exit_code == 0, r.output
    import json

    summary = json.loads((tmp_path / "o" / "model" / "summary.json").read_text())
    assert summary["stamp"]["execution"]["encode_batch"] == 3
