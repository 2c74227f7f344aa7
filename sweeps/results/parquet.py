"""Parquet copies of a results directory's tables, beside the CSV files.

``runs.parquet`` (and ``summary.parquet``) hold the same rows and dtypes as
``runs.csv`` (``summary.csv``), in a columnar file that loads in a fraction of the
time. They are written only when asked for (``--format parquet``) and need the
optional ``pyarrow`` (``pip install "nnsweep[parquet]"``); the CSV files are always
written and remain the reference. :func:`sweeps.results.schema.read_runs` reads
either.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import TYPE_CHECKING

from nncore import ConfigError

from .files import write_with

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FORMATS", "INSTALL_HINT", "available", "require", "write_parquet"]

FORMATS = ("csv", "parquet")
INSTALL_HINT = 'pip install "nnsweep[parquet]" (or: pip install pyarrow)'


def available() -> bool:
    """True when pyarrow can be imported."""
    return importlib.util.find_spec("pyarrow") is not None


def require(fmt: str) -> str:
    """``fmt`` if it is a format nnsweep can write here, else a one-line ConfigError."""
    from nncore.rules import check_choice

    fmt = check_choice("format", fmt, FORMATS)
    if fmt == "parquet" and not available():
        raise ConfigError(
            f"format='parquet' needs pyarrow, which is not installed: {INSTALL_HINT}"
        )
    return fmt


def write_parquet(df: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write ``df`` to ``path`` as Parquet, atomically (see :mod:`sweeps.results.files`)."""
    require("parquet")
    return write_with(Path(path), lambda tmp: df.to_parquet(tmp, index=False))
