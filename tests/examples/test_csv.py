"""examples/csv: a CSV file of the user's and a generated set, swept with a holdout."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sweeps.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "csv" / "flowers.toml"


def test_the_csv_example_sweeps_with_validation_columns(tmp_path, capsys):
    out = tmp_path / "r"
    argv = ["run", str(EXAMPLE), "seeds=2", "max_epochs=300", "-o", str(out), "-j", "1"]
    assert main([*argv, "--quiet", "--no-report"]) == 0
    runs = pd.read_csv(out / "runs.csv")
    assert len(runs) == 2 * 2 * 2 * 2 and set(runs["task"]) == {"flowers", "moons"}
    for col in ("val_loss", "val_accuracy", "val_max_error"):
        assert runs[col].notna().all(), col
    assert runs["val_accuracy"].between(0, 1).all()
