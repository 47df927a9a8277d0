"""Checkpoint files that load safely: no code from the file runs, no path leaves the run folder.

A checkpoint is ``RUN_DIR/checkpoints/step-K/`` holding ``state.pt`` (parameters, reference,
optimiser and scheduler state, prompt-order position, config) and ``rng-rank{r}.pt`` (each
process's generator states); ``RUN_DIR/checkpoints/latest`` is a text file naming the newest
folder (``step-K``).

Loading never unpickles arbitrary objects: every file is read with
``torch.load(..., weights_only=True)``, which accepts only tensors, numbers, strings and
containers (dict, list, tuple, OrderedDict) and refuses any other global (a planted
``__reduce__`` payload is refused before it runs). Everything the trainer saves is made of
those types, so a checkpoint written by :func:`save_file` always loads.

The folder a resume reads (from ``latest`` or given) must resolve, symbolic links followed,
inside ``RUN_DIR/checkpoints``, and so must each file in it. Any refusal is a
:class:`mme3dr.errors.ConfigError` with one line naming the offending path (``mme3dr train
--resume`` prints it and exits 2).
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import torch

from mme3dr.errors import ConfigError


def checkpoint_root(run_dir: str | Path) -> Path:
    """``RUN_DIR/checkpoints``."""
    return Path(run_dir) / "checkpoints"


def _inside(path: Path, root: Path) -> bool:
    """Whether ``path`` resolves (links followed) to ``root`` or below it."""
    try:
        path.resolve(strict=False).relative_to(root.resolve(strict=False))
    except ValueError:
        return False
    return True


def resolve_checkpoint(run_dir: str | Path, path: str | Path | None = None) -> Path:
    """The checkpoint folder to resume from: ``path``, or the one ``checkpoints/latest`` names.

    Raises ``ConfigError`` (one line, naming the path) when there is no pointer, when the
    folder it names does not exist, or when the folder resolves outside ``RUN_DIR/checkpoints``
    (an absolute path, ``..``, or a link that leaves the run folder).
    """
    root = checkpoint_root(run_dir)
    if path is None:
        latest = root / "latest"
        if not latest.is_file():
            raise ConfigError(f"no checkpoint to resume in {root}")
        try:
            name = latest.read_text(encoding="utf-8", errors="strict").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{latest}: unreadable checkpoint pointer: {exc}") from None
        if not name or "\n" in name or "\x00" in name or len(name) > 255:
            raise ConfigError(f"{latest}: not a checkpoint folder name")
        target = root / name
        if not _inside(target, root) or target.resolve() == root.resolve():
            raise ConfigError(
                f"{latest}: points outside the run folder's checkpoints ({name!r}); refused")
    else:
        target = Path(path)
        if not _inside(target, root) or target.resolve() == root.resolve():
            raise ConfigError(
                f"{target}: checkpoint outside the run folder's checkpoints ({root}); refused")
    if not target.is_dir():
        raise ConfigError(f"{target}: checkpoint folder does not exist")
    return target


def load_file(path: Path, root: Path, map_location: str | torch.device = "cpu") -> dict[str, Any]:
    """Read one checkpoint file with ``weights_only=True``; it must resolve inside ``root``.

    Raises ``ConfigError`` naming the file when it is missing, leaves ``root``, holds anything
    but tensors and plain containers (the payload is refused, never run) or is not a torch file.
    """
    if not _inside(path, root):
        raise ConfigError(f"{path}: checkpoint file resolves outside {root}; refused")
    if not path.is_file():
        raise ConfigError(f"{path}: checkpoint file does not exist")
    try:
        state = torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(
            f"{path}: refused: holds objects other than tensors and plain data "
            f"(loaded with weights_only=True): {first[:200]}") from None
    except (RuntimeError, OSError, EOFError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(f"{path}: not a readable checkpoint file: {first[:200]}") from None
    if not isinstance(state, dict):
        raise ConfigError(f"{path}: expected a mapping, got {type(state).__name__}")
    return state


#: what ``state.pt`` must hold
STATE_KEYS = ("step", "model", "reference", "optimizer", "scheduler", "sampler")


def require_keys(state: dict[str, Any], keys: tuple[str, ...], path: Path) -> None:
    """Raise ``ConfigError`` naming ``path`` and the first missing key."""
    missing = [k for k in keys if k not in state]
    if missing:
        raise ConfigError(f"{path}: not a trainer checkpoint (missing {', '.join(missing)})")


def save_file(state: dict[str, Any], path: Path) -> None:
    """``torch.save`` ``state`` to ``path``; it must be loadable by :func:`load_file`.

    The check happens before writing: an object of another type in ``state`` is a bug here,
    caught at save time rather than at resume time.
    """
    _check_plain(state, "state")
    torch.save(state, path)


_PLAIN = (str, int, float, bool, type(None), torch.Tensor, torch.dtype, torch.device)


def _check_plain(value: Any, where: str) -> None:
    """Raise ``TypeError`` if ``value`` holds anything ``weights_only=True`` would refuse."""
    if isinstance(value, _PLAIN):
        return
    if isinstance(value, dict):
        for k, v in value.items():
            _check_plain(k, where)
            _check_plain(v, f"{where}.{k}")
        return
    if isinstance(value, list | tuple):
        for i, v in enumerate(value):
            _check_plain(v, f"{where}[{i}]")
        return
    raise TypeError(f"{where}: {type(value).__name__} cannot be saved in a safe checkpoint")


__all__ = ["STATE_KEYS", "checkpoint_root", "load_file", "require_keys", "resolve_checkpoint",
           "save_file"]
