"""The report's first sentence: the hue levels compared in plain words, computed.

For example: "tanh reached the threshold in 96% of runs (median 1,430 epochs);
sigmoid in 41% (median > 20,000). The gap is largest at lr = 0.5, init_scale = 0.01:
tanh 100% (median 531 epochs) vs sigmoid 0% (median > 20,000)."

Levels are ranked, and gaps measured, by the restricted mean time to threshold
(RMST): it counts both how often and how fast runs converged, and it treats runs
that never converged as censored at the budget rather than dropping them.
"""

from __future__ import annotations

import pandas as pd

from ._levels import cell_label, level_label
from .stats import format_epochs, format_rate, summarize


def _describe(row: pd.Series, max_epochs: int, first: bool) -> str:
    rate, median = format_rate(row["success_rate"]), format_epochs(row["km_median"], max_epochs)
    unit = " epochs" if row["km_median"] == row["km_median"] else ""
    if first:
        return f"reached the threshold in {rate} of runs (median {median}{unit})"
    return f"{rate} (median {median}{unit})"


def headline(runs: pd.DataFrame, axes: list[str], max_epochs: int, hue: str | None) -> str:
    """A plain-language comparison of the ``hue`` levels, pooled over the other axes,
    naming the cell of the other axes where the gap between them is largest."""
    if hue is None:
        row = summarize(runs, [], max_epochs).iloc[0]
        return (
            f"Of all {len(runs):,} runs, "
            + _describe(row, max_epochs, False).replace(" (", " reached the threshold (", 1)
            + "."
        )
    pooled = summarize(runs, [hue], max_epochs).sort_values("rmst", kind="stable")
    parts = [
        f"{level_label(r[hue])} " + _describe(r, max_epochs, True)
        if i == 0
        else f"{level_label(r[hue])} in " + _describe(r, max_epochs, False)
        for i, (_, r) in enumerate(pooled.iterrows())
    ]
    text = "; ".join(parts) + "."
    if len(pooled) < 2:
        return text
    others = [a for a in axes if a != hue]
    return text + (" " + _largest_gap(runs, others, hue, max_epochs) if others else "")


def _largest_gap(runs: pd.DataFrame, others: list[str], hue: str, max_epochs: int) -> str:
    cells = summarize(runs, [*others, hue], max_epochs)
    best = None
    for key, cell in cells.groupby(others, dropna=False, sort=False):
        if len(cell) < 2:
            continue
        gap = cell["rmst"].max() - cell["rmst"].min()
        if best is None or gap > best[0]:
            key = key if isinstance(key, tuple) else (key,)
            best = (gap, key, cell.sort_values("rmst", kind="stable"))
    if best is None or best[0] <= 0:
        return "No cell of the other axes separates them."
    _, key, cell = best
    fast, slow = cell.iloc[0], cell.iloc[-1]
    return (
        f"The gap is largest at {cell_label(others, key)}: {level_label(fast[hue])} "
        f"{_describe(fast, max_epochs, False)} vs {level_label(slow[hue])} "
        f"{_describe(slow, max_epochs, False)}."
    )
