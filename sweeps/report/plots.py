"""The single plot functions of a report: one panel each, from a tidy table.

Each draws one panel from a tidy table and column names and returns its Axes
(seaborn style: ``ax=None`` draws on the current Axes). The faceted figures and
their captions are assembled in :mod:`sweeps.report.figures` and
:mod:`sweeps.report.heatmaps`.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.colors import Normalize
from matplotlib.ticker import PercentFormatter

from sweeps.stats.levels import level_label, levels, select
from sweeps.stats.survival import kaplan_meier, time_to_event

from .style import EPOCH_LABEL, axis_label, compact, epoch_ticks, few_minor_ticks, palette_for

__all__ = ["HEATMAP_STYLE", "epochs_plot", "heatmap_plot", "loss_curve_plot", "survival_plot"]

HEATMAP_STYLE = {"edgecolors": "white", "linewidth": 0.5}


SURVIVAL_STYLES = [("-", "o"), ("--", "s"), (":", "D"), ("-.", "^")]


def _ax(ax: Axes | None) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.gca()


def survival_plot(
    runs: pd.DataFrame,
    *,
    max_epochs: int,
    hue: str | None = None,
    palette: dict | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Kaplan–Meier curves: share of runs not yet at the threshold vs epoch (log x).

    One step line per ``hue`` level with its 95% band; runs that did not converge
    (censored or diverged) stay in the curve until ``max_epochs``.
    """
    ax = _ax(ax)
    palette = palette or palette_for(runs, hue)
    for k, value in enumerate(levels(runs, hue)):
        rows = select(runs, hue, value)
        if rows.empty:
            continue
        km = kaplan_meier(*time_to_event(rows, max_epochs))
        t = km.times[(km.times >= 1) & (km.times < max_epochs)]
        x = np.r_[1.0, t, max_epochs]
        probe = np.r_[0.0, t, max_epochs]
        i = np.searchsorted(km.times, probe, side="right")
        s, lo, hi = (np.r_[1.0, a][i] for a in (km.surv, km.lo, km.hi))
        label = level_label(value) if hue else "all runs"
        colour = palette.get(label, "C0")
        ax.fill_between(x, lo, hi, step="post", color=colour, alpha=0.2, lw=0)
        # Curves that coincide (all at 100% until the budget) must not hide each other:
        # each later level is drawn on top, thinner and dashed, with its own end marker.
        k = list(palette).index(label) if label in palette else k  # same style in every panel
        style = SURVIVAL_STYLES[k % len(SURVIVAL_STYLES)]
        ax.step(x, s, where="post", color=colour, lw=2.6 - 0.5 * min(k, 3), ls=style[0],
                label=label, zorder=2 + k)  # fmt: skip
        ax.plot(x[-1], s[-1], marker=style[1], color=colour, ms=6, zorder=2 + k, clip_on=False)
    ax.set_xscale("log")
    ax.set_xlim(1, max_epochs)
    ax.set_ylim(-0.02, 1.02)
    epoch_ticks(ax, span=max_epochs)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set(xlabel=EPOCH_LABEL, ylabel="runs not yet at threshold")
    return ax


