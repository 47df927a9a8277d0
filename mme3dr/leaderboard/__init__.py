"""Leaderboard: ``mme3dr eval`` result folders in; tables, plots and one self-contained HTML
report (plus CSV and JSON exports) out. Nothing here runs an evaluation.

Modules, one job each:

* :mod:`mme3dr.leaderboard.load`: read and align result folders (case-set checks, missing cases)
* :mod:`mme3dr.leaderboard.stats`: bootstrap intervals, ranks and ties, Bradley–Terry ratings
* :mod:`mme3dr.leaderboard.tables`: the pandas tables and their CSV / JSON exports
* :mod:`mme3dr.leaderboard.plots`: matplotlib figures as SVG
* :mod:`mme3dr.leaderboard.report`: the Jinja2 HTML report (``templates/``)
* :mod:`mme3dr.leaderboard.cli`: ``mme3dr leaderboard`` / ``python -m mme3dr.leaderboard``
"""

from __future__ import annotations

from mme3dr.leaderboard.load import Comparison, LeaderboardError, load_comparison
from mme3dr.leaderboard.tables import Leaderboard, Settings, build_leaderboard

__all__ = [
    "Comparison",
    "Leaderboard",
    "LeaderboardError",
    "Settings",
    "build_leaderboard",
    "load_comparison",
]
