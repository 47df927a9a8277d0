"""Read ``mme3dr eval`` result folders into one aligned :class:`Comparison`.

A result folder is ``OUT/<model>/`` holding ``results.jsonl`` and ``summary.json`` (and, when
the run used ``--save-views``, ``views/<safe_name(case_id)>.png``). A folder without
``results.jsonl`` whose sub-folders have one (``OUT/`` itself) is expanded to them.

Conventions:

* All models must have been evaluated on the same case set (same name, version and SHA-256 in
  ``summary.json``'s ``stamp.case_set``); otherwise :class:`LeaderboardError`, unless
  ``allow_mixed``: then only the cases every model has a record for count, and
  :attr:`Comparison.notes` says so.
* The case universe is the union of the case ids recorded by the models, in the order the
  first model recorded them (the case file's order); the case set's ``n_cases`` is checked
  against it. A case a model has no record for (an incomplete run) is filled in as a
  ``missing`` record by the rule of :mod:`mme3dr.results`: 0 on every suite the case asks for
  that this model's run measured on some case (so an evaluator for it was available), absent
  (``None``) on the others; ``overall`` is the mean of those (``None`` when there are none).
* Every score the report shows is the records' own (``suites`` and ``overall``); means follow
  :func:`mme3dr.results.suite_means`, so a model's numbers equal its ``summary.json`` (when no
  case had to be filled in) and do not depend on which other models are compared.
* A case's ``difficulty`` comes from its records (``difficulty`` or ``meta.difficulty``), else
  from the case file named in the stamp when its SHA-256 still matches, else it is unknown.
* Model names come from ``stamp.model.name`` (else the folder name); duplicates get the folder
  name appended so every column is distinct.
* Nothing here evaluates anything: adding a folder only re-reads files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mme3dr.results import RESULTS_FILE, SUMMARY_FILE, Record, overall_of, read_records
from mme3dr.runner import safe_name

VIEWS_DIR = "views"


class LeaderboardError(Exception):
    """A usage problem with the inputs (no results, mismatched case sets...): one clear line."""


@dataclass
class ModelResult:
    """One model's records (by case id) and the stamp of the run that made them."""

    name: str
    path: Path
    records: dict[str, Record]
    stamp: dict[str, Any] = field(default_factory=dict)

    @property
    def case_set(self) -> dict[str, Any]:
        return dict(self.stamp.get("case_set") or {})

    @property
    def meta(self) -> dict[str, Any]:
        return dict((self.stamp.get("model") or {}).get("meta") or {})

    def view_path(self, case_id: str) -> Path | None:
        """The saved contact sheet for ``case_id``, or ``None`` when the run saved none."""
        p = self.path / VIEWS_DIR / f"{safe_name(case_id)}.png"
        return p if p.is_file() else None


@dataclass
class CaseInfo:
    """What the report shows about a case, taken from the records (first model that has it)."""

    case_id: str
    prompt: str
    category: str
    tags: tuple[str, ...]
    suites: tuple[str, ...]
    meta: dict = field(default_factory=dict)
    difficulty: str | None = None


@dataclass
class Comparison:
    """Models aligned on one list of cases. ``records[m][c]`` exists for every model and case
    (absent records are filled in as ``missing``)."""

    models: list[ModelResult]
    cases: list[CaseInfo]
    case_set: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    filled_in: dict[str, list[str]] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return [m.name for m in self.models]

    @property
    def case_ids(self) -> list[str]:
        return [c.case_id for c in self.cases]

    def record(self, model: str, case_id: str) -> Record:
        for m in self.models:
            if m.name == model:
                return m.records[case_id]
        raise KeyError(model)


def expand_dirs(dirs: list[Path]) -> list[Path]:
    """Each argument is a result folder, or a root whose direct sub-folders are result folders."""
    out: list[Path] = []
    for d in dirs:
        d = Path(d)
        if not d.exists():
            raise LeaderboardError(f"{d}: no such folder")
        if (d / RESULTS_FILE).is_file():
            out.append(d)
            continue
        subs = sorted(s for s in d.iterdir() if s.is_dir() and (s / RESULTS_FILE).is_file())
        if subs:
            out.extend(subs)
        elif list(d.glob("shard-*-of-*")):
            raise LeaderboardError(f"{d}: holds shard folders only; run `mme3dr merge {d}` first")
        else:
            raise LeaderboardError(f"{d}: no {RESULTS_FILE} here or in its sub-folders")
    return out


def load_model(path: Path) -> ModelResult:
    """Read one result folder."""
    records = read_records(path / RESULTS_FILE)
    if not records:
        raise LeaderboardError(f"{path / RESULTS_FILE}: holds no records")
    stamp: dict[str, Any] = {}
    summ = path / SUMMARY_FILE
    if summ.is_file():
        try:
            stamp = json.loads(summ.read_text(encoding="utf-8")).get("stamp") or {}
        except (OSError, json.JSONDecodeError) as exc:
            raise LeaderboardError(f"{summ}: not valid JSON: {exc}") from None
    name = str((stamp.get("model") or {}).get("name") or path.name)
    return ModelResult(name=name, path=path, records={r.case_id: r for r in records}, stamp=stamp)


