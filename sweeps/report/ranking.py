"""The ranking of configurations: the best cells first, by evidence rather than luck.

Cells (one configuration of every axis, seeds pooled) are ranked by the lower end of
their Wilson 95% success interval, so that 3 of 3 runs (lower bound 44%) ranks below
19 of 20 (75%); ties go to the smaller Kaplan–Meier median epochs to threshold (an
unreached median last), then to the smaller restricted mean (RMST).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sweeps.stats.levels import level_label
from sweeps.stats.survival import format_epochs, format_rate

__all__ = ["TOP", "format_ranking", "ranked", "ranking_table"]

TOP = 10


def ranked(summary: pd.DataFrame) -> pd.DataFrame:
    """``summary`` with a ``rank`` column (1 = best), rows in their original order."""
    median = summary["km_median"].fillna(np.inf)
    order = np.lexsort((summary["rmst"].to_numpy(), median.to_numpy(),
                        -summary["success_lo"].to_numpy()))  # fmt: skip
    rank = np.empty(len(summary), dtype=np.int64)
    rank[order] = np.arange(1, len(summary) + 1)
    return summary.assign(rank=rank)


def ranking_table(summary: pd.DataFrame, axes: list[str], max_epochs: int, top: int = TOP):
    """The ``top`` ranked cells as text columns: rank, the axes, runs, success, median."""
    best = summary.sort_values("rank").head(top)

    def interval(v, lo, hi, fmt) -> str:
        return f"{fmt(v)} ({fmt(lo)}–{fmt(hi)})"

    def epochs(v) -> str:
        return format_epochs(v, max_epochs)

    out = pd.DataFrame({"rank": best["rank"].to_numpy()})
    for a in axes:
        out[a] = [level_label(v) for v in best[a]]
    out["runs"] = [f"{int(v):,}" for v in best["runs"]]
    out["success (95% CI)"] = [
        interval(v, lo, hi, format_rate)
        for v, lo, hi in zip(best["success_rate"], best["success_lo"], best["success_hi"],
                             strict=True)
    ]  # fmt: skip
    out["median epochs (95% CI)"] = [
        interval(m, lo, hi, epochs) if np.isfinite(m) else epochs(m)
        for m, lo, hi in zip(best["km_median"], best["km_median_lo"], best["km_median_hi"],
                             strict=True)
    ]  # fmt: skip
    return out


def format_ranking(summary: pd.DataFrame, axes: list[str], max_epochs: int, top: int = TOP):
    """The ranking as a plain-text table for the terminal (one line per cell)."""
    table = ranking_table(summary, axes, max_epochs, top)
    widths = {c: max(len(str(c)), *(len(str(v)) for v in table[c])) for c in table.columns}
    lines = ["  ".join(str(c).rjust(widths[c]) for c in table.columns)]
    lines += ["  ".join(str(v).rjust(widths[c]) for c, v in zip(table.columns, row, strict=True))
              for row in table.itertuples(index=False)]  # fmt: skip
    shown = f"top {len(table)} of {len(summary):,} configurations"
    return (
        f"{shown}, by the lower end of the 95% success interval, then median epochs:\n"
        + "\n".join(lines)
    )
