"""Pairwise comparison of the levels of one axis, cell by cell of the other axes.

For each pair of levels (a, b) and each cell: the success-rate difference
a - b with Newcombe's hybrid score 95% interval, the ratio of Kaplan–Meier
median epochs a / b (only bounded when a median was not reached, and then said
so), and the log-rank p-value comparing the two time-to-threshold distributions.
When no run converged in either arm there is nothing to rank: the p-value is empty
and ``logrank_note`` (and the text) say so instead.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from nncore.rules import check_choice

from .levels import cell_label, level_label, levels, select
from .survival import (
    format_epochs,
    format_ratio,
    groups,
    kaplan_meier,
    logrank_p,
    newcombe_interval,
    time_to_event,
)

__all__ = ["COMPARE_COLUMNS", "NO_EVENTS", "compare", "format_table", "median_ratio"]

COMPARE_COLUMNS = [
    "level_a",
    "level_b",
    "runs_a",
    "runs_b",
    "success_a",
    "success_b",
    "success_diff",
    "success_diff_lo",
    "success_diff_hi",
    "median_a",
    "median_b",
    "median_ratio",
    "median_ratio_note",
    "logrank_p",
    "logrank_note",
]
NO_EVENTS = "no runs converged in either arm"


def compare(runs: pd.DataFrame, by: str, axes: list[str], max_epochs: int) -> pd.DataFrame:
    """One row per pair of ``by`` levels per cell of the other axes (see module doc)."""
    check_choice("by", by, axes)
    others = [a for a in axes if a != by]
    pairs = list(itertools.combinations(levels(runs, by), 2))
    rows = []
    for key, cell in groups(runs, others):
        for a, b in pairs:
            ra, rb = select(cell, by, a), select(cell, by, b)
            if len(ra) and len(rb):
                rows.append(
                    {**dict(zip(others, key, strict=True)), **_pair(ra, rb, a, b, max_epochs)}
                )
    return pd.DataFrame(rows, columns=[*others, *COMPARE_COLUMNS])


def _pair(ra: pd.DataFrame, rb: pd.DataFrame, a, b, max_epochs: int) -> dict:
    ta, ea = time_to_event(ra, max_epochs)
    tb, eb = time_to_event(rb, max_epochs)
    lo, hi = newcombe_interval(ea.sum(), len(ea), eb.sum(), len(eb))
    ma, mb = kaplan_meier(ta, ea).median, kaplan_meier(tb, eb).median
    ratio, note = median_ratio(ma, mb, max_epochs)
    return {
        "level_a": level_label(a),
        "level_b": level_label(b),
        "runs_a": len(ra),
        "runs_b": len(rb),
        "success_a": ea.mean(),
        "success_b": eb.mean(),
        "success_diff": ea.mean() - eb.mean(),
        "success_diff_lo": float(lo),
        "success_diff_hi": float(hi),
        "median_a": ma,
        "median_b": mb,
        "median_ratio": ratio,
        "median_ratio_note": note,
        "logrank_p": logrank_p(ta, ea, tb, eb),
        "logrank_note": "" if ea.any() or eb.any() else NO_EVENTS,
    }


def median_ratio(ma: float, mb: float, max_epochs: int) -> tuple[float, str]:
    """``ma / mb`` and a note; NaN with a bound when a median exceeds the budget."""
    a_ok, b_ok = np.isfinite(ma), np.isfinite(mb)
    if a_ok and b_ok:
        if mb == 0:
            return float("nan"), "undefined: median b is 0 (met at initialisation)"
        return ma / mb, ""
    if a_ok:  # b > max_epochs, so a / b < ma / max_epochs
        return float("nan"), f"< {format_ratio(ma / max_epochs)} (median b > {max_epochs:,})"
    if b_ok and mb > 0:
        return float("nan"), f"> {format_ratio(max_epochs / mb)} (median a > {max_epochs:,})"
    return float("nan"), f"undefined: both medians > {max_epochs:,}"


def format_table(table: pd.DataFrame, by: str, axes: list[str], max_epochs: int) -> str:
    """The comparison as aligned text, one line per row (for the terminal)."""
    others = [a for a in axes if a != by]
    if table.empty:
        return f"no cell has two levels of {by} to compare"
    show = pd.DataFrame(
        {
            "cell": [cell_label(others, tuple(r[others])) for _, r in table.iterrows()],
            f"{by}: a vs b": table["level_a"] + " vs " + table["level_b"],
            "success a / b": [
                f"{a:.0%} / {b:.0%}"
                for a, b in zip(table["success_a"], table["success_b"], strict=True)
            ],
            "diff [95% CI]": [
                f"{d:+.0%} [{lo:+.0%}, {hi:+.0%}]"
                for d, lo, hi in zip(
                    table["success_diff"],
                    table["success_diff_lo"],
                    table["success_diff_hi"],
                    strict=True,
                )
            ],
            "median a / b": [
                f"{format_epochs(a, max_epochs)} / {format_epochs(b, max_epochs)}"
                for a, b in zip(table["median_a"], table["median_b"], strict=True)
            ],
            "ratio a/b": [
                format_ratio(r) if np.isfinite(r) else n.split(" (")[0]
                for r, n in zip(table["median_ratio"], table["median_ratio_note"], strict=True)
            ],
            "log-rank p": [
                f"{p:.2g}" if np.isfinite(p) else note or "n/a"
                for p, note in zip(table["logrank_p"], table["logrank_note"], strict=True)
            ],
        }
    )
    return show.to_string(index=False)
