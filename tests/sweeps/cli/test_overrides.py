"""KEY=VALUE overrides on the command line: run, show, baseline and check."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from sweeps.cli import main
from sweeps.config.load import load_spec

SPEC = """
name = "tiny"
description = "two activations on OR"
seeds = 2
max_epochs = 150

[params]
task = "or"
hidden = "3"
activation = ["sigmoid", "tanh"]
lr = 2.0

[stop]
max_error_below = 0.2
"""
FAST = ["-j", "1", "--no-report"]


@pytest.fixture
def spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A tiny spec file in a temporary working directory (results/ is made there)."""
    monkeypatch.chdir(tmp_path)
    Path("tiny.toml").write_text(SPEC)
    return "tiny.toml"


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def _files(d: Path) -> dict[str, bytes]:
    return {str(p.relative_to(d)): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


def test_an_overridden_run_has_its_own_directory_and_resumes_it(spec, capsys):
    assert main(["run", spec, *FAST, "--quiet"]) == 0
    plain = _files(Path("results/tiny"))
    over = ["lr=0.5,2.0", "seeds=3"]
    assert main(["run", spec, *over, *FAST]) == 0
    out = Path("results") / load_spec(spec, over).dirname
    text = capsys.readouterr().out
    assert f"tiny with lr=0.5,2.0 seeds=3: results in {out}" in text
    assert "12 runs:" in text and f"results: {out / 'runs.csv'}" in text
    assert _files(Path("results/tiny")) == plain  # the spec's own results are untouched
    runs = pd.read_csv(out / "runs.csv")
    assert len(runs) == 12 and sorted(runs["lr"].unique()) == [0.5, 2.0]
    m = json.loads((out / "manifest.json").read_text())
    assert m["overrides"] == over and m["spec"]["params"]["lr"] == [0.5, 2.0]
    assert m["spec"]["seeds"] == [0, 1, 2] and m["n_runs"] == 12
    assert json.loads(Path("results/tiny/manifest.json").read_text())["overrides"] == []
    # The same overrides, written otherwise and after an option: the same directory, resumed.
    before = _files(out / "chunks")
    assert main(["run", spec, "-j", "1", "seeds=3", "lr=[0.5, 2.0]", "--no-report"]) == 0
    assert _files(out / "chunks") == before
    assert len(json.loads((out / "manifest.json").read_text())["invocations"]) == 2
    assert sorted(p.name for p in Path("results").iterdir()) == sorted(["tiny", out.name])


def test_out_wins_over_the_overrides_directory(spec, tmp_path):
    assert main(["run", spec, "lr=0.5", "-o", "mine", *FAST, "--quiet"]) == 0
    assert (tmp_path / "mine" / "runs.csv").is_file() and not (tmp_path / "results").exists()


def test_the_same_runs_give_the_same_numbers_with_or_without_overrides(spec):
    assert main(["run", spec, *FAST, "--quiet"]) == 0
    assert main(["run", spec, "activation=tanh", *FAST, "--quiet"]) == 0
    plain = pd.read_csv("results/tiny/runs.csv").set_index("run_id")
    over = pd.read_csv(next(Path("results").glob("tiny.*")) / "runs.csv").set_index("run_id")
    assert len(over) == 2 and set(over.index) <= set(plain.index)
    cols = ["status", "epochs_run", "final_loss"]
    assert over[cols].equals(plain.loc[over.index, cols])


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["lrr=0.1"], "override 'lrr=0.1': unknown key 'lrr' in [params]"),
        (["lr=abc"], "override 'lr=abc': params.lr='abc' must be a number"),
        (["lr"], "override 'lr' is not KEY=VALUE"),
        (["-j", "1", "seeds=0"], "override 'seeds=0': seeds=0"),
        (["stop.los_below=1"], "did you mean 'loss_below'?"),
    ],
)
@pytest.mark.parametrize("command", ["run", "show", "baseline", "check"])
def test_a_bad_override_is_one_line_exit_2_and_writes_nothing(spec, capsys, command, argv, needle):
    extra = {"baseline": ["-o", "b.csv"], "check": ["--baseline", "b.csv"]}.get(command, [])
    assert main([command, spec, *argv, *extra]) == 2
    line = _one_line_error(capsys)
    assert line.startswith("error: tiny.toml: override") and needle in line
    assert sorted(p.name for p in Path(".").iterdir()) == ["tiny.toml"]


def test_a_stray_option_is_still_a_usage_error(spec, capsys):
    assert main(["run", spec, "lr=0.5", "--bogus"]) == 2
    assert "unrecognized arguments: --bogus" in _one_line_error(capsys)
    assert main(["report", "results/tiny", "lr=0.5"]) == 2  # report takes no overrides
    assert "unrecognized arguments: lr=0.5" in _one_line_error(capsys)


def test_show_prints_the_effective_axes_and_run_count(spec, capsys):
    assert main(["show", spec, "-j", "1", "lr=0.5,1,2", "seeds=4", "hidden=2x2"]) == 0
    text = capsys.readouterr().out
    dirname = load_spec(spec, ["lr=0.5,1,2", "seeds=4", "hidden=2x2"]).dirname
    assert f"overrides: lr=0.5,1,2 seeds=4 hidden=2x2   results: results/{dirname}" in text
    assert "axis lr" in text and "3 values: 0.5, 1.0, 2.0" in text
    assert "seeds: 4" in text and "runs: 24" in text and "hidden='2x2'" in text
    assert not Path("results").exists()


def test_baseline_and_check_use_the_overridden_spec(spec, capsys):
    over = ["activation=tanh", "seeds=3"]
    assert main(["baseline", spec, *over, "-o", "b.csv", "-j", "1"]) == 0
    text = capsys.readouterr().out
    assert "baseline of tiny (activation=tanh seeds=3): 3 runs" in text
    assert len(pd.read_csv("b.csv")) == 3
    assert main(["check", spec, *over, "--baseline", "b.csv", "-j", "1", "--exact"]) == 0
    text = capsys.readouterr().out
    assert "check tiny (activation=tanh seeds=3): 3 runs" in text and "exact PASS" in text
    assert Path(f"results/checks/{load_spec(spec, over).dirname}.csv").is_file()
    # Without the overrides the spec differs from the baseline: refused before any run.
    assert main(["check", spec, "--baseline", "b.csv", "-j", "1"]) == 2
    assert "activation" in _one_line_error(capsys)


def test_baseline_of_an_overridden_results_directory(spec, capsys):
    over = ["lr=0.5"]
    assert main(["run", spec, *over, *FAST, "--quiet"]) == 0
    out = Path("results") / load_spec(spec, over).dirname
    assert main(["baseline", spec, *over, "--results", str(out), "-o", "b.csv"]) == 0
    assert main(["baseline", spec, "--results", str(out), "-o", "c.csv"]) == 2
    assert "another spec" in _one_line_error(capsys) and not Path("c.csv").exists()
