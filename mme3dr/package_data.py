"""Where the data shipped inside the package lives (case sets, prompt templates).

Everything is read through :mod:`importlib.resources`, so an installed wheel finds its case
sets wherever it is installed, and nothing is read from a source checkout by relative paths.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def benchmark_data_dir() -> Path:
    """The installed ``mme3dr/benchmark_data`` folder (case sets and prompt templates).

    Raises ``RuntimeError`` when the package is imported from an archive (a zipped install),
    where the data has no folder on disk.
    """
    root = resources.files("mme3dr").joinpath("benchmark_data")
    if not isinstance(root, Path):
        raise RuntimeError(
            f"mme3dr's benchmark data is inside an archive ({root}); install mme3dr unzipped"
        )
    return root
