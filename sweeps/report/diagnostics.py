"""The report's diagnostics section: per-layer metrics over epochs, and what they say.

Reads ``diagnostics.csv.gz`` (written by sweeps run with diagnostics; the metrics are
defined in :mod:`nncore.diagnostics`). One figure: a row per metric, a column per
layer position (hidden layer 1, 2 ..., output), the median per hue level with its
interquartile band over the runs still training at each epoch. One sentence, computed,
links them to the difference in time to threshold.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import PercentFormatter

from sweeps.config.params import parse_hidden
from sweeps.results.read import ResultsDir
from sweeps.stats import levels as lv
from sweeps.stats.survival import format_epochs, format_ratio, summarize

from . import style as st
from .figures import DPI, Plot, Roles, pooled_note, save
from .headline import level_name

__all__ = [
    "DiagTable", "FILE", "MIN_RUNS", "ROWS", "STILL_TRAINING", "diagnostics_figure",
    "diagnostics_sentence", "read_diagnostics",
]  # fmt: skip

FILE = "diagnostics.csv.gz"
MIN_RUNS = 5  # a level's line stops where fewer of its runs are still training
STILL_TRAINING = 0.9  # the sentence compares levels at an epoch where this share trains
ROWS = {  # metric: (row label, log y, share)
    "grad_norm": ("weight gradient norm", True, False),
    "mean_abs_deriv": ("mean |f′(z)|", False, False),
    "saturated": ("saturated units", False, True),
    "dead": ("dead units", False, True),
    "spread": ("spread of units", True, False),
}


@dataclass(frozen=True)
class DiagTable:
    """A sweep's diagnostics as arrays: ``values[(layer, metric)]`` is ``(runs, epochs)``,
    aligned with the runs table (NaN where a run had stopped or lacks that metric)."""

    epochs: np.ndarray
    values: dict[tuple[int, str], np.ndarray]

    def at(self, layer: int, metric: str, epoch: int) -> np.ndarray | None:
        """Every run's value at ``epoch`` (None if no run has that metric or epoch)."""
        hit = np.flatnonzero(self.epochs == epoch)
        block = self.values.get((layer, metric))
        return None if block is None or not len(hit) else block[:, hit[0]]


def read_diagnostics(path: Path, run_ids: pd.Series) -> DiagTable:
    """Read ``diagnostics.csv.gz`` into a :class:`DiagTable` aligned with ``run_ids``."""
    df = pd.read_csv(
        path,
        dtype={"run_id": "category", "epoch": np.int64, "layer": np.int64,
               "metric": "category", "value": np.float64},
    )  # fmt: skip
    row = df["run_id"].cat.set_categories(pd.Index(run_ids.astype(str))).cat.codes.to_numpy()
    df = df[row >= 0]
    row = row[row >= 0]
    epochs = np.unique(df["epoch"].to_numpy())
    col = np.searchsorted(epochs, df["epoch"].to_numpy())
    values = {}
    for (layer, metric), idx in df.groupby(["layer", "metric"], observed=True).indices.items():
        block = np.full((len(run_ids), len(epochs)), np.nan)
        block[row[idx], col[idx]] = df["value"].to_numpy()[idx]
        values[(int(layer), str(metric))] = block
    return DiagTable(epochs, values)


def _positions(runs: pd.DataFrame, table: DiagTable) -> dict[tuple[str, str], np.ndarray]:
    """``(position, metric) -> (runs, epochs)``: a run's last layer is its "output layer"."""
    n_hidden = np.array([len(parse_hidden("hidden", h)) for h in runs["hidden"]])
    out: dict[tuple[str, str], np.ndarray] = {}
    for (layer, metric), block in table.values.items():
        for name, mask in ((f"hidden layer {layer}", layer <= n_hidden),
                           ("output layer", layer == n_hidden + 1)):  # fmt: skip
            if mask.any():
                dest = out.setdefault((name, metric), np.full(block.shape, np.nan))
                dest[mask] = block[mask]
    return out


