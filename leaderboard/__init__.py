"""Leaderboard: ``mme3dr eval`` result folders in; tables, plots and one self-contained HTML
report (plus CSV and JSON exports) out. Nothing here runs an evaluation.

Modules, one job each:

* :mod:`leaderboard.load`: read and align result folders (case-set checks, missing cases)
* :mod:`leaderboard.stats`: bootstrap intervals, ranks and ties, Bradley–Terry ratings
* :mod:`leaderboard.tables`: the pandas tables and their CSV / JSON exports
* :mod:`leaderboard.plots`: matplotlib figures as SVG
* :mod:`leaderboard.report`: the Jinja2 HTML report (``templates/``)
* :mod:`leaderboard.cli`: ``mme3dr leaderboard`` / ``python -m leaderboard``
"""

from __future__ import annotations

from leaderboard.load import Comparison, LeaderboardError, load_comparison
from leaderboard.tables import Leaderboard, Settings, build_leaderboard

__all__ = [
    "Comparison",
    "Leaderboard",
    "LeaderboardError",
    "Settings",
    "build_leaderboard",
    "load_comparison",
]
