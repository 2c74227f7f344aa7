"""Figures for continuous axes: epochs and success rate against the parameter.

One panel per continuous axis (see :mod:`sweeps.report.kinds` for the rule). Every
run is a point at its own parameter value: converged runs at their epochs to
threshold, censored runs at the budget, diverged runs above it, each with its own
marker, coloured by the hue (a categorical axis). The trend is binned: bins of
equal run counts along the (log) parameter, per hue level, drawn only where a bin
holds at least :data:`~sweeps.report.kinds.MIN_RUNS` runs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import PercentFormatter

from sweeps.results.read import ResultsDir
from sweeps.stats import levels as lv
from sweeps.stats.survival import cell_stats, time_to_event

from . import style as st
from .figures import DPI, Plot, Roles, save
from .kinds import MIN_RUNS, log_scaled

__all__ = ["MAX_AXES", "MAX_BINS", "MAX_POINTS", "binned", "continuous_figures"]

MAX_AXES = 6  # panels per figure (three to a row): the image stays under 2,000 px
MAX_BINS = 12
MAX_POINTS = 2000  # points drawn per panel (a random sample); the trend uses every run
DIVERGED_AT = 1.45  # diverged runs are drawn this factor above the budget


def binned(values: np.ndarray, log: bool, min_runs: int = MIN_RUNS) -> np.ndarray:
    """Bin index of each value: bins of about equal counts, as many as keep at least
    ``min_runs`` runs in each (at most :data:`MAX_BINS`); -1 for a NaN value."""
    v = np.log10(values) if log else values.astype(np.float64)
    ok = np.isfinite(v)
    out = np.full(len(v), -1)
    n_bins = int(np.clip(ok.sum() // min_runs, 1, MAX_BINS))
    if not ok.any():
        return out
    edges = np.unique(np.quantile(v[ok], np.linspace(0, 1, n_bins + 1)))
    out[ok] = np.clip(np.searchsorted(edges, v[ok], side="right") - 1, 0, max(len(edges) - 2, 0))
    return out


def _bin_stats(rows: pd.DataFrame, axis: str, log: bool, max_epochs: int) -> pd.DataFrame:
    """Per bin with enough runs: centre (median parameter), runs, success and KM median."""
    idx = binned(rows[axis].to_numpy(dtype=np.float64, na_value=np.nan), log)
    out = []
    for b in np.unique(idx[idx >= 0]):
        cell = rows[idx == b]
        if len(cell) >= MIN_RUNS:
            centre = float(np.median(cell[axis].to_numpy(dtype=np.float64)))
            out.append({"x": centre, **cell_stats(cell, max_epochs)})
    return pd.DataFrame(out)


def _hue_groups(runs: pd.DataFrame, hue: str | None, palette: dict):
    for value in lv.levels(runs, hue):
        label = lv.level_label(value) if hue else "all runs"
        yield label, palette.get(label, "C0"), lv.select(runs, hue, value)


def _sample(rows: pd.DataFrame, n: int) -> pd.DataFrame:
    return rows if len(rows) <= n else rows.sample(n=n, random_state=0)


def epochs_panel(ax: Axes, res: ResultsDir, axis: str, hue: str | None, palette: dict, cap: int):
    """Scatter of epochs to threshold against ``axis``; binned KM median and its interval."""
    m = res.max_epochs
    log = log_scaled(res, axis)
    for label, colour, rows in _hue_groups(res.runs, hue, palette):
        shown = _sample(rows, cap)
        time, event = time_to_event(shown, m)
        x = shown[axis].to_numpy(dtype=np.float64, na_value=np.nan)
        diverged = (shown["status"] == "diverged").to_numpy()
        censored = ~event & ~diverged
        ax.scatter(x[event], np.clip(time[event], 1, None), s=9, color=colour, alpha=0.55, lw=0)
        ax.scatter(x[censored], np.full(censored.sum(), m), s=22, marker="X", color=colour,
                   alpha=0.6, lw=0)  # fmt: skip
        ax.scatter(x[diverged], np.full(diverged.sum(), m * DIVERGED_AT), s=20, marker="^",
                   color=colour, alpha=0.6, lw=0)  # fmt: skip
        bins = _bin_stats(rows, axis, log, m)
        if len(bins):
            mid = bins["km_median"].fillna(m).clip(upper=m)
            lo = bins["km_median_lo"].fillna(m).clip(upper=m)
            hi = bins["km_median_hi"].fillna(m).clip(upper=m)
            ax.fill_between(bins["x"], lo, hi, color=colour, alpha=0.18, lw=0)
            ax.plot(bins["x"], mid, color=colour, lw=2, marker="o", ms=3.5, label=label)
    ax.axhline(m, color="0.4", ls=":", lw=1)
    ax.set_yscale("log")
    ax.set_ylim(top=m * DIVERGED_AT * 1.3)
    st.epoch_ticks(ax, "y", span=m)
    _x_scale(ax, log)
    ax.set_xlabel(st.axis_label(axis) + (" (log scale)" if log else ""))


def success_panel(ax: Axes, res: ResultsDir, axis: str, hue: str | None, palette: dict):
    """Binned success rate against ``axis`` with its Wilson 95% band, per hue level."""
    log = log_scaled(res, axis)
    for label, colour, rows in _hue_groups(res.runs, hue, palette):
        bins = _bin_stats(rows, axis, log, res.max_epochs)
        if len(bins):
            ax.fill_between(bins["x"], bins["success_lo"], bins["success_hi"], color=colour,
                            alpha=0.18, lw=0)  # fmt: skip
            ax.plot(bins["x"], bins["success_rate"], color=colour, lw=2, marker="o", ms=3.5,
                    label=label)  # fmt: skip
        x = rows[axis].to_numpy(dtype=np.float64, na_value=np.nan)
        ax.plot(x, np.full(len(x), -0.04), "|", color=colour, ms=5, alpha=0.4)  # a rug
    ax.set_ylim(-0.08, 1.04)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    _x_scale(ax, log)
    ax.set_xlabel(st.axis_label(axis) + (" (log scale)" if log else ""))


def _x_scale(ax: Axes, log: bool) -> None:
    if log:
        ax.set_xscale("log")
        st.few_minor_ticks(ax.xaxis)


def _grid(n: int) -> tuple[Figure, np.ndarray]:
    ncols = min(n, 3)
    nrows = -(-n // ncols)
    fig = Figure(figsize=(4.3 * ncols + 1.9, 3.3 * nrows + 0.8), layout="constrained", dpi=DPI)
    axs = fig.subplots(nrows, ncols, squeeze=False, sharey=True)
    for ax in axs.flat[n:]:
        ax.set_visible(False)
    return fig, axs


def _legend(fig: Figure, r: Roles, palette: dict, marks: bool) -> None:
    if r.hue is not None:
        handles = [Line2D([], [], color=c, lw=2.5, label=k) for k, c in palette.items()]
        fig.legend(handles=handles, title=st.axis_label(r.hue), loc="outside right upper",
                   frameon=False)  # fmt: skip
    if marks:
        runs = [
            Line2D([], [], ls="", marker="o", color="0.3", ms=4, label="converged"),
            Line2D([], [], ls="", marker="X", color="0.3", ms=6, label="censored\n(at budget)"),
            Line2D([], [], ls="", marker="^", color="0.3", ms=6, label="diverged\n(above)"),
        ]
        fig.legend(handles=runs, title="runs", loc="outside right lower", frameon=False)


def continuous_figures(
    res: ResultsDir, r: Roles, palette: dict, axes: list[str]
) -> tuple[list[Plot], str]:
    """Epochs and success against each continuous axis; ``([], "")`` when there is none."""
    if not axes:
        return [], ""
    shown = axes[:MAX_AXES]
    note = (
        f"Only the first {MAX_AXES} of {len(axes)} continuous axes are drawn against epochs "
        "and success, to keep each image readable."
        if len(axes) > MAX_AXES
        else ""
    )
    hue_note = f" One colour per {st.axis_label(r.hue)}." if r.hue else ""
    fig, axs = _grid(len(shown))
    for ax, a in zip(axs.flat, shown, strict=False):
        epochs_panel(ax, res, a, r.hue, palette, MAX_POINTS)
    axs[0, 0].set_ylabel("epochs to threshold (log scale)")
    _legend(fig, r, palette, marks=True)
    fig.suptitle("Epochs to threshold against each continuous axis", fontsize=12, x=0.02,
                 ha="left")  # fmt: skip
    epochs = Plot(
        "epochs_vs", "Epochs against the continuous axes",
        "Each dot is a run at its own parameter value: converged runs at their epochs to "
        f"threshold, censored runs (crosses) at the budget of {res.max_epochs:,} epochs "
        "(dotted line), diverged runs (triangles) above it. The line is the Kaplan–Meier "
        f"median of bins of about equal counts (at least {MIN_RUNS} runs each), drawn at "
        "each bin's median parameter, with its 95% interval (band); a median at the line "
        "means half or more of the bin never converged. Every other axis is pooled. At most "
        f"{MAX_POINTS:,} dots per colour are drawn (a random sample); the bins use every run."
        + hue_note,
        save(fig, res, "epochs_vs"),
    )  # fmt: skip
    fig, axs = _grid(len(shown))
    for ax, a in zip(axs.flat, shown, strict=False):
        success_panel(ax, res, a, r.hue, palette)
    axs[0, 0].set_ylabel("runs that reached the threshold")
    _legend(fig, r, palette, marks=False)
    fig.suptitle("Success rate against each continuous axis", fontsize=12, x=0.02, ha="left")
    success = Plot(
        "success_vs", "Success against the continuous axes",
        "Share of runs that reached the threshold within the budget, in bins of about equal "
        f"counts (at least {MIN_RUNS} runs each) along the parameter, with its Wilson 95% "
        "interval (band); the ticks at the bottom are the runs' parameter values. Every "
        "other axis is pooled." + hue_note,
        save(fig, res, "success_vs"),
    )  # fmt: skip
    return [epochs, success], note
