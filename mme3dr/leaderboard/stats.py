"""Statistics for the leaderboard: bootstrap intervals, ranks with ties, pairwise outcomes and
Bradley–Terry ratings on the Elo scale. Pure numpy; no I/O.

Conventions (stated once, here):

* **Bootstrap**: nonparametric, over *cases* (rows), with replacement; the same resampled rows
  are used for every model (a paired bootstrap, so comparisons between models are fair).
  Intervals are **percentile** intervals at ``level`` (default 95%: the 2.5th and 97.5th
  percentiles). Default ``n_resamples = 2000``, ``seed = 0`` (``numpy.random.default_rng``):
  the same inputs always give the same intervals. A ``NaN`` value means *absent* (the suite
  did not apply to that case) and is left out of that model's mean.
* **Ranks**: standard competition ranking on the point estimate (1 is best; exactly equal
  estimates share the better rank). Two models are *tied* when their intervals overlap.
* **Pairwise outcome** of models i and j on one case: a win for i when its score exceeds j's by
  more than ``margin``, a tie when they differ by at most ``margin``, no comparison when either
  is ``NaN``. A tie counts as half a win for each side.
* **Bradley–Terry**: P(i beats j) = p_i / (p_i + p_j). Fitted by maximum likelihood with the
  minorisation–maximisation (MM) iterations of Hunter (2004), not by sequential Elo updates.
  So that a model that wins every comparison still gets a finite rating, every pair gets
  ``prior`` virtual comparisons ending in a tie (default 1: half a win each way), which makes
  the likelihood strictly concave and the maximum unique. Ratings are reported on the Elo
  scale: ``elo_i = 1000 + 400 * log10(p_i)`` with the ``log10(p)`` centred to mean 0, so the
  average rating is always 1000 and a 400-point gap means 10:1 odds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULT_RESAMPLES = 2000
DEFAULT_SEED = 0
DEFAULT_LEVEL = 0.95
ELO_CENTRE = 1000.0
ELO_SCALE = 400.0


@dataclass
class Interval:
    """Point estimates and percentile interval bounds, one entry per model (column)."""

    mean: np.ndarray
    low: np.ndarray
    high: np.ndarray
    n: np.ndarray


def bootstrap_indices(n_rows: int, n_resamples: int, seed: int) -> np.ndarray:
    """``(n_resamples, n_rows)`` row indices drawn with replacement."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, n_rows, size=(n_resamples, n_rows))


