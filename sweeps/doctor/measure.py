"""Measure one configuration, as given or changed: a small sweep in its own folder.

Every measurement is an ordinary sweep (``nnsweep run`` on the user's spec with the
change as ``KEY=VALUE`` overrides) in a folder of the doctor's results directory, on
the same seeds as the original: the runs pair one for one, a measurement already made
is resumed rather than repeated, and ``-j`` splits each one over the workers.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sweeps.config.grid import expand
from sweeps.config.load import load_spec
from sweeps.config.spec import SweepSpec
from sweeps.execute.estimate import estimate
from sweeps.execute.runner import run

__all__ = ["Measured", "Plan", "measure"]

ORIGINAL = "original"


@dataclass
class Plan:
    """What every measurement shares: the spec, the user's overrides, the results
    directory, the workers and the time budget (seconds, from ``started``)."""

    source: str
    overrides: tuple[str, ...]
    out: Path
    jobs: int
    budget_s: float
    diagnostics: bool = True
    started: float = field(default_factory=time.monotonic)
    on_notice: Callable[[str], None] | None = None
    seconds_per_run: float = 0.0  # a user trainer's, measured on the original

    def spec(self, changes: Sequence[str] = ()) -> SweepSpec:
        """The user's spec with ``changes``; chunks small enough to keep every job busy."""
        spec = load_spec(self.source, [*self.overrides, *changes])
        size = max(1, -(-len(spec.seeds) // max(1, self.jobs)))
        return load_spec(self.source, [*self.overrides, *changes, f"chunk_size={size}"])

    def left(self) -> float:
        return self.budget_s - (time.monotonic() - self.started)


@dataclass(frozen=True)
class Measured:
    """One measurement's runs (one row per seed) and where they are."""

    key: str
    runs: pd.DataFrame
    path: Path
    max_epochs: int


def predicted_s(plan: Plan, spec: SweepSpec) -> float:
    """The cost model's upper bound on the wall time of ``spec`` (a user trainer: the
    original's measured time per run)."""
    grid = expand(spec)
    seconds = estimate(spec, grid, jobs=plan.jobs)["seconds"]
    if seconds is None:
        return plan.seconds_per_run * len(grid) / max(1, plan.jobs)
    return float(seconds)


def measure(
    plan: Plan, key: str, changes: Sequence[str] = (), force: bool = False
) -> Measured | None:
    """Run the spec with ``changes`` into ``plan.out / key``; None when the cost model
    says it does not fit in what is left of the budget (``force``: run it anyway)."""
    spec = plan.spec(changes)
    if not force and predicted_s(plan, spec) > plan.left():
        return None
    path = plan.out / key
    began = time.monotonic()
    runs = run(
        spec,
        path,
        plan.jobs,
        diagnostics=plan.diagnostics and not spec.trainer,
        on_notice=plan.on_notice,
    )
    if key == ORIGINAL and spec.trainer:
        plan.seconds_per_run = (time.monotonic() - began) * max(1, plan.jobs) / max(1, len(runs))
    return Measured(key, runs.sort_values("seed").reset_index(drop=True), path, spec.max_epochs)
