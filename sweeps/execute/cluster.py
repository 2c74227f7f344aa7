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
def dask_client(scheduler: str) -> Iterator[Any]:
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
                dashboard_address=None,
            ) as cluster,
            Client(cluster) as client,
        ):
            yield client
    else:
        try:
            client = Client(scheduler, timeout="20s")
        except OSError as e:
            raise ConfigError(f"scheduler={scheduler!r} did not answer: {e}") from None
        with client:
            yield client
