"""What a sweep will cost: network-epochs, and wall time from a short calibration."""

from __future__ import annotations

import os
import time
from typing import Any

import pandas as pd

from sweeps.config.grid import groups
from sweeps.config.spec import SweepSpec

from .chunk import train_chunk

__all__ = ["CALIBRATION_EPOCHS", "estimate"]

CALIBRATION_EPOCHS = 100


def estimate(spec: SweepSpec, grid: pd.DataFrame, jobs: int | None = None) -> dict[str, Any]:
    """Upper bounds on the cost of ``grid``: every run is assumed to use its whole budget.

    Each population structure is timed on a few members for a few epochs (no stop
    criterion), so deep or wide networks are priced at their own rate.
    """
    jobs = jobs or os.cpu_count() or 1
    if spec.trainer:  # the user's code is not run to price it: no time is predicted
        work = int(grid["max_epochs"].sum())
        return {"populations": 1, "network_epochs": work, "seconds": None, "rate": 0.0,
                "jobs": jobs}  # fmt: skip
    seconds = 0.0
    idx_groups = groups(grid)
    for idx in idx_groups:
        sample = grid.iloc[idx[: spec.chunk_size]].copy()
        sample["max_epochs"] = CALIBRATION_EPOCHS
        own = spec.tasks.get(str(sample["task"].iloc[0]))  # a spec's own task: its arrays
        start = time.perf_counter()
        train_chunk(sample.to_dict("list"), {}, data=own.payload() if own else None)
        rate = len(sample) * (CALIBRATION_EPOCHS + 1) / (time.perf_counter() - start)
        seconds += len(idx) * float(grid["max_epochs"].iloc[idx[0]]) / rate
    work = int(grid["max_epochs"].sum())
    n_chunks = sum(-(-len(idx) // spec.chunk_size) for idx in idx_groups)
    return {
        "populations": len(idx_groups),
        "network_epochs": work,
        "seconds": seconds / min(jobs, max(1, n_chunks)),
        "rate": work / seconds if seconds else 0.0,
        "jobs": jobs,
    }
