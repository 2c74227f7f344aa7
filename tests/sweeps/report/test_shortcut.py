"""A sweep with shortcut connections: its runs.csv, ``nnsweep explain`` and retraining."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sweeps.config.load import load_spec
from sweeps.execute.limits import population_bytes
from sweeps.execute.runner import run
from sweeps.report.boundary import retrain
from sweeps.report.explain import explain
from sweeps.results.schema import read_runs

SPEC = """\
name = "rhw"
seeds = 3
max_epochs = 400

[params]
task = "xor"
hidden = "1"
shortcut = [false, true]
lr = 2.0

[stop]
max_error_below = 0.1
"""


@pytest.fixture(scope="module")
def swept(tmp_path_factory) -> tuple[Path, pd.DataFrame]:
    root = tmp_path_factory.mktemp("shortcut")
    (root / "rhw.toml").write_text(SPEC)
    run(root / "rhw.toml", root / "out", jobs=1)
    return root, read_runs(root / "out" / "runs.csv")


def test_runs_csv_holds_the_axis_as_booleans(swept):
    _, runs = swept
    assert runs["shortcut"].tolist() == [False] * 3 + [True] * 3


def test_a_runs_csv_from_before_the_column_reads_as_without_shortcuts(swept, tmp_path):
    root, runs = swept
    old = pd.read_csv(root / "out" / "runs.csv").drop(columns="shortcut")
    old.to_csv(tmp_path / "runs.csv", index=False)
    back = read_runs(tmp_path / "runs.csv")
    assert list(back.columns) == list(runs.columns) and not back["shortcut"].any()


def test_explain_names_the_wiring(swept):
    root, runs = swept
    on, off = runs[runs["shortcut"]].iloc[0], runs[~runs["shortcut"]].iloc[0]
    assert "2-1-1 with shortcut connections," in explain(root / "out", on["run_id"])
    assert "2-1-1, " in explain(root / "out", off["run_id"])


def test_retrain_builds_the_shortcut_network(swept):
    root, runs = swept
    row = runs[runs["shortcut"]].iloc[0]
    net, record = retrain(row, {"max_error_below": 0.1})
    assert [w.shape for w in net.weights] == [(2, 1), (3, 1)]
    assert record.final_loss == pytest.approx(row["final_loss"], rel=1e-12)


def test_memory_estimate_counts_the_shortcut_weights(tmp_path):
    (tmp_path / "a.toml").write_text(SPEC.replace("[false, true]", "false"))
    (tmp_path / "b.toml").write_text(SPEC.replace("[false, true]", "true"))
    # The estimate takes inputs and outputs as 1 wide: 1-1-1 has (1+1)*1 + (1+1)*1 = 4
    # weights and biases; with shortcuts the output's fan-in is 2: (1+1)*1 + (2+1)*1 = 5.
    plain, wired = (population_bytes(load_spec(tmp_path / f"{n}.toml")) for n in "ab")
    assert wired * 4 == plain * 5
