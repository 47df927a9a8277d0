"""Render an :class:`~mme3dr.assets.Asset` from a camera :class:`Rig` into :class:`Views`.

Backends: ``gl`` (default; moderngl on a headless EGL context, see :mod:`mme3dr.render.gl`)
and ``pytorch3d`` (only where ``import pytorch3d`` works). Both follow the conventions of
:mod:`mme3dr.render.rig` (cameras) and :mod:`mme3dr.render.views` (image layout).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING

import trimesh

from mme3dr.errors import ConfigError
from mme3dr.render.rig import RIGS, Rig, UnknownRigError, get_rig
from mme3dr.render.views import Views

if TYPE_CHECKING:
    from mme3dr.assets import Asset

__all__ = [
    "BACKENDS",
    "RIGS",
    "Rig",
    "UnknownRigError",
    "Views",
    "available_backends",
    "check_backend",
    "get_rig",
    "render",
    "render_to_dir",
]

#: every backend name :func:`render` knows, available or not.
BACKENDS: tuple[str, ...] = ("gl", "pytorch3d")


def available_backends() -> list[str]:
    """Backends usable in this environment (``gl`` is assumed usable when moderngl imports)."""
    found = []
    if importlib.util.find_spec("moderngl") is not None:
        found.append("gl")
    if importlib.util.find_spec("pytorch3d") is not None:
        found.append("pytorch3d")
    return found


def check_backend(backend: str) -> str:
    """``backend`` when it is known and usable here; ``ConfigError`` (one line) otherwise.

    Lets a command refuse ``--backend`` before any work instead of failing on every view.
    """
    if backend not in BACKENDS:
        raise ConfigError(
            f"unknown render backend {backend!r}; known backends: {', '.join(BACKENDS)}"
        )
    if backend not in available_backends():
        raise ConfigError(
            f"render backend {backend!r} is not installed here; available: "
            f"{', '.join(available_backends()) or '(none)'}"
        )
    return backend


def _mesh_of(asset: Asset | trimesh.Trimesh) -> trimesh.Trimesh:
    if isinstance(asset, trimesh.Trimesh):
        return asset
    mesh = getattr(asset, "render_mesh", None)
    if mesh is None:
        raise TypeError(f"expected an Asset or a trimesh.Trimesh, got {type(asset).__name__}")
    return mesh


def render(asset: Asset | trimesh.Trimesh, rig: Rig | str, backend: str = "gl") -> Views:
    """Render every view of ``rig`` (a :class:`Rig` or a preset name) of ``asset``.

    ``asset`` is an :class:`~mme3dr.assets.Asset` (its ``render_mesh`` is drawn) or a
    trimesh already in the normalised frame. Raises ``ValueError`` for an unknown backend and
    ``RuntimeError`` (saying what to install) for one that cannot run here.
    """
    if isinstance(rig, str):
        rig = get_rig(rig)
    mesh = _mesh_of(asset)
    if backend == "gl":
        from mme3dr.render.gl import render_gl

        return render_gl(mesh, rig)
    if backend == "pytorch3d":
        from mme3dr.render.pytorch3d_backend import render_pytorch3d

        return render_pytorch3d(mesh, rig)
    raise ValueError(f"unknown render backend {backend!r}; known backends: {', '.join(BACKENDS)}")


def render_to_dir(
    asset: Asset | trimesh.Trimesh,
    rig: Rig | str,
    out_dir: str | Path,
    backend: str = "gl",
) -> list[Path]:
    """Render and write the views with :meth:`Views.save`; return the files written."""
    return render(asset, rig, backend=backend).save(Path(out_dir))
