"""The runner: identical results for any worker count, resume after a kill, the lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from nncore import ConfigError
from sweeps.execute.runner import run
from sweeps.results.schema import COLUMNS, read_runs
from sweeps.results.store import Store

SPEC = """
name = "tiny"
description = "OR and XOR, sigmoid vs tanh"
seeds = 6
max_epochs = 400
chunk_size = 8

[params]
task = ["or", "xor"]
hidden = "3"
activation = ["sigmoid", "tanh"]
init_scale = 0.5
lr = [0.5, 2.0]

[stop]
max_error_below = 0.2
"""


@pytest.fixture
def spec_file(tmp_path: Path) -> Path:
    p = tmp_path / "tiny.toml"
    p.write_text(SPEC)
    return p


def _bytes_without_wall_time(path: Path) -> str:
    return read_runs(path).drop(columns="wall_time_s").to_csv(index=False)


def test_runs_table_has_the_schema_and_one_row_per_run(spec_file, tmp_path):
    df = run(spec_file, tmp_path / "out", jobs=1)
    assert list(df.columns) == COLUMNS
    assert len(df) == 2 * 2 * 2 * 6 and df["run_id"].is_unique
    assert set(df["status"]) <= {"converged", "censored", "diverged"}
    on_disk = read_runs(tmp_path / "out" / "runs.csv")
    assert list(on_disk["run_id"]) == list(df["run_id"])
    curves = pd.read_csv(tmp_path / "out" / "curves.csv.gz")
    assert set(curves["run_id"]) == set(df["run_id"])
    last = curves.groupby("run_id")["epoch"].max()
    assert (last.loc[df["run_id"]].to_numpy() == df["epochs_run"].to_numpy()).all()


MIXED = """
name = "mixed"
description = "empty fields of every kind: no hidden layer, gd without momentum, censored"
seeds = 3
max_epochs = 60
chunk_size = 5

[params]
task = ["xor", "and"]
hidden = ["", "3x2"]
optimizer = ["gd", "momentum"]
lr = 0.5

[stop]
max_error_below = 0.2
"""


def test_runs_csv_is_what_to_csv_writes_for_the_whole_table(tmp_path):
    """runs.csv is put together from the chunks' lines; it must equal a fresh to_csv."""
    spec = tmp_path / "mixed.toml"
    spec.write_text(MIXED)
    df = run(spec, tmp_path / "out", jobs=2)
    assert df["momentum"].isna().any() and df["epochs_to_threshold"].isna().any()
    assert (df["hidden"] == "").any() and (df["plateau_end"].isna()).any()
    written = (tmp_path / "out" / "runs.csv").read_text()
    assert written == df.to_csv(index=False)
    assert written == read_runs(tmp_path / "out" / "runs.csv").to_csv(index=False)


def test_jobs_do_not_change_results(spec_file, tmp_path):
    run(spec_file, tmp_path / "j1", jobs=1)
    run(spec_file, tmp_path / "j2", jobs=2)
    assert _bytes_without_wall_time(tmp_path / "j1" / "runs.csv") == _bytes_without_wall_time(
        tmp_path / "j2" / "runs.csv"
    )
    assert (tmp_path / "j1" / "curves.csv.gz").read_bytes() == (
        tmp_path / "j2" / "curves.csv.gz"
    ).read_bytes()
    # No file name or time in any gzip member header (FLG byte 3, MTIME bytes 4-7): a
    # name would be the writer's temporary one, which differs between processes.
    data = (tmp_path / "j1" / "curves.csv.gz").read_bytes()
    assert data[3] & 0x08 == 0 and data[4:8] == bytes(4)


def test_resume_runs_only_missing_chunks(spec_file, tmp_path):
    out = tmp_path / "out"
    run(spec_file, out, jobs=1)
    reference = _bytes_without_wall_time(out / "runs.csv")
    chunk_files = sorted((out / "chunks").glob("*.runs.csv"))
    for p in chunk_files[::2]:  # as if the sweep had been killed half way
        p.unlink()
    seen = []
    run(spec_file, out, jobs=1, on_progress=lambda p: seen.append(p.done))
    assert seen[0] == sum(len(pd.read_csv(p)) for p in chunk_files[1::2])
    assert _bytes_without_wall_time(out / "runs.csv") == reference


def test_changed_spec_is_refused_unless_fresh(spec_file, tmp_path):
    out = tmp_path / "out"
    run(spec_file, out, jobs=1)
    spec_file.write_text(SPEC.replace("max_epochs = 400", "max_epochs = 300"))
    with pytest.raises(ConfigError, match="different spec.*--fresh"):
        run(spec_file, out, jobs=1)
    df = run(spec_file, out, jobs=1, fresh=True)
    assert (df["max_epochs"] == 300).all()


def test_second_sweep_in_same_directory_is_refused(spec_file, tmp_path):
    holder = Store(tmp_path / "out")
    holder.lock()
    try:
        with pytest.raises(ConfigError, match="in use by another running sweep"):
            run(spec_file, tmp_path / "out", jobs=1)
    finally:
        holder.unlock()
    assert len(run(spec_file, tmp_path / "out", jobs=1)) == 48


def test_kill_9_then_resume_gives_the_same_file(tmp_path):
    """A real process is killed with SIGKILL half way; the resumed sweep matches a clean one."""
    spec = tmp_path / "kill.toml"
    spec.write_text(
        SPEC.replace("seeds = 6", "seeds = 24").replace("max_epochs = 400", "max_epochs = 1500")
    )
    clean = tmp_path / "clean"
    run(spec, clean, jobs=1)
    n_chunks = len(list((clean / "chunks").glob("*.runs.csv")))
    out = tmp_path / "killed"
    cmd = [
        sys.executable,
        "-m",
        "sweeps.cli",
        "run",
        str(spec),
        "-o",
        str(out),
        "-j",
        "1",
        "--quiet",
        "--no-report",
    ]
    proc = subprocess.Popen(cmd, env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
    deadline = time.monotonic() + 120
    while len(list(out.glob("chunks/*.runs.csv"))) < n_chunks // 2:
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done = len(list(out.glob("chunks/*.runs.csv")))
    assert 0 < done < n_chunks, "the kill must land mid-sweep"
    assert not (out / "runs.csv").exists()
    subprocess.run(cmd, check=True, env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
    assert _bytes_without_wall_time(out / "runs.csv") == _bytes_without_wall_time(
        clean / "runs.csv"
    )
    runs = read_runs(out / "runs.csv")
    assert runs["run_id"].is_unique and len(runs) == len(read_runs(clean / "runs.csv"))


def test_the_package_exposes_run(spec_file, tmp_path):
    import sweeps

    df = sweeps.run(str(spec_file), out=tmp_path / "api", jobs=1)
    assert list(df.columns) == COLUMNS and len(df) == 48
