"""Run a sweep: expand the grid, train chunks in parallel, keep every finished chunk.

Chunks depend only on the spec, and each member's arithmetic is independent of
its population, so the results are the same for any ``jobs``, backend or resume
history. Local workers write their own chunk files (the writing is a tenth of the
work, so it is spread too); with dask, whose workers may be on other machines,
the client writes each chunk as it arrives.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import pandas as pd

from nncore import ConfigError
from nncore.rules import check_choice
from sweeps.config.grid import Chunk, expand
from sweeps.config.grid import chunks as make_chunks
from sweeps.config.load import load_spec
from sweeps.config.spec import SweepSpec
from sweeps.results.chunkfiles import Columns
from sweeps.results.files import write_bytes
from sweeps.results.schema import run_columns, run_dtypes
from sweeps.results.store import Store

from . import workers
from .chunk import run_chunk
from .cluster import BACKENDS, check_scheduler, dask_client
from .limits import check_out, check_resources
from .live import Live, Progress, clear_progress
from .manifest import end, new_manifest
from .schedule import LongestFirst
from .usertrain import run_trainer_chunk

__all__ = ["DEFAULT_ROOT", "Progress", "run"]

DEFAULT_ROOT = Path("results")


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
    on_notice: Callable[[str], None] | None = None,
    connect_timeout: float = 30.0,
) -> pd.DataFrame:
    """Run (or resume) a sweep and return its runs table (one row per run).

    Parameters
    ----------
    spec : a SweepSpec, a path to a TOML spec, or the name of a bundled spec.
    out : results directory; default ``results/<spec name>`` (``results/<name>.<hash>``
        for a spec made with overrides: :attr:`SweepSpec.dirname`).
    jobs : worker processes (default: all cores).
    fresh : discard results already in ``out`` instead of resuming.
    on_progress : called with a :class:`Progress` as runs end: after every finished
        chunk, and every quarter second while chunks train (see :mod:`sweeps.execute.live`;
        the CLI draws its bar from it).
    backend : ``"loky"`` (default: local processes) or ``"dask"``.
    scheduler : with dask, ``"tcp://HOST:8786"`` or ``"local:N"`` (default: local with
        ``jobs`` or all cores).
    diagnostics : also write ``diagnostics.csv.gz`` (as does ``diagnostics = true`` in
        the spec). They change no result and no spec_hash: resuming a sweep that has none
        with them re-runs the chunks that lack them (the same results, now with
        diagnostics); resuming without them writes no diagnostics.csv.gz unless every
        chunk already has them.
    on_notice : called with one line for each damaged chunk found (it is re-run).
    connect_timeout : with a dask scheduler address, seconds to wait for it to answer.

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
    if diagnostics and spec.trainer:
        raise ConfigError("diagnostics are nncore's per-layer measurements: not available "
                          f"with trainer={spec.trainer!r}")  # fmt: skip
    check_resources(spec)
    out = out if out is not None else DEFAULT_ROOT / spec.dirname
    # dask: the directory is made once the cluster answers
    store = Store(check_out(out, create=backend != "dask"), run_dtypes(spec))
    diagnostics = diagnostics or spec.diagnostics
    grid = expand(spec)
    plan = make_chunks(grid, spec.chunk_size)
    with contextlib.ExitStack() as stack:
        if backend == "dask":  # before anything is created: the cluster must answer first
            stack.enter_context(dask_client(scheduler, connect_timeout))
        store.lock()
        stack.callback(store.unlock)
        return _run_locked(
            store, spec, grid, plan, fresh, jobs, backend, scheduler, diagnostics,
            on_progress, on_notice,
        )  # fmt: skip


def _run_locked(
    store: Store, spec: SweepSpec, grid: pd.DataFrame, plan: list, fresh: bool,
    jobs: int | None, backend: str, scheduler: str | None, diagnostics: bool,
    on_progress: Callable[[Progress], None] | None, on_notice: Callable[[str], None] | None,
) -> pd.DataFrame:  # fmt: skip
    old = _prepare(store, spec, fresh)
    manifest = new_manifest(spec, grid, jobs, backend, scheduler, old)
    manifest["diagnostics"] = diagnostics
    store.write_manifest(manifest)
    ids = {c.chunk_id: grid["run_id"].iloc[c.rows].tolist() for c in plan}
    done, damaged = store.whole_chunks(ids, diagnostics)
    for line in damaged:
        if on_notice:
            on_notice(line)
    todo = [c for c in plan if c.chunk_id not in done]
    counts = _counts(store, [c for c in plan if c.chunk_id in done], len(grid))
    if on_progress:
        on_progress(replace(counts))  # a copy: ``counts`` goes on counting
    clear_progress(store.chunks)  # an earlier, stopped sweep's
    sizes = {c.chunk_id: len(c) for c in todo}
    budget = {c.chunk_id: int(grid["max_epochs"].iloc[c.rows[0]]) for c in todo}
    # Workers on other machines cannot write here; local ones (and local Dask) can.
    remote = backend == "dask" and not (scheduler or "").startswith("local:")
    notes = None if remote or spec.trainer else store.chunks.resolve()
    try:
        work = _execute(store, grid, todo, spec, jobs, backend, scheduler, diagnostics, notes)
        tables = {}
        with Live(counts, on_progress, notes, sizes, budget) as live:
            for chunk_id, table, curves, diags in work:
                if curves is not None:  # not yet written by its worker
                    store.save_chunk(chunk_id, table, curves, diags)
                tables[chunk_id] = table
                live.finished(chunk_id, table["status"], table["epochs_run"])
        runs = store.assemble([c.chunk_id for c in plan], grid["run_id"], tables)
    except BaseException as e:
        end(manifest, "interrupted" if isinstance(e, KeyboardInterrupt) else "failed")
        with contextlib.suppress(OSError):
            store.write_manifest(manifest)
        raise
    end(manifest, "ok")
    store.write_manifest(manifest)
    return runs


