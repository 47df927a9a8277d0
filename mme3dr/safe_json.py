"""Bounded JSON reading: a size cap and a nesting-depth cap checked *before* parsing.

Python's ``json`` parser recurses once per nesting level, so a document nested a few
thousand levels deep raises ``RecursionError`` (or, with a raised recursion limit, overflows
the C stack). Every JSON file mme3dr reads from a user (``model.json``, case files, set
metadata, VLM answers, cache entries) goes through :func:`loads` or :func:`read_json`, which
measure the depth with a linear, vectorised scan first and raise :class:`JsonLimitError` (a
``ValueError``) with one line naming the file and the limit.

The depth scan ignores brackets inside string literals (escapes included), so it measures the
same depth the parser would reach.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np

#: deepest nesting accepted (objects and arrays both count one level); real files use < 20.
MAX_DEPTH = 64

#: largest JSON document read from a file, in bytes.
MAX_BYTES = 32 * 1024 * 1024

# a JSON string literal (unrolled: runs of plain characters separated by escape pairs)
_BRACKETS = np.frombuffer(b"[]{}", dtype=np.uint8)
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)


class JsonLimitError(ValueError):
    """A JSON document is over the size or depth limit, or is not valid JSON."""


def nesting_depth(data: bytes | str) -> int:
    """Deepest ``[``/``{`` nesting of a JSON text, ignoring brackets inside strings.

    Linear time and memory in the text length; an unbalanced text still gets a depth (the
    parser reports the syntax error afterwards).
    """
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else bytes(data)
    if b"[" not in raw and b"{" not in raw:
        return 0
    stripped = _STRING.sub(b'""', raw)
    codes = np.frombuffer(stripped, dtype=np.uint8)
    brackets = codes[np.isin(codes, _BRACKETS)]  # only the brackets, in order
    if len(brackets) == 0:
        return 0
    step = np.where((brackets == ord("[")) | (brackets == ord("{")), 1, -1).astype(np.int32)
    return int(np.cumsum(step, dtype=np.int64).max(initial=0))


def loads(data: bytes | str, *, source: str = "<json>", max_depth: int = MAX_DEPTH) -> Any:
    """Parse ``data`` as JSON after checking its nesting depth.

    Raises :class:`JsonLimitError` with a one-line message starting with ``source`` when the
    depth exceeds ``max_depth`` or the text is not valid JSON.
    """
    depth = nesting_depth(data)
    if depth > max_depth:
        raise JsonLimitError(
            f"{source}: JSON nested {depth} levels deep exceeds the limit of {max_depth}"
        )
    try:
        return json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise JsonLimitError(f"{source}: not valid JSON: {_one_line(exc)}") from None
    except RecursionError:  # defensive: the depth check should make this unreachable
        raise JsonLimitError(f"{source}: JSON too deeply nested to parse") from None


def read_json(path: str | Path, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> Any:
    """Read and parse a JSON file with a size cap (checked before reading) and a depth cap.

    Raises :class:`JsonLimitError` naming the file for an oversized, unreadable, too deep or
    invalid document.
    """
    path = Path(path)
    try:
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise JsonLimitError(f"{path}: cannot read: {_one_line(exc)}") from None
    if len(data) > max_bytes:
        raise JsonLimitError(f"{path}: larger than the limit of {max_bytes} bytes")
    return loads(data, source=str(path), max_depth=max_depth)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


__all__ = ["MAX_BYTES", "MAX_DEPTH", "JsonLimitError", "loads", "nesting_depth", "read_json"]