def bootstrap_means(
    values: np.ndarray,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
    level: float = DEFAULT_LEVEL,
) -> Interval:
    """Mean of each column of ``values`` (cases x models, ``NaN`` = absent) with a paired
    percentile bootstrap interval over rows. A column with no value has ``NaN`` everywhere."""
    values = np.asarray(values, dtype=float)
    if values.ndim == 1:
        values = values[:, None]
    n_rows, n_cols = values.shape
    present = ~np.isnan(values)
    n = present.sum(axis=0)
    mean = np.full(n_cols, np.nan)
    low = np.full(n_cols, np.nan)
    high = np.full(n_cols, np.nan)
    if n_rows == 0:
        return Interval(mean, low, high, n)
    filled = np.where(present, values, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = filled.sum(axis=0) / n
    idx = bootstrap_indices(n_rows, n_resamples, seed)
    sums = filled[idx].sum(axis=1)  # (B, cols)
    counts = present[idx].sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        boot = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    alpha = (1.0 - level) / 2.0
    for j in range(n_cols):
        col = boot[:, j]
        col = col[~np.isnan(col)]
        if n[j] and col.size:
            low[j], high[j] = np.percentile(col, [100 * alpha, 100 * (1 - alpha)])
    return Interval(mean, low, high, n)


def competition_ranks(estimates: np.ndarray, higher_is_better: bool = True) -> np.ndarray:
    """1-based competition ranks (``1, 2, 2, 4``); ``NaN`` estimates rank last."""
    est = np.asarray(estimates, dtype=float)
    key = np.where(np.isnan(est), -np.inf, est if higher_is_better else -est)
    return np.array([1 + int(np.sum(key > k)) for k in key], dtype=int)


def overlapping(low: np.ndarray, high: np.ndarray) -> list[list[int]]:
    """For each model, the other models whose interval overlaps its own (closed intervals)."""
    out: list[list[int]] = []
    for i in range(len(low)):
        tied = [
            j
            for j in range(len(low))
            if j != i
            and not np.isnan(low[i])
            and not np.isnan(low[j])
            and low[i] <= high[j]
            and low[j] <= high[i]
        ]
        out.append(tied)
    return out


def case_outcomes(scores: np.ndarray, margin: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Per-case pairwise results from scores (cases x models, ``NaN`` = not comparable).

    Returns ``wins[c, i, j]`` (1 win, 0.5 tie, 0 loss for i against j on case c) and
    ``comps[c, i, j]`` (1 where both scores exist, else 0); the diagonal is 0.
    """
    s = np.asarray(scores, dtype=float)
    diff = s[:, :, None] - s[:, None, :]
    comps = (~np.isnan(diff)).astype(float)
    m = s.shape[1]
    comps[:, np.arange(m), np.arange(m)] = 0.0
    d = np.nan_to_num(diff, nan=0.0)
    wins = np.where(d > margin, 1.0, np.where(d < -margin, 0.0, 0.5)) * comps
    return wins, comps


def win_tie_loss(scores: np.ndarray, margin: float = 0.0) -> dict[str, np.ndarray]:
    """Counts of wins, ties and losses of row model against column model over cases."""
    wins, comps = case_outcomes(scores, margin)
    return {
        "wins": (wins == 1.0).sum(axis=0),
        "ties": ((wins == 0.5) & (comps > 0)).sum(axis=0),
        "losses": ((wins == 0.0) & (comps > 0)).sum(axis=0),
    }


def fit_bradley_terry(
    wins: np.ndarray,
    comps: np.ndarray,
    prior: float = 1.0,
    tol: float = 1e-10,
    max_iter: int = 10_000,
) -> np.ndarray:
    """Maximum-likelihood Bradley–Terry log-strengths (natural log, centred to mean 0).

    ``wins[..., i, j]`` is the (possibly fractional) number of times i beat j and
    ``comps[..., i, j]`` the number of comparisons between them (symmetric; ``wins + wins.T
    == comps``). Leading axes are a batch (e.g. bootstrap resamples) fitted together. Each pair
    gets ``prior`` virtual tied comparisons (see the module docstring). MM iterations: ``p_i <-
    W_i / sum_j N_ij / (p_i + p_j)``, renormalised to geometric mean 1, until the largest change
    of ``log p`` is below ``tol``.
    """
    w = np.asarray(wins, dtype=float)
    n = np.asarray(comps, dtype=float)
    m = w.shape[-1]
    if m < 2:
        return np.zeros(w.shape[:-1])
    off = 1.0 - np.eye(m)
    w = w + 0.5 * prior * off
    n = n + prior * off
    total_wins = w.sum(axis=-1)
    logp = np.zeros(w.shape[:-1])
    for _ in range(max_iter):
        p = np.exp(logp)
        denom = (n / (p[..., :, None] + p[..., None, :])).sum(axis=-1)
        with np.errstate(divide="ignore"):
            new = np.log(total_wins) - np.log(denom)
        new = new - new.mean(axis=-1, keepdims=True)
        if np.max(np.abs(new - logp)) < tol:
            logp = new
            break
        logp = new
    return logp


def to_elo(logp: np.ndarray) -> np.ndarray:
    """Natural-log strengths to the Elo scale, centred on :data:`ELO_CENTRE`."""
    lp = np.asarray(logp, dtype=float)
    lp = lp - lp.mean(axis=-1, keepdims=True)
    return ELO_CENTRE + ELO_SCALE * lp / np.log(10.0)


@dataclass
class Ratings:
    """Bradley–Terry ratings (Elo scale) with bootstrap intervals, one entry per model."""

    rating: np.ndarray
    low: np.ndarray
    high: np.ndarray
    n_comparisons: np.ndarray


def bradley_terry_ratings(
    case_wins: np.ndarray,
    case_comps: np.ndarray,
    n_resamples: int = 1000,
    seed: int = DEFAULT_SEED,
    level: float = DEFAULT_LEVEL,
    prior: float = 1.0,
) -> Ratings:
    """Fit ratings from per-case outcomes (``cases x models x models``, as
    :func:`case_outcomes` gives, or counts of judge verdicts per case) and bootstrap them by
    resampling cases (each resampled case brings all its comparisons)."""
    cw = np.asarray(case_wins, dtype=float)
    cn = np.asarray(case_comps, dtype=float)
    n_cases, m = cw.shape[0], cw.shape[-1]
    point = to_elo(fit_bradley_terry(cw.sum(axis=0), cn.sum(axis=0), prior))
    n_comp = cn.sum(axis=(0, 2))
    if n_cases == 0 or n_resamples <= 0:
        return Ratings(point, np.full(m, np.nan), np.full(m, np.nan), n_comp)
    idx = bootstrap_indices(n_cases, n_resamples, seed)
    counts = np.stack([np.bincount(row, minlength=n_cases) for row in idx]).astype(float)
    bw = np.tensordot(counts, cw, axes=(1, 0))  # (B, m, m)
    bn = np.tensordot(counts, cn, axes=(1, 0))
    boot = to_elo(fit_bradley_terry(bw, bn, prior))
    alpha = (1.0 - level) / 2.0
    low, high = np.percentile(boot, [100 * alpha, 100 * (1 - alpha)], axis=0)
    return Ratings(point, low, high, n_comp)


@dataclass
class PairedTest:
    """A paired two-sided test of ``mean(a - b) == 0`` over the cases both models scored."""

    n: int
    mean_diff: float
    p_value: float
    exact: bool


def paired_permutation_test(
    a: np.ndarray, b: np.ndarray, n_resamples: int = 10_000, seed: int = DEFAULT_SEED
) -> PairedTest:
    """Sign-flip permutation test of the mean per-case difference ``d = a - b``.

    Under the null hypothesis that the two models are exchangeable on every case, each
    difference is as likely negative as positive. The two-sided p-value is the share of sign
    patterns ``s`` (``s_c = +-1``) with ``|mean(s * d)| >= |mean(d)|``: over all ``2**n``
    patterns when ``2**n <= n_resamples`` (exact), else over ``n_resamples`` random patterns
    drawn with ``seed``, counting the observed pattern too (``(k + 1) / (n_resamples + 1)``,
    so a p-value is never 0). These are the conventions of ``scipy.stats.permutation_test``
    with ``permutation_type="samples"``; it is done here as one matrix product because scipy's
    generic loop takes about 0.3 s per pair. Cases where either value is ``NaN`` are left out;
    with no case left, or every difference 0, the p-value is 1.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    keep = ~(np.isnan(a) | np.isnan(b))
    d = a[keep] - b[keep]
    n = int(d.size)
    if n == 0 or np.all(d == 0):
        return PairedTest(n, float(d.mean()) if n else float("nan"), 1.0, True)
    observed = abs(float(d.mean()))
    tol = 1e-12 * max(1.0, observed)
    exact = 2**n <= n_resamples
    if exact:
        bits = (np.arange(2**n)[:, None] >> np.arange(n)[None, :]) & 1
        signs = 1.0 - 2.0 * bits
    else:
        signs = np.random.default_rng(seed).choice([-1.0, 1.0], size=(n_resamples, n))
    extreme = int(np.sum(np.abs(signs @ d) / n >= observed - tol))
    p = extreme / signs.shape[0] if exact else (extreme + 1) / (n_resamples + 1)
    return PairedTest(n, float(d.mean()), float(min(1.0, p)), exact)


def holm_adjust(p_values: list[float]) -> list[float]:
    """Holm–Bonferroni adjusted p-values (family-wise error control over all the pairs):
    the k-th smallest of m p-values becomes ``max_{j<=k} min(1, (m - j + 1) p_(j))``."""
    p = np.asarray(p_values, dtype=float)
    m = p.size
    order = np.argsort(p, kind="stable")
    adjusted = np.empty(m)
    running = 0.0
    for rank, idx in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[idx]))
        adjusted[idx] = running
    return adjusted.tolist()
