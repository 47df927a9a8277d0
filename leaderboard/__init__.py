"""Leaderboard: result folders in, tables, plots and a self-contained HTML report out.

Not built yet (see the leaderboard issue); the package exists so the layout is in place.
"""
