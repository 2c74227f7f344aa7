"""The encoder page's tables: each optimiser at its chosen rate, and plain GD against
momentum at the same rate and at the same effective step."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sweeps.stats.levels import levels

from . import kit
from .encoder_claims import MU
from .kit import OPT_NAMES, row_of

__all__ = ["chosen", "momentum", "patterns_x_outputs"]


def patterns_x_outputs(name: str) -> int:
    """How many terms nnsweep's mse averages on an n-m-n encoder (n patterns x n outputs):
    an lr here is that many times the classic summed-error η."""
    n = int(name.split("-")[0])
    return n * n


def chosen(top: pd.DataFrame, m: int) -> pd.DataFrame:
    eta = [
        f"{r['lr'] / patterns_x_outputs(r['arch']):.2g}"
        if r["optimizer"] in ("gd", "momentum")
        else "—"
        for _, r in top.iterrows()
    ]
    return pd.DataFrame(
        {
            "encoder": top["arch"],
            "optimiser": top["optimizer"].map(lambda o: OPT_NAMES.get(o, o)),
            "best lr": top["lr"].map(lambda v: f"{v:g}"),
            "η on the summed error": eta,
            "converged": [kit.rate(r) for _, r in top.iterrows()],
            "median epochs (KM, failures censored)": [kit.median(r, m) for _, r in top.iterrows()],
            "mean epochs, failures at the budget (RMST)": top["rmst"].map(kit.num),
        }
    )


def momentum(every: pd.DataFrame, main: str, m: int) -> pd.DataFrame:
    """Per GD rate where any of the three converged: plain GD, momentum at that rate, and
    momentum at a tenth of it (the same effective step)."""
    cell = every[every["arch"] == main]
    rows = []
    for lr in levels(cell, "lr"):
        found = [
            row_of(cell, optimizer="gd", lr=lr),
            row_of(cell, optimizer="momentum", lr=lr),
            row_of(cell, optimizer="momentum", lr=_grid_value(cell, lr * (1 - MU))),
        ]
        if found[0] is None or not any(r is not None and r["converged"] > 0 for r in found):
            continue
        said = [
            "not in the grid" if r is None else f"{kit.rate_short(r)}, {kit.median_short(r, m)}"
            for r in found
        ]
        rows.append([f"{lr:g}", *said])
    columns = ["lr (effective step)", "plain GD", "momentum at the same lr",
               "momentum at lr × (1 − μ)"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def _grid_value(cell: pd.DataFrame, v: float) -> float:
    """The grid's level equal to ``v`` up to rounding (``v`` itself when none is)."""
    for level in levels(cell, "lr"):
        if np.isclose(level, v, rtol=1e-9):
            return level
    return v
