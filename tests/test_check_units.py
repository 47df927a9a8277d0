"""Check units: one module per check found by the registry's package scan, typed parameter
fields, measurements cached by function and arguments, weights declared on the check, the
generated table in docs/checks.md, and a third-party check (docs/adding_a_check.md, run as
written) reaching the listing, case validation, scoring and the audit with nothing else edited.
"""

from __future__ import annotations

import ast
import json
import pickle
import re
import sys
from pathlib import Path

import pytest
import shapes as S
import trimesh
from typer.testing import CliRunner

from mme3dr.assets import Asset, measure_key
from mme3dr.cli import app
from mme3dr.evaluators import registry
from mme3dr.evaluators.check import TABLE_END, TABLE_START, Check, markdown_table

ROOT = Path(__file__).resolve().parents[1]
CHECKS = ROOT / "mme3dr" / "checks"
cli = CliRunner()


def builtin_checks() -> list[type[Check]]:
    classes = [registry.get(n) for n in registry.known_names()]
    return [c for c in classes if issubclass(c, Check) and c.__module__.startswith("mme3dr.")]


# ------------------------------------------------------------------ discovery and the docs


def test_every_check_module_registers_exactly_one_check() -> None:
    modules = registry.check_modules("mme3dr.checks")
    assert len(modules) >= 17
    by_module: dict[str, list[str]] = {}
    for cls in builtin_checks():
        by_module.setdefault(cls.__module__, []).append(cls.name)
    assert sorted(by_module) == modules  # every unit found by the scan, no check elsewhere
    assert all(len(names) == 1 for names in by_module.values()), by_module
    # the module is named after its check
    assert all(m.rsplit(".", 1)[1] == names[0] for m, names in by_module.items())


