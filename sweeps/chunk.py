"""Train one chunk of runs as one Population: the unit of work a worker receives.

A chunk holds runs that share a structure (task, layers, activations, loss,
optimiser, batch size, budget); seeds, initialisation and optimiser
hyper-parameters vary per member. ``train_chunk`` is pure, configs in and records
out; ``run_chunk`` is the task a worker runs, and may write the chunk's files.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nncore import Population, get_task

from .params import OPTIMIZER_PARAMS, parse_hidden
from .plateau import plateaus
from .results import COLUMNS, CURVE_COLUMNS, DIAGNOSTIC_COLUMNS, METRIC_COLUMNS
from .store import write_chunk


def run_chunk(
    chunk_id: str,
    columns: dict[str, list],
    stop: dict[str, Any],
    diagnostics: bool = False,
    chunk_dir: str | None = None,
) -> tuple[str, pd.DataFrame, pd.DataFrame | None, pd.DataFrame | None]:
    """A worker's task: train a chunk given as plain columns; return its runs rows.

    Returns ``(chunk_id, runs, curves, diagnostics)``. With ``chunk_dir`` the worker
    writes the chunk's files there itself and returns None for the last two.
    """
    configs = pd.DataFrame(columns)
    metrics, curves, *diags = train_chunk(configs, stop, diagnostics)
    table = configs.merge(metrics, on="run_id", how="left")[COLUMNS]
    diag = diags[0] if diags else None
    if chunk_dir is None:
        return chunk_id, table, curves, diag
    write_chunk(Path(chunk_dir), chunk_id, table, curves, diag)
    return chunk_id, table, None, None


def train_chunk(
    configs: pd.DataFrame, stop: Mapping[str, Any], diagnostics: bool = False
) -> tuple[pd.DataFrame, ...]:
    """Train the runs in ``configs`` (rows of the expanded grid) together.

    Returns ``(metrics, curves)``: ``metrics`` has ``run_id`` + METRIC_COLUMNS, one row
    per run in input order; ``curves`` is long form ``run_id, epoch, loss``. With
    ``diagnostics=True``, ``(metrics, curves, diagnostics)``, the last one long form
    ``run_id, epoch, layer, metric, value`` (DIAGNOSTIC_COLUMNS); the other two are
    the same as without.
    """
    first = configs.iloc[0]
    data = get_task(first["task"], first["inputs"])
    sizes = [data.n_in, *parse_hidden("hidden", first["hidden"]), data.n_out]
    start = time.perf_counter()  # drawing the initial weights is part of training
    pop = Population(
        sizes,
        activation=first["activation"],
        output_activation=first["output_activation"],
        loss=first["loss"],
        init=list(configs["init"]),
        init_scale=configs["init_scale"].to_numpy(float),
        seeds=[int(s) for s in configs["seed"]],
    )
    hyper = {
        k: configs[k].to_numpy(float)
        for k in OPTIMIZER_PARAMS
        if k in configs and configs[k].notna().all()
    }
    batch = int(first["batch_size"]) or None
    records = pop.fit(
        data.X,
        data.Y,
        optimizer=first["optimizer"],
        max_epochs=int(first["max_epochs"]),
        stop=stop,
        batch_size=batch,
        diagnostics=diagnostics,
        **hyper,
    )
    elapsed = time.perf_counter() - start
    out = _metrics(configs["run_id"], records, elapsed), _curves(configs["run_id"], records)
    return (*out, _diagnostics(configs["run_id"], records)) if diagnostics else out


def _metrics(run_ids: pd.Series, records: list, elapsed: float) -> pd.DataFrame:
    epochs = np.array([r.epochs_run for r in records], dtype=float)
    # A member's share of the population's time is its share of the epochs trained.
    share = (epochs + 1) / (epochs + 1).sum()
    flat, flat_end = plateaus([r.curve_epochs for r in records], [r.curve_loss for r in records])
    rows = {
        "run_id": list(run_ids),
        "status": [r.status for r in records],
        "epochs_to_threshold": pd.array([r.epochs_to_threshold for r in records], "Int64"),
        "epochs_run": [r.epochs_run for r in records],
        "final_loss": [r.final_loss for r in records],
        "best_loss": [r.best_loss for r in records],
        "max_error": [r.max_error for r in records],
        "accuracy": [r.accuracy for r in records],
        "plateau_epochs": flat,
        "plateau_end": pd.array(np.where(flat_end < 0, None, flat_end), "Int64"),
        "wall_time_s": np.round(share * elapsed, 6),
    }
    return pd.DataFrame(rows)[["run_id", *METRIC_COLUMNS]]


def _curves(run_ids: pd.Series, records: list) -> pd.DataFrame:
    ids = np.repeat(np.asarray(run_ids, dtype=object), [len(r.curve_epochs) for r in records])
    return pd.DataFrame(
        {
            "run_id": ids,
            "epoch": np.concatenate([r.curve_epochs for r in records]),
            "loss": np.concatenate([r.curve_loss for r in records]),
        },
        columns=CURVE_COLUMNS,
    )


def _diagnostics(run_ids: pd.Series, records: list) -> pd.DataFrame:
    longs = [r.diagnostics.long() for r in records]
    ids = np.repeat(np.asarray(run_ids, dtype=object), [len(d["epoch"]) for d in longs])
    cols = {k: np.concatenate([d[k] for d in longs]) for k in DIAGNOSTIC_COLUMNS[1:]}
    return pd.DataFrame({"run_id": ids, **cols}, columns=DIAGNOSTIC_COLUMNS)
