"""The encoder page's part ``online``: 8-3-8 with per-pattern updates (batch size 1), the
way SNNS's standard back-propagation updates, for plain GD and momentum.

Each update's mse averages one pattern's outputs, so an lr here is (number of outputs)
times the classic per-pattern η. Rates are chosen on the first half of the seeds and
reported on the second, as on the main grid.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.lines import Line2D

from sweeps.results.read import ResultsDir
from sweeps.stats.levels import levels
from sweeps.stats.survival import logrank_p, summarize, time_to_event

from . import fair, kit
from .encoder_claims import logrank, ratio_interval, times
from .kit import COLOURS, OPT_NAMES

__all__ = ["Online", "online"]


class Online:
    """The part's runs: chosen cells (``chosen``), reported rows by optimiser (``rows``),
    every cell over all seeds (``every``), the budget, and its error scale."""

    def __init__(self, res: ResultsDir) -> None:
        self.m = res.max_epochs
        runs = res.runs
        self.report = fair.halves(runs)[1]
        self.chosen, top = fair.choose(runs, "lr", ["optimizer"], self.m)
        self.rows = top.set_index("optimizer")
        self.every = summarize(runs, ["optimizer", "lr"], self.m)
        task = str(runs["task"].iloc[0])
        self.outputs = int("".join(c for c in task if c.isdigit()))

    def eta(self, lr: float) -> float:
        """The classic per-pattern η of a rate here."""
        return lr / self.outputs

    def says(self, opt: str) -> str:
        """``"plain GD at lr 30 (η ≈ 3.8 per pattern): median ..., ... converged"``."""
        r = self.rows.loc[opt]
        return (
            f"{OPT_NAMES[opt]} at lr {r['lr']:g} (η ≈ {self.eta(r['lr']):.2g} per pattern): "
            f"median {kit.median(r, self.m)}, {kit.rate(r)} converged"
        )

    def cell_runs(self, opt: str) -> pd.DataFrame:
        """The reporting seeds' runs of ``opt`` at its chosen rate."""
        r = self.report
        return r[(r["optimizer"] == opt) & (r["lr"] == self.rows.loc[opt, "lr"])]

    def momentum_vs_gd(self) -> str:
        """Momentum's median over plain GD's at their chosen rates, as a sentence."""
        if not {"gd", "momentum"} <= set(self.rows.index):
            return ""
        gd, mom = self.rows.loc["gd"], self.rows.loc["momentum"]
        head = (
            "*With per-pattern updates*, as SNNS's standard back-propagation makes them "
            f"(batch size 1, reported seeds): {self.says('gd')}; {self.says('momentum')}"
        )
        if not (pd.notna(gd["km_median"]) and pd.notna(mom["km_median"])):
            return head + ". A median was not reached, so they cannot be ranked."
        ratio, lo, hi = ratio_interval(gd, mom)
        a, b = self.cell_runs("gd"), self.cell_runs("momentum")
        p = logrank_p(*time_to_event(a, self.m), *time_to_event(b, self.m))
        if lo > 1 or hi < 1:
            verdict = "faster" if lo > 1 else "slower"
        elif p < 0.05:
            verdict = ("faster" if ratio > 1 else "slower") + " by the log-rank test"
        else:
            verdict = "not clearly different"
        said = (
            f"{head}. Here momentum is {verdict}: plain GD needs {times(ratio)} its median "
            f"(interval {times(lo)}–{times(hi)}, from the two medians' 95% intervals; "
            f"{logrank(a, b, self.m)} for the two sets of times)."
        )
        if verdict.startswith("faster"):
            said += (
                " So the SNNS figures' order, momentum before plain back-propagation, holds "
                "here with per-pattern updates, and with full-batch updates it does not."
            )
        return said

    def edge(self) -> str:
        return fair.edge_note(self.chosen, "lr", "per-pattern rate")


def online(parts: dict[str, ResultsDir] | None) -> Online | None:
    """The ``online`` part's analysis, or None when the page has no such part."""
    if not parts or "online" not in parts:
        return None
    return Online(parts["online"])


def figure(part: Online, img: Path, published: dict[str, float]) -> tuple[str, str]:
    """Median epochs and success rate against lr, plain GD and momentum, per-pattern;
    ``published`` ({optimiser: epochs}) as dashed lines in the optimiser's colour."""
    s, m = part.every, part.m
    fig = kit.figure(2, panel=(3.4, 3.0), legend_w=1.9)
    left, right = fig.subplots(1, 2)
    opts = levels(s, "optimizer")
    labels = {o: OPT_NAMES.get(o, o) for o in opts}
    colours = dict(zip(opts, COLOURS, strict=False))
    kit.median_panel(left, s, "lr", "optimizer", m, log_x=True, labels=labels, colours=colours)
    for opt, value in published.items():
        if opt in colours:
            left.axhline(value, color=colours[opt], ls="--", lw=1, alpha=0.9)
    left.set(xlabel="learning rate, log", ylabel="median epochs to 40-20-40\n(log scale, 95% CI)")
    kit.rate_panel(right, s, "lr", "optimizer", log_x=True, labels=labels)
    right.set(xlabel="learning rate, log", ylabel="runs that met 40-20-40")
    for ax in (left, right):
        ax.tick_params(axis="x", labelrotation=45, labelsize=8)
    handles, names = left.get_legend_handles_labels()
    if any(o in colours for o in published):
        handles.append(Line2D([], [], color="0.3", ls="--", lw=1))
        names.append("SNNS figure\n(its colour)")
    fig.legend(handles, names, title="optimiser", loc="outside right upper", frameon=False)
    fig.suptitle("8-3-8 with per-pattern updates (all seeds)", x=0.02, ha="left")
    caption = (
        "The 8-3-8 encoder with one update per pattern (batch size 1, a new random order "
        "each epoch), as SNNS's standard back-propagation. Left: Kaplan–Meier median epochs "
        "to the 40-20-40 criterion (95% interval); right: share of runs that met it (95% "
        f"Wilson interval); all seeds. lr here is {part.outputs}× the classic per-pattern "
        "η. Dashed lines: the SNNS manual's figures for back-propagation and with "
        "momentum, in the colour of nnsweep's counterpart. " + kit.budget_note(m)
    )
    return kit.save(fig, img, "encoder-online"), caption
