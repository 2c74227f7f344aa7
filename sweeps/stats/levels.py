"""Axis levels of a runs or summary table: their order, their labels, their rows."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["cell_label", "level_label", "levels", "select"]


def level_label(value: object) -> str:
    """A readable axis level: 0.01 -> ``"0.01"``, NaN -> ``"n/a"``, ``""`` -> ``"none"``."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return "n/a"
    if isinstance(value, (float, np.floating)):
        return f"{float(value):g}"
    return str(value) if str(value) != "" else "none"


def levels(table: pd.DataFrame, axis: str | None) -> list:
    """The levels of ``axis``: numbers ascending, names in first-seen order, NaN last.

    ``axis=None`` gives ``[None]``: one level holding every row.
    """
    if axis is None:
        return [None]
    s = table[axis]
    values = list(pd.unique(s.dropna()))
    if pd.api.types.is_numeric_dtype(s):
        values = sorted(values)
    return values + ([np.nan] if s.isna().any() else [])


def select(table: pd.DataFrame, axis: str | None, value: object) -> pd.DataFrame:
    """Rows of ``table`` at one level of ``axis`` (NaN selects the NaN rows)."""
    if axis is None:
        return table
    if level_label(value) == "n/a":
        return table[table[axis].isna()]
    return table[(table[axis] == value).fillna(False).astype(bool)]


def cell_label(axes: list[str], key: tuple) -> str:
    """``"lr = 0.5, init_scale = 0.01"``; ``"all runs"`` for no axes."""
    return (
        ", ".join(f"{a} = {level_label(v)}" for a, v in zip(axes, key, strict=True)) or "all runs"
    )
