"""The encoder page's figures: median epochs and success rate against the learning rate,
one panel per encoder, with the SNNS figures marked on the 8-3-8 panel."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from sweeps.stats.levels import levels

from . import kit
from .kit import COLOURS, OPT_NAMES

__all__ = ["epochs", "success"]


def _panels(s: pd.DataFrame, panel=(3.0, 3.0)):
    archs = levels(s, "arch")
    fig = kit.figure(len(archs), panel=panel, legend_w=1.9)
    axs = fig.subplots(1, len(archs), sharey=True, squeeze=False)[0]
    return fig, axs, archs


def _decades(ax: Axes, s: pd.DataFrame) -> None:
    """x ticks at the powers of ten the grid spans (every grid level would crowd them)."""
    lo, hi = np.log10(float(s["lr"].min())), np.log10(float(s["lr"].max()))
    ticks = [10.0**k for k in range(int(np.floor(lo)), int(np.ceil(hi)) + 1)]
    ax.set_xticks([t for t in ticks if s["lr"].min() / 1.5 <= t <= s["lr"].max() * 1.5])
    ax.set_xlabel("learning rate (Rprop: Δ0), log")
    ax.tick_params(axis="x", labelrotation=45, labelsize=8)


def epochs(s: pd.DataFrame, img: Path, m: int, published: dict[str, float]) -> tuple[str, str]:
    """KM median epochs against lr; ``published`` ({optimiser: epochs}) as dashed lines
    on the 8-3-8 panel."""
    fig, axs, archs = _panels(s)
    opts = levels(s, "optimizer")
    labels = {o: OPT_NAMES.get(o, o) for o in opts}
    colours = dict(zip(opts, COLOURS, strict=False))
    for ax, name in zip(axs, archs, strict=True):
        kit.median_panel(ax, s[s["arch"] == name], "lr", "optimizer", m, log_x=True,
                         labels=labels, colours=colours, low=kit.epoch_floor(s))  # fmt: skip
        ax.set_title(name, fontsize=10)
        _decades(ax, s)
        if name == "8-3-8":
            for opt, value in published.items():
                if opt in colours:
                    ax.axhline(value, color=colours[opt], ls="--", lw=1, alpha=0.9)
    handles, names = axs[0].get_legend_handles_labels()
    if published:
        handles.append(Line2D([], [], color="0.3", ls="--", lw=1))
        names.append("SNNS figure\n(8-3-8, its colour)")
    fig.legend(handles, names, title="optimiser", loc="outside right upper", frameon=False)
    axs[0].set_ylabel("median epochs to 40-20-40\n(log scale, 95% CI)")
    fig.suptitle("Encoders: epochs to the 40-20-40 criterion (all seeds)", x=0.02, ha="left")
    caption = (
        "Kaplan–Meier median epochs until every output is in the correct outer 40% of its "
        "range (failed runs censored at the budget), against the learning rate, one panel "
        "per encoder, all seeds. Dashed lines on the 8-3-8 panel: the SNNS manual's figures "
        "for back-propagation, with momentum, and Rprop, in the colour of nnsweep's "
        "counterpart. " + kit.budget_note(m)
    )
    return kit.save(fig, img, "encoder-epochs"), caption


def success(s: pd.DataFrame, img: Path, m: int) -> tuple[str, str]:
    """Share of runs that met the criterion against lr, one panel per encoder."""
    fig, axs, archs = _panels(s)
    labels = {o: OPT_NAMES.get(o, o) for o in levels(s, "optimizer")}
    for ax, name in zip(axs, archs, strict=True):
        kit.rate_panel(ax, s[s["arch"] == name], "lr", "optimizer", log_x=True, labels=labels)
        ax.set_title(name, fontsize=10)
        _decades(ax, s)
    kit.legend(fig, axs[0], "optimiser")
    axs[0].set_ylabel("runs that met 40-20-40")
    fig.suptitle("Encoders: share of runs that met the criterion (all seeds)", x=0.02, ha="left")
    caption = (
        f"Share of runs that met the 40-20-40 criterion within {m:,} epochs (95% Wilson "
        "interval), against the learning rate, all seeds: the range of rates each "
        "optimiser tolerates."
    )
    return kit.save(fig, img, "encoder-success"), caption
