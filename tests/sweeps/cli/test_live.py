"""What run and report show while they work: the bar, --report-every, --format parquet."""

from __future__ import annotations

import itertools
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

import sweeps
from sweeps.cli import _live, main
from sweeps.results.schema import read_runs

SPEC = """
name = "cli-live"
description = "OR, sigmoid vs tanh, in four chunks"
seeds = 4
max_epochs = 200
chunk_size = 4

[params]
task = "or"
hidden = "3"
activation = ["sigmoid", "tanh"]
lr = [1.0, 2.0]

[stop]
max_error_below = 0.2
"""


@pytest.fixture
def spec_file(tmp_path: Path) -> Path:
    p = tmp_path / "live.toml"
    p.write_text(SPEC)
    return p


def _p(done: int, total: int = 10) -> SimpleNamespace:
    return SimpleNamespace(done=done, total=total, converged=0, diverged=0, failed=0, eta_s=1.0)


def test_the_bar_keeps_each_value_it_showed_once_in_order():
    bar = _live.Bar("x", quiet=True)
    for done in (0, 0, 3, 3, 7, 10):
        bar(_p(done))
    assert bar.shown == [0, 3, 7, 10]


def test_refresher_writes_once_the_interval_has_passed_and_not_at_the_end():
    t = iter([0.0, 30.0, 61.0, 61.0, 90.0, 200.0])
    wrote: list[int] = []
    r = _live.Refresher(60.0, lambda: wrote.append(1), clock=lambda: next(t))
    r(_p(2))  # 30 s after the start: too soon
    r(_p(4))  # 61 s: written (and the clock read again)
    r(_p(6))  # 90 s: 29 s after that one
    r(_p(10))  # the end: the report after the sweep covers it
    assert len(wrote) == 1 == r.count


def test_report_every_refreshes_a_partial_report_while_the_sweep_runs(
    spec_file, tmp_path, capsys, monkeypatch
):
    # The start, the first report (before any chunk: too soon), then two minutes later
    # for ever: one refresh, as the first chunk ends.
    ticks = itertools.chain([0.0, 0.0], itertools.repeat(120.0))
    monkeypatch.setattr(_live, "now", lambda: next(ticks))
    out = tmp_path / "out"
    args = ["run", str(spec_file), "-o", str(out), "-j", "1", "--report-every", "1"]
    assert main(args) == 0
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert text.count("report refreshed") == 1 and "not refreshed" not in text
    assert "partial:" not in (out / "report.html").read_text()  # the last one is whole


def test_report_every_must_be_positive(spec_file, capsys):
    assert main(["run", str(spec_file), "--report-every", "0"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--report-every" in err[0] and "> 0" in err[0]


def test_format_parquet_is_read_back_as_the_csv(spec_file, tmp_path):
    pytest.importorskip("pyarrow")
    out = tmp_path / "out"
    args = ["run", str(spec_file), "-o", str(out), "-j", "1", "--format", "parquet", "--no-report"]
    assert main(args) == 0
    from_csv = read_runs(out / "runs.csv")
    from_dir = sweeps.read_runs(out)  # the newer of the two: the Parquet file
    assert (out / "runs.parquet").is_file()
    assert from_dir.equals(from_csv) and dict(from_dir.dtypes) == dict(from_csv.dtypes)


def test_report_says_what_it_writes_and_writes_parquet_tables(spec_file, tmp_path, capsys):
    pytest.importorskip("pyarrow")
    out = tmp_path / "out"
    assert main(["run", str(spec_file), "-o", str(out), "-j", "1", "--quiet", "--no-report"]) == 0
    assert main(["report", str(out), "--format", "parquet"]) == 0
    # Not at a terminal: the one line naming the report, nothing else.
    assert capsys.readouterr().out.strip() == f"report: {out / 'report.html'}"
    lines: list[str] = []
    _live.report(out, fmt="parquet", steps=True, echo=lines.append)
    for name in ("summary.csv", "report.html", "summary.parquet", "runs.parquet"):
        assert any(name in ln and "writing" in ln for ln in lines), name
    assert sweeps.read_runs(out / "runs.parquet").equals(read_runs(out / "runs.csv"))
    assert len(pd.read_parquet(out / "summary.parquet")) == len(pd.read_csv(out / "summary.csv"))


def test_format_parquet_without_pyarrow_is_one_line_exit_2(
    spec_file, tmp_path, capsys, monkeypatch
):
    from sweeps.results import parquet

    monkeypatch.setattr(parquet, "available", lambda: False)
    out = tmp_path / "out"
    assert main(["run", str(spec_file), "-o", str(out), "-j", "1", "--format", "parquet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "pip install" in err[0] and "pyarrow" in err[0]
    assert not out.exists()
