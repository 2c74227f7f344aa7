"""Results directories for the report tests: one trained for real, one synthetic.

Both write exactly what a sweep leaves behind (``runs.csv`` with the schema's
columns, ``curves.csv.gz``, ``manifest.json``, ``spec.toml``), so the reports are
tested on files, as they are used.
"""

from __future__ import annotations

import gzip
import itertools
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nncore import Population, get_task, log_epochs
from sweeps.config.params import PARAMS, applies
from sweeps.results.schema import COLUMNS
from sweeps.stats.plateau import plateau

SMALL_SPEC = """\
name = "small"
description = "OR gate, 2-6-1: sigmoid vs tanh hidden units"
seeds = 5
max_epochs = 1500

[params]
task = "or"
hidden = "6"
activation = ["sigmoid", "tanh"]
init_scale = [0.01, 1.0]
lr = [0.5, 2.0]

[stop]
max_error_below = 0.1
"""
SMALL_AXES = {"activation": ["sigmoid", "tanh"], "init_scale": [0.01, 1.0], "lr": [0.5, 2.0]}


def _defaults() -> dict[str, object]:
    return {name: p.default for name, p in PARAMS.items()}


def _row_params(config: dict[str, object]) -> dict[str, object]:
    """A run's parameter columns: optimiser hyper-parameters that don't apply are NaN."""
    row = {**_defaults(), **config}
    for name in PARAMS:
        if not applies(name, str(row["optimizer"])):
            row[name] = np.nan
    return row


