"""``python -m mme3dr.leaderboard RESULTS_DIR... [--out report.html]``."""

from mme3dr.leaderboard.cli import app

if __name__ == "__main__":
    app()
