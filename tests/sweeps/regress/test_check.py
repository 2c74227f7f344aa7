"""The regression check: real runs with injected bugs, noise, bad input, and the statistics.

The spec is XOR and OR on a 2-2-1 tanh network, 40 seeds per task: small enough to
train in well under a second in-process (``jobs=1``, so monkeypatched code is what
runs), large enough for the tests to have power.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nncore import ConfigError
from nncore.optimizers import GD
from sweeps.cli import main
from sweeps.config.load import load_spec
from sweeps.config.spec import SweepSpec
from sweeps.execute.runner import run
from sweeps.regress.baseline import read_baseline
from sweeps.regress.check import (
    CELL_COLUMNS,
    Thresholds,
    check,
    compare_cells,
    holm,
    logrank_slower_p,
    run_differences,
)
from sweeps.results.read import ResultsDir, load

SPEC = """
name = "gate"
seeds = {seeds}
max_epochs = {max_epochs}

[params]
task = {tasks}
hidden = "2"
activation = "tanh"
init = "normal"
init_scale = 1.0
lr = 2.0

[stop]
max_error_below = 0.1
"""
SEEDS = 40


def write_spec(path: Path, seeds=SEEDS, max_epochs=1500, tasks=("xor", "or")) -> Path:
    path.write_text(SPEC.format(seeds=seeds, max_epochs=max_epochs, tasks=json.dumps(tasks)))
    return path


@pytest.fixture(scope="module")
def recorded(tmp_path_factory) -> tuple[Path, Path]:
    """``(spec file, baseline CSV)``: the gate spec, recorded once for the module."""
    d = tmp_path_factory.mktemp("regress")
    spec = write_spec(d / "gate.toml")
    assert main(["baseline", str(spec), "-o", str(d / "gate.csv"), "-j", "1"]) == 0
    return spec, d / "gate.csv"


def run_check(recorded, tmp_path, *extra) -> tuple[int, dict, str]:
    spec, csv = recorded
    out = tmp_path / "check.csv"
    argv = ["check", str(spec), "--baseline", str(csv), "-j", "1", "-o", str(out), *extra]
    code = main(argv)
    return code, json.loads(out.with_suffix(".json").read_text()), str(out)


def cells(doc: dict) -> pd.DataFrame:
    return pd.DataFrame(doc["cells"]).set_index("task")


def test_unchanged_code_passes_bit_identical(recorded, tmp_path, capsys):
    code, doc, out = run_check(recorded, tmp_path)
    text = capsys.readouterr().out
    assert code == 0
    assert "identical to baseline: all 80 runs bit-identical" in text
    assert "PASS: no regression in 2 cells" in text
    assert doc["verdict"] == "PASS" and doc["identical"] is True
    table = pd.read_csv(out)
    assert list(table.columns) == ["task", *CELL_COLUMNS]
    assert (table["median_ratio"] == 1.0).all()


def test_learning_rate_bug_fails_on_epochs(recorded, tmp_path, monkeypatch, capsys):
    update = GD._update

    def slow(self, i, p, g):  # the bug: every step is taken with lr / 1.5
        g /= 1.5
        update(self, i, p, g)

    monkeypatch.setattr(GD, "_update", slow)
    code, doc, _ = run_check(recorded, tmp_path)
    text = capsys.readouterr().out
    assert code == 1
    t = cells(doc)
    assert t.loc["or", "epochs_verdict"] == "FAIL"
    assert t.loc["or", "median_ratio"] > 1.3  # the injected 1.5x, seen through noise
    assert t.loc["or", "median_ratio"] < 1.7
    assert (t["success_verdict"] == "PASS").all()
    assert "FAIL task = or: median epochs" in text
    assert "identical" not in text and "runs differ from the baseline" in text


def test_sign_error_fails_on_success_rate(recorded, tmp_path, monkeypatch):
    update = GD._update

    def flipped(self, i, p, g):  # the bug: the output weights climb the loss
        if i == 1:
            g *= -1.0
        update(self, i, p, g)

    monkeypatch.setattr(GD, "_update", flipped)
    code, doc, _ = run_check(recorded, tmp_path)
    assert code == 1
    t = cells(doc)
    assert t.loc["xor", "success_verdict"] == "FAIL"
    assert t.loc["xor", "success_now"] < t.loc["xor", "success_base"] - 0.3
    assert t.loc["xor", "success_p_holm"] < 0.01


def test_other_seeds_pass_in_at_least_19_of_20_trials(recorded, tmp_path):
    spec, csv = recorded
    baseline = read_baseline(csv)
    d = load_spec(spec).to_dict()
    # One sweep over all 20 trials' seeds: a run's result does not depend on its company.
    d["seeds"] = list(range(SEEDS, 21 * SEEDS))
    run(SweepSpec.from_dict(d), tmp_path / "r", jobs=1)
    res = load(tmp_path / "r")
    passed, notes = 0, set()
    for k in range(1, 21):
        trial = res.runs[res.runs["seed"] // SEEDS == k]
        result = check(baseline, ResultsDir(res.path, trial, res.manifest))
        passed += not result.failed
        notes.update(result.notes)
    assert passed >= 19
    assert (
        "seeds differ from the baseline (baseline: 40 seeds 0..39; now: 40 seeds 80..119)"
        in " ".join(notes)
    )


def test_results_dir_is_read_instead_of_running(recorded, tmp_path, capsys):
    spec, _ = recorded
    assert (
        main(["run", str(spec), "-o", str(tmp_path / "r"), "-j", "1", "--no-report", "--quiet"])
        == 0
    )
    code, doc, _ = run_check(recorded, tmp_path, "--results", str(tmp_path / "r"))
    assert code == 0 and doc["identical"] is True
    assert f"read from {tmp_path / 'r'}" in capsys.readouterr().out


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_baseline_of_another_spec_is_exit_2_naming_the_axes(recorded, tmp_path, capsys):
    _, csv = recorded
    other = write_spec(tmp_path / "other.toml", max_epochs=900, tasks=["xor", "and"])
    code = main(["check", str(other), "--baseline", str(csv), "-o", str(tmp_path / "c.csv")])
    line = one_line_error(capsys)
    assert code == 2
    assert "is from a different spec (spec_hash" in line
    assert "axis task: baseline ['xor', 'or'], now ['xor', 'and']" in line
    assert "max_epochs: baseline 1500, now 900" in line
    assert not (tmp_path / "c.csv").exists()  # refused before any training


def test_missing_baseline_is_exit_2(recorded, tmp_path, capsys):
    spec, _ = recorded
    assert main(["check", str(spec), "--baseline", str(tmp_path / "none.csv")]) == 2
    assert "none.csv" in one_line_error(capsys)


def test_results_of_another_spec_are_exit_2(recorded, tmp_path, capsys):
    spec, csv = recorded
    other = write_spec(tmp_path / "other.toml", seeds=3)
    assert (
        main(["run", str(other), "-o", str(tmp_path / "r"), "-j", "1", "--no-report", "--quiet"])
        == 0
    )
    capsys.readouterr()
    code = main(["check", str(spec), "--baseline", str(csv), "--results", str(tmp_path / "r")])
    line = one_line_error(capsys)
    assert code == 2 and "holds results of another spec" in line and "seeds" in line


@pytest.mark.parametrize(
    "flag, value, field",
    [("--alpha", "0", "alpha"), ("--tolerance", "0.9", "tolerance"),
     ("--success-tolerance", "1.5", "success_tolerance")],
)  # fmt: skip
def test_bad_thresholds_are_exit_2(recorded, capsys, flag, value, field):
    spec, csv = recorded
    assert main(["check", str(spec), "--baseline", str(csv), flag, value]) == 2
    assert one_line_error(capsys).startswith(f"error: {field}={float(value)!r}")


# -- the statistics, on tables whose answers are known ----------------------------------------


def runs(times: list[int | None], cell: str = "a", max_epochs: int = 1000, diverged: int = 0):
    """A runs table: converged at ``times`` (None: censored), then ``diverged`` runs."""
    status = ["converged" if t is not None else "censored" for t in times] + [
        "diverged"
    ] * diverged
    t = pd.array(list(times) + [None] * diverged, dtype="Int64")
    n = len(status)
    return pd.DataFrame(
        {"run_id": [f"{cell}{i}" for i in range(n)], "cell": cell, "seed": range(n),
         "status": status, "epochs_to_threshold": t, "epochs_run": t.fillna(max_epochs),
         "final_loss": 0.01}
    )  # fmt: skip


def test_holm_matches_hand_computed_values():
    p = np.array([0.01, 0.04, np.nan, 0.03, 0.2])
    # sorted 0.01, 0.03, 0.04, 0.2 times 4, 3, 2, 1 -> 0.04, 0.09, 0.08 -> 0.09, 0.2
    np.testing.assert_allclose(holm(p), [0.04, 0.09, np.nan, 0.09, 0.2])


def test_logrank_is_one_sided_towards_slower():
    rng = np.random.default_rng(3)
    fast = np.round(rng.lognormal(5, 0.2, 40))
    slow = fast * 1.5
    event = np.ones(40, bool)
    assert logrank_slower_p(slow, event, fast, event) < 1e-4
    assert logrank_slower_p(fast, event, slow, event) > 0.99
    assert np.isnan(logrank_slower_p(fast, ~event, slow, ~event))


def test_a_big_but_noisy_ratio_passes_and_a_real_one_fails():
    rng = np.random.default_rng(0)
    base = np.round(rng.lognormal(5, 0.2, 40)).astype(int)
    few = runs([100, 300], "a")  # median ratio 2, but two runs prove nothing
    b = pd.concat([runs(list(base), "a"), runs(list(base), "b")])
    n = pd.concat([runs([200, 600], "a"), runs(list(np.round(base * 1.5).astype(int)), "b")])
    t = compare_cells(pd.concat([few, runs(list(base), "b")]), n, ["cell"], 1000).set_index("cell")
    assert t.loc["a", "median_ratio"] > 1.1 and t.loc["a", "epochs_verdict"] == "PASS"
    assert t.loc["b", "epochs_verdict"] == "FAIL" and t.loc["b", "verdict"] == "FAIL"
    assert set(compare_cells(b, b, ["cell"], 1000)["verdict"]) == {"PASS"}


def test_success_fails_only_beyond_the_tolerance():
    base = runs([100] * 200, "a")
    small_drop = runs([100] * 182 + [None] * 18, "a")  # 100% -> 91%: significant, but small
    big_drop = runs([100] * 134 + [None] * 66, "a")  # 100% -> 67%
    assert compare_cells(base, small_drop, ["cell"], 1000)["success_verdict"].item() == "PASS"
    t = compare_cells(base, big_drop, ["cell"], 1000)
    assert t["success_verdict"].item() == "FAIL" and "success 100% -> 67%" in t["reason"].item()
    strict = Thresholds(success_tolerance=0.05)
    assert compare_cells(base, small_drop, ["cell"], 1000, strict)["verdict"].item() == "FAIL"


def test_divergence_fails_when_significantly_more_runs_diverge():
    base = runs([100] * 30, "a")
    t = compare_cells(base, runs([100] * 20, "a", diverged=10), ["cell"], 1000)
    assert t["diverged_verdict"].item() == "FAIL" and t["diverged_now"].item() == 10
    t = compare_cells(base, runs([100] * 29, "a", diverged=1), ["cell"], 1000)
    assert t["diverged_verdict"].item() == "PASS"


def test_undefined_medians_are_said_and_left_to_the_success_test():
    base = runs([100] * 10 + [None] * 30, "a")
    t = compare_cells(base, base, ["cell"], 1000)
    assert t["epochs_verdict"].item() == "n/a"
    assert "under half converged" in t["median_note"].item()
    # A median that is no longer reached: the ratio is at least max_epochs / baseline median.
    t = compare_cells(runs([100] * 40, "a"), runs([None] * 40, "a"), ["cell"], 1000)
    assert "ratio > 10" in t["median_note"].item() and t["epochs_verdict"].item() == "FAIL"


def test_cells_must_match():
    with pytest.raises(ConfigError, match="no runs in the baseline's cell cell = b"):
        compare_cells(pd.concat([runs([1], "a"), runs([1], "b")]), runs([1], "a"), ["cell"], 10)


def test_one_bit_of_final_loss_is_a_difference():
    base = runs([100, 200, None], "a")
    now = base.copy()
    assert run_differences(base, now) == (True, 0)
    now.loc[1, "final_loss"] = np.nextafter(0.01, 1.0)
    assert run_differences(base, now) == (True, 1)
    assert run_differences(base, now.iloc[:2]) == (False, -1)


PLUGIN = """\
import numpy as np
import nncore

