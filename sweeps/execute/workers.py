"""Local worker processes: started early, stopped at once when the command ends.

A loky worker takes about a second to start (a fresh interpreter importing numpy,
scipy and nncore). ``nnsweep run`` starts them first thing, so that they import
while the parent process imports and expands the grid; the sweep then finds them
ready (joblib reuses the same processes). When the command is done, ``stop``
kills the idle workers instead of letting each one tidy up its interpreter while
the command waits.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import Any

__all__ = ["in_local_worker", "start", "stop", "wait", "watch_parent"]

_starting: threading.Thread | None = None
_pooled = False  # this process has started local workers
started: set[int] = set()  # process ids of the workers started by ``start``


_watching = False


def watch_parent(parent: int, interval: float = 0.5) -> None:
    """In a local worker: exit at once when ``parent`` (the pid of the process that
    started it) is no longer its parent.

    Killed with ``kill -9``, nnsweep cannot stop its workers; each would finish its
    chunk and then idle for minutes. An orphan is handed to another parent, which a
    thread of the worker notices within ``interval`` seconds. Started once per process.
    """
    global _watching
    if _watching:
        return
    _watching = True

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        os._exit(1)

    threading.Thread(target=watch, name="nnsweep-parent-watch", daemon=True).start()


def in_local_worker(parent: int, fn: Callable[..., Any], *args: Any) -> Any:
    """Run ``fn(*args)`` in a local worker that ends with ``parent`` (see watch_parent)."""
    watch_parent(parent)
    return fn(*args)


def _ready(parent: int) -> int:
    """Runs in each worker: start watching the parent; return the worker's pid."""
    watch_parent(parent)
    return os.getpid()


def _start(n_jobs: int) -> None:
    from joblib import Parallel, delayed

    try:
        # The arguments the runner's Parallel uses too, so that joblib reuses these workers.
        pids = Parallel(n_jobs=n_jobs, backend="loky", batch_size=1)(
            delayed(_ready)(os.getpid()) for _ in range(n_jobs)
        )
    except Exception:  # only a head start: the sweep's own call reports any failure
        return
    started.update(pids)


def start(jobs: int | None) -> None:
    """Begin starting ``jobs`` local workers (all cores if None) in the background."""
    global _starting, _pooled
    if jobs == 1 or _starting is not None:
        return
    _pooled = True
    _starting = threading.Thread(target=_start, args=(jobs or -1,), daemon=True)
    _starting.start()


def wait() -> None:
    """Return once the workers begun by ``start`` (if any) are ready; a sweep about
    to use local workers calls this first."""
    global _starting, _pooled
    _pooled = True
    if _starting is not None:
        _starting.join()
        _starting = None


def stop() -> None:
    """Kill this process's idle local workers, if it started any."""
    global _pooled
    if _starting is not None:
        wait()
    if _pooled:
        from joblib.externals.loky import get_reusable_executor

        # reuse=True: the executor the sweep used, whatever its size.
        get_reusable_executor(reuse=True).shutdown(wait=True, kill_workers=True)
        _pooled = False
