"""The model folder: its ``model.json`` and the index from case ids to candidate asset files.

A model folder holds ``<case_id>.<ext>`` or ``<case_id>/<file>.<ext>`` (``ext`` one of
:data:`mme3dr.assets.SUPPORTED_EXTENSIONS`), plus an optional ``model.json`` with ``name``,
``up_axis`` and free metadata. Hidden entries (names starting with ``.``) are ignored.

The index is bounded and confined to the folder, whatever it contains:

* symbolic links are followed only when their target lies inside the model folder; a link
  that leaves it (to ``/``, to a file elsewhere) is never walked nor opened: it is indexed as a
  :class:`~mme3dr.assets.RefusedFile` (kind ``symlink``), so its case gets an ``error`` record
  naming the link;
* a case folder is walked at most :data:`MAX_DEPTH` levels deep and :data:`MAX_CASE_ENTRIES`
  entries wide, directory loops through links are cut, and a folder that cannot be listed
  (permissions) becomes a refused entry (kind ``unreadable``) rather than an exception;
* at most :data:`MAX_TOP_ENTRIES` entries are read at the top level (else ``ConfigError``).

:func:`folder_hints` lists files that match no case id (with the closest id, to catch typos)
and case ids with more than one mesh (naming the one :func:`pick_asset_file` uses).
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mme3dr.assets import SUPPORTED_EXTENSIONS, UP_AXES, RefusedFile
from mme3dr.errors import ConfigError
from mme3dr.safe_json import JsonLimitError, read_json

MODEL_META_FILE = "model.json"

#: folder levels walked below a case folder (``<case_id>/a/b/...``).
MAX_DEPTH = 8
#: entries listed inside one case folder, all levels together.
MAX_CASE_ENTRIES = 10_000
#: entries listed at the top of the model folder.
MAX_TOP_ENTRIES = 1_000_000
#: largest ``model.json`` read, in bytes.
MAX_META_BYTES = 1024 * 1024

Candidate = Path | RefusedFile


def read_model_meta(model_dir: Path) -> dict[str, Any]:
    """``model.json`` of a model folder (``{}`` when absent); ``ConfigError`` (one line) when
    malformed, too large, too deeply nested or a link leaving the folder."""
    path = Path(model_dir) / MODEL_META_FILE
    if not path.is_file():
        return {}
    if not _inside(path, Path(model_dir).resolve()):
        raise ConfigError(f"{path}: symlink leaves the model folder")
    try:
        meta = read_json(path, max_bytes=MAX_META_BYTES)
    except JsonLimitError as exc:
        raise ConfigError(str(exc)) from None
    if not isinstance(meta, dict):
        raise ConfigError(f"{path}: must hold a JSON object")
    up = meta.get("up_axis")
    if up is not None and up not in UP_AXES:
        raise ConfigError(f"{path}: up_axis must be one of {', '.join(UP_AXES)}, got {up!r}")
    return meta


def safe_name(name: str) -> str:
    """A model name usable as a folder name."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._")
    return cleaned or "model"


def index_model_dir(model_dir: Path) -> dict[str, list[Candidate]]:
    """Map each case id to its candidate files (``<id>.*`` and ``<id>/**``), sorted by path.

    Never follows a link out of the folder and never raises for the folder's contents (see the
    module docstring); ``ConfigError`` only when the folder itself cannot be listed or holds
    more than :data:`MAX_TOP_ENTRIES` entries.
    """
    model_dir = Path(model_dir)
    root = model_dir.resolve()
    found: dict[str, list[Candidate]] = {}
    for entry in _top_entries(model_dir):
        if entry.name.startswith(".") or entry.name == MODEL_META_FILE:
            continue
        path = Path(entry.path)
        refusal = _refusal(entry, root)
        is_dir = _is_dir(entry)
        key = entry.name if is_dir else path.stem
        if refusal is not None:
            found.setdefault(key, []).append(refusal)
        elif is_dir:
            files = _walk_case_dir(path, root)
            meshes = [f for f in files if _suffix(f) in SUPPORTED_EXTENSIONS]
            found.setdefault(key, []).extend(meshes or files)
        else:
            found.setdefault(key, []).append(path)
    return found


def pick_asset_file(candidates: list[Candidate]) -> Candidate | None:
    """The file used for a case: a supported mesh first (by extension order: glb, gltf, obj,
    ply, stl, off, then path), else a refused entry (so the record says why), else any file.

    When only unsupported files exist, one is returned anyway so the record says *why* it
    failed (an ``error`` naming the file) instead of calling the case missing.
    """
    if not candidates:
        return None
    order = {ext: i for i, ext in enumerate(SUPPORTED_EXTENSIONS)}
    usable = [c for c in candidates if isinstance(c, Path)]
    supported = [c for c in usable if c.suffix.lower() in order]
    if supported:
        return min(supported, key=lambda c: (order[c.suffix.lower()], str(c)))
    refused = [c for c in candidates if isinstance(c, RefusedFile)]
    if refused:
        return refused[0]
    return candidates[0]


def unmatched_entries(
    index: dict[str, list[Candidate]], case_ids: Iterable[str]
) -> dict[str, list[Candidate]]:
    """Index entries whose key matches no case id and that look like meshes (a supported
    extension, or a folder holding one); other files (README, images) are left out."""
    ids = set(case_ids)
    out: dict[str, list[Candidate]] = {}
    for key, cands in index.items():
        if key in ids:
            continue
        if any(_suffix(c) in SUPPORTED_EXTENSIONS for c in cands):
            out[key] = cands
    return out


