"""Damaged chunk files are re-run, never copied; damaged runs.csv and manifests refused."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from .conftest import nnsweep, one_line, without_wall_time


def _runs_file(out: Path) -> Path:
    return sorted((out / "chunks").glob("*.runs.csv"))[0]


def _truncate(p: Path) -> None:
    p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2])


def _other_chunk_row(p: Path) -> None:
    other = sorted(p.parent.glob("*.runs.csv"))[1].read_text().splitlines()[1]
    p.write_text(p.read_text() + other + "\n")


def _status(p: Path) -> None:
    p.write_text(p.read_text().replace("converged", "blah").replace("censored", "blah"))


DAMAGE = {
    "truncated": _truncate,
    "emptied": lambda p: p.write_bytes(b""),
    "row missing": lambda p: p.write_text("\n".join(p.read_text().splitlines()[:-1]) + "\n"),
    "random bytes": lambda p: p.write_bytes(bytes(range(256)) * 3),
    "row of another chunk": _other_chunk_row,
    "edited status": _status,
    "duplicated row": lambda p: p.write_text(p.read_text() + p.read_text().splitlines()[1] + "\n"),
}


@pytest.mark.parametrize("how", list(DAMAGE))
def test_damaged_chunk_runs_file_is_rerun(done, spec, how):
    clean = without_wall_time(done / "runs.csv")
    p = _runs_file(done)
    DAMAGE[how](p)
    code, out = nnsweep("run", str(spec), "-o", str(done), "-j", "1", "--quiet", "--no-report")
    assert code == 0
    assert "damaged chunk file" in one_line(out) and p.name in out
    assert without_wall_time(done / "runs.csv") == clean


CURVES = {
    "truncated": _truncate,
    "random bytes": lambda p: p.write_bytes(b"\x1f\x8b" + bytes(range(200))),
    "deleted": lambda p: p.unlink(),
}


@pytest.mark.parametrize("how", list(CURVES))
def test_damaged_chunk_curves_file_is_rerun(done, spec, how):
    good = gzip.decompress((done / "curves.csv.gz").read_bytes())
    p = sorted((done / "chunks").glob("*.curves.gz"))[0]
    CURVES[how](p)
    code, out = nnsweep("run", str(spec), "-o", str(done), "-j", "1", "--quiet", "--no-report")
    assert code == 0 and "damaged chunk file" in one_line(out)
    assert gzip.decompress((done / "curves.csv.gz").read_bytes()) == good


def _dup_rows(p: Path) -> None:
    lines = p.read_text().splitlines()
    p.write_text("\n".join(lines + lines[1:2] * 20) + "\n")


RUNS = {
    "20 duplicated rows": _dup_rows,
    "unknown status": lambda p: p.write_text(p.read_text().replace("censored", "blah")
                                             .replace("converged", "blah")),
    "missing rows": lambda p: p.write_text("\n".join(p.read_text().splitlines()[:-2]) + "\n"),
}  # fmt: skip


@pytest.mark.parametrize("how", list(RUNS))
def test_damaged_runs_csv_is_refused_by_report(done, how):
    RUNS[how](done / "runs.csv")
    code, out = nnsweep("report", str(done))
    assert code == 2 and "damaged" in one_line(out)
    assert not (done / "report.html").exists()


@pytest.mark.parametrize("fresh", [False, True])
def test_half_written_manifest(done, spec, fresh):
    m = done / "manifest.json"
    m.write_text(m.read_text()[:50])
    args = ["run", str(spec), "-o", str(done), "-j", "1", "--quiet", "--no-report"]
    code, out = nnsweep(*args, *(["--fresh"] if fresh else []))
    if fresh:
        assert code == 0 and out == ""
        assert isinstance(json.loads(m.read_text()), dict)
    else:
        assert code == 2 and "manifest.json" in one_line(out) and "--fresh" in out
