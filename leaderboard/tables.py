"""The leaderboard's tables as pandas DataFrames, built from a ``Comparison``.

Every number the report shows comes from these frames; the CSV and JSON exports are the same
frames written out, so the three always agree.

Scoring conventions (inherited from :mod:`mme3dr.results`): a ``missing`` or ``error`` case
scores 0 on every suite it asks for and on ``overall``; a suite that produced no number for a
case (``None``) is absent and left out of that suite's mean. Means are over cases, intervals are
paired percentile bootstraps over cases (see :mod:`leaderboard.stats`).

Tables (column ``table`` in the exports):

* ``overall``: one row per model: rank, score, interval, tied models, case status counts.
* ``suite`` / ``category`` / ``tag``: one row per (group, model): the case-level ``overall``
  restricted to the group's cases (for ``suite``: that suite's score).
* ``pairwise``: one row per ordered pair of models: per-case wins, ties and losses on
  ``overall`` (ties within ``margin``).
* ``rating``: Bradley–Terry ratings (Elo scale) fitted from the pairwise outcomes; ``judge``:
  the same fit on VLM-judge verdicts, when given.
* ``check``: one row per (check, model): pass rate over the cases where any model ran the
  check (a model that did not run it there, e.g. a missing case, counts as not passing).
* ``paraphrase``: one row per model: mean ``overall`` on original cases, on their adversarial
  paraphrases, and the gap (original minus paraphrase), when paraphrase cases were run.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from leaderboard import stats
from leaderboard.load import Comparison, LeaderboardError

PARAPHRASE_TAG_PREFIX = "paraphrase_of:"
SCORE_TABLES: tuple[str, ...] = ("overall", "suite", "category", "tag")
EXPORT_COLUMNS: tuple[str, ...] = (
    "table", "group", "suite", "model", "opponent", "rank", "score", "ci_low", "ci_high",
    "tied_with", "n", "ok", "missing", "error", "wins", "ties", "losses", "win_rate", "passed",
    "original", "paraphrase",
)  # fmt: skip


@dataclass
class Settings:
    """How the statistics are computed (recorded in the report and the JSON export)."""

    n_resamples: int = stats.DEFAULT_RESAMPLES
    rating_resamples: int = 1000
    seed: int = stats.DEFAULT_SEED
    level: float = stats.DEFAULT_LEVEL
    margin: float = 0.01
    prior: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Leaderboard:
    """All tables of one report plus what the report needs to say about them."""

    comparison: Comparison
    settings: Settings
    tables: dict[str, pd.DataFrame]
    absent_suites: list[str] = field(default_factory=list)
    paraphrase_pairs: list[tuple[str, str]] = field(default_factory=list)

    def export_frame(self) -> pd.DataFrame:
        """Every table stacked into one long frame with a ``table`` column (the CSV)."""
        frames = []
        for name, df in self.tables.items():
            if df.empty:
                continue
            f = df.copy()
            f.insert(0, "table", name)
            frames.append(f)
        out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        cols = [c for c in EXPORT_COLUMNS if c in out.columns]
        return out[cols]

    def write_csv(self, path: Path) -> None:
        self.export_frame().to_csv(path, index=False)

    def to_json(self) -> dict[str, Any]:
        comp = self.comparison
        return {
            "case_set": comp.case_set,
            "models": [{"name": m.name, "path": str(m.path), "meta": m.meta} for m in comp.models],
            "n_cases": len(comp.cases),
            "settings": self.settings.to_dict(),
            "notes": comp.notes + self.extra_notes(),
            "tables": {
                name: json.loads(df.to_json(orient="records", double_precision=15))
                for name, df in self.tables.items()
            },
        }

    def write_json(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n")

    def extra_notes(self) -> list[str]:
        notes = []
        if self.absent_suites:
            notes.append(
                f"Suite(s) {', '.join(self.absent_suites)}: no evaluator produced a score for any "
                "model, so they are left out (absent, not zero)."
            )
        return notes


def score_matrix(comp: Comparison, suite: str | None = None) -> np.ndarray:
    """Cases x models: ``overall`` (or one suite's score); ``NaN`` where absent.

    For a suite, a case counts only where at least one model's ``ok`` record has a number for
    it: a suite no evaluator could score (e.g. one not built yet) is absent for everybody on
    that case, rather than 0 for the models whose asset was missing and absent for the rest.
    """
    out = np.full((len(comp.cases), len(comp.models)), np.nan)
    for i, cid in enumerate(comp.case_ids):
        recs = [m.records[cid] for m in comp.models]
        if suite is not None and not any(
            r.status == "ok" and r.suites.get(suite) is not None for r in recs
        ):
            continue
        for j, rec in enumerate(recs):
            v = rec.overall if suite is None else rec.suites.get(suite)
            if v is not None:
                out[i, j] = float(v)
    return out


def _ranked_rows(
    names: list[str], iv: stats.Interval, group: str | None = None
) -> list[dict[str, Any]]:
    ranks = stats.competition_ranks(iv.mean)
    tied = stats.overlapping(iv.low, iv.high)
    rows = []
    for j, name in enumerate(names):
        rows.append(
            {
                "group": group,
                "model": name,
                "rank": int(ranks[j]),
                "score": _num(iv.mean[j]),
                "ci_low": _num(iv.low[j]),
                "ci_high": _num(iv.high[j]),
                "tied_with": "; ".join(names[k] for k in tied[j]),
                "n": int(iv.n[j]),
            }
        )
    return rows


def _num(x: float) -> float | None:
    return None if x is None or np.isnan(x) else float(x)


def overall_table(comp: Comparison, s: Settings) -> pd.DataFrame:
    iv = stats.bootstrap_means(score_matrix(comp), s.n_resamples, s.seed, s.level)
    rows = _ranked_rows(comp.names, iv)
    for row, m in zip(rows, comp.models, strict=True):
        counts = Counter(r.status for r in m.records.values())
        row.update(ok=counts["ok"], missing=counts["missing"], error=counts["error"])
        del row["group"]
    return pd.DataFrame(rows).sort_values(["rank", "model"], kind="stable", ignore_index=True)


def _ordered(groups: list[str], preferred: tuple[str, ...]) -> list[str]:
    first = [g for g in preferred if g in groups]
    return first + sorted(g for g in groups if g not in preferred)


def suite_table(comp: Comparison, s: Settings) -> tuple[pd.DataFrame, list[str]]:
    """Per-suite rows, and the suites no model has any number for (left out)."""
    from mme3dr.evaluators.base import SUITES

    names = _ordered(sorted({x for c in comp.cases for x in c.suites}), tuple(SUITES))
    rows, absent = [], []
    for suite in names:
        mat = score_matrix(comp, suite)
        if np.isnan(mat).all():
            absent.append(suite)
            continue
        iv = stats.bootstrap_means(mat, s.n_resamples, s.seed, s.level)
        rows.extend(_ranked_rows(comp.names, iv, suite))
    return pd.DataFrame(rows), absent


def subset_table(comp: Comparison, s: Settings, kind: str) -> pd.DataFrame:
    """Per-category (``kind="category"``) or per-tag rows of case ``overall`` means."""
    from mme3dr.cases import CATEGORIES

    mat = score_matrix(comp)
    if kind == "category":
        membership = {c.case_id: [c.category] for c in comp.cases}
        groups = _ordered(sorted({c.category for c in comp.cases}), CATEGORIES)
    else:
        membership = {c.case_id: list(c.tags) for c in comp.cases}
        counts = Counter(t for c in comp.cases for t in c.tags)
        groups = sorted(counts, key=lambda t: (-counts[t], t))
    rows = []
    for g in groups:
        sel = np.array([g in membership[cid] for cid in comp.case_ids])
        iv = stats.bootstrap_means(mat[sel], s.n_resamples, s.seed, s.level)
        rows.extend(_ranked_rows(comp.names, iv, g))
    return pd.DataFrame(rows)


def pairwise_table(comp: Comparison, s: Settings) -> pd.DataFrame:
    wtl = stats.win_tie_loss(score_matrix(comp), s.margin)
    rows = []
    for i, a in enumerate(comp.names):
        for j, b in enumerate(comp.names):
            if i == j:
                continue
            w, t, lo = (int(wtl[k][i, j]) for k in ("wins", "ties", "losses"))
            total = w + t + lo
            rows.append(
                {
                    "model": a,
                    "opponent": b,
                    "wins": w,
                    "ties": t,
                    "losses": lo,
                    "n": total,
                    "win_rate": (w + 0.5 * t) / total if total else None,
                }
            )
    return pd.DataFrame(rows)


def ratings_frame(names: list[str], r: stats.Ratings) -> pd.DataFrame:
    iv = stats.Interval(r.rating, r.low, r.high, r.n_comparisons)
    rows = _ranked_rows(names, iv)
    for row in rows:
        del row["group"]
    return pd.DataFrame(rows).sort_values(["rank", "model"], kind="stable", ignore_index=True)


def rating_table(comp: Comparison, s: Settings) -> pd.DataFrame:
    wins, comps = stats.case_outcomes(score_matrix(comp), s.margin)
    r = stats.bradley_terry_ratings(wins, comps, s.rating_resamples, s.seed, s.level, s.prior)
    return ratings_frame(comp.names, r)


def read_judgments(path: Path, comp: Comparison) -> tuple[np.ndarray, np.ndarray]:
    """VLM-judge pairwise verdicts, one JSON object per line::

        {"case_id": "mech-001", "model_a": "A", "model_b": "B", "winner": "a"}

    ``winner`` is ``a``, ``b``, ``tie`` (or a model name). Verdicts naming models or cases not
    in the comparison are ignored. Returns per-case ``wins`` and ``comps`` tensors for
    :func:`leaderboard.stats.bradley_terry_ratings`.
    """
    names = comp.names
    pos = {n: i for i, n in enumerate(names)}
    case_pos = {cid: i for i, cid in enumerate(comp.case_ids)}
    m = len(names)
    wins = np.zeros((len(case_pos), m, m))
    comps = np.zeros_like(wins)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise LeaderboardError(f"{path}: cannot read judgments: {exc}") from None
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            v = json.loads(line)
            a, b, c = pos.get(v["model_a"]), pos.get(v["model_b"]), case_pos.get(v["case_id"])
            winner = str(v["winner"])
        except (json.JSONDecodeError, KeyError, TypeError):
            raise LeaderboardError(
                f"{path}:{lineno}: expected {{case_id, model_a, model_b, winner}}"
            ) from None
        if a is None or b is None or c is None or a == b:
            continue
        if winner in ("a", v["model_a"]):
            share = 1.0
        elif winner in ("b", v["model_b"]):
            share = 0.0
        elif winner == "tie":
            share = 0.5
        else:
            raise LeaderboardError(f"{path}:{lineno}: winner must be a, b or tie, got {winner!r}")
        wins[c, a, b] += share
        wins[c, b, a] += 1.0 - share
        comps[c, a, b] += 1.0
        comps[c, b, a] += 1.0
    return wins, comps


def judge_table(comp: Comparison, s: Settings, path: Path) -> pd.DataFrame:
    wins, comps = read_judgments(path, comp)
    if comps.sum() == 0:
        raise LeaderboardError(f"{path}: no verdict names two of the compared models")
    r = stats.bradley_terry_ratings(wins, comps, s.rating_resamples, s.seed, s.level, s.prior)
    return ratings_frame(comp.names, r)


def check_table(comp: Comparison) -> pd.DataFrame:
    """Pass rate of every check with a pass/fail verdict, per model (see module docstring)."""
    ran: dict[str, dict[str, dict[str, bool]]] = {}  # check -> model -> case -> passed
    suite_of: dict[str, str] = {}
    for m in comp.models:
        for cid, rec in m.records.items():
            for sc in rec.scores:
                name = sc.get("evaluator")
                if not name or name == "save_views" or sc.get("passed") is None:
                    continue
                suite_of.setdefault(name, sc.get("suite", ""))
                ran.setdefault(name, {}).setdefault(m.name, {})[cid] = bool(sc["passed"])
    rows = []
    for name in sorted(ran, key=lambda n: (suite_of[n], n)):
        applicable = set().union(*(set(v) for v in ran[name].values()))
        for m in comp.models:
            verdicts = ran[name].get(m.name, {})
            passed = sum(1 for cid in applicable if verdicts.get(cid, False))
            rows.append(
                {
                    "group": name,
                    "suite": suite_of[name],
                    "model": m.name,
                    "n": len(applicable),
                    "passed": passed,
                    "score": passed / len(applicable),
                }
            )
    return pd.DataFrame(rows)


def paraphrase_pairs(comp: Comparison) -> list[tuple[str, str]]:
    """``(original_id, paraphrase_id)`` pairs present in the comparison.

    A paraphrase case names its original with a tag ``paraphrase_of:<id>``, with
    ``meta.paraphrase_of``, or shares a ``meta.pair`` id with it (the first case of a pair, in
    case order, is the original). ``meta`` comes from the records; for records written before
    they carried it, from the case file at the path in the stamp when its SHA-256 matches.
    """
    ids = set(comp.case_ids)
    pairs: dict[str, str] = {}
    for c in comp.cases:
        for t in c.tags:
            if t.startswith(PARAPHRASE_TAG_PREFIX):
                pairs[c.case_id] = t[len(PARAPHRASE_TAG_PREFIX) :]
    from_records = _pairs_from_meta([(c.case_id, c.meta) for c in comp.cases])
    from_file = _pairs_from_case_file(comp) if not any(c.meta for c in comp.cases) else {}
    for para, orig in {**from_file, **from_records}.items():
        pairs.setdefault(para, orig)
    return sorted((o, p) for p, o in pairs.items() if o in ids and p in ids and o != p)


def _pairs_from_meta(cases: list[tuple[str, dict]]) -> dict[str, str]:
    """``{paraphrase_id: original_id}`` from ``meta.paraphrase_of`` and shared ``meta.pair``."""
    out = {cid: str(meta["paraphrase_of"]) for cid, meta in cases if meta.get("paraphrase_of")}
    first_of_pair: dict[str, str] = {}
    for cid, meta in cases:
        pair = meta.get("pair")
        if pair is None:
            continue
        if str(pair) not in first_of_pair:
            first_of_pair[str(pair)] = cid
        else:
            out.setdefault(cid, first_of_pair[str(pair)])
    return out


def _pairs_from_case_file(comp: Comparison) -> dict[str, str]:
    path, sha = comp.case_set.get("path"), comp.case_set.get("sha256")
    if not path or not Path(path).is_file():
        return {}
    try:
        from mme3dr.cases import load_cases

        cs = load_cases(Path(path), validate_checks=False)
    except Exception:  # noqa: BLE001 - an unreadable case file only means no meta pairs
        return {}
    if cs.sha256 != sha:
        return {}
    return _pairs_from_meta([(c.id, c.meta) for c in cs.cases])


def paraphrase_table(comp: Comparison, s: Settings, pairs: list[tuple[str, str]]) -> pd.DataFrame:
    if not pairs:
        return pd.DataFrame()
    mat = score_matrix(comp)
    row = {cid: i for i, cid in enumerate(comp.case_ids)}
    orig = mat[[row[o] for o, _ in pairs]]
    para = mat[[row[p] for _, p in pairs]]
    gap = stats.bootstrap_means(orig - para, s.n_resamples, s.seed, s.level)
    o_mean, p_mean = np.nanmean(orig, axis=0), np.nanmean(para, axis=0)
    return pd.DataFrame(
        [
            {
                "model": name,
                "original": _num(o_mean[j]),
                "paraphrase": _num(p_mean[j]),
                "score": _num(gap.mean[j]),
                "ci_low": _num(gap.low[j]),
                "ci_high": _num(gap.high[j]),
                "n": int(gap.n[j]),
            }
            for j, name in enumerate(comp.names)
        ]
    )


def build_leaderboard(
    comp: Comparison, settings: Settings | None = None, judgments: Path | None = None
) -> Leaderboard:
    """Compute every table of the report."""
    s = settings or Settings()
    suites, absent = suite_table(comp, s)
    pairs = paraphrase_pairs(comp)
    tables: dict[str, pd.DataFrame] = {
        "overall": overall_table(comp, s),
        "suite": suites,
        "category": subset_table(comp, s, "category"),
        "tag": subset_table(comp, s, "tag"),
        "pairwise": pairwise_table(comp, s),
        "rating": rating_table(comp, s),
        "check": check_table(comp),
        "paraphrase": paraphrase_table(comp, s, pairs),
    }
    if judgments is not None:
        tables["judge"] = judge_table(comp, s, judgments)
    return Leaderboard(comp, s, tables, absent_suites=absent, paraphrase_pairs=pairs)
