"""Reports of a sweep that has not finished: its verified chunks, marked partial."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

from nncore import ConfigError
from sweeps.execute.runner import run
from sweeps.report.write import write_report
from sweeps.results.partial import is_unfinished
from sweeps.results.read import load

SPEC = """
name = "halfway"
description = "OR, sigmoid vs tanh, in six chunks"
seeds = 6
max_epochs = 300
chunk_size = 4

[params]
task = "or"
hidden = "3"
activation = ["sigmoid", "tanh"]
init_scale = 0.5
lr = [1.0, 2.0]

[stop]
max_error_below = 0.2
"""
N_RUNS = 2 * 2 * 6


def _stop_after(n: int):
    """An ``on_progress`` that stops the sweep, as Ctrl-C does, once ``n`` runs are in
    finished chunks (it is called in the main thread as each chunk ends)."""

    def progress(p) -> None:
        if threading.current_thread() is threading.main_thread() and p.done >= n:
            raise KeyboardInterrupt

    return progress


@pytest.fixture(scope="module")
def stopped_once(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A sweep stopped after three of its six chunks (made once, copied by each test)."""
    tmp = tmp_path_factory.mktemp("halfway")
    spec = tmp / "halfway.toml"
    spec.write_text(SPEC)
    with pytest.raises(KeyboardInterrupt):
        run(spec, tmp / "out", jobs=1, on_progress=_stop_after(12))
    return spec, tmp / "out"


@pytest.fixture
def stopped(stopped_once, tmp_path: Path) -> tuple[Path, Path]:
    spec, done = stopped_once
    out = tmp_path / "out"
    shutil.copytree(done, out)
    assert not (out / "runs.csv").exists() and len(list((out / "chunks").glob("*.runs.csv"))) == 3
    return spec, out


def _chunk_files(out: Path) -> dict[str, tuple[int, bytes]]:
    return {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in (out / "chunks").iterdir()}


def test_partial_report_shows_the_finished_runs_and_touches_no_sweep_file(stopped):
    _, out = stopped
    before = _chunk_files(out)
    notices: list[str] = []
    html = write_report(out, on_notice=notices.append)
    res = load(out, partial=True)
    assert res.partial and len(res.runs) == 12 and res.n_planned == N_RUNS
    assert res.runs["run_id"].is_unique
    page = html.read_text()
    assert "partial: 12 of 24 runs" in page
    assert len(notices) == 1 and notices[0].startswith("partial: 12 of 24 runs")
    assert not (out / "runs.csv").exists() and not (out / "curves.csv.gz").exists()
    assert _chunk_files(out) == before  # read, never rewritten
    assert (out / "summary.csv").is_file()


def test_after_resume_the_report_is_the_full_one(stopped):
    spec, out = stopped
    write_report(out)
    run(spec, out, jobs=1)
    assert not is_unfinished(out)
    res = load(out, partial=True)
    assert not res.partial and not res.from_chunks and len(res.runs) == N_RUNS
    assert "partial:" not in write_report(out).read_text()


def test_a_damaged_chunk_is_left_out_with_one_line(stopped):
    _, out = stopped
    files = sorted((out / "chunks").glob("*.runs.csv"))
    files[0].write_bytes(files[0].read_bytes()[:-30])  # cut short, as by a full disk
    res = load(out, partial=True)
    assert len(res.skipped) == 1 and files[0].name in res.skipped[0]
    assert len(res.runs) == 8 and files[0].exists()  # left as it is, for the resume


def test_a_chunk_file_under_another_chunks_name_is_not_trusted(stopped):
    _, out = stopped
    runs = sorted((out / "chunks").glob("*.runs.csv"))
    bogus = out / "chunks" / ("0" * 16 + ".runs.csv")
    bogus.write_bytes(runs[0].read_bytes())  # the same runs, counted twice if trusted
    res = load(out, partial=True)
    assert len(res.runs) == 12 and res.runs["run_id"].is_unique
    assert any(bogus.name in line for line in res.skipped)


def test_runs_csv_older_than_a_chunk_means_a_resumed_sweep_not_finished(stopped):
    spec, out = stopped
    run(spec, out, jobs=1)
    assert not is_unfinished(out)
    chunk = next((out / "chunks").glob("*.runs.csv"))
    later = (out / "runs.csv").stat().st_mtime_ns + 10**9
    os.utime(chunk, ns=(later, later))
    assert is_unfinished(out) and load(out, partial=True).from_chunks


def test_no_finished_chunk_is_one_line(stopped):
    _, out = stopped
    for p in (out / "chunks").glob("*.runs.csv"):
        p.unlink()
    with pytest.raises(ConfigError, match="no finished runs yet"):
        load(out, partial=True)
