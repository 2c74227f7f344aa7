"""The configuration columns of a run table: what the grid writes, and runs.csv starts with.

:data:`PARAM_COLUMNS` are every parameter, then ``max_epochs`` and ``seed``; :data:`DTYPES`
gives them (and ``run_id``) their pandas dtypes. :mod:`sweeps.results.schema` appends the
metric columns to both.
"""

from __future__ import annotations

from .params import PARAMS

__all__ = ["DTYPES", "PARAM_COLUMNS"]

_DTYPE = {str: "string", bool: "boolean"}
PARAM_COLUMNS = list(PARAMS) + ["max_epochs", "seed"]
DTYPES = {
    **{p.name: _DTYPE.get(p.kind, "float64") for p in PARAMS.values()},
    "batch_size": "int64",
    "max_epochs": "int64",
    "seed": "int64",
    "run_id": "string",
}
