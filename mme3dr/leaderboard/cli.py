"""Command line: ``mme3dr leaderboard RESULTS_DIR...`` (and ``python -m mme3dr.leaderboard``).

:func:`leaderboard_command` is a plain typer command function; ``mme3dr/cli.py`` registers it
on its app, and :data:`app` runs it on its own. Usage errors exit 2 with one line.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


def leaderboard_command(
    results_dirs: Annotated[
        list[Path],
        typer.Argument(help="Result folders (OUT/<model>) or roots holding them (OUT)."),
    ],
    out: Annotated[Path, typer.Option(help="Where to write the HTML report.")] = Path(
        "report.html"
    ),
    csv: Annotated[Path | None, typer.Option(help="Also write every table as one CSV.")] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write every table as JSON.")
    ] = None,
    cases_csv: Annotated[
        Path | None,
        typer.Option(help="Also write one CSV row per model x case (scores, status, reason)."),
    ] = None,
    allow_mixed: Annotated[
        bool,
        typer.Option(help="Compare folders from different case sets on their shared cases."),
    ] = False,
    judgments: Annotated[
        Path | None,
        typer.Option(help="JSONL of VLM-judge pairwise verdicts to rate as well."),
    ] = None,
    title: Annotated[str, typer.Option(help="Report title.")] = "mme3dr leaderboard",
    resamples: Annotated[int, typer.Option(help="Bootstrap resamples for score intervals.")] = (
        2000
    ),
    rating_resamples: Annotated[
        int, typer.Option(help="Bootstrap resamples for rating intervals.")
    ] = 1000,
    seed: Annotated[int, typer.Option(help="Bootstrap seed.")] = 0,
    margin: Annotated[
        float, typer.Option(help="Score difference within which a case is a tie.")
    ] = 0.01,
    permutations: Annotated[
        int, typer.Option(help="Random sign patterns for the paired permutation test.")
    ] = 10_000,
) -> None:
    """Compare result folders: one self-contained HTML report (+ optional CSV / JSON)."""
    import pandas as pd

    from mme3dr.leaderboard.load import LeaderboardError, load_comparison
    from mme3dr.leaderboard.report import write_report
    from mme3dr.leaderboard.tables import Settings, build_leaderboard

    t0 = time.perf_counter()
    if resamples < 1 or rating_resamples < 0 or permutations < 1:
        _fail("--resamples and --permutations must be at least 1 and --rating-resamples at least 0")
    if margin < 0:
        _fail("--margin must be >= 0")
    settings = Settings(
        n_resamples=resamples,
        rating_resamples=rating_resamples,
        seed=seed,
        margin=margin,
        permutations=permutations,
    )
    try:
        comp = load_comparison(results_dirs, allow_mixed=allow_mixed)
        lb = build_leaderboard(comp, settings, judgments=judgments)
        write_report(lb, out, title=title)
    except LeaderboardError as exc:
        _fail(str(exc))
        return
    if csv is not None:
        csv.parent.mkdir(parents=True, exist_ok=True)
        lb.write_csv(csv)
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        lb.write_json(json_out)
    if cases_csv is not None:
        cases_csv.parent.mkdir(parents=True, exist_ok=True)
        lb.write_cases_csv(cases_csv)
    for note in comp.notes + lb.extra_notes():
        typer.echo(f"note: {note}", err=True)
    top = lb.tables["overall"].iloc[0]
    best = "—" if pd.isna(top["score"]) else f"{top['score']:.3f}"
    typer.echo(
        f"{_plural(len(comp.models), 'model')} x {_plural(len(comp.cases), 'case')}; "
        f"best: {top['model']} ({best}); report: {out}"
        + (f"; csv: {csv}" if csv else "")
        + (f"; json: {json_out}" if json_out else "")
        + (f"; cases csv: {cases_csv}" if cases_csv else "")
        + f" ({time.perf_counter() - t0:.1f} s)"
    )


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


app.command()(leaderboard_command)
