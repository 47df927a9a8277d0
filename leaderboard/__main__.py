"""``python -m leaderboard RESULTS_DIR... [--out report.html]``."""

from leaderboard.cli import app

if __name__ == "__main__":
    app()
