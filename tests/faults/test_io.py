"""I/O failures: one line naming the path and the cause, exit 1, nothing half-written."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from sweeps.results import files

from .conftest import nnsweep, one_line, without_wall_time

# Mounting a tmpfs or a read-only bind needs root: as root (here and in CI) these tests run,
# and a mount that fails fails the test; without root they are reported as not run.
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="a tmpfs or bind mount needs root")


def _can_mount(d: Path) -> bool:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    d.mkdir(exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(d)],
                       capture_output=True, check=False)  # fmt: skip
    return r.returncode == 0


@pytest.fixture
def small_disk(tmp_path):
    d = tmp_path / "disk"
    assert _can_mount(d), "root could not mount a 2 MB tmpfs"
    yield d
    subprocess.run(["umount", str(d)], check=False)


@needs_root
def test_disk_full_then_rerun_equals_clean_run(small_disk, spec, done):
    ballast = small_disk / "ballast"
    with open(ballast, "wb") as f:  # fill the disk to the last block
        try:
            while True:
                f.write(b"\0" * 65536)
        except OSError:
            pass
    out = small_disk / "res"
    code, text = nnsweep("run", str(spec), "-o", str(out), "-j", "1", "--quiet")
    assert code == 1 and "No space left on device" in one_line(text)
    ballast.unlink()
    code, text = nnsweep("run", str(spec), "-o", str(out), "-j", "1", "--quiet", "--no-report")
    assert code == 0, text
    assert without_wall_time(out / "runs.csv") == without_wall_time(done / "runs.csv")
    assert not list(out.rglob(".*.tmp"))


def _commands(spec: Path, results: Path, into: Path, baseline: Path) -> dict[str, list[str]]:
    """Every command that writes, pointed at ``into`` (its results read from ``results``)."""
    return {
        "run": ["run", str(spec), "-o", str(into / "res"), "-j", "1", "--quiet"],
        "report": ["report", str(results)],
        "baseline": ["baseline", str(spec), "--results", str(results), "-o", str(into / "b.csv")],
        "check": ["check", str(spec), "--baseline", str(baseline), "--results", str(results),
                  "-o", str(into / "c.csv")],
    }  # fmt: skip


@pytest.fixture
def recorded(done, spec, tmp_path) -> Path:
    """A baseline of the finished tiny sweep."""
    base = tmp_path / "base.csv"
    code, out = nnsweep("baseline", str(spec), "--results", str(done), "-o", str(base))
    assert code == 0, out
    return base


@needs_root
@pytest.mark.parametrize("command", ["run", "report", "baseline", "check"])
def test_every_command_on_a_full_disk_is_one_line(small_disk, spec, done, recorded, command):
    results = small_disk / "res"
    shutil.copytree(done, results)  # a finished sweep on the small disk, then fill it
    ballast = small_disk / "ballast"
    with open(ballast, "wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
        except OSError:
            pass
    before = without_wall_time(results / "runs.csv")
    argv = _commands(spec, results, small_disk, recorded)[command]
    if command == "run":
        argv[argv.index("-o") + 1] = str(results)  # resume: nothing to train, a report to write
    code, text = nnsweep(*argv)
    assert code == 1 and "No space left on device" in one_line(text)
    assert without_wall_time(results / "runs.csv") == before  # nothing good lost
    assert not list(small_disk.rglob(".*.tmp"))


@needs_root
@pytest.mark.parametrize("command", ["run", "report", "baseline", "check"])
def test_every_command_into_a_read_only_directory_is_one_line(done, spec, recorded, tmp_path,
                                                                command):  # fmt: skip
    ro = tmp_path / "ro"
    ro.mkdir()
    r = subprocess.run(["mount", "--bind", "-o", "ro", str(done), str(ro)],
                       capture_output=True, check=False)  # fmt: skip
    assert r.returncode == 0, r.stderr
    try:
        argv = _commands(spec, ro, ro, recorded)[command]
        if command == "run":
            argv[argv.index("-o") + 1] = str(ro)  # resume into the read-only directory
        code, text = nnsweep(*argv)
        assert code == 1 and "Read-only file system" in one_line(text)
    finally:
        subprocess.run(["umount", str(ro)], check=False)


def test_writer_leaves_no_temporary_file_on_failure(tmp_path, monkeypatch):
    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(files.ResultsIOError, match="No space left on device"):
        files.write_bytes(tmp_path / "x.csv", b"data")
    assert list(tmp_path.iterdir()) == []


def test_stale_temporary_files_of_dead_processes_are_removed(done, spec):
    dead = done / "chunks" / ".x.curves.gz.999999999-0123abcd.tmp"
    dead.write_text("half")
    mine = done / "chunks" / f".y.runs.csv.{os.getpid()}-0123abcd.tmp"
    mine.write_text("live")
    code, out = nnsweep("run", str(spec), "-o", str(done), "-j", "1", "--quiet", "--no-report")
    assert code == 0, out
    assert not dead.exists() and mine.exists()


def test_name_too_long_is_one_line(tmp_path, spec):
    code, out = nnsweep("run", str(spec), "-o", str(tmp_path / ("d" * 300)), "-j", "1", "--quiet")
    assert code in (1, 2) and "File name too long" in one_line(out)


def test_symlinked_final_path_is_replaced_as_a_link(tmp_path):
    target = tmp_path / "target"
    target.write_text("outside")
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "f").symlink_to(target)
    files.write_text(tmp_path / "r" / "f", "new", root=tmp_path / "r")
    assert target.read_text() == "outside" and (tmp_path / "r" / "f").read_text() == "new"
