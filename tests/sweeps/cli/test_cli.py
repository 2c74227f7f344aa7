"""The nnsweep command, called through main([...]) as a user would type it."""

from __future__ import annotations

from pathlib import Path

import pytest

from sweeps.cli import main
from sweeps.config.load import bundled_specs
from sweeps.results.store import Store

SPEC = """
name = "cli-small"
description = "two activations on OR"
seeds = 4
max_epochs = 200

[params]
task = "or"
hidden = "3"
activation = ["sigmoid", "tanh"]
lr = 2.0

[stop]
max_error_below = 0.2
"""


@pytest.fixture
def spec_file(tmp_path: Path) -> Path:
    p = tmp_path / "small.toml"
    p.write_text(SPEC)
    return p


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_run_writes_results(spec_file, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(spec_file), "-o", str(out), "-j", "1", "--no-report"]) == 0
    text = capsys.readouterr().out
    assert "8 runs:" in text and "converged" in text
    for name in ("runs.csv", "curves.csv.gz", "manifest.json", "spec.toml"):
        assert (out / name).exists()


def test_missing_spec_is_exit_2_and_writes_nothing(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["run", "no-such-spec"]) == 2
    line = _one_line_error(capsys)
    assert "no-such-spec" in line and "bundled" in line
    assert not (tmp_path / "results").exists()


def test_bad_value_names_field_value_and_did_you_mean(spec_file, tmp_path, capsys):
    spec_file.write_text(SPEC.replace('"tanh"]', '"tahn"]'))
    assert main(["run", str(spec_file), "-o", str(tmp_path / "out")]) == 2
    line = _one_line_error(capsys)
    assert "params.activation" in line and "'tahn'" in line and "did you mean 'tanh'" in line
    assert not (tmp_path / "out").exists()


def test_changed_spec_keeps_earlier_results(spec_file, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(spec_file), "-o", str(out), "-j", "1", "--quiet", "--no-report"]) == 0
    before = (out / "runs.csv").read_bytes()
    spec_file.write_text(SPEC.replace("lr = 2.0", "lr = 1.0"))
    assert main(["run", str(spec_file), "-o", str(out), "--quiet", "--no-report"]) == 2
    assert "--fresh" in _one_line_error(capsys)
    assert (out / "runs.csv").read_bytes() == before


def test_locked_directory_is_exit_2(spec_file, tmp_path, capsys):
    holder = Store(tmp_path / "out")
    holder.lock()
    try:
        assert main(["run", str(spec_file), "-o", str(tmp_path / "out"), "--quiet"]) == 2
    finally:
        holder.unlock()
    assert "in use" in _one_line_error(capsys)


@pytest.mark.parametrize(
    "argv", [["run"], ["run", "quick", "-j", "0"], ["frobnicate"], ["run", "quick", "--jobz", "2"]]
)
def test_usage_errors_are_one_line_exit_2(argv, capsys):
    assert main(argv) == 2
    _one_line_error(capsys)


def test_list_shows_every_bundled_spec(capsys):
    assert main(["list"]) == 0
    text = capsys.readouterr().out
    for name in bundled_specs():
        assert name in text


def test_show_prints_axes_and_cost(spec_file, capsys):
    assert main(["show", str(spec_file), "-j", "1"]) == 0
    text = capsys.readouterr().out
    assert "axis activation" in text and "runs: 8" in text and "network-epochs" in text


def test_demo_trains_the_or_gate(tmp_path, capsys):
    png = tmp_path / "loss.png"
    assert main(["demo", "--plot", str(png)]) == 0
    text = capsys.readouterr().out
    assert "post training" in text and "within 0.1 of its target" in text
    assert png.stat().st_size > 1000