def _case_set_key(m: ModelResult) -> tuple[str, str, str]:
    cs = m.case_set
    return (str(cs.get("name", "?")), str(cs.get("version", "?")), str(cs.get("sha256", "?")))


def measured_suites(records: dict[str, Record]) -> set[str]:
    """Suites a model's run put a number on for some case (so something could measure them)."""
    return {s for r in records.values() for s, v in r.suites.items() if v is not None}


def _missing_record(info: CaseInfo, measurable: set[str]) -> Record:
    suites: dict[str, float | None] = {s: (0.0 if s in measurable else None) for s in info.suites}
    return Record(
        case_id=info.case_id,
        status="missing",
        category=info.category,
        prompt=info.prompt,
        tags=list(info.tags),
        suites=suites,
        overall=overall_of(suites),
        error="no record for this case in the result folder",
        meta=dict(info.meta),
    )


def case_file_cases(case_set: dict[str, Any]) -> dict[str, Any]:
    """``{case_id: Case}`` from the case file at ``case_set["path"]`` when its SHA-256 still
    matches ``case_set["sha256"]``; ``{}`` when it is gone, changed or unreadable."""
    path, sha = case_set.get("path"), case_set.get("sha256")
    if not path or not Path(path).is_file():
        return {}
    try:
        from mme3dr.cases import load_cases

        cs = load_cases(Path(path), validate_checks=False)
    except Exception:  # noqa: BLE001 - an unreadable case file only means less metadata
        return {}
    return {c.id: c for c in cs.cases} if cs.sha256 == sha else {}


def _difficulty(recs: list[Record], from_file: Any) -> str | None:
    for r in recs:
        d = getattr(r, "difficulty", None) or (r.meta or {}).get("difficulty")
        if d:
            return str(d)
    d = getattr(from_file, "difficulty", None)
    return str(d) if d else None


def load_comparison(dirs: list[Path], allow_mixed: bool = False) -> Comparison:
    """Load and align result folders; see the module docstring for the rules."""
    paths = expand_dirs(dirs)
    if not paths:
        raise LeaderboardError("no result folders given")
    models = [load_model(p) for p in paths]
    _dedupe_names(models)

    keys = {_case_set_key(m) for m in models}
    notes: list[str] = []
    if len(keys) > 1:
        listing = "; ".join(
            f"{m.name}: {k[0]} v{k[1]} ({k[2][:12]})" for m in models for k in [_case_set_key(m)]
        )
        if not allow_mixed:
            raise LeaderboardError(
                "the result folders were evaluated on different case sets or versions "
                f"({listing}); pass --allow-mixed to compare on the shared cases only"
            )
        shared = set.intersection(*(set(m.records) for m in models))
        if not shared:
            raise LeaderboardError(f"mixed case sets share no case id ({listing})")
        notes.append(
            f"Mixed case sets ({listing}): only the {len(shared)} case(s) recorded for every "
            "model are compared; a case id may mean a different prompt in another set."
        )
        ids = [cid for cid in models[0].records if cid in shared]
    else:
        ids = list(dict.fromkeys(cid for m in models for cid in m.records))

    file_cases = case_file_cases(models[0].case_set) if len(keys) == 1 else {}
    cases: list[CaseInfo] = []
    for cid in ids:
        recs = [m.records[cid] for m in models if cid in m.records]
        rec = recs[0]
        suites = tuple(dict.fromkeys(s for r in recs for s in r.suites))
        cases.append(
            CaseInfo(
                cid,
                rec.prompt,
                rec.category,
                tuple(rec.tags),
                suites,
                rec.meta,
                _difficulty(recs, file_cases.get(cid)),
            )  # fmt: skip
        )

    filled: dict[str, list[str]] = {}
    for m in models:
        measurable = measured_suites(m.records)
        for info in cases:
            if info.case_id not in m.records:
                m.records[info.case_id] = _missing_record(info, measurable)
                filled.setdefault(m.name, []).append(info.case_id)
        m.records = {cid: m.records[cid] for cid in ids}
    for name, lost in filled.items():
        notes.append(
            f"{name}: {len(lost)} case(s) have no record in its folder and count as missing "
            "(score 0 on the suites its run measured elsewhere), so its numbers here differ "
            f"from its summary.json: {', '.join(lost[:10])}{' ...' if len(lost) > 10 else ''}"
        )
    expected = {m.case_set.get("n_cases") for m in models} - {None}
    if len(keys) == 1 and len(expected) == 1 and expected != {len(ids)}:
        notes.append(
            f"The case set has {expected.pop()} cases but the folders record {len(ids)}; "
            "cases no model recorded are not shown."
        )
    case_set = models[0].case_set if len(keys) == 1 else {"name": "mixed"}
    return Comparison(models=models, cases=cases, case_set=case_set, notes=notes, filled_in=filled)


def _dedupe_names(models: list[ModelResult]) -> None:
    seen: dict[str, int] = {}
    for m in models:
        seen[m.name] = seen.get(m.name, 0) + 1
    for m in models:
        if seen[m.name] > 1:
            m.name = f"{m.name} ({m.path.name})"
    names = [m.name for m in models]
    if len(set(names)) != len(names):
        for i, m in enumerate(models):
            m.name = f"{m.name} #{i + 1}"
