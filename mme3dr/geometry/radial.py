"""Radial protrusions around the vertical axis (gear teeth, star points, petals, spokes).

Method: the top-view outline is read as a radius profile ``r(theta)``: the dense surface
samples are projected on the ground plane, taken relative to the centroid of the top-view
silhouette (the centroid of the solid voxel columns), and binned by angle (``bins`` bins, 360
by default, i.e. 1 deg); each bin keeps its largest radius (the outline). Empty bins are filled
by circular interpolation and the profile is smoothed with a circular moving average of
``smooth`` bins. Protrusions are the peaks of the circular profile whose prominence is at least
``min_prominence`` times the largest radius (default 0.1: a tooth must stick out by 10 % of the
outer radius) and that are at least ``min_separation_deg`` apart.

Invariant to yaw, scale and translation by construction. What it cannot see: protrusions that
do not reach beyond the outline in top view (legs under a tabletop), features narrower than
~1-2 deg, and the outline's corners count (a square footprint has 4 protrusions of prominence
~0.29; an elongated rectangle's or ellipse's two ends count as 2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mme3dr.geometry.voxels import VoxelGrid


@dataclass(frozen=True)
class RadialProfile:
    """Outline radius by angle and its protrusions.

    Attributes:
        angles: ``(bins,)`` bin centres, radians, counter-clockwise from +X.
        radius: ``(bins,)`` smoothed outline radius, normalised units.
        peaks: indices of the protrusion peaks in ``angles``.
        prominences: prominence of each peak as a fraction of the largest radius.
        centre: ``(2,)`` xy centre used.
    """

    angles: np.ndarray
    radius: np.ndarray
    peaks: np.ndarray
    prominences: np.ndarray
    centre: np.ndarray

    @property
    def count(self) -> int:
        return int(len(self.peaks))


def silhouette_centroid(grid: VoxelGrid) -> np.ndarray:
    """xy centroid of the top-view silhouette of the solid (normalised units)."""
    cols = grid.solid.any(axis=2)
    i, j = np.nonzero(cols)
    if len(i) == 0:
        return np.zeros(2)
    return np.array([grid.centers(0)[i].mean(), grid.centers(1)[j].mean()])


def radial_profile(
    points: np.ndarray,
    centre: np.ndarray,
    bins: int = 360,
    smooth: int = 3,
    min_prominence: float = 0.1,
    min_separation_deg: float = 4.0,
) -> RadialProfile:
    """Outline radius profile of ``points`` ``(n, 3)`` about vertical axis through ``centre``."""
    xy = np.asarray(points, dtype=float)[:, :2] - np.asarray(centre, dtype=float)[None, :]
    theta = np.arctan2(xy[:, 1], xy[:, 0]) % (2 * np.pi)
    r = np.hypot(xy[:, 0], xy[:, 1])
    b = np.minimum((theta / (2 * np.pi) * bins).astype(np.int64), bins - 1)
    prof = np.full(bins, -np.inf)
    np.maximum.at(prof, b, r)
    angles = (np.arange(bins) + 0.5) * 2 * np.pi / bins
    known = np.isfinite(prof)
    if not known.any():
        return RadialProfile(angles, np.zeros(bins), np.zeros(0, int), np.zeros(0), centre)
    if not known.all():
        prof[~known] = np.interp(
            angles[~known], angles[known], prof[known], period=2 * np.pi
        )
    if smooth > 1:
        kernel = np.ones(smooth) / smooth
        wrapped = np.concatenate([prof[-smooth:], prof, prof[:smooth]])
        prof = np.convolve(wrapped, kernel, mode="same")[smooth:-smooth]
    rmax = float(prof.max())
    if rmax <= 0:
        return RadialProfile(angles, prof, np.zeros(0, int), np.zeros(0), centre)
    distance = max(1, int(round(min_separation_deg / 360.0 * bins)))
    peaks, prom = circular_peaks(prof, min_prominence * rmax, distance)
    return RadialProfile(
        angles=angles,
        radius=prof,
        peaks=peaks,
        prominences=prom / rmax,
        centre=np.asarray(centre, dtype=float),
    )


def circular_peaks(
    signal: np.ndarray, min_prominence: float, distance: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Peaks of a circular 1D ``signal`` with prominence at least ``min_prominence``.

    A peak is a sample higher than its left neighbour and at least as high as its right one
    (plateaus count once). Its prominence is its height above the higher of the two lowest
    points met walking left and right until a strictly higher sample (the walk wraps around;
    the global maximum uses the signal minimum). Peaks closer than ``distance`` samples to a
    higher kept peak are dropped. Returns ``(indices, prominences)`` sorted by index.
    """
    x = np.asarray(signal, dtype=float)
    n = len(x)
    if n < 3 or np.ptp(x) <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    left, right = np.roll(x, 1), np.roll(x, -1)
    candidates = np.nonzero((x > left) & (x >= right))[0]
    idx, prom = [], []
    for i in candidates:
        order = np.roll(x, -i)  # order[0] is the peak, order[1:] walks right and wraps
        higher = np.nonzero(order > x[i])[0]
        if len(higher) == 0:
            base = float(x.min())
        else:
            right_min = float(order[1 : higher[0]].min()) if higher[0] > 1 else float(x[i])
            left_walk = order[::-1][:-1]  # walks left from the peak
            hl = np.nonzero(left_walk > x[i])[0][0]
            left_min = float(left_walk[:hl].min()) if hl > 0 else float(x[i])
            base = max(left_min, right_min)
        p = float(x[i]) - base
        if p >= min_prominence:
            idx.append(int(i))
            prom.append(p)
    if not idx:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    keep: list[int] = []
    for j in np.argsort([-x[i] for i in idx], kind="stable"):
        i = idx[j]
        if all(min(abs(i - idx[k]), n - abs(i - idx[k])) >= distance for k in keep):
            keep.append(int(j))
    keep.sort(key=lambda j: idx[j])
    return np.array([idx[j] for j in keep], dtype=np.int64), np.array([prom[j] for j in keep])
