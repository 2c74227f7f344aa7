"""The single plot functions: each draws its panel from a results directory's tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.colors import LogNorm, Normalize
from matplotlib.figure import Figure

from sweeps.report.plots import epochs_plot, heatmap_plot, loss_curve_plot, survival_plot
from sweeps.results.read import load, read_curves
from sweeps.stats.survival import summarize


def _ax():
    return Figure(figsize=(4, 3)).subplots()


def test_each_plot_kind_draws_from_a_results_dir(small_results):
    res = load(small_results)
    runs, m = res.runs, res.max_epochs
    ax = survival_plot(runs, max_epochs=m, hue="activation", ax=_ax())
    # A line, an end marker and a band per level.
    assert len(ax.lines) == 4 and len(ax.collections) == 2
    assert ax.get_xscale() == "log" and ax.get_ylabel()
    epochs, loss = read_curves(small_results / "curves.csv.gz", runs["run_id"])
    ax = loss_curve_plot(runs, epochs, loss, hue="activation", ax=_ax())
    assert len(ax.lines) == 2 and ax.get_yscale() == "log"
    summary = summarize(runs, ["init_scale", "lr"], m)
    ax = heatmap_plot(
        summary,
        x="lr",
        y="init_scale",
        value="success_rate",
        max_epochs=m,
        norm=Normalize(0, 1),
        cmap="viridis",
        ax=_ax(),
    )
    assert len(ax.texts) == 4
    ax = heatmap_plot(
        summary,
        x="lr",
        y="init_scale",
        value="km_median",
        max_epochs=m,
        norm=LogNorm(10, m),
        cmap="mako_r",
        ax=_ax(),
    )
    assert len(ax.texts) == 4
    ax = epochs_plot(runs, max_epochs=m, x="lr", hue="activation", ax=_ax())
    assert len(ax.collections) >= 4 and ax.get_ylabel().startswith("epochs")


def test_heatmap_marks_unreached_medians_not_numbers():
    summary = pd.DataFrame(
        {"lr": [0.1, 1.0], "init_scale": [1.0, 1.0], "km_median": [np.nan, 250.0]}
    )
    ax = heatmap_plot(
        summary,
        x="lr",
        y="init_scale",
        value="km_median",
        max_epochs=20_000,
        norm=LogNorm(10, 20_000),
        cmap="mako_r",
        ax=_ax(),
    )
    assert sorted(t.get_text() for t in ax.texts) == ["250", "> 20k"]


def test_loss_axis_is_plain_and_linear_when_the_loss_barely_moves():
    from sweeps.report.style import loss_axis

    ax = _ax()
    ax.plot([1, 10, 100], [0.126, 0.125, 0.124])
    loss_axis(ax, np.array([0.126, 0.125, 0.124]))
    ax.figure.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert ax.get_yscale() == "linear" and len(set(labels)) == len(labels) >= 2
    assert not any("10^" in t or "×" in t for t in labels)
    ax = _ax()
    loss_axis(ax, np.array([0.3, 0.01, 1e-4, np.inf]))  # a diverged run's inf is ignored
    assert ax.get_yscale() == "log"
