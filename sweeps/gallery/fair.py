"""The gallery's rules in code: choose on one set of seeds, report on another; bracket.

A page that picks a hyper-parameter (the best learning rate of a cell, say) picks it on
the first half of its seeds (:func:`halves`) and quotes the figures of the second half,
so the choice cannot flatter the figure it reports. :func:`choose` does both and says,
per cell, whether the chosen level lies inside the grid (:func:`edge_note`): a best
value at a grid's edge means the optimum may lie beyond, and the page must say so.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from sweeps.stats.levels import level_label, levels
from sweeps.stats.survival import summarize

from . import kit

__all__ = ["choose", "edge_note", "halves", "seed_ranges"]


def halves(runs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The runs of the first half of the seeds (to choose on) and of the second (to report)."""
    seeds = sorted(runs["seed"].unique())
    cut = seeds[len(seeds) // 2] if len(seeds) > 1 else seeds[0] + 1
    return runs[runs["seed"] < cut], runs[runs["seed"] >= cut]


def seed_ranges(runs: pd.DataFrame) -> tuple[str, str]:
    """``("seeds 0–19", "seeds 20–39")`` (or ``"seed 0"``): who chooses, who reports."""

    def span(part: pd.DataFrame) -> str:
        if part.empty:
            return "none"
        lo, hi = int(part["seed"].min()), int(part["seed"].max())
        return f"seeds {lo}–{hi}" if hi > lo else f"seed {lo}"

    first, second = halves(runs)
    return span(first), span(second)


def choose(
    runs: pd.DataFrame, over: str, within: Sequence[str], max_epochs: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per cell of ``within``, the best level of ``over`` on the choosing seeds
    (:func:`kit.best`), and the reporting seeds' summary rows at those levels.

    Returns ``(chosen, reported)``: ``chosen`` is the choosing half's summary of the best
    levels, with a column ``at_edge`` (the level is the first or last of the grid);
    ``reported`` is the reporting half's summary at the same levels, in the same order,
    with ``at_edge`` copied.
    """
    pick, report = halves(runs)
    by = [*within, over]
    chosen = kit.best(summarize(pick, by, max_epochs), over, within)
    grid = levels(runs, over)
    chosen["at_edge"] = chosen[over].isin([grid[0], grid[-1]]) if len(grid) > 2 else True
    shown = summarize(report, by, max_epochs)
    keys = chosen[by]
    reported = keys.merge(shown, on=by, how="left")
    reported["at_edge"] = chosen["at_edge"].to_numpy()
    return chosen.reset_index(drop=True), reported


def edge_note(chosen: pd.DataFrame, over: str, label: str = "learning rate") -> str:
    """One sentence: every chosen level lies inside the grid, or which do not."""
    if chosen.empty:
        return ""
    edge = chosen[chosen["at_edge"]]
    if edge.empty:
        return f"Every chosen {label} lies inside its grid (the optimum is bracketed)."
    where = ", ".join(sorted({level_label(v) for v in edge[over]}))
    return (
        f"{len(edge)} of {len(chosen)} chosen {label}s sit at the grid's edge ({where}): "
        "the optimum there may lie beyond the grid."
    )
