"""Sweeping a user's own data: the same results with any workers or backend, validation
columns and curves, and an edited file that makes every run new."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nncore import ConfigError
from sweeps.execute.chunk import run_chunk
from sweeps.execute.runner import run
from sweeps.results.schema import read_runs
from sweeps.stats.survival import summarize

ROWS = 40
SPEC = """\
name = "fruit"
seeds = 3
max_epochs = 150
chunk_size = 4

[tasks.fruit]
file = "fruit.csv"
target = "kind"
holdout = 0.25

[params]
task = ["fruit", "or"]
hidden = "3"
activation = ["sigmoid", "tanh"]
lr = 1.0

[stop]
max_error_below = 0.2
"""


def _csv() -> str:
    rng = np.random.default_rng(11)
    lines = ["weight,length,kind"]
    for i in range(ROWS):
        kind = ("apple", "pear")[i % 2]
        w, h = rng.normal([150, 7] if kind == "apple" else [170, 10], [15, 1])
        lines.append(f"{w:.1f},{h:.2f},{kind}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def spec_file(tmp_path: Path) -> Path:
    (tmp_path / "fruit.csv").write_text(_csv())
    (tmp_path / "fruit.toml").write_text(SPEC)
    return tmp_path / "fruit.toml"


def _runs(out: Path) -> pd.DataFrame:
    return read_runs(out / "runs.csv").drop(columns="wall_time_s")


def test_every_worker_count_and_dask_give_the_same_runs(spec_file, tmp_path):
    pytest.importorskip("distributed", reason="the dask extra is not installed")
    run(spec_file, tmp_path / "j1", jobs=1)
    run(spec_file, tmp_path / "j2", jobs=2)
    run(spec_file, tmp_path / "dask", backend="dask", scheduler="local:2")
    one = _runs(tmp_path / "j1")
    for other in ("j2", "dask"):
        pd.testing.assert_frame_equal(_runs(tmp_path / other), one, check_exact=True)
        curves = (tmp_path / other / "curves.csv.gz").read_bytes()
        assert curves == (tmp_path / "j1" / "curves.csv.gz").read_bytes()


def test_runs_on_a_holdout_have_validation_columns_and_curves(spec_file, tmp_path):
    run(spec_file, tmp_path / "out", jobs=1)
    runs = _runs(tmp_path / "out")
    mine, builtin = runs[runs["task"] == "fruit"], runs[runs["task"] == "or"]
    assert len(mine) == len(builtin) == 6
    for col in ("val_loss", "val_accuracy", "val_max_error"):
        assert mine[col].notna().all() and builtin[col].isna().all()
    assert mine["val_accuracy"].between(0, 1).all() and (mine["val_accuracy"] > 0.5).any()
    curves = pd.read_csv(tmp_path / "out" / "curves.csv.gz")
    assert list(curves.columns) == ["run_id", "epoch", "loss", "val_loss"]
    held = curves["run_id"].isin(mine["run_id"])
    assert curves.loc[held, "val_loss"].notna().all()
    assert curves.loc[~held, "val_loss"].isna().all()
    last = curves[held].groupby("run_id")["val_loss"].last()
    np.testing.assert_array_equal(last[mine["run_id"]].to_numpy(), mine["val_loss"].to_numpy())
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    digest = hashlib.sha256((tmp_path / "fruit.csv").read_bytes()).hexdigest()
    assert manifest["spec"]["tasks"]["fruit"]["sha256"] == digest
    assert manifest["tasks"]["fruit"] == {
        "n_in": 2, "n_out": 2, "n_train": 30, "n_val": 10, "classes": ["apple", "pear"]
    }  # fmt: skip
    summary = summarize(read_runs(tmp_path / "out" / "runs.csv"), ["task", "activation"], 150)
    assert summary.loc[summary["task"] == "fruit", "median_val_accuracy"].notna().all()
    assert summary.loc[summary["task"] == "or", "median_val_accuracy"].isna().all()


def test_editing_one_value_of_the_file_makes_every_run_new(spec_file, tmp_path):
    first = run(spec_file, tmp_path / "out", jobs=1)
    before = (tmp_path / "out" / "runs.csv").read_bytes()
    data = tmp_path / "fruit.csv"
    lines = data.read_text().splitlines()
    lines[5] = lines[5].replace(lines[5].split(",")[0], "999.0", 1)
    data.write_text("\n".join(lines) + "\n")
    changed = "holds results of a different spec .*; the file of task 'fruit' changed"
    with pytest.raises(ConfigError, match=changed):
        run(spec_file, tmp_path / "out", jobs=1)  # never a silent resume
    assert (tmp_path / "out" / "runs.csv").read_bytes() == before
    again = run(spec_file, tmp_path / "out", jobs=1, fresh=True)
    mine = first["task"] == "fruit"
    assert not set(first.loc[mine, "run_id"]) & set(again["run_id"])
    # Runs on a built-in task are the same runs as before: their ids do not change.
    assert set(first.loc[~mine, "run_id"]) <= set(again["run_id"])


def test_a_chunk_on_a_spec_task_needs_its_data(spec_file, tmp_path):
    from sweeps.config.grid import expand
    from sweeps.config.load import load_spec

    spec = load_spec(spec_file)
    grid = expand(spec)
    columns = grid[grid["task"] == "fruit"].head(2).to_dict("list")
    with pytest.raises(ConfigError, match="task='fruit' not in"):
        run_chunk("c", columns, dict(spec.stop))
    payload = spec.tasks["fruit"].payload()
    _, table, curves, _ = run_chunk("c", columns, dict(spec.stop), data=payload)
    assert table["val_loss"][0] is not None and "val_loss" in curves
    with pytest.raises(RuntimeError, match="not the data prepared"):
        run_chunk("c", columns, dict(spec.stop), data={**payload, "Y": payload["Y"][::-1]})


def test_a_generator_task_sweeps_and_reads_back(tmp_path):
    (tmp_path / "moons.toml").write_text(
        SPEC.replace('file = "fruit.csv"\ntarget = "kind"', 'generator = "moons"\nn = 40')
    )
    runs = run(tmp_path / "moons.toml", tmp_path / "out", jobs=1)
    assert runs.loc[runs["task"] == "fruit", "val_loss"].notna().all()
    with gzip.open(tmp_path / "out" / "curves.csv.gz", "rt") as f:
        assert f.readline() == "run_id,epoch,loss,val_loss\n"
