"""The leaderboard aggregates the records' own scores by the rule of ``mme3dr.results``: known
answers from hand-built result folders (no evaluation, no browser), the paired significance
test against a full enumeration, the failure tally, the per-case export and the difficulty
breakdown."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mme3dr.leaderboard import stats
from mme3dr.leaderboard.load import load_comparison
from mme3dr.leaderboard.report import card_checks, render_html
from mme3dr.leaderboard.tables import Settings, build_leaderboard, error_reason
from mme3dr.results import SUMMARY_FILE, Record, append_record, summarise, write_json_atomic

FAST = Settings(n_resamples=200, rating_resamples=20, permutations=2000)
SKIP_REASON = "weights clip-vit-b-32 not found: run `mme3dr weights fetch clip-vit-b-32`"


def _ok(cid: str, suites: dict[str, float | None], difficulty: str | None = None) -> Record:
    present = [v for v in suites.values() if v is not None]
    scores = [
        {"evaluator": "clip_score", "suite": "alignment", "score": None, "passed": None,
         "status": "skipped", "reason": SKIP_REASON},
        {"evaluator": "mv_consistency", "suite": "aesthetic", "score": None, "passed": None,
         "status": "skipped", "reason": SKIP_REASON},
    ]  # fmt: skip
    return Record(
        case_id=cid,
        status="ok",
        category="mechanical_affordances",
        prompt=f"prompt {cid}",
        suites=suites,
        overall=sum(present) / len(present) if present else None,
        scores=scores,
        meta={"difficulty": difficulty} if difficulty else {},
    )


def _failed(cid: str, status: str, suites: list[str], error: str, asset: str | None = None):
    """A missing/error record by the rule: 0 on the suites something could measure."""
    return Record(
        case_id=cid,
        status=status,
        category="mechanical_affordances",
        prompt=f"prompt {cid}",
        suites={s: 0.0 for s in suites},
        overall=0.0 if suites else None,
        asset=asset,
        error=error,
    )


def _folder(root: Path, name: str, records: list[Record], n_cases: int) -> Path:
    """A result folder whose summary.json is written by ``mme3dr.results.summarise``."""
    folder = root / name
    folder.mkdir(parents=True)
    for r in records:
        append_record(folder / "results.jsonl", r)
    stamp = {"case_set": {"name": "toy", "version": "1", "sha256": "cd" * 32,
                          "n_cases": n_cases}, "model": {"name": name, "meta": {}}}  # fmt: skip
    write_json_atomic(folder / SUMMARY_FILE, summarise(records, stamp))
    return folder


@pytest.fixture()
def two_models(tmp_path: Path) -> Path:
    """``flaky`` has a missing and an errored case; ``steady`` scores every case. Nothing can
    measure the aesthetic suite for ``flaky`` (absent everywhere); ``steady`` measured it."""
    asset = str(tmp_path / "models" / "flaky" / "c3.glb")
    flaky = [
        _ok("c1", {"spatial": 0.8, "functional": 1.0, "aesthetic": None}, "easy"),
        _failed("c2", "missing", ["spatial", "functional"], "no asset file for this case"),
        _failed("c3", "error", ["spatial", "functional"], f"{asset}: non_finite: 1 vertex NaN",
                asset),
        _ok("c4", {"spatial": 0.5, "aesthetic": None}, "hard"),
    ]  # fmt: skip
    steady = [
        _ok("c1", {"spatial": 0.6, "functional": 0.5, "aesthetic": 0.7}, "easy"),
        _ok("c2", {"spatial": 0.9, "functional": 1.0, "aesthetic": 0.4}),
        _ok("c3", {"spatial": 0.7, "functional": 0.0, "aesthetic": 0.9}),
        _ok("c4", {"spatial": 1.0, "aesthetic": 0.6}, "hard"),
    ]
    _folder(tmp_path / "results", "flaky", flaky, 4)
    _folder(tmp_path / "results", "steady", steady, 4)
    return tmp_path / "results"


def _suite_means(lb, model: str) -> dict[str, float]:
    t = lb.tables["suite"]
    sub = t[(t["model"] == model) & t["score"].notna()]
    return dict(zip(sub["group"], sub["score"], strict=True))


def test_suite_means_equal_each_summary_alone_and_together(two_models: Path) -> None:
    together = build_leaderboard(load_comparison([two_models]), FAST)
    for name in ("flaky", "steady"):
        summary = json.loads((two_models / name / SUMMARY_FILE).read_text())
        alone = build_leaderboard(load_comparison([two_models / name]), FAST)
        want = {s: v["mean"] for s, v in summary["suites"].items()}
        assert _suite_means(alone, name) == want  # exactly, not approximately
        assert _suite_means(together, name) == want
        for lb in (alone, together):
            overall = lb.tables["overall"].set_index("model").loc[name, "score"]
            assert overall == summary["overall"]
    # the example: a missing and an errored case count as 0, so 1/3, not 1.0
    assert _suite_means(together, "flaky")["functional"] == pytest.approx(1 / 3)
    assert "aesthetic" not in _suite_means(together, "flaky")  # absent, not 0


def test_intervals_pairwise_and_ratings_use_the_same_cases(two_models: Path) -> None:
    lb = build_leaderboard(load_comparison([two_models]), FAST)
    suite = lb.tables["suite"].set_index(["group", "model"])
    assert suite.loc[("functional", "flaky"), "n"] == 3  # c1 measured, c2 and c3 at 0
    assert suite.loc[("functional", "steady"), "n"] == 3  # c4 asks for no functional check
    assert np.isnan(suite.loc[("aesthetic", "flaky"), "score"])
    assert suite.loc[("aesthetic", "flaky"), "n"] == 0
    pair = lb.tables["pairwise"].set_index(["model", "opponent"]).loc[("steady", "flaky")]
    # per-case overall: flaky 0.9, 0, 0, 0.5; steady 0.6, 0.767, 0.533, 0.8
    assert (pair["wins"], pair["ties"], pair["losses"]) == (3, 0, 1)
    sig = lb.tables["significance"].iloc[0]
    assert sig["n"] == 4
    flaky = np.array([0.9, 0.0, 0.0, 0.5])
    steady = np.array([0.6, (0.9 + 1.0 + 0.4) / 3, (0.7 + 0.0 + 0.9) / 3, 0.8])
    sign = 1 if sig["model"] == "flaky" else -1
    assert sig["score"] == pytest.approx(sign * np.mean(flaky - steady))


def test_absent_suites_and_nothing_ran_show_a_dash(tmp_path: Path) -> None:
    """A model whose evaluators all skipped has no overall: "—", never 0.000."""
    idle = [_ok("c1", {"spatial": None, "aesthetic": None}),
            _ok("c2", {"spatial": None, "aesthetic": None})]  # fmt: skip
    busy = [_ok("c1", {"spatial": 0.5, "aesthetic": 0.25}),
            _ok("c2", {"spatial": 1.0, "aesthetic": None})]  # fmt: skip
    _folder(tmp_path, "idle", idle, 2)
    _folder(tmp_path, "busy", busy, 2)
    lb = build_leaderboard(load_comparison([tmp_path]), FAST)
    overall = lb.tables["overall"].set_index("model")
    assert overall.loc["idle", "score"] is None or np.isnan(overall.loc["idle", "score"])
    assert overall.loc["busy", "score"] == pytest.approx((0.375 + 1.0) / 2)
    html = render_html(lb)
    span = '<span class="num" data-t="overall" data-c="score" data-m="idle">'
    assert span + "—</span>" in html
    suites = html.split('data-table="suite"')[1].split("</table>")[0]
    for suite in ("spatial", "aesthetic"):  # columns: busy, idle
        row = suites.split(f'<tr data-group="{suite}">')[1].split("</tr>")[0]
        assert row.count('<td class="na">—</td>') == 1 and row.endswith('<td class="na">—</td>')
    assert "0.000" not in html.split('data-table="overall"')[1].split("</table>")[0]
    assert "<b>2</b> models" in html


def test_one_model_is_singular(tmp_path: Path) -> None:
    _folder(tmp_path, "solo", [_ok("c1", {"spatial": 1.0})], 1)
    html = render_html(build_leaderboard(load_comparison([tmp_path / "solo"]), FAST))
    assert "<b>1</b> model ·" in html and "<b>1</b> case ·" in html
    assert "1 models" not in html and "<b>1</b> cases" not in html
    assert "One model: nothing to compare." in html


def test_a_case_without_a_record_is_missing_on_measured_suites_only(tmp_path: Path) -> None:
    """An incomplete run: the absent case scores 0 on the suites this model's run measured
    elsewhere (an evaluator was available) and stays absent on the others."""
    _folder(tmp_path, "full", [_ok("c1", {"spatial": 1.0, "aesthetic": 0.5}),
                               _ok("c2", {"spatial": 1.0, "aesthetic": 0.5})], 2)  # fmt: skip
    _folder(tmp_path, "part", [_ok("c1", {"spatial": 0.5, "aesthetic": None})], 2)
    comp = load_comparison([tmp_path])
    filled = comp.record("part", "c2")
    assert filled.status == "missing"
    assert filled.suites == {"spatial": 0.0, "aesthetic": None} and filled.overall == 0.0
    assert any("differ from its summary.json" in n for n in comp.notes)


def test_paired_permutation_test_matches_full_enumeration() -> None:
    rng = np.random.default_rng(5)
    a, b = rng.uniform(0, 1, 9), rng.uniform(0, 1, 9)
    d = a - b
    obs = abs(d.mean())
    flips = np.array(list(itertools.product((1.0, -1.0), repeat=d.size)))
    want = np.mean(np.abs((flips * d).mean(axis=1)) >= obs - 1e-12)
    got = stats.paired_permutation_test(a, b, n_resamples=10_000)
    assert got.exact and got.n == 9
    assert got.p_value == pytest.approx(want)
    # five cases all won: only the all-plus and all-minus patterns are as extreme, 2/32
    five = stats.paired_permutation_test(np.ones(5), np.zeros(5))
    assert five.p_value == pytest.approx(2 / 32)
    same = stats.paired_permutation_test(np.full(4, 0.3), np.full(4, 0.3))
    assert same.p_value == 1.0
    nan = stats.paired_permutation_test(np.array([1.0, np.nan, 0.2]), np.array([0.0, 1.0, 0.1]))
    assert nan.n == 2


def test_permutation_test_agrees_with_scipy() -> None:
    from scipy.stats import permutation_test

    rng = np.random.default_rng(2)
    for n in (6, 30):
        a, b = rng.uniform(0, 1, n), rng.uniform(0, 1, n) * 0.8

        def mean_diff(x, y, axis=-1):
            return np.mean(x - y, axis=axis)

        ref = permutation_test((a, b), mean_diff, permutation_type="samples", vectorized=True,
                               n_resamples=5000, alternative="two-sided").pvalue  # fmt: skip
        got = stats.paired_permutation_test(a, b, n_resamples=5000, seed=1).p_value
        assert got == pytest.approx(ref, abs=0.02 if n > 12 else 1e-12), n


def test_permutation_p_tracks_the_paired_t_test_on_many_cases() -> None:
    from scipy.stats import ttest_rel

    rng = np.random.default_rng(11)
    a = rng.uniform(0, 1, 200)
    b = np.clip(a - 0.05 + rng.normal(0, 0.2, 200), 0, 1)
    got = stats.paired_permutation_test(a, b, n_resamples=20_000, seed=3)
    assert not got.exact
    assert got.p_value == pytest.approx(ttest_rel(a, b).pvalue, rel=0.35, abs=0.005)


def test_holm_adjustment_known_answer() -> None:
    assert stats.holm_adjust([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert stats.holm_adjust([0.5, 0.9]) == pytest.approx([1.0, 1.0])
    assert stats.holm_adjust([]) == []


def test_failure_tally_and_per_case_export(two_models: Path, tmp_path: Path) -> None:
    lb = build_leaderboard(load_comparison([two_models]), FAST)
    errs = lb.tables["errors"]
    flaky = errs[errs["model"] == "flaky"].set_index("group")
    assert flaky.loc["missing: no asset file for this case", "n"] == 1
    assert flaky.loc["error: non_finite", "n"] == 1
    assert flaky.loc["error: non_finite", "cases"] == "c3"
    # the two skipped learned evaluators on the same cases make one row
    skipped = flaky[flaky["source"] == "skipped"]
    assert list(skipped.index) == ["skipped: clip_score, mv_consistency"]
    assert skipped["n"].tolist() == [2]
    path = tmp_path / "cases.csv"
    lb.write_cases_csv(path)
    cases = pd.read_csv(path)
    assert len(cases) == 8 and set(cases["model"]) == {"flaky", "steady"}
    row = cases[(cases["model"] == "flaky") & (cases["case_id"] == "c3")].iloc[0]
    assert row["status"] == "error" and row["reason"] == "error: non_finite"
    assert row["suite_functional"] == 0.0 and pd.isna(row["suite_aesthetic"])
    assert "non_finite" in row["error"]
    c1 = cases[(cases["model"] == "steady") & (cases["case_id"] == "c1")].iloc[0]
    assert c1["suite_aesthetic"] == 0.7 and c1["overall"] == pytest.approx(0.6)
    assert c1["difficulty"] == "easy" and pd.isna(c1["reason"])
    # the per-case rows hold exactly the numbers the means are made of
    for (model, suite), grp in lb.tables["suite"].groupby(["model", "group"]):
        col = cases[cases["model"] == model][f"suite_{suite}"].dropna()
        want = grp["score"].iloc[0]
        assert (np.isnan(want) and col.empty) or col.mean() == pytest.approx(want)


def test_error_reasons_are_countable() -> None:
    rec = Record("x", "error", asset="/a/b c/x.glb", error="/a/b c/x.glb: too_large: 3 GB")
    assert error_reason(rec) == "error: too_large"
    rec = Record("x", "error", error="worker killed after 120 s wall time")
    assert error_reason(rec) == "error: worker killed after # s wall time"
    assert error_reason(Record("x", "missing", error="")) == "missing: no asset"
    assert error_reason(Record("x", "ok")) is None


def test_difficulty_breakdown(two_models: Path) -> None:
    lb = build_leaderboard(load_comparison([two_models]), FAST)
    diff = lb.tables["difficulty"].set_index(["group", "model"])
    assert list(dict.fromkeys(g for g, _ in diff.index)) == ["easy", "hard", "unknown"]
    assert diff.loc[("easy", "flaky"), "score"] == pytest.approx(0.9)
    assert diff.loc[("hard", "steady"), "score"] == pytest.approx(0.8)
    assert diff.loc[("unknown", "flaky"), "score"] == 0.0
    assert diff.loc[("unknown", "flaky"), "n"] == 2


def test_gallery_card_puts_results_first_and_folds_skips() -> None:
    scores = [
        {"evaluator": "clip_score", "status": "skipped", "reason": SKIP_REASON},
        {"evaluator": "stable", "status": "ok", "passed": True, "score": 1.0, "reason": "ok"},
        {"evaluator": "hps_v21", "status": "skipped", "reason": SKIP_REASON},
        {"evaluator": "parts", "status": "ok", "passed": False, "score": 0.2, "reason": "2/3"},
        {"evaluator": "symmetry", "status": "error", "reason": "ValueError: empty"},
        {"evaluator": "mesh_quality", "status": "ok", "passed": None, "score": 0.7},
    ]
    card = card_checks(scores)
    assert [c["name"] for c in card["results"]] == ["parts", "mesh_quality", "stable"]
    assert [c["name"] for c in card["errors"]] == ["symmetry"]
    assert card["skipped"] == ["clip_score", "hps_v21"]
    assert card["skip_reasons"] == [SKIP_REASON]  # once, however many evaluators share it


def test_report_card_html_order(two_models: Path) -> None:
    html = render_html(build_leaderboard(load_comparison([two_models]), FAST))
    entry = html.split('data-model="steady" data-status="ok"')[1].split('<div class="entry"')[0]
    assert entry.count('<details class="skipped">') == 1
    assert "2 skipped: clip_score, mv_consistency" in entry
    assert entry.count("not found") == 1  # the shared reason, once, folded
    assert entry.index('class="scores"') < entry.index('class="skipped"')
    assert 'data-table="significance"' in html and "paired sign-flip permutation test" in html
    assert 'data-table="errors"' in html and 'data-table="difficulty"' in html


def test_zeros_only_from_failures_are_pointed_out(tmp_path: Path) -> None:
    """Records that put 0 on a suite for failed cases although nothing measured it on the
    usable ones (an evaluator wrongly taken as available) are shown as recorded, with a note."""
    recs = [
        _ok("c1", {"spatial": 1.0, "aesthetic": None}),
        _failed("c2", "missing", ["spatial", "aesthetic"], "no asset file for this case"),
    ]
    _folder(tmp_path, "m", recs, 2)
    lb = build_leaderboard(load_comparison([tmp_path / "m"]), FAST)
    assert _suite_means(lb, "m") == {"spatial": 0.5, "aesthetic": 0.0}  # as summary.json says
    notes = [n for n in lb.extra_notes() if "measured on none of its usable" in n]
    assert len(notes) == 1 and notes[0].startswith("m: suite(s) aesthetic ")
    good = [recs[0], _failed("c2", "missing", ["spatial"], "no asset file for this case")]
    _folder(tmp_path, "good", good, 2)
    lb = build_leaderboard(load_comparison([tmp_path / "good"]), FAST)
    assert _suite_means(lb, "good") == {"spatial": 0.5}
    assert not any("measured on none" in n for n in lb.extra_notes())
