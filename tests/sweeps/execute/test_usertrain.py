"""Sweeps of a user trainer: failures are recorded runs, results do not depend on -j or
the backend, a finished sweep resumes with nothing to do, an edited trainer gives new runs."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from nncore import ConfigError
from sweeps.cli import main
from sweeps.execute.runner import run
from sweeps.execute.usertrain import run_trainer_chunk
from sweeps.report.write import write_report
from sweeps.results.read import load

TRAINER = """
import os
import time

PARAMS = {
    "mode": {"type": "str", "default": "ok", "choices":
             ["ok", "raise", "malformed", "nan", "notdict", "hang", "exit"]},
    "x": {"type": "float", "default": 1.0, "low": 0},
}
METRICS = ["extra"]


def fit_one(params, seed, max_epochs, stop):
    mode = params["mode"]
    print("a trainer may print: its output is discarded")
    if mode == "raise":
        raise RuntimeError("boom\\nsecond line")
    if mode == "malformed":
        return {"status": "converged"}
    if mode == "nan":
        return {"status": "converged", "epochs_to_threshold": 3, "epochs_run": 3,
                "final_loss": float("nan")}
    if mode == "notdict":
        return float("nan")
    if mode == "hang":
        while True:  # never returns: stopped by trainer_timeout_s
            time.sleep(1)
    if mode == "exit":
        os._exit(3)
    n = (seed % 5) + 1
    status = "converged" if params["x"] * n < 4 else "censored"
    return {"status": status, "epochs_to_threshold": n if status == "converged" else None,
            "epochs_run": n if status == "converged" else max_epochs,
            "final_loss": 0.01 * n * params["x"], "curve": [(0, 1.0), (n, 0.01 * n)],
            "extra": 2.0 * seed}
