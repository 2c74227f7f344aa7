"""doctor's checks: a wrong gradient is its first line, for a plugin and a user trainer."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from sweeps.cli import main
from sweeps.config.load import load_spec
from sweeps.doctor.checks import checks

# A tanh whose derivative is right on a flat array (what registration checks) and halved
# on the stacked arrays a population trains with: registration passes, the network's
# gradient is wrong.
PLUGIN = """
import numpy as np
from nncore import register_activation

def forward(z):
    return np.tanh(z)

def derivative(z):
    d = 1.0 - np.tanh(z) ** 2
    return d if d.ndim == 1 else 0.5 * d

register_activation("halftanh", forward, derivative, low=-1.0, high=1.0)
"""

TRAINER = """
import numpy as np

PARAMS = {"lr": {"type": "float", "default": 0.5, "low": 0, "low_open": True}}
X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y = np.array([[0.0], [1.0], [1.0], [1.0]])

def initial_weights(params, seed):
    return [np.random.default_rng(seed).normal(0, 0.5, (2, 1))]

def loss_and_gradients(params, weights):
    err = X @ weights[0] - Y
    return 0.5 * float(np.mean(err ** 2)), [FACTOR * X.T @ err / len(X)]

def fit_one(params, seed, max_epochs, stop):
    return {"status": "censored", "epochs_run": 0, "final_loss": 1.0}
"""

SPEC = """
name = "t"
seeds = 3
max_epochs = 5
{top}
[params]
{params}
[stop]
max_error_below = 0.1
"""


def _write(tmp_path, top: str, params: str) -> str:
    path = tmp_path / "spec.toml"
    path.write_text(SPEC.format(top=top, params=params))
    return str(path)


def test_a_plugin_derivative_wrong_only_in_a_population_is_the_first_line(
    tmp_path, capsys, fresh_plugins
):
    (tmp_path / "parts.py").write_text(PLUGIN)
    spec = _write(tmp_path, 'plugins = ["parts.py"]', 'activation = "halftanh"')
    assert main(["doctor", spec, "-o", str(tmp_path / "out"), "-j", "1", "--quiet"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("The gradient is wrong") and "halftanh" in first
    assert not (tmp_path / "out" / "original").exists()  # nothing trained on a wrong gradient


@pytest.mark.parametrize("factor, wrong", [(1.0, False), (2.0, True)])
def test_a_user_trainers_exposed_gradient_is_checked(tmp_path, capsys, factor, wrong):
    (tmp_path / "train.py").write_text(textwrap.dedent(TRAINER).replace("FACTOR", repr(factor)))
    spec = _write(tmp_path, 'trainer = "train.py:fit_one"', "lr = 0.5")
    found = checks(load_spec(spec))
    assert bool(found) == wrong
    if wrong:
        assert main(["doctor", spec, "-o", str(tmp_path / "out"), "--quiet"]) == 0
        assert capsys.readouterr().out.startswith(
            "The gradient is wrong: trainer train.py:fit_one"
        )


def test_a_right_gradient_and_a_healthy_start_give_no_finding(tmp_path):
    spec = load_spec("seed-or-gate", ["activation=tanh", "loss=mse", "init_scale=1.0", "lr=1.0"])
    assert checks(spec) == []


def test_targets_outside_the_output_range_and_identical_units_are_found(tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("a,b,y\n0,0,-1\n0,1,1\n1,0,1\n1,1,1\n")
    spec = _write(
        tmp_path,
        "",
        'task = "pm"\noutput_activation = "sigmoid"\ninit_scale = 0.001\n'
        '[tasks.pm]\nfile = "d.csv"\ntarget = "y"\nscale = "none"',
    )
    kinds = [(f.kind, f.text.split(":")[0]) for f in checks(load_spec(spec))]
    assert ("data", "targets outside the output's range") in kinds
    assert ("init", "hidden layer 1") in kinds


def test_doctor_refuses_a_spec_with_axes_in_one_line(capsys):
    assert main(["doctor", "seed-or-gate", "--json"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "one configuration" in err
    with pytest.raises(json.JSONDecodeError):
        json.loads(err)


def test_the_command_prints_one_json_object_per_candidate_and_writes_its_report(tmp_path, capsys):
    seed = str(Path(__file__).resolve().parents[3] / "examples" / "seed" / "doctor.toml")
    out = tmp_path / "out"
    args = ["doctor", seed, "activation=tanh", "init_scale=1.0", "lr=1.0", "max_epochs=300",
            "--seeds", "3", "--budget-s", "1e-6", "-j", "1", "-o", str(out), "--json"]  # fmt: skip
    assert main(args) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["change"] == "as given" and rows[0]["runs"] == 3
    assert rows[0]["success_rate"] == rows[0]["converged"] / 3
    assert (out / "report.html").is_file() and (out / "original" / "runs.csv").is_file()


def test_a_bad_budget_is_one_line_and_exit_2(capsys):
    assert main(["doctor", "whatever.toml", "--budget-s", "-3"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "--budget-s" in err
