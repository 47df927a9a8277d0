"""Load, validate and normalise a mesh file into an :class:`Asset`.

Conventions (used by every measurement in :mod:`mme3dr.geometry`):

* canonical frame: right-handed, **+Z up**. glTF/GLB files are +Y up by specification and are
  rotated on load; other formats are assumed +Z up. ``up_axis`` overrides either default.
* normalised: centred in x and y (bounding-box centre at the origin), resting on z = 0, and
  uniformly scaled so that the largest bounding-box extent is 1. Lengths measured on an asset
  are therefore fractions of its largest extent.
* ``Asset.mesh`` has seam-split vertices merged (vertices at the same position become one,
  whatever their UVs or normals) so topology measurements see one connected surface, and a
  face repeated on the same three vertices kept once (``provenance["repeated_faces"]`` counts
  the dropped copies); ``Asset.render_mesh`` keeps UVs, textures and vertex colours for rendering.

Hostile files are bounded (see ``docs/robustness.md``): the whole load (parse, checks,
normalisation) runs under the time limit and any failure in it is an :class:`AssetError`
naming the file; vertex arrays that are not ``(n, 3)`` are ``bad_vertices``; files a mesh
refers to (OBJ materials and textures, glTF buffers and images) are read only when they are
regular files inside the mesh's folder and under the byte limit; texture images over
``LoadLimits.max_texture_pixels`` (or over ``max_total_texture_pixels`` together) are dropped
before they are decoded (Pillow's ``MAX_IMAGE_PIXELS`` is set to the same budget while
loading), and the asset records why in ``provenance["warnings"]``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import struct
import threading
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import PIL.Image
import trimesh
from trimesh.resolvers import FilePathResolver

from mme3dr.errors import AssetError
from mme3dr.geometry.indices import referenced_vertices
from mme3dr.safe_json import MAX_DEPTH, nesting_depth

#: file extensions mme3dr loads, lower case with the dot.
SUPPORTED_EXTENSIONS: tuple[str, ...] = (".glb", ".gltf", ".obj", ".ply", ".stl", ".off")

#: the up axis assumed when none is given, by file extension.
DEFAULT_UP_AXIS: dict[str, str] = {".glb": "+y", ".gltf": "+y"}

UP_AXES: tuple[str, ...] = ("+x", "-x", "+y", "-y", "+z", "-z")


@dataclass(frozen=True)
class LoadLimits:
    """Refuse files larger than these before (bytes) or after (faces) parsing them.

    ``timeout_s`` bounds the time spent parsing one file (enforced with ``SIGALRM`` when loading
    on the main thread of a Unix process; elsewhere it is not enforced).
    """

    max_bytes: int = 256 * 1024 * 1024
    max_faces: int = 2_000_000
    timeout_s: float = 60.0
    #: largest texture image kept, in pixels (8192 x 8192); larger ones are never decoded.
    max_texture_pixels: int = 8192 * 8192
    #: all texture images of one file together, in pixels.
    max_total_texture_pixels: int = 2 * 8192 * 8192


@dataclass(frozen=True)
class RefusedFile(os.PathLike):
    """A path that must not be opened, with the reason (a symlink leaving the model folder, a
    folder that cannot be listed...). :func:`load_asset` raises ``AssetError(path, kind,
    reason)`` for it without touching the file, so the case's record names it."""

    path: Path
    kind: str
    reason: str

    def __fspath__(self) -> str:
        return str(self.path)

    def __str__(self) -> str:
        return str(self.path)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def suffix(self) -> str:
        return self.path.suffix


