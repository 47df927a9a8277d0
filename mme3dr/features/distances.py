"""Distances between two sets of image features: Fréchet distance and kernel (KID) distance.

Both take float arrays ``[N, D]`` (one row per image) and compute in float64.

* **Fréchet distance** between Gaussians fitted to the sets (mean, covariance with ``N - 1``):
  ``|mu1 - mu2|^2 + Tr(S1 + S2 - 2 (S1 S2)^(1/2))``. ``Tr((S1 S2)^(1/2))`` is computed as the
  sum of square roots of the eigenvalues of the symmetric PSD matrix ``S1^(1/2) S2 S1^(1/2)``
  (same eigenvalues as ``S1 S2``), which avoids complex ``sqrtm`` round-off.
* **Kernel distance (KID)**: the *unbiased* estimate of the squared maximum mean discrepancy
  with the polynomial kernel ``k(x, y) = (x.y / D + 1)^3`` (Binkowski et al. 2018), averaged over
  ``subsets`` random subsets of ``subset_size`` rows drawn without replacement from each set;
  the spread is the standard deviation over subsets (population, ``ddof=0``, as in torchmetrics
  and torch-fidelity). Not an RBF similarity.
"""

from __future__ import annotations

import numpy as np


def _as2d(x: np.ndarray, name: str) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or len(x) < 2:
        raise ValueError(f"{name} must be [N, D] with N >= 2, got shape {x.shape}")
    if not np.isfinite(x).all():
        raise ValueError(f"{name} has non-finite values")
    return x


def gaussian_stats(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(mean, covariance)`` of rows, covariance normalised by ``N - 1``."""
    x = _as2d(x, "features")
    return x.mean(axis=0), np.cov(x, rowvar=False, ddof=1).reshape(x.shape[1], x.shape[1])


def frechet_from_stats(mu1: np.ndarray, s1: np.ndarray, mu2: np.ndarray, s2: np.ndarray) -> float:
    """Fréchet distance between N(mu1, s1) and N(mu2, s2)."""
    mu1, mu2 = np.asarray(mu1, np.float64), np.asarray(mu2, np.float64)
    s1, s2 = np.asarray(s1, np.float64), np.asarray(s2, np.float64)
    diff = mu1 - mu2
    w, v = np.linalg.eigh((s1 + s1.T) / 2.0)
    root = (v * np.sqrt(np.clip(w, 0.0, None))) @ v.T
    m = root @ s2 @ root
    ev = np.linalg.eigvalsh((m + m.T) / 2.0)
    tr_sqrt = float(np.sqrt(np.clip(ev, 0.0, None)).sum())
    return float(diff @ diff + np.trace(s1) + np.trace(s2) - 2.0 * tr_sqrt)


def frechet_distance(x: np.ndarray, y: np.ndarray) -> float:
    """Fréchet distance between the Gaussian fits of feature sets ``x`` and ``y``."""
    x, y = _as2d(x, "x"), _as2d(y, "y")
    if x.shape[1] != y.shape[1]:
        raise ValueError(f"feature sizes differ: {x.shape[1]} vs {y.shape[1]}")
    return frechet_from_stats(*gaussian_stats(x), *gaussian_stats(y))


def polynomial_kernel(
    a: np.ndarray, b: np.ndarray, degree: int = 3, gamma: float | None = None, coef: float = 1.0
) -> np.ndarray:
    """``(gamma a.b + coef)^degree`` with ``gamma = 1 / D`` by default."""
    if gamma is None:
        gamma = 1.0 / a.shape[1]
    return (a @ b.T * gamma + coef) ** degree


def mmd2_unbiased(
    x: np.ndarray, y: np.ndarray, degree: int = 3, gamma: float | None = None, coef: float = 1.0
) -> float:
    """Unbiased MMD^2: mean of k over distinct pairs within x and within y, minus twice the mean
    of k over all (x, y) pairs. ``x`` ``[m, D]`` and ``y`` ``[n, D]`` with m, n >= 2."""
    x, y = _as2d(x, "x"), _as2d(y, "y")
    m, n = len(x), len(y)
    kxx = polynomial_kernel(x, x, degree, gamma, coef)
    kyy = polynomial_kernel(y, y, degree, gamma, coef)
    kxy = polynomial_kernel(x, y, degree, gamma, coef)
    xx = (kxx.sum() - np.trace(kxx)) / (m * (m - 1))
    yy = (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
    return float(xx + yy - 2.0 * kxy.sum() / (m * n))


def kernel_distance(
    x: np.ndarray,
    y: np.ndarray,
    subsets: int = 100,
    subset_size: int = 1000,
    seed: int = 0,
    degree: int = 3,
    gamma: float | None = None,
    coef: float = 1.0,
) -> dict[str, float | int]:
    """KID: mean and standard deviation of :func:`mmd2_unbiased` over random subsets.

    ``subset_size`` is capped at the smaller set's size (and reported); subsets are drawn
    without replacement with ``numpy.random.default_rng(seed)``.
    """
    x, y = _as2d(x, "x"), _as2d(y, "y")
    if x.shape[1] != y.shape[1]:
        raise ValueError(f"feature sizes differ: {x.shape[1]} vs {y.shape[1]}")
    size = int(min(subset_size, len(x), len(y)))
    rng = np.random.default_rng(seed)
    values = np.empty(int(subsets))
    for i in range(int(subsets)):
        xi = x[rng.choice(len(x), size, replace=False)]
        yi = y[rng.choice(len(y), size, replace=False)]
        values[i] = mmd2_unbiased(xi, yi, degree, gamma, coef)
    return {
        "mean": float(values.mean()),
        "std": float(values.std(ddof=0)),
        "subsets": int(subsets),
        "subset_size": size,
        "seed": int(seed),
        "kernel": f"(x.y/{x.shape[1] if gamma is None else 1 / gamma:g} + {coef:g})^{degree}",
    }