def diagnostics_figure(res: ResultsDir, r: Roles, palette: dict) -> tuple[Plot | None, str]:
    """The diagnostics figure and its computed caption, or ``(None, why)``."""
    path = res.path / FILE
    if not path.is_file():
        return None, ""
    runs = res.runs.reset_index(drop=True)
    table = read_diagnostics(path, runs["run_id"])
    if not table.values:
        return None, f"{FILE} holds no row for these runs: diagnostics left out."
    by_pos = _positions(runs, table)
    cols = sorted({p for p, _ in by_pos}, key=_position_order)
    rows = [m for m in ROWS if any((p, m) in by_pos for p in cols)]
    if "dead" in rows and not any(np.nanmax(by_pos[(p, "dead")], initial=0) > 0
                                  for p in cols if (p, "dead") in by_pos):  # fmt: skip
        rows.remove("dead")  # a row of zeros says less than the caption does
    fig = _draw(runs, table.epochs, by_pos, rows, cols, r, palette)
    caption = diagnostics_sentence(runs, table, r.hue, res.max_epochs) + " " + _caption(r)
    path = save(fig, res, "diagnostics")
    return Plot("diagnostics", "Inside the networks", caption.strip(), path), ""


def _position_order(pos: str) -> tuple[bool, int]:
    return pos == "output layer", int(pos.split()[-1]) if pos != "output layer" else 0


def _draw(runs, epochs, by_pos, rows, cols, r: Roles, palette: dict) -> Figure:
    fig = Figure(figsize=(2.9 * len(cols) + 1.6, 2.0 * len(rows) + 0.9), layout="constrained",
                 dpi=DPI)  # fmt: skip
    axs = fig.subplots(len(rows), len(cols), sharex=True, sharey="row", squeeze=False)
    keep = epochs >= 1  # log x: epoch 0 (the initial state) cannot be drawn
    for i, metric in enumerate(rows):
        label, log_y, share = ROWS[metric]
        for j, pos in enumerate(cols):
            ax = axs[i, j]
            block = by_pos.get((pos, metric))
            if block is None:
                why = "a single unit:\nno spread" if metric == "spread" else "no f′(z) here"
                ax.text(0.5, 0.5, why, ha="center", va="center", fontsize=9, color="0.4",
                        transform=ax.transAxes)  # fmt: skip
            else:
                _bands(ax, runs, epochs[keep], block[:, keep], r.hue, palette)
            ax.set_xscale("log")
            ax.set_yscale("log" if log_y else "linear")
            if share:
                ax.set_ylim(-0.04, 1.04)
                ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
            st.epoch_ticks(ax)
            ax.set_title(pos if i == 0 else "", fontsize=10)
            ax.set_ylabel(label if j == 0 else "", fontsize=9)
    fig.supxlabel(st.EPOCH_LABEL, fontsize=10)
    fig.suptitle("Inside the networks, layer by layer", fontsize=12, x=0.02, ha="left")
    if r.hue is not None:
        handles = [Line2D([], [], color=c, lw=2.5, label=k) for k, c in palette.items()]
        fig.legend(handles=handles, title=st.axis_label(r.hue), loc="outside right upper",
                   frameon=False)  # fmt: skip
    return fig


def _bands(ax, runs, epochs, block, hue, palette) -> None:
    """Median and interquartile band per hue level, where enough runs still train."""
    for value in lv.levels(runs, hue):
        sel = block[lv.select(runs, hue, value).index.to_numpy()]
        enough = (~np.isnan(sel)).sum(axis=0) >= min(MIN_RUNS, len(sel))
        if not enough.any():
            continue
        # Without interpolation: a run's inf never turns a quantile into NaN.
        q = np.nanquantile(sel[:, enough], [0.25, 0.5, 0.75], axis=0, method="inverted_cdf")
        colour = palette.get(lv.level_label(value) if hue else "all runs", "C0")
        ax.fill_between(epochs[enough], q[0], q[2], color=colour, alpha=0.2, lw=0)
        ax.plot(epochs[enough], q[1], color=colour, lw=1.8)


def _caption(r: Roles) -> str:
    return (
        "Rows: the Frobenius norm of each layer's weight gradient on the whole training "
        "set; the mean |f′(z)| of its units (how much of the backward signal passes; e.g. at "
        "most 0.25 for sigmoid, 1 for tanh); the share of units whose mean |f′(z)| is "
        "below 5% of that maximum (saturated); the share whose output is 0 on every "
        "sample (dead, shown when any is); the spread of the units (mean over samples of "
        "their outputs' standard deviation across the layer: 0 when all compute the same "
        "function). Lines: median over the runs still training at that epoch, band: "
        f"interquartile range; a line stops when fewer than {MIN_RUNS} of its runs are "
        "left, and later epochs show only the slower runs."
        + (f" One colour per {st.axis_label(r.hue)}." if r.hue else "")
        + pooled_note(r, (r.hue,))
    )


