"""The leaderboard end to end: real ``mme3dr eval`` runs on the example models, the report built
by ``mme3dr leaderboard``, loaded in a real headless Chromium, and checked on the rendered DOM.

Chromium is not installed by the tests: ``make test`` / ``.ci/run`` run
``scripts/ensure_chromium.sh`` first. Without ``/usr/bin/chromium`` (or ``$CHROMIUM``) the
browser tests fail, unless ``MME3DR_SKIP_BROWSER=1`` asks to skip them. The first screen is
saved to ``tests/artifacts/leaderboard_first_screen.png`` for people to look at.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from mme3dr.cli import app
from mme3dr.examples.models import build_broken, build_reference
from mme3dr.leaderboard.load import LeaderboardError, load_comparison
from mme3dr.leaderboard.report import fmt_value
from mme3dr.leaderboard.tables import build_leaderboard
from mme3dr.results import SUMMARY_FILE, read_records
from mme3dr.runner import EvalConfig, run_eval, safe_name

XSS_NAME = "<script>alert(1)</script>"
DROPPED = ["mech-003", "bio-002", "wk-004", "sty-001"]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
SCREENSHOT = ARTIFACTS / "leaderboard_first_screen.png"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--virtual-time-budget=5000",
]


# --------------------------------------------------------------------------- a small DOM


class Node:
    """An element of the dumped DOM: tag, attributes, children and direct text."""

    def __init__(self, tag: str, attrs: dict[str, str], parent: Node | None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node] = []
        self.parts: list[str | Node] = []

    def text(self) -> str:
        return "".join(p if isinstance(p, str) else p.text() for p in self.parts)

    def iter(self):
        yield self
        for c in self.children:
            yield from c.iter()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Node]:
        return [
            n
            for n in self.iter()
            if (tag is None or n.tag == tag)
            and all(n.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())
        ]


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip


class TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {}, None)
        self.cur = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, self.cur)
        self.cur.children.append(node)
        self.cur.parts.append(node)
        if tag not in VOID:
            self.cur = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.cur = self.cur.parent or self.root

    def handle_endtag(self, tag: str) -> None:
        n = self.cur
        while n is not None and n.tag != tag:
            n = n.parent
        if n is not None and n.parent is not None:
            self.cur = n.parent

    def handle_data(self, data: str) -> None:
        self.cur.parts.append(data)


def parse(html: str) -> Node:
    b = TreeBuilder()
    b.feed(html)
    b.close()
    return b.root


# --------------------------------------------------------------------------- fixtures


def _chromium() -> str:
    exe = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(exe).is_file():
        if os.environ.get("MME3DR_SKIP_BROWSER") == "1":
            pytest.skip("no chromium and MME3DR_SKIP_BROWSER=1")
        pytest.fail("chromium is missing: run scripts/ensure_chromium.sh (make test does)")
    return exe


def run_chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    cmd = [_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=True)


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three result folders from real eval runs: reference, broken, and a copy of reference
    with some cases deleted whose name is an HTML injection attempt."""
    root = tmp_path_factory.mktemp("lb")
    ref = build_reference(root / "models" / "reference")
    broken = build_broken(root / "models" / "broken")
    third = root / "models" / "third"
    shutil.copytree(ref, third)
    for cid in DROPPED:
        for p in third.glob(f"{cid}.*"):
            p.unlink()
    (third / "model.json").write_text(json.dumps({"name": XSS_NAME, "notes": XSS_NAME}))
    out = root / "results"
    for model in (ref, broken, third):
        cfg = EvalConfig(model_dir=model, cases="starter", out_dir=out, save_views=True)
        run_eval(cfg, progress=False)
    return out


