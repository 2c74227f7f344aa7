"""The runs of an unfinished sweep, read from its verified chunk files.

A sweep writes ``runs.csv`` only when its last chunk is done; until then (a sweep
still running, or one stopped by Ctrl-C or a kill) its finished work is in
``chunks/``. :func:`finished_runs` reads those files for a report without
disturbing the sweep: it takes no lock and writes nothing. Each chunk is checked as
a resume checks it (:func:`sweeps.results.validate.chunk_damage`), and its run ids
must hash to the chunk's id (:func:`sweeps.config.grid.chunk_id`); a chunk that
fails is left out with one line saying why, never trusted. A chunk being written
at that moment is not seen at all: its runs file is renamed into place last.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from nncore import ConfigError
from sweeps.config.grid import chunk_id

from .schema import COLUMNS, DTYPES, read_runs
from .store import CHUNK_DIR
from .validate import chunk_damage

__all__ = ["finished_runs", "is_unfinished"]

RUNS_SUFFIX = ".runs.csv"


def is_unfinished(path: Path) -> bool:
    """True when ``path``'s runs.csv is missing, or older than a chunk file (a sweep
    resumed since it was written, and not finished yet)."""
    runs = path / "runs.csv"
    if not runs.is_file():
        return True
    written = runs.stat().st_mtime_ns
    return any(p.stat().st_mtime_ns > written for p in _chunk_files(path / CHUNK_DIR))


def _chunk_files(chunks: Path) -> list[Path]:
    try:
        return sorted(p for p in chunks.glob(f"*{RUNS_SUFFIX}") if not p.name.startswith("."))
    except OSError:
        return []


def finished_runs(
    path: Path, manifest: Mapping, dtypes: Mapping[str, str] | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """The runs of every whole chunk in ``path/chunks``, and one line per chunk left
    out. ``dtypes`` are the sweep's runs.csv columns (default :data:`COLUMNS`)."""
    dtypes = dict(dtypes) if dtypes else {c: DTYPES.get(c, "float64") for c in COLUMNS}
    chunks = path / CHUNK_DIR
    tables, skipped, seen = [], [], set()
    for f in _chunk_files(chunks):
        cid = f.name[: -len(RUNS_SUFFIX)]
        problem = _damage(chunks, cid, list(dtypes), seen)
        if problem:
            skipped.append(f"damaged chunk file {chunks}/{problem}: left out of this report")
            continue
        try:
            table = read_runs(f, dtypes)
        except (OSError, ValueError) as e:  # removed or replaced since it was checked
            skipped.append(f"chunk file {f}: unreadable ({e}): left out of this report")
            continue
        seen.update(table["run_id"])
        tables.append(table)
    if not tables:
        raise ConfigError(
            f"results_dir={str(path)!r} has no finished runs yet: runs.csv is missing and "
            f"no chunk in {CHUNK_DIR}/ is finished; allowed: a directory written by 'nnsweep run'"
        )
    runs = pd.concat(tables, ignore_index=True)
    n = manifest.get("n_runs")
    if isinstance(n, int) and len(runs) > n:
        raise ConfigError(
            f"results_dir={str(path)!r}: its chunks hold {len(runs)} runs where its manifest "
            f"says {n}; re-run the sweep"
        )
    return runs, skipped


def _damage(chunks: Path, cid: str, columns: list[str], seen: set[str]) -> str:
    """What is wrong with chunk ``cid`` ('' if it is whole and belongs to the sweep)."""
    runs = chunks / f"{cid}{RUNS_SUFFIX}"
    try:
        rows = list(csv.reader(io.StringIO(runs.read_text("utf-8"), newline="")))
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        return f"{runs.name}: unreadable ({e})"
    ids = [r[0] for r in rows[1:] if r]
    if not ids or chunk_id(ids) != cid:
        return f"{runs.name}: its run ids are not those of chunk {cid}"
    if seen.intersection(ids):
        return f"{runs.name}: runs already in another chunk"
    return chunk_damage(chunks, cid, ids, diagnostics=False, columns=columns)
