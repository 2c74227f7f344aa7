"""The report's diagnostics section: the computed sentence, layer positions, the figure."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sweeps.execute.runner import run
from sweeps.report.diagnostics import (
    DiagTable,
    _positions,
    diagnostics_figure,
    diagnostics_sentence,
)
from sweeps.report.figures import roles
from sweeps.report.style import palette_for
from sweeps.report.write import write_report
from sweeps.results.read import load

EPOCHS = np.array([0, 1, 10, 100, 1000])


def _runs(n: int = 10) -> pd.DataFrame:
    """``n`` fast runs (converged at 100..109) and ``n`` slow ones (censored at 2000)."""
    fast = pd.DataFrame(
        {
            "activation": "tanh",
            "status": "converged",
            "epochs_to_threshold": np.arange(100, 100 + n),
            "plateau_epochs": 10,
        }
    )
    slow = pd.DataFrame(
        {
            "activation": "sigmoid",
            "status": "censored",
            "epochs_to_threshold": pd.NA,
            "plateau_epochs": 300,
        },
        index=range(n),
    )
    runs = pd.concat([fast, slow], ignore_index=True)  # fmt: skip
    runs["epochs_to_threshold"] = runs["epochs_to_threshold"].astype("Int64")
    return runs.assign(max_epochs=2000, final_loss=0.01, hidden="6")


def _table(runs: pd.DataFrame, values: dict[str, tuple[float, float]]) -> DiagTable:
    """Layer 1 metrics: ``values[m] = (slow, fast)``; fast runs stop after epoch 100."""
    slow = (runs["activation"] == "sigmoid").to_numpy()
    out = {}
    for metric, (s, f) in values.items():
        block = np.where(slow[:, None], s, f) * np.ones(len(EPOCHS))
        block[~slow, -1] = np.nan  # converged: no record at epoch 1000
        out[(1, metric)] = block
    return DiagTable(EPOCHS, out)


def test_sentence_compares_the_slow_level_with_the_fast_one():
    runs = _runs()
    values = {"grad_norm": (0.005, 0.02), "mean_abs_deriv": (0.2, 0.9), "saturated": (0.5, 0.0),
              "dead": (0.0, 0.0), "spread": (0.01, 0.1)}  # fmt: skip
    text = diagnostics_sentence(runs, _table(runs, values), "activation", 2000)
    # The tanh runs converged at 100..109: their median is numpy's, (104 + 105) / 2.
    assert text.startswith(
        "Sigmoid runs took longer to reach the threshold than tanh runs (median > 2,000 vs "
        "104.5 epochs) and spent a median of 300 epochs on a plateau"
    )
    assert "vs 10. At epoch 100, with at least 90% of both still training" in text
    assert "passed back a mean |f′(z)| of 0.2 vs 0.9 for tanh" in text
    assert "had a 4× smaller weight gradient (median norm 0.005 vs 0.02)" in text
    assert "and 10× less spread-out units (0.01 vs 0.1)" in text
    assert text.endswith("; 50% of its units were saturated vs 0%; no first-layer unit of "
                         "either was dead.")  # fmt: skip


def test_sentence_says_larger_and_needs_two_levels():
    runs = _runs()
    text = diagnostics_sentence(
        runs, _table(runs, {"grad_norm": (0.03, 0.01)}), "activation", 2000
    )
    assert "had a 3× larger weight gradient" in text
    one = runs[runs["activation"] == "tanh"]
    assert diagnostics_sentence(one, _table(one, {"grad_norm": (1, 1)}), "activation", 2000) == ""
    assert diagnostics_sentence(runs, _table(runs, {}), "activation", 2000) == ""
    assert diagnostics_sentence(runs, _table(runs, {"grad_norm": (1, 1)}), None, 2000) == ""


def test_output_layer_lines_up_across_depths():
    runs = pd.DataFrame({"hidden": ["3", "3x3"]})
    grad = {(l, "grad_norm"): np.full((2, 1), float(l)) for l in (1, 2, 3)}
    grad[(3, "grad_norm")][0] = np.nan  # run 0 has no layer 3
    pos = _positions(runs, DiagTable(np.array([0]), grad))
    assert pos[("output layer", "grad_norm")][:, 0].tolist() == [2.0, 3.0]
    assert pos[("hidden layer 2", "grad_norm")][:, 0].tolist()[1] == 2.0
    assert np.isnan(pos[("hidden layer 2", "grad_norm")][0, 0])


ONE = """\
name = "one"
seeds = 4
max_epochs = 300
diagnostics = true

[params]
task = "or"
hidden = "3"
activation = ["sigmoid", "tanh"]
init_scale = 0.1
lr = 2.0

[stop]
max_error_below = 0.1
"""


@pytest.fixture
def one_dir(tmp_path: Path) -> Path:
    (tmp_path / "one.toml").write_text(ONE)
    run(tmp_path / "one.toml", tmp_path / "one", jobs=1)
    return tmp_path / "one"


def test_report_has_a_diagnostics_section_only_when_recorded(one_dir):
    html = write_report(one_dir).read_text()
    assert 'id="diagnostics"' in html and (one_dir / "plots" / "diagnostics.png").is_file()
    assert "Sigmoid runs took longer to reach the threshold than tanh runs" in html
    (one_dir / "diagnostics.csv.gz").unlink()
    res = load(one_dir)
    r = roles(res.axes)
    assert diagnostics_figure(res, r, palette_for(res.runs, r.hue)) == (None, "")
