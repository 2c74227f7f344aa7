"""Progress per run: the count as runs end, progress files, the parent's poll."""

from __future__ import annotations

from pathlib import Path

import pytest

from sweeps.config.grid import chunks, expand
from sweeps.config.load import load_spec
from sweeps.execute.chunk import train_chunk
from sweeps.execute.live import SUFFIX, Live, Progress, ProgressFile
from sweeps.execute.runner import run

SPEC = """
name = "live"
description = "OR, sigmoid vs tanh, runs that end at many epochs"
seeds = 8
max_epochs = 400
chunk_size = 8

[params]
task = "or"
hidden = "3"
activation = ["sigmoid", "tanh"]
init_scale = [0.3, 1.0]
lr = 2.0

[stop]
max_error_below = 0.2
"""


@pytest.fixture
def spec_file(tmp_path: Path) -> Path:
    p = tmp_path / "live.toml"
    p.write_text(SPEC)
    return p


def test_the_progress_callback_counts_every_run_once(spec_file):
    grid = expand(load_spec(spec_file))
    first = chunks(grid, 8)[0]
    calls: list[tuple[int, int]] = []
    metrics, _, _ = train_chunk(
        grid.iloc[first.rows].to_dict("list"), {"max_error_below": 0.2},
        progress=lambda n, epoch: calls.append((n, epoch)),
    )  # fmt: skip
    assert sum(n for n, _ in calls) == len(first)
    epochs = [e for _, e in calls]
    assert epochs == sorted(epochs) and len(set(epochs)) == len(epochs)
    # Each call is at an epoch where runs stopped, as the records say.
    assert set(epochs) == set(metrics["epochs_run"])


def test_a_progress_file_holds_the_running_count(tmp_path):
    (tmp_path / "chunks").mkdir()
    path = tmp_path / "chunks" / f"abc{SUFFIX}"
    note = ProgressFile(path)
    note(3, 10)  # the first call writes at once
    assert path.read_text().split() == ["3", "30", "10"]


def _write(chunks: Path, cid: str, ended: int, epochs: int, epoch: int) -> None:
    (chunks / f"{cid}{SUFFIX}").write_text(f"{ended} {epochs} {epoch}\n")


def test_live_counts_progress_files_and_never_goes_down(tmp_path):
    chunks = tmp_path / "chunks"
    chunks.mkdir()
    shown: list[Progress] = []
    counts = Progress(0, 20, 0, 0)
    live = Live(counts, shown.append, chunks, {"a": 10, "b": 10}, {"a": 100, "b": 100})
    _write(chunks, "a", 4, 40, 10)
    _write(chunks, "old", 9, 90, 10)  # a stopped sweep's, not a chunk of this one
    live._emit()
    assert shown[-1].done == 4 and shown[-1].eta_s is not None
    _write(chunks, "a", 25, 250, 20)  # more than the chunk holds: never counted beyond it
    live._emit()
    assert shown[-1].done == 10
    live.finished("a", ["converged"] * 6 + ["censored"] * 4, [30] * 10)
    assert not (chunks / f"a{SUFFIX}").exists()
    assert shown[-1].done == 10 and shown[-1].converged == 6
    _write(chunks, "b", 2, 20, 10)
    live._emit()
    live.finished("b", ["diverged"] * 10, [5] * 10)
    values = [p.done for p in shown]
    assert values == sorted(values) and values[-1] == 20
    assert shown[-1].diverged == 10 and counts.done == 20


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_sweep_reports_monotone_progress_up_to_the_total(spec_file, tmp_path, jobs):
    shown: list[Progress] = []
    df = run(spec_file, tmp_path / "out", jobs=jobs, on_progress=shown.append)
    values = [p.done for p in shown]
    assert values == sorted(values) and values[-1] == len(df) == shown[-1].total
    assert shown[-1].converged == (df["status"] == "converged").sum()
    assert not list((tmp_path / "out" / "chunks").glob(f"*{SUFFIX}"))  # all dropped
