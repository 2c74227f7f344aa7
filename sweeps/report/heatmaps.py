"""The report's heatmaps: success rate and median epochs over two axes.

One panel per hue level (wrapped to keep the figure readable), one row per
``col`` level; every other axis is pooled, and the caption says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.cm import ScalarMappable
from matplotlib.colors import LogNorm, Normalize
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter, PercentFormatter

from sweeps.results.read import ResultsDir
from sweeps.stats import levels as lv
from sweeps.stats.compare import compare, median_ratio
from sweeps.stats.survival import format_ratio, summarize

from . import plots as rp
from . import style as st
from .figures import DPI, Plot, Roles, pooled_note, save
from .kinds import MIN_RUNS

__all__ = ["heatmap_figures", "ratio_figure"]


@dataclass(frozen=True)
class _Kind:
    """One heatmap figure: the summary column it shows and how."""

    name: str
    value: str
    title: str
    norm: Normalize
    cmap: str
    label: str
    text: str


def _kinds(max_epochs: int, summary: pd.DataFrame) -> list[_Kind]:
    medians = summary["km_median"].to_numpy()
    low = np.nanmin(medians[medians > 0]) if (medians > 0).any() else 1.0
    unreached = (
        "Median epochs to threshold (Kaplan–Meier; not-converged runs count as censored at "
        f"the budget). Hatched cells '> {st.compact(max_epochs)}': fewer than half the runs "
        "converged, so the median is only known to exceed the budget."
    )
    return [
        _Kind("success", "success_rate", "Share of runs that reached the threshold",
              Normalize(0, 1), "viridis", "success rate",
              "Share of runs that reached the threshold within the budget, per cell."),
        _Kind("median", "km_median", "Median epochs to threshold",
              LogNorm(min(low, max_epochs / 10), max_epochs), "mako_r", "median epochs",
              unreached),
    ]  # fmt: skip


def heatmap_figures(res: ResultsDir, r: Roles) -> tuple[list[Plot], str]:
    """Success-rate and median-epochs heatmaps (and the ratio of two hue levels' medians);
    ``([], reason)`` when they cannot be drawn."""
    if r.x is None:
        return [], "Heatmaps need two categorical axes; this sweep has fewer."
    x, y, panel_axis = r.x, r.y, r.hue
    if y is None:  # one axis besides the hue: the hue levels become the rows
        y, panel_axis = r.hue, None
    row_axis = r.col if r.col not in (x, y, panel_axis) else None
    by = [a for a in dict.fromkeys([row_axis, panel_axis, y, x]) if a]
    summary = summarize(res.runs, by, res.max_epochs)
    pooled = pooled_note(r, tuple(by))
    plots = []
    for k in _kinds(res.max_epochs, summary):
        fig = _heatmap_grid(res, summary, x, y, panel_axis, row_axis, k.value, k.norm, k.cmap)
        bar = fig.colorbar(ScalarMappable(k.norm, k.cmap), ax=fig.axes, shrink=0.9, label=k.label)
        if k.value == "success_rate":
            bar.ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        else:
            st.epoch_ticks(bar.ax, "y", span=k.norm.vmax / k.norm.vmin)
        fig.suptitle(k.title, fontsize=12)
        panels = f" One panel per {st.axis_label(panel_axis)}." if panel_axis else ""
        path = save(fig, res, f"heatmap_{k.name}")
        plots.append(Plot(f"heatmap_{k.name}", k.title, k.text + panels + pooled, path))
    n_hue = len(lv.levels(res.runs, panel_axis)) if panel_axis else 0
    if n_hue == 2:
        plots.append(ratio_figure(res, r, x, y, row_axis, pooled))
    elif n_hue > 2:
        why = (
            f"No ratio heatmap: {panel_axis} has {n_hue} levels and a ratio compares two; "
            f"nnsweep compare DIR --by {panel_axis} gives every pair."
        )
        return plots, why
    return plots, ""


def ratio_figure(res: ResultsDir, r: Roles, x: str, y: str, row_axis, pooled: str) -> Plot:
    """How many times the median epochs of the slower hue level the faster one needs."""
    speed = summarize(res.runs, [r.hue], res.max_epochs).sort_values("rmst", kind="stable")
    fast, slow = (lv.level_label(v) for v in speed[r.hue])
    # Numbers need their axis to be read: "lr 0.1 ÷ lr 1"; names name themselves.
    named = r.hue == "hidden" or pd.api.types.is_numeric_dtype(res.runs[r.hue])
    fast_name, slow_name = (f"{r.hue} {v}" if named else v for v in (fast, slow))
    table = _ratio_table(res, r.hue, [a for a in (row_axis, y, x) if a], fast)
    finite = table["ratio"][np.isfinite(table["ratio"]) & (table["ratio"] > 0)]
    top = float(np.clip(np.exp(np.abs(np.log(finite)).max()) if len(finite) else 2, 2, 1e3))
    norm = LogNorm(1 / top, top)
    fig = _heatmap_grid(res, table, x, y, None, row_axis, "ratio", norm, "vlag", "text")
    bar = fig.colorbar(ScalarMappable(norm, "vlag"), ax=fig.axes, shrink=0.9,
                       label=f"median epochs, {slow_name} ÷ {fast_name}")  # fmt: skip
    ticks = [t for t in (1 / 100, 1 / 10, 1 / 3, 1 / 2, 1, 2, 3, 10, 100) if 1 / top <= t <= top]
    bar.ax.yaxis.set_major_locator(FixedLocator(ticks))
    bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{format_ratio(v)}×"))
    bar.ax.yaxis.set_minor_formatter(NullFormatter())
    title = f"Median epochs, {slow_name} ÷ {fast_name}"
    fig.suptitle(title, fontsize=12)
    caption = (
        f"Ratio of Kaplan–Meier median epochs to threshold, {slow_name} over {fast_name}, per "
        f"cell: 3× means {slow_name} needed three times as many epochs as {fast_name}; red: "
        f"{slow_name} slower, blue: {slow_name} faster. Hatched cells: a median exceeds the "
        "budget, so only a bound is known ('> x' or '< x'), or both do ('n/a'); "
        f"'< {MIN_RUNS} runs': too few runs on a side to compare. Log-rank "
        f"tests per cell: nnsweep compare DIR --by {r.hue}." + pooled
    )
    return Plot("heatmap_ratio", title, caption, save(fig, res, "heatmap_ratio"))


def _ratio_table(res: ResultsDir, hue: str, cells: list[str], fast: str) -> pd.DataFrame:
    """Per cell: the slow / fast median ratio (NaN when bounded) and its text."""
    table = compare(res.runs, hue, [hue, *cells], res.max_epochs)
    flip = table["level_a"] == fast  # orient every row as slow / fast
    slow_m = np.where(flip, table["median_b"], table["median_a"])
    fast_m = np.where(flip, table["median_a"], table["median_b"])
    pairs = [median_ratio(a, b, res.max_epochs) for a, b in zip(slow_m, fast_m, strict=True)]
    # A cell with too few runs on either side is drawn, but not compared.
    few = (np.minimum(table["runs_a"], table["runs_b"]) < MIN_RUNS).to_numpy()
    table["ratio"] = np.where(few, np.nan, [p[0] for p in pairs])
    table["text"] = [
        f"< {MIN_RUNS} runs" if f else _ratio_text(*p) for f, p in zip(few, pairs, strict=True)
    ]
    return table


def _ratio_text(ratio: float, note: str) -> str:
    if np.isfinite(ratio):
        return f"{format_ratio(ratio)}×"
    return f"{note.split(' (')[0]}×" if note[:1] in "<>" else "n/a"


def _heatmap_grid(
    res, summary, x, y, panel_axis, row_axis, value, norm, cmap, labels=None
) -> Figure:
    p_levels, r_levels = lv.levels(summary, panel_axis), lv.levels(summary, row_axis)
    nx, ny = len(lv.levels(summary, x)), len(lv.levels(summary, y))
    w, h = 0.62 * nx + 1.3, 0.42 * ny + 1.0
    # Without a row axis, wide panels wrap so that the figure stays about 16 inches wide.
    wrap = len(p_levels) if row_axis else max(1, min(len(p_levels), int(16 // w)))
    cells = [(rv, pv) for rv in r_levels for pv in p_levels]
    nrows = len(r_levels) if row_axis else -(-len(p_levels) // wrap)
    fig = Figure(
        figsize=(max(wrap * w + 1.4, 5.5), nrows * h + 0.8), layout="constrained", dpi=DPI
    )
    axs = fig.subplots(nrows, wrap, squeeze=False)
    for ax in axs.flat[len(cells) :]:
        ax.set_visible(False)
    for ax, (rv, pv) in zip(axs.flat, cells, strict=False):  # spare panels hidden above
        sub = lv.select(lv.select(summary, row_axis, rv), panel_axis, pv)
        if sub.empty:  # no runs at this (row, panel) pair: no panel rather than an empty one
            ax.set_visible(False)
            continue
        rp.heatmap_plot(
            sub,
            x=x,
            y=y,
            value=value,
            max_epochs=res.max_epochs,
            norm=norm,
            cmap=cmap,
            labels=labels,
            ax=ax,
        )
        parts = [f"{a}={lv.level_label(v)}" for a, v in ((panel_axis, pv), (row_axis, rv)) if a]
        ax.set_title(", ".join(parts), fontsize=10)
    return fig
