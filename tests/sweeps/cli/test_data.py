"""Your own data from the command line: a CSV sweep runs, bad data is one line and exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from sweeps.cli import main

SPEC = """\
name = "pets"
seeds = 2
max_epochs = 60

[tasks.pets]
file = "pets.csv"
target = "animal"
holdout = 0.5

[params]
task = "pets"
hidden = "2"
output_activation = "softmax"
loss = "ce"

[stop]
loss_below = 0.05
"""
CSV = "weight,ears,animal\n" + "".join(
    f"{4 + i % 3},{1 + i % 2},{'cat' if i % 2 else 'dog'}\n" for i in range(12)
)


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pets.csv").write_text(CSV)
    (tmp_path / "pets.toml").write_text(SPEC)
    return tmp_path


def test_a_csv_sweep_runs_and_shows(folder, capsys):
    assert main(["show", "pets.toml", "-j", "1"]) == 0
    assert "task='pets'" in capsys.readouterr().out
    assert main(["run", "pets.toml", "-o", "out", "-j", "1", "--quiet", "--no-report"]) == 0
    header = (folder / "out" / "runs.csv").read_text().splitlines()[0].split(",")
    assert {"val_loss", "val_accuracy", "val_max_error"} <= set(header)


@pytest.mark.parametrize(
    "edit, match",
    [
        (lambda s, c: (s.replace("pets.csv", "cats.csv"), c), "file='cats.csv': no such file"),
        (lambda s, c: (s.replace('"animal"', '"animl"'), c), "did you mean 'animal'?"),
        (lambda s, c: (s, c.replace("4,", "x,", 1)), "column 'weight' is not numeric"),
        (lambda s, c: (s, c.replace("4,", ",", 1)), "column 'weight' has 1 missing value"),
        (lambda s, c: (s, c.replace("dog", "cat")), "has one class ('cat')"),
        (lambda s, c: (s.replace("0.5", "0.05"), c), "with no validation sample"),
        (lambda s, c: (s.replace("[tasks.pets]", "[tasks.or]").replace('"pets"\n', '"or"\n'), c),
         "has the name of a built-in task"),
        (lambda s, c: (s.replace('file = "pets.csv"\ntarget = "animal"', 'generator = "moons"\n'
                                 "n = 1"), c), "tasks.pets.n=1 must be >= 4"),
    ],
)  # fmt: skip
def test_bad_data_is_one_line_exit_2_and_nothing_written(folder, capsys, edit, match):
    spec, csv = edit(SPEC, CSV)
    (folder / "pets.toml").write_text(spec)
    (folder / "pets.csv").write_text(csv)
    assert main(["run", "pets.toml", "-o", "out", "-j", "1", "--quiet"]) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err and match in lines[0], err
    assert lines[0].startswith("error: pets.toml: ")
    assert not (folder / "out").exists()
