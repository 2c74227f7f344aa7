"""Workers started early are the ones a sweep then uses, and stop kills them."""

from __future__ import annotations

import os
import subprocess
import sys
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


def _children(pid: int) -> set[int]:
    out = set()
    for task in os.scandir(f"/proc/{pid}/task"):
        try:
            with open(f"{task.path}/children") as f:
                out.update(int(c) for c in f.read().split())
        except OSError:
            pass
    return out


def test_workers_end_when_their_parent_is_killed(tmp_path):
    # A sweep long enough to be killed while both workers train: 400 chunks of 8 runs.
    spec = tmp_path / "long.toml"
    spec.write_text(
        SPEC.replace("max_epochs = ", "max_epochs = 5000 #").replace("seeds = ", "seeds = 400 #")
    )
    out = tmp_path / "r"
    cmd = [sys.executable, "-m", "sweeps.cli", "run", str(spec), "-o", str(out), "-j", "2",
           "--quiet", "--no-report"]  # fmt: skip
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while _chunks_done(out) < 4 and time.monotonic() < deadline:  # work is flowing
            time.sleep(0.2)
        assert _chunks_done(out) >= 4, "the sweep never got going"
        pool = {p for p in _children(proc.pid) if _is_worker(p)}
        assert len(pool) == 2
    finally:
        proc.kill()
        proc.wait()
    deadline = time.monotonic() + 60
    while any(map(_alive, pool)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(map(_alive, pool)), "workers outlived their killed parent"


def _chunks_done(out) -> int:
    return len(list((out / "chunks").glob("*.runs.csv"))) if (out / "chunks").is_dir() else 0


def _is_worker(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return b"popen_loky_posix" in f.read()
    except OSError:
        return False