def write_results_dir(
    out: Path,
    runs: pd.DataFrame,
    curves: pd.DataFrame,
    *,
    axes: list[str],
    max_epochs: int,
    spec_text: str,
    stop: dict[str, object],
) -> Path:
    """Write a results directory in the sweep format (runs, curves, manifest, spec)."""
    out.mkdir(parents=True, exist_ok=True)
    runs.reindex(columns=COLUMNS).to_csv(out / "runs.csv", index=False)
    with gzip.open(out / "curves.csv.gz", "wt") as f:
        curves[["run_id", "epoch", "loss"]].to_csv(f, index=False)
    (out / "spec.toml").write_text(spec_text)
    manifest = {
        "spec": {
            "name": out.name,
            "max_epochs": max_epochs,
            "stop": stop,
            "params": {a: "..." for a in axes},
        },
        "spec_hash": "0" * 64,
        "axes": axes,
        "n_runs": len(runs),
        "max_epochs": max_epochs,
        "stop": stop,
        "versions": {"numpy": np.__version__, "pandas": pd.__version__},
        "git_commit": None,
        "started": "2024-01-01T00:00:00+00:00",
        "finished": "2024-01-01T00:01:00+00:00",
        "host": "test",
        "command": f"nnsweep run {out.name}.toml",
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return out


RECORD_FIELDS = ("status", "epochs_to_threshold", "epochs_run", "final_loss", "best_loss",
                 "max_error", "accuracy")  # fmt: skip


def _record_row(run_id: str, config: dict, seed: int, rec, max_epochs: int) -> dict:
    """One runs.csv row from a config and nncore's RunRecord."""
    metrics = {k: getattr(rec, k) for k in RECORD_FIELDS}
    length, end = plateau(rec.curve_epochs, rec.curve_loss)
    metrics.update(plateau_epochs=length, plateau_end=end)
    params = {**_row_params(config), "max_epochs": max_epochs, "seed": seed}
    return {"run_id": run_id, **params, **metrics, "wall_time_s": 0.001}


def train_small(out: Path, seeds: int = 5, max_epochs: int = 1500) -> Path:
    """Train the OR sigmoid-vs-tanh grid for real (2 × 2 × 2 cells × ``seeds``)."""
    data = get_task("or")
    rows, curves = [], []
    for activation in SMALL_AXES["activation"]:
        cells = list(itertools.product(SMALL_AXES["init_scale"], SMALL_AXES["lr"], range(seeds)))
        pop = Population(
            [2, 6, 1],
            activation=activation,
            init="normal",
            init_scale=[c[0] for c in cells],
            seeds=[c[2] for c in cells],
        )
        records = pop.fit(
            data.X,
            data.Y,
            max_epochs=max_epochs,
            stop={"max_error_below": 0.1},
            lr=[c[1] for c in cells],
        )
        for (scale, lr, seed), rec in zip(cells, records, strict=True):
            config = {"task": "or", "hidden": "6", "activation": activation,
                      "init_scale": scale, "lr": lr}  # fmt: skip
            rows.append(_record_row(f"r{len(rows):04d}", config, seed, rec, max_epochs))
            curve = {"epoch": rec.curve_epochs, "loss": rec.curve_loss}
            curves.append(pd.DataFrame({"run_id": rows[-1]["run_id"], **curve}))
    runs = pd.DataFrame(rows)
    runs["epochs_to_threshold"] = runs["epochs_to_threshold"].astype("Int64")
    return write_results_dir(
        out,
        runs,
        pd.concat(curves),
        axes=list(SMALL_AXES),
        max_epochs=max_epochs,
        spec_text=SMALL_SPEC,
        stop={"max_error_below": 0.1},
    )


def synthetic_results(
    out: Path,
    levels: dict[str, list],
    seeds: int,
    max_epochs: int = 20_000,
    rng_seed: int = 0,
) -> Path:
    """A fake sweep over ``levels`` (no training): lognormal times, some censored, some
    diverged (inf loss), and loss curves on the log-spaced epochs. Fast at any size."""
    rng = np.random.default_rng(rng_seed)
    axes = list(levels)
    grid = pd.DataFrame(
        list(itertools.product(*levels.values(), range(seeds))), columns=[*axes, "seed"]
    )
    n = len(grid)
    t, diverged = _outcomes(rng, grid, axes, max_epochs)
    converged = (t <= max_epochs) & ~diverged
    status = np.where(converged, "converged", np.where(diverged, "diverged", "censored"))
    stop_at = np.where(
        converged, t, np.where(diverged, rng.integers(1, max_epochs, n), max_epochs)
    )
    base = pd.DataFrame([_row_params({}) for _ in range(1)]).iloc[[0] * n].reset_index(drop=True)
    runs = base.drop(columns=[c for c in axes if c in base]).join(grid)
    for name in PARAMS:  # hyper-parameters of another optimiser are empty, as in a sweep
        unused = [not applies(name, o) for o in runs["optimizer"]]
        if any(unused):  # (a boolean column such as shortcut takes no NaN, even nowhere)
            runs.loc[unused, name] = np.nan
    runs["run_id"] = [f"s{i:06d}" for i in range(n)]
    runs["max_epochs"] = max_epochs
    runs["status"] = status
    runs["epochs_to_threshold"] = pd.array(np.where(converged, t, 0), "Int64")
    runs.loc[~converged, "epochs_to_threshold"] = pd.NA
    runs["epochs_run"] = stop_at
    final = np.where(diverged, np.inf, np.where(converged, 0.004, 0.08))
    runs["final_loss"] = final
    runs["best_loss"] = np.where(diverged, 0.1, final)
    runs["max_error"] = np.where(converged, 0.09, 0.5)
    runs["accuracy"] = np.where(converged, 1.0, 0.75)
    runs["plateau_epochs"], runs["plateau_end"] = 0, pd.NA
    runs["wall_time_s"] = 0.001
    curves = _synthetic_curves(runs["run_id"].to_numpy(), stop_at, diverged, max_epochs)
    spec = f'name = "synthetic"\nseeds = {seeds}\nmax_epochs = {max_epochs}\n'
    return write_results_dir(
        out,
        runs,
        curves,
        axes=axes,
        max_epochs=max_epochs,
        spec_text=spec,
        stop={"max_error_below": 0.1},
    )


def _outcomes(rng, grid: pd.DataFrame, axes: list[str], max_epochs: int):
    """Lognormal epochs to threshold around a speed of each cell's own, and 3% diverged."""
    n = len(grid)
    cell = grid.groupby(axes, sort=False).ngroup().to_numpy() if axes else np.zeros(n, int)
    centre = np.exp(rng.uniform(np.log(50), np.log(4 * max_epochs), cell.max() + 1))[cell]
    t = np.round(centre * rng.lognormal(0.0, 0.6, n)).astype(np.int64)
    return t, rng.random(n) < 0.03


def _synthetic_curves(run_ids, stop_at, diverged, max_epochs) -> pd.DataFrame:
    grid = log_epochs(max_epochs)
    k = np.searchsorted(grid, stop_at, side="right")  # grid points up to each run's end
    rows = np.repeat(np.arange(len(run_ids)), k)
    epoch = grid[np.arange(len(rows)) - np.repeat(np.cumsum(k) - k, k)]
    loss = 0.125 / (1.0 + epoch / 500.0)
    last = pd.DataFrame(
        {"run_id": run_ids, "epoch": stop_at, "loss": np.where(diverged, np.inf, 0.004)}
    )
    body = pd.DataFrame({"run_id": run_ids[rows], "epoch": epoch, "loss": loss})
    body = body[body["epoch"] < np.repeat(stop_at, k)]
    return pd.concat([body, last]).sort_values(["run_id", "epoch"], kind="stable")


@pytest.fixture(scope="session")
def _small_dir(tmp_path_factory) -> Path:
    return train_small(tmp_path_factory.mktemp("trained") / "small")


@pytest.fixture
def small_results(tmp_path: Path, _small_dir: Path) -> Path:
    """A fresh copy of a really trained OR sigmoid-vs-tanh results directory."""
    return Path(shutil.copytree(_small_dir, tmp_path / "small"))


@pytest.fixture
def fake_results(tmp_path: Path):
    """A factory: ``fake_results({"lr": [0.1, 1.0]}, seeds=20)`` -> a synthetic dir."""

    def make(levels: dict[str, list], seeds: int = 10, **kwargs) -> Path:
        name = "fake_" + "_".join(levels) if levels else "fake_none"
        return synthetic_results(tmp_path / name, levels, seeds, **kwargs)

    return make