@dataclass
class Asset:
    """A loaded mesh in the canonical, normalised frame.

    Attributes:
        path: the source file.
        mesh: normalised triangle mesh with seam-split vertices merged and repeated faces
            kept once; use for measurements.
        render_mesh: normalised triangle mesh with visuals (UVs, textures, colours); for rendering.
        provenance: how the source became this asset: format, up axis, original bounds, the
            uniform ``scale`` and the 4x4 ``transform`` from source coordinates to normalised ones.
        cache: derived data (voxel grids, components...) shared by evaluators of one run.
    """

    path: Path
    mesh: trimesh.Trimesh
    render_mesh: trimesh.Trimesh
    provenance: dict[str, Any] = field(default_factory=dict)
    cache: dict[Any, Any] = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str:
        return self.path.name

    def measure(self, fn: Callable[..., Any], **kwargs: Any) -> Any:
        """``fn(self, **kwargs)``, computed once per asset and arguments and shared by every
        evaluator of a run: the cache key is ``fn``'s module and qualified name with the
        arguments (lists become tuples), so two checks calling the same measurement with the
        same arguments share it and no hand-written key can collide. ``fn`` must be a
        module-level function (a lambda or a nested function has no stable name:
        ``ValueError``); arguments must be hashable once lists are frozen. Keys and results
        are plain data, so the cache pickles with the asset (worker processes)."""
        key = measure_key(fn, kwargs)
        if key not in self.cache:
            self.cache[key] = fn(self, **kwargs)
        return self.cache[key]

    @classmethod
    def from_trimesh(
        cls,
        mesh: trimesh.Trimesh,
        name: str = "<memory>",
        up_axis: str = "+z",
        normalise: bool = True,
    ) -> Asset:
        """Build an asset from an in-memory mesh (tests, procedural generators, policies)."""
        path = Path(name)
        raw = _validated_copy(mesh, path)
        return _finish(raw, path, up_axis=up_axis, fmt="memory", normalise=normalise)


