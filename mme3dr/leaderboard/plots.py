"""Plots of the leaderboard tables, as standalone SVG documents (bytes).

The report embeds each one as ``<img src="data:image/svg+xml;base64,...">``: an SVG inside an
``<img>`` can run no script and load nothing, whatever text (model names) it contains. Text
is drawn as paths (``svg.fonttype = "path"``), so no font is needed to view it, and math-text
parsing is off so a ``$`` in a model name is shown as typed. One colour per model, in the order
the models were given, is used by every plot.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

STYLE = {
    "svg.fonttype": "path",
    "svg.hashsalt": "mme3dr-leaderboard",
    "text.parse_math": False,
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
}
MAX_LABEL = 28


def model_colors(names: list[str]) -> dict[str, str]:
    """A fixed colour per model (matplotlib's ``tab10``, then ``tab20``)."""
    cmap = plt.get_cmap("tab10" if len(names) <= 10 else "tab20")
    return {n: matplotlib.colors.to_hex(cmap(i % cmap.N)) for i, n in enumerate(names)}


def short(label: str, limit: int = MAX_LABEL) -> str:
    """A label cut to ``limit`` characters (with an ellipsis)."""
    return label if len(label) <= limit else label[: limit - 1] + "…"


def to_svg(fig: plt.Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    return buf.getvalue()


def _err(df: pd.DataFrame) -> np.ndarray:
    score = df["score"].to_numpy(dtype=float)
    lo = np.nan_to_num(score - df["ci_low"].to_numpy(dtype=float))
    hi = np.nan_to_num(df["ci_high"].to_numpy(dtype=float) - score)
    return np.vstack([np.maximum(lo, 0), np.maximum(hi, 0)])


def grouped_bars(
    df: pd.DataFrame, names: list[str], title: str, ylabel: str = "mean score"
) -> bytes:
    """Bars of ``score`` per ``group`` (x) and model (colour) with interval whiskers."""
    colors = model_colors(names)
    groups = list(dict.fromkeys(df["group"]))
    with plt.rc_context(STYLE):
        width_in = max(4.5, 0.9 * len(groups) * max(1, len(names)) ** 0.5 + 1.5)
        fig, ax = plt.subplots(figsize=(width_in, 3.4))
        width = 0.8 / max(1, len(names))
        x = np.arange(len(groups))
        for k, name in enumerate(names):
            sub = df[df["model"] == name].set_index("group").reindex(groups)
            ax.bar(
                x + (k - (len(names) - 1) / 2) * width,
                sub["score"].to_numpy(dtype=float),
                width * 0.92,
                yerr=_err(sub),
                capsize=2,
                color=colors[name],
                label=short(name),
                error_kw={"elinewidth": 0.8, "ecolor": "#333"},
            )
        ax.set_xticks(x, [g.replace("_", " ") for g in groups])
        ax.set_ylim(0, 1.05)
        ax.set_ylabel(ylabel)
        ax.set_title(title, loc="left")
        ax.grid(axis="y", alpha=0.3)
        ax.legend(
            frameon=False,
            fontsize=8,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.1),
            ncol=min(3, len(names)),
        )
        return to_svg(fig)


def overall_bars(df: pd.DataFrame, names: list[str], title: str) -> bytes:
    """Horizontal bars of each model's overall score, best on top, with interval whiskers."""
    colors = model_colors(names)
    d = df.iloc[::-1]
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(5.2, 0.45 * len(d) + 0.9))
        y = np.arange(len(d))
        ax.barh(
            y,
            d["score"].to_numpy(dtype=float),
            0.6,
            xerr=_err(d),
            capsize=3,
            color=[colors[n] for n in d["model"]],
            error_kw={"elinewidth": 0.9},
        )
        ax.set_yticks(y, [short(n) for n in d["model"]])
        ax.set_xlim(0, 1.0)
        ax.set_title(title, loc="left")
        ax.grid(axis="x", alpha=0.3)
        return to_svg(fig)


def radar(df: pd.DataFrame, names: list[str], title: str) -> bytes:
    """One closed line per model over the groups (categories), radius = score."""
    colors = model_colors(names)
    groups = list(dict.fromkeys(df["group"]))
    angles = np.linspace(0, 2 * np.pi, len(groups), endpoint=False)
    with plt.rc_context(STYLE):
        fig = plt.figure(figsize=(5.4, 4.2))
        ax = fig.add_subplot(projection="polar")
        for name in names:
            sub = df[df["model"] == name].set_index("group").reindex(groups)
            vals = np.nan_to_num(sub["score"].to_numpy(dtype=float))
            ax.plot(
                np.r_[angles, angles[:1]],
                np.r_[vals, vals[:1]],
                color=colors[name],
                lw=1.6,
                label=short(name),
            )
            ax.fill(
                np.r_[angles, angles[:1]], np.r_[vals, vals[:1]], color=colors[name], alpha=0.08
            )
        ax.set_xticks(angles, [g.replace("_", "\n") for g in groups], fontsize=8)
        ax.set_ylim(0, 1)
        ax.set_yticks([0.25, 0.5, 0.75, 1.0], ["", "0.5", "", "1"], fontsize=7)
        ax.spines["polar"].set_visible(False)
        ax.set_title(title, loc="left")
        ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.05, 1.05))
        return to_svg(fig)


def check_heatmap(df: pd.DataFrame, names: list[str], title: str) -> bytes:
    """Models (rows) x checks (columns), cell = pass rate, annotated in percent."""
    checks = list(dict.fromkeys(df["group"]))
    mat = (
        df.pivot(index="model", columns="group", values="score")
        .reindex(index=names, columns=checks)
        .to_numpy(dtype=float)
    )
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(
            figsize=(max(4.0, 0.55 * len(checks) + 2.5), max(1.6, 0.42 * len(names) + 1.3))
        )
        ax.imshow(mat, cmap="RdYlGn", vmin=0, vmax=1, aspect="auto")
        for i in range(mat.shape[0]):
            for j in range(mat.shape[1]):
                v = mat[i, j]
                ax.text(
                    j,
                    i,
                    "—" if np.isnan(v) else f"{100 * v:.0f}",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="black",
                )
        ax.set_xticks(range(len(checks)), checks, rotation=45, ha="right")
        ax.set_yticks(range(len(names)), [short(n) for n in names])
        ax.set_title(title, loc="left")
        for s in ax.spines.values():
            s.set_visible(False)
        return to_svg(fig)


def paraphrase_gap(df: pd.DataFrame, names: list[str], title: str) -> bytes:
    """Horizontal bars of the gap (original minus paraphrase) per model, with intervals."""
    colors = model_colors(names)
    d = df.set_index("model").reindex(names).reset_index().iloc[::-1]
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(5.2, 0.45 * len(d) + 1.0))
        y = np.arange(len(d))
        ax.barh(
            y,
            d["score"].to_numpy(dtype=float),
            0.6,
            xerr=_err(d),
            capsize=3,
            color=[colors[n] for n in d["model"]],
        )
        ax.axvline(0, color="#333", lw=0.8)
        ax.set_yticks(y, [short(n) for n in d["model"]])
        ax.set_xlabel("original − paraphrase (overall score)")
        ax.set_title(title, loc="left")
        ax.grid(axis="x", alpha=0.3)
        return to_svg(fig)
