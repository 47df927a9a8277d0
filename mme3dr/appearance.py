"""Weight-free appearance statistics of rendered views: colourfulness, contrast, texture.

All statistics are measured on foreground pixels only (``mask``), so the background colour does
not count. RGB is taken in [0, 1] (uint8 / 255).

* **colourfulness**: Hasler and Suesstrunk's M = sqrt(sd_rg^2 + sd_yb^2) + 0.3 sqrt(mu_rg^2 +
  mu_yb^2) with rg = R - G and yb = (R + G) / 2 - B, on the 0-255 scale of the paper (about 0
  for grey, 15 slightly, 33 moderately, 59 quite, 82 highly colourful).
* **contrast**: RMS contrast, the standard deviation of luminance Y = 0.2126 R + 0.7152 G +
  0.0722 B (in [0, 1]).
* **texture**: the fraction of *interior* foreground pixels (two pixels away from the
  silhouette) whose luminance differs from the mean of its 3x3 neighbourhood by more than
  ``texture_threshold`` (default 0.02): smooth shading stays below it, painted or carved
  detail and face edges go above. ``texture_energy`` is the mean of that absolute difference.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy import ndimage

LUMA = np.array([0.2126, 0.7152, 0.0722])


@dataclass
class Appearance:
    """Statistics of one view (``nan`` when the view has no foreground)."""

    colourfulness: float
    contrast: float
    texture: float
    texture_energy: float
    coverage: float

    def to_dict(self) -> dict[str, float]:
        return {k: (None if v != v else round(float(v), 6)) for k, v in asdict(self).items()}


def colourfulness(rgb: np.ndarray, mask: np.ndarray) -> float:
    """Hasler-Suesstrunk colourfulness of the masked pixels of one uint8 ``[H, W, 3]`` view."""
    px = rgb[mask].astype(np.float64)
    if len(px) == 0:
        return float("nan")
    rg = px[:, 0] - px[:, 1]
    yb = 0.5 * (px[:, 0] + px[:, 1]) - px[:, 2]
    return float(np.hypot(rg.std(), yb.std()) + 0.3 * np.hypot(rg.mean(), yb.mean()))


def view_appearance(
    rgb: np.ndarray, mask: np.ndarray, texture_threshold: float = 0.02
) -> Appearance:
    """All statistics of one view (uint8 ``[H, W, 3]`` and bool ``[H, W]``)."""
    mask = np.asarray(mask, bool)
    coverage = float(mask.mean())
    if not mask.any():
        nan = float("nan")
        return Appearance(nan, nan, nan, nan, 0.0)
    y = (rgb.astype(np.float64) / 255.0) @ LUMA
    contrast = float(y[mask].std())
    interior = ndimage.binary_erosion(mask, iterations=2)
    if interior.any():
        local = ndimage.uniform_filter(y, size=3, mode="nearest")
        resid = np.abs(y - local)[interior]
        texture = float((resid > texture_threshold).mean())
        energy = float(resid.mean())
    else:
        texture = energy = 0.0
    return Appearance(colourfulness(rgb, mask), contrast, texture, energy, coverage)


def appearance(
    rgb: np.ndarray, mask: np.ndarray, texture_threshold: float = 0.02
) -> list[Appearance]:
    """:func:`view_appearance` of every view of ``[V, H, W, 3]`` / ``[V, H, W]``."""
    return [view_appearance(rgb[i], mask[i], texture_threshold) for i in range(len(rgb))]