@pytest.fixture(scope="module")
def built(results: Path) -> dict[str, Path]:
    """``mme3dr leaderboard`` on the three folders: report, CSV and JSON."""
    out = results.parent / "report"
    paths = {"html": out / "report.html", "csv": out / "tables.csv", "json": out / "tables.json",
             "cases": out / "cases.csv"}  # fmt: skip
    dirs = [str(results / n) for n in ("reference", "broken", safe_name(XSS_NAME))]
    res = CliRunner().invoke(
        app,
        ["leaderboard", *dirs, "--out", str(paths["html"]), "--csv", str(paths["csv"]),
         "--json", str(paths["json"]), "--cases-csv", str(paths["cases"])],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert all(p.is_file() for p in paths.values())
    return paths


@pytest.fixture(scope="module")
def dom(built: dict[str, Path]) -> Node:
    """The report as the browser rendered it (after its own script ran), plus a screenshot."""
    with tempfile.TemporaryDirectory() as profile:
        url = built["html"].resolve().as_uri()
        dumped = run_chromium(["--window-size=1280,900", "--dump-dom", url], Path(profile)).stdout
        ARTIFACTS.mkdir(exist_ok=True)
        SCREENSHOT.unlink(missing_ok=True)
        run_chromium([f"--screenshot={SCREENSHOT}", "--window-size=1280,900", url], Path(profile))
    return parse(dumped)


@pytest.fixture(scope="module")
def export(built: dict[str, Path]) -> pd.DataFrame:
    return pd.read_csv(built["csv"])


NAMES = {"reference", "broken", XSS_NAME}


# --------------------------------------------------------------------------- tests


def test_every_model_appears(dom: Node) -> None:
    overall = dom.find_all("table", data_table="overall")
    assert len(overall) == 1
    rows = [n for n in overall[0].find_all("tr") if "data-model" in n.attrs]
    assert sorted(r.attrs["data-model"] for r in rows) == sorted(NAMES)
    cells = [n for n in overall[0].find_all("td") if "model" in n.attrs.get("class", "").split()]
    assert {c.text().strip() for c in cells} == NAMES
    for section in ("suite", "category", "tag", "check", "pairwise", "rating", "models"):
        table = dom.find_all("table", data_table=section)[0]
        assert NAMES <= {n.text().strip() for n in table.iter() if n.tag in ("th", "td")}, section
    entries = [n for n in dom.find_all("div") if "entry" in n.attrs.get("class", "").split()]
    assert Counter(n.attrs["data-model"] for n in entries) == {n: 33 for n in NAMES}


def test_tables_have_the_right_rows(dom: Node, built: dict[str, Path], results: Path) -> None:
    from mme3dr.cases import CATEGORIES, load_cases

    cases = load_cases("starter").cases

    def groups(t: str) -> list[str]:
        table = dom.find_all("table", data_table=t)[0]
        return [tr.attrs["data-group"] for tr in table.find_all("tr") if "data-group" in tr.attrs]

    def models(t: str) -> list[str]:
        table = dom.find_all("table", data_table=t)[0]
        return [tr.attrs["data-model"] for tr in table.find_all("tr") if "data-model" in tr.attrs]

    assert len(models("overall")) == 3
    assert len(models("rating")) == 3
    assert sorted(models("pairwise")) == sorted(NAMES)
    assert groups("category") == list(CATEGORIES)
    assert sorted(groups("tag")) == sorted({t for c in cases for t in c.tags})
    # a suite has a row when some model's record has a number for it (absent: left out)
    scored = {
        suite
        for d in results.iterdir()
        for rec in read_records(d / "results.jsonl")
        for suite, v in rec.suites.items()
        if v is not None
    }
    assert {"spatial", "physical"} <= scored
    assert set(groups("suite")) == scored
    data = json.loads(built["json"].read_text())
    assert groups("check") == list(dict.fromkeys(r["group"] for r in data["tables"]["check"]))
    # the overall table ranks the model with every case first and states the missing counts
    by_model = {r["model"]: r for r in data["tables"]["overall"]}
    assert by_model["reference"]["rank"] == 1
    assert by_model[XSS_NAME]["missing"] == len(DROPPED)
    assert by_model["broken"]["missing"] > 0 and by_model["broken"]["error"] > 0
    assert "Missing and errored cases score 0" in dom.find_all("section", id="overall")[0].text()


def test_images_load(dom: Node, built: dict[str, Path]) -> None:
    body = dom.find_all("body")[0]
    assert body.attrs.get("data-ready") == "1", "the report's own check did not run"
    imgs = dom.find_all("img")
    assert body.attrs["data-images-broken"] == "0"
    assert int(body.attrs["data-images-total"]) == len(imgs)
    assert all(i.attrs.get("data-loaded") == "1" for i in imgs)
    assert all(i.attrs["src"].startswith("data:image/") for i in imgs)
    thumbs = [i for i in imgs if "thumb" in i.attrs.get("class", "")]
    data = json.loads(built["json"].read_text())
    ok_cases = sum(r["ok"] for r in data["tables"]["overall"])
    assert len(thumbs) == ok_cases  # one render per model and case that produced an asset
    assert len(imgs) - len(thumbs) >= 4  # overall, suites, radar, heatmap


def test_hostile_model_name_is_text(dom: Node, built: dict[str, Path]) -> None:
    scripts = dom.find_all("script")
    assert len(scripts) == 1, "only the report's own script may exist"
    assert "alert(1)" not in scripts[0].text()
    assert not any("alert(1)" in n.text() and n.tag == "script" for n in dom.iter())
    assert XSS_NAME in dom.find_all("table", data_table="overall")[0].text()
    raw = built["html"].read_text()
    assert XSS_NAME not in raw and "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    # no inline event handlers or javascript: URLs anywhere
    for n in dom.iter():
        assert not any(k.startswith("on") for k in n.attrs), n.tag
        assert not n.attrs.get("href", "").lower().startswith("javascript:")


def test_report_is_self_contained(built: dict[str, Path]) -> None:
    raw = built["html"].read_text()
    root = parse(raw)
    for n in root.iter():
        for k in ("src", "href"):
            v = n.attrs.get(k)
            if v is not None:
                assert v.startswith(("data:", "#")), (n.tag, v[:60])
        assert n.tag not in ("link", "iframe", "object", "embed")
    csp = [
        m for m in root.find_all("meta") if m.attrs.get("http-equiv") == "Content-Security-Policy"
    ]
    assert csp and "default-src 'none'" in csp[0].attrs["content"]
    assert "@import" not in raw and "url(http" not in raw


def test_screenshot_saved(dom: Node) -> None:
    from PIL import Image

    assert SCREENSHOT.is_file()
    with Image.open(SCREENSHOT) as im:
        assert im.size == (1280, 900)
        lo, hi = im.convert("L").getextrema()
        assert hi - lo > 100  # not a blank page


def test_exports_match_the_html(dom: Node, built: dict[str, Path], export: pd.DataFrame) -> None:
    spans = [n for n in dom.iter() if n.tag == "span" and "num" in n.attrs.get("class", "")]
    assert len(spans) > 200
    index: dict[tuple, dict] = {}
    for row in export.to_dict(orient="records"):
        key = tuple(
            None if pd.isna(row.get(k)) else str(row[k])
            for k in ("table", "group", "model", "opponent")
        )
        assert key not in index, key
        index[key] = row
    seen_tables = set()
    for s in spans:
        a = s.attrs
        key = (a["data-t"], a.get("data-g"), a.get("data-m"), a.get("data-o"))
        row = index[key]
        value = row[a["data-c"]]
        value = None if pd.isna(value) else value
        assert s.text().strip() == fmt_value(a["data-t"], a["data-c"], value), (key, a["data-c"])
        seen_tables.add(a["data-t"])
    assert {"overall", "suite", "category", "tag", "pairwise", "rating", "check"} <= seen_tables
    # the JSON holds exactly the CSV's numbers
    data = json.loads(built["json"].read_text())
    for table, rows in data["tables"].items():
        sub = export[export["table"] == table]
        assert len(sub) == len(rows), table
        for csv_row, js_row in zip(sub.to_dict(orient="records"), rows, strict=True):
            for col, v in js_row.items():
                c = csv_row[col]
                if v is None or (isinstance(v, str) and v == ""):
                    assert pd.isna(c) or c == "", (table, col)
                elif isinstance(v, (int, float)):
                    assert c == pytest.approx(v, rel=1e-12, abs=1e-12), (table, col)
                else:
                    assert str(c) == str(v), (table, col)


def test_mixed_case_sets_refused_unless_allowed(results: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(results / "broken", other)
    summ = json.loads((other / SUMMARY_FILE).read_text())
    summ["stamp"]["case_set"]["version"] = "9.9.9"
    summ["stamp"]["case_set"]["sha256"] = "0" * 64
    summ["stamp"]["model"]["name"] = "broken-v9"
    (other / SUMMARY_FILE).write_text(json.dumps(summ))
    runner = CliRunner()
    res = runner.invoke(
        app,
        ["leaderboard", str(results / "reference"), str(other), "--out", str(tmp_path / "r.html")],
    )
    assert res.exit_code == 2
    assert "different case sets" in res.output and "--allow-mixed" in res.output
    res = runner.invoke(
        app,
        ["leaderboard", str(results / "reference"), str(other), "--allow-mixed",
         "--out", str(tmp_path / "r.html"), "--resamples", "200", "--rating-resamples", "50"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    html = (tmp_path / "r.html").read_text()
    assert "Mixed case sets" in html and "9.9.9" in html


def test_adding_a_model_rerenders_without_evaluating(
    results: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mme3dr.runner

    def no_eval(*a, **k):  # pragma: no cover - failing is the point
        raise AssertionError("the leaderboard must not run an evaluation")

    monkeypatch.setattr(mme3dr.runner, "run_eval", no_eval)
    monkeypatch.setattr(mme3dr.runner, "evaluate_case", no_eval)
    from mme3dr.leaderboard.tables import Settings

    s = Settings(n_resamples=100, rating_resamples=20)
    two = build_leaderboard(load_comparison([results / "reference", results / "broken"]), s)
    three = build_leaderboard(load_comparison([results]), s)  # the root: every model under it
    assert len(two.tables["overall"]) == 2 and len(three.tables["overall"]) == 3
    # a model's numbers do not depend on who else is in the report
    a = two.tables["overall"].set_index("model").loc["reference", "score"]
    b = three.tables["overall"].set_index("model").loc["reference", "score"]
    assert a == b


def test_missing_results_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(LeaderboardError, match="no such folder"):
        load_comparison([tmp_path / "nope"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(LeaderboardError, match="no results.jsonl"):
        load_comparison([tmp_path / "empty"])


def test_gallery_is_paged_by_its_script(dom: Node) -> None:
    cases = [n for n in dom.find_all("article") if "case" in n.attrs.get("class", "").split()]
    assert len(cases) == 33  # all in the page (and shown without JavaScript)
    shown = [c for c in cases if "hidden" not in c.attrs]
    assert [c.attrs["data-case"] for c in shown] == [c.attrs["data-case"] for c in cases[:8]]
    assert "hidden" not in dom.find_all("div", id="g-controls")[0].attrs
    assert dom.find_all("span", id="g-info")[0].text() == "33 of 33 cases · page 1 of 5"
    first = shown[0]
    assert first.find_all("p")[0].text().strip().startswith("“")  # the prompt, quoted


def _suite_means(lb, model: str) -> dict[str, float]:
    t = lb.tables["suite"]
    sub = t[(t["model"] == model) & t["score"].notna()]
    return dict(zip(sub["group"], sub["score"], strict=True))


def test_suite_means_equal_each_summary_alone_and_beside_others(results: Path) -> None:
    """Real runs (broken has missing and errored cases; the third misses four): a model's
    per-suite and overall means in the report equal its own summary.json exactly, with 1, 2
    and 3 models in the report."""
    from mme3dr.leaderboard.tables import Settings

    s = Settings(n_resamples=50, rating_resamples=0, permutations=100)
    folders = sorted(d for d in results.iterdir() if (d / "results.jsonl").is_file())
    reports = [build_leaderboard(load_comparison(folders), s)]
    reports += [build_leaderboard(load_comparison([d, folders[0]]), s) for d in folders[1:]]
    for d in folders:
        summary = json.loads((d / SUMMARY_FILE).read_text())
        name = summary["stamp"]["model"]["name"]
        want = {k: v["mean"] for k, v in summary["suites"].items() if v["mean"] is not None}
        assert summary["counts"]["missing"] + summary["counts"]["error"] > 0 or name == "reference"
        alone = build_leaderboard(load_comparison([d]), s)
        for lb in [alone] + [r for r in reports if name in r.comparison.names]:
            assert _suite_means(lb, name) == want, (name, lb.comparison.names)
            score = lb.tables["overall"].set_index("model").loc[name, "score"]
            assert score == summary["overall"]


def test_cases_csv_has_one_row_per_model_and_case(built: dict[str, Path], results: Path) -> None:
    cases = pd.read_csv(built["cases"])
    assert len(cases) == 3 * 33 and set(cases["model"]) == NAMES
    broken = cases[cases["model"] == "broken"]
    summary = json.loads((results / "broken" / SUMMARY_FILE).read_text())
    assert broken["status"].value_counts().to_dict() == {
        k: v for k, v in summary["counts"].items() if v
    }
    failed = broken[broken["status"] != "ok"]
    assert failed["reason"].notna().all() and failed["error"].notna().all()
    assert (failed["overall"] == 0.0).all()
    assert set(broken["difficulty"]) <= {"easy", "medium", "hard"}  # read from the case file
    for suite, v in summary["suites"].items():
        assert broken[f"suite_{suite}"].mean() == pytest.approx(v["mean"])


def test_report_sections_and_failure_tally(dom: Node, built: dict[str, Path]) -> None:
    sig = dom.find_all("table", data_table="significance")[0]
    assert len([tr for tr in sig.find_all("tr") if "data-model" in tr.attrs]) == 3
    assert "permutation test" in dom.find_all("section", id="pairwise")[0].text()
    data = json.loads(built["json"].read_text())
    counts = {r["model"]: r for r in data["tables"]["overall"]}
    tally = [r for r in data["tables"]["errors"] if r["source"] == "case"]
    for name in NAMES:
        n = sum(r["n"] for r in tally if r["model"] == name)
        assert n == counts[name]["missing"] + counts[name]["error"], name
    diff = dom.find_all("table", data_table="difficulty")[0]
    assert [tr.attrs["data-group"] for tr in diff.find_all("tr") if "data-group" in tr.attrs] == [
        "easy", "medium", "hard"
    ]  # fmt: skip
    assert "3 models" in " ".join(dom.find_all("header")[0].text().split())


def test_gallery_cards_fold_skipped_evaluators(dom: Node) -> None:
    entries = [n for n in dom.find_all("div") if "entry" in n.attrs.get("class", "").split()]
    ok = [e for e in entries if e.attrs["data-status"] == "ok"]
    assert ok
    for e in ok:
        folds = [d for d in e.find_all("details") if "skipped" in d.attrs.get("class", "")]
        assert len(folds) <= 1
        items = [li.text() for ul in e.find_all("ul") for li in ul.find_all("li")
                 if "checks" in ul.attrs.get("class", "")]  # fmt: skip
        assert not any("not found" in t for t in items)  # skip messages only in the fold
        kids = [c.attrs.get("class", "") for c in e.children]
        if "checks" in kids and "scores" in kids:
            assert kids.index("checks") < kids.index("scores")  # results first


def test_long_paths_wrap(tmp_path: Path) -> None:
    """A result folder and an error message with a 300-character path do not widen the page."""
    from mme3dr.leaderboard.report import write_report
    from mme3dr.leaderboard.tables import Settings
    from mme3dr.results import Record, append_record, write_json_atomic

    deep = tmp_path.joinpath(*["a-rather-long-folder-name-for-results" + str(i) for i in range(8)])
    deep.mkdir(parents=True)
    asset = str(deep / ("asset_" * 20 + ".glb"))
    error = f"{asset}: unreadable: could not parse"
    rec = Record("c1", "error", category="stylized", prompt="a cube", suites={"spatial": 0.0},
                 overall=0.0, asset=asset, error=error)  # fmt: skip
    append_record(deep / "results.jsonl", rec)
    write_json_atomic(deep / SUMMARY_FILE, {"stamp": {"model": {"name": "m" * 90}}})
    out = tmp_path / "r.html"
    write_report(build_leaderboard(load_comparison([deep]), Settings(10, 0, permutations=10)), out)
    with tempfile.TemporaryDirectory() as profile:
        args = ["--window-size=1280,900", "--dump-dom", out.resolve().as_uri()]
        body = parse(run_chromium(args, Path(profile)).stdout).find_all("body")[0]
    assert body.attrs["data-ready"] == "1"
    assert int(body.attrs["data-scroll-width"]) <= int(body.attrs["data-view-width"]) == 1280
