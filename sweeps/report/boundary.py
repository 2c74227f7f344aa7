"""Decision boundaries of two-input networks, redrawn from retrained runs.

Results directories keep no weights. A run is fully determined by its row of
``runs.csv`` (config and seed), and a member trains bit for bit the same alone as
in its population, so :func:`retrain` rebuilds the network from the row and checks
that it lands on the recorded outcome before anything is drawn.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colors import BoundaryNorm
from numpy.typing import NDArray

from nncore import Network, RunRecord, get_task
from sweeps.config.params import OPTIMIZER_PARAMS, parse_hidden

__all__ = [
    "ALPHA", "Array", "BANDS", "CMAP", "boundary_plot", "decision_grid", "output_colours",
    "retrain", "typical_runs",
]  # fmt: skip

Array = NDArray[np.float64]
BANDS = np.linspace(0.0, 1.0, 11)  # the output in bands of 0.1
CMAP = "RdBu_r"
ALPHA = 0.85


def retrain(row: Mapping[str, Any], stop: Mapping[str, Any]) -> tuple[Network, RunRecord]:
    """Train the run described by ``row`` (a runs.csv row) again; return it and its record.

    Raises ValueError when the retrained run does not end as the row says it did
    (status, epochs to threshold), which would mean the picture is of another network.
    """
    data = get_task(row["task"], row["inputs"])
    sizes = [data.n_in, *parse_hidden("hidden", row["hidden"]), data.n_out]
    net = Network(
        sizes,
        activation=row["activation"],
        output_activation=row["output_activation"],
        loss=row["loss"],
        init=row["init"],
        init_scale=float(row["init_scale"]),
        seed=int(row["seed"]),
        shortcut=_shortcut(row),
    )
    hyper = {k: float(row[k]) for k in OPTIMIZER_PARAMS if k in row and pd.notna(row[k])}
    record = net.fit(
        data.X,
        data.Y,
        optimizer=row["optimizer"],
        max_epochs=int(row["max_epochs"]),
        stop=dict(stop),
        batch_size=int(row["batch_size"]) or None,
        **hyper,
    )
    recorded = row["epochs_to_threshold"]
    recorded = None if pd.isna(recorded) else int(recorded)
    if record.status != row["status"] or record.epochs_to_threshold != recorded:
        raise ValueError(
            f"run_id={row['run_id']!r} retrained to {record.status} at "
            f"{record.epochs_to_threshold} epochs, but runs.csv says {row['status']} at {recorded}"
        )
    return net, record


def _shortcut(row: Mapping[str, Any]) -> bool:
    value = row.get("shortcut", False)  # absent from a runs.csv written before it existed
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "1.0")
    return bool(value) if pd.notna(value) else False


def decision_grid(net: Network, extent: float, n: int = 240) -> tuple[Array, Array, Array]:
    """The network's output on an ``n`` x ``n`` grid over [-extent, extent]²:
    ``(xs (n,), ys (n,), out (n, n))`` with ``out[i, j]`` at ``(xs[j], ys[i])``."""
    xs = np.linspace(-extent, extent, n)
    gx, gy = np.meshgrid(xs, xs)
    out = net.forward(np.column_stack([gx.ravel(), gy.ravel()]))[:, 0]
    return xs, xs.copy(), out.reshape(n, n)


def boundary_plot(net: Network, task: str, ax: Axes, title: str = "") -> Axes:
    """The output of a two-input, one-output ``net`` in bands of 0.1, its 0.5 contour,
    and the task's points (filled: target 1, open: target 0)."""
    data = get_task(task)
    extent = float(np.abs(data.X).max()) * 1.15
    xs, ys, out = decision_grid(net, extent)
    # Ten bands rather than a smooth image: as clear to read, and a PNG a quarter the size.
    ax.contourf(xs, ys, out, levels=BANDS, cmap=CMAP, alpha=ALPHA)
    ax.contour(xs, ys, out, levels=[0.5], colors="k", linewidths=1.2)
    one = data.Y[:, 0] == 1
    ax.scatter(*data.X[one].T, s=14, color="#67001f", edgecolor="white", lw=0.5, label="target 1")
    ax.scatter(*data.X[~one].T, s=14, color="white", edgecolor="#053061", lw=0.9,
               label="target 0")  # fmt: skip
    ax.set(xlim=(-extent, extent), ylim=(-extent, extent), aspect="equal")
    ax.set(xlabel="input x₁", ylabel="input x₂", title=title)
    return ax


def output_colours() -> ScalarMappable:
    """The colour scale of :func:`boundary_plot`, for a colour bar."""
    return ScalarMappable(BoundaryNorm(BANDS, 256), colormaps[CMAP].with_extremes())


def typical_runs(runs: pd.DataFrame, baseline: str = "gd") -> dict[str, pd.Series]:
    """Typical runs to draw, chosen from the results; each key may be missing.

    ``"success"``: in the cell (layers, optimiser, lr) with the most successes, the
    converged run closest to the cell's median epochs. ``"near miss"``: a run of that
    same cell that did not converge, the one with the median final loss.
    ``"baseline failure"``: the same for the ``baseline`` optimiser's runs with the
    same layers, at the rate where its failed runs came closest (lowest median loss).
    """
    keys = ["hidden", "optimizer", "lr"]
    picks: dict[str, pd.Series] = {}
    done = runs[runs["status"] == "converged"]
    failed = runs[runs["status"] != "converged"]
    if len(done):
        cell = done.groupby(keys, dropna=False).size().idxmax()
        rows = done[(done[keys] == pd.Series(cell, index=keys)).all(axis=1)]
        mid = rows["epochs_to_threshold"].astype(float).median()
        picks["success"] = rows.loc[(rows["epochs_to_threshold"] - mid).abs().idxmin()]
        miss = failed[(failed[keys] == pd.Series(cell, index=keys)).all(axis=1)]
        if len(miss):
            picks["near miss"] = _median_loss(miss)
        failed = failed[failed["hidden"] == cell[0]]
    base = failed[failed["optimizer"] == baseline]
    if len(base):
        lr = base.groupby("lr")["final_loss"].median().idxmin()
        picks["baseline failure"] = _median_loss(base[base["lr"] == lr])
    elif "success" not in picks and len(failed):
        picks["failure"] = _median_loss(failed)
    return picks


def _median_loss(rows: pd.DataFrame) -> pd.Series:
    """The row with the median final loss (the lower middle one of an even count)."""
    order = rows["final_loss"].rank(method="first").to_numpy()
    return rows.iloc[int(np.argmin(np.abs(order - (len(rows) + 1) / 2)))]
