"""``mme3dr checks`` and ``mme3dr weights list`` read well in an 80-column terminal: no line is
wider than the terminal, and everything a user needs is in the text."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from mme3dr.cli import app, evaluator_params

runner = CliRunner()


def _run(args: list[str], columns: int = 80, **env: str) -> list[str]:
    res = runner.invoke(app, args, env={"COLUMNS": str(columns), **env})
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    too_wide = [ln for ln in lines if len(ln) > columns]
    assert not too_wide, too_wide
    return lines


def _blocks(lines: list[str]) -> dict[str, list[str]]:
    """Suite heading ``name (n)`` -> the lines under it."""
    out: dict[str, list[str]] = {}
    current = None
    for ln in lines:
        if ln and not ln.startswith(" ") and ln.endswith(")") and " (" in ln:
            current = ln.split(" (")[0]
            out[current] = []
        elif current is not None and ln:
            out[current].append(ln)
    return out


@pytest.mark.parametrize("columns", [80, 60])
def test_checks_grouped_by_suite_with_parameters(columns: int) -> None:
    from mme3dr.evaluators import registry

    blocks = _blocks(_run(["checks"], columns))
    names = registry.known_names()
    for name in names:
        cls = registry.get(name)
        heads = [ln.split()[0] for ln in blocks[cls.suite] if ln.startswith("  ") and
                 not ln.startswith("   ")]  # fmt: skip
        assert name in heads, (name, cls.suite)
    text = "\n".join(" ".join(b) for b in blocks.values())
    flat = " ".join(text.split())
    assert "params: tol=0.01, expect=None, min=None, max=None" in flat  # ground_contacts
    assert "params: a, b, rel, tol=0.02, min_area=0.01" in flat  # relation: required first
    assert "params: none" in flat  # watertight takes none
    assert list(blocks)[:4] == ["spatial", "functional", "physical", "aesthetic"]


def test_checks_headings_count_their_evaluators() -> None:
    from mme3dr.evaluators import registry

    lines = _run(["checks"])
    heads = [ln for ln in lines if ln and not ln.startswith(" ") and ln.endswith(")")]
    total = sum(int(h.rsplit("(", 1)[1].rstrip(")")) for h in heads)
    assert total == len(registry.known_names())
    default = [ln for ln in lines if ln.startswith("  ") and " *  v" in ln]
    n_default = sum(registry.get(n).runs_by_default for n in registry.known_names())
    assert len(default) == n_default


def test_evaluator_params_follow_the_class_hierarchy() -> None:
    from mme3dr.evaluators import registry

    assert evaluator_params(registry.get("holds_liquid")) == [
        "min_fraction=0.02",
        "resolution=64",
    ]
    aspect = evaluator_params(registry.get("aspect"))  # its schema names every ratio
    assert aspect == [
        "height_over_width=None", "height_over_length=None", "length_over_width=None",
    ]


def test_weights_list_fits_80_columns(tmp_path: Path) -> None:
    from mme3dr.weights import CATALOGUE

    home = tmp_path / ("deep-" * 12) / "mme3dr-home"
    lines = _run(["weights", "list"], MME3DR_HOME=str(home))
    text = "\n".join(lines)
    flat = " ".join(text.split())
    assert f"0 of {len(CATALOGUE)} present" in flat
    for name, spec in CATALOGUE.items():
        assert f"{name} present: no" in flat
        assert f"mme3dr weights fetch {name}" in flat
        assert f"--weights {name}=PATH" in flat
        for user in spec.used_by:
            assert user in text
    # the long folder is wrapped onto indented lines, and joins back to the real path
    where = "".join(ln.strip() for ln in lines if ln.startswith(" " * 13))
    assert str(home / "weights" / "clip-vit-b-32") in where


def test_weights_list_shows_where_present_weights_are(tmp_path: Path) -> None:
    target = tmp_path / "weights" / "laion-aesthetic-v2"
    target.mkdir(parents=True)
    (target / "aesthetic_head.pt").write_bytes(b"\0" * 16)
    lines = _run(["weights", "list"], MME3DR_HOME=str(tmp_path))
    flat = " ".join(" ".join(lines).split())
    assert "laion-aesthetic-v2 present: yes" in flat
    assert "1 of" in flat
