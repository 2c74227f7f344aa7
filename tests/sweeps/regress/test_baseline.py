"""Baselines: recorded from real runs, read back bit for bit, refused when unusable."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from nncore import ConfigError
from nncore.engines.signature import bits_signature
from sweeps.cli import main
from sweeps.config.load import load_spec
from sweeps.execute.runner import run
from sweeps.regress.baseline import (
    canonical,
    check_comparable,
    columns,
    read_baseline,
    read_bench_baseline,
    record,
    results_for,
    spec_differences,
)
from sweeps.results.read import load

SPEC = """
name = "tiny"
seeds = 3
max_epochs = 300

[params]
task = "or"
hidden = ["2", "3"]
activation = ["sigmoid", "tanh"]
lr = 2.0

[stop]
max_error_below = 0.2
"""


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> tuple[Path, Path]:
    """``(spec file, results dir)`` of the tiny spec, trained once for the module."""
    d = tmp_path_factory.mktemp("baseline")
    spec = d / "tiny.toml"
    spec.write_text(SPEC)
    run(load_spec(spec), d / "results", jobs=1)
    return spec, d / "results"


@pytest.fixture
def recorded(finished, tmp_path) -> Path:
    record(load(finished[1]), tmp_path / "tiny.csv")
    return tmp_path / "tiny.csv"


def test_record_and_read_back_bit_for_bit(finished, tmp_path):
    spec, results = finished
    res = load(results)
    base = record(res, tmp_path / "b" / "tiny.csv")
    again = read_baseline(tmp_path / "b" / "tiny.csv")
    assert list(again.runs.columns) == columns(["hidden", "activation"])
    assert "wall_time_s" not in again.runs
    assert list(again.runs["hidden"].unique()) == ["2", "3"]  # strings, not numbers
    a, b = res.runs["final_loss"].to_numpy(), again.runs["final_loss"].to_numpy()
    assert np.array_equal(a.view(np.uint64), b.view(np.uint64))
    assert again.runs["epochs_to_threshold"].equals(res.runs["epochs_to_threshold"])
    meta = json.loads((tmp_path / "b" / "tiny.json").read_text())
    assert meta["spec_hash"] == load_spec(spec).spec_hash == base.meta["spec_hash"]
    assert meta["axes"] == ["hidden", "activation"] and meta["max_epochs"] == 300
    assert meta["spec"] == canonical(load_spec(spec)) and meta["n_runs"] == 12
    assert {"versions", "git_commit", "recorded", "spec_name"} <= set(meta)
    assert meta["numerics"] == bits_signature("numpy")  # what its last bits depend on


def test_cli_records_from_a_results_dir(finished, tmp_path, capsys):
    spec, results = finished
    out = tmp_path / "tiny.csv"
    assert main(["baseline", str(spec), "-o", str(out), "--results", str(results)]) == 0
    assert "baseline of tiny: 12 runs" in capsys.readouterr().out
    assert read_baseline(out).runs["run_id"].tolist() == load(results).runs["run_id"].tolist()


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_cli_refuses_a_non_csv_output_before_running(finished, tmp_path, capsys):
    spec, _ = finished
    assert main(["baseline", str(spec), "-o", str(tmp_path / "b.txt")]) == 2
    assert "must end in .csv" in one_line_error(capsys)
    assert list(tmp_path.iterdir()) == []


def test_missing_files_are_named(recorded):
    with pytest.raises(ConfigError, match=r"nope.csv': no such file; record one with"):
        read_baseline(recorded.with_name("nope.csv"))
    recorded.with_suffix(".json").unlink()
    with pytest.raises(ConfigError, match="its side file tiny.json is missing"):
        read_baseline(recorded)


def test_broken_baselines_are_refused(recorded):
    text = recorded.read_text()
    recorded.write_text(text.replace("final_loss", "loss", 1))
    with pytest.raises(ConfigError, match=r"not a baseline: missing columns \['final_loss'\]"):
        read_baseline(recorded)
    recorded.write_text("\n".join(text.splitlines()[:-1]) + "\n")
    with pytest.raises(ConfigError, match="has 11 runs; its side file says 12"):
        read_baseline(recorded)
    recorded.with_suffix(".json").write_text('{"spec_hash": "x"}')
    with pytest.raises(ConfigError, match="lacks"):
        read_baseline(recorded)


def test_spec_differences_name_axes_values_and_budget(finished, recorded):
    spec = canonical(load_spec(finished[0]))
    other = json.loads(json.dumps(spec))
    other["params"]["activation"] = ["tanh", "sigmoid"]  # same cells in another order
    other["seeds"] = [5, 6, 7]
    assert spec_differences(spec, other) == []
    assert spec_differences(spec, other, seeds=True) == [
        "seeds: baseline [0, 1, 2], now [5, 6, 7]"
    ]
    other["params"]["hidden"] = ["2", "4"]
    other["params"]["lr"] = 1.0
    other["max_epochs"] = 100
    assert spec_differences(spec, other) == [
        "axis hidden: baseline ['2', '3'], now ['2', '4']",
        "lr: baseline 2.0, now 1.0",
        "max_epochs: baseline 300, now 100",
    ]
    with pytest.raises(ConfigError, match=r"different spec \(spec_hash \w{12} != abc\): axis"):
        check_comparable(read_baseline(recorded), other, "abc")


def test_results_must_be_complete_and_of_the_spec(finished, tmp_path):
    spec, results = finished
    manifest = json.loads((results / "manifest.json").read_text())
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "runs.csv").write_bytes((results / "runs.csv").read_bytes())
    (copy / "manifest.json").write_text(json.dumps({**manifest, "finished": None}))
    with pytest.raises(ConfigError, match=r"is incomplete \(12 of 12 runs\); finish it with"):
        results_for(load_spec(spec), copy)
    other = tmp_path / "other.toml"
    other.write_text(SPEC.replace("max_epochs = 300", "max_epochs = 200"))
    with pytest.raises(
        ConfigError, match="another spec than 'tiny'.*max_epochs: results 300, spec 200"
    ):
        results_for(load_spec(other), results)


def test_bench_baseline_errors(tmp_path):
    p = tmp_path / "bench.json"
    p.write_text("not json")
    with pytest.raises(ConfigError, match="is unreadable"):
        read_bench_baseline(p)
    p.write_text('{"cases": 3}')
    with pytest.raises(ConfigError, match="is not the JSON of 'nnsweep bench --json'"):
        read_bench_baseline(p)
    p.write_text('{"cases": []}')
    assert read_bench_baseline(p) == {"cases": []}
