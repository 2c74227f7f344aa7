"""Which axes are continuous and which categorical, and how many runs a comparison needs.

The rule, as the README states it: an axis is **continuous** when the spec draws it
in ``[sample]``, or when it is numeric with more than :data:`MAX_LEVELS` distinct
levels; every other axis is **categorical**. Categorical axes get heatmaps, facets
and colours; continuous axes get plots made for a number line (epochs and success
against the parameter, a 2-D view of two of them, a parallel-coordinates view).

A cell or a bin is compared with another only where both hold at least
:data:`MIN_RUNS` runs; smaller ones are drawn but never named in the headline.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sweeps.results.read import ResultsDir

__all__ = ["MAX_LEVELS", "MIN_RUNS", "continuous_axes", "log_scaled", "split_axes"]

MAX_LEVELS = 8
MIN_RUNS = 10


def _sampled(res: ResultsDir) -> dict:
    sample = (res.manifest.get("spec") or {}).get("sample") or {}
    return sample if isinstance(sample, dict) else {}


def continuous_axes(res: ResultsDir) -> list[str]:
    """The axes that are sampled, or numeric with more than :data:`MAX_LEVELS` levels."""
    sampled = _sampled(res)
    out = []
    for a in res.axes:
        col = res.runs[a]
        numeric = pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)
        drawn = isinstance(sampled.get(a), dict) and "choice" not in sampled[a]
        if numeric and (drawn or col.nunique(dropna=True) > MAX_LEVELS):
            out.append(a)
    return out


def split_axes(res: ResultsDir) -> tuple[list[str], list[str]]:
    """``(categorical, continuous)`` axes, each in spec order."""
    cont = continuous_axes(res)
    return [a for a in res.axes if a not in cont], cont


def log_scaled(res: ResultsDir, axis: str) -> bool:
    """Draw ``axis`` on a log scale: drawn log-uniform, or positive and spanning two decades."""
    dist = _sampled(res).get(axis)
    if isinstance(dist, dict) and "log_uniform" in dist:
        return True
    values = res.runs[axis].to_numpy(dtype=np.float64, na_value=np.nan)
    values = values[np.isfinite(values)]
    return bool(len(values) and values.min() > 0 and values.max() / values.min() >= 100)
