"""examples/seed/one_bug_at_a_time.py: the seed's network with each bug on a switch."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "seed"


def _module(name: str):
    spec = importlib.util.spec_from_file_location(f"seed_{name}", EXAMPLE / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


BUGS = _module("one_bug_at_a_time")
AS_WRITTEN = _module("as_written")
DEFAULTS = {k: v["default"] for k, v in BUGS.PARAMS.items()}


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_every_bug_on_trains_as_the_question_s_code(activation):
    # as_written.py applies its one activation to both layers.
    params = {**DEFAULTS, "lr": 0.05, "activation": activation, "output_activation": activation}
    mine = BUGS.fit_one(params, 3, 300, {"max_error_below": 0.1})
    theirs = AS_WRITTEN.fit_one(
        {"lr": 0.05, "init_scale": 0.01, "activation": activation},
        3,
        300,
        {"max_error_below": 0.1},
    )
    assert mine["status"] == theirs["status"] and mine["epochs_run"] == theirs["epochs_run"]
    assert mine["final_loss"] == pytest.approx(theirs["final_loss"], rel=1e-9)
    assert mine["signed_loss"] == pytest.approx(theirs["signed_loss"], rel=1e-6, abs=1e-12)


def test_the_signed_sum_error_stops_where_the_outputs_sum_to_three():
    # Its update is (sum of errors) x (...): zero once sum(yhat) = sum(y) = 3, learned or not.
    params = {**DEFAULTS, "lr": 0.5, "budget": 500.0, "bias": "trained", "chain": "full"}
    rec = BUGS.fit_one(params, 0, 10**4, {"max_error_below": 0.1})
    outs = [rec[k] for k in ("out_00", "out_01", "out_10", "out_11")]
    assert rec["status"] == "censored"
    assert sum(outs) == pytest.approx(3.0, abs=1e-3)
    assert outs[0] > 0.5  # input (0, 0), target 0: far from learned


def test_every_bug_fixed_is_gradient_descent_on_the_summed_squared_error():
    # One step from the seed's weights must lower 0.5*sum((yhat - y)^2) by lr*|grad|^2 to
    # first order; the gradient here is by central differences, not the trainer's formula.
    params = {**DEFAULTS, "lr": 1e-4, "bias": "trained", "output_error": "per-sample",
              "chain": "full", "init_scale": 0.5}  # fmt: skip
    rng = np.random.default_rng(7)
    w1, w2 = rng.standard_normal((2, 6)) * 0.5, rng.standard_normal((6, 1)) * 0.5

    def loss(theta):  # weights, then the biases (which start at zero)
        a, b = theta[:12].reshape(2, 6), theta[12:18].reshape(6, 1)
        c, d = theta[18:24], theta[24]
        h = 1 / (1 + np.exp(-(BUGS.X @ a + c)))
        yhat = 1 / (1 + np.exp(-(h @ b + d)))
        return 0.5 * float(np.sum((yhat - BUGS.Y) ** 2))

    theta = np.r_[w1.ravel(), w2.ravel(), np.zeros(7)]
    eps = 1e-6
    grad = np.array([(loss(theta + eps * e) - loss(theta - eps * e)) / (2 * eps)
                     for e in np.eye(len(theta))])  # fmt: skip
    before = BUGS.fit_one(params, 7, 0, {"max_error_below": 0.1})["final_loss"]
    after = BUGS.fit_one(params, 7, 1, {"max_error_below": 0.1})["final_loss"]
    # final_loss is half the *mean*: a quarter of the summed loss.
    assert before == pytest.approx(loss(theta) / 4, rel=1e-9)
    assert (before - after) * 4 == pytest.approx(params["lr"] * grad @ grad, rel=1e-3)


def test_a_budget_sets_the_epochs():
    params = {**DEFAULTS, "lr": 0.1, "budget": 5.0}
    assert BUGS.fit_one(params, 0, 10**6, {"max_error_below": 0.1})["epochs_run"] == 50
    assert BUGS.fit_one(params, 0, 20, {"max_error_below": 0.1})["epochs_run"] == 20