def _freeze(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    return value


def measure_key(fn: Callable[..., Any], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """The :meth:`Asset.measure` cache key of ``fn(asset, **kwargs)``:
    ``("measure", module, qualname, ((arg, value), ...))`` with the arguments sorted."""
    module, qualname = getattr(fn, "__module__", None), getattr(fn, "__qualname__", "")
    if not module or not qualname or "<" in qualname:
        raise ValueError(
            f"measure() needs a module-level function, got {fn!r} (lambdas and nested "
            "functions have no stable name to cache under)"
        )
    args = tuple(sorted((k, _freeze(v)) for k, v in kwargs.items()))
    key = ("measure", module, qualname, args)
    hash(key)  # TypeError now, not a confusing failure inside the cache
    return key


def up_axis_rotation(up_axis: str) -> np.ndarray:
    """4x4 rotation that maps the given source up axis onto +Z (right-handed, proper rotation)."""
    if up_axis not in UP_AXES:
        raise ValueError(f"up_axis must be one of {UP_AXES}, got {up_axis!r}")
    targets = {
        "+z": np.eye(3),
        # +Y up (glTF): rotate +90 deg about X, (x, y, z) -> (x, -z, y)
        "+y": np.array([[1, 0, 0], [0, 0, -1], [0, 1, 0]], dtype=float),
        "-y": np.array([[1, 0, 0], [0, 0, 1], [0, -1, 0]], dtype=float),
        # +X up: rotate -90 deg about Y, (x, y, z) -> (-z, y, x)
        "+x": np.array([[0, 0, -1], [0, 1, 0], [1, 0, 0]], dtype=float),
        "-x": np.array([[0, 0, 1], [0, 1, 0], [-1, 0, 0]], dtype=float),
        "-z": np.array([[1, 0, 0], [0, -1, 0], [0, 0, -1]], dtype=float),
    }
    m = np.eye(4)
    m[:3, :3] = targets[up_axis]
    return m


def normalising_transform(vertices: np.ndarray) -> tuple[np.ndarray, float]:
    """4x4 similarity that centres x/y, rests on z = 0 and scales the largest extent to 1.

    Returns ``(matrix, scale)``. Raises ``ValueError`` for a zero-extent point set.
    """
    lo = vertices.min(axis=0)
    hi = vertices.max(axis=0)
    extent = float((hi - lo).max())
    if not np.isfinite(extent) or extent <= 0.0:
        raise ValueError("all vertices coincide (zero extent)")
    scale = 1.0 / extent
    centre = np.array([(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, lo[2]])
    m = np.eye(4)
    m[:3, :3] *= scale
    m[:3, 3] = -centre * scale
    return m, scale


def load_asset(
    path: str | Path | RefusedFile,
    up_axis: str | None = None,
    limits: LoadLimits | None = None,
) -> Asset:
    """Load ``path`` into a normalised :class:`Asset`.

    Multi-mesh scenes are flattened with their node transforms. Raises :class:`AssetError`
    naming the file and the reason for: a missing, unreadable or unsupported file; a file with
    no faces; vertices that are not 3-D; NaN or infinite coordinates; face indices out of
    range; a zero-extent mesh; a file over ``limits.max_bytes`` or ``limits.max_faces``;
    loading past ``limits.timeout_s``; a :class:`RefusedFile`. Never raises anything else.
    """
    if isinstance(path, RefusedFile):
        raise AssetError(path.path, path.kind, path.reason)
    path = Path(path)
    limits = limits or LoadLimits()
    ext = path.suffix.lower()
    _check_file(path, ext, limits)
    size = path.stat().st_size
    up = up_axis or DEFAULT_UP_AXIS.get(ext, "+z")
    if up not in UP_AXES:
        raise AssetError(path, "unsupported", f"up_axis must be one of {UP_AXES}, got {up!r}")
    try:
        with _time_limit(limits.timeout_s):
            return _load_checked(path, ext, up, limits, size)
    except AssetError:
        raise
    except _LoadTimeout:
        raise AssetError(
            path, "timeout", f"loading took longer than {limits.timeout_s:g} s"
        ) from None
    except Exception as exc:  # noqa: BLE001 - every failure is reported, never raised raw
        reason = f"could not load as {ext[1:]}: {_brief(exc)}"
        raise AssetError(path, "unreadable", reason) from None


def _check_file(path: Path, ext: str, limits: LoadLimits) -> None:
    """Refuse a path before parsing: not a regular file, unsupported, empty or too large."""
    if not path.is_file():
        raise AssetError(path, "unreadable", "file does not exist or is not a regular file")
    if ext not in SUPPORTED_EXTENSIONS:
        raise AssetError(
            path,
            "unsupported",
            f"extension {ext or '(none)'!r} is not one of {', '.join(SUPPORTED_EXTENSIONS)}",
        )
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise AssetError(path, "too_large", f"{size} bytes exceeds the limit of {limits.max_bytes}")
    if size == 0:
        raise AssetError(path, "unreadable", "file is empty (0 bytes)")


def _load_checked(path: Path, ext: str, up: str, limits: LoadLimits, size: int) -> Asset:
    """Parse, bound the textures, flatten, validate and normalise (inside the time limit)."""
    warned: list[str] = []
    if ext in (".glb", ".gltf"):
        _check_gltf_depth(path, ext, size)
    try:
        with _texture_budget(limits, warned):
            loaded = trimesh.load(
                str(path),
                force="scene",
                process=False,
                resolver=_BoundedResolver(str(path), limits.max_bytes),
            )
        warned.extend(_drop_big_textures(loaded, limits))
        mesh = _flatten(loaded)
    except (AssetError, _LoadTimeout):
        raise
    except Exception as exc:  # noqa: BLE001 - every parser failure is reported, never raised raw
        mesh = _polygon_off(path) if ext == ".off" else None
        if mesh is None:
            reason = f"could not parse as {ext[1:]}: {_brief(exc)}"
            raise AssetError(path, "unreadable", reason) from None
    if mesh is None or len(mesh.faces) == 0:
        raise AssetError(path, "no_faces", "the file contains no triangle faces")
    if len(mesh.faces) > limits.max_faces:
        raise AssetError(
            path, "too_large", f"{len(mesh.faces)} faces exceeds the limit of {limits.max_faces}"
        )
    raw = _validated_copy(mesh, path)
    asset = _finish(raw, path, up_axis=up, fmt=ext[1:], normalise=True, file_bytes=size)
    if warned:
        asset.provenance["warnings"] = warned
    return asset


def _polygon_off(path: Path) -> trimesh.Trimesh | None:
    """Read an OFF file whose faces are polygons of mixed sizes, which trimesh 4.x cannot (its
    fan triangulation of a mixed list multiplies the index strings: CGAL's
    ``double-torus-example.off`` has 4- to 8-sided faces); ``None`` when it is no such file.

    OFF (also ``COFF`` / ``NOFF`` / ``CNOFF``: extra values per vertex or face are colours
    and normals, ignored): a header, ``V F E`` counts, ``V`` lines of ``x y z``, ``F`` lines of
    ``k i_1 .. i_k``; ``#`` starts a comment. Each polygon becomes a fan of ``k - 2``
    triangles from its first corner, in the order trimesh uses for quads. The file was size
    checked before parsing and this runs inside the load's time limit."""
    try:
        rows = [line.split("#", 1)[0].split() for line in path.read_text(errors="replace")
                .splitlines()]
        rows = [r for r in rows if r]
        if not rows or not rows[0][0].upper().endswith("OFF"):
            return None
        if len(rows[0]) >= 3:  # counts on the header line
            counts, first = rows[0][1:], 1
        else:
            counts, first = rows[1], 2
        n_vertices, n_faces = int(counts[0]), int(counts[1])
        vertices = np.array([r[:3] for r in rows[first: first + n_vertices]], dtype=np.float64)
        vertices = vertices.reshape(n_vertices, 3)
        triangles: list[tuple[int, int, int]] = []
        for row in rows[first + n_vertices: first + n_vertices + n_faces]:
            k = int(row[0])
            corner = [int(i) for i in row[1: k + 1]]
            if k < 3 or len(corner) != k:
                return None
            triangles.extend((corner[0], corner[j], corner[j + 1]) for j in range(1, k - 1))
        faces = np.array(triangles, dtype=np.int64).reshape(-1, 3)
        if faces.size and (faces.min() < 0 or faces.max() >= n_vertices):
            return None
    except (ValueError, IndexError, OSError):
        return None
    return trimesh.Trimesh(vertices, faces, process=False)


def _check_gltf_depth(path: Path, ext: str, size: int) -> None:
    """Refuse a glTF whose JSON is nested deeper than ``MAX_DEPTH`` before trimesh parses it
    (Python's JSON parser recurses once per level)."""
    with path.open("rb") as fh:
        if ext == ".glb":
            head = fh.read(20)
            if len(head) < 20 or head[:4] != b"glTF":
                return  # not a GLB container: the parser says so
            data = fh.read(min(struct.unpack("<I", head[12:16])[0], size))
        else:
            data = fh.read(size)
    depth = nesting_depth(data)
    if depth > MAX_DEPTH:
        reason = f"glTF JSON nested {depth} levels deep exceeds the limit of {MAX_DEPTH}"
        raise AssetError(path, "too_deep", reason)


def _brief(exc: BaseException) -> str:
    """``Type: message`` on one line, at most 300 characters (parsers can echo whole inputs)."""
    text = " ".join(str(exc).split())
    text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."


class _BoundedResolver(FilePathResolver):
    """trimesh's file resolver (confined to the mesh's folder, links resolved) that also reads
    only regular files of at most ``max_bytes`` (never a FIFO, a device or a huge file)."""

    def __init__(self, source: str, max_bytes: int):
        super().__init__(source)
        self.max_bytes = int(max_bytes)

    def get(self, name: str) -> bytes:
        for candidate in (name.strip(), name.strip().lstrip("/"), os.path.split(name)[-1]):
            try:
                target = self.absolute(candidate)
            except ValueError:
                continue
            if not target.exists():
                continue
            if not target.is_file():
                raise OSError(f"{name!r} is not a regular file")
            if target.stat().st_size > self.max_bytes:
                raise OSError(f"{name!r} exceeds the limit of {self.max_bytes} bytes")
            with open(target, "rb") as fh:
                return fh.read(self.max_bytes + 1)[: self.max_bytes]
        raise FileNotFoundError(name)

    def namespaced(self, namespace: str) -> _BoundedResolver:
        return _BoundedResolver(os.path.join(self.parent, namespace), self.max_bytes)


_PIL_LOCK = threading.Lock()


@contextlib.contextmanager
def _texture_budget(limits: LoadLimits, warned: list[str]) -> Iterator[None]:
    """While parsing: Pillow refuses to open (so never decodes) an image over the budget.

    Sets ``PIL.Image.MAX_IMAGE_PIXELS`` to ``limits.max_texture_pixels`` and turns Pillow's
    decompression-bomb warning into an error, so every image over the budget fails to open
    (trimesh then drops it); a log handler notes each refusal in ``warned``. The previous
    Pillow setting is restored afterwards.
    """
    log = logging.getLogger("trimesh")
    handler = _BombNotes(warned, int(limits.max_texture_pixels))
    with _PIL_LOCK, warnings.catch_warnings():
        warnings.simplefilter("error", PIL.Image.DecompressionBombWarning)
        previous = (PIL.Image.MAX_IMAGE_PIXELS, log.level, log.propagate)
        PIL.Image.MAX_IMAGE_PIXELS = int(limits.max_texture_pixels)
        log.addHandler(handler)
        log.setLevel(logging.DEBUG)
        log.propagate = False
        try:
            yield
        finally:
            PIL.Image.MAX_IMAGE_PIXELS = previous[0]
            log.removeHandler(handler)
            log.setLevel(previous[1])
            log.propagate = previous[2]


class _BombNotes(logging.Handler):
    """Collects trimesh's "failed to load image" records caused by Pillow's pixel limit."""

    def __init__(self, notes: list[str], budget: int):
        super().__init__(level=logging.DEBUG)
        self.notes = notes
        self.budget = budget

    def emit(self, record: logging.LogRecord) -> None:
        exc = record.exc_info[1] if record.exc_info else None
        bombs = (PIL.Image.DecompressionBombError, PIL.Image.DecompressionBombWarning)
        if isinstance(exc, bombs):
            self.notes.append(
                f"texture image over the budget of {self.budget} pixels dropped before "
                f"decoding (Pillow: {_brief(exc)})"
            )


def _drop_big_textures(loaded: Any, limits: LoadLimits) -> list[str]:
    """Remove (undecoded) texture images over the per-image or total pixel budget."""
    notes: list[str] = []
    total = 0
    for slots, key, image in _texture_slots(loaded):
        pixels = int(image.width) * int(image.height)
        if pixels > limits.max_texture_pixels:
            why = f"over the budget of {limits.max_texture_pixels}"
        elif total + pixels > limits.max_total_texture_pixels:
            why = f"textures together over the budget of {limits.max_total_texture_pixels}"
        else:
            total += pixels
            continue
        slots[key] = None
        notes.append(
            f"texture image dropped before decoding: {image.width} x {image.height} pixels {why}"
        )
    return notes


def _texture_slots(loaded: Any) -> Iterator[tuple[dict[str, Any], str, PIL.Image.Image]]:
    """``(dict, key, image)`` for every Pillow image held by a material of the scene (plain
    attributes of ``SimpleMaterial``, the ``_data`` dict of ``PBRMaterial``)."""
    geoms = loaded.geometry.values() if isinstance(loaded, trimesh.Scene) else [loaded]
    for geom in geoms:
        material = getattr(getattr(geom, "visual", None), "material", None)
        if material is None:
            continue
        for slots in (vars(material), getattr(material, "_data", None)):
            if not isinstance(slots, dict):
                continue
            for key, value in list(slots.items()):
                if isinstance(value, PIL.Image.Image):
                    yield slots, key, value


def _flatten(loaded: Any) -> trimesh.Trimesh | None:
    """Concatenate every triangle mesh of a scene into one mesh, applying node transforms."""
    if isinstance(loaded, trimesh.Trimesh):
        return loaded
    if not isinstance(loaded, trimesh.Scene):
        return None
    parts: list[trimesh.Trimesh] = []
    for node_name in loaded.graph.nodes_geometry:
        transform, geom_name = loaded.graph[node_name]
        geom = loaded.geometry.get(geom_name)
        if not isinstance(geom, trimesh.Trimesh) or len(geom.faces) == 0:
            continue
        part = geom.copy()
        part.apply_transform(transform)
        parts.append(part)
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    try:
        return trimesh.util.concatenate(parts)
    except Exception:  # noqa: BLE001 - mismatched materials: fall back to vertex colours
        for p in parts:
            with contextlib.suppress(Exception):
                p.visual = p.visual.to_color()
        return trimesh.util.concatenate(parts)


def _validated_copy(mesh: trimesh.Trimesh, path: Path) -> trimesh.Trimesh:
    """Check the raw arrays; return a float64/int64 copy keeping visuals."""
    vertices = np.asarray(mesh.vertices, dtype=np.float64)
    faces = np.asarray(mesh.faces)
    if vertices.ndim != 2 or vertices.shape[1] != 3:
        raise AssetError(
            path,
            "bad_vertices",
            f"vertices have shape {tuple(vertices.shape)}, expected (n, 3): not a 3-D mesh",
        )
    if faces.ndim != 2 or faces.shape[0] == 0:
        raise AssetError(path, "no_faces", "the mesh contains no triangle faces")
    if faces.shape[1] != 3:
        raise AssetError(path, "bad_indices", f"faces have {faces.shape[1]} corners, expected 3")
    if len(vertices) == 0:
        raise AssetError(path, "no_faces", "the mesh has faces but no vertices")
    bad = ~np.isfinite(vertices)
    if bad.any():
        n = int(bad.any(axis=1).sum())
        raise AssetError(path, "non_finite", f"{n} vertices have NaN or infinite coordinates")
    lo, hi = int(faces.min()), int(faces.max())
    if lo < 0 or hi >= len(vertices):
        raise AssetError(
            path,
            "bad_indices",
            f"face indices span [{lo}, {hi}] but there are only {len(vertices)} vertices",
        )
    visual = None
    with contextlib.suppress(Exception):
        visual = mesh.visual.copy() if mesh.visual is not None else None
    copy = trimesh.Trimesh(
        vertices=vertices.copy(), faces=faces.astype(np.int64), visual=visual, process=False
    )
    used = vertices[referenced_vertices(faces, len(vertices))]
    if float((used.max(axis=0) - used.min(axis=0)).max()) <= 0.0:
        raise AssetError(path, "degenerate", "all vertices of the faces coincide (zero extent)")
    return copy


def _finish(
    raw: trimesh.Trimesh,
    path: Path,
    *,
    up_axis: str,
    fmt: str,
    normalise: bool,
    file_bytes: int | None = None,
) -> Asset:
    """Rotate to +Z up, normalise, merge seams and record provenance."""
    source_bounds = raw.bounds.tolist()
    rotation = up_axis_rotation(up_axis)
    raw.apply_transform(rotation)
    # measure the bounds over referenced vertices only: stray unused vertices must not count
    used = raw.vertices[referenced_vertices(raw.faces, len(raw.vertices))]
    if normalise:
        try:
            norm, scale = normalising_transform(used)
        except ValueError as exc:
            raise AssetError(path, "degenerate", str(exc)) from None
    else:
        norm, scale = np.eye(4), 1.0
    raw.apply_transform(norm)
    render_mesh = raw
    mesh = trimesh.Trimesh(vertices=raw.vertices.copy(), faces=raw.faces.copy(), process=False)
    mesh.merge_vertices(merge_tex=True, merge_norm=True)
    # a face repeated on the same three vertices (either winding) is the same surface twice:
    # it adds nothing to measure but costs every sampler (one OBJ polygon of 20 000 corners
    # over a box's 8 vertices fans into 20 000 overlapping box-sized triangles)
    unique = mesh.unique_faces()
    repeated = int(len(unique) - unique.sum())
    if repeated:
        mesh.update_faces(unique)
    mesh.remove_unreferenced_vertices()
    provenance = {
        "source": str(path),
        "format": fmt,
        "up_axis": up_axis,
        "source_bounds": source_bounds,
        "scale": scale,
        "transform": (norm @ rotation).tolist(),
        "source_vertices": int(len(raw.vertices)),
        "source_faces": int(len(raw.faces)),
        "merged_vertices": int(len(mesh.vertices)),
        "repeated_faces": repeated,
        "visual": _visual_kind(render_mesh),
    }
    if file_bytes is not None:
        provenance["file_bytes"] = file_bytes
    return Asset(path=path, mesh=mesh, render_mesh=render_mesh, provenance=provenance)


def _visual_kind(mesh: trimesh.Trimesh) -> str:
    """``texture``, ``vertex_color``, ``face_color`` or ``none``."""
    visual = mesh.visual
    kind = getattr(visual, "kind", None)
    if kind == "texture":
        return "texture"
    if kind == "vertex":
        return "vertex_color"
    if kind == "face":
        return "face_color"
    return "none"


class _LoadTimeout(Exception):
    pass


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`_LoadTimeout` after ``seconds`` (main thread on Unix only, else no-op)."""
    usable = (
        seconds
        and seconds > 0
        and hasattr(signal, "SIGALRM")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def _raise(signum: int, frame: Any) -> None:
        raise _LoadTimeout()

    previous = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
