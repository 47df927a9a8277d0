"""Case schema: validation with file/line/field, duplicates, hashing, bundled sets, datasets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mme3dr.cases import CATEGORIES, Case, CaseSet, bundled_sets, load_cases
from mme3dr.errors import CaseError


def _write(tmp_path: Path, rows: list) -> Path:
    path = tmp_path / "cases.jsonl"
    lines = [r if isinstance(r, str) else json.dumps(r) for r in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


GOOD = {"id": "t-1", "prompt": "a cube", "category": "spatial_structural", "suites": ["physical"]}


def test_valid_file_loads_in_order(tmp_path: Path) -> None:
    rows = [GOOD, {**GOOD, "id": "t-2", "checks": [{"check": "stable"}], "tags": ["x"]}]
    cs = load_cases(_write(tmp_path, rows))
    assert [c.id for c in cs.cases] == ["t-1", "t-2"]
    assert cs.cases[1].checks == ({"check": "stable"},)
    assert cs.name == "tmp_path" or cs.name  # folder name of cases.jsonl


def test_every_problem_reported_with_file_line_and_field(tmp_path: Path) -> None:
    rows = [
        GOOD,
        "{not json",
        {**GOOD, "id": "t-1"},  # duplicate
        {"id": "t-3", "prompt": "", "category": "weird"},
        {**GOOD, "id": "t-4", "suites": ["spatial", "vibes"], "colour": "red"},
        {**GOOD, "id": "t-5", "checks": [{"check": "no_such_check"}]},
        {**GOOD, "id": "t-6", "checks": [{"expect": 3}]},
    ]
    path = _write(tmp_path, rows)
    with pytest.raises(CaseError) as info:
        load_cases(path)
    problems = info.value.problems
    text = "\n".join(problems)
    assert f"{path}:2: invalid JSON" in text
    assert f"{path}:3: id: duplicate id 't-1' (first on line 1)" in text
    assert f"{path}:4: prompt: must be a non-empty string" in text
    assert f"{path}:4: category: 'weird' is not one of" in text
    assert f"{path}:5: suites: 'vibes' is not one of" in text
    assert f"{path}:5: colour: unknown field" in text
    assert f"{path}:6: checks[0]: check: unknown check/evaluator 'no_such_check'; known:" in text
    assert "stable" in text  # the known names are listed
    assert f"{path}:7: checks[0]: check: missing the 'check' name" in text


def test_bad_check_parameters_are_reported(tmp_path: Path) -> None:
    path = _write(tmp_path, [{**GOOD, "checks": [{"check": "stable", "bogus": 1}]}])
    with pytest.raises(CaseError, match=r":1: checks\[0\]: stable: bad parameters"):
        load_cases(path)


def test_hash_changes_with_content_not_formatting(tmp_path: Path) -> None:
    a = load_cases(_write(tmp_path, [GOOD]))
    spaced = tmp_path / "other.jsonl"
    spaced.write_text(json.dumps(GOOD, indent=None, separators=(" , ", " : ")) + "\n\n")
    b = load_cases(spaced)
    assert a.sha256 == b.sha256
    changed = tmp_path / "changed.jsonl"
    changed.write_text(json.dumps({**GOOD, "prompt": "a cube!"}) + "\n")
    assert load_cases(changed).sha256 != a.sha256


def test_unknown_set_lists_bundled_sets() -> None:
    with pytest.raises(CaseError, match="bundled sets: .*starter"):
        load_cases("no-such-set")


def test_bundled_starter_set_is_valid_and_covers_all_categories() -> None:
    assert "starter" in bundled_sets()
    cs = load_cases("starter")
    assert len(cs.cases) >= 30
    assert {c.category for c in cs.cases} == set(CATEGORIES)
    assert cs.version != "unversioned"
    assert sum(1 for c in cs.cases if c.checks) / len(cs.cases) >= 0.7


def test_dataset_view_round_trips_fields() -> None:
    cs = CaseSet(
        name="x",
        path=Path("x.jsonl"),
        cases=[Case(id="a", prompt="p", category="stylized", checks=({"check": "stable"},))],
    )
    ds = cs.to_dataset()
    assert ds.num_rows == 1
    assert ds[0]["id"] == "a" and json.loads(ds[0]["checks"]) == [{"check": "stable"}]


def test_a_listed_check_needs_its_suite_in_the_case_suites(tmp_path: Path) -> None:
    outside = {**GOOD, "id": "t-1", "suites": ["spatial", "physical"],
               "checks": [{"check": "holds_liquid"}]}
    with pytest.raises(CaseError) as err:
        load_cases(_write(tmp_path, [outside]))
    assert "cases.jsonl:1: checks[0]: holds_liquid: its suite 'functional'" in str(err.value)
    inside = {**outside, "suites": ["functional", "physical"]}
    assert load_cases(_write(tmp_path, [inside])).cases[0].checks == ({"check": "holds_liquid"},)
    switched_off = {**GOOD, "id": "t-2", "suites": ["spatial"],
                    "checks": [{"check": "stable", "run": False}]}
    assert load_cases(_write(tmp_path, [switched_off])).cases  # a control runs nothing


def test_case_round_trips_through_its_dict() -> None:
    from mme3dr.cases import Case, load_cases

    for case in load_cases("mme3dr").cases:
        again = Case.from_dict(case.to_dict())
        assert again == case
    odd = Case(id="x", prompt="p", category="stylized", suites=("spatial",),
               checks=({"check": "parts", "expect": 2},), tags=("t",), difficulty="hard",
               meta={"pair": "y"})
    assert Case.from_dict(odd.to_dict()) == odd