def ambiguous_cases(
    index: dict[str, list[Candidate]], case_ids: Iterable[str]
) -> dict[str, tuple[Candidate, list[Candidate]]]:
    """Case ids with more than one supported mesh: ``{id: (picked, the others)}``."""
    out: dict[str, tuple[Candidate, list[Candidate]]] = {}
    for cid in case_ids:
        meshes = [c for c in index.get(cid, []) if _suffix(c) in SUPPORTED_EXTENSIONS]
        if len(meshes) > 1:
            picked = pick_asset_file(meshes)
            assert picked is not None
            out[cid] = (picked, [m for m in meshes if m is not picked])
    return out


def folder_hints(
    model_dir: Path,
    case_ids: Iterable[str],
    index: dict[str, list[Candidate]] | None = None,
    limit: int = 20,
) -> list[str]:
    """One-line hints about the model folder: mesh files that match no case id (with the
    closest case id when one is similar, to catch typos) and case ids with several meshes
    (naming the one used). ``[]`` when there is nothing to say."""
    ids = list(case_ids)
    index = index_model_dir(Path(model_dir)) if index is None else index
    lines: list[str] = []
    unmatched = unmatched_entries(index, ids)
    if unmatched:
        shown = []
        for key in sorted(unmatched)[:limit]:
            entry = _display(model_dir, unmatched[key][0], key)
            close = difflib.get_close_matches(key, ids, n=1, cutoff=0.75)
            shown.append(f"{entry} (did you mean {close[0]!r}?)" if close else entry)
        more = f" ... and {len(unmatched) - limit} more" if len(unmatched) > limit else ""
        lines.append(
            f"{len(unmatched)} file(s) in {model_dir} match no case id and were not "
            f"evaluated: {', '.join(shown)}{more}"
        )
    for cid, (picked, others) in sorted(ambiguous_cases(index, ids).items())[:limit]:
        ignored = ", ".join(str(o) for o in others)
        lines.append(f"case {cid}: {len(others) + 1} meshes; used {picked}, ignored {ignored}")
    return lines


# ----------------------------------------------------------------------------- the walk


def _top_entries(model_dir: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(model_dir) as it:
            entries = []
            for entry in it:
                entries.append(entry)
                if len(entries) > MAX_TOP_ENTRIES:
                    raise ConfigError(
                        f"{model_dir}: more than {MAX_TOP_ENTRIES} entries in the model folder"
                    )
    except OSError as exc:
        raise ConfigError(f"{model_dir}: cannot list the model folder: {exc.strerror}") from None
    return sorted(entries, key=lambda e: e.name)


def _walk_case_dir(top: Path, root: Path) -> list[Candidate]:
    """Files under a case folder (sorted, hidden skipped), bounded in depth and count."""
    out: list[Candidate] = []
    seen_dirs = {os.path.realpath(top)}
    stack: list[tuple[Path, int]] = [(top, 0)]
    listed = 0
    while stack:
        folder, depth = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            out.append(RefusedFile(folder, "unreadable", f"cannot list folder: {exc.strerror}"))
            continue
        subdirs: list[Path] = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            listed += 1
            if listed > MAX_CASE_ENTRIES:
                reason = f"case folder holds more than {MAX_CASE_ENTRIES} entries"
                return [RefusedFile(top, "too_large", reason)]
            path = Path(entry.path)
            refusal = _refusal(entry, root)
            if refusal is not None:
                out.append(refusal)
            elif _is_dir(entry):
                real = os.path.realpath(path)
                if real in seen_dirs:
                    continue  # a loop through links, or a second link to the same folder
                seen_dirs.add(real)
                if depth + 1 > MAX_DEPTH:
                    reason = f"folders nested deeper than {MAX_DEPTH} levels are not read"
                    out.append(RefusedFile(path, "too_deep", reason))
                else:
                    subdirs.append(path)
            else:
                out.append(path)
        stack.extend((d, depth + 1) for d in reversed(subdirs))
    return sorted(out, key=str)


def _refusal(entry: os.DirEntry[str], root: Path) -> RefusedFile | None:
    """Why an entry must not be opened (a link leaving the folder, not a file or folder)."""
    path = Path(entry.path)
    try:
        if entry.is_symlink() and not _inside(path, root):
            target = os.readlink(path)
            return RefusedFile(
                path, "symlink", f"symlink leaves the model folder (points to {target})"
            )
        if not entry.is_file() and not entry.is_dir():
            what = "a broken symlink" if entry.is_symlink() else "not a regular file"
            return RefusedFile(path, "unreadable", f"{what}")
    except OSError as exc:
        return RefusedFile(path, "unreadable", f"cannot inspect: {exc.strerror}")
    return None


def _inside(path: Path, root: Path) -> bool:
    """Whether ``path``, all links resolved, lies inside ``root`` (an already resolved path)."""
    try:
        real = Path(os.path.realpath(path))
    except (OSError, ValueError):
        return False
    return real == root or real.is_relative_to(root)


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _suffix(c: Candidate) -> str:
    return Path(c).suffix.lower()


def _display(model_dir: Path, cand: Candidate, key: str) -> str:
    path = Path(cand)
    try:
        rel = path.relative_to(model_dir)
    except ValueError:
        return str(path)
    first = rel.parts[0] if rel.parts else key
    return first + ("/" if len(rel.parts) > 1 else "")


__all__ = [
    "MODEL_META_FILE",
    "ambiguous_cases",
    "folder_hints",
    "index_model_dir",
    "pick_asset_file",
    "read_model_meta",
    "safe_name",
    "unmatched_entries",
]