def _prepare(store: Store, spec: SweepSpec, fresh: bool) -> dict | None:
    old = store.manifest(fresh)
    if fresh:
        store.clear()
        old = None
    elif old is not None and old.get("spec_hash") != spec.spec_hash:
        _plugin_changed(store, old, spec)
        raise ConfigError(
            f"out={str(store.path)!r} holds results of a different spec "
            f"(spec_hash {str(old.get('spec_hash', '?'))[:12]} != {spec.spec_hash[:12]}"
            f"{_changed_data(old, spec)}); use --fresh to discard them, or another --out"
        )
    if spec.path is not None:
        write_bytes(store.path / "spec.toml", spec.path.read_bytes(), root=store.path)
    return old


def _changed_data(old: dict, spec: SweepSpec) -> str:
    """``"; the file of task 'x' changed"`` when that is why the spec_hash differs."""
    before = old.get("spec", {}).get("tasks", {}) if isinstance(old.get("spec"), dict) else {}
    changed = [
        name
        for name, task in spec.tasks.items()
        if isinstance(before.get(name), dict)
        and before[name].get("sha256") not in (None, task.settings.get("sha256"))
    ]
    return f"; the file of task {changed[0]!r} changed" if changed else ""


def _plugin_changed(store: Store, old: dict, spec: SweepSpec) -> None:
    """Say so when what differs from the results in ``store`` is a plugin's code."""
    was = {p.get("name"): p.get("sha256") for p in old.get("plugins", []) if isinstance(p, dict)}
    for p in spec.plugins:
        if p.name in was and was[p.name] != p.sha256:
            raise ConfigError(
                f"out={str(store.path)!r} holds results of plugin {p.name!r} as it was "
                f"(sha256 {str(was[p.name])[:12]}); it has changed since ({p.sha256[:12]}): "
                "use --fresh to discard them, or another --out"
            )


def _execute(
    store: Store,
    grid: pd.DataFrame,
    todo: list,
    spec: SweepSpec,
    jobs: int | None,
    backend: str,
    scheduler: str | None,
    diagnostics: bool = False,
    notes: Path | None = None,
) -> Iterator[tuple[str, Columns, Columns | None, Columns | None]]:
    """Yield ``(chunk_id, runs rows, curves, diagnostics)`` for each chunk, in
    completion order; ``curves`` and ``diagnostics`` are None when the worker wrote the
    chunk to ``store`` itself (local backends). With ``notes``, the workers write the
    progress of each chunk there (:mod:`sweeps.execute.live`)."""
    stop = dict(spec.stop)
    to = None if backend == "dask" else str(store.chunks)
    # A spec's own tasks were read and prepared once, here: each chunk carries its arrays.
    payloads = {name: t.payload() for name, t in spec.tasks.items()}
    plugins = [p.ref() for p in spec.plugins]  # each worker loads and checks them
    task, extra = run_chunk, (diagnostics,)
    if spec.trainer:  # the user's code trains each run (sweeps.execute.usertrain)
        t = spec.trainer_def
        plan = {"columns": run_columns(spec), "params": list(t.params), "metrics": list(t.metrics)}
        task, extra = run_trainer_chunk, (t.for_worker() | plan, spec.trainer_timeout_s)

    def args(c: Chunk) -> tuple:
        # Plain dicts, not DataFrames: joblib's dask backend would scatter a large weak-
        # referenceable argument to one worker, and lose it if that worker dies.
        columns = grid.iloc[c.rows].to_dict("list")
        if spec.trainer:
            return c.chunk_id, columns, stop, *extra, to
        data = payloads.get(columns["task"][0])
        note = None if notes is None else str(notes / f"{c.chunk_id}.progress")
        return c.chunk_id, columns, stop, diagnostics, to, data, plugins, note

    if not todo:
        return
    if jobs == 1 and backend != "dask":
        yield from (task(*args(c)) for c in todo)  # in-process: no pickling, no pool
        return
    from joblib import Parallel, delayed, parallel_config  # not needed by -j 1

    order = LongestFirst(todo)
    if backend == "dask":  # the client run() connected is the current one
        tasks = (delayed(task)(*args(c)) for c in order)  # drawn as workers free up
        with parallel_config(backend="dask"):
            results = Parallel(return_as="generator_unordered")(tasks)
            yield from _timed(results, order)
    else:
        me = os.getpid()
        tasks = (delayed(workers.in_local_worker)(me, task, *args(c)) for c in order)
        workers.wait()  # the CLI may have begun starting them
        # One chunk per dispatch: chunks are seconds long, and joblib's automatic
        # batching would hand the last worker a batch of them while the others idle.
        parallel = Parallel(
            n_jobs=min(jobs or os.cpu_count() or 1, len(todo)),
            backend=backend,
            batch_size=1,
            return_as="generator_unordered",
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
    p.failed += status.count("failed")
