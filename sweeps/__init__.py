"""sweeps: run grids of nncore trainings and report how they converged.

The public entry points; the ``nnsweep`` command wraps them.

>>> import sweeps
>>> runs = sweeps.run("quick", out="results/quick", jobs=2)  # doctest: +SKIP
"""

from __future__ import annotations

from .results import COLUMNS, read_runs
from .runner import run
from .spec import SweepSpec, load_spec

__all__ = ["COLUMNS", "SweepSpec", "load_spec", "read_runs", "run"]
