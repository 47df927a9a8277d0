"""Byte-level builders of hostile asset files, shared by the fuzzer (``scripts/fuzz_assets.py``)
and the robustness tests: files a well-behaved exporter would never write, so they are packed
by hand rather than through trimesh.
"""

from __future__ import annotations

import json
import struct
import zlib
from typing import Any


def huge_png(width: int, height: int) -> bytes:
    """An all-black RGB PNG of ``width`` x ``height`` pixels, compressed row by row: small on
    disk (about 0.5 MB for 13 000 x 13 000), ``3 * width * height`` bytes once decoded."""

    def chunk(tag: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(tag + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", crc)

    comp = zlib.compressobj(9)
    row = b"\x00" * (3 * width + 1)
    idat = b"".join(comp.compress(row) for _ in range(height)) + comp.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def pack_glb(header: dict[str, Any] | None, blob: bytes, raw_json: bytes | None = None) -> bytes:
    """A binary glTF (version 2) of a JSON chunk and, when ``blob`` is not empty, a BIN chunk;
    both padded to 4 bytes as the format requires. ``raw_json`` replaces ``json.dumps(header)``
    (for JSON no encoder would write, e.g. nested 200 000 levels deep)."""
    js = raw_json if raw_json is not None else json.dumps(header).encode()
    js += b" " * (-len(js) % 4)
    blob += b"\x00" * (-len(blob) % 4)
    body = struct.pack("<I", len(js)) + b"JSON" + js
    if blob:
        body += struct.pack("<I", len(blob)) + b"BIN\x00" + blob
    return b"glTF" + struct.pack("<II", 2, 12 + len(body)) + body


def unpack_glb(data: bytes) -> tuple[dict[str, Any], bytes]:
    """The JSON header and BIN chunk of a well-formed GLB (the inverse of :func:`pack_glb`)."""
    jlen = struct.unpack("<I", data[12:16])[0]
    return json.loads(data[20 : 20 + jlen]), data[20 + jlen + 8 :]