def diagnostics_sentence(runs: pd.DataFrame, table: DiagTable, hue: str | None,
                         max_epochs: int) -> str:  # fmt: skip
    """The slowest hue level against the fastest (by restricted mean time to threshold):
    plateau, and the first layer's signal, gradient, saturation and spread, computed."""
    if hue is None or len(lv.levels(runs, hue)) < 2:
        return ""
    pooled = summarize(runs, [hue], max_epochs).sort_values("rmst", kind="stable")
    fast, slow = pooled.iloc[0], pooled.iloc[-1]
    sides = [lv.select(runs, hue, v[hue]).index.to_numpy() for v in (slow, fast)]
    epoch = _reference_epoch(table, sides)
    if epoch is None:
        return ""
    names = [level_name(runs, hue, v[hue]) for v in (slow, fast)]
    plateaus = [runs.loc[s, "plateau_epochs"].median() for s in sides]
    medians = [format_epochs(v["km_median"], max_epochs) for v in (slow, fast)]
    text = (
        f"{names[0]} runs took longer to reach the threshold than {names[1]} runs (median "
        f"{medians[0]} vs {medians[1]} epochs) and spent a median of {plateaus[0]:,.0f} "
        f"epochs on a plateau (loss changing by less than 10% per decade) vs {plateaus[1]:,.0f}."
        f" At epoch {epoch:,}, with at least {STILL_TRAINING:.0%} of both still training, "
        f"the first layer of {names[0]} runs "
    )
    text += _layer_clauses(table, epoch, sides, names[1]) + "."
    return text[0].upper() + text[1:]


def _layer_clauses(table: DiagTable, epoch: int, sides: list[np.ndarray], other: str) -> str:
    """What the first layer did at ``epoch``: slow side first, ``other`` the fast side."""

    def stat(metric: str, how=np.median) -> list[float] | None:
        v = table.at(1, metric, epoch)
        return None if v is None else [_summary(v[s], how) for s in sides]

    parts, units = [], []
    if d := stat("mean_abs_deriv"):
        parts.append(f"passed back a mean |f′(z)| of {d[0]:.3g} vs {d[1]:.3g} for {other}")
    if g := stat("grad_norm"):
        parts.append(f"had a {_times(g[0], g[1])} weight gradient (median norm {g[0]:.2g} "
                     f"vs {g[1]:.2g})")  # fmt: skip
    if p := stat("spread"):
        parts.append(f"{_times(p[0], p[1], 'less', 'more')} spread-out units ({p[0]:.2g} vs "
                     f"{p[1]:.2g})")  # fmt: skip
    never = []
    for metric in ("saturated", "dead"):
        if s := stat(metric, np.mean):
            if max(s) == 0:
                never.append(metric)
            else:
                units.append(f"{s[0]:.0%} of its units were {metric} vs {s[1]:.0%}")
    if never:
        units.append(f"no first-layer unit of either was {' or '.join(never)}")
    if len(parts) > 1:
        parts[-1] = "and " + parts[-1]
    return ", ".join(parts) + "".join(f"; {u}" for u in units)


def _summary(values: np.ndarray, how) -> float:
    """``how`` (median, mean) of the recorded values; NaN, silently, when there are none."""
    values = values[~np.isnan(values)]
    return float(how(values)) if len(values) else float("nan")


def _times(a: float, b: float, less: str = "smaller", more: str = "larger") -> str:
    """ "3.5× smaller": ``a`` against ``b``."""
    if not (np.isfinite(a) and np.isfinite(b)) or a <= 0 or b <= 0:
        return "not comparable"
    return f"{format_ratio(b / a)}× {less}" if a < b else f"{format_ratio(a / b)}× {more}"


def _reference_epoch(table: DiagTable, sides: list[np.ndarray]) -> int | None:
    """The last epoch >= 1 at which every side has STILL_TRAINING of its runs recorded."""
    block = table.values.get((1, "grad_norm"))
    if block is None:
        return None
    shares = np.min([(~np.isnan(block[s])).mean(axis=0) for s in sides], axis=0)
    ok = np.flatnonzero((shares >= STILL_TRAINING) & (table.epochs >= 1))
    return int(table.epochs[ok[-1]]) if len(ok) else None
