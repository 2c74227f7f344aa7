"""The results schema: one tidy row per run, and the files a sweep leaves behind.

``runs.csv`` has exactly :data:`COLUMNS`, in that order, one row per run, sorted as
the grid expands. Optimiser hyper-parameters that do not apply to a run's
optimiser are empty, and so are the ``val_*`` columns of a run on a task without a
holdout. ``curves.csv.gz`` is long form: ``run_id, epoch, loss, val_loss``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sweeps.config.columns import DTYPES as CONFIG_DTYPES
from sweeps.config.columns import PARAM_COLUMNS

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "COLUMNS", "CURVE_COLUMNS", "DIAGNOSTIC_COLUMNS", "DTYPES", "ID_COLUMNS", "METRIC_COLUMNS",
    "STATUSES", "frame", "read_runs", "write_csv_atomic",
]  # fmt: skip

ID_COLUMNS = ["run_id"]
METRIC_COLUMNS = [
    "status",  # converged | censored | diverged
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
STATUSES = ("converged", "censored", "diverged")

DTYPES = {
    **CONFIG_DTYPES,
    "status": "string",
    "epochs_to_threshold": "Int64",
    "epochs_run": "int64",
    "plateau_epochs": "int64",
    "plateau_end": "Int64",
    **{c: "float64" for c in ("val_loss", "val_accuracy", "val_max_error")},
}


def frame(table: dict[str, list[Any]]) -> pd.DataFrame:
    """A runs table given as columns (as workers return it) as a DataFrame with the
    schema's dtypes: the same frame ``read_runs`` gives for the same rows."""
    import pandas as pd

    return pd.DataFrame(table, columns=COLUMNS).astype(DTYPES)


def read_runs(path: str | os.PathLike) -> pd.DataFrame:
    """Read a ``runs.csv`` with the schema's dtypes (``hidden`` stays a string)."""
    import pandas as pd

    df = pd.read_csv(
        path,
        dtype={"hidden": "string", "run_id": "string"},
        keep_default_na=False,
        na_values=[""],
    )
    df["hidden"] = df["hidden"].fillna("")
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"{path}: not a runs.csv, missing columns {missing}")
    return df.astype({k: v for k, v in DTYPES.items() if k in df.columns})


def write_csv_atomic(df: pd.DataFrame, path: str | os.PathLike, **kwargs) -> None:
    """Write ``df`` to ``path`` so that a reader (or a kill) never sees half a file."""
    from .files import write_with

    write_with(Path(path), lambda tmp: df.to_csv(tmp, index=False, **kwargs))
