"""Views of several axes at once: two continuous axes in 2-D, and every axis in parallel.

The 2-D view puts every run at its two parameter values, coloured by its epochs to
threshold (censored and diverged runs with their own markers), one panel per hue
level. The parallel-coordinates view (as Optuna's ``plot_parallel_coordinate``) draws
one line per run through every axis and its epochs to threshold.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.cm import ScalarMappable
from matplotlib.collections import LineCollection
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

from sweeps.results.read import ResultsDir
from sweeps.stats import levels as lv
from sweeps.stats.survival import time_to_event

from . import style as st
from .continuous import MAX_POINTS
from .figures import DPI, Plot, Roles, save
from .kinds import log_scaled

__all__ = ["MAX_LINES", "MAX_PANELS_2D", "pair_figure", "parallel_figure"]

MAX_PANELS_2D = 6
MAX_LINES = 1000
CMAP = "viridis"


def _norm(res: ResultsDir) -> LogNorm:
    time, event = time_to_event(res.runs, res.max_epochs)
    low = float(np.nanmin(time[event])) if event.any() else 1.0
    return LogNorm(max(1.0, min(low, res.max_epochs / 10)), res.max_epochs)


def pair_figure(res: ResultsDir, r: Roles, x: str, y: str) -> tuple[Plot, str]:
    """Runs over two continuous axes, coloured by epochs to threshold; a panel per hue."""
    values = lv.levels(res.runs, r.hue)
    note = ""
    if len(values) > MAX_PANELS_2D:
        note = (f"The 2-D view shows the first {MAX_PANELS_2D} of {len(values)} levels of "
                f"{r.hue}.")  # fmt: skip
        values = values[:MAX_PANELS_2D]
    ncols = min(len(values), 3)
    nrows = -(-len(values) // ncols)
    fig = Figure(figsize=(4.2 * ncols + 1.4, 3.6 * nrows + 0.8), layout="constrained", dpi=DPI)
    axs = fig.subplots(nrows, ncols, squeeze=False, sharex=True, sharey=True)
    for ax in axs.flat[len(values) :]:
        ax.set_visible(False)
    norm = _norm(res)
    for ax, value in zip(axs.flat, values, strict=False):
        rows = lv.select(res.runs, r.hue, value)
        rows = rows if len(rows) <= MAX_POINTS else rows.sample(n=MAX_POINTS, random_state=0)
        _pair_panel(ax, rows, res.max_epochs, x, y, norm)
        ax.set_title(f"{r.hue}={lv.level_label(value)}" if r.hue else "all runs", fontsize=10)
        if log_scaled(res, x):
            ax.set_xscale("log")
            st.few_minor_ticks(ax.xaxis)
        if log_scaled(res, y):
            ax.set_yscale("log")
            st.few_minor_ticks(ax.yaxis)
    bar = fig.colorbar(ScalarMappable(norm, CMAP), ax=fig.axes, shrink=0.8,
                       label="epochs to threshold")  # fmt: skip
    st.epoch_ticks(bar.ax, "y", span=norm.vmax / norm.vmin)
    fig.supxlabel(st.axis_label(x), fontsize=10)
    fig.supylabel(st.axis_label(y), fontsize=10)
    fig.suptitle(f"Runs over {x} and {y}", fontsize=12, x=0.02, ha="left")
    caption = (
        f"Each run at its {x} and {y}: a dot coloured by its epochs to threshold when it "
        "converged, a grey cross when it was censored at the budget, a red triangle when it "
        "diverged. Every other axis is pooled"
        + (f"; one panel per {st.axis_label(r.hue)}." if r.hue else ".")
    )
    return Plot("pair", f"Runs over {x} and {y}", caption, save(fig, res, "pair")), note


def _pair_panel(ax, rows: pd.DataFrame, max_epochs: int, x: str, y: str, norm) -> None:
    time, event = time_to_event(rows, max_epochs)
    xs = rows[x].to_numpy(dtype=np.float64, na_value=np.nan)
    ys = rows[y].to_numpy(dtype=np.float64, na_value=np.nan)
    diverged = (rows["status"] == "diverged").to_numpy()
    censored = ~event & ~diverged
    ax.scatter(xs[censored], ys[censored], marker="X", s=26, color="0.55", lw=0)
    ax.scatter(xs[diverged], ys[diverged], marker="^", s=24, color="#c0392b", lw=0)
    ax.scatter(xs[event], ys[event], c=time[event], cmap=CMAP, norm=norm, s=18, lw=0)


def _coordinate(res: ResultsDir, axis: str, rng) -> tuple[np.ndarray, list, list[str]]:
    """An axis mapped to [0, 1]: ``(positions, tick positions, tick labels)``."""
    col = res.runs[axis]
    if pd.api.types.is_numeric_dtype(col) and col.nunique() > 1:
        v = col.to_numpy(dtype=np.float64, na_value=np.nan)
        log = log_scaled(res, axis)
        t = np.log10(v) if log else v
        lo, hi = np.nanmin(t), np.nanmax(t)
        pos = (t - lo) / (hi - lo)
        ticks = np.linspace(0, 1, 3)
        labels = [f"{(10 ** (lo + k * (hi - lo)) if log else lo + k * (hi - lo)):.3g}"
                  for k in ticks]  # fmt: skip
        return np.nan_to_num(pos, nan=0.0), list(ticks), labels
    values = lv.levels(res.runs, axis)
    index = {lv.level_label(v): i for i, v in enumerate(values)}
    spread = max(len(values) - 1, 1)
    code = np.array([index[lv.level_label(v)] for v in col], dtype=np.float64)
    jitter = rng.uniform(-0.12, 0.12, len(code)) if len(values) > 1 else 0.0
    return (code + jitter) / spread, [i / spread for i in range(len(values))], list(index)


def parallel_figure(res: ResultsDir, r: Roles) -> tuple[Plot, str]:
    """One line per run through every axis to its epochs to threshold (log)."""
    rng = np.random.default_rng(0)
    axes = res.axes
    coords = [_coordinate(res, a, rng) for a in axes]
    time, event = time_to_event(res.runs, res.max_epochs)
    norm = _norm(res)
    t = np.clip(np.where(event, time, res.max_epochs), norm.vmin, res.max_epochs)
    y_epochs = (np.log10(t) - np.log10(norm.vmin)) / np.log10(res.max_epochs / norm.vmin)
    ys = np.column_stack([c[0] for c in coords] + [y_epochs])
    keep = np.arange(len(ys))
    note = ""
    if len(keep) > MAX_LINES:
        keep = np.sort(rng.choice(len(ys), MAX_LINES, replace=False))
        note = (f"The parallel-coordinates view draws {MAX_LINES:,} of {len(ys):,} runs (a "
                "random sample).")  # fmt: skip
    xs = np.arange(ys.shape[1], dtype=np.float64)
    fig = Figure(figsize=(min(1.7 * len(xs) + 2.5, 17.0), 4.4), layout="constrained", dpi=DPI)
    ax = fig.subplots()
    order = keep[np.argsort(event[keep])]  # runs that never converged first, under the rest
    segs = [np.column_stack([xs, ys[i]]) for i in order]
    colours = ScalarMappable(norm, CMAP).to_rgba(np.clip(time[order], norm.vmin, None))
    colours[~event[order]] = (0.6, 0.6, 0.6, 0.5)
    ax.add_collection(LineCollection(segs, colors=colours, linewidths=0.7, alpha=0.55))
    for k, (_, ticks, labels) in enumerate(coords):
        ax.axvline(k, color="0.2", lw=0.8)
        for p, text in zip(ticks, labels, strict=True):
            ax.text(k + 0.04, p, text, fontsize=7.5, va="center", color="0.15")
    ax.axvline(len(axes), color="0.2", lw=0.8)
    ax.text(len(axes) + 0.04, 1.0, f"≥ {st.compact(res.max_epochs)}\n(never)", fontsize=7.5,
            va="center")  # fmt: skip
    ax.text(len(axes) + 0.04, 0.0, st.compact(norm.vmin), fontsize=7.5, va="center")
    ax.set_xticks(xs, [st.axis_label(a) for a in axes] + ["epochs to threshold\n(log)"])
    ax.set(xlim=(-0.1, len(axes) + 0.5), ylim=(-0.08, 1.08), yticks=[])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    bar = fig.colorbar(ScalarMappable(norm, CMAP), ax=ax, shrink=0.8, label="epochs to threshold")
    st.epoch_ticks(bar.ax, "y", span=norm.vmax / norm.vmin)
    fig.suptitle("Every axis at once (parallel coordinates)", fontsize=12, x=0.02, ha="left")
    caption = (
        "One line per run through its value on every axis (numbers from low to high, on a "
        "log scale where the axis is; names spread apart with a little jitter) to its "
        "epochs to threshold on the right, coloured by those epochs; grey lines never "
        f"converged within {res.max_epochs:,} epochs and end at the top."
    )
    return Plot("parallel", "Every axis at once", caption, save(fig, res, "parallel")), note
