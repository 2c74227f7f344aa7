"""Dask as a joblib backend: connect to a scheduler, or start a local cluster.

joblib hands each chunk to Dask's distributed scheduler, which re-runs the chunks
of a worker that dies. Results still come back to this process, which writes
them, so resume works exactly as with the local backend.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

from nncore import ConfigError

__all__ = ["BACKENDS", "EXTRA_HINT", "check_scheduler", "dask_client"]

BACKENDS = ("loky", "dask")
EXTRA_HINT = 'pip install "nnsweep[dask]"'


def check_scheduler(scheduler: str) -> str:
    """Accept ``local:N`` or a scheduler address such as ``tcp://HOST:8786``."""
    if re.fullmatch(r"local:[1-9]\d*", scheduler) or re.fullmatch(
        r"(tcp|tls|inproc|ucx)://[^\s/]+(:\d+)?", scheduler
    ):
        return scheduler
    raise ConfigError(
        f"scheduler={scheduler!r} is not a scheduler; allowed: 'tcp://HOST:PORT' "
        "(e.g. tcp://scheduler-host:8786) or 'local:N' to start N local workers"
    )


@contextlib.contextmanager
def dask_client(scheduler: str, timeout: float = 30.0) -> Iterator[Any]:
    """Yield a ``distributed.Client`` for ``scheduler``; close what was started here."""
    check_scheduler(scheduler)
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ConfigError(
            f"backend='dask' needs the dask extra, which is not installed: {EXTRA_HINT}"
        ) from None
    if scheduler.startswith("local:"):
        n = int(scheduler.split(":", 1)[1])
        # One thread per worker: each chunk is a NumPy loop that holds the GIL.
        with (
            LocalCluster(
                n_workers=n,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=":0",  # its HTTP server on a free port, never 8787
            ) as cluster,
            Client(cluster) as client,
        ):
            yield client
    else:
        client = _connect(Client, scheduler, timeout)
        with client:
            yield client


def _connect(client_cls: Any, scheduler: str, timeout: float) -> Any:
    """A Client of ``scheduler``, or a one-line ConfigError after ``timeout`` seconds.

    The connection is tried in a thread with a deadline of its own: an address that
    accepts the connection but never speaks Dask (an HTTP server, a silent socket)
    can stall the handshake past the client's own timeout.
    """
    import threading

    box: dict[str, Any] = {}

    def connect() -> None:
        try:
            box["client"] = client_cls(scheduler, timeout=f"{timeout}s")
        except BaseException as e:  # reported below, in the caller's thread
            box["error"] = e

    t = threading.Thread(target=connect, daemon=True)
    t.start()
    t.join(timeout + 2)
    if "client" in box:
        return box["client"]
    cause = box.get("error")
    why = str(cause).splitlines()[0] if cause is not None and str(cause) else "no answer"
    raise ConfigError(
        f"scheduler={scheduler!r} did not answer as a Dask scheduler within {timeout:g} s "
        f"(--connect-timeout): {why}"
    )
