"""How the report looks: axis names, colours, epoch ticks, compact numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter

from sweeps.stats.levels import level_label, levels

__all__ = [
    "EPOCH_LABEL", "LABELS", "axis_label", "compact", "epoch_ticks", "few_minor_ticks",
    "loss_axis", "palette_for",
]  # fmt: skip

LABELS = {
    "lr": "learning rate",
    "init_scale": "initial weight scale",
    "init": "initialiser",
    "activation": "hidden activation",
    "output_activation": "output activation",
    "hidden": "hidden layers",
    "optimizer": "optimiser",
    "batch_size": "batch size (0 = full)",
    "inputs": "input encoding",
}
EPOCH_LABEL = "epoch (full passes over the training set, log scale)"


def axis_label(name: str) -> str:
    """A readable name for a parameter: ``"init_scale"`` -> ``"initial weight scale"``."""
    return LABELS.get(name, name.replace("_", " "))


def palette_for(runs: pd.DataFrame, hue: str | None) -> dict:
    """One colour per hue level: categorical names get distinct hues, numbers a ramp."""
    hue_levels = levels(runs, hue)
    numeric = hue is not None and pd.api.types.is_numeric_dtype(runs[hue])
    colours = (
        sns.color_palette("crest", len(hue_levels))
        if numeric and len(hue_levels) > 2
        else sns.color_palette("colorblind", len(hue_levels))
    )
    return {level_label(v): c for v, c in zip(hue_levels, colours, strict=True)}


def epoch_ticks(ax: Axes, axis: str = "x", span: float = 1e6) -> None:
    """Log-scale epoch ticks labelled 1, 10, 100, 1k, 10k (and 2, 5, 20 ... when the
    axis spans less than ``span`` = two decades)."""
    target = ax.xaxis if axis == "x" else ax.yaxis
    subs = (1.0, 2.0, 5.0) if span < 100 else (1.0,)
    target.set_major_locator(LogLocator(base=10, subs=subs))
    target.set_major_formatter(FuncFormatter(lambda v, _: compact(v)))
    few_minor_ticks(target)


def few_minor_ticks(target) -> None:
    """Unlabelled minor ticks at 2 and 5 of each decade only: the default eight per decade,
    on a grid of log panels, make drawing the figure several times slower."""
    target.set_minor_locator(LogLocator(base=10, subs=(2.0, 5.0)))
    target.set_minor_formatter(NullFormatter())


def loss_axis(ax: Axes, values: np.ndarray) -> None:
    """A log loss axis, or a linear one with plain labels when the loss moves by less than
    a factor of 10: on a log axis inside one decade every minor tick would be labelled
    in scientific notation ("1.25×10⁻¹"), and all alike."""
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v) & (v > 0)]
    if len(v) and v.max() / v.min() < 10:
        ax.set_yscale("linear")
        ax.yaxis.set_major_locator(MaxNLocator(5))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:.4g}"))
        return
    ax.set_yscale("log")
    few_minor_ticks(ax.yaxis)


def compact(v: float) -> str:
    """745 -> '745', 1430 -> '1.43k', 20000 -> '20k', 2.5e6 -> '2.5M'."""
    if not np.isfinite(v):
        return "∞"
    if abs(v) < 1000:
        return f"{v:.0f}" if v >= 1 or v == 0 else f"{v:g}"
    if abs(v) < 1e6:
        return f"{v / 1e3:.3g}k"
    return f"{v / 1e6:.3g}M"
