"""sweeps: run grids of nncore trainings and report how they converged.

The public entry points; the ``nnsweep`` command wraps them.

>>> import sweeps
>>> runs = sweeps.run("quick", out="results/quick", jobs=2)  # doctest: +SKIP

The names are imported on first use, so that ``nnsweep`` can start its worker
processes before this process has imported pandas.

The code is layered, lowest first: nncore < config < results < stats < execute <
report < regress < bench < gallery < demo < cli; a module imports from its own layer
or lower ones. results sits above config because runs.csv's columns start with the
grid's (``sweeps.config.columns``); execute above stats because each chunk computes its
plateau columns (``sweeps.stats.plateau``). This facade names anything and nothing in
the package imports it (``tests/test_layout.py`` checks all of this).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = ["COLUMNS", "SweepSpec", "load_spec", "read_runs", "run"]

_HOMES = {
    "COLUMNS": "results.schema",
    "read_runs": "results.schema",
    "run": "execute.runner",
    "SweepSpec": "config.spec",
    "load_spec": "config.load",
}

if TYPE_CHECKING:
    from sweeps.config.load import load_spec
    from sweeps.config.spec import SweepSpec
    from sweeps.execute.runner import run
    from sweeps.results.schema import COLUMNS, read_runs


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'sweeps' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
