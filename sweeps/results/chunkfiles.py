"""A finished chunk's files, written by the worker that trained it, without pandas.

Three files in the sweep's ``chunks/`` directory, each written atomically, the runs
file last (it marks the chunk done): ``<id>.curves.gz`` and, with diagnostics,
``<id>.diagnostics.gz`` (headerless gzipped CSV, so that chunks concatenate into
the final files as gzip members), and ``<id>.runs.csv``.

Why not pandas: a worker that does not import it starts in half the time, and
formatting the few thousand values of a chunk directly is faster than ``to_csv``.
The runs file's lines are exactly those ``DataFrame.to_csv`` writes for the same
values (a test holds it to that), because ``runs.csv`` is put together from them.
"""

from __future__ import annotations

import gzip
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .files import write_bytes

__all__ = ["Columns", "runs_csv", "write_atomic", "write_chunk"]

Columns = Mapping[str, Sequence[Any]]


def write_chunk(
    chunks: Path,
    chunk_id: str,
    runs: Columns,
    curves: Columns,
    diagnostics: Columns | None = None,
) -> None:
    """Write one chunk's files into the directory ``chunks``; ``runs`` has the columns,
    ``curves`` run_id/epoch/loss (and val_loss, if any), ``diagnostics``
    run_id/epoch/layer/metric/value."""
    text = _curve_lines(curves["run_id"], curves["epoch"], curves["loss"], curves.get("val_loss"))
    write_atomic(chunks / f"{chunk_id}.curves.gz", gzip.compress(text, 1, mtime=0))
    if diagnostics is not None:
        # Six significant digits are plenty here; gzip level 6 compresses 3x faster
        # than 9 for a file 5% larger (this file is 3x the curves').
        text = _diagnostic_lines(diagnostics)
        write_atomic(chunks / f"{chunk_id}.diagnostics.gz", gzip.compress(text, 6, mtime=0))
    write_atomic(chunks / f"{chunk_id}.runs.csv", runs_csv(runs))


def runs_csv(runs: Columns) -> bytes:
    """``runs`` (one list per column, in the file's column order: COLUMNS, or a trainer
    sweep's) as ``to_csv(index=False)`` writes it."""
    columns = list(runs)
    cells = [[_cell(v) for v in runs[c]] for c in columns]
    lines = [",".join(columns), *(",".join(row) for row in zip(*cells, strict=True))]
    return ("\n".join(lines) + "\n").encode()


def _cell(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, float):  # np.float64 too
        return repr(float(v))  # as numpy's float-to-str: the shortest exact digits
    text = str(v)
    if any(ch in text for ch in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _curve_lines(
    run_ids: Sequence[str],
    epochs: Sequence[int],
    loss: Sequence[float],
    val_loss: Sequence[float | None] | None = None,
) -> bytes:
    """One line per curve point; ``val_loss`` empty where there is none (NaN or None)."""
    val = [None] * len(run_ids) if val_loss is None else list(val_loss)
    rows = zip(
        list(run_ids), np.asarray(epochs).tolist(), np.asarray(loss).tolist(), val, strict=True
    )
    return "".join(f"{r},{e},{_num(x)},{_num(v)}\n" for r, e, x, v in rows).encode()


def _num(x: float | None) -> str:
    return "" if x is None or x != x else repr(float(x))


def _diagnostic_lines(d: Columns) -> bytes:
    rows = zip(
        list(d["run_id"]),
        np.asarray(d["epoch"]).tolist(),
        np.asarray(d["layer"]).tolist(),
        list(d["metric"]),
        np.asarray(d["value"], dtype=float).tolist(),
        strict=True,
    )
    return "".join(
        f"{r},{e},{layer},{m},{'' if v != v else f'{v:.6g}'}\n" for r, e, layer, m, v in rows
    ).encode()


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that no reader, and no kill, sees half a file."""
    # The temporary name is this process's own: a worker orphaned by a killed sweep
    # may still be writing the same chunk as the resumed sweep's worker.
    write_bytes(path, data, root=path.parent.parent)
