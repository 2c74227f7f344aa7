"""Run a sweep: expand the grid, train chunks in parallel, keep every finished chunk.

Chunks depend only on the spec, and each member's arithmetic is independent of
its population, so the results are the same for any ``jobs``, backend or resume
history. Local workers write their own chunk files (the writing is a tenth of the
work, so it is spread too); with dask, whose workers may be on other machines,
the client writes each chunk as it arrives.
"""

from __future__ import annotations

import datetime as _dt
import os
import platform
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from nncore import ConfigError
from nncore.rules import check_choice
from sweeps.config.grid import Chunk, expand
from sweeps.config.grid import chunks as make_chunks
from sweeps.config.load import load_spec
from sweeps.config.spec import SweepSpec
from sweeps.results.chunkfiles import Columns
from sweeps.results.store import Store

from . import workers
from .chunk import run_chunk
from .cluster import BACKENDS, check_scheduler, dask_client
from .schedule import LongestFirst

__all__ = ["DEFAULT_ROOT", "Progress", "run"]

DEFAULT_ROOT = Path("results")


@dataclass
class Progress:
    """Counts reported after each chunk: runs done (of total), converged, diverged."""

    done: int
    total: int
    converged: int
    diverged: int


def run(
    spec: SweepSpec | str | os.PathLike,
    out: str | os.PathLike | None = None,
    jobs: int | None = None,
    *,
    fresh: bool = False,
    on_progress: Callable[[Progress], None] | None = None,
    backend: str | None = None,
    scheduler: str | None = None,
    diagnostics: bool = False,
) -> pd.DataFrame:
    """Run (or resume) a sweep and return its runs table (one row per run).

    Parameters
    ----------
    spec : a SweepSpec, a path to a TOML spec, or the name of a bundled spec.
    out : results directory; default ``results/<spec name>``.
    jobs : worker processes (default: all cores).
    fresh : discard results already in ``out`` instead of resuming.
    on_progress : called after every finished chunk (the CLI draws its bar from it).
    backend : ``"loky"`` (default: local processes) or ``"dask"``.
    scheduler : with dask, ``"tcp://HOST:8786"`` or ``"local:N"`` (default: local with
        ``jobs`` or all cores).
    diagnostics : also write ``diagnostics.csv.gz`` (as does ``diagnostics = true`` in
        the spec). They change no result and no spec_hash: resuming a sweep that has none
        with them re-runs the chunks that lack them (the same results, now with
        diagnostics); resuming without them writes no diagnostics.csv.gz unless every
        chunk already has them.

    Example
    -------
    >>> import sweeps
    >>> df = sweeps.run("quick", out="results/quick")  # doctest: +SKIP
    >>> df.groupby("activation")["status"].value_counts()  # doctest: +SKIP
    """
    spec = spec if isinstance(spec, SweepSpec) else load_spec(spec)
    backend = check_choice("backend", backend or "loky", BACKENDS)
    if backend == "dask":
        scheduler = check_scheduler(scheduler or f"local:{jobs or os.cpu_count() or 1}")
    elif scheduler is not None:
        raise ConfigError(f"scheduler={scheduler!r} needs backend='dask' (got {backend!r})")
    store = Store(out if out is not None else DEFAULT_ROOT / spec.name)
    diagnostics = diagnostics or spec.diagnostics
    grid = expand(spec)
    plan = make_chunks(grid, spec.chunk_size)
    store.lock()
    try:
        _prepare(store, spec, fresh)
        manifest = _manifest(spec, grid, jobs, backend, scheduler)
        manifest["diagnostics"] = diagnostics
        store.write_manifest(manifest)
        done = store.done_chunks(diagnostics)
        todo = [c for c in plan if c.chunk_id not in done]
        counts = _counts(store, [c for c in plan if c.chunk_id in done], len(grid))
        if on_progress:
            on_progress(counts)
        work = _execute(store, grid, todo, spec, jobs, backend, scheduler, diagnostics)
        tables = {}
        for chunk_id, table, curves, diags in work:
            if curves is not None:  # not yet written by its worker
                store.save_chunk(chunk_id, table, curves, diags)
            tables[chunk_id] = table
            _tally(counts, table)
            if on_progress:
                on_progress(counts)
        runs = store.assemble([c.chunk_id for c in plan], grid["run_id"], tables)
        manifest["finished"] = _now()
        store.write_manifest(manifest)
        return runs
    finally:
        store.unlock()


