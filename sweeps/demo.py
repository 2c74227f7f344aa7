"""The seed's scenario done right: one small network learns a logic gate."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from nncore import Network, RunRecord, get_task

__all__ = ["DemoResult", "plot_demo", "run_demo"]


@dataclass
class DemoResult:
    """What ``nnsweep demo`` shows: data, outputs before and after, the run's record."""

    X: NDArray[np.float64]
    Y: NDArray[np.float64]
    before: NDArray[np.float64]
    after: NDArray[np.float64]
    record: RunRecord


def run_demo(
    gate: str = "or",
    activation: str = "tanh",
    lr: float = 0.5,
    init_scale: float = 0.01,
    max_epochs: int = 100_000,
    tol: float = 0.1,
    seed: int = 0,
) -> DemoResult:
    """Train a 2-6-1 network on ``gate`` from the seed's init (normal, σ = 0.01)."""
    data = get_task(gate)
    net = Network(
        [2, 6, 1],
        activation=activation,
        output_activation="sigmoid",
        loss="mse",
        init="normal",
        init_scale=init_scale,
        seed=seed,
    )
    before = net.forward(data.X)
    rec = net.fit(data.X, data.Y, lr=lr, max_epochs=max_epochs, stop={"max_error_below": tol})
    return DemoResult(data.X, data.Y, before, net.forward(data.X), rec)


def plot_demo(result: DemoResult, title: str, path: Path) -> Path:
    """Save the loss curve of a demo run as a PNG (log epochs; log loss unless it barely moves)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sweeps.report.style import loss_axis

    rec = result.record
    keep = rec.curve_epochs > 0
    fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
    ax.plot(rec.curve_epochs[keep], rec.curve_loss[keep], marker="o", ms=3)
    ax.set_xscale("log")
    loss_axis(ax, rec.curve_loss[keep])  # linear, plainly labelled, when it barely moves
    if rec.epochs_to_threshold:
        ax.axvline(rec.epochs_to_threshold, color="grey", ls="--", lw=1)
        ax.annotate(
            f"threshold at epoch {rec.epochs_to_threshold:,}",
            (rec.epochs_to_threshold, 0.5),
            xycoords=("data", "axes fraction"),
            rotation=90,
            ha="right",
            va="center",
            fontsize=8,
            color="grey",
        )
    ax.set(xlabel="epoch (full-batch updates)", ylabel="loss (½ mean squared error)", title=title)
    path.parent.mkdir(parents=True, exist_ok=True)
    from sweeps.results.files import write_with

    write_with(path, lambda tmp: fig.savefig(tmp, dpi=120, format=path.suffix[1:] or "png"))
    plt.close(fig)
    return path
