"""Shared parts of the gallery pages: a page's contents, numbers in words, panels.

Every figure quoted on a page comes through here from a summary table
(:func:`sweeps.stats.survival.summarize`): rates with their Wilson interval, median
epochs with their Kaplan–Meier interval, and "> budget" where fewer than half
the runs converged.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from nncore import get_task
from sweeps.report.style import compact, epoch_ticks
from sweeps.stats.levels import level_label, levels
from sweeps.stats.survival import format_epochs, format_rate, summarize, wilson_interval

__all__ = [
    "COLOURS", "DPI", "OPT_NAMES", "Page", "best", "big", "budget_note", "cells",
    "constant_output_loss", "epoch_floor", "failure", "figure", "legend", "md_table", "median",
    "median_of", "median_panel", "median_short", "num", "positions", "rate", "rate_panel",
    "rate_short", "ratio", "row_of", "save", "trend",
]  # fmt: skip

DPI = 100
COLOURS = ["#0173b2", "#de8f05", "#029e73", "#d55e00", "#cc78bc", "#ca9161", "#56b4e9"]

OPT_NAMES = {"gd": "plain GD", "momentum": "GD + momentum", "rprop": "Rprop", "adam": "Adam"}


def row_of(table: pd.DataFrame, **where) -> pd.Series | None:
    """The first row of a summary table matching ``where``; None if there is none."""
    mask = np.ones(len(table), bool)
    for k, v in where.items():
        mask &= (table[k] == v).to_numpy()
    return table[mask].iloc[0] if mask.any() else None


def median_of(row: pd.Series | None) -> float:
    """A summary row's Kaplan–Meier median (NaN when there is no row)."""
    return float(row["km_median"]) if row is not None else float("nan")


def constant_output_loss(task: str, inputs: str = "binary") -> float:
    """The mse of a network that answers the mean target everywhere (a flat start)."""
    y = get_task(task, inputs).Y
    return float(0.5 * np.mean((y.mean() - y) ** 2))


@dataclass
class Page:
    """What an entry's analysis gives its page; every number in it was computed."""

    headline: str
    figures: list[tuple[str, str]]  # (file name in the image directory, caption)
    comparison: list[tuple[str, str, str]]  # (claim, published, measured with interval)
    discussion: str
    tables: list[tuple[str, pd.DataFrame]] = field(default_factory=list)
    answer: str = ""  # an entry that asks a question answers it here


def cells(runs: pd.DataFrame, by: Sequence[str], max_epochs: int) -> pd.DataFrame:
    """:func:`summarize` over ``by``, indexed by the ``by`` columns for lookups."""
    return summarize(runs, list(by), max_epochs).set_index(list(by))


def rate(row: pd.Series) -> str:
    """``"97% (95% CI 91–99%; 97 of 100 runs)"``."""
    lo, hi = format_rate(row["success_lo"]), format_rate(row["success_hi"])
    return (
        f"{format_rate(row['success_rate'])} (95% CI {lo}–{hi}; "
        f"{int(row['converged']):,} of {int(row['runs']):,} runs)"
    )


def failure(row: pd.Series) -> str:
    """The failure rate (1 - success) with its Wilson interval, as :func:`rate`."""
    n = int(row["runs"])
    failed = n - int(row["converged"])
    lo, hi = wilson_interval(failed, n)
    return (
        f"{format_rate(failed / n)} (95% CI {format_rate(lo)}–{format_rate(hi)}; "
        f"{failed:,} of {n:,} runs)"
    )


def median(row: pd.Series, max_epochs: int) -> str:
    """``"1,430 epochs (95% CI 1,200–1,700)"``; ``"> 20,000 epochs"`` when not reached."""
    m = row["km_median"]
    if not np.isfinite(m):
        return f"> {max_epochs:,} epochs (fewer than half converged)"
    lo, hi = row["km_median_lo"], row["km_median_hi"]
    upper = f"{hi:,.0f}" if np.isfinite(hi) else f"> {max_epochs:,}"
    return f"{m:,.0f} epochs (95% CI {format_epochs(lo, max_epochs)}–{upper})"


def rate_short(row: pd.Series) -> str:
    """``"50% (25–75%)"``: a rate and its 95% Wilson interval, for lists."""
    return (
        f"{format_rate(row['success_rate'])} ({format_rate(row['success_lo'])}–"
        f"{format_rate(row['success_hi'])})"
    )


