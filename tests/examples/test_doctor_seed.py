"""examples/seed for nnsweep doctor: the question's own gradient is found wrong, first."""

from __future__ import annotations

from pathlib import Path

from sweeps.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "seed"


def test_the_question_as_written_is_told_its_gradient_is_wrong(tmp_path, capsys):
    spec = str(EXAMPLE / "doctor-as-written.toml")
    assert main(["doctor", spec, "-o", str(tmp_path / "out"), "--quiet"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("The gradient is wrong: trainer doctor_as_written.py:fit_one")
    assert "nothing was trained" in lines[1]