def test_check_modules_never_import_each_other() -> None:
    for path in sorted(CHECKS.glob("[!_]*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                target = node.module
            elif isinstance(node, ast.Import):
                target = node.names[0].name
            else:
                continue
            assert not target.startswith("mme3dr.checks.") or target == "mme3dr.checks._measures", (
                path.name, target)
            assert target not in {"mme3dr.evaluators.spatial", "mme3dr.evaluators.physical",
                                  "mme3dr.evaluators.functional"}, (path.name, target)


def test_docs_table_is_the_generated_one() -> None:
    text = (ROOT / "docs" / "checks.md").read_text(encoding="utf-8")
    found = re.search(re.escape(TABLE_START) + r"\n(.*?)" + re.escape(TABLE_END), text, re.S)
    assert found, "docs/checks.md lost its table markers"
    assert found.group(1) == markdown_table(builtin_checks()), (
        "docs/checks.md is out of date: paste the output of `mme3dr checks --markdown` "
        "between the markers"
    )
    for cls in builtin_checks():
        assert f"| `{cls.name}` | {cls.suite} |" in found.group(1)


def test_markdown_command_prints_a_row_per_check() -> None:
    res = cli.invoke(app, ["checks", "--markdown"])
    assert res.exit_code == 0, res.output
    rows = [ln for ln in res.output.splitlines() if ln.startswith("| `")]
    assert len(rows) == len([c for c in (registry.get(n) for n in registry.known_names())
                             if issubclass(c, Check)])
    gc = next(r for r in rows if r.startswith("| `ground_contacts` |"))
    assert "`tol` length (0, 0.2] = 0.01" in gc and "| 1.0 | 2 | no |" in gc
    assert "clip_score" not in res.output  # learned evaluators are not check units


# ------------------------------------------------------------------ fields


@pytest.mark.parametrize(
    "check,params,message",
    [
        ("parts", {"expect": 2, "min_area": 2}, "parts: 'min_area' must be a number in (0, 0.5]"),
        ("ground_contacts", {"expect": -1}, "'expect' must be a non-negative integer, got -1"),
        ("ground_contacts", {}, "give 'expect' (an exact count) or 'min' and/or 'max'"),
        ("ground_contacts", {"expect": 2, "min": 1}, "give either 'expect' or 'min'/'max'"),
        ("parts", {"min": 3, "max": 2}, "'min' (3) is larger than 'max' (2)"),
        ("holds_liquid", {"resolution": 8}, "'resolution' must be an integer in [16, 256]"),
        ("support_surface", {"height": [0.9, 0.1]}, "'height' must be [lo, hi] with 0 <= lo"),
        ("opening", {"direction": "sideways"}, "'direction' must be one of up, down, side"),
        ("symmetry", {"kind": "mirror", "order": 3}, "'order' applies to kind='rotational'"),
        ("stable", {"tol": -1}, "stable: 'tol' must be a number in (0, 0.5], got -1"),
        ("self_intersection", {"max_fraction": 1.5}, "must be a number in [0, 1]"),
        ("upright", {"min_aspect": 0}, "'min_aspect' must be a number > 0"),
        ("stable", {"bogus": 1}, "bad parameters for 'stable': unknown parameter(s) bogus"),
        ("relation", {"a": "largest"}, "missing required parameter(s) b, rel"),
    ],
)
def test_fields_validate_with_readable_messages(check: str, params: dict, message: str) -> None:
    with pytest.raises(ValueError) as err:
        registry.build(check, params)
    assert message in str(err.value)


def test_field_types_on_their_own() -> None:
    from mme3dr.evaluators import fields as F

    assert F.Bool(False).parse("c", "flag", True) is True
    with pytest.raises(ValueError, match="c: 'flag' must be true or false, got 1"):
        F.Bool(False).parse("c", "flag", 1)
    with pytest.raises(ValueError, match="c: 'n' must be a non-negative integer, got True"):
        F.Count(0).parse("c", "n", True)  # a bool is not a count
    assert F.Fraction(0.5, as_float=True).parse("c", "f", 1) == 1.0
    assert isinstance(F.Fraction(0.5).parse("c", "f", 1), int)  # recorded as given
    with pytest.raises(ValueError, match=r"must be a number in \(0, 1\], got nan"):
        F.Fraction(0.5).parse("c", "f", float("nan"))
    assert F.Length(0.01, upper=0.2).type_text() == "length (0, 0.2]"
    assert F.Range((0.0, 1.0), upper=1.0).default_text() == "[0.0, 1.0]"
    assert F.Choice(options=("up", "down")).required
    with pytest.raises(ValueError, match="c: 's' must be a string, got 3"):
        F.Text().parse("c", "s", 3)


def test_recorded_parameters() -> None:
    assert registry.build("through_holes", {"expect": 1}).params == {"expect": 1}
    assert registry.build("horizontal_layers", {"expect": 2}).params == {
        "expect": 2, "min_area": 0.1, "resolution": 64}
    # record="non_default": tol and max_feature only when changed; order 2 for rotational
    assert registry.build("symmetry", {}).params == {"kind": "mirror", "min": 0.9}
    assert registry.build("symmetry", {"kind": "rotational", "tol": 0.05}).params == {
        "kind": "rotational", "order": 2, "min": 0.9, "tol": 0.05}
    assert registry.build("support_surface", {"height": [0, 1]}).params["height"] == [0.0, 1.0]
    assert registry.build("stable", {"min_margin": 0}).params == {
        "min_margin": 0.0, "tol": 0.01, "scale": 0.1}
    aspect = registry.build("aspect", {"length_over_width": [1, 2], "height_over_width": [0, 1]})
    assert list(aspect.params) == ["length_over_width", "height_over_width"]  # as given


def test_count_checks_take_expect_other_checks_invert() -> None:
    assert registry.accepts(registry.get("parts"), "expect")
    assert not registry.accepts(registry.get("symmetry"), "expect")
    inv = registry.build_check({"check": "stable", "expect": False})
    assert type(inv).__name__ == "Inverted" and inv.params["expect"] is False


# ------------------------------------------------------------------ measure cache


def _fill(asset: Asset, scale: float) -> float:
    _fill.calls += 1  # type: ignore[attr-defined]
    return float(asset.mesh.area) * scale


def test_measure_caches_by_function_and_arguments() -> None:
    _fill.calls = 0  # type: ignore[attr-defined]
    asset = Asset.from_trimesh(trimesh.creation.box())
    a = asset.measure(_fill, scale=2.0)
    assert asset.measure(_fill, scale=2.0) == a and _fill.calls == 1
    assert asset.measure(_fill, scale=3.0) != a and _fill.calls == 2
    key = measure_key(_fill, {"scale": 2.0})
    assert key == ("measure", __name__, "_fill", (("scale", 2.0),)) and asset.cache[key] == a
    assert measure_key(_fill, {"r": [0, 1]}) == measure_key(_fill, {"r": (0, 1)})
    with pytest.raises(ValueError, match="module-level function"):
        asset.measure(lambda asset: 1)
    clone = pickle.loads(pickle.dumps(asset))  # workers receive assets with their cache
    assert clone.cache[key] == a


def test_checks_share_measurements_through_the_cache() -> None:
    from mme3dr.checks import _measures

    sample = S.sample_of(S.table(4))
    for name in ("parts", "stacked"):
        registry.build(name, {"min": 0}).score(sample)
    registry.build("relation", {"a": "largest", "b": "smallest", "rel": "above"}).score(sample)
    keys = [k for k in sample.asset.cache if isinstance(k, tuple) and k[2] == "parts"]
    assert keys == [measure_key(_measures.parts, {"min_area": 0.01})]


# ------------------------------------------------------------------ weights


def test_weight_is_declared_on_the_check(monkeypatch) -> None:
    from mme3dr import scoring
    from mme3dr.evaluators.base import Score

    assert not (ROOT / "mme3dr" / "evaluators" / "weights.py").exists()
    assert all(scoring.check_weight(c.name) == c.weight == 1.0 for c in builtin_checks())
    assert scoring.check_weight("not-a-check") == 1.0
    heavy = type("Heavy", (registry.get("parts"),), {"weight": 3.0})
    monkeypatch.setitem(registry._REGISTRY, "parts", heavy)
    scores = [Score("parts", "spatial", 1.0), Score("aspect", "spatial", 0.0)]
    assert scoring.combine_suites(scores, ["spatial"])["spatial"] == pytest.approx(0.75)


# ------------------------------------------------------------------ a third-party check


def _example_code() -> str:
    text = (ROOT / "docs" / "adding_a_check.md").read_text(encoding="utf-8")
    return re.search(r"```python\n(.*?)```", text, re.S).group(1)


@pytest.fixture
def fresh_registry(monkeypatch):
    """A copy of the registry (and of what has been discovered) for one test, so a throwaway
    check leaves nothing behind."""
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))
    monkeypatch.setattr(registry, "_LOADED", set(registry._LOADED))
    before = set(sys.modules)
    yield
    for name in set(sys.modules) - before:
        if name.startswith("my_"):
            del sys.modules[name]