def median_short(row: pd.Series, max_epochs: int) -> str:
    """``"1,468 (997–2,239)"`` or ``"> 4,000"``: a median epoch count and its interval."""
    m = row["km_median"]
    if not np.isfinite(m):
        return f"> {max_epochs:,}"
    hi = row["km_median_hi"]
    upper = f"{hi:,.0f}" if np.isfinite(hi) else f"> {max_epochs:,}"
    return f"{m:,.0f} ({format_epochs(row['km_median_lo'], max_epochs)}–{upper})"


def big(v: float) -> str:
    """A large count in words: 1.49e9 -> ``"1.5 billion"``, 2.5e6 -> ``"2.5 million"``."""
    if not np.isfinite(v):
        return "n/a"
    for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if abs(v) >= size:
            x = v / size
            return f"{x:,.0f} {word}" if abs(x) >= 10 else f"{x:.2g} {word}"
    return f"{v:,.0f}"


def num(v: float, fmt: str = ",.0f") -> str:
    """``v`` formatted, or ``"n/a"`` when it is not a finite number."""
    return format(v, fmt) if v is not None and np.isfinite(v) else "n/a"


def trend(first: float, last: float, up: str = "rises", down: str = "falls") -> str:
    """How a quantity moves from ``first`` to ``last``: ``up``, ``down``, or "stays level"
    (within 10%); "cannot be compared" when either is missing."""
    if not (np.isfinite(first) and np.isfinite(last)) or first <= 0:
        return "cannot be compared"
    r = last / first
    return up if r > 1.1 else down if r < 1 / 1.1 else "stays level"


def ratio(a: float, b: float) -> str:
    """``a / b`` as ``"5.6×"``; ``"n/a"`` when either is not a finite positive number."""
    if not (np.isfinite(a) and np.isfinite(b)) or a <= 0 or b <= 0:
        return "n/a"
    r = a / b
    return f"{r:,.0f}×" if r >= 10 else f"{r:.2g}×"


def best(table: pd.DataFrame, over: str, within: Sequence[str]) -> pd.DataFrame:
    """Per cell of ``within``, the row whose ``over`` level did best.

    Best = highest success rate, then the lowest restricted mean time to threshold
    (RMST, which counts runs that never converged at the budget), then the lowest
    median final loss (which separates levels where no run converged). ``table`` is
    a :func:`summarize` frame with ``over`` and ``within`` as columns.
    """
    ranked = table.sort_values(
        ["success_rate", "rmst", "median_final_loss"], ascending=[False, True, True], kind="stable"
    )
    top = ranked.groupby(list(within), sort=False, dropna=False).head(1)
    return top.loc[sorted(top.index)].reset_index(drop=True)  # the table's own cell order


def md_table(df: pd.DataFrame) -> str:
    """A GitHub markdown table of ``df`` (every cell as text, pipes escaped)."""

    def cell(v: object) -> str:
        return str(v).replace("|", "\\|")

    head = "| " + " | ".join(cell(c) for c in df.columns) + " |"
    rule = "|" + "|".join("---" for _ in df.columns) + "|"
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in df.itertuples(False)]
    return "\n".join([head, rule, *body])


def figure(ncols: int, nrows: int = 1, panel=(3.4, 2.8), legend_w: float = 1.9) -> Figure:
    """A constrained-layout figure sized for ``nrows`` x ``ncols`` panels and a legend."""
    size = (ncols * panel[0] + legend_w, nrows * panel[1] + 0.8)
    return Figure(figsize=size, layout="constrained", dpi=DPI)


def save(fig: Figure, img_dir: Path, name: str) -> str:
    """Write ``fig`` as ``img_dir/name.png`` with a 256-colour palette; return the file name.

    The pages' images are tracked in git: a palette PNG of a plot looks the same and
    is about a third of the size of the full-colour one.
    """
    from PIL import Image

    from sweeps.results.files import make_dir, write_with

    make_dir(img_dir)
    buffer = io.BytesIO()
    fig.savefig(buffer, dpi=DPI, format="png", facecolor="white")
    image = Image.open(buffer).convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT)
    write_with(img_dir / f"{name}.png", lambda tmp: image.save(tmp, format="PNG", optimize=True))
    return f"{name}.png"


def positions(values: Sequence, numeric: bool) -> dict:
    """x positions of axis levels: the values themselves, or 0, 1, 2 ... for labels."""
    return {v: (float(v) if numeric else float(i)) for i, v in enumerate(values)}