def _prepare(store: Store, spec: SweepSpec, fresh: bool) -> None:
    old = store.manifest()
    if fresh:
        store.clear()
    elif old is not None and old.get("spec_hash") != spec.spec_hash:
        raise ConfigError(
            f"out={str(store.path)!r} holds results of a different spec "
            f"(spec_hash {old.get('spec_hash', '?')[:12]} != {spec.spec_hash[:12]}); "
            "use --fresh to discard them, or another --out"
        )
    if spec.path is not None:
        (store.path / "spec.toml").write_bytes(spec.path.read_bytes())


def _execute(
    store: Store,
    grid: pd.DataFrame,
    todo: list,
    spec: SweepSpec,
    jobs: int | None,
    backend: str,
    scheduler: str | None,
    diagnostics: bool = False,
) -> Iterator[tuple[str, Columns, Columns | None, Columns | None]]:
    """Yield ``(chunk_id, runs rows, curves, diagnostics)`` for each chunk, in
    completion order; ``curves`` and ``diagnostics`` are None when the worker wrote the
    chunk to ``store`` itself (local backends)."""
    stop = dict(spec.stop)
    to = None if backend == "dask" else str(store.chunks)

    def args(c: Chunk) -> tuple:
        # Plain dicts, not DataFrames: joblib's dask backend would scatter a large weak-
        # referenceable argument to one worker, and lose it if that worker dies.
        return c.chunk_id, grid.iloc[c.rows].to_dict("list"), stop, diagnostics, to

    if not todo:
        return
    if jobs == 1 and backend != "dask":
        yield from (run_chunk(*args(c)) for c in todo)  # in-process: no pickling, no pool
        return
    from joblib import Parallel, delayed, parallel_config  # not needed by -j 1

    order = LongestFirst(todo)
    tasks = (delayed(run_chunk)(*args(c)) for c in order)  # drawn as workers free up
    if backend == "dask":
        with dask_client(scheduler), parallel_config(backend="dask"):
            results = Parallel(return_as="generator_unordered")(tasks)
            yield from _timed(results, order)
    else:
        workers.wait()  # the CLI may have begun starting them
        # One chunk per dispatch: chunks are seconds long, and joblib's automatic
        # batching would hand the last worker a batch of them while the others idle.
        parallel = Parallel(
            n_jobs=jobs or -1, backend=backend, batch_size=1, return_as="generator_unordered"
        )
        yield from _timed(parallel(tasks), order)


def _timed(results: Iterator[tuple], order: LongestFirst) -> Iterator[tuple]:
    """Pass results on, telling ``order`` how long each chunk trained."""
    for result in results:
        table = result[1]
        order.done(result[0], sum(table["wall_time_s"]), len(table["run_id"]))
        yield result


def _counts(store: Store, done: list, total: int) -> Progress:
    p = Progress(0, total, 0, 0)
    for c in done:
        _tally(p, store.load_chunk_runs(c.chunk_id))
    return p


def _tally(p: Progress, table: Mapping[str, Sequence]) -> None:
    """Add a chunk's runs (a DataFrame, or columns as a worker returns them)."""
    status = list(table["status"])
    p.done += len(status)
    p.converged += status.count("converged")
    p.diverged += status.count("diverged")


def _manifest(
    spec: SweepSpec, grid: pd.DataFrame, jobs: int | None, backend: str, scheduler: str | None
) -> dict[str, Any]:
    return {
        "spec": spec.to_dict(),
        "spec_hash": spec.spec_hash,
        "axes": list(spec.axes),
        "n_runs": len(grid),
        "max_epochs": spec.max_epochs,
        "stop": dict(spec.stop),
        "versions": _versions(),
        "git_commit": _git_commit(),
        "started": _now(),
        "finished": None,
        "host": platform.node(),
        "jobs": jobs,
        "backend": backend,
        "scheduler": scheduler,
        "command": " ".join(["nnsweep", *sys.argv[1:]]) if sys.argv else "",
    }


def _versions() -> dict[str, str]:
    from importlib import metadata

    out = {"python": platform.python_version()}
    for pkg in ("nnsweep", "numpy", "pandas", "scipy", "joblib"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def _git_commit() -> str | None:
    here = Path(__file__).resolve().parents[2]
    try:
        res = subprocess.run(
            ["git", "-C", str(here), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return res.stdout.strip() or None


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
