"""A sweep's directory on disk: lock, manifest, finished chunks, final files.

Each finished chunk is two files in ``chunks/``, written atomically, curves first:
a chunk counts as done once its ``<id>.runs.csv`` exists. A kill at any moment
leaves only whole chunks, and a resumed sweep runs the missing ones. The final
``runs.csv`` and ``curves.csv.gz`` are assembled from the chunks in a fixed order,
so they are byte-identical however many workers ran them and however often the
sweep was resumed.

A sweep run with diagnostics also writes ``<id>.diagnostics.gz`` per chunk (before
its runs file) and assembles ``diagnostics.csv.gz`` when every chunk has one.
"""

from __future__ import annotations

import fcntl
import gzip
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from nncore import ConfigError

from .chunkfiles import Columns, write_atomic, write_chunk
from .files import ResultsIOError, make_dir, remove_stale, write_pieces
from .schema import COLUMNS, CURVE_COLUMNS, DIAGNOSTIC_COLUMNS, DTYPES, frame, read_runs
from .validate import chunk_damage

__all__ = ["CHUNK_DIR", "DIAGNOSTICS", "OUTPUTS", "Store"]

CHUNK_DIR = "chunks"
OUTPUTS = (
    "runs.csv", "curves.csv.gz", "manifest.json", "spec.toml", "summary.csv",
    "diagnostics.csv.gz", "runs.parquet", "summary.parquet",
)  # fmt: skip
DIAGNOSTICS = "diagnostics.csv.gz"
# Directories of nnsweep's own files, and the names it writes there (--fresh removes these).
OWN_DIRS = {
    CHUNK_DIR: ("*.runs.csv", "*.curves.gz", "*.diagnostics.gz", "*.progress", ".*.tmp"),
    "plots": ("*.png", ".*.tmp"),
}


