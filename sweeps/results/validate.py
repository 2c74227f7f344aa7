"""Reading back is checking: a result file is trusted only once it proves whole.

A chunk's files are a cache of work: :func:`chunk_damage` says what is wrong with
one (columns, rows, run ids, statuses, value ranges, duplicates, gzip integrity)
and the store re-runs it instead of copying it into the sweep's files. A runs
table (``runs.csv``, a baseline) that fails :func:`check_runs` is an error of
one line: it is the user's data, and nothing can re-make it here.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import zlib
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING

from nncore import ConfigError

from .schema import COLUMNS, CURVE_COLUMNS, DIAGNOSTIC_COLUMNS, STATUSES

if TYPE_CHECKING:
    import pandas as pd

_INT = ("epochs_run", "max_epochs", "seed", "plateau_epochs")
_OPTIONAL_INT = ("epochs_to_threshold", "plateau_end")


def chunk_damage(
    chunks: Path,
    chunk_id: str,
    run_ids: Collection[str],
    diagnostics: bool,
    columns: list[str] | None = None,
) -> str:
    """What is wrong with chunk ``chunk_id``'s files ('' when they are whole);
    ``columns`` are the sweep's runs.csv columns (default :data:`COLUMNS`)."""
    runs = chunks / f"{chunk_id}.runs.csv"
    try:
        problem = _runs_damage(runs.read_bytes(), set(run_ids), columns or COLUMNS)
        if problem:
            return f"{runs.name}: {problem}"
        names = ["curves.gz"] + (["diagnostics.gz"] if diagnostics else [])
        for suffix in names:
            path = chunks / f"{chunk_id}.{suffix}"
            fields = len(CURVE_COLUMNS) if suffix == "curves.gz" else len(DIAGNOSTIC_COLUMNS)
            problem = _gz_damage(path.read_bytes(), set(run_ids), fields)
            if problem:
                return f"{path.name}: {problem}"
    except FileNotFoundError as e:
        return f"{Path(e.filename).name}: missing"
    except OSError as e:
        return f"{Path(e.filename or runs).name}: unreadable ({e.strerror})"
    return ""


def _runs_damage(data: bytes, want: set[str], columns: list[str]) -> str:
    try:
        rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    except (UnicodeDecodeError, csv.Error) as e:
        return f"not CSV ({e})"
    if not rows or rows[0] != columns:
        return "its columns are not runs.csv's"
    if not data.endswith(b"\n"):
        return "truncated (no end of line)"
    body = rows[1:]
    ids = [r[0] for r in body if r]
    if len(ids) != len(set(ids)):
        return "duplicated run_id"
    if set(ids) != want or len(body) != len(want):
        return f"{len(body)} rows for the chunk's {len(want)} runs, or run ids of another chunk"
    for row in body:
        problem = _row_damage(dict(zip(columns, row, strict=False)), len(row), len(columns))
        if problem:
            return f"run {row[0]}: {problem}"
    return ""


def _row_damage(row: dict[str, str], n: int, width: int) -> str:
    if n != width:
        return f"{n} fields, not {width}"
    if row["status"] not in STATUSES:
        return f"status={row['status']!r} is not one of {list(STATUSES)}"
    try:
        ints = {c: int(row[c]) for c in _INT}
        opt = {c: int(row[c]) if row[c] else None for c in _OPTIONAL_INT}
        loss = float(row["final_loss"]) if row["final_loss"] else math.nan
    except ValueError as e:
        return f"not a number: {e}"
    if min(ints.values()) < 0 or ints["epochs_run"] > ints["max_epochs"]:
        return "a count out of range"
    converged = row["status"] == "converged"
    if (opt["epochs_to_threshold"] is not None) != converged:
        return "epochs_to_threshold does not agree with the status"
    if opt["epochs_to_threshold"] is not None and opt["epochs_to_threshold"] < 0:
        return "epochs_to_threshold < 0"
    if not math.isfinite(loss) and row["status"] not in ("diverged", "failed"):
        return f"final_loss={row['final_loss']!r} for a {row['status']} run"
    return ""


def _gz_damage(data: bytes, want: set[str], fields: int) -> str:
    try:
        text = gzip.decompress(data).decode("utf-8")
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as e:
        return f"not a whole gzip file ({str(e).splitlines()[0] if str(e) else type(e).__name__})"
    if text and not text.endswith("\n"):
        return "truncated"
    seen = set()
    for line in text.splitlines():
        parts = line.split(",")
        if len(parts) != fields:
            return f"a line of {len(parts)} fields, not {fields}"
        seen.add(parts[0])
    if not seen <= want:
        return "rows of runs not in this chunk"
    return ""


def check_runs(df: pd.DataFrame, where: str, n_runs: int | None = None) -> pd.DataFrame:
    """``df`` if it is a whole runs table, else a one-line ConfigError naming ``where``."""
    import numpy as np

    def bad(what: str) -> ConfigError:
        return ConfigError(f"{where} is damaged: {what}; re-run the sweep or restore the file")

    dup = df["run_id"].duplicated()
    if dup.any():
        raise bad(f"{int(dup.sum())} duplicated run_id rows (e.g. {df['run_id'][dup].iloc[0]})")
    if n_runs is not None and len(df) != n_runs:
        raise bad(f"{len(df)} runs where its manifest says {n_runs}")
    if "status" in df:
        unknown = sorted(set(df["status"].dropna()) - set(STATUSES))
        if unknown or df["status"].isna().any():
            raise bad(f"status {unknown[:3] or ['']} is not one of {list(STATUSES)}")
    for col in ("epochs_to_threshold", "epochs_run"):
        if col in df and (df[col].dropna() < 0).any():
            raise bad(f"{col} < 0")
    if "final_loss" in df and "status" in df:
        loss = df["final_loss"].to_numpy(dtype=float, na_value=np.nan)
        odd = ~np.isfinite(loss) & ~df["status"].isin(["diverged", "failed"]).to_numpy()
        if odd.any():
            raise bad("a non-finite final_loss for a run that did not diverge")
    return df