def _case_file(tmp_path: Path, **params) -> Path:
    row = {"id": "blk-1", "prompt": "a solid block", "category": "spatial_structural",
           "suites": ["spatial"], "checks": [{"check": "solid_fill", **params}]}
    path = tmp_path / "cases" / "cases.jsonl"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    return path


def test_docs_example_plugin_reaches_listing_cases_scoring_and_audit(
    tmp_path: Path, monkeypatch, fresh_registry
) -> None:
    from mme3dr.audit import _robust_to, run_audit
    from mme3dr.cases import CaseError, load_cases
    from mme3dr.scoring import record_scores, score_pairs

    (tmp_path / "my_checks.py").write_text(_example_code(), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv(registry.PLUGINS_ENV, "my_checks")

    listing = cli.invoke(app, ["checks"], env={"COLUMNS": "100"})
    assert listing.exit_code == 0, listing.output
    assert "  solid_fill  v1" in listing.output
    assert "params: min_fraction=0.5, resolution=64" in " ".join(listing.output.split())
    table = cli.invoke(app, ["checks", "--markdown"]).output
    assert ("| `solid_fill` | spatial | `min_fraction` fraction (0, 1] = 0.5<br>`resolution` "
            "resolution [16, 256] = 64 | 1.0 | 1 | no | empty, extreme_scale |") in table

    cases = load_cases(_case_file(tmp_path, min_fraction=0.8))
    with pytest.raises(CaseError, match="solid_fill: 'min_fraction' must be a number in"):
        load_cases(_case_file(tmp_path, min_fraction=2))
    with pytest.raises(CaseError, match="solid_fill: bad parameters"):
        load_cases(_case_file(tmp_path, fill=0.8))

    case = cases.cases[0]
    block, bowl = trimesh.creation.box(), S.bowl()
    scores = {}
    for label, mesh in (("block", block), ("bowl", bowl)):
        (record,) = score_pairs([(case, mesh)], ["spatial"])
        (scores[label],) = [s for s in record_scores(record) if s.evaluator == "solid_fill"]
    assert scores["block"].passed and scores["block"].score == 1.0
    assert not scores["bowl"].passed and scores["bowl"].score < 0.8

    assert _robust_to("solid_fill") == ("empty", "extreme_scale")
    audit = run_audit(cases, suites=["spatial"], n_cases=None, attacks=["extreme_scale"],
                      builders={"blk-1": trimesh.creation.box})
    (row,) = audit[audit.evaluator == "solid_fill"].to_dict("records")
    assert row["claimed"] and row["holds"] and row["n"] == 1


def test_installed_entry_point_adds_a_check(tmp_path: Path, monkeypatch, fresh_registry) -> None:
    """A package installed with an entry point in group ``mme3dr.checks`` (a real
    ``.dist-info`` on ``sys.path``, as pip leaves it) adds its check."""
    registry.known_names()  # whatever is installed already is loaded before the new one
    code = _example_code().replace('"solid_fill"', '"solid_fill_ep"')
    (tmp_path / "my_ep_checks.py").write_text(code, encoding="utf-8")
    dist = tmp_path / "my_ep_checks-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: my-ep-checks\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(
        f"[{registry.ENTRY_POINT_GROUP}]\nsolid_fill_ep = my_ep_checks:SolidFillCheck\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv(registry.PLUGINS_ENV, raising=False)
    assert "solid_fill_ep" not in registry.known_names()
    registry.reload_entry_points()
    cls = registry.get("solid_fill_ep")
    assert cls.__module__ == "my_ep_checks" and issubclass(cls, Check)
    assert registry.build_check({"check": "solid_fill_ep", "min_fraction": 0.3}).params == {
        "min_fraction": 0.3, "resolution": 64}
