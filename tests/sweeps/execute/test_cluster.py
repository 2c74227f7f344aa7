"""The dask backend: same results as loky, and a killed worker loses no run."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from nncore import ConfigError
from sweeps.execute.cluster import check_scheduler
from sweeps.execute.runner import run
from sweeps.results.schema import read_runs

SPEC = """
name = "dask-small"
seeds = 8
max_epochs = 300
chunk_size = 4

[params]
task = ["or", "xor"]
hidden = "3"
activation = ["sigmoid", "tanh"]
lr = [0.5, 2.0]

[stop]
max_error_below = 0.2
"""

distributed = pytest.importorskip(
    "distributed", reason='the dask extra is not installed (pip install "nnsweep[dask]")'
)


@pytest.fixture
def spec_file(tmp_path: Path) -> Path:
    p = tmp_path / "small.toml"
    p.write_text(SPEC)
    return p


@pytest.fixture
def cluster():
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=":0",  # a free port: two clusters at once never collide
    ) as c:
        yield c


def _table(path: Path) -> str:
    return read_runs(path).drop(columns="wall_time_s").to_csv(index=False)


def test_dask_gives_the_loky_results(spec_file, tmp_path, cluster):
    run(spec_file, tmp_path / "loky", jobs=2)
    run(spec_file, tmp_path / "dask", backend="dask", scheduler=cluster.scheduler_address)
    assert _table(tmp_path / "dask" / "runs.csv") == _table(tmp_path / "loky" / "runs.csv")
    assert (tmp_path / "dask" / "curves.csv.gz").read_bytes() == (
        tmp_path / "loky" / "curves.csv.gz"
    ).read_bytes()


def test_killed_worker_loses_and_duplicates_nothing(spec_file, tmp_path, cluster):
    with distributed.Client(cluster) as client:
        pids = client.run(os.getpid)
    killed: list[int] = []

    def kill_one(progress) -> None:
        if progress.done > 0 and not killed:
            pid = next(iter(pids.values()))
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    df = run(
        spec_file,
        tmp_path / "out",
        backend="dask",
        scheduler=cluster.scheduler_address,
        on_progress=kill_one,
    )
    assert killed, "a worker must have been killed mid-sweep"
    assert df["run_id"].is_unique and len(df) == 2 * 2 * 2 * 8
    run(spec_file, tmp_path / "ref", jobs=1)
    assert _table(tmp_path / "out" / "runs.csv") == _table(tmp_path / "ref" / "runs.csv")


@pytest.mark.parametrize("bad", ["bogus", "local:0", "http://x:1"])
def test_bad_scheduler_is_one_line(bad):
    with pytest.raises(ConfigError, match="is not a scheduler"):
        check_scheduler(bad)
