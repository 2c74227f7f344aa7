"""Sweeps with diagnostics (files, resume, spec hash) and ``nnsweep explain``."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nncore import ConfigError
from sweeps.cli import main
from sweeps.config.load import load_spec
from sweeps.execute.runner import run
from sweeps.report.explain import explain
from sweeps.results.schema import DIAGNOSTIC_COLUMNS, read_runs

SPEC = """\
name = "explain"
seeds = 3
max_epochs = 600
chunk_size = 16

[params]
task = "or"
hidden = "3"
activation = ["sigmoid", "relu"]
output_activation = "identity"
init_scale = [0.01, 1.0]
lr = [0.3, 100.0]

[stop]
max_error_below = 0.1
"""


@pytest.fixture(scope="module")
def spec_file(tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("spec") / "explain.toml"
    p.write_text(SPEC)
    return p


@pytest.fixture(scope="module")
def with_diag(spec_file, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("diag") / "out"
    run(spec_file, out, jobs=1, diagnostics=True)
    return out


@pytest.fixture(scope="module")
def without_diag(spec_file, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("plain") / "out"
    run(spec_file, out, jobs=1)
    return out


def runs_of(path: Path) -> pd.DataFrame:
    return read_runs(path / "runs.csv").drop(columns="wall_time_s")


def diag_of(path: Path) -> pd.DataFrame:
    return pd.read_csv(path / "diagnostics.csv.gz", dtype={"run_id": str})


# ---------------------------------------------------------------- files and resume


def test_diagnostics_file_has_every_run_layer_and_metric(with_diag):
    d, runs = diag_of(with_diag), runs_of(with_diag)
    assert list(d.columns) == DIAGNOSTIC_COLUMNS
    assert set(d["run_id"]) == set(runs["run_id"])
    per_layer = d.groupby("layer")["metric"].unique().map(set)
    assert per_layer[1] == {"grad_norm", "mean_abs_deriv", "saturated", "dead", "spread"}
    assert per_layer[2] == {"grad_norm", "mean_abs_deriv", "saturated", "dead"}  # one unit
    last = d.groupby("run_id")["epoch"].max()
    assert (last.loc[runs["run_id"]].to_numpy() < runs["epochs_run"].to_numpy()).all()


def test_diagnostics_change_no_result_and_no_spec_hash(with_diag, without_diag, spec_file):
    pd.testing.assert_frame_equal(runs_of(with_diag), runs_of(without_diag))
    assert not (without_diag / "diagnostics.csv.gz").exists()
    a, b = (pd.read_json(p / "manifest.json", typ="series") for p in (with_diag, without_diag))
    assert a["spec_hash"] == b["spec_hash"] and (a["diagnostics"], b["diagnostics"]) == (1, 0)
    on = load_spec(spec_file).__class__(**{**_fields(load_spec(spec_file)), "diagnostics": True})
    assert on.spec_hash == load_spec(spec_file).spec_hash


def _fields(spec) -> dict:
    return {f: getattr(spec, f) for f in spec.__dataclass_fields__}


def test_resume_with_diagnostics_reruns_chunks_that_lack_them(
    with_diag, without_diag, spec_file, tmp_path
):
    out = Path(shutil.copytree(without_diag, tmp_path / "out"))
    text = (out / "spec.toml").read_text().replace("chunk_size", "diagnostics = true\nchunk_size")
    (tmp_path / "on.toml").write_text(text)  # the spec's own flag, no keyword
    run(tmp_path / "on.toml", out, jobs=1)
    assert (out / "diagnostics.csv.gz").read_bytes() == (
        with_diag / "diagnostics.csv.gz"
    ).read_bytes()
    pd.testing.assert_frame_equal(runs_of(out), runs_of(without_diag))
    # One chunk loses its diagnostics; a resume without them must not leave a partial file.
    next(iter((out / "chunks").glob("*.diagnostics.gz"))).unlink()
    run(tmp_path / "on.toml", out, jobs=1, fresh=False)  # asked again: rerun, complete
    assert (out / "diagnostics.csv.gz").read_bytes() == (
        with_diag / "diagnostics.csv.gz"
    ).read_bytes()
    next(iter((out / "chunks").glob("*.diagnostics.gz"))).unlink()
    run(spec_file, out, jobs=1)  # the plain spec: nothing to run, and no partial file
    assert not (out / "diagnostics.csv.gz").exists()


# ---------------------------------------------------------------- explain


def _pick(path: Path, **where) -> pd.Series:
    runs = runs_of(path)
    for k, v in where.items():
        runs = runs[runs[k] == v]
    return runs.iloc[0]


def test_converged_run_story_has_its_config_and_numbers(with_diag):
    row = _pick(with_diag, status="converged")
    text = explain(with_diag, row["run_id"])
    assert text.splitlines()[0] == f"run {row['run_id']} of explain"
    assert "network 2-3-1, relu hidden units, identity output, mse loss" in text
    assert f"seed {row['seed']}; gd (lr 0.3), full batch; budget 600 epochs" in text
    assert f"converged at epoch {row['epochs_to_threshold']}, when max error < 0.1" in text
    assert f"final loss {row['final_loss']:.3g}" in text
    assert "inside:" in text and "hidden layer 1 (3 relu units)" in text


def test_censored_and_diverged_runs_say_why(with_diag):
    row = _pick(with_diag, status="censored", activation="sigmoid", init_scale=0.01)
    text = explain(with_diag, row["run_id"])
    assert "censored: after the budget of 600 epochs max error < 0.1 still did not hold" in text
    start = row["plateau_end"] - row["plateau_epochs"]
    assert f"plateau: from epoch {start:,} to {row['plateau_end']:,}" in text
    row = _pick(with_diag, status="diverged")
    text = explain(with_diag, row["run_id"])
    assert f"diverged at epoch {row['epochs_run']}: the loss became infinite" in text


def test_unit_counts_come_from_the_diagnostics(with_diag):
    d = diag_of(with_diag)
    last = d.loc[d.groupby("run_id")["epoch"].idxmax(), ["run_id", "epoch"]]
    dead = d[(d["metric"] == "dead") & (d["layer"] == 1)].merge(last, on=["run_id", "epoch"])
    row = dead.sort_values("value").iloc[-1]  # the run with the most dead units at its end
    assert row["value"] > 0  # relu with lr 0.3 from a large init kills some units
    text = explain(with_diag, row["run_id"])
    after = text.split("the last recorded before the run stopped:")[1]
    assert f"{round(row['value'] * 3)} of 3 dead" in after.splitlines()[1]


def test_prefix_unknown_and_ambiguous_ids(with_diag):
    rid = runs_of(with_diag)["run_id"].iloc[4]
    assert explain(with_diag, rid[:10]) == explain(with_diag, rid)
    with pytest.raises(ConfigError, match=rf"did you mean '{rid[:8]}'\?$"):
        explain(with_diag, rid[:7] + ("0" if rid[7] != "0" else "1"))
    first = runs_of(with_diag)["run_id"].str[0].value_counts().index[0]  # shared by several
    with pytest.raises(ConfigError, match="matches [0-9]+ runs .* give more characters"):
        explain(with_diag, first)
    with pytest.raises(ConfigError, match=r"run_id='' is not a run .*see runs.csv\)$"):
        explain(with_diag, "")


def test_no_diagnostics_no_inside_lines(without_diag):
    row = _pick(without_diag, status="censored")
    text = explain(without_diag, row["run_id"])
    assert "outcome: censored" in text and "inside" not in text


def test_cli_explain_and_run_flag(with_diag, spec_file, tmp_path, capsys):
    rid = runs_of(with_diag)["run_id"].iloc[0]
    assert main(["explain", str(with_diag), rid[:8]]) == 0
    assert capsys.readouterr().out.startswith(f"run {rid}")
    assert main(["explain", str(with_diag), "nothere"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: run_id='nothere' is not a run") and err.count("\n") == 1
    out = tmp_path / "cli"
    args = ["run", str(spec_file), "-o", str(out), "-j", "1", "--quiet", "--no-report"]
    assert main([*args, "--diagnostics"]) == 0
    with gzip.open(out / "diagnostics.csv.gz", "rt") as f:
        assert f.readline().strip() == ",".join(DIAGNOSTIC_COLUMNS)
    assert np.array_equal(diag_of(out).to_numpy(), diag_of(with_diag).to_numpy())


def test_a_run_on_a_spec_task_is_explained_with_its_holdout(tmp_path):
    (tmp_path / "pts.toml").write_text(
        'name = "pts"\nseeds = 1\nmax_epochs = 30\n\n[tasks.dots]\ngenerator = "blobs"\n'
        'classes = 3\nn = 30\nholdout = 0.2\n\n[params]\ntask = "dots"\nhidden = "4"\n'
        'output_activation = "softmax"\nloss = "ce"\n\n[stop]\nloss_below = 0.01\n'
    )
    runs = run(tmp_path / "pts.toml", tmp_path / "out", jobs=1, diagnostics=True)
    text = explain(tmp_path / "out", runs["run_id"].iloc[0])
    assert "task dots (the spec's own: 24 training, 6 held-out samples), network 2-4-3" in text
    assert "held out: validation loss" in text and "hidden layer 1 (4 tanh units)" in text
