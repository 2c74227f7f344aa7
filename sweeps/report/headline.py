"""The report's first sentence: the hue levels compared in plain words, computed.

For example: "tanh reached the threshold in 96% of 180 runs (median 1,430 epochs);
sigmoid in 41% of 180 runs (median > 20,000, over 14× as many). The gap is largest at
lr = 0.5, init_scale = 0.01: 100% of 20 runs with tanh (median 531 epochs) vs 0% of 20
runs with sigmoid (median > 20,000, over 38× as many)."

Every figure names the runs behind it, and the cell-by-cell gap is looked for only in
cells where each level has at least ``MIN_RUNS`` runs (:mod:`sweeps.report.kinds`).

Levels are ranked, and gaps measured, by the restricted mean time to threshold
(RMST): it counts both how often and how fast runs converged, and it treats runs
that never converged as censored at the budget rather than dropping them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sweeps.stats.compare import median_ratio
from sweeps.stats.levels import cell_label, level_label
from sweeps.stats.survival import format_epochs, format_rate, format_ratio, summarize

from .kinds import MIN_RUNS

__all__ = ["headline", "level_name"]


def _describe(row: pd.Series, max_epochs: int, first: bool, versus: float | None = None) -> str:
    """ "96% (median 1,430 epochs, 5.0× as many)"; ``versus`` is the fastest level's median."""
    rate, median = format_rate(row["success_rate"]), format_epochs(row["km_median"], max_epochs)
    unit = " epochs" if np.isfinite(row["km_median"]) else ""
    more = _times(row["km_median"], versus, max_epochs) if versus is not None else ""
    runs = f"{int(row['runs']):,} runs"
    if first:
        return f"reached the threshold in {rate} of {runs} (median {median}{unit}{more})"
    return f"{rate} of {runs} (median {median}{unit}{more})"


def _times(median: float, fastest: float, max_epochs: int) -> str:
    ratio, note = median_ratio(median, fastest, max_epochs)
    if np.isfinite(ratio):
        return f", {format_ratio(ratio)}× as many"
    return f", over {note[2:].split(' (')[0]}× as many" if note.startswith(">") else ""


def level_name(runs: pd.DataFrame, hue: str, value: object) -> str:
    """ "tanh" names itself; a number or a layer list needs its axis: "lr = 0.5"."""
    if hue == "hidden" or pd.api.types.is_numeric_dtype(runs[hue]):
        return f"{hue} = {level_label(value)}"
    return level_label(value)


def headline(
    runs: pd.DataFrame,
    axes: list[str],
    max_epochs: int,
    hue: str | None,
    *,
    min_runs: int = MIN_RUNS,
) -> str:
    """A plain-language comparison of the ``hue`` levels, pooled over the other axes,
    naming the cell of the other axes where the gap between them is largest (among the
    cells holding at least ``min_runs`` runs of every level)."""
    if hue is None:
        row = summarize(runs, [], max_epochs).iloc[0]
        median = format_epochs(row["km_median"], max_epochs)
        unit = " epochs" if np.isfinite(row["km_median"]) else ""
        rate = format_rate(row["success_rate"])
        return f"Of all {len(runs):,} runs, {rate} reached the threshold (median {median}{unit})."
    pooled = summarize(runs, [hue], max_epochs).sort_values("rmst", kind="stable")
    best = pooled["km_median"].iloc[0]
    parts = [
        f"{level_name(runs, hue, r[hue])} " + _describe(r, max_epochs, True)
        if i == 0
        else f"{level_name(runs, hue, r[hue])} in " + _describe(r, max_epochs, False, best)
        for i, (_, r) in enumerate(pooled.iterrows())
    ]
    text = "; ".join(parts) + "."
    if len(pooled) < 2:
        return text
    others = [a for a in axes if a != hue]
    return text + (" " + _largest_gap(runs, others, hue, max_epochs, min_runs) if others else "")


def _largest_gap(
    runs: pd.DataFrame, others: list[str], hue: str, max_epochs: int, min_runs: int
) -> str:
    cells = summarize(runs, [*others, hue], max_epochs)
    best, small = None, 0
    for key, cell in cells.groupby(others, dropna=False, sort=False):
        if len(cell) < 2:
            continue
        if cell["runs"].min() < min_runs:  # too few runs to name as "the" gap
            small += 1
            continue
        gap = cell["rmst"].max() - cell["rmst"].min()
        if best is None or gap > best[0]:
            key = key if isinstance(key, tuple) else (key,)
            best = (gap, key, cell.sort_values("rmst", kind="stable"))
    if best is None and small:
        return (
            f"No cell of the other axes holds {min_runs} runs of each, so no cell-by-cell "
            "gap is given."
        )
    if best is None:  # e.g. momentum is an axis for one optimiser only
        return "They never share a cell of the other axes, so no cell-by-cell gap is given."
    if best[0] <= 0:
        return "No cell of the other axes separates them."
    _, key, cell = best
    fast, slow = cell.iloc[0], cell.iloc[-1]
    first = _describe(fast, max_epochs, False).replace(" (", " with {} (", 1)
    second = _describe(slow, max_epochs, False, fast["km_median"]).replace(" (", " with {} (", 1)
    return (
        f"The gap is largest at {cell_label(others, key)}: "
        + first.format(level_name(runs, hue, fast[hue]))
        + " vs "
        + second.format(level_name(runs, hue, slow[hue]))
        + "."
    )
