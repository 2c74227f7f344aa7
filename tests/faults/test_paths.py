"""Names and paths: nothing is written or deleted outside the results directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import TINY, nnsweep, one_line


@pytest.mark.parametrize("name", [".", "..", "a" * 101, "x" * 5000, ".hidden"])
def test_bad_names_are_refused(tmp_path, name):
    (tmp_path / "plots").mkdir()
    (tmp_path / "plots" / "mine.png").write_text("mine")
    p = tmp_path / "s.toml"
    p.write_text(TINY.replace('name = "tiny"', f'name = "{name}"'))
    code, out = nnsweep("run", str(p), "--fresh", "-j", "1", "--quiet", cwd=tmp_path)
    assert code == 2 and "name=" in one_line(out)
    assert (tmp_path / "plots" / "mine.png").read_text() == "mine"
    assert not (tmp_path / "results").exists()


@pytest.mark.parametrize("out", ["FILE", "/dev/null", "/proc/x/y"])
def test_out_must_be_a_directory(tmp_path, spec, out):
    if out == "FILE":
        out = str(tmp_path / "file")
        Path(out).write_text("keep")
    code, text = nnsweep("run", str(spec), "-o", out, "-j", "1", "--quiet")
    assert code == 2 and "out=" in one_line(text)
    if out.endswith("file"):
        assert Path(out).read_text() == "keep"


@pytest.mark.parametrize("link", ["report.html", "spec.toml", "runs.csv"])
def test_symlinked_file_is_replaced_not_followed(done, spec, tmp_path, link):
    target = tmp_path / "outside.txt"
    target.write_text("outside")
    (done / link).unlink(missing_ok=True)
    (done / link).symlink_to(target)
    code, out = nnsweep("run", str(spec), "-o", str(done), "-j", "1", "--quiet")
    assert code == 0, out
    assert target.read_text() == "outside"
    assert not (done / link).is_symlink()


def test_symlinked_plots_dir_is_refused(done, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.png").write_text("keep")
    (done / "plots").symlink_to(elsewhere)
    code, out = nnsweep("report", str(done))
    assert code == 1 and "symbolic link" in one_line(out)
    assert [p.name for p in elsewhere.iterdir()] == ["keep.png"]


def test_fresh_never_deletes_through_links_or_foreign_files(done, spec, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "a.png").write_text("keep")
    (done / "plots").symlink_to(elsewhere)
    (done / "chunks" / "notes.txt").write_text("mine")
    code, out = nnsweep("run", str(spec), "-o", str(done), "--fresh", "-j", "1", "--quiet")
    assert code == 1 and "symbolic link" in one_line(out)
    assert (elsewhere / "a.png").read_text() == "keep"
    assert (done / "chunks" / "notes.txt").read_text() == "mine"