nncore.register_activation(
    "hardtanh", lambda z: np.clip({slope} * z, -1.0, 1.0),
    lambda z: {slope} * (np.abs({slope} * z) < 1.0), low=-1.0, high=1.0,
)
"""
PLUGIN_SPEC = """
name = "plug-check"
plugins = ["hard.py"]
seeds = 30
max_epochs = 1500

[params]
task = "or"
hidden = "2"
activation = ["tanh", "hardtanh"]
lr = 1.0

[stop]
max_error_below = 0.1
"""


def test_a_slower_plugin_part_fails_the_check_and_is_named(tmp_path, capsys):
    from sweeps.config import plugins

    before = set(plugins.loaded())
    (tmp_path / "hard.py").write_text(PLUGIN.format(slope=1.0))
    (tmp_path / "s.toml").write_text(PLUGIN_SPEC)
    base = str(tmp_path / "base.csv")
    try:
        assert main(["baseline", str(tmp_path / "s.toml"), "-o", base, "-j", "1"]) == 0
        (tmp_path / "hard.py").write_text(PLUGIN.format(slope=0.25))  # a quarter the slope
        out = str(tmp_path / "check.csv")
        code = main(["check", str(tmp_path / "s.toml"), "--baseline", base, "-j", "1", "-o", out])
    finally:
        for p in set(plugins.loaded()) - before:
            plugins.unload(p)
    printed = capsys.readouterr().out
    assert code == 1 and "plugin 'hard.py' changed since the baseline" in printed
    assert "run-id hashing changed" not in printed
    fails = [line for line in printed.splitlines() if line.startswith("FAIL activation")]
    assert fails and all("hardtanh" in line for line in fails)


def _perturbed_copy(recorded, tmp_path: Path, numerics: dict | None) -> Path:
    """The baseline with every final loss moved in its last bits, as if recorded on a
    machine with other numerics (``numerics``: that machine's signature; None: keep)."""
    _, csv = recorded
    runs = pd.read_csv(csv, dtype={"hidden": "string", "run_id": "string"})
    runs["final_loss"] *= 1 + 4e-15
    meta = json.loads(csv.with_suffix(".json").read_text())
    if numerics is not None:
        meta["numerics"] = numerics
    runs.to_csv(tmp_path / "moved.csv", index=False)
    (tmp_path / "moved.json").write_text(json.dumps(meta))
    return tmp_path / "moved.csv"


def test_exact_across_machines_passes_the_last_bits_and_says_why(recorded, tmp_path, capsys):
    spec, _ = recorded
    meta = json.loads(recorded[1].with_suffix(".json").read_text())
    other = dict(meta["numerics"], simd="X86_V3,X86_V4", blas="SkylakeX")
    moved = _perturbed_copy(recorded, tmp_path, other)
    code = main(["check", str(spec), "--baseline", str(moved), "-j", "1", "--exact",
                 "-o", str(tmp_path / "c.csv")])  # fmt: skip
    text = capsys.readouterr().out
    assert code == 0, text
    assert "this machine's numerics differ from the baseline's (blas: " in text
    assert "SkylakeX when recorded" in text
    assert "80 of 80 runs differ from the baseline in their last bits only" in text
    assert "exact PASS: 0 runs differ (80 more in their last bits only)" in text


def test_exact_on_the_recording_machine_fails_on_the_last_bits(recorded, tmp_path, capsys):
    spec, _ = recorded
    moved = _perturbed_copy(recorded, tmp_path, None)  # this machine's own signature
    code = main(["check", str(spec), "--baseline", str(moved), "-j", "1", "--exact",
                 "-o", str(tmp_path / "c.csv")])  # fmt: skip
    text = capsys.readouterr().out
    assert code == 1
    assert "numerics differ" not in text and "exact FAIL: 80 runs differ" in text
