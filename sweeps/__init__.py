"""sweeps: run grids of nncore trainings and report how they converged.

The public entry points; the ``nnsweep`` command wraps them.

>>> import sweeps
>>> runs = sweeps.run("quick", out="results/quick", jobs=2)  # doctest: +SKIP

The names are imported on first use, so that ``nnsweep`` can start its worker
processes before this process has imported pandas.
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
    "load_spec": "config.spec",
}

if TYPE_CHECKING:
    from sweeps.config.spec import SweepSpec, load_spec
    from sweeps.execute.runner import run
    from sweeps.results.schema import COLUMNS, read_runs


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'sweeps' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
