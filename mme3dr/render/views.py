"""The result of rendering one asset with one rig: per-view colour, normals, depth and mask.

Image conventions: arrays are ``[V, H, W, ...]`` with row 0 the **top** of the image and
column 0 its left edge; ``V`` follows the rig's view order.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from mme3dr.render.rig import Rig


class _ColourImages:
    """What every set of views offers image encoders: the view count and PIL images of
    ``self.rgb`` (uint8 ``[V, H, W, 3]``)."""

    rgb: np.ndarray

    @property
    def n_views(self) -> int:
        return int(self.rgb.shape[0])

    def images(self) -> list[Image.Image]:
        """The RGB views as PIL images (for image encoders)."""
        return [Image.fromarray(view) for view in self.rgb]


@dataclass
class Views(_ColourImages):
    """Rendered views of one asset.

    Attributes:
        rgb: uint8 ``[V, H, W, 3]`` shaded colour; background pixels are the rig's background.
        normals: float32 ``[V, H, W, 3]`` world-space unit geometric normals, oriented toward
            the camera (so inverted faces still point at the viewer); 0 on background.
        depth: float32 ``[V, H, W]`` distance from the camera along its view axis (eye-space
            z, normalised asset units); ``np.inf`` on background.
        mask: bool ``[V, H, W]``, True where the asset covers the pixel.
        rig: the rig that made these views.
        backend: the renderer's name (``gl`` or ``pytorch3d``).
        seconds: wall time of the render call.
        cache: data derived from these pixels, e.g. image-encoder embeddings keyed by
            :attr:`~mme3dr.features.clip.ClipEncoder.view_cache_key` (per rig, since other
            rigs make other views).
    """

    rgb: np.ndarray
    normals: np.ndarray
    depth: np.ndarray
    mask: np.ndarray
    rig: Rig
    backend: str
    seconds: float = 0.0
    cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


    def colour(self) -> ColourViews:
        """The colour part alone (what image encoders read), sharing ``rgb`` and ``cache``."""
        return ColourViews(rgb=self.rgb, rig=self.rig, backend=self.backend,
                           seconds=self.seconds, cache=self.cache)

    def normals_rgb(self) -> np.ndarray:
        """uint8 ``[V, H, W, 3]`` visualisation: ``(n + 1) / 2 * 255``; background = rig's."""
        vis = np.round((self.normals + 1.0) * 127.5).clip(0, 255).astype(np.uint8)
        vis[~self.mask] = self.rig.background_uint8()
        return vis

    def depth_rgb(self) -> np.ndarray:
        """uint8 ``[V, H, W, 3]`` grey visualisation, near = 255, far = 48, background = 0.

        The range is shared by all views (min and max foreground depth over the whole set).
        """
        out = np.zeros(self.depth.shape, dtype=np.uint8)
        if self.mask.any():
            fg = self.depth[self.mask]
            lo, hi = float(fg.min()), float(fg.max())
            scale = (hi - lo) if hi > lo else 1.0
            t = (self.depth[self.mask] - lo) / scale
            out[self.mask] = np.round(255.0 - t * (255.0 - 48.0)).astype(np.uint8)
        return np.repeat(out[..., None], 3, axis=-1)

    def mask_rgb(self) -> np.ndarray:
        """uint8 ``[V, H, W, 3]``: white foreground on black."""
        return np.repeat((self.mask.astype(np.uint8) * 255)[..., None], 3, axis=-1)

    def _kind(self, kind: str) -> np.ndarray:
        makers = {
            "rgb": lambda: self.rgb,
            "normal": self.normals_rgb,
            "normals": self.normals_rgb,
            "depth": self.depth_rgb,
            "mask": self.mask_rgb,
        }
        if kind not in makers:
            raise ValueError(f"kind must be one of {sorted(makers)}, got {kind!r}")
        return makers[kind]()

    def contact_sheet(self, kind: str = "rgb", columns: int | None = None) -> Image.Image:
        """A grid of all views, each labelled with its index, azimuth and elevation.

        ``kind`` is ``rgb``, ``normal``, ``depth`` or ``mask``; ``columns`` defaults to
        ``ceil(sqrt(V))``, or 8 when the view count is a multiple of 8.
        """
        images = self._kind(kind)
        n, h, w = images.shape[:3]
        if columns is None:
            columns = 8 if n % 8 == 0 and n >= 8 else math.ceil(math.sqrt(n))
        columns = max(1, min(columns, n))
        rows = math.ceil(n / columns)
        label_h = 12
        sheet = Image.new("RGB", (columns * w, rows * (h + label_h)), (255, 255, 255))
        draw = ImageDraw.Draw(sheet)
        for i in range(n):
            x, y = (i % columns) * w, (i // columns) * (h + label_h)
            sheet.paste(Image.fromarray(images[i]), (x, y + label_h))
            az, el = self.rig.azimuths_deg[i], self.rig.elevations_deg[i]
            draw.text((x + 2, y), f"{i} az{az:g} el{el:g}", fill=(0, 0, 0))
        return sheet

    def save(self, out_dir: Path | str) -> list[Path]:
        """Write ``view_{i:02d}_{rgb,normal,depth,mask}.png``, ``contact_sheet.png`` and
        ``render.json`` (rig, backend, seconds) into ``out_dir``; return the paths written."""
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        paths: list[Path] = []
        normals, depth = self.normals_rgb(), self.depth_rgb()
        for i in range(self.n_views):
            for suffix, arr in (
                ("rgb", self.rgb[i]),
                ("normal", normals[i]),
                ("depth", depth[i, ..., 0]),
                ("mask", self.mask[i].astype(np.uint8) * 255),
            ):
                path = out_dir / f"view_{i:02d}_{suffix}.png"
                Image.fromarray(np.ascontiguousarray(arr)).save(path)
                paths.append(path)
        sheet = out_dir / "contact_sheet.png"
        self.contact_sheet("rgb").save(sheet)
        paths.append(sheet)
        meta = out_dir / "render.json"
        meta.write_text(
            json.dumps(
                {"rig": self.rig.to_dict(), "backend": self.backend, "seconds": self.seconds},
                indent=2,
            )
        )
        paths.append(meta)
        return paths


@dataclass
class ColourViews(_ColourImages):
    """The colour renders of one asset without normals, depth or mask: what a process that only
    runs image encoders receives from the worker that rendered (see :mod:`mme3dr.case_scoring`).

    Attributes are those of :class:`Views` with the same meaning.
    """

    rgb: np.ndarray
    rig: Rig
    backend: str
    seconds: float = 0.0
    cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

