"""Reports of a sweep that has not finished: its verified chunks, marked partial."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from nncore import ConfigError
from sweeps.config.grid import chunks, expand
from sweeps.config.load import load_spec
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


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The spec file and the results of the finished sweep (run once, copied by each test)."""
    tmp = tmp_path_factory.mktemp("halfway")
    spec = tmp / "halfway.toml"
    spec.write_text(SPEC)
    run(spec, tmp / "out", jobs=1)
    return spec, tmp / "out"


@pytest.fixture
def stopped(finished, tmp_path: Path) -> tuple[Path, Path]:
    """A sweep stopped after some of its chunks: what a kill leaves on disk (whole
    chunk files, no runs.csv), made by taking the end of a finished one away."""
    spec, done = finished
    out = tmp_path / "out"
    shutil.copytree(done, out)
    for name in ("runs.csv", "curves.csv.gz"):
        (out / name).unlink()
    plan = chunks(expand(load_spec(spec)), 4)
    for c in plan[3:]:  # three of six chunks never finished
        for suffix in ("runs.csv", "curves.gz"):
            (out / "chunks" / f"{c.chunk_id}.{suffix}").unlink()
    return spec, out


def _chunk_files(out: Path) -> dict[str, tuple[int, bytes]]:
    return {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in (out / "chunks").iterdir()}


def test_partial_report_shows_the_finished_runs_and_touches_no_sweep_file(stopped):
    _, out = stopped
    before = _chunk_files(out)
    steps: list[str] = []
    html = write_report(out, on_step=steps.append)
    res = load(out, partial=True)
    assert res.partial and len(res.runs) == 12 and res.n_planned == N_RUNS
    assert res.runs["run_id"].is_unique
    page = html.read_text()
    assert "partial: 12 of 24 runs" in page
    assert any("partial: 12 of 24 runs" in s for s in steps)
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


def test_runs_csv_older_than_a_chunk_means_a_resumed_sweep_not_finished(finished, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(finished[1], out)
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
