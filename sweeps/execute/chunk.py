"""Train one chunk of runs as one Population: the unit of work a worker receives.

A chunk holds runs that share a structure (task, layers, activations, loss,
optimiser, batch size, budget); seeds, initialisation and optimiser
hyper-parameters vary per member. ``train_chunk`` is pure, configs in and records
out; ``run_chunk`` is the task a worker runs, and may write the chunk's files.
Neither needs pandas: columns travel as plain lists, and a worker that does not
import pandas starts in half the time.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nncore import Population, get_task
from nncore.rules import hyper_names
from sweeps.config.params import parse_hidden
from sweeps.config.plugins import ensure
from sweeps.config.tasks import check_payload
from sweeps.results.chunkfiles import Columns, write_chunk
from sweeps.results.schema import COLUMNS, DIAGNOSTIC_COLUMNS
from sweeps.stats.plateau import plateaus

from .live import ProgressFile


def run_chunk(
    chunk_id: str,
    columns: Columns,
    stop: dict[str, Any],
    diagnostics: bool = False,
    chunk_dir: str | None = None,
    data: Mapping[str, Any] | None = None,
    plugins: Sequence[Sequence[str]] = (),
    progress_file: str | None = None,
) -> tuple[str, Columns, Columns | None, Columns | None]:
    """A worker's task: train a chunk given as plain columns (rows of the grid).

    Returns ``(chunk_id, runs, curves, diagnostics)``, each a dict of columns;
    ``runs`` has COLUMNS. With ``chunk_dir`` the worker writes the chunk's files
    there itself and returns None for the last two. ``data`` is the prepared data of
    a spec's own task (:meth:`sweeps.config.tasks.TaskData.payload`), checked against
    its digest: every worker trains on the arrays the main process prepared.
    ``plugins`` are the spec's (:meth:`sweeps.config.plugins.Plugin.ref`): imported once
    per process, before training, and refused if their hash is not the one the sweep
    started with. With ``progress_file`` the runs that end are counted there as they
    end (:class:`sweeps.execute.live.ProgressFile`).
    """
    ensure(plugins)
    progress = ProgressFile(progress_file) if progress_file else None
    metrics, curves, diags = train_chunk(columns, stop, diagnostics, data, progress)
    table = {c: list(columns[c]) if c in columns else metrics[c] for c in COLUMNS}
    if chunk_dir is None:
        return chunk_id, table, curves, diags
    write_chunk(Path(chunk_dir), chunk_id, table, curves, diags)
    return chunk_id, table, None, None


def train_chunk(
    configs: Mapping[str, Sequence[Any]],
    stop: Mapping[str, Any],
    diagnostics: bool = False,
    data: Mapping[str, Any] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Columns, Columns, Columns | None]:
    """Train the runs in ``configs`` (columns of the expanded grid) together.

    Returns ``(metrics, curves, diagnostics)``, dicts of columns: ``metrics`` has
    ``run_id`` + METRIC_COLUMNS, one row per run in input order (missing values are
    None); ``curves`` is long form ``run_id, epoch, loss``; ``diagnostics`` is long
    form ``run_id, epoch, layer, metric, value`` (DIAGNOSTIC_COLUMNS), or None
    without ``diagnostics=True``. ``data`` (see :func:`run_chunk`) is needed for a
    spec's own task; with a holdout, ``metrics`` has the validation measures and
    ``curves`` a ``val_loss`` column. ``progress(n_ended, epoch)`` is called as runs
    end (:meth:`nncore.Population.fit`).
    """
    first = {k: list(v)[0] for k, v in configs.items()}
    x, y, validation = _arrays(first, data)
    sizes = [x.shape[1], *parse_hidden("hidden", first["hidden"]), y.shape[1]]
    start = time.perf_counter()  # drawing the initial weights is part of training
    pop = Population(
        sizes,
        activation=first["activation"],
        output_activation=first["output_activation"],
        loss=first["loss"],
        init=list(configs["init"]),
        init_scale=np.asarray(configs["init_scale"], dtype=float),
        seeds=[int(s) for s in configs["seed"]],
        shortcut=bool(first.get("shortcut", False)),
    )
    # Only the columns of the hyper-parameters this optimiser uses: the others are empty.
    used = hyper_names(first["optimizer"])
    hyper = {k: np.asarray(configs[k], dtype=float) for k in used if k in configs}
    records = pop.fit(
        x,
        y,
        optimizer=first["optimizer"],
        max_epochs=int(first["max_epochs"]),
        stop=stop,
        batch_size=int(first["batch_size"]) or None,
        diagnostics=diagnostics,
        validation=validation,
        progress=progress,
        **hyper,
    )
    elapsed = time.perf_counter() - start
    run_ids = list(configs["run_id"])
    diags = _diagnostics(run_ids, records) if diagnostics else None
    return _metrics(run_ids, records, elapsed), _curves(run_ids, records), diags


def _arrays(first: Mapping[str, Any], data: Mapping[str, Any] | None) -> tuple:
    """``(X, Y, validation or None)`` of the chunk's task: built in, or as sent."""
    if data is None:
        task = get_task(first["task"], first["inputs"])
        return task.X, task.Y, None
    check_payload(data, first["task"])
    held = data["X_val"] is not None
    return data["X"], data["Y"], (data["X_val"], data["Y_val"]) if held else None


def _metrics(run_ids: list[str], records: list, elapsed: float) -> Columns:
    epochs = np.array([r.epochs_run for r in records], dtype=float)
    # A member's share of the population's time is its share of the epochs trained.
    share = (epochs + 1) / (epochs + 1).sum()
    flat, flat_end = plateaus([r.curve_epochs for r in records], [r.curve_loss for r in records])
    return {
        "run_id": run_ids,
        "status": [r.status for r in records],
        "epochs_to_threshold": [r.epochs_to_threshold for r in records],
        "epochs_run": [r.epochs_run for r in records],
        "final_loss": [float(r.final_loss) for r in records],
        "best_loss": [float(r.best_loss) for r in records],
        "max_error": [float(r.max_error) for r in records],
        "accuracy": [float(r.accuracy) for r in records],
        "val_loss": [r.val_loss for r in records],
        "val_accuracy": [r.val_accuracy for r in records],
        "val_max_error": [r.val_max_error for r in records],
        "plateau_epochs": flat.tolist(),
        "plateau_end": [None if e < 0 else e for e in flat_end.tolist()],
        "wall_time_s": np.round(share * elapsed, 6).tolist(),
    }


def _curves(run_ids: list[str], records: list) -> Columns:
    ids = np.repeat(np.asarray(run_ids, dtype=object), [len(r.curve_epochs) for r in records])
    out = {
        "run_id": ids.tolist(),
        "epoch": np.concatenate([r.curve_epochs for r in records]).tolist(),
        "loss": np.concatenate([r.curve_loss for r in records]).tolist(),
    }
    if records and records[0].curve_val_loss is not None:
        out["val_loss"] = np.concatenate([r.curve_val_loss for r in records]).tolist()
    return out


def _diagnostics(run_ids: list[str], records: list) -> Columns:
    longs = [r.diagnostics.long() for r in records]
    ids = np.repeat(np.asarray(run_ids, dtype=object), [len(d["epoch"]) for d in longs])
    cols = {k: np.concatenate([d[k] for d in longs]).tolist() for k in DIAGNOSTIC_COLUMNS[1:]}
    return {"run_id": ids.tolist(), **cols}