def loss_curve_plot(
    runs: pd.DataFrame,
    epochs: np.ndarray,
    loss: np.ndarray,
    *,
    hue: str | None = None,
    palette: dict | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Median training loss with its interquartile band per ``hue`` level, log-log.

    ``loss`` is ``(len(runs), len(epochs))``, aligned with ``runs`` (see
    :func:`sweeps.results.read.read_curves`: a stopped run keeps its last loss).
    """
    ax = _ax(ax)
    palette = palette or palette_for(runs, hue)
    positions = pd.Series(np.arange(len(runs)), index=runs.index)
    for value in levels(runs, hue):
        rows = positions[select(runs, hue, value).index].to_numpy()
        block = loss[rows]
        block = block[~np.isnan(block).all(axis=1)]
        if len(block) == 0:
            continue
        # Quantiles without interpolation: a diverged run's inf never turns into NaN.
        q = np.nanquantile(block, [0.25, 0.5, 0.75], axis=0, method="inverted_cdf")
        label = level_label(value) if hue else "all runs"
        colour = palette.get(label, "C0")
        ax.fill_between(epochs, q[0], q[2], color=colour, alpha=0.2, lw=0)
        ax.plot(epochs, q[1], color=colour, lw=1.8, label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    epoch_ticks(ax)
    few_minor_ticks(ax.yaxis)
    ax.set(xlabel=EPOCH_LABEL, ylabel="training loss")
    return ax


def heatmap_plot(
    summary: pd.DataFrame,
    *,
    x: str,
    y: str,
    value: str,
    max_epochs: int,
    norm: Normalize,
    cmap: str,
    labels: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """One heatmap of ``value`` (``success_rate``, ``km_median`` ...) over ``x`` and ``y``.

    ``summary`` has one row per (x, y) cell, e.g. from :func:`sweeps.stats.survival.summarize`;
    ``labels`` names a column with each cell's text (default: the value, compact).
    A NaN value (a median that was not reached) is drawn hatched grey and labelled
    "> max" (or its ``labels`` text), never as a number. ``y`` runs upwards.
    """
    ax = _ax(ax)
    xs, ys = levels(summary, x), levels(summary, y)[::-1]
    cells = _heat_cells(summary, x, y, value, labels, xs, ys)
    grid = np.array([[c[0] if c else np.nan for c in row] for row in cells], dtype=np.float64)
    # Drawn directly rather than with seaborn's heatmap, which draws the whole figure
    # again for every panel to decide whether its tick labels overlap.
    ax.pcolormesh(np.ma.masked_invalid(grid), cmap=cmap, norm=norm, **HEATMAP_STYLE)
    colours = colormaps[cmap](norm(np.nan_to_num(grid, nan=norm.vmin or 1.0)))
    for i, j in np.ndindex(grid.shape):
        if np.isnan(grid[i, j]) and cells[i][j] is not None:
            ax.add_patch(_hatched(j, i))  # an unreached median: hatched, with its text
        ink = "0.15" if np.isnan(grid[i, j]) or _luminance(colours[i, j]) > 0.408 else "white"
        ax.text(j + 0.5, i + 0.5, _cell_text(cells[i][j], value, max_epochs), ha="center",
                va="center", fontsize=8, color=ink)  # fmt: skip
    ax.set_xticks(np.arange(len(xs)) + 0.5, [level_label(v) for v in xs])
    ax.set_yticks(np.arange(len(ys)) + 0.5, [level_label(v) for v in ys])
    ax.set(xlim=(0, len(xs)), ylim=(len(ys), 0), xlabel=axis_label(x), ylabel=axis_label(y))
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return ax


def _luminance(rgba) -> float:
    """Relative luminance (as seaborn picks dark or light cell text)."""
    rgb = np.asarray(rgba[:3])
    rgb = np.where(rgb <= 0.03928, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return float(rgb @ [0.2126, 0.7152, 0.0722])


def _heat_cells(summary, x, y, value, labels, xs, ys) -> list[list[tuple | None]]:
    """``(value, label)`` per cell, rows top (last y level) to bottom; None: no runs."""
    text_col = summary[labels] if labels else pd.Series([None] * len(summary), summary.index)
    at = {
        (level_label(yv), level_label(xv)): (v, t)
        for yv, xv, v, t in zip(summary[y], summary[x], summary[value], text_col, strict=True)
    }
    return [[at.get((level_label(yv), level_label(xv))) for xv in xs] for yv in ys]


def _cell_text(cell: tuple | None, value: str, max_epochs: int) -> str:
    if cell is None:
        return "no runs"
    v, given = cell
    if given is not None:
        return str(given)
    if not np.isfinite(v):
        return f"> {compact(max_epochs)}"
    return f"{100 * v:.0f}%" if value == "success_rate" else compact(v)


def _hatched(j: int, i: int):
    from matplotlib.patches import Rectangle

    return Rectangle((j, i), 1, 1, facecolor="0.85", edgecolor="0.6", hatch="///", lw=0)


def epochs_plot(
    runs: pd.DataFrame,
    *,
    max_epochs: int,
    x: str | None = None,
    hue: str | None = None,
    palette: dict | None = None,
    strip_max: int = 150,
    ax: Axes | None = None,
) -> Axes:
    """Epochs to threshold: boxes over every run, runs that never got there at the cap.

    Boxes include the runs that did not converge at the budget, so a box that
    touches the cap means a quarter or more of its runs never reached the threshold.
    Dots are converged runs, crosses the others (at most ``strip_max`` of each per box).
    """
    ax = _ax(ax)
    palette = palette or palette_for(runs, hue)
    df = _epochs_frame(runs, x, hue, max_epochs)
    hue_order = [level_label(v) for v in levels(runs, hue)] if hue else ["all runs"]
    common = dict(x="x", y="epochs", hue="hue", hue_order=hue_order, dodge=True, legend=False)
    common.update(ax=ax, order=[level_label(v) for v in levels(runs, x)] if x else ["all runs"])
    common.update(palette={h: palette.get(h, "C0") for h in hue_order})
    with warnings.catch_warnings():
        # seaborn 0.13 still passes vert= to matplotlib >= 3.11, which deprecates it.
        warnings.filterwarnings("ignore", message="vert: bool", category=DeprecationWarning)
        sns.boxplot(df, **common, log_scale=(False, True), showfliers=False, fill=False,
                    linewidth=1.2, width=0.7)  # fmt: skip
    shuffled = df.sample(frac=1.0, random_state=0)
    shown = shuffled.groupby(["x", "hue", "reached"], sort=False).head(strip_max)
    for reached, marker, size in ((True, "o", 3), (False, "X", 5)):
        part = shown[shown["reached"] == reached]
        if len(part):
            sns.stripplot(part, **common, marker=marker, size=size, alpha=0.5, jitter=0.2,
                          linewidth=0)  # fmt: skip
    ax.axhline(max_epochs, color="0.4", ls=":", lw=1)
    ax.set_ylim(top=max_epochs * 1.6)
    epoch_ticks(ax, "y", span=max_epochs / df["epochs"].min())
    ax.set(xlabel=axis_label(x) if x else "", ylabel="epochs to threshold (log scale)")
    return ax


def _epochs_frame(runs: pd.DataFrame, x: str | None, hue: str | None, max_epochs: int):
    """One row per run: its x and hue labels, epochs (the cap if never reached, >= 1)."""
    time, event = time_to_event(runs, max_epochs)
    return pd.DataFrame(
        {
            "x": [level_label(v) for v in runs[x]] if x else "all runs",
            "hue": [level_label(v) for v in runs[hue]] if hue else "all runs",
            "epochs": np.clip(np.minimum(time, max_epochs), 1, None),
            "reached": event,
        }
    )
