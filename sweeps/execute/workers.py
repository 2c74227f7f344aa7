"""Local worker processes: started early, stopped at once when the command ends.

A loky worker takes about a second to start (a fresh interpreter importing numpy,
scipy and nncore). ``nnsweep run`` starts them first thing, so that they import
while the parent process imports and expands the grid; the sweep then finds them
ready (joblib reuses the same processes). When the command is done, ``stop``
kills the idle workers instead of letting each one tidy up its interpreter while
the command waits.
"""

from __future__ import annotations

import threading

__all__ = ["start", "stop", "wait"]

_starting: threading.Thread | None = None
_pooled = False  # this process has started local workers
started: set[int] = set()  # process ids of the workers started by ``start``


def _ready() -> int:
    """Runs in each worker: import what a chunk needs."""
    import os

    return os.getpid()


def _start(n_jobs: int) -> None:
    from joblib import Parallel, delayed

    try:
        # The arguments the runner's Parallel uses too, so that joblib reuses these workers.
        pids = Parallel(n_jobs=n_jobs, backend="loky", batch_size=1)(
            delayed(_ready)() for _ in range(n_jobs)
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
