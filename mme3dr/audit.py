"""Audit the evaluators against asset-side attacks: is honest always worth more than a hack?

For a seeded sample of cases that have an honest reference mesh (a reference folder laid out
as a model folder, ``mme3dr audit REFERENCE_DIR``, or else the procedural reference models of
the bundled sets), every evaluator the runner would run on the case (its checks in
the selected suites plus the suites' default evaluators; evaluators that are not
``available()``, e.g. learned ones without weights, are left out) scores the honest asset and
each attacked asset of :data:`mme3dr.adversarial.ATTACKS`, through :mod:`mme3dr.scoring`
(the rules of ``mme3dr eval``: an evaluator that errors scores 0). An attacked mesh the loader
refuses (``empty``) scores 0 on every evaluator, as a missing or unreadable asset does in
``mme3dr eval``. Per case, an evaluator listed several times (two ``aspect`` checks) scores
the mean of its instances.

The table has one row per (evaluator, attack): ``n`` cases where both scored, ``wins`` (honest
strictly higher, by more than :data:`TIE_EPS`), ``ties``, ``losses``, ``win_rate`` = wins / n,
``mean_margin`` = mean(honest - attack), and the claim: ``claimed`` when the attack is in the
evaluator class's ``robust_to``, ``holds`` = no loss on any audited case. **A claim means "never
loses", ties allowed**: an evaluator that is blind to an attack by design (scale, winding) ties
and keeps its claim; the win rate shows how often it actually tells the two apart. The
pseudo-evaluator ``overall`` (mean of the case's suite scores, what a reward would use) is
reported but claims nothing.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import trimesh

from mme3dr.adversarial import ATTACKS, apply_attack
from mme3dr.assets import LoadLimits, RefusedFile, load_asset
from mme3dr.cases import Case, CaseSet, load_cases
from mme3dr.errors import AssetError, ConfigError
from mme3dr.evaluators import registry
from mme3dr.scoring import contribution, plan_case, record_scores, score_pairs

#: scores closer than this count as a tie
TIE_EPS = 1e-6

#: the weight-free suites (the default for tests and quick audits)
GEOMETRY_SUITES: tuple[str, ...] = ("spatial", "functional", "physical")

#: ``AuditTable`` is a long-form DataFrame, one row per (evaluator, attack); see module doc.
AuditTable = pd.DataFrame

COLUMNS = [
    "evaluator", "attack", "n", "wins", "ties", "losses", "win_rate", "mean_margin",
    "claimed", "holds",
]

Builder = Callable[[], trimesh.Trimesh]


#: what to do without the repository's builders (``mme3dr.examples`` is not in the wheel)
NO_BUILDERS = (
    "this install has no procedural reference builders (mme3dr/examples is repository-only): "
    "pass REFERENCE_DIR, a folder of honest <case_id>.<ext> meshes (from a checkout: python "
    "scripts/make_mme3dr_reference.py OUT, then mme3dr audit OUT/mme3dr-reference)"
)


def honest_builders(case_set: CaseSet) -> dict[str, Builder]:
    """Reference-mesh builders for a bundled set (``starter``, ``mme3dr``), by case id, from
    the repository's ``mme3dr/examples`` (excluded from the wheel: there, ``ConfigError``
    says to pass a reference folder instead)."""
    if case_set.name not in ("starter", "mme3dr"):
        return {}
    try:
        if case_set.name == "starter":
            from mme3dr.examples.models import REFERENCE
        else:
            from mme3dr.examples.mme3dr_reference import REFERENCE
    except ModuleNotFoundError as exc:
        if exc.name is None or not exc.name.startswith("mme3dr.examples"):
            raise
        raise ConfigError(NO_BUILDERS) from None
    return dict(REFERENCE)


def folder_builders(
    reference_dir: Path | str,
    case_set: CaseSet,
    up_axis: str | None = None,
    limits: LoadLimits | None = None,
) -> dict[str, Builder]:
    """Honest meshes from a reference folder laid out as a model folder (``<case_id>.<ext>`` or
    ``<case_id>/<file>``, an optional ``model.json`` with ``up_axis``), read by the same rules
    as ``mme3dr eval``: the folder index never leaves the folder, the file is picked by
    :func:`~mme3dr.model_dir.pick_asset_file`, and it is loaded and normalised by
    :func:`~mme3dr.assets.load_asset` under ``limits`` when the case is audited. A builder whose
    file cannot be loaded raises :class:`~mme3dr.errors.AssetError` naming it; :func:`run_audit`
    then leaves the case out and says why in ``table.attrs["unusable"]``.

    ``up_axis`` overrides ``model.json``'s. Cases of ``case_set`` without a file are absent.
    """
    from mme3dr.model_dir import index_model_dir, pick_asset_file, read_model_meta

    folder = Path(reference_dir)
    axis = up_axis or read_model_meta(folder).get("up_axis")
    index = index_model_dir(folder)
    found: dict[str, Builder] = {}
    for case in case_set.cases:
        path = pick_asset_file(index.get(case.id, []))
        if path is None:
            continue
        found[case.id] = _file_builder(path, axis, limits or LoadLimits())
    return found


def _file_builder(path: Path | RefusedFile, up_axis: str | None, limits: LoadLimits) -> Builder:
    def build() -> trimesh.Trimesh:  # a RefusedFile raises AssetError without being opened
        return load_asset(path, up_axis=up_axis, limits=limits).mesh.copy()

    return build


def sample_cases(
    case_set: CaseSet, builders: dict[str, Builder], n_cases: int | None, seed: int
) -> list[Case]:
    """A seeded sample (in file order) of the cases that have an honest builder."""
    pool = [c for c in case_set.cases if c.id in builders]
    if n_cases is None or n_cases >= len(pool):
        return pool
    rng = np.random.default_rng(seed)
    keep = set(rng.choice(len(pool), size=n_cases, replace=False).tolist())
    return [c for i, c in enumerate(pool) if i in keep]


def score_mesh(
    case: Case, mesh: trimesh.Trimesh, suites: tuple[str, ...] | None
) -> dict[str, float | None]:
    """Every planned, available evaluator's score on ``mesh`` by the scoring rules
    (:mod:`mme3dr.scoring`: an error scores 0, ``not_applicable``/``skipped`` is absent; the
    mean over repeated checks), plus ``overall`` exactly as ``mme3dr eval`` computes it. A mesh
    the loader refuses scores 0 on every available evaluator (rule 7)."""
    plan = plan_case(case, suites)
    available = [e for e in plan.evaluators if e.available()]
    (record,) = score_pairs([(case, mesh)], suites)
    if record.status != "ok":
        out: dict[str, float | None] = {e.name: 0.0 for e in available}
        out["overall"] = record.overall
        return out
    per: dict[str, list[float]] = defaultdict(list)
    for sc in record_scores(record):
        value = contribution(sc)
        if value is not None:
            per[sc.evaluator].append(value)
    out = {e.name: (float(np.mean(per[e.name])) if per[e.name] else None) for e in available}
    out["overall"] = record.overall
    return out


def run_audit(
    cases: str | CaseSet = "mme3dr",
    suites: Iterable[str] | None = None,
    n_cases: int | None = 24,
    seed: int = 0,
    attacks: Iterable[str] | None = None,
    builders: dict[str, Builder] | None = None,
) -> AuditTable:
    """Score honest and attacked assets on a sample of cases; one row per (evaluator, attack).

    Args:
        cases: a bundled set name, a JSONL path or a loaded :class:`CaseSet`.
        suites: suites to run (default: each case's own suites).
        n_cases: how many cases to sample (``None``: every case with an honest builder).
        seed: seeds the case sample and the attacks.
        attacks: attack names (default: all of :data:`ATTACKS`).
        builders: honest builders by case id (default: :func:`honest_builders`).
    """
    case_set = cases if isinstance(cases, CaseSet) else load_cases(cases)
    builders = builders if builders is not None else honest_builders(case_set)
    suites_t = tuple(suites) if suites is not None else None
    names = list(attacks) if attacks is not None else sorted(ATTACKS)
    picked = sample_cases(case_set, builders, n_cases, seed)
    margins: dict[tuple[str, str], list[float]] = defaultdict(list)
    unusable: dict[str, str] = {}
    for ci, case in enumerate(picked):
        try:
            honest_mesh = builders[case.id]()
        except AssetError as exc:  # a reference file that does not load is no honest answer
            unusable[case.id] = str(exc)
            continue
        honest = score_mesh(case, honest_mesh, suites_t)
        for ai, name in enumerate(names):
            rng = np.random.default_rng([seed, ci, ai])
            attacked = score_mesh(case, apply_attack(name, honest_mesh, case, rng), suites_t)
            for ev, h in honest.items():
                a = attacked.get(ev)
                if h is None or a is None:
                    continue
                margins[(ev, name)].append(h - a)
    rows = []
    for (ev, name), ms in sorted(margins.items()):
        arr = np.asarray(ms)
        wins = int((arr > TIE_EPS).sum())
        losses = int((arr < -TIE_EPS).sum())
        claimed = name in _robust_to(ev)
        rows.append(
            {
                "evaluator": ev,
                "attack": name,
                "n": len(arr),
                "wins": wins,
                "ties": len(arr) - wins - losses,
                "losses": losses,
                "win_rate": wins / len(arr),
                "mean_margin": float(arr.mean()),
                "claimed": claimed,
                "holds": (losses == 0) if claimed else None,
            }
        )
    table = pd.DataFrame(rows, columns=COLUMNS)
    table.attrs.update(
        cases=case_set.name,
        case_set=case_set.stamp(),
        suites=list(suites_t) if suites_t else None,
        seed=seed,
        n_cases=len(picked) - len(unusable),
        case_ids=[c.id for c in picked if c.id not in unusable],
        unusable=unusable,
    )
    return table


def _robust_to(name: str) -> tuple[str, ...]:
    if name == "overall":
        return ()
    try:
        return tuple(getattr(registry.get(name), "robust_to", ()))
    except KeyError:
        return ()


def claim_failures(table: AuditTable) -> AuditTable:
    """Rows where an evaluator claims robustness to an attack and lost at least once."""
    if table.empty:
        return table
    return table[table["claimed"] & (table["losses"] > 0)]


def unclaimed_rows(table: AuditTable) -> AuditTable:
    return table[~table["claimed"]]


def pivot(table: AuditTable) -> pd.DataFrame:
    """Evaluator x attack cells ``"win% (+margin)"`` with ``*`` marking a claim that holds and
    ``!`` a claim that fails."""
    cells: dict[str, dict[str, str]] = defaultdict(dict)
    for r in table.itertuples(index=False):
        mark = ("*" if r.holds else "!") if r.claimed else ""
        cells[r.evaluator][r.attack] = f"{100 * r.win_rate:.0f}% ({r.mean_margin:+.2f}){mark}"
    df = pd.DataFrame.from_dict(cells, orient="index").fillna("—")
    order = sorted(df.index, key=lambda e: (e == "overall", e))
    return df.loc[order, sorted(df.columns)]


def to_markdown(table: AuditTable) -> str:
    """The pivot as a GitHub markdown table."""
    p = pivot(table)
    short = {a: a.replace("_", " ") for a in p.columns}
    head = "| evaluator | " + " | ".join(short[a] for a in p.columns) + " |"
    sep = "|---|" + "---:|" * len(p.columns)
    lines = [head, sep]
    for ev, row in p.iterrows():
        lines.append(f"| `{ev}` | " + " | ".join(str(v) for v in row.values) + " |")
    return "\n".join(lines)


def summary_line(table: AuditTable) -> str:
    fails = claim_failures(table)
    claimed = int(table["claimed"].sum()) if not table.empty else 0
    n = table.attrs.get("n_cases", "?")
    return (
        f"{n} cases of {table.attrs.get('cases', '?')}, {claimed} claims, "
        f"{len(fails)} failing" + ("" if fails.empty else ": " + ", ".join(
            f"{r.evaluator} vs {r.attack} (lost {r.losses}/{r.n})"
            for r in fails.itertuples(index=False)
        ))
    )


def describe(table: AuditTable) -> dict[str, Any]:
    """A JSON-friendly dump (rows and attrs)."""
    rows = table.to_dict(orient="records")
    for r in rows:
        for k, v in list(r.items()):
            if isinstance(v, float) and math.isnan(v):
                r[k] = None
    return {"attrs": dict(table.attrs), "rows": rows}