class Store:
    """The results directory of one sweep."""

    def __init__(self, path: str | os.PathLike, dtypes: Mapping[str, str] | None = None) -> None:
        """``dtypes``: the sweep's runs.csv columns and their dtypes (:func:`run_dtypes`);
        default nncore's :data:`COLUMNS`."""
        self.path = Path(path)
        self.dtypes = dict(dtypes) if dtypes else {c: DTYPES.get(c, "float64") for c in COLUMNS}
        self.columns = list(self.dtypes)
        self.chunks = self.path / CHUNK_DIR
        self._lock_fd: int | None = None

    def lock(self) -> None:
        """Take the directory's lock, or fail if another sweep holds it.

        The lock is a ``flock`` on the results directory itself, not on a file in
        it: deleting a file cannot defeat it. The kernel releases it when the holder
        dies, so a killed sweep never leaves a stale lock behind.
        """
        make_dir(self.path)
        fd = os.open(self.path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise ConfigError(
                f"out={str(self.path)!r} is in use by another running sweep; "
                "wait for it to finish or choose another --out"
            ) from None
        self._lock_fd = fd
        make_dir(self.chunks, root=self.path)
        remove_stale(self.path)
        remove_stale(self.chunks)

    def unlock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def manifest(self, fresh: bool = False) -> dict[str, Any] | None:
        """The manifest, None if there is none (or, with ``fresh``, if it is damaged)."""
        p = self.path / "manifest.json"
        try:
            doc = json.loads(p.read_text()) if p.is_file() else None
        except (ValueError, UnicodeDecodeError) as e:
            if fresh:
                return None
            raise ConfigError(
                f"{str(p)!r} is damaged ({str(e).splitlines()[0]}); "
                "run again with --fresh to discard these results"
            ) from None
        if doc is not None and not isinstance(doc, dict):
            if fresh:
                return None
            raise ConfigError(f"{str(p)!r} is not a JSON object; run again with --fresh")
        return doc

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        _write_text_atomic(self.path / "manifest.json", json.dumps(manifest, indent=2) + "\n")

    def clear(self) -> None:
        """Remove the outputs of an earlier sweep (``--fresh``): nnsweep's own file
        names only, never through a link, never anything else."""
        clear_own(self.path)
        make_dir(self.chunks, root=self.path)

    def done_chunks(self, diagnostics: bool = False) -> set[str]:
        """Chunks finished; with ``diagnostics``, only those that have them too."""
        done = {p.name[: -len(".runs.csv")] for p in self.chunks.glob("*.runs.csv")}
        if diagnostics:
            done = {c for c in done if (self.chunks / f"{c}.diagnostics.gz").is_file()}
        return done

    def whole_chunks(
        self, plan: Mapping[str, Iterable[str]], diagnostics: bool = False
    ) -> tuple[set[str], list[str]]:
        """The finished chunks of ``plan`` (chunk id -> its run ids) whose files are
        whole, and one line for each damaged one (its files are removed: re-run it)."""
        done, damaged = set(), []
        for c in sorted(self.done_chunks(diagnostics) & set(plan)):
            problem = chunk_damage(self.chunks, c, list(plan[c]), diagnostics, self.columns)
            if not problem:
                done.add(c)
                continue
            damaged.append(f"damaged chunk file {str(self.chunks)}/{problem}: re-running it")
            (self.chunks / f"{c}.runs.csv").unlink(missing_ok=True)  # not done any more
        return done, damaged

    def save_chunk(
        self,
        chunk_id: str,
        runs: Columns,
        curves: Columns,
        diagnostics: Columns | None = None,
    ) -> None:
        """Write one finished chunk atomically (see ``write_chunk``)."""
        write_chunk(self.chunks, chunk_id, runs, curves, diagnostics)

    def load_chunk_runs(self, chunk_id: str) -> pd.DataFrame:
        return read_runs(self.chunks / f"{chunk_id}.runs.csv", self.dtypes)

    def assemble(
        self,
        chunk_ids: Iterable[str],
        order: pd.Series,
        known: Mapping[str, Columns] | None = None,
    ) -> pd.DataFrame:
        """Write ``runs.csv`` (rows in ``order`` of run_id) and ``curves.csv.gz``.

        ``known`` holds the tables of chunks run in this session; the others are read
        back from their files (both give the same bytes: floats round-trip exactly).
        """
        chunk_ids, known = list(chunk_ids), known or {}
        # One frame for all the chunks run now (building one per chunk costs 40x more).
        fresh = [known[c] for c in chunk_ids if c in known]
        tables = [self.load_chunk_runs(c) for c in chunk_ids if c not in known]
        if fresh:
            rows = {k: [v for t in fresh for v in t[k]] for k in self.columns}
            tables.append(frame(rows, self.dtypes))
        runs = pd.concat(tables, ignore_index=True)
        runs = runs.set_index("run_id").loc[list(order)].reset_index()[self.columns]
        self._assemble_runs(chunk_ids, list(order))
        self._assemble_curves(chunk_ids)
        self._assemble_diagnostics(chunk_ids)
        return runs

    def _assemble_runs(self, chunk_ids: list[str], order: list[str]) -> None:
        """``runs.csv``: the chunks' lines put in ``order``, not formatted again.

        Each chunk's lines are the ones ``to_csv`` writes for its rows (see
        ``chunkfiles``), so this is the file ``to_csv`` would write for the whole
        table, in a fraction of the time.
        """
        header, lines = (",".join(self.columns) + "\n").encode(), {}
        for c in chunk_ids:
            path = self.chunks / f"{c}.runs.csv"
            head, *rows = path.read_bytes().splitlines(True)
            if head != header:
                raise ConfigError(
                    f"{path}: its columns are not this version's runs.csv columns; "
                    "run again with --fresh"
                )
            lines.update((row[: row.index(b",")].decode(), row) for row in rows)
        write_atomic(self.path / "runs.csv", b"".join([header, *(lines[r] for r in order)]))

    def _assemble_curves(self, chunk_ids: list[str]) -> None:
        header = (",".join(CURVE_COLUMNS) + "\n").encode()
        self._concat_gz(chunk_ids, "curves.gz", header, "curves.csv.gz")

    def _assemble_diagnostics(self, chunk_ids: list[str]) -> None:
        """``diagnostics.csv.gz`` if every chunk has diagnostics; else no such file."""
        if all((self.chunks / f"{c}.diagnostics.gz").is_file() for c in chunk_ids):
            header = (",".join(DIAGNOSTIC_COLUMNS) + "\n").encode()
            self._concat_gz(chunk_ids, "diagnostics.gz", header, DIAGNOSTICS)
        else:  # a partial file would pass for the whole sweep's
            (self.path / DIAGNOSTICS).unlink(missing_ok=True)

    def _concat_gz(self, chunk_ids: list[str], suffix: str, header: bytes, name: str) -> None:
        # gzip members concatenate into one valid stream: no need to decompress chunks.
        def pieces() -> Iterator[bytes]:
            # gzip.compress stores no file name (GzipFile would store the temporary
            # one, which differs between processes) and no time: the same bytes always.
            yield gzip.compress(header, mtime=0)
            for c in chunk_ids:
                yield (self.chunks / f"{c}.{suffix}").read_bytes()

        write_pieces(self.path / name, pieces(), root=self.path)


def _write_text_atomic(path: Path, text: str) -> None:
    write_atomic(path, text.encode())


def clear_own(path: Path) -> None:
    """Remove nnsweep's own files from the results directory ``path``."""
    for sub in OWN_DIRS:  # all checked before anything is removed
        if (path / sub).is_symlink():
            raise ResultsIOError(
                f"cannot clear {str(path / sub)!r}: it is a symbolic link; nnsweep removes "
                "only its own files inside the results directory: remove the link"
            )
    for sub, patterns in OWN_DIRS.items():
        d = path / sub
        if d.is_dir():
            for pattern in patterns:
                for f in d.glob(pattern):
                    if f.is_file() or f.is_symlink():
                        f.unlink(missing_ok=True)
    for name in (*OUTPUTS, "report.html"):
        (path / name).unlink(missing_ok=True)