def _dodge(x: float, k: int, n: int, log: bool) -> float:
    """Spread ``n`` series around ``x`` so their error bars do not overlap."""
    step = k - (n - 1) / 2
    return x * 10 ** (0.025 * step) if log else x + 0.07 * step


def rate_panel(
    ax: Axes, table: pd.DataFrame, x: str, hue: str, *, log_x: bool, zoom: bool = False, **style
) -> None:
    """Success rate (Wilson 95% bars) against ``x``, one line per ``hue`` level;
    ``zoom`` ends the y axis just above the highest interval instead of at 100%."""
    _series(ax, table, x, hue, log_x, "success_rate", "success_lo", "success_hi", None, style)
    top = min(1.0, float(table["success_hi"].max()) + 0.05) if zoom else 1.0
    ax.set_ylim(-0.04 * top, top * 1.04)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))


def median_panel(
    ax: Axes,
    table: pd.DataFrame,
    x: str,
    hue: str,
    max_epochs: int,
    *,
    log_x: bool,
    low: float | None = None,
    **style,
) -> None:
    """KM median epochs (95% bars) against ``x``; a median not reached is an open marker
    at the budget (dotted line). ``low``: the y axis floor (default: from ``table``;
    pass :func:`epoch_floor` of every panel's table when panels share y)."""
    _series(
        ax, table, x, hue, log_x, "km_median", "km_median_lo", "km_median_hi", max_epochs, style
    )
    ax.axhline(max_epochs, color="0.5", ls=":", lw=1)
    ax.set_yscale("log")
    low = low if low is not None else epoch_floor(table)
    epoch_ticks(ax, "y", span=max_epochs * 2.2 / low)
    ax.set_ylim(low, max_epochs * 2.2)


def epoch_floor(table: pd.DataFrame) -> float:
    """A y-axis floor below every median and interval in ``table`` (at least 1 epoch)."""
    values = table[["km_median", "km_median_lo"]].to_numpy(dtype=float)
    values = values[np.isfinite(values) & (values > 0)]
    return max(1.0, float(values.min())) / 1.6 if len(values) else 1.0


def _series(ax, table, x, hue, log_x, col, lo_col, hi_col, cap, style) -> None:
    xs = levels(table, x)
    numeric = pd.api.types.is_numeric_dtype(table[x])
    at = positions(xs, numeric)
    hues = levels(table, hue)
    colours = style.get("colours") or dict(zip(hues, COLOURS, strict=False))
    dashes = style.get("dashes", {})
    for k, h in enumerate(hues):
        rows = table[table[hue] == h].set_index(x).reindex(xs)
        px = np.array([_dodge(at[v], k, len(hues), log_x) for v in xs])
        y, lo, hi = (rows[c].to_numpy(dtype=float) for c in (col, lo_col, hi_col))
        if cap is not None:  # not reached: plot at the budget, bar up to the budget
            y, hi = np.where(np.isfinite(y), y, cap), np.where(np.isfinite(hi), hi, cap)
            lo = np.where(np.isfinite(lo), lo, cap)
        colour = colours.get(h, "0.3")
        label = style.get("labels", {}).get(h, level_label(h))
        ax.plot(px, y, color=colour, lw=1.6, ls=dashes.get(h, "-"), label=label)
        ax.errorbar(px, y, yerr=[y - lo, hi - y], fmt="none", ecolor=colour, elinewidth=1,
                    capsize=2, alpha=0.8)  # fmt: skip
        reached = np.isfinite(rows[col].to_numpy(dtype=float)) if cap else np.ones(len(xs), bool)
        ax.scatter(px[reached], y[reached], color=colour, s=18, zorder=3)
        ax.scatter(px[~reached], y[~reached], facecolor="white", edgecolor=colour, s=22, zorder=3)
    if log_x:
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.set_xticks([float(v) for v in xs])
        ax.minorticks_off()
    else:
        ax.set_xticks([at[v] for v in xs], [level_label(v) for v in xs])
    ax.grid(alpha=0.25, lw=0.6)


def legend(fig: Figure, ax: Axes, title: str) -> None:
    """One legend for the figure, outside the panels on the right."""
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, title=title, loc="outside right upper", frameon=False)


def budget_note(max_epochs: int) -> str:
    return (
        f"Open markers sit at the budget of {compact(max_epochs)} epochs (dotted line): fewer "
        "than half of those runs converged, so the median is only known to exceed it."
    )
