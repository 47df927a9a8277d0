"""The leaderboard's tables as pandas DataFrames, built from a ``Comparison``.

Every number the report shows comes from these frames; the CSV and JSON exports are the same
frames written out, so the three always agree.

Scoring conventions (inherited from :mod:`mme3dr.results`): a ``missing`` or ``error`` case
scores 0 on every suite it asks for and on ``overall``; a suite that produced no number for a
case (``None``) is absent and left out of that suite's mean. Means are over cases, intervals are
paired percentile bootstraps over cases (see :mod:`mme3dr.leaderboard.stats`).

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
* ``difficulty``: like ``category``, grouped by the cases' ``difficulty`` (when known).
* ``significance``: one row per unordered pair of models: the mean per-case difference of
  ``overall`` (model minus opponent) over the cases both have a number for, its paired
  bootstrap interval, and the two-sided p-value of a paired sign-flip permutation test, raw and
  Holm-adjusted over all pairs (see :func:`mme3dr.leaderboard.stats.paired_permutation_test`).
* ``errors``: one row per (model, reason): how many cases were missing, errored (by error
  kind), had a check error (by check and exception type) or had an evaluator skipped.

Besides the tables, :func:`case_frame` is the per-case export: one row per model x case.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mme3dr.leaderboard import stats
from mme3dr.leaderboard.load import Comparison, LeaderboardError, case_file_cases
from mme3dr.results import suite_means

PARAPHRASE_TAG_PREFIX = "paraphrase_of:"
SCORE_TABLES: tuple[str, ...] = ("overall", "suite", "category", "difficulty", "tag")
EXPORT_COLUMNS: tuple[str, ...] = (
    "table", "group", "suite", "model", "opponent", "rank", "score", "ci_low", "ci_high",
    "tied_with", "n", "ok", "missing", "error", "wins", "ties", "losses", "win_rate", "passed",
    "original", "paraphrase", "p_value", "p_holm", "source", "cases",
)  # fmt: skip
ASSET_ERROR_KIND = re.compile(r"^[a-z][a-z_]*$")


@dataclass
class Settings:
    """How the statistics are computed (recorded in the report and the JSON export)."""

    n_resamples: int = stats.DEFAULT_RESAMPLES
    rating_resamples: int = 1000
    seed: int = stats.DEFAULT_SEED
    level: float = stats.DEFAULT_LEVEL
    margin: float = 0.01
    prior: float = 1.0
    permutations: int = 10_000

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
    cases: pd.DataFrame = field(default_factory=pd.DataFrame)

    def write_cases_csv(self, path: Path) -> None:
        """The per-case table (one row per model x case), see :func:`case_frame`."""
        self.cases.to_csv(path, index=False)

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
            "cases": json.loads(self.cases.to_json(orient="records", double_precision=15)),
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
        for model, suites in unmeasured_zeros(self.comparison).items():
            notes.append(
                f"{model}: suite(s) {', '.join(suites)} were measured on none of its usable "
                "assets (every evaluator was skipped there), yet its missing and errored cases "
                "carry 0 on them, as its records say. The run treated an evaluator as available "
                "that could not run; the numbers are shown as recorded."
            )
        return notes


def unmeasured_zeros(comp: Comparison) -> dict[str, list[str]]:
    """Per model, suites whose only numbers are the 0s of its missing/errored cases while its
    ``ok`` cases asked for the suite and measured nothing: a sign the run thought an
    evaluator was available (so failures score 0) that could not actually run."""
    out: dict[str, list[str]] = {}
    for m in comp.models:
        recs = list(m.records.values())
        ok = [r for r in recs if r.status == "ok"]
        failed = [r for r in recs if r.status != "ok"]
        asked = {s for r in ok for s in r.suites}
        bad = [
            s
            for s in sorted(asked)
            if not any(r.suites.get(s) is not None for r in ok)
            and any(r.suites.get(s) is not None for r in failed)
        ]
        if bad:
            out[m.name] = bad
    return out


def score_matrix(comp: Comparison, suite: str | None = None) -> np.ndarray:
    """Cases x models: each record's own ``overall`` (or one suite's score); ``NaN`` where the
    record has none (absent: nothing could measure it for that model and case).

    These are the per-case numbers behind every mean, interval, pairwise outcome, rating and
    significance test; a model's column depends only on its own records.
    """
    out = np.full((len(comp.cases), len(comp.models)), np.nan)
    for i, cid in enumerate(comp.case_ids):
        for j, m in enumerate(comp.models):
            rec = m.records[cid]
            v = rec.overall if suite is None else rec.suites.get(suite)
            if v is not None:
                out[i, j] = float(v)
    return out


def model_means(comp: Comparison, case_ids: list[str] | None = None) -> list[dict[str, Any]]:
    """Per model, :func:`mme3dr.results.suite_means` of its records (all cases, or
    ``case_ids``): the point estimates the report shows, identical to ``summary.json``."""
    ids = comp.case_ids if case_ids is None else case_ids
    return [suite_means([m.records[c] for c in ids]) for m in comp.models]


def _interval(
    mat: np.ndarray, means: list[dict[str, Any]], s: Settings, suite: str | None = None
) -> stats.Interval:
    """Bootstrap interval of ``mat``'s columns, with the point estimate taken from
    :func:`mme3dr.results.suite_means` (the same cases and values, so only rounding of the
    summation order could differ, and this makes the report equal ``summary.json`` exactly)."""
    iv = stats.bootstrap_means(mat, s.n_resamples, s.seed, s.level)
    point = [
        (m["overall"] if suite is None else m["suites"].get(suite, {"mean": None}))["mean"]
        for m in means
    ]
    iv.mean = np.array([np.nan if p is None else p for p in point], dtype=float)
    return iv


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
    iv = _interval(score_matrix(comp), model_means(comp), s)
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
    means = model_means(comp)
    rows, absent = [], []
    for suite in names:
        mat = score_matrix(comp, suite)
        if np.isnan(mat).all():
            absent.append(suite)
            continue
        rows.extend(_ranked_rows(comp.names, _interval(mat, means, s, suite), suite))
    return pd.DataFrame(rows), absent


def subset_table(comp: Comparison, s: Settings, kind: str) -> pd.DataFrame:
    """Per-category, per-difficulty or per-tag (``kind``) rows of case ``overall`` means.

    Difficulty groups follow :data:`mme3dr.cases.DIFFICULTIES`; cases of unknown difficulty
    form the group ``unknown`` (only listed when some case's difficulty is known)."""
    from mme3dr.cases import CATEGORIES, DIFFICULTIES

    mat = score_matrix(comp)
    if kind == "category":
        membership = {c.case_id: [c.category] for c in comp.cases}
        groups = _ordered(sorted({c.category for c in comp.cases}), CATEGORIES)
    elif kind == "difficulty":
        if not any(c.difficulty for c in comp.cases):
            return pd.DataFrame()
        membership = {c.case_id: [c.difficulty or "unknown"] for c in comp.cases}
        found = sorted({g for v in membership.values() for g in v})
        groups = _ordered(found, (*DIFFICULTIES, "unknown"))
    else:
        membership = {c.case_id: list(c.tags) for c in comp.cases}
        counts = Counter(t for c in comp.cases for t in c.tags)
        groups = sorted(counts, key=lambda t: (-counts[t], t))
    rows = []
    for g in groups:
        sel = np.array([g in membership[cid] for cid in comp.case_ids])
        ids = [cid for cid, keep in zip(comp.case_ids, sel, strict=True) if keep]
        iv = _interval(mat[sel], model_means(comp, ids), s)
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
    :func:`mme3dr.leaderboard.stats.bradley_terry_ratings`.
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


def significance_table(comp: Comparison, s: Settings) -> pd.DataFrame:
    """Paired permutation p-values and mean differences per pair (see module docstring)."""
    mat = score_matrix(comp)
    rows = []
    names = comp.names
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            test = stats.paired_permutation_test(mat[:, i], mat[:, j], s.permutations, s.seed)
            both = ~(np.isnan(mat[:, i]) | np.isnan(mat[:, j]))
            diff = (mat[:, i] - mat[:, j])[both]
            iv = stats.bootstrap_means(diff[:, None], s.n_resamples, s.seed, s.level)
            rows.append(
                {
                    "model": names[i],
                    "opponent": names[j],
                    "n": test.n,
                    "score": _num(test.mean_diff),
                    "ci_low": _num(iv.low[0]),
                    "ci_high": _num(iv.high[0]),
                    "p_value": test.p_value,
                }
            )
    if rows:
        for row, adj in zip(rows, stats.holm_adjust([r["p_value"] for r in rows]), strict=True):
            row["p_holm"] = adj
    return pd.DataFrame(rows)


def error_reason(rec: Any) -> str | None:
    """A short, countable reason why a record has no usable asset, ``None`` when it is ok.

    ``missing: <why>``, or for an ``error`` record ``error: <kind>`` where the message is
    ``<asset path>: <kind>: <detail>`` (an :class:`mme3dr.errors.AssetError`), else the
    message's first 60 characters with the asset path removed."""
    if rec.status == "ok":
        return None
    msg = str(rec.error or "").strip()
    if rec.asset and msg.startswith(f"{rec.asset}: "):
        msg = msg[len(rec.asset) + 2 :]
    if rec.status == "missing":
        return f"missing: {msg or 'no asset'}"
    kind = getattr(rec, "error_kind", None) or msg.split(": ", 1)[0]
    if not ASSET_ERROR_KIND.match(str(kind)):
        kind = re.sub(r"\d+", "#", msg)[:60] or "unknown"
    return f"{rec.status}: {kind}"


def _check_reasons(rec: Any) -> list[tuple[str, str]]:
    """``(source, reason)`` for each evaluator of an ok record that errored or was skipped."""
    out = []
    for sc in rec.scores:
        status, name = sc.get("status"), sc.get("evaluator", "?")
        if status == "error":
            exc = str(sc.get("reason") or "").split(":", 1)[0].strip() or "error"
            out.append(("check", f"check error: {name}: {exc}"))
        elif status == "skipped":
            out.append(("skipped", f"skipped: {name}"))
    return out


def _merge_skipped(found: dict[tuple[str, str], list[str]]) -> dict[tuple[str, str], list[str]]:
    """Evaluators skipped on exactly the same cases (e.g. every learned one, weights absent)
    become one row: ``skipped: a, b, c``."""
    out = {k: v for k, v in found.items() if k[0] != "skipped"}
    by_cases: dict[tuple[str, ...], list[str]] = {}
    for (source, reason), ids in found.items():
        if source == "skipped":
            by_cases.setdefault(tuple(ids), []).append(reason.removeprefix("skipped: "))
    for ids, names in by_cases.items():
        out[("skipped", "skipped: " + ", ".join(sorted(names)))] = list(ids)
    return out


def error_table(comp: Comparison) -> pd.DataFrame:
    """The tally of reasons per model (see module docstring), most frequent first."""
    rows = []
    for m in comp.models:
        found: dict[tuple[str, str], list[str]] = {}
        for cid, rec in m.records.items():
            reason = error_reason(rec)
            pairs = [("case", reason)] if reason else []
            for key in pairs + _check_reasons(rec):
                found.setdefault(key, []).append(cid)
        found = _merge_skipped(found)
        order = {"case": 0, "check": 1, "skipped": 2}
        for (source, reason), ids in sorted(
            found.items(), key=lambda kv: (order[kv[0][0]], -len(kv[1]), kv[0][1])
        ):
            rows.append(
                {
                    "model": m.name,
                    "source": source,
                    "group": reason,
                    "n": len(ids),
                    "cases": " ".join(ids[:8]) + (" ..." if len(ids) > 8 else ""),
                }
            )
    return pd.DataFrame(rows)


def case_frame(comp: Comparison) -> pd.DataFrame:
    """One row per model x case: status, ``overall``, each suite's score (empty where absent),
    the case's category and difficulty, and why it failed (``reason``: :func:`error_reason`,
    ``error``: the full message, ``check_errors``: errored checks with their messages)."""
    from mme3dr.evaluators.base import SUITES

    suites = _ordered(sorted({x for c in comp.cases for x in c.suites}), tuple(SUITES))
    rows = []
    for m in comp.models:
        for info in comp.cases:
            rec = m.records[info.case_id]
            row: dict[str, Any] = {
                "model": m.name,
                "case_id": info.case_id,
                "category": info.category,
                "difficulty": info.difficulty,
                "status": rec.status,
                "overall": rec.overall,
            }
            row.update({f"suite_{x}": rec.suites.get(x) for x in suites})
            row["reason"] = error_reason(rec)
            row["error"] = rec.error if rec.status != "ok" else None
            row["check_errors"] = "; ".join(
                f"{sc.get('evaluator')}: {sc.get('reason', '')}"
                for sc in rec.scores
                if sc.get("status") == "error"
            )
            rows.append(row)
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
    cases = case_file_cases(comp.case_set)
    return _pairs_from_meta([(c.id, c.meta) for c in cases.values()])


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
        "difficulty": subset_table(comp, s, "difficulty"),
        "tag": subset_table(comp, s, "tag"),
        "pairwise": pairwise_table(comp, s),
        "significance": significance_table(comp, s),
        "rating": rating_table(comp, s),
        "check": check_table(comp),
        "paraphrase": paraphrase_table(comp, s, pairs),
        "errors": error_table(comp),
    }
    if judgments is not None:
        tables["judge"] = judge_table(comp, s, judgments)
    return Leaderboard(
        comp, s, tables, absent_suites=absent, paraphrase_pairs=pairs, cases=case_frame(comp)
    )
