"""The results schema: one tidy row per run, and the files a sweep leaves behind.

``runs.csv`` has exactly :data:`COLUMNS`, in that order, one row per run, sorted as
the grid expands. Optimiser hyper-parameters that do not apply to a run's
optimiser are empty, and so are the ``val_*`` columns of a run on a task without a
holdout. ``curves.csv.gz`` is long form: ``run_id, epoch, loss, val_loss``.

A sweep of the user's own trainer (``trainer`` in the spec) has other columns,
:func:`run_columns`: ``run_id``, the trainer's parameters in its declared order,
``max_epochs``, ``seed``, the metric columns, ``error`` (why a run ``failed``; empty
otherwise) and the trainer's declared extra metrics. The nncore parameter columns
are left out there: they would be empty in every row.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sweeps.config.columns import DTYPES as CONFIG_DTYPES
from sweeps.config.columns import PARAM_COLUMNS

if TYPE_CHECKING:
    import pandas as pd

    from sweeps.config.spec import SweepSpec

__all__ = [
    "COLUMNS", "CURVE_COLUMNS", "DIAGNOSTIC_COLUMNS", "DTYPES", "ID_COLUMNS", "METRIC_COLUMNS",
    "STATUSES", "frame", "read_runs", "run_columns", "run_dtypes", "write_csv_atomic",
]  # fmt: skip

ID_COLUMNS = ["run_id"]
METRIC_COLUMNS = [
    "status",  # converged | censored | diverged (| failed: a user trainer's run, see error)
    "epochs_to_threshold",  # updates needed to meet every stop criterion; empty if not met
    "epochs_run",  # updates done when the run stopped
    "final_loss",
    "best_loss",
    "max_error",  # max |y_hat - y| over the training set at the end
    "accuracy",
    # On the held-out part of a task with a holdout, at the run's end; empty without one.
    "val_loss",
    "val_accuracy",
    "val_max_error",
    "plateau_epochs",  # longest stretch where the loss moved < 10% per decade of epochs
    "plateau_end",  # the epoch that plateau ended; empty if there was none
    "wall_time_s",  # the run's share of its population's training time
]
COLUMNS = ID_COLUMNS + PARAM_COLUMNS + METRIC_COLUMNS
CURVE_COLUMNS = ["run_id", "epoch", "loss", "val_loss"]  # val_loss: empty without a holdout
# diagnostics.csv.gz (sweeps run with diagnostics): see nncore.diagnostics for the metrics.
DIAGNOSTIC_COLUMNS = ["run_id", "epoch", "layer", "metric", "value"]
STATUSES = ("converged", "censored", "diverged", "failed")

DTYPES = {
    **CONFIG_DTYPES,
    "status": "string",
    "epochs_to_threshold": "Int64",
    "epochs_run": "int64",
    "plateau_epochs": "int64",
    "plateau_end": "Int64",
    **{c: "float64" for c in ("val_loss", "val_accuracy", "val_max_error")},
    "error": "string",
}


def run_columns(spec: SweepSpec) -> list[str]:
    """The runs.csv columns of ``spec``'s sweep (:data:`COLUMNS` unless it has a trainer)."""
    if not spec.trainer:
        return COLUMNS
    t = spec.trainer_def
    return ["run_id", *t.params, "max_epochs", "seed", *METRIC_COLUMNS, "error", *t.metrics]


def run_dtypes(spec: SweepSpec) -> dict[str, str]:
    """The dtypes of :func:`run_columns` (a trainer's parameters typed as it declares)."""
    extra = spec.trainer_def.dtypes() if spec.trainer else {}
    return {c: extra.get(c) or DTYPES.get(c, "float64") for c in run_columns(spec)}


def frame(table: dict[str, list[Any]], dtypes: dict[str, str] | None = None) -> pd.DataFrame:
    """A runs table given as columns (as workers return it) as a DataFrame with the
    schema's dtypes: the same frame ``read_runs`` gives for the same rows.

    ``dtypes`` (e.g. :func:`run_dtypes`) names the columns; default :data:`COLUMNS`.
    """
    import pandas as pd

    dtypes = dtypes or {c: DTYPES.get(c, "float64") for c in COLUMNS}
    return pd.DataFrame(table, columns=list(dtypes)).astype(dtypes)


def read_runs(path: str | os.PathLike, dtypes: dict[str, str] | None = None) -> pd.DataFrame:
    """Read a ``runs.csv`` (or ``runs.parquet``) with the schema's dtypes (``hidden``
    stays a string).

    ``path`` may be a results directory: its ``runs.parquet`` when there is one no
    older than its ``runs.csv``, else its ``runs.csv``. A trainer sweep's file (it has
    an ``error`` column) is read with ``dtypes`` for its own columns (a manifest's
    ``columns``); without them, text columns are strings.
    """
    import pandas as pd

    path = _runs_file(Path(path))
    dtypes = dtypes or {}
    strings = {c: "string" for c, d in dtypes.items() if d == "string"}
    if path.suffix == ".parquet":
        df = pd.read_parquet(path)
    else:
        df = pd.read_csv(
            path,
            dtype={"hidden": "string", "run_id": "string", "error": "string", **strings},
            keep_default_na=False,
            na_values=[""],
        )
    trainer = "error" in df.columns
    if not trainer and "hidden" in df.columns:
        df["hidden"] = df["hidden"].fillna("")
        if "shortcut" not in df.columns:  # written before the column existed: no shortcuts
            df.insert(df.columns.get_loc("hidden") + 1, "shortcut", False)
    want = ["run_id", "max_epochs", "seed", *METRIC_COLUMNS, "error"] if trainer else COLUMNS
    missing = [c for c in want if c not in df.columns]
    if missing:
        raise ValueError(f"{path}: not a runs.csv, missing columns {missing}")
    known = {k: v for k, v in (DTYPES | dtypes).items() if k in df.columns}
    if trainer:  # other text columns are strings, as a frame of the same rows has them
        known |= {c: "string" for c in df.columns if df[c].dtype == object and c not in known}
        known = {k: v for k, v in known.items() if k not in CONFIG_DTYPES or k in dtypes
                 or k in ("run_id", "max_epochs", "seed")}  # fmt: skip
    return df.astype(known)


def _runs_file(path: Path) -> Path:
    """The runs file of ``path``: itself, or a results directory's newest runs table."""
    if not path.is_dir():
        return path
    csv, parquet = path / "runs.csv", path / "runs.parquet"
    if parquet.is_file() and (
        not csv.is_file() or parquet.stat().st_mtime_ns >= csv.stat().st_mtime_ns
    ):
        return parquet
    return csv


def write_csv_atomic(df: pd.DataFrame, path: str | os.PathLike, **kwargs) -> None:
    """Write ``df`` to ``path`` so that a reader (or a kill) never sees half a file."""
    from .files import write_with

    write_with(Path(path), lambda tmp: df.to_csv(tmp, index=False, **kwargs))