"""

SPEC = """
name = "user"
trainer = "mine.py:fit_one"
trainer_timeout_s = 2
seeds = 2
max_epochs = 10
[params]
mode = ["ok", "raise", "malformed", "nan", "notdict", "hang", "exit"]
[stop]
loss_below = 0.1
"""

GOOD = """
name = "user-good"
trainer = "mine.py:fit_one"
seeds = 10
max_epochs = 10
chunk_size = 4
[params]
x = [0.5, 1.0, 2.0]
[stop]
loss_below = 0.1
"""


def _spec(tmp_path: Path, text: str) -> Path:
    (tmp_path / "mine.py").write_text(TRAINER)
    path = tmp_path / "spec.toml"
    path.write_text(text)
    return path


def _table(path: Path) -> str:
    return load(path).runs.drop(columns="wall_time_s").to_csv(index=False)


def test_a_failing_trainer_fails_its_runs_not_the_sweep(tmp_path, capsys):
    out = tmp_path / "out"
    runs = run(_spec(tmp_path, SPEC), out, jobs=1)
    by_mode = runs.groupby("mode", sort=False)
    errors = {mode: set(rows["error"].fillna("")) for mode, rows in by_mode}
    status = {mode: set(rows["status"]) for mode, rows in by_mode}
    assert status["ok"] == {"converged"} and errors["ok"] == {""}
    assert all(status[m] == {"failed"} for m in errors if m != "ok")
    assert errors["raise"] == {"the trainer raised RuntimeError: boom second line"}
    assert errors["malformed"] == {"malformed record: no 'epochs_run'"}
    assert errors["nan"] == {"malformed record: final_loss=nan in a run that did not diverge"}
    assert errors["notdict"] == {"malformed record: the trainer returned float, not a dict"}
    assert errors["hang"] == {"no result within 2 s (trainer_timeout_s): stopped"}
    assert errors["exit"] == {"the trainer's process ended (exit code 3) without a result"}
    assert list(runs["extra"][runs["mode"] == "ok"]) == [0.0, 2.0]
    # Statistics count a failed run as not converged, in a column of its own.
    res = load(out)
    assert res.runs.equals(runs)
    html = write_report(out)
    assert html.is_file() and (out / "plots" / "survival.png").is_file()
    summary = (out / "summary.csv").read_text().splitlines()
    assert summary[0].startswith("mode,runs,converged,diverged,censored,failed,success_rate")
    assert summary[2].startswith("raise,2,0,0,0,2,0.0,")
    # The gate works on it: a baseline of these results, checked against themselves.
    base = tmp_path / "base.csv"
    assert (
        main(["baseline", str(tmp_path / "spec.toml"), "--results", str(out), "-o", str(base)])
        == 0
    )
    code = main(["check", str(tmp_path / "spec.toml"), "--results", str(out), "--baseline",
                 str(base), "-o", str(tmp_path / "check.csv")])  # fmt: skip
    assert code == 0 and "identical to baseline" in capsys.readouterr().out


def test_more_failed_runs_than_the_baseline_fail_the_check(tmp_path, capsys):
    spec = _spec(tmp_path, GOOD.replace("seeds = 10", "seeds = 30").replace("chunk_size = 4", ""))
    base = tmp_path / "base.csv"
    assert main(["baseline", str(spec), "-o", str(base), "-j", "1"]) == 0
    (tmp_path / "mine.py").write_text(TRAINER.replace('if mode == "raise":', "if seed > 5:"))
    code = main(["check", str(spec), "--baseline", str(base), "-j", "1", "-o",
                 str(tmp_path / "c.csv")])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 1 and "the trainer's code changed" in out and "FAIL" in out


def test_the_results_do_not_depend_on_the_workers(tmp_path):
    spec = _spec(tmp_path, GOOD)
    one = run(spec, tmp_path / "one", jobs=1)
    assert set(one["status"]) == {"converged", "censored"} and len(one) == 30
    run(spec, tmp_path / "two", jobs=2)
    assert _table(tmp_path / "two") == _table(tmp_path / "one")
    for name in ("runs.csv", "curves.csv.gz"):
        assert name in {p.name for p in (tmp_path / "two").iterdir()}
    assert (tmp_path / "two" / "curves.csv.gz").read_bytes() == (
        tmp_path / "one" / "curves.csv.gz"
    ).read_bytes()


def test_dask_gives_the_loky_results(tmp_path):
    pytest.importorskip("distributed", reason="the dask extra is not installed")
    spec = _spec(tmp_path, GOOD)
    run(spec, tmp_path / "loky", jobs=2)
    run(spec, tmp_path / "dask", backend="dask", scheduler="local:2")
    assert _table(tmp_path / "dask") == _table(tmp_path / "loky")


def test_diagnostics_are_refused_for_a_trainer(tmp_path):
    with pytest.raises(ConfigError, match="not available with trainer='mine.py:fit_one'"):
        run(_spec(tmp_path, GOOD), tmp_path / "out", jobs=1, diagnostics=True)
    assert not (tmp_path / "out").exists()


def test_a_finished_sweep_resumes_with_nothing_to_train(tmp_path):
    spec = _spec(tmp_path, GOOD)
    first = run(spec, tmp_path / "out", jobs=1)
    seen = []
    again = run(spec, tmp_path / "out", jobs=1, on_progress=lambda p: seen.append(p.done))
    assert seen == [30] and again.equals(first)


def test_an_edited_trainer_gives_new_runs_not_a_silent_resume(tmp_path):
    spec = _spec(tmp_path, GOOD)
    first = run(spec, tmp_path / "out", jobs=1)
    (tmp_path / "mine.py").write_text(TRAINER.replace("0.01 * n * params", "0.02 * n * params"))
    second = run(spec, tmp_path / "out", jobs=1)
    assert not set(second["run_id"]) & set(first["run_id"])
    assert list(second["final_loss"]) == [2 * v for v in first["final_loss"]]
    manifest = load(tmp_path / "out").manifest["trainer"]
    assert manifest["sha256"] == hashlib.sha256((tmp_path / "mine.py").read_bytes()).hexdigest()
    assert manifest["name"] == "mine.py:fit_one"


def test_a_trainer_file_changed_under_a_running_sweep_fails_its_runs(tmp_path):
    path = tmp_path / "mine.py"
    path.write_text(TRAINER)
    trainer = {
        "module": str(path), "function": "fit_one", "sha256": "0" * 64, "sys_path": [],
        "params": ["mode", "x"], "metrics": ["extra"],
        "columns": ["run_id", "mode", "x", "max_epochs", "seed", "status", "error", "extra"],
    }  # fmt: skip
    columns = {"run_id": ["a", "b"], "mode": ["ok", "ok"], "x": [1.0, 1.0],
               "max_epochs": [10, 10], "seed": [0, 1]}  # fmt: skip
    _, table, curves, _ = run_trainer_chunk("c", columns, {"loss_below": 0.1}, trainer, 5.0)
    assert table["status"] == ["failed", "failed"] and curves["run_id"] == []
    assert "changed since the sweep began" in table["error"][0]
