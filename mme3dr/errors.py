"""Typed errors raised by mme3dr. Each message names the file (when there is one) and the reason."""

from __future__ import annotations

from pathlib import Path


class MME3DRError(Exception):
    """Base class for every error mme3dr raises on purpose."""


class AssetError(MME3DRError):
    """An asset file could not be turned into a usable :class:`~mme3dr.assets.Asset`.

    ``kind`` is a short machine-readable code (``unreadable``, ``unsupported``, ``no_faces``,
    ``non_finite``, ``bad_indices``, ``degenerate``, ``too_large``, ``timeout``).
    """

    def __init__(self, path: Path | str, kind: str, reason: str):
        self.path = Path(path)
        self.kind = kind
        self.reason = reason
        super().__init__(f"{self.path}: {kind}: {reason}")


class CaseError(MME3DRError):
    """A case file is malformed. ``problems`` lists every ``file:line: field: message``."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        if len(self.problems) == 1:  # one problem, one line (it names the file itself)
            super().__init__(self.problems[0])
            return
        head = f"{len(self.problems)} problem(s) in case file"
        super().__init__(head + ":\n  " + "\n  ".join(self.problems))


class ConfigError(MME3DRError):
    """A usage or configuration problem (bad option, unknown rig, unreadable model.json...)."""
