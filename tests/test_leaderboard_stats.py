"""Known answers for the leaderboard's statistics and tables (no evaluation, no browser)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from mme3dr.leaderboard import stats
from mme3dr.leaderboard.load import LeaderboardError, load_comparison
from mme3dr.leaderboard.tables import Settings, build_leaderboard, score_matrix
from mme3dr.results import SUMMARY_FILE, Record, append_record, write_json_atomic

# --------------------------------------------------------------------------- bootstrap


def test_bootstrap_constant_column_has_a_point_interval() -> None:
    iv = stats.bootstrap_means(np.full((20, 1), 0.4))
    assert iv.mean[0] == pytest.approx(0.4)
    assert iv.low[0] == pytest.approx(0.4) and iv.high[0] == pytest.approx(0.4)


def test_bootstrap_matches_the_normal_approximation() -> None:
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 1, size=400)
    iv = stats.bootstrap_means(x[:, None], n_resamples=4000, seed=1)
    se = x.std(ddof=1) / np.sqrt(len(x))
    assert iv.mean[0] == pytest.approx(x.mean())
    assert iv.low[0] == pytest.approx(x.mean() - 1.96 * se, abs=0.25 * se)
    assert iv.high[0] == pytest.approx(x.mean() + 1.96 * se, abs=0.25 * se)


def test_bootstrap_is_seeded_paired_and_skips_absent_values() -> None:
    x = np.array([[0.1, np.nan], [0.5, 0.5], [0.9, 0.7], [0.3, np.nan]])
    a = stats.bootstrap_means(x, n_resamples=500, seed=7)
    b = stats.bootstrap_means(x, n_resamples=500, seed=7)
    np.testing.assert_array_equal(a.low, b.low)
    assert a.mean[1] == pytest.approx(0.6) and a.n.tolist() == [4, 2]
    assert np.isnan(stats.bootstrap_means(np.full((3, 1), np.nan)).mean[0])


def test_ranks_and_overlap() -> None:
    assert stats.competition_ranks(np.array([0.5, 0.9, 0.5, 0.1])).tolist() == [2, 1, 2, 4]
    tied = stats.overlapping(np.array([0.0, 0.5, 0.9]), np.array([0.6, 0.8, 1.0]))
    assert tied == [[1], [0], []]


# --------------------------------------------------------------------------- Bradley–Terry


def test_a_model_winning_every_case_ranks_first() -> None:
    rng = np.random.default_rng(0)
    scores = np.column_stack([np.full(30, 1.0), rng.uniform(0, 0.9, 30), rng.uniform(0, 0.9, 30)])
    wins, comps = stats.case_outcomes(scores)
    r = stats.bradley_terry_ratings(wins, comps, n_resamples=200)
    assert np.all(np.isfinite(r.rating))
    assert r.rating[0] > r.rating[1] and r.rating[0] > r.rating[2]
    assert r.low[0] > max(r.high[1], r.high[2])  # clearly separated
    assert stats.competition_ranks(r.rating)[0] == 1
    assert r.rating.mean() == pytest.approx(stats.ELO_CENTRE)


def test_equal_models_tie() -> None:
    rng = np.random.default_rng(1)
    s = rng.uniform(0, 1, 25)
    scores = np.column_stack([s, s, s * 0.5])
    wins, comps = stats.case_outcomes(scores)
    r = stats.bradley_terry_ratings(wins, comps, n_resamples=200)
    assert r.rating[0] == pytest.approx(r.rating[1])
    assert stats.competition_ranks(r.rating).tolist()[:2] == [1, 1]
    assert 1 in stats.overlapping(r.low, r.high)[0]
    # two models that split their cases evenly are rated equally too
    half = np.column_stack([np.r_[np.ones(10), np.zeros(10)], np.r_[np.zeros(10), np.ones(10)]])
    w, c = stats.case_outcomes(half)
    assert stats.to_elo(stats.fit_bradley_terry(w.sum(0), c.sum(0))) == pytest.approx([1000, 1000])


def test_two_model_fit_has_the_closed_form_answer() -> None:
    wins = np.array([[0.0, 7.0], [3.0, 0.0]])
    logp = stats.fit_bradley_terry(wins, wins + wins.T, prior=0.0)
    assert np.exp(logp[0] - logp[1]) == pytest.approx(7 / 3, rel=1e-8)
    # with the prior: one virtual tie adds half a win each way
    logp = stats.fit_bradley_terry(wins, wins + wins.T, prior=1.0)
    assert np.exp(logp[0] - logp[1]) == pytest.approx(7.5 / 3.5, rel=1e-8)
    # Elo scale: a 10:1 strength ratio is 400 points
    assert np.diff(stats.to_elo(np.array([0.0, np.log(10.0)])))[0] == pytest.approx(400.0)


def test_fit_is_the_maximum_likelihood() -> None:
    """At the MLE the expected wins equal the observed wins for every model (score equations)."""
    rng = np.random.default_rng(5)
    n = rng.integers(5, 20, size=(4, 4)).astype(float)
    n = np.triu(n, 1) + np.triu(n, 1).T
    frac = rng.uniform(0.2, 0.8, size=(4, 4))
    wins = np.triu(n * frac, 1) + np.tril((n * (1 - frac)).T, -1)
    logp = stats.fit_bradley_terry(wins, n, prior=0.0)
    p = np.exp(logp)
    expected = (n * p[:, None] / (p[:, None] + p[None, :])).sum(axis=1)
    np.testing.assert_allclose(expected, wins.sum(axis=1), rtol=1e-7)


def test_win_tie_loss_uses_the_margin() -> None:
    scores = np.array([[0.50, 0.505], [0.9, 0.1], [np.nan, 0.3]])
    wtl = stats.win_tie_loss(scores, margin=0.01)
    assert wtl["wins"][1, 0] == 0 and wtl["ties"][0, 1] == 1 and wtl["wins"][0, 1] == 1
    assert wtl["wins"][0, 1] + wtl["ties"][0, 1] + wtl["losses"][0, 1] == 2  # NaN case skipped


# --------------------------------------------------------------------------- tables from records


def _write(folder: Path, name: str, records: list[Record], version: str = "1") -> Path:
    folder.mkdir(parents=True)
    for r in records:
        append_record(folder / "results.jsonl", r)
    stamp = {"case_set": {"name": "toy", "version": version, "sha256": "ab" * 32,
                          "n_cases": 4}, "model": {"name": name, "meta": {}}}  # fmt: skip
    write_json_atomic(folder / SUMMARY_FILE, {"stamp": stamp})
    return folder


def _rec(cid: str, v: float | None, tags: tuple[str, ...] = (), status: str = "ok") -> Record:
    suites = {"spatial": v, "aesthetic": None}
    return Record(case_id=cid, status=status, category="stylized", prompt=f"p {cid}",
                  tags=list(tags), suites=suites, overall=v)  # fmt: skip


def test_paraphrase_gap_missing_fill_in_and_judge_ratings(tmp_path: Path) -> None:
    tags = {"c2": ("paraphrase_of:c1",), "c4": ("paraphrase_of:c3",)}
    a = [
        _rec(c, v, tags.get(c, ())) for c, v in (("c1", 1.0), ("c2", 0.6), ("c3", 0.8), ("c4", 0.4))
    ]
    b = [_rec(c, v, tags.get(c, ())) for c, v in (("c1", 0.5), ("c2", 0.5), ("c3", 0.5))]
    _write(tmp_path / "A", "A", a)
    _write(tmp_path / "B", "B", b)  # c4 has no record: filled in as missing, 0
    comp = load_comparison([tmp_path])
    assert comp.names == ["A", "B"]
    assert comp.record("B", "c4").status == "missing"
    assert any("no record" in n for n in comp.notes)
    np.testing.assert_allclose(score_matrix(comp)[:, 1], [0.5, 0.5, 0.5, 0.0])
    verdicts = tmp_path / "judge.jsonl"
    verdicts.write_text(
        "".join(
            json.dumps({"case_id": c, "model_a": "A", "model_b": "B", "winner": w}) + "\n"
            for c, w in (("c1", "a"), ("c2", "a"), ("c3", "tie"), ("c4", "A"))
        )
    )
    lb = build_leaderboard(comp, Settings(n_resamples=300, rating_resamples=100), verdicts)
    para = lb.tables["paraphrase"].set_index("model")
    assert lb.paraphrase_pairs == [("c1", "c2"), ("c3", "c4")]
    assert para.loc["A", "score"] == pytest.approx(0.4)  # (0.4 + 0.4) / 2
    assert para.loc["B", "score"] == pytest.approx(0.25)  # (0.0 + 0.5) / 2
    judge = lb.tables["judge"].set_index("model")
    assert judge.loc["A", "rank"] == 1 and judge.loc["A", "score"] > judge.loc["B", "score"]
    assert "aesthetic" in lb.absent_suites
    assert list(lb.tables["suite"]["group"].unique()) == ["spatial"]


def test_mixed_sets_compare_shared_cases(tmp_path: Path) -> None:
    _write(tmp_path / "A", "A", [_rec("c1", 1.0), _rec("c2", 0.5)])
    _write(tmp_path / "B", "B", [_rec("c2", 0.2), _rec("c3", 0.3)], version="2")
    with pytest.raises(LeaderboardError, match="--allow-mixed"):
        load_comparison([tmp_path / "A", tmp_path / "B"])
    comp = load_comparison([tmp_path / "A", tmp_path / "B"], allow_mixed=True)
    assert comp.case_ids == ["c2"] and "Mixed case sets" in comp.notes[0]


def test_duplicate_model_names_are_told_apart(tmp_path: Path) -> None:
    _write(tmp_path / "x" / "m", "same", [_rec("c1", 1.0)])
    _write(tmp_path / "y" / "m2", "same", [_rec("c1", 0.0)])
    comp = load_comparison([tmp_path / "x" / "m", tmp_path / "y" / "m2"])
    assert len(set(comp.names)) == 2


def test_report_sections_for_paraphrases_judges_and_no_views(tmp_path: Path) -> None:
    from mme3dr.leaderboard.report import render_html

    tags = {"c2": ("paraphrase_of:c1",)}
    for name, vals in (("A", (1.0, 0.2, 0.7)), ("B", (0.5, 0.5, 0.1))):
        recs = [_rec(c, v, tags.get(c, ())) for c, v in zip(("c1", "c2", "c3"), vals, strict=True)]
        _write(tmp_path / name, name, recs)
    verdicts = tmp_path / "judge.jsonl"
    verdicts.write_text(
        json.dumps({"case_id": "c1", "model_a": "A", "model_b": "B", "winner": "b"})
    )
    comp = load_comparison([tmp_path / "A", tmp_path / "B"])
    html = render_html(
        build_leaderboard(comp, Settings(n_resamples=50, rating_resamples=10), verdicts)
    )
    assert 'data-table="paraphrase"' in html and 'alt="paraphrase gap"' in html
    assert 'data-table="judge"' in html
    assert "no render saved" in html  # ok records, but the run saved no views
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"case_id": "c1", "model_a": "A", "model_b": "B", "winner": "maybe"}\n')
    with pytest.raises(LeaderboardError, match="winner must be"):
        build_leaderboard(comp, Settings(n_resamples=10, rating_resamples=0), bad)


def test_python_dash_m_leaderboard(tmp_path: Path) -> None:
    import subprocess
    import sys

    _write(tmp_path / "A", "A", [_rec("c1", 1.0), _rec("c2", 0.0)])
    out = tmp_path / "r.html"
    res = subprocess.run(
        [sys.executable, "-m", "mme3dr.leaderboard", str(tmp_path / "A"), "--out", str(out),
         "--resamples", "20", "--rating-resamples", "0"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert out.is_file() and "1 model x 2 cases" in res.stdout
    res = subprocess.run(
        [sys.executable, "-m", "mme3dr.leaderboard", str(tmp_path / "nope")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert res.returncode == 2 and "no such folder" in res.stderr


def test_paraphrase_pairs_from_meta_pair_in_the_case_file(tmp_path: Path) -> None:
    """The adversarial set joins paraphrases by a shared ``meta.pair``: the first case of a
    pair in file order is the original."""
    from mme3dr.cases import load_cases

    cases = tmp_path / "cases.jsonl"
    rows = [
        {
            "id": "p1a",
            "prompt": "a three-legged stool",
            "category": "stylized",
            "meta": {"pair": "x"},
        },
        {
            "id": "p1b",
            "prompt": "a stool on three legs",
            "category": "stylized",
            "meta": {"pair": "x"},
        },
        {"id": "solo", "prompt": "a cube", "category": "stylized"},
    ]
    cases.write_text("".join(json.dumps(r) + "\n" for r in rows))
    sha = load_cases(cases).sha256
    for name, (va, vb) in {"A": (1.0, 0.25), "B": (0.5, 0.5)}.items():
        folder = _write(
            tmp_path / name, name, [_rec("p1a", va), _rec("p1b", vb), _rec("solo", 1.0)]
        )
        stamp = {"case_set": {"name": "toy", "version": "1", "sha256": sha, "n_cases": 3,
                              "path": str(cases)}, "model": {"name": name, "meta": {}}}  # fmt: skip
        write_json_atomic(folder / SUMMARY_FILE, {"stamp": stamp})
    lb = build_leaderboard(load_comparison([tmp_path / "A", tmp_path / "B"]),
                           Settings(n_resamples=200, rating_resamples=50))  # fmt: skip
    assert lb.paraphrase_pairs == [("p1a", "p1b")]
    para = lb.tables["paraphrase"].set_index("model")
    assert para.loc["A", "score"] == pytest.approx(0.75)
    assert para.loc["B", "score"] == pytest.approx(0.0)


def test_paraphrase_pairs_from_record_meta_without_the_case_file(tmp_path: Path) -> None:
    """Records carry the case's meta, so moved result folders still know their pairs."""
    for name, (va, vb) in {"A": (0.9, 0.3), "B": (0.6, 0.6)}.items():
        recs = [_rec("q1", va), _rec("q2", vb), _rec("q3", 1.0)]
        recs[0].meta = {"pair": "p"}
        recs[1].meta = {"pair": "p"}
        _write(tmp_path / name, name, recs)  # the stamp has no case-file path
    lb = build_leaderboard(
        load_comparison([tmp_path]), Settings(n_resamples=200, rating_resamples=50)
    )
    assert lb.paraphrase_pairs == [("q1", "q2")]
    assert lb.tables["paraphrase"].set_index("model").loc["A", "score"] == pytest.approx(0.6)
