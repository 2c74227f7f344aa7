"""Continuous axes: the rule that finds them, their figures, and images kept bounded."""

from __future__ import annotations

import json

import numpy as np
import pytest
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure

from nncore import ConfigError
from sweeps.report.continuous import binned, epochs_panel
from sweeps.report.figures import MAX_PX
from sweeps.report.kinds import MAX_LEVELS, MIN_RUNS, continuous_axes, log_scaled, split_axes
from sweeps.report.write import write_report
from sweeps.results.read import load

# Many numeric levels, as a random search draws them: continuous by the rule.
LRS = list(np.round(np.geomspace(0.01, 10, MAX_LEVELS + 4), 6))
SCALES = list(np.round(np.linspace(0.1, 2.0, MAX_LEVELS + 2), 6))


def _mark_sampled(out, **dists) -> None:
    """Record in the manifest that the spec drew these axes in [sample]."""
    path = out / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["spec"]["sample"] = {"n": 8, "method": "random", **dists}
    path.write_text(json.dumps(manifest))


def png_size(path) -> tuple[int, int]:
    """(width, height) from the PNG header's IHDR chunk."""
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR"
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def _sizes(out) -> dict[str, tuple[int, int]]:
    return {p.stem: png_size(p) for p in (out / "plots").glob("*.png")}


def test_an_axis_is_continuous_when_sampled_or_numeric_with_many_levels(fake_results):
    out = fake_results({"activation": ["sigmoid", "tanh"], "lr": LRS, "init_scale": [0.5, 1.0]})
    res = load(out)
    assert split_axes(res) == (["activation", "init_scale"], ["lr"])
    _mark_sampled(out, init_scale={"uniform": [0.5, 1.0]}, activation={"choice": ["tanh"]})
    # Drawn from a distribution: continuous even with two levels; a choice stays categorical.
    assert continuous_axes(load(out)) == ["lr", "init_scale"]


def test_log_scale_where_drawn_log_uniform_or_spanning_two_decades(fake_results):
    out = fake_results({"lr": LRS, "init_scale": SCALES}, seeds=1)
    res = load(out)
    assert log_scaled(res, "lr") and not log_scaled(res, "init_scale")
    _mark_sampled(out, init_scale={"log_uniform": [0.1, 2.0]})
    assert log_scaled(load(out), "init_scale")


@pytest.mark.parametrize("n", [0, 5, 37, 400])
def test_bins_hold_the_minimum_of_runs_and_follow_the_parameter(n):
    values = np.random.default_rng(1).uniform(0.01, 10, n)
    idx = binned(values, log=True)
    assert (idx >= 0).all()
    counts = np.bincount(idx) if n else np.array([])
    if n >= MIN_RUNS:
        assert counts.min() >= MIN_RUNS
    order = np.argsort(values)
    assert (np.diff(idx[order]) >= 0).all()  # bins are intervals of the parameter


def test_censored_and_diverged_runs_are_drawn_at_and_above_the_budget(fake_results):
    out = fake_results({"activation": ["sigmoid", "tanh"], "lr": LRS}, seeds=4)
    res = load(out)
    ax = Figure(figsize=(4, 3)).subplots()
    epochs_panel(ax, res, "lr", None, {}, cap=10_000)
    dots = [c for c in ax.collections if type(c) is PathCollection]  # scatters, not bands
    y = np.concatenate([c.get_offsets()[:, 1] for c in dots])
    m = res.max_epochs
    status = res.runs["status"]
    assert (y == m).sum() == (status == "censored").sum() > 0
    assert (y > m).sum() == (status == "diverged").sum()
    assert len(y) == len(res.runs)  # every run is a point
    assert ax.get_xscale() == "log"


def test_report_of_a_search_draws_continuous_figures_and_no_grid_of_cells(fake_results):
    out = fake_results(
        {"activation": ["sigmoid", "tanh"], "lr": LRS, "init_scale": SCALES}, seeds=1
    )
    text = write_report(out).read_text()
    drawn = set(_sizes(out))
    assert {"epochs_vs", "success_vs", "pair", "parallel", "survival", "epochs"} <= drawn
    assert not any(name.startswith("heatmap") for name in drawn)
    assert "Heatmaps need two categorical axes" in text
    assert "Best configurations" in text


def test_one_continuous_axis_and_no_categorical_one(fake_results):
    out = fake_results({"lr": LRS}, seeds=3)
    write_report(out)
    drawn = set(_sizes(out))
    assert {"epochs_vs", "success_vs", "parallel"} <= drawn and "pair" not in drawn


def test_roles_on_continuous_axes_are_refused(fake_results):
    out = fake_results({"activation": ["sigmoid", "tanh"], "lr": LRS}, seeds=1)
    with pytest.raises(ConfigError, match=r"x='lr' is a continuous axis.*one of \['activation'\]"):
        write_report(out, x="lr")


def test_no_image_exceeds_the_bound_with_many_levels(fake_results, monkeypatch):
    from sweeps.report import figures

    # The most facets a figure draws fit the bound at the figures' own resolution ...
    fig, _ = figures._figure(4, 5)  # 20 panels, five to a row
    assert max(fig.get_size_inches()) * figures.DPI <= MAX_PX
    # ... and more levels than that are cut, with a note (a smaller cap keeps this fast).
    monkeypatch.setattr(figures, "MAX_PANELS", 4)
    hidden = [str(w) for w in range(2, 8)]  # 6 names: categorical
    out = fake_results(
        {"activation": ["sigmoid", "tanh", "relu"], "hidden": hidden, "lr": LRS[: MAX_LEVELS + 1]},
        seeds=1, max_epochs=2000,
    )  # fmt: skip
    text = write_report(out).read_text()
    sizes = _sizes(out)
    assert {"survival", "heatmap_success", "epochs_vs", "parallel"} <= set(sizes)
    assert max(max(s) for s in sizes.values()) <= MAX_PX, sizes
    assert "Only the first 4 of 6 levels of hidden" in text


def test_a_hue_of_three_levels_says_why_there_is_no_ratio_heatmap(fake_results):
    out = fake_results(
        {"activation": ["sigmoid", "tanh", "relu"], "lr": [0.1, 1.0], "init_scale": [0.5, 1.0]},
        seeds=2, max_epochs=2000,
    )  # fmt: skip
    text = write_report(out).read_text()
    assert "No ratio heatmap: activation has 3 levels and a ratio compares two" in text
    assert not (out / "plots" / "heatmap_ratio.png").exists()


def test_parallel_coordinates_sample_their_lines(fake_results):
    from sweeps.report.figures import roles
    from sweeps.report.overview import MAX_LINES, parallel_figure

    out = fake_results({"lr": LRS}, seeds=90, max_epochs=200)  # 1,080 runs
    res = load(out)
    plot, note = parallel_figure(res, roles(res.axes, continuous=("lr",)))
    assert (
        note
        == f"The parallel-coordinates view draws {MAX_LINES:,} of 1,080 runs (a random sample)."
    )
    assert max(png_size(plot.path)) <= MAX_PX
