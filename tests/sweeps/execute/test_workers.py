"""Workers started early are the ones a sweep then uses, and stop kills them."""

from __future__ import annotations

import os
import time

from joblib import Parallel, delayed

from sweeps.execute import workers
from sweeps.execute.runner import run
from tests.sweeps.execute.test_runner import SPEC


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_started_workers_are_reused_then_stopped(tmp_path):
    workers.start(2)
    workers.wait()
    assert len(workers.started) >= 1 and all(map(_alive, workers.started))
    # Which worker answers which task is up to the scheduler (under load one may answer
    # every warm-up task), so nothing here asserts who answered: only that every process
    # that answered is stopped at the end.
    used = Parallel(n_jobs=2, backend="loky", batch_size=1)(delayed(os.getpid)() for _ in range(8))
    workers.started.update(used)
    spec = tmp_path / "tiny.toml"
    spec.write_text(SPEC)
    assert len(run(spec, tmp_path / "out", jobs=2)) == 48
    workers.stop()
    deadline = time.monotonic() + 10
    while any(map(_alive, workers.started)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(map(_alive, workers.started))


def test_one_job_starts_no_workers_and_stop_is_harmless():
    workers.start(1)
    workers.stop()
    workers.stop()
