"""The case schema, JSONL loading with line-numbered errors, and a ``datasets.Dataset`` view.

A case is one JSON object per line::

    {"id": "mech-017", "prompt": "a wooden stool with three legs",
     "category": "mechanical_affordances",
     "suites": ["spatial", "functional", "physical", "aesthetic"],
     "checks": [{"check": "ground_contacts", "expect": 3}, {"check": "stable"}],
     "tags": ["counting"], "difficulty": "easy"}

``checks`` name registered evaluators (:mod:`mme3dr.evaluators`); their parameters are
validated by building the evaluator, so an unknown check or a bad parameter is reported with
the file, line and field. Suites follow from the checks: when a case lists ``suites``, every
listed check must belong to one of them (a check outside its case's suites would never run).
A check entry may also control a default evaluator for the case: ``{"check": "stable",
"run": false}`` switches it off, ``{"check": "stable", "expect": false}`` inverts it.

A case set is identified by its name, version and a SHA-256 content hash of the parsed cases
(formatting and key order do not change the hash; any field does). Bundled sets load by name
(the latest version) or as ``<name>@<version>`` (a frozen earlier version).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mme3dr.errors import CaseError
from mme3dr.package_data import benchmark_data_dir
from mme3dr.safe_json import MAX_BYTES, MAX_DEPTH, JsonLimitError, nesting_depth, read_json
from mme3dr.suites import SUITES

CATEGORIES: tuple[str, ...] = (
    "spatial_structural",
    "mechanical_affordances",
    "biological_organic",
    "world_knowledge_rare",
    "stylized",
)
DIFFICULTIES: tuple[str, ...] = ("easy", "medium", "hard")
REQUIRED_FIELDS: tuple[str, ...] = ("id", "prompt", "category")
KNOWN_FIELDS: frozenset[str] = frozenset(
    {"id", "prompt", "category", "suites", "checks", "tags", "difficulty", "meta"}
)

#: folder holding the bundled case sets (``<name>.jsonl`` or ``<name>/cases.jsonl``): package
#: data inside the installed package, read through ``importlib.resources``.
BENCHMARK_DATA = benchmark_data_dir()


@dataclass(frozen=True)
class Case:
    """One benchmark case. ``checks`` are dicts ``{"check": name, **params}``."""

    id: str
    prompt: str
    category: str
    suites: tuple[str, ...] = SUITES
    checks: tuple[dict[str, Any], ...] = ()
    tags: tuple[str, ...] = ()
    difficulty: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "id": self.id,
            "prompt": self.prompt,
            "category": self.category,
            "suites": list(self.suites),
            "checks": [dict(c) for c in self.checks],
            "tags": list(self.tags),
        }
        if self.difficulty is not None:
            d["difficulty"] = self.difficulty
        if self.meta:
            d["meta"] = dict(self.meta)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Case:
        """The case :meth:`to_dict` wrote (no validation: for cases that were validated when
        their set was loaded and travel as dicts, e.g. to worker processes)."""
        return cls(
            id=d["id"],
            prompt=d["prompt"],
            category=d["category"],
            suites=tuple(d.get("suites", ())),
            checks=tuple(dict(c) for c in d.get("checks", ())),
            tags=tuple(d.get("tags", ())),
            difficulty=d.get("difficulty"),
            meta=dict(d.get("meta", {})),
        )


@dataclass
class CaseSet:
    """A loaded case file: its cases in file order, name, version and content hash."""

    name: str
    path: Path
    cases: list[Case]
    version: str = "unversioned"

    @property
    def sha256(self) -> str:
        """Hash of the canonical JSON of every case, in order."""
        h = hashlib.sha256()
        for case in self.cases:
            h.update(json.dumps(case.to_dict(), sort_keys=True, ensure_ascii=False).encode())
            h.update(b"\n")
        return h.hexdigest()

    def by_id(self) -> dict[str, Case]:
        return {c.id: c for c in self.cases}

    def stamp(self) -> dict[str, Any]:
        """What a result records about the case set."""
        return {
            "name": self.name,
            "version": self.version,
            "sha256": self.sha256,
            "n_cases": len(self.cases),
            "path": str(self.path),
        }

    def to_dataset(self) -> Any:
        """The cases as a ``datasets.Dataset`` (checks and meta serialised as JSON strings)."""
        import datasets

        rows = [c.to_dict() for c in self.cases]
        return datasets.Dataset.from_dict(
            {
                "id": [r["id"] for r in rows],
                "prompt": [r["prompt"] for r in rows],
                "category": [r["category"] for r in rows],
                "suites": [r["suites"] for r in rows],
                "checks": [json.dumps(r["checks"], sort_keys=True) for r in rows],
                "tags": [r["tags"] for r in rows],
                "difficulty": [r.get("difficulty") or "" for r in rows],
            }
        )


def bundled_sets() -> dict[str, Path]:
    """Bundled case sets by name: ``<name>.jsonl`` and ``<name>/cases.jsonl`` in the package's
    ``mme3dr/benchmark_data`` folder, the latest version of each set.

    Earlier versions of a set stay loadable by ``<name>@<version>``: they are frozen files
    ``<name>/v<version>.jsonl`` (metadata in ``<name>/v<version>.meta.json``) beside the
    latest ``cases.jsonl``, so published results can be reproduced with the exact cases."""
    sets: dict[str, Path] = {}
    if BENCHMARK_DATA.is_dir():
        for p in sorted(BENCHMARK_DATA.glob("*.jsonl")):
            sets[p.stem] = p
        for p in sorted(BENCHMARK_DATA.glob("*/cases.jsonl")):
            sets[p.parent.name] = p
        for p in sorted(BENCHMARK_DATA.glob("*/v*.jsonl")):
            sets[f"{p.parent.name}@{p.stem[1:]}"] = p
    return sets


def resolve_case_source(spec: str | Path) -> Path:
    """A bundled set name or a path to a JSONL file; ``CaseError`` when neither exists."""
    path = Path(spec)
    if path.is_file():
        return path
    if path.is_dir() and (path / "cases.jsonl").is_file():
        return path / "cases.jsonl"
    sets = bundled_sets()
    if str(spec) in sets:
        return sets[str(spec)]
    known = ", ".join(sets) or "(none found)"
    raise CaseError([f"{spec}: not a case file and not a bundled set; bundled sets: {known}"])


def load_cases(spec: str | Path = "starter", validate_checks: bool = True) -> CaseSet:
    """Load and validate a case set. Raises :class:`CaseError` listing every problem.

    Args:
        spec: a bundled set name (see :func:`bundled_sets`) or a JSONL path.
        validate_checks: build every check's evaluator to validate its name and parameters.
    """
    path = resolve_case_source(spec)
    problems: list[str] = []
    cases: list[Case] = []
    seen: dict[str, int] = {}
    try:
        if path.stat().st_size > MAX_BYTES:
            raise CaseError([f"{path}: larger than the limit of {MAX_BYTES} bytes"])
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseError([f"{path}: cannot read: {exc}"]) from None
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        where = f"{path}:{lineno}"
        depth = nesting_depth(line)
        if depth > MAX_DEPTH:
            problems.append(f"{where}: JSON nested {depth} levels deep (limit {MAX_DEPTH})")
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{where}: invalid JSON: {exc.msg} (column {exc.colno})")
            continue
        case, errs = parse_case(obj, validate_checks=validate_checks)
        problems.extend(f"{where}: {e}" for e in errs)
        if case is None:
            continue
        if case.id in seen:
            problems.append(
                f"{where}: id: duplicate id {case.id!r} (first on line {seen[case.id]})"
            )
            continue
        seen[case.id] = lineno
        cases.append(case)
    if not cases and not problems:
        problems.append(f"{path}: no cases found")
    if problems:
        raise CaseError(problems)
    meta = _read_set_meta(path)
    name = meta.get("name") or (path.parent.name if path.name == "cases.jsonl" else path.stem)
    return CaseSet(
        name=name, path=path, cases=cases, version=str(meta.get("version", "unversioned"))
    )


def parse_case(obj: Any, validate_checks: bool = True) -> tuple[Case | None, list[str]]:
    """Turn one parsed JSON object into a :class:`Case`; returns ``(case or None, problems)``."""
    if not isinstance(obj, dict):
        return None, [f"(record): expected a JSON object, got {type(obj).__name__}"]
    errs: list[str] = []
    for f in REQUIRED_FIELDS:
        if f not in obj:
            errs.append(f"{f}: missing required field")
        elif not isinstance(obj[f], str) or not obj[f].strip():
            errs.append(f"{f}: must be a non-empty string")
    for f in sorted(set(obj) - KNOWN_FIELDS):
        errs.append(f"{f}: unknown field (known: {', '.join(sorted(KNOWN_FIELDS))})")
    category = obj.get("category")
    if isinstance(category, str) and category and category not in CATEGORIES:
        errs.append(f"category: {category!r} is not one of {', '.join(CATEGORIES)}")
    suites = obj.get("suites", list(SUITES))
    if not isinstance(suites, list) or not all(isinstance(s, str) for s in suites):
        errs.append("suites: must be a list of strings")
        suites = []
    for s in suites:
        if s not in SUITES:
            errs.append(f"suites: {s!r} is not one of {', '.join(SUITES)}")
    tags = obj.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        errs.append("tags: must be a list of strings")
        tags = []
    difficulty = obj.get("difficulty")
    if difficulty is not None and difficulty not in DIFFICULTIES:
        errs.append(f"difficulty: {difficulty!r} is not one of {', '.join(DIFFICULTIES)}")
    meta = obj.get("meta", {})
    if not isinstance(meta, dict):
        errs.append("meta: must be an object")
        meta = {}
    checks = obj.get("checks", [])
    if not isinstance(checks, list):
        errs.append("checks: must be a list of objects")
        checks = []
    for i, chk in enumerate(checks):
        problems = _check_problems(chk, validate_checks)
        errs.extend(f"checks[{i}]: {e}" for e in problems)
        if validate_checks and not problems and "suites" in obj:
            errs.extend(f"checks[{i}]: {e}" for e in _suite_problems(chk, suites))
    if errs:
        return None, errs
    case = Case(
        id=obj["id"].strip(),
        prompt=obj["prompt"].strip(),
        category=obj["category"],
        suites=tuple(suites),
        checks=tuple(dict(c) for c in checks),
        tags=tuple(tags),
        difficulty=difficulty,
        meta=dict(meta),
    )
    return case, []


def _check_problems(chk: Any, validate: bool) -> list[str]:
    if not isinstance(chk, dict):
        return ['must be an object like {"check": NAME, ...params}']
    name = chk.get("check")
    if not isinstance(name, str) or not name:
        return ["check: missing the 'check' name"]
    if not validate:
        return []
    from mme3dr.evaluators import registry

    try:
        registry.build_check(chk)
    except KeyError as exc:
        return [f"check: {exc.args[0]}"]
    except ValueError as exc:
        return [f"{name}: {exc}"]
    return []


def _suite_problems(chk: dict[str, Any], suites: list[str]) -> list[str]:
    """Schema rule: the suites follow from the checks. A listed check that runs (not
    ``run: false``) needs its suite among the case's ``suites``, or it would never be scored."""
    if chk.get("run", True) is False:
        return []
    from mme3dr.evaluators import registry

    suite = registry.get(chk["check"]).suite
    if suite in suites:
        return []
    listed = ", ".join(suites)
    return [f"{chk['check']}: its suite {suite!r} is not in the case's suites ({listed})"]


def _read_set_meta(path: Path) -> dict[str, Any]:
    """Set metadata: ``meta.json`` beside ``cases.jsonl``, or ``<name>.meta.json`` (also
    ``v<version>.meta.json`` beside a frozen ``v<version>.jsonl``)."""
    if path.name == "cases.jsonl":
        candidate = path.parent / "meta.json"
    else:
        candidate = path.with_suffix(".meta.json")
    if not candidate.is_file():
        return {}
    try:
        meta = read_json(candidate)
    except JsonLimitError as exc:
        raise CaseError([f"{exc} (set metadata)"]) from None
    if not isinstance(meta, dict):
        raise CaseError([f"{candidate}: invalid set metadata: must hold a JSON object"])
    return meta
